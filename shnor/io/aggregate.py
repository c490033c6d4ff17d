"""Student-level files → the school-level ``results`` table (``shnor aggregate``), with DuckDB.

Input: CSV or Parquet files (one or many, globs, folders; hive-partitioned Parquet such as
``students/year=2024/part-0.parquet`` included) with one row per student result: year,
school_id, procedure, grade, subject and a ``mark`` (2–5) and/or a ``score`` (ЕГЭ test score).
Russian headers and values are accepted as in the school-level files («Код ОО», «Процедура»,
«Отметка», «Балл», ВПР/ОГЭ/ЕГЭ, «русский язык» …). DuckDB streams over the files, so inputs
larger than memory are fine; only the aggregated table comes back to pandas.

Rules per group year × school × procedure × grade × subject (``aggregation`` parameters):

* mark-based assessments (ВПР, ОГЭ, ЕГЭ base mathematics): a mark is required; n_fail = marks
  «2», n_mark3..5 = marks 3..5, mean_score = mean mark; n_high stays empty (indicators then count
  the marks «5»); the score column is not used;
* score-based assessments (``score_subjects``: ЕГЭ Russian and profile mathematics): n_fail =
  test score below ``min_score`` of the subject (a row with a mark but no score fails on «2»);
  n_high = score ≥ ``high_score`` and mean_score = mean test score, both only when every
  participant has a score; n_mark3..5 only when every participant has a mark;
* mean_score is rounded to ``mean_score_decimals``.

Invalid rows are never dropped silently: each is counted under the first rule it breaks and the
report shows examples (file, column, value).
"""

from __future__ import annotations

import codecs
import glob
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from shnor.config import load_config
from shnor.errors import UserError
from shnor.io.contract import COLUMN_ALIASES, TABLES, VALUE_ALIASES, normalize

RESULT_COLUMNS = list(TABLES["results"].columns)
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
class InvalidRows:
    """Invalid rows of an aggregation: counts per rule and a few examples of each.

    ``counts``: rule, description, rows (only rules that occurred, in checking order).
    ``examples``: rule, file, column, value, school_id.
    """

    counts: pd.DataFrame
    examples: pd.DataFrame
    total_rows: int

    @property
    def invalid(self) -> int:
        return int(self.counts["rows"].sum())

    def to_text(self) -> str:
        """The Russian report printed by ``shnor aggregate``."""
        if not self.invalid:
            return f"Прочитано строк: {self.total_rows}; некорректных строк нет."
        lines = [(f"Прочитано строк: {self.total_rows}; некорректных: {self.invalid} "
                  "(не вошли в результаты):")]
        for rule, description, rows in self.counts.itertuples(index=False):
            lines.append(f"  • {description}: {rows} строк(и). Примеры:")
            for ex in self.examples[self.examples["rule"] == rule].itertuples(index=False):
                value = "пусто" if pd.isna(ex.value) else f"«{ex.value}»"
                school = "" if pd.isna(ex.school_id) else f", код ОО «{ex.school_id}»"
                lines.append(f"      файл «{ex.file}»{school}, столбец «{ex.column}»: {value}")
        return "\n".join(lines)


