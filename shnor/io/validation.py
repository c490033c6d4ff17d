"""Validation of input tables: parsing the user's cells, pandera checks, cross-table checks.

:mod:`shnor.io.loading` reads files into :class:`SourceTable` objects (cells as text, indexed by the
row number the user sees). Here each table is parsed into canonical types — every cell that
cannot be read becomes a :class:`~shnor.errors.Problem` — then checked with a pandera schema
(``lazy=True``: all failures at once) and against the other tables. Problems are located as the
user sees them: file, sheet, row, the column header as written, the value as written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from shnor.errors import Problem
from shnor.io.aliases import VALUE_ALIASES
from shnor.io.contract import (
    ALLOWED_VALUE_LABELS,
    CHANGE_UNITS,
    COLUMN_LABELS,
    JOURNAL_COUNTS,
    PROCEDURE_LABELS,
    PROCEDURES,
    SOCIAL_COUNTS,
    STAFF_OF_TEACHERS,
    SUBJECT_LABELS,
    TABLES,
)
from shnor.io.parsing import COUNT_COLUMNS, STAFF_COLUMNS, Parsed, _clean, fmt_n
from shnor.io.text_checks import id_variants

# --- text of the cells: invisible characters, wrong encodings, Cyrillic in codes -------------


# --- parsing ---------------------------------------------------------------------------------


# --- per cent shares of marks → counts ---------------------------------------------------------


# --- pandera checks --------------------------------------------------------------------------

@dataclass(frozen=True)
class RowRule:
    """A rule over several columns of one row; ``ok`` is vectorised, ``message`` formats one row."""

    name: str
    column: str
    ok: Callable[[pd.DataFrame], pd.Series]
    message: Callable[[pd.Series], str]


def _allowed(column: str) -> str:
    return ", ".join(ALLOWED_VALUE_LABELS[column])


COLUMN_RULES: dict[str, str] = {
    "negative": "количество не может быть отрицательным",
    "year_range": "год вне допустимого диапазона {year_min}–{year_max}",
    "procedure_values": "неизвестная процедура; допустимо: " + _allowed("procedure"),
    "subject_values": "неизвестный предмет; допустимо: " + _allowed("subject"),
    "locality_values": "неизвестный тип местности; допустимо: " + _allowed("locality"),
    "level_values": "неизвестная значимость фактора риска; допустимо: " + _allowed("level"),
    "factor_range": "номер фактора риска должен быть от 1 до {risk_factors}",
    "mean_score_range": "средний балл должен быть от 0 до {mean_score_max}",
    "points_negative": "баллы не могут быть отрицательными",
    "direction_values": "неизвестное направление цели; допустимо: " + _allowed("direction"),
    "state_values": "неизвестный статус выполнения; допустимо: " + _allowed("state"),
    "staff_negative": "число педагогов не может быть отрицательным",
    "isbsh_group_range": "группа ИСБШ должна быть от 1 до {isbsh_group}",
    "quality_group_range": "группа качества должна быть от 1 до {quality_group}",
    "cluster_range": "номер кластера должен быть от 1 до {cluster} (число кластеров методики)",
}


def _group_ranges(params: dict) -> dict[str, int]:
    """The largest ИСБШ group, quality group and cluster number of the methodology."""
    return {"isbsh_group": int(params["isbsh"]["n_groups"]),
            "quality_group": int(params["quality"]["n_groups"]),
            "cluster": int(params["clustering"]["n_clusters"])}


def _marks_sum_message(r: pd.Series) -> str:
    total = sum(r[c] for c in ("n_fail", "n_mark3", "n_mark4", "n_mark5"))
    text = (f"сумма отметок «2», «3», «4», «5» ({fmt_n(total)}) не равна числу участников "
            f"({fmt_n(r['participants'])})")
    if total == 100 and r["participants"] != 100:
        text += ("; похоже, указаны проценты, а нужны количества обучающихся (доли можно "
                 "дать в столбцах с заголовками «% 2», «% 3», «% 4», «% 5»)")
    return text


def _assessment_rules(params: dict) -> list[RowRule]:
    """Grade and subject possible for the procedure (results and journal comparison)."""
    grades = params["data"]["grades"]
    allowed_pairs = {f"{p}:{float(g)}" for p, gs in grades.items() for g in gs}
    rules = [
        RowRule(
            "grade_for_procedure", "grade",
            lambda d: ~(d["procedure"].isin(list(grades)) & d["grade"].notna()
                        & ~(d["procedure"] + ":" + d["grade"].astype(str)).isin(allowed_pairs)),
            lambda r: f"{fmt_n(r['grade'])} класс невозможен для "
                      f"{PROCEDURE_LABELS[r['procedure']]}; допустимые классы: "
                      + ", ".join(map(str, grades[r["procedure"]])),
        ),
        RowRule(
            "subject_for_procedure", "subject",
            lambda d: ~(d["subject"].isin(["math_base", "math_profile"])
                        & d["procedure"].isin([p for p in PROCEDURES if p != "EGE"])),
            lambda r: f"предмет «{SUBJECT_LABELS[r['subject']]}» бывает только в ЕГЭ, "
                      f"а указано {PROCEDURE_LABELS[r['procedure']]}; для ВПР, ОГЭ и РДР укажите "
                      "«математика»",
        ),
    ]
    return rules


def _results_rules(params: dict, columns: set[str]) -> list[RowRule]:
    rules = _assessment_rules(params)
    for col, label in (("n_fail", "не преодолели порог"), ("n_high", "высокобалльников")):
        if col in columns:
            rules.append(RowRule(
                f"{col}_le_participants", col,
                lambda d, col=col: ~((d[col] > d["participants"]) & (d["participants"] > 0)),
                lambda r, col=col, label=label: (f"{label}: {fmt_n(r[col])} — больше, чем "
                                                 f"участников ({fmt_n(r['participants'])})"),
            ))
    present = [c for c in ("n_fail", "n_mark3", "n_mark4", "n_mark5") if c in columns]
    if len(present) == 4:
        rules.append(RowRule(
            "marks_sum", "participants",
            lambda d: ~((d[present] >= 0).all(axis=1) & (d["participants"] > 0)
                        & (d[present].sum(axis=1) != d["participants"])),
            _marks_sum_message,
        ))
    if "n_fail" in columns or "mean_score" in columns:
        rules.append(RowRule(
            "zero_participants", "participants",
            lambda d: ~((d["participants"] == 0)
                        & ((d.get("n_fail", 0) > 0) | d.get("mean_score", pd.Series(
                            np.nan, index=d.index)).notna())),
            lambda r: "участников 0, но указаны результаты (не преодолевшие порог или средний "
                      "балл)",
        ))
    return rules


def _journal_rules(params: dict, columns: set[str]) -> list[RowRule]:
    rules = _assessment_rules(params)
    present = [c for c in JOURNAL_COUNTS if c in columns]
    for col in present:
        rules.append(RowRule(
            f"{col}_le_participants", col,
            lambda d, col=col: ~((d[col] > d["participants"]) & (d["participants"] > 0)),
            lambda r, col=col: f"«{COLUMN_LABELS[col]}»: {fmt_n(r[col])} — больше, чем участников "
                               f"({fmt_n(r['participants'])})",
        ))
    if len(present) == 3:
        rules.append(RowRule(
            "journal_sum", "participants",
            lambda d: ~((d[present] >= 0).all(axis=1) & (d["participants"] > 0)
                        & (d[present].sum(axis=1) != d["participants"])),
            lambda r: "сумма «понизили», «подтвердили», «повысили» ("
                      + fmt_n(sum(r[c] for c in JOURNAL_COUNTS))
                      + f") не равна числу участников ({fmt_n(r['participants'])})",
        ))
    return rules


def _social_rules(columns: set[str]) -> list[RowRule]:
    return [
        RowRule(
            f"{col}_le_total", col,
            lambda d, col=col: ~(d[col] > d["students_total"]),
            lambda r, col=col: f"«{COLUMN_LABELS[col]}»: {fmt_n(r[col])} — больше, чем всего "
                               f"обучающихся ({fmt_n(r['students_total'])})",
        )
        for col in SOCIAL_COUNTS if col in columns
    ]


def _programme_rules(params: dict, columns: set[str]) -> list[RowRule]:
    default = params["monitoring"]["programme"]["indicator_max_points"]

    def upper(d: pd.DataFrame) -> pd.Series:
        if "max_points" in d.columns:
            return d["max_points"].fillna(default)
        return pd.Series(float(default), index=d.index)

    return [RowRule(
        "points_le_max", "points",
        lambda d: ~(d["points"] > upper(d)),
        lambda r: "баллы больше максимума для показателя ("
                  + fmt_n(r["max_points"] if pd.notna(r.get("max_points", np.nan)) else default)
                  + ")",
    )]


def _target_rules(columns: set[str]) -> list[RowRule]:
    """A target of the programme table is comparable: a direction, and for a change from a
    baseline year its unit (% of the baseline or п.п.) and the year it is due by."""
    def col(d: pd.DataFrame, c: str) -> pd.Series:
        return d[c] if c in d.columns else pd.Series(np.nan, index=d.index, dtype="object")

    has_target = lambda d: col(d, "target").notna()
    change = lambda d: col(d, "baseline_year").notna()
    rules = []
    if "target" in columns and ({"direction", "unit", "target_year", "baseline_year"}
                                & columns):
        rules.append(RowRule(
            "target_direction", "direction",
            lambda d: ~(has_target(d) & col(d, "direction").isna()),
            lambda r: "целевое значение указано без направления: укажите «≥» (не менее) или "
                      "«≤» (не более)"))
    if "baseline_year" in columns:
        rules += [
            RowRule("target_change_unit", "unit",
                    lambda d: ~(change(d) & ~col(d, "unit").isin(list(CHANGE_UNITS))),
                    lambda r: "цель задана как изменение от базового года "
                              f"{fmt_n(r['baseline_year'])}: укажите единицу «%» (процент от "
                              "значения базового года) или «п.п.» (процентные пункты)"),
            RowRule("target_change_year", "target_year",
                    lambda d: ~(change(d) & col(d, "target_year").isna()),
                    lambda r: "цель задана как изменение от базового года: укажите год "
                              "достижения цели"),
            RowRule("target_change_target", "target",
                    lambda d: ~(change(d) & col(d, "target").isna()),
                    lambda r: "указан базовый год, но нет целевого изменения"),
            RowRule("baseline_before_target", "baseline_year",
                    lambda d: ~(change(d) & (col(d, "target_year") <= col(d, "baseline_year"))),
                    lambda r: f"базовый год {fmt_n(r['baseline_year'])} не раньше года достижения "
                              f"цели {fmt_n(r['target_year'])}"),
        ]
    return rules


def _staff_rules(columns: set[str]) -> list[RowRule]:
    """Counts of teachers with a category, an age, a training are at most the teachers."""
    rules = [
        RowRule(
            f"{c}_le_teachers", c,
            lambda d, c=c: ~(d[c] > d["teachers"]),
            lambda r, c=c: f"«{COLUMN_LABELS[c]}»: {fmt_n(r[c])} — больше, чем педагогов "
                           f"({fmt_n(r['teachers'])})",
        )
        for c in STAFF_OF_TEACHERS if c in columns
    ]
    if {"highest_category", "first_category"} <= columns:
        rules.append(RowRule(
            "categories_le_teachers", "first_category",
            lambda d: ~(d["highest_category"].fillna(0) + d["first_category"].fillna(0)
                        > d["teachers"]),
            lambda r: f"педагогов с высшей ({fmt_n(r['highest_category'])}) и первой "
                      f"({fmt_n(r['first_category'])}) категорией больше, чем педагогов "
                      f"({fmt_n(r['teachers'])})"))
    return rules


def _roadmap_rules(params: dict, columns: set[str]) -> list[RowRule]:
    """A measure is not done before the programme started
    (``monitoring.roadmap.programme_start``)."""
    start = str(params["monitoring"]["roadmap"]["programme_start"])
    rules = []
    if "done_date" in columns:
        rules.append(RowRule(
            "done_after_start", "done_date",
            lambda d: ~(d["done_date"].notna() & (d["done_date"].astype(str) < start)),
            lambda r: f"дата выполнения {_iso_ru(r['done_date'])} раньше начала программы "
                      f"({_iso_ru(start)})"))
        if "state" in columns:
            rules.append(RowRule(
                "done_state", "state",
                lambda d: ~(d["done_date"].notna() & d["state"].isin(["not_done"])),
                lambda r: f"указана дата выполнения {_iso_ru(r['done_date'])}, но статус "
                          "«не выполнено»"))
    return rules


def _iso_ru(text: object) -> str:
    y, m, d = str(text)[:10].split("-")
    return f"{d}.{m}.{y}"


def _schema(table: str, columns: set[str], params: dict
            ) -> tuple[pa.DataFrameSchema, list[RowRule]]:
    spec = TABLES[table]
    data = params["data"]
    col_checks: dict[str, list[pa.Check]] = {c: [] for c in columns}
    for c in columns & set(COUNT_COLUMNS):
        col_checks[c].append(pa.Check(lambda s: ~(s < 0), name="negative"))
    if "year" in columns:
        col_checks["year"].append(pa.Check(
            lambda s: s.isna() | s.between(data["year_min"], data["year_max"]), name="year_range"))
    for c in set(STAFF_COLUMNS) & columns:
        col_checks[c].append(pa.Check(lambda s: ~(s < 0), name="staff_negative"))
    for c in ("target_year", "baseline_year"):
        if c in columns:
            col_checks[c].append(pa.Check(
                lambda s: s.isna() | s.between(data["year_min"], data["year_max"]),
                name="year_range"))
    for c in ("procedure", "subject", "locality", "level", "direction", "state"):
        if c in columns:
            allowed = list(VALUE_ALIASES[c].values())
            col_checks[c].append(pa.Check(lambda s, a=allowed: s.isna() | s.isin(a),
                                          name=f"{c}_values"))
    if "factor" in columns:
        col_checks["factor"].append(pa.Check(
            lambda s: s.isna() | s.between(1, data["risk_factors"]), name="factor_range"))
    if "mean_score" in columns:
        col_checks["mean_score"].append(pa.Check(
            lambda s: s.isna() | s.between(0, data["mean_score_max"]), name="mean_score_range"))
    for c, top in _group_ranges(params).items():
        if c in columns:
            col_checks[c].append(pa.Check(lambda s, top=top: s.isna() | s.between(1, top),
                                          name=f"{c}_range"))
    if table == "programme" and "points" in columns:
        col_checks["points"].append(pa.Check(lambda s: ~(s < 0), name="points_negative"))

    nullable_ok = (set(spec.optional) | set(spec.input_only)
                   | {"value", "points", "target", "school_type", "locality"})
    schema_columns = {
        c: pa.Column(checks=col_checks[c], nullable=c in nullable_ok, required=False)
        for c in columns
    }
    rules: list[RowRule] = []
    if table == "results":
        rules = _results_rules(params, columns)
    elif table == "social":
        rules = _social_rules(columns)
    elif table == "programme":
        rules = _programme_rules(params, columns)
    elif table == "journal_comparison":
        rules = _journal_rules(params, columns)
    elif table == "staff":
        rules = _staff_rules(columns)
    elif table == "roadmap":
        rules = _roadmap_rules(params, columns)
    if table == "programme":
        rules = rules + _target_rules(columns)
    schema = pa.DataFrameSchema(
        schema_columns,
        checks=[pa.Check(rule.ok, name=rule.name) for rule in rules],
        unique=[c for c in spec.key if c in columns], report_duplicates="exclude_first",
    )
    return schema, rules


def _duplicate_problems(p: Parsed, rows: list[int]) -> list[Problem]:
    spec = TABLES[p.source.table]
    key = [c for c in spec.key if c in p.frame.columns]  # roadmap: school_id may be absent
    # an optional key column (roadmap: school_id) may be empty: equal empty cells repeat a key
    frame = p.frame[key].dropna(subset=[c for c in key if c in spec.required])
    first = pd.Series(frame.index, index=frame.index).groupby(
        [frame[c] for c in key], dropna=False).transform("first")
    labels = ", ".join(p.source.headers[c] for c in key)
    return [
        p.source.problem(
            f"повторяется ключ ({labels}): такая же строка уже есть (строка {int(first[row])})",
            row, None, "; ".join(p.source.raw_value(row, c) for c in key))
        for row in rows if row in first.index
    ]


def check_table(p: Parsed, params: dict) -> list[Problem]:
    """Run the table's pandera schema (lazy) and translate every failure into a Problem."""
    columns = set(p.frame.columns)
    if not set(TABLES[p.source.table].required) <= columns or p.frame.empty:
        return []
    schema, rules = _schema(p.source.table, columns, params)
    try:
        schema.validate(p.frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        failures = exc.failure_cases
    row_rules = {r.name: r for r in rules}
    texts = {k: v.format(**params["data"], **_group_ranges(params))
             for k, v in COLUMN_RULES.items()}
    problems: list[Problem] = []
    seen: set[tuple[str, int]] = set()
    duplicates: list[int] = []
    for check, column, index in failures[["check", "column", "index"]].itertuples(index=False):
        if index is None or pd.isna(index):
            continue
        row = int(index)
        if check == "multiple_fields_uniqueness":
            if ("dup", row) not in seen:
                seen.add(("dup", row))
                duplicates.append(row)
            continue
        if check in row_rules:
            rule = row_rules[check]
            if (check, row) in seen:
                continue
            seen.add((check, row))
            problems.append(p.source.problem(rule.message(p.frame.loc[row]), row, rule.column,
                                             p.source.raw_value(row, rule.column)))
            continue
        if (row, column) in p.bad_cells:
            continue
        rule = "не заполнено обязательное поле" if check == "not_nullable" else texts[check]
        problems.append(p.source.problem(rule, row, column, p.source.raw_value(row, column)))
    return problems + _duplicate_problems(p, sorted(duplicates))


# --- cross-table checks ----------------------------------------------------------------------

def check_school_ids(parsed: dict[str, Parsed]) -> list[Problem]:
    """Every school_id of the tables other than schools must be in schools."""
    schools = parsed.get("schools")
    if schools is None or "school_id" not in schools.frame.columns:
        return []
    known = set(schools.frame["school_id"].dropna())
    unpadded = {i.lstrip("0"): i for i in known}
    # a school whose code was unreadable (e.g. a Cyrillic «О» for zero) is already reported:
    # the codes it was probably meant to be do not repeat the problem in every other table
    for row, column in schools.bad_cells:
        if column == "school_id":
            known |= id_variants(str(_clean(pd.Series([schools.source.raw_value(row, column)]))
                                     .iloc[0]))
    problems = []
    for table in ("results", "social", "risk_profiles", "lists", "reference_groups",
                  "journal_comparison", "staff", "roadmap"):
        p = parsed.get(table)
        if p is None or "school_id" not in p.frame.columns:
            continue
        ids = p.frame["school_id"]
        unknown = ids.notna() & ~ids.isin(known)
        for row, value in ids[unknown].items():
            rule = f"код ОО отсутствует в таблице «{TABLES['schools'].title}»"
            match = unpadded.get(value.lstrip("0"))
            if match is not None:
                rule += f"; возможно, потеряны ведущие нули: там есть код «{match}»"
            problems.append(p.source.problem(rule, row, "school_id", p.source.raw_value(row,
                                                                                       "school_id")))
    return problems
