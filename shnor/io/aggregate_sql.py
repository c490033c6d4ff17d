"""The SQL of the student-level aggregation (:mod:`shnor.io.aggregate`): reading each source with
its own column names and types, classifying every student row, and the results per group.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from shnor.errors import UserError
from shnor.io.aliases import COLUMN_ALIASES, VALUE_ALIASES
from shnor.io.contract import normalize

KEY = ["year", "school_id", "procedure", "grade", "subject"]


_FILE = "_shnor_file"


# Student-file headers beyond the results-table aliases of the key columns.
_STUDENT_ALIASES = {
    "mark": ("отметка", "оценка", "отметка по пятибалльной шкале", "mark 5"),
    "score": ("балл", "баллы", "тестовый балл", "первичный балл", "итоговый балл",
              "test score", "primary score"),
}


_COLUMN_TITLES = {"year": "Год", "school_id": "Код ОО", "procedure": "Процедура",
                  "grade": "Класс", "subject": "Предмет", "mark": "Отметка", "score": "Балл"}


# rule -> (column shown in the examples, Russian text); order = order of checking.
RULES = {
    "no_school": ("school_id", "не указан код школы"),
    "bad_year": ("year", "год не распознан или вне допустимого диапазона"),
    "bad_procedure": ("procedure", "неизвестная процедура (допустимы ВПР, ОГЭ, ЕГЭ)"),
    "bad_subject": ("subject", "неизвестный предмет или предмет не предусмотрен для процедуры"),
    "bad_grade": ("grade", "класс не соответствует процедуре"),
    "bad_mark": ("mark", "отметка вне диапазона 2–5"),
    "bad_score": ("score", "балл не является числом или вне диапазона 0–100"),
    "no_mark": ("mark", "нет отметки (для ВПР, ОГЭ и базовой математики ЕГЭ она обязательна)"),
    "no_result": ("score", "нет ни балла, ни отметки"),
}


@dataclass
class _Source:
    relation: str  # a DuckDB table function call
    columns: dict[str, str]  # column name -> DuckDB type
    files: list[Path]


def _run(con, sql: str, files: list[Path]) -> pd.DataFrame:
    try:
        return con.execute(sql).df()
    except duckdb.Error as exc:
        names = ", ".join(f"«{p}»" for p in files[:3]) + (" …" if len(files) > 3 else "")
        first = str(exc).strip().splitlines()[0]
        raise UserError(f"Не удалось прочитать файлы {names}: файл повреждён или не является "
                        f"таблицей CSV/Parquet ({first}).") from None


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL")


_RAW = {"year": "year_v", "school_id": "school_v", "procedure": "procedure_v", "grade": "grade_v",
        "subject": "subject_v"}  # key column -> its name as read (before checks and aliases)


_MARK_BAD, _SCORE_BAD, _SCORE_ABOVE, _SCORE_BIN0 = 9, 1, 2, 3
_MARKS = (0, 2, 3, 4, 5, _MARK_BAD)


def _thresholds(agg: dict) -> list[float]:
    """Score cut points that the rules compare with: minimum scores and the high score."""
    return sorted({float(v) for v in agg["min_score"].values()} | {float(agg["high_score"])})


def _header_map(columns: dict[str, str]) -> dict[str, list[str]]:
    """canonical column -> the source columns that hold it (several after a union by name)."""
    aliases = {a: c for a, c in COLUMN_ALIASES["results"].items() if c in KEY}
    for col, names in _STUDENT_ALIASES.items():
        aliases.update({normalize(a): col for a in (col, *names)})
    found: dict[str, list[str]] = {}
    for name in columns:
        canonical = aliases.get(normalize(name))
        if canonical:
            found.setdefault(canonical, []).append(name)
    return found


def _key_types(sources: list[_Source]) -> dict[str, str]:
    """DuckDB type of each raw key column: the sources' common type, else VARCHAR."""
    types: dict[str, set[str]] = {v: set() for v in _RAW.values()}
    for src in sources:
        found = _header_map(src.columns)
        for col, v in _RAW.items():
            names = found.get(col, [])
            types[v].add(src.columns[names[0]] if len(names) == 1 else "VARCHAR")
    return {v: ts.pop() if len(ts) == 1 else "VARCHAR" for v, ts in types.items()}


def _number_sql(expr: str, typ: str) -> str:
    if typ.startswith(_NUMERIC):
        return f"CAST({expr} AS DOUBLE)"
    return f"TRY_CAST(replace(trim(CAST({expr} AS VARCHAR)), ',', '.') AS DOUBLE)"


