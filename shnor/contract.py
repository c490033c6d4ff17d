"""The input data contract (SPEC §3): tables, columns, keys, canonical values and Russian aliases.

Everything inside the library works on the canonical form defined here: English snake_case
column names, ``school_id`` as a string, ``year``/``grade`` as integers, counts and scores as
floats (``NaN`` = not given), ``procedure`` in :data:`PROCEDURES`, ``subject`` in
:data:`SUBJECTS`, ``locality`` in ``{"urban", "rural"}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str  # Russian name used in messages and in the Excel template
    key: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    mandatory_table: bool = True
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
}

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
