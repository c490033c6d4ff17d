"""Regenerate the bad-input corpus: `python tests/bad_inputs/make_corpus.py`.

Every case is the small valid dataset below with ONE realistic mistake. The cases are committed
(easy to open and read); ``cases.csv`` lists each with the expected exit code of
``shnor validate`` and a fragment of the Russian message it must print.
"""

from __future__ import annotations

import copy
import csv
import re
import shutil
import zipfile
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


# Each case: (name, mistake in Russian, exit code, expected message fragment, target, writer(dir),
# extra). extra: problems — how many problems `shnor.validate` finds (None: not checked); run —
# what `shnor run` does with the dataset: "excluded:<table>" (an optional table left out with
# a warning) or "stops"; schools — how many schools the input has (none may be lost).
CASES = []


def case(name: str, mistake: str, code: int, message: str, target: str = "", **extra):
    def register(fn):
        CASES.append((name, mistake, code, message, target, fn, extra))
        return fn
    return register


def csv_case(name, mistake, message, tables, *, problems=None, run="", code=2, **kw):
    CASES.append((name, mistake, code, message, "", lambda d: write_csv(d, tables, **kw),
                  {"problems": problems, "run": run}))


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


# --- issue: silently wrong input, optional tables, real-problem messages, shares, РДР, journal --