def _text_sql(expr: str, typ: str) -> str:
    return f"nullif(trim({expr}), '')" if typ == "VARCHAR" else f"CAST({expr} AS VARCHAR)"


def _source_rows(src: _Source, params: dict) -> str:
    """SELECT per student row: raw key columns (as typed), mark and score codes, score, raw
    mark/score, file.

    The key is left as read so that the pass over millions of rows only hashes it; mapping
    aliases and checking values happen on the grouped table.
    """
    found = _header_map(src.columns)
    missing = [c for c in KEY if c not in found]
    if "mark" not in found and "score" not in found:
        missing.append("mark")
    if missing:
        names = ", ".join(f"«{_COLUMN_TITLES[c]}» ({c})" for c in missing)
        files = ", ".join(f"«{p}»" for p in src.files[:3]) + (" …" if len(src.files) > 3 else "")
        raise UserError(f"Файлы {files}: нет обязательных столбцов {names}. Нужны год, код ОО, "
                        "процедура, класс, предмет и отметка и/или балл.")

    def raw(col: str) -> str:
        names = found.get(col, [])
        if not names:
            return "NULL"
        if len(names) == 1:
            return _quote(names[0])
        return f"coalesce({', '.join(f'CAST({_quote(n)} AS VARCHAR)' for n in names)})"

    def present(col: str) -> str:
        names = found.get(col, [])
        if not names:
            return "false"
        if all(src.columns[n] != "VARCHAR" for n in names):
            return f"({raw(col)} IS NOT NULL)"
        return f"(nullif(trim(CAST({raw(col)} AS VARCHAR)), '') IS NOT NULL)"

    def number(col: str) -> str:
        names = found.get(col, [])
        if not names:
            return "CAST(NULL AS DOUBLE)"
        numeric = all(src.columns[n].startswith(_NUMERIC) for n in names)
        return _number_sql(raw(col), "DOUBLE" if numeric else "VARCHAR")

    agg = params["aggregation"]
    mark, score = number("mark"), number("score")
    bins = " + ".join(f"CAST({score} >= {t} AS INTEGER)" for t in _thresholds(agg))
    mark_code = (f"CASE WHEN NOT {present('mark')} THEN 0 WHEN {mark} IN (2, 3, 4, 5) "
                 f"THEN CAST({mark} AS INTEGER) ELSE {_MARK_BAD} END")
    score_code = (f"CASE WHEN NOT {present('score')} THEN 0 "
                  f"WHEN {score} IS NULL OR {score} < 0 THEN {_SCORE_BAD} "
                  f"WHEN {score} > {float(agg['max_score'])} THEN {_SCORE_ABOVE} "
                  f"ELSE {_SCORE_BIN0} + {bins} END")
    keys = ", ".join(f"{raw(c)} AS {v}" for c, v in _RAW.items())
    return (f"SELECT {keys}, {mark_code} AS mark_code, {score_code} AS score_code, "
            f"{score} AS score_num, "
            f"CAST({raw('mark')} AS VARCHAR) AS mark_raw, "
            f"CAST({raw('score')} AS VARCHAR) AS score_raw, {_quote(_FILE)} AS file "
            f"FROM {src.relation}")


def _value_map(con, column: str) -> str:
    """CASE mapping the raw procedure/subject texts present in ``groups`` to canonical values.

    Only the distinct raw texts (a handful) are normalised, in Python, with the aliases of the
    school-level files; unknown texts map to NULL.
    """
    raw = f"CAST({column}_v AS VARCHAR)"
    seen = [v for (v,) in con.execute(f"SELECT DISTINCT {raw} FROM groups").fetchall()
            if v is not None]
    aliases = VALUE_ALIASES[column]
    whens = " ".join(f"WHEN {_lit(v)} THEN {_lit(aliases[normalize(v)])}"
                     for v in sorted(seen) if normalize(v) in aliases)
    return f"CASE {raw} {whens} END" if whens else "CAST(NULL AS VARCHAR)"


