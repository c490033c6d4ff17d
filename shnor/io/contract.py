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
    # accepted on input only and turned into canonical columns (per cent shares -> counts)
    input_only: tuple[str, ...] = field(default=())

    @property
    def columns(self) -> tuple[str, ...]:
        """The canonical columns (what the library receives)."""
        return self.required + self.optional

    @property
    def input_columns(self) -> tuple[str, ...]:
        """Every column a file may have: the canonical ones and the input-only ones."""
        return self.columns + self.input_only


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

# staff: counts of teachers (seed 003: categories, age; seed 000 table 8: the training counts)
STAFF_COUNTS = ("vacancies", "highest_category", "first_category", "under_35", "pensioners",
                "research_leaders", "experimental", "sharing_experience", "contest_participants")
STAFF_OF_TEACHERS = tuple(c for c in STAFF_COUNTS if c != "vacancies")  # each ≤ teachers
RESULT_COUNTS = ("participants", "n_fail", "n_mark3", "n_mark4", "n_mark5", "n_high")
JOURNAL_COUNTS = ("lowered", "confirmed", "raised")

# Per cent shares accepted instead of counts (ФИС ОКО «Статистика по отметкам», «Сравнение
# отметок с отметками по журналу»): share column -> the count column it is restored into.
SHARE_COLUMNS: dict[str, dict[str, str]] = {
    "results": {"pct_fail": "n_fail", "pct_mark3": "n_mark3", "pct_mark4": "n_mark4",
                "pct_mark5": "n_mark5"},
    "journal_comparison": {"lowered_pct": "lowered", "confirmed_pct": "confirmed",
                           "raised_pct": "raised"},
}

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
        input_only=tuple(SHARE_COLUMNS["results"]),
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
        # a target is compared when given: direction ≥ / ≤, the year it is due by, and for a
        # change from a baseline year (seed 003: «+10 %») its unit, % of the baseline or п.п.
        optional=("target", "max_points", "direction", "unit", "target_year", "baseline_year"),
        mandatory_table=False,
        text_columns=("indicator", "direction", "unit"),
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
    # ФИС ОКО «Сравнение отметок с отметками по журналу»: students whose ВПР mark was lower than,
    # equal to or higher than their journal mark (counts or per cent of participants)
    "journal_comparison": TableSpec(
        name="journal_comparison",
        title="Сравнение с журналом",
        key=("year", "school_id", "procedure", "grade", "subject"),
        required=("year", "school_id", "procedure", "grade", "subject", "participants"),
        optional=JOURNAL_COUNTS,
        mandatory_table=False,
        text_columns=("school_id", "procedure", "subject"),
        int_columns=("year", "grade"),
        input_only=tuple(SHARE_COLUMNS["journal_comparison"]),
    ),
    # seed 000 table 8, seed 003 «Качественный анализ кадрового состава»: teachers per school
    "staff": TableSpec(
        name="staff",
        title="Кадры",
        key=("year", "school_id"),
        required=("year", "school_id", "teachers"),
        optional=STAFF_COUNTS,
        mandatory_table=False,
        text_columns=("school_id",),
        int_columns=("year",),
    ),
    # the measures of the roadmap (дорожная карта) and their execution (seeds 001, 003, 004)
    "roadmap": TableSpec(
        name="roadmap",
        title="Дорожная карта",
        key=("year", "measure", "school_id"),
        required=("year", "measure", "deadline"),
        optional=("responsible", "done_date", "state", "school_id"),
        mandatory_table=False,
        text_columns=("measure", "responsible", "deadline", "done_date", "state", "school_id"),
        int_columns=("year",),
    ),
}
GROUP_COLUMNS = ("isbsh_group", "quality_group", "cluster")  # of reference_groups

# RDR: regional diagnostic / control works (РДР, РКР; seeds 003, 004), grades in data.grades.RDR
PROCEDURES = ("VPR", "OGE", "EGE", "RDR")
SUBJECTS = ("russian", "math", "math_base", "math_profile")
LOCALITIES = ("urban", "rural")
RISK_LEVELS = ("high", "medium", "low")
DIRECTIONS = ("ge", "le")  # a target reached at or above (≥) / at or below (≤)
CHANGE_UNITS = ("%", "п.п.")  # a change from the baseline: per cent of it, percentage points
ROADMAP_STATES = ("done", "not_done", "in_progress")

# Russian labels for reports (canonical value -> label).
PROCEDURE_LABELS = {"VPR": "ВПР", "OGE": "ОГЭ", "EGE": "ЕГЭ", "RDR": "РДР"}
SUBJECT_LABELS = {
    "russian": "русский язык",
    "math": "математика",
    "math_base": "математика (базовая)",
    "math_profile": "математика (профильная)",
}
LOCALITY_LABELS = {"urban": "город", "rural": "село"}
RISK_LEVEL_LABELS = {"high": "высокая", "medium": "средняя", "low": "низкая"}
DIRECTION_LABELS = {"ge": "≥", "le": "≤"}
ROADMAP_STATE_LABELS = {"done": "выполнено", "not_done": "не выполнено", "in_progress": "в работе"}


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
    "direction": "Направление цели",
    "unit": "Единица цели",
    "target_year": "Год достижения цели",
    "baseline_year": "Базовый год цели",
    "teachers": "Педагогов",
    "vacancies": "Вакансий",
    "highest_category": "С высшей категорией",
    "first_category": "С первой категорией",
    "under_35": "Моложе 35 лет",
    "pensioners": "Пенсионного возраста",
    "research_leaders": "Руководят исследовательской деятельностью",
    "experimental": "В опытно-экспериментальной деятельности",
    "sharing_experience": "Представляют опыт",
    "contest_participants": "Участники профессиональных конкурсов",
    "measure": "Мероприятие",
    "responsible": "Ответственный",
    "deadline": "Срок",
    "done_date": "Дата выполнения",
    "state": "Статус выполнения",
    "pct_fail": "% 2",
    "pct_mark3": "% 3",
    "pct_mark4": "% 4",
    "pct_mark5": "% 5",
    "lowered": "Понизили",
    "confirmed": "Подтвердили",
    "raised": "Повысили",
    "lowered_pct": "Понизили, %",
    "confirmed_pct": "Подтвердили, %",
    "raised_pct": "Повысили, %",
}


# Russian spelling of the allowed values, for messages and the template's drop-down lists.
ALLOWED_VALUE_LABELS = {
    "procedure": tuple(PROCEDURE_LABELS[p] for p in PROCEDURES),
    "subject": tuple(SUBJECT_LABELS[s] for s in SUBJECTS),
    "locality": tuple(LOCALITY_LABELS[x] for x in LOCALITIES),
    "level": tuple(RISK_LEVEL_LABELS[x] for x in RISK_LEVELS),
    "direction": tuple(DIRECTION_LABELS[x] for x in DIRECTIONS),
    "state": tuple(ROADMAP_STATE_LABELS[x] for x in ROADMAP_STATES),
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
