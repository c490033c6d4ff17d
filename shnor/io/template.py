"""The empty input workbook (`shnor template FILE.xlsx`): instructions, one sheet per table,
Russian headers and drop-down lists; once filled, `shnor validate` accepts it."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from shnor.config import load_config
from shnor.errors import UserError
from shnor.io.contract import ALLOWED_VALUE_LABELS, COLUMN_LABELS, RISK_FACTOR_LABELS, TABLES
from shnor.io.writers import check_new_file

TEMPLATE_ROWS = 5000  # rows that get the drop-down lists

COLUMN_HELP = {
    "school_id": "код образовательной организации; хранится как текст, ведущие нули сохраняются",
    "name": "наименование ОО",
    "municipality": "муниципалитет (городской округ, муниципальный район)",
    "locality": "город или село (из списка)",
    "school_type": "СОШ, ООШ, НОШ, гимназия, лицей, СОШ с УИОП, вечерняя, коррекционная…",
    "year": "календарный год оценочной процедуры (2024 для ВПР весной 2024 г. и ГИА летом "
            "2024 г.), не учебный год «2023/2024»",
    "procedure": "ВПР, ОГЭ, ЕГЭ или РДР — региональная диагностическая (контрольная) работа "
                 "(из списка)",
    "grade": "класс: ВПР {VPR}, ОГЭ {OGE}, ЕГЭ {EGE}, РДР {RDR}",
    "subject": "русский язык, математика; для ЕГЭ — математика (базовая) или (профильная)",
    "participants": "число участников (целое)",
    "n_fail": "число не преодолевших минимальный порог (отметка «2»)",
    "n_mark3": "число получивших «3» (необязательно)",
    "n_mark4": "число получивших «4» (необязательно)",
    "n_mark5": "число получивших «5» (необязательно)",
    "n_high": "число высокобалльников (необязательно)",
    "mean_score": "средний балл (необязательно, если указано число не преодолевших порог)",
    "students_total": "всего обучающихся в ОО",
    "single_parent": "число обучающихся из неполных семей",
    "parents_higher_edu": "число обучающихся, оба родителя которых имеют высшее образование",
    "deviant_registered": "число обучающихся на учёте (ПДН, КДН, внутришкольный учёт)",
    "unemployed_parents": "число обучающихся с безработными родителями",
    "low_income": "число обучающихся из малоимущих семей",
    "non_native_russian": "число обучающихся, для которых русский язык неродной",
    "ovz": "число обучающихся с ОВЗ",
    "large_families": "число обучающихся из многодетных семей",
    "factor": "номер фактора риска от 1 до 10 (список ниже)",
    "level": "высокая, средняя или низкая (из списка)",
    "indicator": "показатель программы (номер или наименование)",
    "value": "значение показателя (число; знак «%» допускается)",
    "points": "баллы за показатель (от 0 до максимального балла)",
    "target": "целевое значение показателя (необязательно)",
    "max_points": "максимальный балл показателя (необязательно)",
    "direction": "направление цели: «≥» (не менее) или «≤» (не более); обязательно, если "
                 "указаны целевое значение и год, единица или базовый год цели",
    "unit": "единица цели: «%» или «п.п.» для изменения от базового года (+10 % — «%»), "
            "иначе любая («%», «чел.», «ед.»; необязательно)",
    "target_year": "год, к которому цель должна быть достигнута (обязателен при базовом годе)",
    "baseline_year": "базовый год, если цель — изменение от его значения (например, 2023 и "
                     "«+10» «%»): значение показателя за базовый год должно быть в таблице",
    "teachers": "число педагогических работников ОО (целое)",
    "vacancies": "число вакантных ставок педагогов (необязательно)",
    "highest_category": "число педагогов с высшей квалификационной категорией",
    "first_category": "число педагогов с первой квалификационной категорией",
    "under_35": "число молодых педагогов (моложе 35 лет)",
    "pensioners": "число педагогов пенсионного возраста",
    "research_leaders": "число педагогов, руководящих учебно-исследовательской деятельностью "
                        "обучающихся (табл. 8 программы Первоуральска)",
    "experimental": "число педагогов, участвующих в опытно-экспериментальной деятельности",
    "sharing_experience": "число педагогов, представляющих собственный опыт педагогической "
                          "общественности",
    "contest_participants": "число педагогов — участников профессиональных конкурсов",
    "measure": "мероприятие дорожной карты (как в плане)",
    "responsible": "ответственный исполнитель (необязательно)",
    "deadline": "срок: дата «31.05.2024» или месяц с годом «май 2024» (последний день месяца)",
    "done_date": "дата фактического выполнения (необязательно; не раньше начала программы)",
    "state": "выполнено, не выполнено или в работе (из списка; необязательно)",
    "list": "название списка (например, «ШНОР ФИОКО», «региональный проект»)",
    "isbsh_group": "группа ИСБШ 1–11 из отчёта ИРО (пусто — рассчитать)",
    "quality_group": "группа качества 1–11 из отчёта ИРО (пусто — рассчитать)",
    "cluster": "номер кластера ИРО, как в отчёте ИРО (пусто — рассчитать)",
    "lowered": "число участников, чья отметка за ВПР ниже отметки по журналу («понизили»)",
    "confirmed": "число участников, чья отметка за ВПР равна отметке по журналу («подтвердили»)",
    "raised": "число участников, чья отметка за ВПР выше отметки по журналу («повысили»)",
}

RULES = [
    "Одна строка — одна запись; первая строка листа — заголовки (их можно не менять).",
    ("Числа — цифрами; дробная часть через запятую или точку; проценты вместо количеств не "
     "допускаются. Числа, сохранённые как текст, принимаются, если это только цифры."),
    ("Отметки «2», «3», «4», «5» в сумме должны давать число участников; каждое количество "
     "социального паспорта не больше числа обучающихся."),
    ("Отметки можно дать и в процентах от числа участников, как в ФИС ОКО: подпишите столбцы "
     "«% 2», «% 3», «% 4», «% 5» (или «Доля 2», «2 (%)» …); количества восстанавливаются "
     "округлением и проверяются. Так же на листе «Сравнение с журналом»: «Понизили, %», "
     "«Подтвердили, %», «Повысили, %»."),
    ("Формулы допускаются, если книга сохранена в Excel (сохранено значение формулы); символы, "
     "скопированные из Word (невидимые, управляющие), строки «Итого» и повторы заголовка "
     "в данных не допускаются."),
    "Каждый код ОО из других листов должен быть на листе «Школы».",
    ("Строка результатов не повторяется для одного года, ОО, процедуры, класса и предмета; "
     "для школы и фактора риска значимость указывается один раз."),
    "Пустая ячейка или «-» означает «нет данных». Лишние листы (как этот) не читаются.",
    "Проверка: shnor validate ФАЙЛ.xlsx — выводит все ошибки с листом, строкой и столбцом.",
]

DROPDOWNS = ("procedure", "subject", "locality", "level")


def _instructions(ws, params: dict) -> None:
    grades = {p: f"{gs[0]}–{gs[-1]}" if len(gs) > 1 else str(gs[0])
              for p, gs in params["data"]["grades"].items()}
    lines: list[tuple[str, bool]] = [
        ("Шаблон входных данных shnor (ШНОР: идентификация, дифференциация, мониторинг)", True),
        ("", False),
        ("Общие правила", True),
        *((f"• {rule}", False) for rule in RULES),
    ]
    for table, spec in TABLES.items():
        need = "обязательный лист" if spec.mandatory_table else "необязательный лист: можно " \
            "оставить без данных (со строкой заголовка) или удалить"
        if table == "social":
            need += "; количества социального паспорта — любые из перечисленных"
        lines += [("", False), (f"Лист «{spec.title}» ({need})", True)]
        for column in spec.columns:
            mark = "обязательный" if column in spec.required else "необязательный"
            lines.append((f"• {COLUMN_LABELS[column]} ({mark}): "
                          + COLUMN_HELP[column].format(**grades), False))
            if column in ALLOWED_VALUE_LABELS:
                lines.append(("    допустимые значения: "
                              + ", ".join(ALLOWED_VALUE_LABELS[column]), False))
    lines += [("", False), ("Факторы риска (лист «Факторы риска»)", True)]
    lines += [(f"{code}. {label}", False) for code, label in RISK_FACTOR_LABELS.items()]
    for text, bold in lines:
        ws.append([text])
        if bold:
            ws.cell(ws.max_row, 1).font = Font(bold=True)
    ws.column_dimensions["A"].width = 120


def write_template(path: str | Path, force: bool = False) -> Path:
    """Write the empty input workbook to ``path`` (must end with .xlsx) and return it; an
    existing file is replaced only with ``force`` (it may be the user's filled workbook)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UserError(f"Шаблон сохраняется в книгу Excel: укажите файл с расширением .xlsx, "
                        f"а не «{path.name}».")
    if not path.parent.exists():
        raise UserError(f"Папка «{path.parent}» не существует.")
    check_new_file(path, force, "шаблон")
    params = load_config()
    wb = Workbook()
    _instructions(wb.active, params)
    wb.active.title = "Инструкция"
    for spec in TABLES.values():
        ws = wb.create_sheet(spec.title)
        ws.append([COLUMN_LABELS[c] for c in spec.columns])
        ws.freeze_panes = "A2"
        for j, column in enumerate(spec.columns, 1):
            letter = get_column_letter(j)
            cell = ws.cell(1, j)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.column_dimensions[letter].width = max(12, min(40, len(cell.value) + 4))
            if column == "school_id":  # text format keeps leading zeros typed by the user
                ws.column_dimensions[letter].number_format = "@"
            if column in DROPDOWNS:
                dv = DataValidation(type="list", allow_blank=True, showErrorMessage=True,
                                    formula1='"' + ",".join(ALLOWED_VALUE_LABELS[column]) + '"',
                                    errorTitle="Недопустимое значение",
                                    error="Выберите значение из списка.")
                dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
                ws.add_data_validation(dv)
    try:
        wb.save(path)
    except PermissionError:
        raise UserError(f"Нет доступа к файлу «{path}»: возможно, он открыт в Excel.") from None
    return path