def _classified(con, params: dict, types: dict[str, str]) -> str:
    """Stage 2 over the grouped table: canonical key, the rule the key breaks (or NULL), and
    per group the rows breaking each row rule, the valid rows and their contributions to the
    results columns. The key checks run once per distinct year × procedure × grade × subject
    (temp table ``keys``)."""
    agg, data = params["aggregation"], params["data"]

    def pairs(mapping: dict) -> str:
        return " OR ".join(
            f"(procedure = {_lit(p)} AND subject IN ({', '.join(map(_lit, s))}))"
            for p, s in mapping.items()) or "false"

    grade_ok = " OR ".join(
        f"(procedure = {_lit(p)} AND grade_num IN ({', '.join(str(int(g)) for g in gs)}))"
        for p, gs in data["grades"].items())
    cuts = _thresholds(agg)
    # score < min_score ⇔ score code ≤ 3 + position of min_score among the cut points
    fail_bin = " ".join(f"WHEN {_lit(s)} THEN {_SCORE_BIN0 + cuts.index(float(v))}"
                        for s, v in agg["min_score"].items())
    high_bin = _SCORE_BIN0 + cuts.index(float(agg["high_score"])) + 1
    parts = [v for v in _RAW.values() if v != "school_v"]
    con.execute(f"""CREATE TEMP TABLE keys AS
        SELECT {', '.join(parts)}, year_num, grade_num, procedure, subject,
               coalesce({pairs(agg['score_subjects'])}, false) AS scored,
               CASE
                 WHEN year_num IS NULL OR year_num <> floor(year_num)
                      OR year_num < {int(data['year_min'])} OR year_num > {int(data['year_max'])}
                   THEN 'bad_year'
                 WHEN procedure IS NULL THEN 'bad_procedure'
                 WHEN subject IS NULL OR NOT ({pairs(agg['subjects'])}) THEN 'bad_subject'
                 WHEN grade_num IS NULL OR NOT ({grade_ok}) THEN 'bad_grade'
               END AS part_rule
        FROM (SELECT *, {_number_sql('year_v', types['year_v'])} AS year_num,
                     {_number_sql('grade_v', types['grade_v'])} AS grade_num,
                     {_value_map(con, 'procedure')} AS procedure,
                     {_value_map(con, 'subject')} AS subject
              FROM (SELECT DISTINCT {', '.join(parts)} FROM groups))""")
    on = " AND ".join(f"g.{v} IS NOT DISTINCT FROM k.{v}" for v in parts)
    # Row rules in checking order: an invalid mark, then (scored) an invalid score, then a
    # missing mark (mark-based) or a missing result. ``marked``: the marks of the group count.
    return f"""
        SELECT *,
               CASE WHEN score_fail IS NULL THEN CASE WHEN marked THEN m2 ELSE 0 END
                    WHEN score_fail THEN valid ELSE 0 END AS n_fail,
               CASE WHEN score_code >= {_SCORE_BIN0} THEN valid ELSE 0 END AS with_score,
               CASE WHEN score_code >= {high_bin} THEN valid ELSE 0 END AS high_scores
        FROM (SELECT *, n - bad_mark - bad_score - no_mark - no_result AS valid
        FROM (SELECT *,
                     CASE WHEN marked THEN m2 + m3 + m4 + m5 ELSE 0 END AS with_mark,
                     {', '.join(f'CASE WHEN marked THEN m{m} ELSE 0 END AS n_mark{m}'
                                for m in (3, 4, 5))},
                     CASE WHEN marked THEN 2 * m2 + 3 * m3 + 4 * m4 + 5 * m5 ELSE 0 END
                       AS mark_sum,
                     CASE WHEN score_code >= {_SCORE_BIN0} THEN score_sum END AS score_total,
                     CASE WHEN scored AND score_code IN ({_SCORE_BAD}, {_SCORE_ABOVE})
                          THEN n - bad_mark ELSE 0 END AS bad_score,
                     CASE WHEN NOT scored THEN m0 ELSE 0 END AS no_mark,
                     CASE WHEN scored AND score_code = 0 THEN m0 ELSE 0 END AS no_result,
                     CASE WHEN scored AND score_code >= {_SCORE_BIN0}
                          THEN score_code <= (CASE subject {fail_bin} END) END AS score_fail
              FROM (SELECT *,
                           m{_MARK_BAD} AS bad_mark,
                           NOT (scored AND score_code IN ({_SCORE_BAD}, {_SCORE_ABOVE})) AS marked,
                           CASE WHEN school_id IS NULL THEN 'no_school' ELSE part_rule END
                             AS key_rule
                    FROM (SELECT g.*, k.* EXCLUDE ({', '.join(parts)}),
                                 {_text_sql('g.school_v', types['school_v'])} AS school_id
                          FROM groups g JOIN keys k ON {on}))))"""


