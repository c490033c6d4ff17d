"""Regenerate the bad-input corpus: `python tests/bad_inputs/make_corpus.py`.

Every case is the small valid dataset below with ONE realistic mistake. The cases are committed
(easy to open and read); ``cases.csv`` lists each with the expected exit code of
``shnor validate`` and a fragment of the Russian message it must print.
"""

from __future__ import annotations

import copy
import csv
import shutil
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent

BASE = {
    "schools": [
        ["school_id", "name", "municipality", "locality", "school_type"],
        ["0101", "МАОУ СОШ № 1", "ГО Первоуральск", "urban", "СОШ"],
        ["0102", "МАОУ СОШ № 2", "ГО Первоуральск", "urban", "СОШ"],
        ["0103", "МАОУ ООШ № 3", "ГО Первоуральск", "rural", "ООШ"],
        ["0104", "МАОУ Гимназия № 4", "ГО Первоуральск", "urban", "гимназия"],
    ],
    "results": [
        ["year", "school_id", "procedure", "grade", "subject", "participants", "n_fail",
         "n_mark3", "n_mark4", "n_mark5", "mean_score"],
        ["2023", "0101", "VPR", "5", "russian", "25", "8", "10", "5", "2", "2.8"],
        ["2023", "0101", "VPR", "5", "math", "25", "9", "9", "5", "2", "2.7"],
        ["2023", "0102", "VPR", "6", "math", "30", "3", "12", "10", "5", "3.6"],
        ["2023", "0103", "OGE", "9", "russian", "8", "1", "4", "2", "1", "3.4"],
        ["2023", "0104", "EGE", "11", "math_profile", "20", "0", "", "", "", "68.5"],
        ["2024", "0101", "VPR", "5", "russian", "24", "7", "10", "5", "2", "2.9"],
        ["2024", "0102", "VPR", "6", "math", "28", "2", "12", "9", "5", "3.6"],
        ["2024", "0103", "OGE", "9", "math", "9", "2", "4", "2", "1", "3.2"],
    ],
    "social": [
        ["year", "school_id", "students_total", "parents_higher_edu", "deviant_registered",
         "unemployed_parents"],
        ["2023", "0101", "410", "60", "12", "30"],
        ["2023", "0102", "520", "150", "4", "15"],
        ["2023", "0103", "95", "8", "3", "14"],
        ["2023", "0104", "700", "380", "1", "6"],
    ],
    "risk_profiles": [
        ["year", "school_id", "factor", "level"],
        ["2023", "0101", "1", "high"],
        ["2023", "0101", "2", "medium"],
        ["2023", "0103", "1", "low"],
        ["2023", "0103", "6", "high"],
    ],
    "programme": [
        ["year", "indicator", "value", "points", "target"],
        ["2022", "1", "50", "4", "40"],
        ["2022", "2", "18.2", "2", "15"],
        ["2023", "1", "33", "6", "30"],
    ],
    "lists": [
        ["year", "school_id", "list"],
        ["2023", "0101", "ШНОР ФИОКО"],
        ["2023", "0103", "ШНОР ФИОКО"],
    ],
}

RUSSIAN_HEADERS = {
    "schools": ["Код ОО", "Наименование ОО", "МО", "Тип местности", "Тип ОО"],
    "results": ["Год", "Код ОО", "Процедура", "Класс", "Предмет", "Количество участников",
                "Отметка 2", "Отметка 3", "Отметка 4", "Отметка 5", "Средний балл"],
    "social": ["Год", "Код ОО", "Всего обучающихся", "Оба родителя с высшим образованием",
               "Состоят на учёте", "Безработные родители"],
}
RUSSIAN_NAMES = {"schools": "Школы", "results": "Результаты", "social": "Социальный паспорт",
                 "risk_profiles": "Факторы риска", "programme": "Показатели программы",
                 "lists": "Списки"}


def base() -> dict[str, list[list[str]]]:
    return copy.deepcopy(BASE)


def setcell(tables, table: str, row: int, column: str, value: str):
    """Set a cell (row 1 = first data row) and return the tables."""
    tables[table][row][tables[table][0].index(column)] = value
    return tables