def aggregate_students(files: list[str | Path], params: dict,
                       progress: bool = False) -> tuple[pd.DataFrame, InvalidRows]:
    """Aggregate student-level files into the canonical ``results`` table (rules: module doc).

    Returns ``(results, invalid)``: ``results`` sorted by the key with canonical dtypes, and the
    :class:`InvalidRows` report. Missing or unreadable files and missing columns raise
    :class:`~shnor.errors.UserError`. ``progress`` shows DuckDB's progress bar on long scans.
    """
    paths = _expand(files)
    agg = params["aggregation"]
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"SET enable_progress_bar = {str(bool(progress)).lower()}")
    with tempfile.TemporaryDirectory(prefix="shnor-aggregate-") as tmp:
        sources, copies = _sources(con, paths, Path(tmp))
        rows = [_source_rows(src, params) for src in sources]
        # Stage 1 (the only pass over the students): per raw key × score code, the rows of
        # each mark code as filtered counts. The key keeps its type when all sources agree,
        # else it is compared as text.
        types = _key_types(sources)
        columns = ", ".join(f"{v} {types[v]}" for v in _RAW.values())
        marks = ", ".join(f"m{m} BIGINT" for m in _MARKS)
        con.execute(f"CREATE TEMP TABLE groups ({columns}, score_code INTEGER, n BIGINT, "
                    f"{marks}, score_sum DOUBLE)")
        for src, sql in zip(sources, rows):
            _run(con, f"""INSERT INTO groups
                SELECT {', '.join(f'CAST({v} AS {types[v]})' for v in _RAW.values())},
                       score_code, n, {', '.join(f'm{m}' for m in _MARKS)}, score_sum
                FROM (SELECT {', '.join(_RAW.values())}, score_code, count(*) AS n,
                             {', '.join(f'count(*) FILTER (mark_code = {m}) AS m{m}'
                                        for m in _MARKS)},
                             sum(score_num) FILTER (mark_code <> {_MARK_BAD}) AS score_sum
                      FROM ({sql}) GROUP BY ALL)""", src.files)
        # Stage 2 (small): canonical key and rows per rule for each group (a table: the queries
        # below and the examples all read it), then the finished results table and the counts
        # of invalid rows.
        con.execute(f"CREATE TEMP TABLE classified AS {_classified(con, params, types)}")
        results = con.sql(_RESULTS_SQL).to_arrow_table().to_pandas()  # faster than .df()
        totals = con.execute(_invalid_sql()).fetchone()
        examples = _examples(con, rows, types, agg["examples_per_rule"], paths) \
            if any(totals[1:]) else pd.DataFrame(columns=["rule", "file", "column", "value",
                                                          "school_id"])
    examples["file"] = examples["file"].replace(copies)
    counts = pd.DataFrame(
        [(r, RULES[r][1], int(rows)) for r, rows in zip(RULES, totals[1:]) if rows],
        columns=["rule", "description", "rows"],
    )
    invalid = InvalidRows(counts, examples, total_rows=int(totals[0] or 0))
    return _finish(results, params), invalid


def aggregate_command(files: list[str], out: str, strict: bool = False,
                      config_file: str | None = None) -> int:
    """``shnor aggregate FILE… --out RESULTS [--strict]``: write results, print the report.

    Exit code 0; 2 with ``--strict`` when there are invalid rows (then nothing is written).
    """
    out_path = Path(out)
    suffix = out_path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise UserError(f"Файл результата «{out}»: укажите расширение .csv или .parquet.")
    params = load_config(config_file=config_file)
    print(f"Агрегирование результатов учащихся: файлов {len(_expand(files))}…", flush=True)
    results, invalid = aggregate_students(files, params, progress=sys.stdout.isatty())
    print(invalid.to_text())
    if strict and invalid.invalid:
        print("Режим --strict: найдены некорректные строки, результат не записан.")
        return 2
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.tmp")
    if suffix == ".csv":
        results.to_csv(tmp, index=False, encoding="utf-8-sig")
    else:
        results.to_parquet(tmp, index=False)
    os.replace(tmp, out_path)
    print(f"Записано строк результатов: {len(results)} → {out_path}")
    return 0


# --- inputs --------------------------------------------------------------------------------

_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".txt": "csv", ".gz": "csv"}