# The results table (rules: module doc) from the valid rows of each canonical key; the mean is
# left unrounded (rounded in pandas: half to even, as before).
_RESULTS_SQL = """
    SELECT year, school_id, procedure, grade, subject,
           CAST(n AS DOUBLE) AS participants, CAST(n_fail AS DOUBLE) AS n_fail,
           """ + ", ".join(f"CASE WHEN with_mark = n THEN CAST(n_mark{m} AS DOUBLE) END "
                           f"AS n_mark{m}" for m in (3, 4, 5)) + """,
           CASE WHEN scored AND with_score = n THEN CAST(high_scores AS DOUBLE) END AS n_high,
           CASE WHEN NOT scored THEN CAST(mark_sum AS DOUBLE) / n
                WHEN with_score = n THEN score_sum / n END AS mean_score
    FROM (SELECT CAST(year_num AS BIGINT) AS year, school_id, procedure,
                 CAST(grade_num AS BIGINT) AS grade, subject, any_value(scored) AS scored,
                 sum(valid) AS n, sum(n_fail) AS n_fail, sum(with_mark) AS with_mark,
                 sum(with_score) AS with_score, sum(n_mark3) AS n_mark3, sum(n_mark4) AS n_mark4,
                 sum(n_mark5) AS n_mark5, sum(high_scores) AS high_scores,
                 sum(mark_sum) AS mark_sum, sum(score_total) AS score_sum
          FROM classified WHERE key_rule IS NULL GROUP BY ALL HAVING sum(valid) > 0)
    ORDER BY year, school_id, procedure, grade, subject"""


def _invalid_sql() -> str:
    """One row: all rows read, then the invalid rows of each rule in the order of RULES."""
    key_rules = list(RULES)[:5]
    return f"""
    SELECT sum(n),
           {', '.join(f'sum(n) FILTER (key_rule = {_lit(r)})' for r in key_rules)},
           {', '.join(f'sum({r}) FILTER (key_rule IS NULL)' for r in list(RULES)[5:])}
    FROM classified"""


def _examples(con, rows: list[str], types: dict[str, str], k: int,
              files: list[Path]) -> pd.DataFrame:
    """A few rows of each rule: source rows of the groups with invalid rows, with their rule."""
    shown = {**_RAW, "mark": "mark_raw", "score": "score_raw"}
    raw = " ".join(f"WHEN {_lit(rule)} THEN CAST({shown[col]} AS VARCHAR)"
                   for rule, (col, _) in RULES.items())
    column = " ".join(f"WHEN {_lit(rule)} THEN {_lit(_COLUMN_TITLES[col])}"
                      for rule, (col, _) in RULES.items())
    typed = " UNION ALL ".join(
        f"SELECT {', '.join(f'CAST({v} AS {types[v]}) AS {v}' for v in _RAW.values())}, "
        f"mark_code, score_code, mark_raw, score_raw, file FROM ({sql})" for sql in rows)
    on = " AND ".join(f"r.{c} IS NOT DISTINCT FROM b.{c}" for c in (*_RAW.values(), "score_code"))
    ex = _run(con, f"""
        WITH bad AS (SELECT {', '.join(_RAW.values())}, score_code, key_rule, scored
                     FROM classified WHERE key_rule IS NOT NULL OR valid < n)
        SELECT rule, file, CASE rule {column} END AS column, CASE rule {raw} END AS value,
               {_text_sql('school_v', types['school_v'])} AS school_id
        FROM (SELECT r.*, coalesce(b.key_rule, CASE
                WHEN r.mark_code = {_MARK_BAD} THEN 'bad_mark'
                WHEN b.scored AND r.score_code IN ({_SCORE_BAD}, {_SCORE_ABOVE}) THEN 'bad_score'
                WHEN NOT b.scored AND r.mark_code = 0 THEN 'no_mark'
                WHEN r.mark_code = 0 AND r.score_code = 0 THEN 'no_result' END) AS rule
              FROM ({typed}) r JOIN bad b ON {on})
        WHERE rule IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY rule ORDER BY file, school_v) <= {int(k)}""",
              files)
    order = {r: i for i, r in enumerate(RULES)}
    return ex.sort_values(["rule", "file", "school_id"], key=lambda s: s.map(order)
                          if s.name == "rule" else s).reset_index(drop=True)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"