def write_csv(folder: Path, tables, encoding="utf-8", sep=",", names=None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        name = (names or {}).get(table, table)
        with open(folder / f"{name}.csv", "w", encoding=encoding, newline="") as f:
            csv.writer(f, delimiter=sep, lineterminator="\n").writerows(rows)


def write_xlsx(path: Path, tables, names=None, title_rows=0, as_numbers=True) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for table, rows in tables.items():
        ws = wb.create_sheet((names or {}).get(table, table))
        for _ in range(title_rows):
            ws.append([f"Таблица «{table}», выгрузка 2024 г."])
        for i, row in enumerate(rows):
            ws.append([_number(v) if as_numbers and i and table != "schools"
                       and rows[0][j] != "school_id" else v for j, v in enumerate(row)])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return wb


def _number(v: str):
    try:
        f = float(v)
    except ValueError:
        return v
    return int(f) if f.is_integer() else f


def drop(tables, table: str):
    del tables[table]
    return tables


def drop_column(tables, table: str, column: str):
    j = tables[table][0].index(column)
    tables[table] = [r[:j] + r[j + 1:] for r in tables[table]]
    return tables


def add_row(tables, table: str, row: list[str]):
    tables[table].append(row)
    return tables


# Each case: (name, mistake in Russian, exit code, expected message fragment, writer(dir)).
CASES = []


def case(name: str, mistake: str, code: int, message: str, target: str = ""):
    def register(fn):
        CASES.append((name, mistake, code, message, target, fn))
        return fn
    return register


def csv_case(name, mistake, message, tables, **kw):
    CASES.append((name, mistake, 2, message, "", lambda d: write_csv(d, tables, **kw)))


B = base
csv_case("missing_results_table", "нет файла с результатами", "нет таблицы «Результаты»",
         drop(B(), "results"))
csv_case("missing_schools_table", "нет файла со списком школ", "нет таблицы «Школы»",
         drop(B(), "schools"))
csv_case("missing_column", "нет столбца с числом участников",
         "нет обязательного столбца «Участников»", drop_column(B(), "results", "participants"))
csv_case("missing_fail_and_mean_columns", "нет ни столбца «2», ни среднего балла",
         "нет ни столбца «Не преодолели порог», ни столбца «Средний балл»",
         drop_column(drop_column(B(), "results", "n_fail"), "results", "mean_score"))
csv_case("wrong_type_grade", "класс словом", "ожидается номер класса числом",
         setcell(B(), "results", 2, "grade", "пятый"))
csv_case("wrong_type_count", "текст в числе участников", "ожидается целое число",
         setcell(B(), "results", 3, "participants", "тридцать"))
csv_case("negative_count", "отрицательное число", "не может быть отрицательным",
         setcell(B(), "social", 2, "deviant_registered", "-4"))
csv_case("fail_gt_participants", "«2» больше, чем участников", "больше, чем участников",
         setcell(setcell(B(), "results", 8, "n_fail", "12"), "results", 8, "n_mark3", ""))
csv_case("marks_sum_mismatch", "отметки не дают в сумме число участников",
         "не равна числу участников", setcell(B(), "results", 1, "n_mark4", "6"))
csv_case("social_gt_total", "показатель соцпаспорта больше числа обучающихся",
         "больше, чем всего обучающихся", setcell(B(), "social", 3, "parents_higher_edu", "120"))
csv_case("duplicated_result", "строка результатов повторена", "повторяется ключ",
         add_row(B(), "results", list(BASE["results"][3])))
csv_case("duplicated_school", "школа указана дважды", "повторяется ключ",
         add_row(B(), "schools", ["0102", "МАОУ СОШ № 2 (филиал)", "ГО Первоуральск", "urban",
                                  "СОШ"]))
csv_case("unknown_school_results", "в результатах код школы, которой нет в списке",
         "отсутствует в таблице «Школы»", setcell(B(), "results", 3, "school_id", "0199"))
csv_case("unknown_school_social", "в соцпаспорте код школы, которой нет в списке",
         "отсутствует в таблице «Школы»", setcell(B(), "social", 1, "school_id", "0999"))
csv_case("unknown_school_risk", "в факторах риска неизвестная школа",
         "отсутствует в таблице «Школы»", setcell(B(), "risk_profiles", 1, "school_id", "0198"))
csv_case("unknown_school_lists", "в официальном списке неизвестная школа",
         "отсутствует в таблице «Школы»", setcell(B(), "lists", 1, "school_id", "0197"))
csv_case("lost_leading_zeros", "в одной таблице потеряны ведущие нули кода ОО",
         "возможно, потеряны ведущие нули",
         setcell(setcell(B(), "results", 1, "school_id", "101"), "results", 2, "school_id", "101"))
csv_case("unknown_procedure", "опечатка в процедуре", "неизвестная процедура",
         setcell(B(), "results", 1, "procedure", "ВРП"))
csv_case("unknown_subject", "предмет вне контракта", "неизвестный предмет",
         setcell(B(), "results", 2, "subject", "физика"))
csv_case("unknown_locality", "тип местности не из списка", "неизвестный тип местности",
         setcell(B(), "schools", 3, "locality", "посёлок"))
csv_case("unknown_level", "неизвестная значимость фактора", "неизвестная значимость",
         setcell(B(), "risk_profiles", 2, "level", "очень высокая"))
csv_case("grade_impossible", "ОГЭ в 10 классе", "10 класс невозможен для ОГЭ",
         setcell(B(), "results", 4, "grade", "10"))
csv_case("math_level_outside_ege", "профильная математика в ОГЭ", "бывает только в ЕГЭ",
         setcell(B(), "results", 8, "subject", "math_profile"))
csv_case("year_out_of_range", "опечатка в годе", "год вне допустимого диапазона",
         setcell(B(), "results", 6, "year", "1924"))
csv_case("academic_year", "учебный год вместо календарного", "укажите календарный год",
         setcell(B(), "results", 6, "year", "2023/2024"))
csv_case("year_missing", "пустой год", "не заполнено обязательное поле",
         setcell(B(), "social", 2, "year", ""))
csv_case("non_integer_count", "дробное число участников", "количество должно быть целым",
         setcell(B(), "social", 1, "students_total", "410.5"))
csv_case("percent_sign_counts", "проценты со знаком «%» вместо количества",
         "указан процент, а нужно количество", setcell(B(), "results", 1, "n_fail", "32%"))
_pct = B()
for _i, _row in enumerate(_pct["results"][1:], 1):
    if _row[7]:
        n = int(_row[5])
        marks = [round(100 * int(_row[c]) / n) for c in (6, 7, 8, 9)]
        marks[1] += 100 - sum(marks)
        _row[6:10] = [str(m) for m in marks]
csv_case("percent_values_as_counts", "проценты без знака «%» вместо количеств",
         "похоже, указаны проценты", _pct)
csv_case("zero_participants_with_fails", "0 участников, но есть «2»", "участников 0",
         setcell(setcell(B(), "results", 4, "participants", "0"), "results", 4, "n_mark3", ""))
csv_case("neither_fail_nor_mean", "строка без «2» и без среднего балла",
         "нет ни числа не преодолевших порог, ни среднего балла",
         setcell(setcell(B(), "results", 5, "mean_score", ""), "results", 5, "n_fail", ""))
csv_case("mean_score_out_of_range", "средний балл больше 100", "средний балл должен быть",
         setcell(B(), "results", 5, "mean_score", "685"))
csv_case("risk_factor_out_of_range", "фактор риска 11", "номер фактора риска должен быть от 1",
         setcell(B(), "risk_profiles", 1, "factor", "11"))
csv_case("risk_factor_twice", "школа дважды для одного фактора", "повторяется ключ",
         add_row(B(), "risk_profiles", ["2023", "0101", "1", "low"]))
csv_case("programme_points_negative", "отрицательные баллы программы",
         "баллы не могут быть отрицательными", setcell(B(), "programme", 1, "points", "-2"))
csv_case("programme_points_above_max", "баллы больше максимума показателя",
         "баллы больше максимума", setcell(B(), "programme", 2, "points", "9"))
csv_case("duplicate_header", "два столбца означают одно и то же", "столбец повторяет столбец",
         setcell(B(), "results", 0, "n_mark3", "n_fail"))
csv_case("no_header", "таблица без строки заголовка", "не найдена строка заголовка",
         {**B(), "schools": BASE["schools"][1:]})
csv_case("unknown_file", "файл с опечаткой в имени", "файл не относится ни к одной таблице",
         B(), names={"lists": "spiski"})
csv_case("empty_table", "файл результатов только с заголовком", "таблица «Результаты» пуста",
         {**B(), "results": BASE["results"][:1]})


@case("empty_file", "пустой файл results.csv (0 байт)", 2, "файл пуст")
def _(d):
    write_csv(d, drop(B(), "results"))
    (d / "results.csv").write_bytes(b"")


@case("utf16_file", "файл сохранён как «Юникод» (UTF-16)", 2, "UTF-16")
def _(d):
    write_csv(d, B())
    text = (d / "schools.csv").read_text(encoding="utf-8")
    (d / "schools.csv").write_text(text, encoding="utf-16")


@case("mojibake", "UTF-8 текст, прочитанный как cp1251 и пересохранённый", 2,
      "текст выглядит искажённым")
def _(d):
    tables = B()
    tables["schools"][0] = RUSSIAN_HEADERS["schools"]
    write_csv(d, tables)
    text = (d / "schools.csv").read_text(encoding="utf-8")
    (d / "schools.csv").write_text(text.encode("utf-8").decode("cp1251", "replace"),
                                   encoding="utf-8")


@case("decimal_comma_with_comma_separator", "дробь через запятую при разделителе «,»", 2,
      "больше значений, чем столбцов")
def _(d):
    write_csv(d, B())
    text = (d / "results.csv").read_text(encoding="utf-8").replace(",2.8\n", ",2,8\n")
    (d / "results.csv").write_text(text, encoding="utf-8")


@case("two_files_one_table", "одна таблица в двух файлах", 2, "уже прочитана из другого файла")
def _(d):
    write_csv(d, B())
    shutil.copy(d / "results.csv", d / "Результаты.csv")


@case("cp1251_russian", "cp1251, русские заголовки и значения, «;», десятичная запятая", 0,
      "корректен")
def _(d):
    tables = B()
    for table, header in RUSSIAN_HEADERS.items():
        tables[table][0] = header
    for row in tables["results"][1:]:
        row[2] = {"VPR": "ВПР", "OGE": "ОГЭ", "EGE": "ЕГЭ"}[row[2]]
        row[4] = {"russian": "Русский язык", "math": "математика",
                  "math_profile": "Математика (профильная)"}[row[4]]
        row[10] = row[10].replace(".", ",")
    for row in tables["schools"][1:]:
        row[3] = {"urban": "город", "rural": "село"}[row[3]]
    write_csv(d, tables, encoding="cp1251", sep=";", names=RUSSIAN_NAMES)


@case("xlsx_title_row", "книга Excel с названием таблицы над заголовком", 0, "корректен",
      "data.xlsx")
def _(d):
    write_xlsx(d / "data.xlsx", B(), title_rows=2)


@case("xlsx_sheets_in_russian", "листы названы по-русски", 0, "корректен", "data.xlsx")
def _(d):
    write_xlsx(d / "data.xlsx", B(), names=RUSSIAN_NAMES)


@case("xlsx_numbers_as_text", "числа сохранены как текст", 0, "корректен", "data.xlsx")
def _(d):
    write_xlsx(d / "data.xlsx", B(), as_numbers=False)


@case("xlsx_two_level_header", "двухуровневый заголовок с объединёнными ячейками", 0,
      "корректен", "data.xlsx")
def _(d):
    write_xlsx(d / "data.xlsx", B())
    wb = openpyxl.load_workbook(d / "data.xlsx")
    ws = wb["results"]
    ws.insert_rows(1)
    for col in "ABCDEF":
        ws[f"{col}1"] = ws[f"{col}2"].value
        ws[f"{col}2"] = None
        ws.merge_cells(f"{col}1:{col}2")
    ws["G1"] = "Получили отметку"
    ws.merge_cells("G1:J1")
    ws["K1"] = "Средний балл"
    ws["K2"] = None
    ws.merge_cells("K1:K2")
    for col, mark in zip("GHIJ", "2345"):
        ws[f"{col}2"] = mark
    wb.save(d / "data.xlsx")


@case("xlsx_merged_header_over_data", "объединённая ячейка заголовка над столбцами с данными",
      2, "объединённая ячейка заголовка", "data.xlsx")
def _(d):
    write_xlsx(d / "data.xlsx", B())
    wb = openpyxl.load_workbook(d / "data.xlsx")
    wb["schools"].merge_cells("B1:C1")
    wb.save(d / "data.xlsx")


@case("xlsx_ids_as_numbers", "Excel превратил коды ОО в числа на листе результатов", 2,
      "возможно, потеряны ведущие нули", "data.xlsx")
def _(d):
    write_xlsx(d / "data.xlsx", B())
    wb = openpyxl.load_workbook(d / "data.xlsx")
    for row in wb["results"].iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].value = float(row[0].value)
    wb.save(d / "data.xlsx")