def _expand(files: list[str | Path]) -> list[Path]:
    """Files named, matched by globs, or found in folders; sorted, each once."""
    if not files:
        raise UserError("Не указаны файлы с результатами учащихся.")
    paths: list[Path] = []
    for item in map(str, files):
        if glob.has_magic(item):
            found = [Path(p) for p in sorted(glob.glob(item, recursive=True)) if Path(p).is_file()]
            if not found:
                raise UserError(f"По шаблону «{item}» не найдено ни одного файла.")
        elif Path(item).is_dir():
            found = sorted(p for p in Path(item).rglob("*")
                           if p.is_file() and p.suffix.lower() in _FORMATS)
            if not found:
                raise UserError(f"В папке «{item}» нет файлов CSV или Parquet.")
        elif Path(item).is_file():
            found = [Path(item)]
        else:
            raise UserError(f"Файл «{item}» не найден.")
        paths += found
    for p in paths:
        if p.suffix.lower() not in _FORMATS:
            raise UserError(f"Файл «{p}»: поддерживаются только CSV и Parquet "
                            "(расширения .csv, .csv.gz, .parquet).")
    return list(dict.fromkeys(paths))


@dataclass
class _Source:
    relation: str  # a DuckDB table function call
    columns: dict[str, str]  # column name -> DuckDB type
    files: list[Path]


def _sources(con: duckdb.DuckDBPyConnection, paths: list[Path],
             tmp: Path) -> tuple[list[_Source], dict[str, str]]:
    """One relation for all Parquet files and one for all CSV files (each read by name).

    Also returns the names of UTF-8 copies of cp1251 files -> the user's file names.
    """
    parquet = [p for p in paths if _FORMATS[p.suffix.lower()] == "parquet"]
    csv = [p for p in paths if _FORMATS[p.suffix.lower()] == "csv"]
    out, copies = [], {}
    if parquet:
        out.append(_describe(con, f"read_parquet({_sql_list(parquet)}, union_by_name = true, "
                                  f"filename = '{_FILE}')", parquet))
    if csv:
        readable = [_utf8(p, tmp) for p in csv]
        copies = {str(r): str(p) for r, p in zip(readable, csv) if r != p}
        out.append(_describe(con, f"read_csv({_sql_list(readable)}, union_by_name = true, "
                                  f"all_varchar = true, header = true, filename = '{_FILE}')", csv))
    return out, copies


def _describe(con, relation: str, files: list[Path]) -> _Source:
    desc = _run(con, f"DESCRIBE SELECT * FROM {relation}", files)
    return _Source(relation, dict(zip(desc["column_name"], desc["column_type"])), files)


def _utf8(path: Path, tmp: Path) -> Path:
    """The file itself when it is UTF-8, else a UTF-8 copy of the cp1251 file (streamed)."""
    if path.suffix.lower() == ".gz":
        return path
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    try:
        decoder.decode(head, final=False)
        return path
    except UnicodeDecodeError:
        pass
    copy = tmp / f"{len(list(tmp.iterdir()))}_{path.name}"
    with open(path, encoding="cp1251", errors="replace") as src, \
            open(copy, "w", encoding="utf-8") as dst:
        while chunk := src.read(1 << 24):
            dst.write(chunk)
    return copy


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _run(con, sql: str, files: list[Path]) -> pd.DataFrame:
    try:
        return con.execute(sql).df()
    except duckdb.Error as exc:
        names = ", ".join(f"«{p}»" for p in files[:3]) + (" …" if len(files) > 3 else "")
        first = str(exc).strip().splitlines()[0]
        raise UserError(f"Не удалось прочитать файлы {names}: файл повреждён или не является "
                        f"таблицей CSV/Parquet ({first}).") from None


# --- SQL -------------------------------------------------------------------------------------

_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL")
_RAW = {"year": "year_v", "school_id": "school_v", "procedure": "procedure_v", "grade": "grade_v",
        "subject": "subject_v"}  # key column -> its name as read (before checks and aliases)
# Mark code: 0 none, 2–5 the mark, 9 invalid. Score code: 0 none, 1 not a number or negative,
# 2 above max_score, 3 + (thresholds ≤ score) otherwise.
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


def _finish(results: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Canonical dtypes and the rounded mean for the table built in SQL."""
    out = results.astype({"year": "int64", "school_id": str, "procedure": str, "grade": "int64",
                          "subject": str})
    out["mean_score"] = out["mean_score"].round(
        int(params["aggregation"]["mean_score_decimals"]))
    return out[RESULT_COLUMNS].reset_index(drop=True)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"