def patch_xlsx(path: Path, member: str, fix) -> None:
    """Rewrite one XML part of a workbook (``fix``: text -> text), as another program wrote it."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts[member] = fix(parts[member].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


def _sheet_part(path: Path, title: str) -> str:
    wb = openpyxl.load_workbook(path)
    return f"xl/worksheets/sheet{wb.sheetnames.index(title) + 1}.xml"


def _with_formula(d: Path, sheet: str, cell: str, formula: str, **kw) -> Path:
    path = d / "data.xlsx"
    write_xlsx(path, kw.pop("tables", B()))
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = formula
    wb.save(path)
    return path


@case("xlsx_formula_no_value", "формула без сохранённого значения (книгу записала программа)",
      2, "в ячейке формула без сохранённого значения", "data.xlsx", problems=1, run="stops")
def _(d):
    _with_formula(d, "results", "F3", "=G3+H3+I3+J3")


@case("xlsx_formula_no_value_name", "название школы — формула без сохранённого значения", 2,
      "откройте файл в Excel и сохраните его", "data.xlsx", problems=1)
def _(d):
    _with_formula(d, "schools", "B3", '="МАОУ СОШ № "&2')


@case("xlsx_formula_recalc_zero", "формула с нулём вместо значения (xlsxwriter: Excel пересчитает "
      "при открытии)", 2, "в ячейке формула без сохранённого значения", "data.xlsx", problems=1)
def _(d):
    path = _with_formula(d, "results", "G2", "=25-H2-I2-J2")
    patch_xlsx(path, _sheet_part(path, "results"), lambda x: re.sub(
        r"(<f>25-H2-I2-J2</f>)<v\s*/>|(<f>25-H2-I2-J2</f>)<v></v>", r"\1\2<v>0</v>", x))


@case("xlsx_formula_saved_by_excel", "формулы со значениями, сохранённые в Excel (контроль)", 0,
      "корректен", "data.xlsx")
def _(d):
    path = _with_formula(d, "results", "F3", "=G3+H3+I3+J3")
    patch_xlsx(path, _sheet_part(path, "results"), lambda x: re.sub(
        r"(<f>G3\+H3\+I3\+J3</f>)<v\s*/>|(<f>G3\+H3\+I3\+J3</f>)<v></v>", r"\1\2<v>25</v>", x))
    patch_xlsx(path, "xl/workbook.xml", lambda x: x.replace(' fullCalcOnLoad="1"', ""))


@case("xlsx_formula_in_optional_sheet", "формула без значения в необязательной таблице", 2,
      "в ячейке формула без сохранённого значения", "data.xlsx", problems=1,
      run="excluded:lists")
def _(d):
    _with_formula(d, "lists", "B3", '="0"&"103"')


def _mojibake(text: str) -> str:
    return text.encode("utf-8").decode("cp1251", "replace")


csv_case("mojibake_school_name", "название школы в «кракозябрах» (UTF-8 прочитан как cp1251)",
         "вероятно, должно быть «МАОУ СОШ № 2»",
         setcell(B(), "schools", 2, "name", _mojibake("МАОУ СОШ № 2")), problems=1)
csv_case("mojibake_subject", "предмет в «кракозябрах»: одно сообщение, не «неизвестный предмет»",
         "текст выглядит искажённым",
         setcell(B(), "results", 6, "subject", _mojibake("математика")), problems=1)
csv_case("mojibake_list_name", "название официального списка в «кракозябрах»",
         "вероятно, должно быть «ШНОР ФИОКО»",
         setcell(B(), "lists", 1, "list", _mojibake("ШНОР ФИОКО")), problems=1,
         run="excluded:lists")
csv_case("mojibake_latin1", "cp1251 прочитан как Latin-1 («Øêîëà»)", "вероятно, должно быть",
         setcell(B(), "schools", 3, "municipality",
                 "ГО Первоуральск".encode("cp1251").decode("cp1252")), problems=1)
csv_case("replacement_character", "символ «�» вместо букв (текст повреждён перекодировкой)",
         "текст выглядит искажённым", setcell(B(), "schools", 1, "name", "МАОУ ��� № 1"),
         problems=1)


@case("xlsx_mojibake_municipality", "муниципалитет в «кракозябрах» на листе Excel", 2,
      "текст выглядит искажённым", "data.xlsx", problems=1)
def _(d):
    write_xlsx(d / "data.xlsx", setcell(B(), "schools", 4, "municipality",
                                        _mojibake("ГО Первоуральск")))


def _mixed(d: Path, table: str, line: int, main: str, other: str, bom: bool = False) -> None:
    tables = B()
    tables[table][0] = RUSSIAN_HEADERS.get(table, tables[table][0])
    write_csv(d, tables, encoding=main)
    path = d / f"{table}.csv"
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = lines[line - 1].decode(main).encode(other)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + b"\n".join(lines))


@case("mixed_encoding_cp1251_line", "UTF-8 файл с одной строкой в cp1251", 2,
      "строка в кодировке Windows-1251, а остальной файл — в UTF-8", problems=1)
def _(d):
    _mixed(d, "schools", 4, "utf-8", "cp1251")


@case("mixed_encoding_utf8_line", "cp1251 файл с одной строкой в UTF-8", 2,
      "строка в кодировке UTF-8, а остальной файл — в Windows-1251", problems=1)
def _(d):
    _mixed(d, "schools", 3, "cp1251", "utf-8")


@case("mixed_encoding_bom", "UTF-8 с BOM и одной строкой в cp1251", 2,
      "строка в кодировке Windows-1251", problems=1)
def _(d):
    _mixed(d, "schools", 5, "utf-8", "cp1251", bom=True)


csv_case("control_char_in_name", "управляющий символ из Word в названии школы",
         "невидимый символ U+0007", setcell(B(), "schools", 2, "name", "МАОУ СОШ\x07 № 2"),
         problems=1)
csv_case("zero_width_space_in_code", "пробел нулевой ширины в коде ОО: одно сообщение, а не "
         "«код отсутствует»", "невидимый символ U+200B (пробел нулевой ширины",
         setcell(B(), "results", 2, "school_id", "0101\u200b"), problems=1)
csv_case("nul_char_in_cell", "нулевой символ в ячейке (не UTF-16)", "невидимый символ U+0000",
         setcell(B(), "schools", 3, "school_type", "ООШ\x00"), problems=1)
csv_case("bom_inside_number", "метка BOM внутри числа участников", "невидимый символ U+FEFF",
         setcell(B(), "results", 4, "participants", "\ufeff8"), problems=1)
csv_case("soft_hyphen_in_subject", "мягкий перенос в названии предмета",
         "невидимый символ U+00AD", setcell(B(), "results", 1, "subject", "rus\u00adsian"),
         problems=1)


@case("xlsx_zero_width_in_code", "пробел нулевой ширины в коде ОО на листе Excel", 2,
      "невидимый символ U+200B", "data.xlsx", problems=1)
def _(d):
    write_xlsx(d / "data.xlsx", setcell(B(), "social", 2, "school_id", "\u200b0102"))


@case("empty_lists_file", "пустой файл необязательной таблицы lists.csv (0 байт)", 2,
      "файл пуст", problems=1, run="excluded:lists")
def _(d):
    write_csv(d, B())
    (d / "lists.csv").write_bytes(b"")


@case("empty_social_file", "пустой файл социального паспорта (обязательная таблица)", 2,
      "файл пуст", problems=1, run="stops")
def _(d):
    write_csv(d, B())
    (d / "social.csv").write_bytes(b"")


@case("xlsx_empty_optional_sheet", "пустой лист необязательной таблицы", 2, "лист пуст",
      "data.xlsx", problems=1, run="excluded:risk_profiles")
def _(d):
    write_xlsx(d / "data.xlsx", {**B(), "risk_profiles": []})


csv_case("optional_missing_column", "в официальных списках нет столбца «Список»",
         "нет обязательного столбца «Список»", drop_column(B(), "lists", "list"), problems=1,
         run="excluded:lists")
csv_case("risk_profiles_missing_column", "в факторах риска нет столбца значимости",
         "нет обязательного столбца «Значимость»", drop_column(B(), "risk_profiles", "level"),
         problems=1, run="excluded:risk_profiles")
csv_case("programme_no_header", "таблица программы без строки заголовка",
         "не найдена строка заголовка", {**B(), "programme": BASE["programme"][1:]},
         problems=1, run="excluded:programme")
csv_case("optional_header_only", "необязательная таблица только с заголовком (как отсутствует)",
         "корректен", {**B(), "lists": BASE["lists"][:1]}, code=0)


@case("xlsx_template_like_empty_optional", "книга, где необязательные листы только с заголовком",
      0, "корректен", "data.xlsx")
def _(d):
    tables = B()
    for t in ("risk_profiles", "programme", "lists"):
        tables[t] = tables[t][:1]
    write_xlsx(d / "data.xlsx", tables, names=RUSSIAN_NAMES)


csv_case("repeated_header_row", "строка заголовка повторена внутри данных (склеены выгрузки)",
         "строка повторяет строку заголовка",
         {**B(), "results": BASE["results"][:5] + BASE["results"][:1] + BASE["results"][5:]},
         problems=1)


@case("xlsx_repeated_russian_header", "русский заголовок повторён внутри листа", 2,
      "строка повторяет строку заголовка", "data.xlsx", problems=1)
def _(d):
    tables = B()
    tables["social"][0] = RUSSIAN_HEADERS["social"]
    tables["social"].insert(3, list(RUSSIAN_HEADERS["social"]))
    write_xlsx(d / "data.xlsx", tables, names=RUSSIAN_NAMES, as_numbers=False)


csv_case("column_numbers_row", "под заголовком строка с номерами столбцов 1, 2, 3 …",
         "строка с номерами столбцов",
         {**B(), "results": BASE["results"][:1] + [[str(i) for i in range(1, 12)]]
          + BASE["results"][1:]}, problems=1)


@case("xlsx_column_numbers_row", "строка номеров столбцов под заголовком листа «Школы»", 2,
      "строка с номерами столбцов", "data.xlsx", problems=1)
def _(d):
    tables = B()
    tables["schools"].insert(1, ["1", "2", "3", "4", "5"])
    write_xlsx(d / "data.xlsx", tables, title_rows=1)


csv_case("totals_row_results", "строка «Итого» в результатах", "строка итогов",
         add_row(B(), "results", ["2024", "", "", "", "Итого", "61", "11", "26", "16", "8", ""]),
         problems=1)
csv_case("totals_row_schools", "строка «ИТОГО по району» в списке школ", "строка итогов",
         add_row(B(), "schools", ["", "ИТОГО по району", "ГО Первоуральск", "", ""]),
         problems=1)
csv_case("totals_row_social", "строка «Всего» в социальном паспорте", "строка итогов",
         add_row(B(), "social", ["2023", "Всего", "1725", "598", "20", "65"]), problems=1)
csv_case("cyrillic_o_in_code", "кириллическая «О» вместо нуля в коде ОО «Школ»",
         "буква кириллицы «О» на позиции 1",
         setcell(B(), "schools", 1, "school_id", "О101"), problems=1)
csv_case("cyrillic_letter_in_results_code", "кириллическая «З» вместо тройки в коде ОО",
         "вероятно, это цифра «3»", setcell(B(), "results", 4, "school_id", "010З"),
         problems=1)


def _hidden_copy(d: Path, change: bool) -> None:
    path = d / "data.xlsx"
    write_xlsx(path, B())
    wb = openpyxl.load_workbook(path)
    ws = wb.copy_worksheet(wb["results"])
    ws.title = "Результаты"
    ws.sheet_state = "hidden"
    if change:
        ws["F2"] = 26
    wb.move_sheet(ws, offset=-(len(wb.sheetnames) - 1))  # first in the book
    wb.save(path)


@case("xlsx_hidden_sheet_duplicate", "скрытый лист повторяет лист результатов", 2,
      "скрытый лист повторяет лист «results»", "data.xlsx", problems=1)
def _(d):
    _hidden_copy(d, change=False)


@case("xlsx_hidden_sheet_conflict", "скрытый лист с другими результатами", 2,
      "его данные отличаются от видимого листа «results»", "data.xlsx", problems=1)
def _(d):
    _hidden_copy(d, change=True)


@case("xlsx_empty_results_sheet", "лист результатов только с заголовком", 2,
      "таблица «Результаты» пуста", "data.xlsx", problems=1)
def _(d):
    write_xlsx(d / "data.xlsx", {**B(), "results": BASE["results"][:1]}, names=RUSSIAN_NAMES)


@case("xlsx_blank_results_sheet", "совсем пустой лист результатов", 2,
      "лист пуст: нет ни строки заголовка", "data.xlsx", problems=1)
def _(d):
    write_xlsx(d / "data.xlsx", {**B(), "results": []})


def percent_results(header=("% 2", "% 3", "% 4", "% 5"), decimals=0, comma=False, rows=None):
    """The base results with the marks as per cent of the participants (ФИС ОКО style)."""
    tables = B()
    res = tables["results"]
    res[0][6:10] = list(header)
    for row in res[1:]:
        n = int(row[5])
        for j in range(6, 10):
            if row[j]:
                text = f"{100 * int(row[j]) / n:.{decimals}f}"
                row[j] = text.replace(".", ",") if comma else text
    for i, j, value in rows or ():
        res[i][j] = value
    return tables


@case("percent_shares_valid", "отметки в процентах («% 2» … «% 5»), как в ФИС ОКО", 0,
      "корректен")
def _(d):
    write_csv(d, percent_results(decimals=2))


@case("xlsx_percent_shares_fis_oko", "доли отметок с заголовками «Доля 2», «3 (%)» и запятой",
      0, "корректен", "data.xlsx")
def _(d):
    write_xlsx(d / "data.xlsx", percent_results(("Доля «2», %", "3 (%)", "%4", "Доля 5"),
                                                decimals=1, comma=True), as_numbers=False)


csv_case("percent_shares_sum_not_100", "доли отметок в сумме не 100 %", "в сумме дают 108 %",
         percent_results(rows=[(3, 7, "48")]), problems=1)
csv_case("percent_shares_not_reproducible", "доля, невозможная при таком числе участников",
         "не получается ни при каком целом числе из 25 участников",
         percent_results(decimals=1, rows=[(1, 6, "33.0"), (1, 7, "39.0")]), problems=1)
csv_case("percent_shares_as_fractions", "доли единицы (0,32) вместо процентов",
         "похоже, указаны доли единицы",
         percent_results(rows=[(1, 6, "0.32"), (1, 7, "0.40"), (1, 8, "0.20"), (1, 9, "0.08")]),
         problems=1)
csv_case("percent_share_above_100", "доля больше 100 %", "доля должна быть от 0 до 100 %",
         percent_results(rows=[(2, 6, "136")]), problems=1)
csv_case("percent_and_count_disagree", "и количество «2», и доля «% 2», они расходятся",
         "не соответствует количеству",
         {**B(), "results": [r[:7] + [("% 2" if i == 0 else
                                       ("40" if i == 1 else f"{100 * int(r[6]) / int(r[5]):.2f}"))]
                              for i, r in enumerate(BASE["results"])]}, problems=1)


def _rdr(tables, rows):
    for row in rows:
        tables["results"].append(row)
    return tables


@case("rdr_valid", "региональные диагностические работы (РДР, РКР)", 0, "корректен")
def _(d):
    write_csv(d, _rdr(B(), [
        ["2024", "0101", "РДР", "4", "russian", "24", "3", "11", "8", "2", "3.4"],
        ["2024", "0102", "ркр", "10", "math", "27", "2", "13", "9", "3", "3.5"],
        ["2024", "0103", "Региональная диагностическая работа", "7", "math", "9", "1", "4", "3",
         "1", "3.4"]]))


csv_case("rdr_grade_impossible", "РДР в 1 классе (вне data.grades.RDR)",
         "1 класс невозможен для РДР",
         _rdr(B(), [["2024", "0101", "РДР", "1", "russian", "24", "3", "11", "8", "2", ""]]),
         problems=1)
csv_case("rdr_math_profile", "профильная математика в РДР", "бывает только в ЕГЭ, а указано РДР",
         _rdr(B(), [["2024", "0102", "RDR", "10", "math_profile", "20", "2", "10", "6", "2",
                     ""]]), problems=1)

JOURNAL = [
    ["year", "school_id", "procedure", "grade", "subject", "participants", "lowered",
     "confirmed", "raised"],
    ["2024", "0101", "VPR", "5", "russian", "24", "9", "14", "1"],
    ["2024", "0102", "VPR", "6", "math", "28", "0", "27", "1"],
]


@case("journal_valid", "сравнение с журналом (количества)", 0, "корректен")
def _(d):
    write_csv(d, {**B(), "journal_comparison": copy.deepcopy(JOURNAL)})


@case("xlsx_journal_percent_fis_oko", "сравнение с журналом в процентах с заголовками ФИС ОКО", 0,
      "корректен", "data.xlsx")
def _(d):
    rows = [["Год", "Код ОО", "Процедура", "Класс", "Предмет", "Кол-во участников",
             "Понизили (Отм. < Отм. по журналу) %", "Подтвердили (Отм. = Отметке по журналу) %",
             "Повысили (Отм. > Отм. по журналу) %"],
            ["2024", "0101", "ВПР", "5", "русский язык", "24", "37,5", "58,33", "4,17"],
            ["2024", "0102", "ВПР", "6", "математика", "28", "0", "96,43", "3,57"]]
    write_xlsx(d / "data.xlsx", {**B(), "journal_comparison": rows},
               names={**RUSSIAN_NAMES, "journal_comparison": "Сравнение с журналом"},
               as_numbers=False)


csv_case("journal_sum_mismatch", "понизили + подтвердили + повысили ≠ участников",
         "сумма «понизили», «подтвердили», «повысили» (25) не равна числу участников (24)",
         {**B(), "journal_comparison": [JOURNAL[0], JOURNAL[1][:6] + ["9", "15", "1"]]},
         problems=1, run="excluded:journal_comparison")
csv_case("journal_unknown_school", "в сравнении с журналом неизвестная школа",
         "отсутствует в таблице «Школы»",
         {**B(), "journal_comparison": [JOURNAL[0], ["2024", "0199", *JOURNAL[1][2:]]]},
         problems=1, run="excluded:journal_comparison")
csv_case("journal_percent_sum", "доли сравнения с журналом в сумме не 100 %", "в сумме дают 90 %",
         {**B(), "journal_comparison": [
             JOURNAL[0][:6] + ["понизили, %", "подтвердили, %", "повысили, %"],
             JOURNAL[1][:6] + ["30", "55", "5"]]}, problems=1, run="excluded:journal_comparison")
csv_case("journal_missing_participants", "в сравнении с журналом нет числа участников",
         "нет обязательного столбца «Участников»",
         {**B(), "journal_comparison": [r[:5] + r[6:] for r in JOURNAL]}, problems=1,
         run="excluded:journal_comparison")


def _schools(folder: Path) -> int | str:
    """Schools in the input (every one must reach the Dataset); blank when not countable."""
    csvs = [f for f in folder.glob("*.csv") if f.stem.lower() in ("schools", "школы")]
    if len(csvs) == 1:
        try:
            lines = csvs[0].read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            lines = csvs[0].read_text(encoding="cp1251").splitlines()
        return sum(1 for line in lines[1:] if line.strip()
                   and not re.match(r"^[\s,;]*(итого|всего)", line.split(",")[1] if "," in line
                                    else "", re.IGNORECASE))
    books = list(folder.glob("*.xlsx"))
    if len(books) == 1:
        try:
            wb = openpyxl.load_workbook(books[0], read_only=True)
        except Exception:  # noqa: BLE001 - the corrupt-workbook case
            return ""
        sheets = [n for n in wb.sheetnames if n.lower() in ("schools", "школы")]
        if sheets:
            rows = [r for r in wb[sheets[0]].iter_rows(values_only=True) if any(r)]
            header = next(i for i, r in enumerate(rows) if "school_id" in r or "Код ОО" in r)
            return len(rows) - header - 1
    return ""


def main() -> None:
    rows = []
    for name, mistake, code, message, target, write, *more in CASES:
        extra = more[0] if more else {}
        folder = HERE / name
        shutil.rmtree(folder, ignore_errors=True)
        write(folder)
        problems = extra.get("problems")
        rows.append({"case": name, "path": f"{name}/{target}" if target else name,
                     "mistake": mistake, "exit_code": code, "message": message,
                     "problems": "" if problems is None else problems,
                     "run": extra.get("run", ""),
                     "schools": _schools(folder) if code == 0
                     or extra.get("run", "").startswith("excluded") else ""})
    with open(HERE / "cases.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} cases written to {HERE}")


if __name__ == "__main__":
    main()