@case("xlsx_missing_sheet", "в книге нет листа результатов", 2, "нет таблицы «Результаты»",
      "data.xlsx")
def _(d):
    write_xlsx(d / "data.xlsx", drop(B(), "results"))


@case("xlsx_corrupt", "файл .xlsx повреждён (не ZIP)", 2, "не читается как книга Excel",
      "data.xlsx")
def _(d):
    d.mkdir(parents=True, exist_ok=True)
    (d / "data.xlsx").write_bytes(b"PK\x03\x04 this is not really a workbook")


@case("xls_old_format", "старый формат .xls", 2, "старом формате .xls", "data.xls")
def _(d):
    d.mkdir(parents=True, exist_ok=True)
    (d / "data.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


@case("folder_without_csv", "папка без CSV-файлов", 2, "нет CSV-файлов")
def _(d):
    d.mkdir(parents=True, exist_ok=True)
    (d / "README.txt").write_text("здесь будут данные", encoding="utf-8")


@case("nonexistent_path", "путь не существует", 2, "не найден", "нет_такой_папки")
def _(d):
    d.mkdir(parents=True, exist_ok=True)


@case("valid_base", "исходный корректный набор (контроль)", 0, "корректен")
def _(d):
    write_csv(d, B())


def main() -> None:
    rows = []
    for name, mistake, code, message, target, write in CASES:
        folder = HERE / name
        shutil.rmtree(folder, ignore_errors=True)
        write(folder)
        rows.append({"case": name, "path": f"{name}/{target}" if target else name,
                     "mistake": mistake, "exit_code": code, "message": message})
    with open(HERE / "cases.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} cases written to {HERE}")


if __name__ == "__main__":
    main()
