"""The input data contract (SPEC §3): tables, columns, keys, canonical values and Russian aliases.

Everything inside the library works on the canonical form defined here: English snake_case
column names, ``school_id`` as a string, ``year``/``grade`` as integers, counts and scores as
floats (``NaN`` = not given), ``procedure`` in :data:`PROCEDURES`, ``subject`` in
:data:`SUBJECTS`, ``locality`` in ``{"urban", "rural"}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str  # Russian name used in messages and in the Excel template
    key: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    mandatory_table: bool = True
    # an optional table whose problems still stop `shnor run` (instead of leaving it out):
    # computing what the user meant to give would be a silent fallback
    blocking: bool = False
    text_columns: tuple[str, ...] = field(default=())
    int_columns: tuple[str, ...] = field(default=())

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


SOCIAL_COUNTS = (
    "single_parent",
    "parents_higher_edu",
    "deviant_registered",
    "unemployed_parents",
    "low_income",
    "non_native_russian",
    "ovz",
    "large_families",
)

RESULT_COUNTS = ("participants", "n_fail", "n_mark3", "n_mark4", "n_mark5", "n_high")

TABLES: dict[str, TableSpec] = {
    "schools": TableSpec(
        name="schools",
        title="Школы",
        key=("school_id",),
        required=("school_id", "name", "municipality"),
        optional=("locality", "school_type"),
        text_columns=("school_id", "name", "municipality", "locality", "school_type"),
    ),
    "results": TableSpec(
        name="results",
        title="Результаты",
        key=("year", "school_id", "procedure", "grade", "subject"),
        required=("year", "school_id", "procedure", "grade", "subject", "participants"),
        optional=("n_fail", "n_mark3", "n_mark4", "n_mark5", "n_high", "mean_score"),
        text_columns=("school_id", "procedure", "subject"),
        int_columns=("year", "grade"),
    ),
    "social": TableSpec(
        name="social",
        title="Социальный паспорт",
        key=("year", "school_id"),
        required=("year", "school_id", "students_total"),
        optional=SOCIAL_COUNTS,
        text_columns=("school_id",),
        int_columns=("year",),
    ),
    "risk_profiles": TableSpec(
        name="risk_profiles",
        title="Факторы риска",
        key=("year", "school_id", "factor"),
        required=("year", "school_id", "factor", "level"),
        mandatory_table=False,
        text_columns=("school_id", "level"),
        int_columns=("year", "factor"),
    ),
    "programme": TableSpec(
        name="programme",
        title="Показатели программы",
        key=("year", "indicator"),
        required=("year", "indicator", "value", "points"),
        optional=("target", "max_points"),
        mandatory_table=False,
        text_columns=("indicator",),
        int_columns=("year",),
    ),
    "lists": TableSpec(
        name="lists",
        title="Официальные списки",
        key=("year", "school_id", "list"),
        required=("year", "school_id", "list"),
        mandatory_table=False,
        text_columns=("school_id", "list"),
        int_columns=("year",),
    ),
    # seed 000, section 2: the municipality takes the groups of the regional ИРО study
    "reference_groups": TableSpec(
        name="reference_groups",
        title="Группы ИРО",
        key=("year", "school_id"),
        required=("year", "school_id"),
        optional=("isbsh_group", "quality_group", "cluster"),
        mandatory_table=False,
        blocking=True,
        text_columns=("school_id",),
        int_columns=("year", "isbsh_group", "quality_group", "cluster"),
    ),
}
GROUP_COLUMNS = ("isbsh_group", "quality_group", "cluster")  # of reference_groups

PROCEDURES = ("VPR", "OGE", "EGE")
SUBJECTS = ("russian", "math", "math_base", "math_profile")
LOCALITIES = ("urban", "rural")
RISK_LEVELS = ("high", "medium", "low")

# Russian labels for reports (canonical value -> label).
PROCEDURE_LABELS = {"VPR": "ВПР", "OGE": "ОГЭ", "EGE": "ЕГЭ"}
SUBJECT_LABELS = {
    "russian": "русский язык",
    "math": "математика",
    "math_base": "математика (базовая)",
    "math_profile": "математика (профильная)",
}
LOCALITY_LABELS = {"urban": "город", "rural": "село"}
RISK_LEVEL_LABELS = {"high": "высокая", "medium": "средняя", "low": "низкая"}


def assessment_label(procedure: str, grade: int, subject: str) -> str:
    """«ВПР, 6 класс, математика» — how an assessment is named in reasons and reports."""
    return f"{PROCEDURE_LABELS.get(procedure, procedure)}, {int(grade)} класс, " \
        f"{SUBJECT_LABELS.get(subject, subject)}"


# --- Russian aliases accepted on input -------------------------------------------------------
# Matching is case-, space- and punctuation-insensitive (see :func:`normalize`): «Код ОО»,
# «код  оо» and «КОД_ОО» are the same header. Canonical English names are always accepted.

def normalize(text: object) -> str:
    """Lower-case, «ё» → «е», every run of non-alphanumerics → one space, stripped."""
    return re.sub(r"[\W_]+", " ", str(text).lower().replace("ё", "е")).strip()


# Russian header used in the Excel template and in messages when the user's header is unknown.
COLUMN_LABELS = {
    "school_id": "Код ОО",
    "name": "Наименование ОО",
    "municipality": "Муниципалитет",
    "locality": "Тип местности",
    "school_type": "Тип ОО",
    "year": "Год",
    "procedure": "Процедура",
    "grade": "Класс",
    "subject": "Предмет",
    "participants": "Участников",
    "n_fail": "Не преодолели порог",
    "n_mark3": "Отметка 3",
    "n_mark4": "Отметка 4",
    "n_mark5": "Отметка 5",
    "n_high": "Высокобалльников",
    "mean_score": "Средний балл",
    "students_total": "Всего обучающихся",
    "single_parent": "Из неполных семей",
    "parents_higher_edu": "Оба родителя с высшим образованием",
    "deviant_registered": "Состоят на учёте",
    "unemployed_parents": "Безработные родители",
    "low_income": "Из малоимущих семей",
    "non_native_russian": "Русский язык неродной",
    "ovz": "Обучающиеся с ОВЗ",
    "large_families": "Из многодетных семей",
    "factor": "Фактор риска",
    "level": "Значимость",
    "indicator": "Показатель",
    "value": "Значение",
    "points": "Баллы",
    "target": "Целевое значение",
    "max_points": "Максимальный балл",
    "list": "Список",
    "isbsh_group": "Группа ИСБШ",
    "quality_group": "Группа качества",
    "cluster": "Кластер",
}

_COLUMN_ALIASES = {
    "school_id": ("код", "код школы", "код организации", "код образовательной организации",
                  "идентификатор оо", "id", "логин оо"),
    "name": ("наименование", "название", "название оо", "название школы", "школа", "оо",
             "образовательная организация", "наименование образовательной организации",
             "краткое наименование оо"),
    "municipality": ("мо", "муниципальное образование", "муниципальный район", "территория",
                     "ато", "городской округ", "район"),
    "locality": ("местность", "город село", "расположение", "тип населенного пункта"),
    "school_type": ("вид оо", "тип школы", "тип организации"),
    "year": ("год проведения", "календарный год", "учебный год"),
    "procedure": ("оценочная процедура", "вид процедуры", "вид оценочной процедуры", "экзамен"),
    "grade": ("параллель",),
    "subject": ("учебный предмет",),
    "participants": ("количество участников", "число участников", "кол во участников",
                     "участники", "всего участников", "выполняли работу", "писали"),
    "n_fail": ("не преодолели минимальный порог", "ниже минимального порога", "отметка 2",
               "2", "получили 2", "количество 2", "не справились", "не сдали",
               "не преодолели порог отметка 2"),
    "n_mark3": ("3", "получили 3", "количество 3"),
    "n_mark4": ("4", "получили 4", "количество 4"),
    "n_mark5": ("5", "получили 5", "количество 5"),
    "n_high": ("высокий балл", "количество высокобалльников", "высокобалльники",
               "81 100 баллов", "высокие результаты"),
    "mean_score": ("средний тестовый балл", "средняя отметка"),
    "students_total": ("численность обучающихся", "количество обучающихся",
                       "обучающихся всего", "всего учащихся", "контингент"),
    "single_parent": ("неполные семьи", "дети из неполных семей"),
    "parents_higher_edu": ("родители с высшим образованием", "оба родителя с во"),
    "deviant_registered": ("на учете", "состоят на учете в пдн кдн", "на учете в пдн кдн",
                           "девиантное поведение", "на внутришкольном учете"),
    "unemployed_parents": ("родители безработные", "неработающие родители"),
    "low_income": ("малоимущие", "малообеспеченные", "из малообеспеченных семей"),
    "non_native_russian": ("неродной русский", "русский неродной", "русский язык не родной",
                           "инофоны"),
    "ovz": ("овз", "с овз", "дети с овз"),
    "large_families": ("многодетные", "многодетные семьи"),
    "factor": ("фактор", "код фактора", "номер фактора"),
    "level": ("уровень", "уровень значимости", "степень значимости"),
    "indicator": ("наименование показателя", "номер показателя"),
    "value": ("значение показателя", "факт", "фактическое значение"),
    "points": ("балл", "количество баллов"),
    "target": ("цель", "план", "плановое значение"),
    "max_points": ("максимум баллов", "макс балл"),
    "list": ("название списка", "перечень"),
    "isbsh_group": ("гр исбш", "группа по исбш", "группа социального благополучия"),
    "quality_group": ("гр качества", "группа по качеству", "группа качества подготовки"),
    "cluster": ("кластер иро", "номер кластера"),
}

# normalised header -> canonical column, per table (so «3» means n_mark3 only in results).
COLUMN_ALIASES: dict[str, dict[str, str]] = {
    table: {
        normalize(alias): col
        for col in spec.columns
        for alias in (col, COLUMN_LABELS[col], *_COLUMN_ALIASES.get(col, ()))
    }
    for table, spec in TABLES.items()
}

_TABLE_ALIASES = {
    "schools": ("школы", "оо", "образовательные организации", "список оо", "справочник оо"),
    "results": ("результаты", "результаты оценочных процедур", "результаты впр огэ егэ"),
    "social": ("социальный паспорт", "соцпаспорт", "социальные показатели",
               "социальный паспорт оо"),
    "risk_profiles": ("risk profiles", "факторы риска", "риски", "рисковые профили"),
    "programme": ("program", "показатели программы", "программа", "мониторинг программы"),
    "lists": ("списки", "официальные списки"),
    "reference_groups": ("группы иро", "группы", "дифференциация иро", "reference groups"),
}

# normalised file stem or sheet name -> canonical table.
TABLE_ALIASES: dict[str, str] = {
    normalize(alias): table
    for table, spec in TABLES.items()
    for alias in (table, spec.title, *_TABLE_ALIASES[table])
}

_VALUE_ALIASES = {
    "procedure": {
        "VPR": ("впр", "всероссийская проверочная работа"),
        "OGE": ("огэ",),
        "EGE": ("егэ",),
    },
    "subject": {
        "russian": ("русский язык", "русский", "рус яз", "русский яз"),
        "math": ("математика", "мат"),
        "math_base": ("math base", "математика базовая", "математика база", "базовая математика",
                      "математика базовый уровень", "математика б"),
        "math_profile": ("math profile", "математика профильная", "математика профиль",
                         "профильная математика", "математика профильный уровень",
                         "математика п"),
    },
    "locality": {
        "urban": ("город", "городская", "городская местность", "г"),
        "rural": ("село", "сельская", "сельская местность", "с"),
    },
    "level": {
        "high": ("высокая", "высокий", "в"),
        "medium": ("средняя", "средний", "с"),
        "low": ("низкая", "низкий", "н"),
    },
}

# column -> {normalised value -> canonical value}; canonical values are accepted in any case.
VALUE_ALIASES: dict[str, dict[str, str]] = {
    column: {
        normalize(alias): canonical
        for canonical, aliases in groups.items()
        for alias in (canonical, *aliases)
    }
    for column, groups in _VALUE_ALIASES.items()
}

# Russian spelling of the allowed values, for messages and the template's drop-down lists.
ALLOWED_VALUE_LABELS = {
    "procedure": tuple(PROCEDURE_LABELS[p] for p in PROCEDURES),
    "subject": tuple(SUBJECT_LABELS[s] for s in SUBJECTS),
    "locality": tuple(LOCALITY_LABELS[x] for x in LOCALITIES),
    "level": tuple(RISK_LEVEL_LABELS[x] for x in RISK_LEVELS),
}

# The ten risk factors of seed 000, tables 4–6 (factor code -> name).
RISK_FACTOR_LABELS = {
    1: "Низкий уровень оснащения школы",
    2: "Дефицит педагогических кадров",
    3: "Недостаточная предметная и методическая компетентность педагогических работников",
    4: "Риски низкой адаптивности учебного процесса",
    5: "Несформированность внутришкольной системы повышения квалификации",
    6: "Высокая доля обучающихся с рисками учебной неуспешности",
    7: "Высокая доля обучающихся с ОВЗ",
    8: "Низкое качество преодоления языковых и культурных барьеров",
    9: "Пониженный уровень качества школьной образовательной и воспитательной среды",
    10: "Низкий уровень вовлеченности родителей",
}
