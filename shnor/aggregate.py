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
import numpy as np
import pandas as pd

from .config import load_config
from .contract import COLUMN_ALIASES, TABLES, VALUE_ALIASES, normalize
from .errors import UserError

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
        lines = [f"Прочитано строк: {self.total_rows}; некорректных: {self.invalid} "
                 "(не вошли в результаты):"]
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
        rows = " UNION ALL BY NAME ".join(_normalised(con, src) for src in sources)
        classified = _classified(rows, params)
        sums = _run(con, f"""
            SELECT year, school_id, procedure, grade, subject, rule,
                   count(*) AS n, count(mark) AS with_mark, count(score) AS with_score,
                   count_if(fail) AS n_fail, count_if(mark = 3) AS n_mark3,
                   count_if(mark = 4) AS n_mark4, count_if(mark = 5) AS n_mark5,
                   count_if(score >= {float(agg['high_score'])}) AS high_scores,
                   sum(mark) AS mark_sum, sum(score) AS score_sum, any_value(scored) AS scored
            FROM ({classified}) GROUP BY ALL""", paths)
        bad = sums[sums["rule"].notna()]
        examples = _examples(con, classified, paths, agg["examples_per_rule"]) if len(bad) else \
            pd.DataFrame(columns=["rule", "file", "column", "value", "school_id"])
    examples["file"] = examples["file"].replace(copies)
    counts = bad.groupby("rule")["n"].sum()
    counts = pd.DataFrame(
        [(r, RULES[r][1], int(counts[r])) for r in RULES if r in counts.index],
        columns=["rule", "description", "rows"],
    )
    invalid = InvalidRows(counts, examples, total_rows=int(sums["n"].sum()))
    return _results(sums[sums["rule"].isna()], agg), invalid


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


def _normalised(con, src: _Source) -> str:
    """SELECT with canonical columns: typed values and the raw text for the report."""
    found = _header_map(src.columns)
    missing = [c for c in KEY if c not in found]
    if "mark" not in found and "score" not in found:
        missing.append("mark")
    if missing:
        names = ", ".join(f"«{_COLUMN_TITLES[c]}» ({c})" for c in missing)
        files = ", ".join(f"«{p}»" for p in src.files[:3]) + (" …" if len(src.files) > 3 else "")
        raise UserError(f"Файлы {files}: нет обязательных столбцов {names}. Нужны год, код ОО, "
                        "процедура, класс, предмет и отметка и/или балл.")

    def pick(col: str, expr) -> str:
        parts = [expr(_quote(n), src.columns[n]) for n in found.get(col, [])]
        if not parts:
            return "NULL"
        return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"

    def text(q: str, typ: str) -> str:
        return f"nullif(trim({q}), '')" if typ == "VARCHAR" else f"CAST({q} AS VARCHAR)"

    def number(q: str, typ: str) -> str:
        if typ.startswith(_NUMERIC):
            return f"CAST({q} AS DOUBLE)"
        return f"TRY_CAST(replace(trim(CAST({q} AS VARCHAR)), ',', '.') AS DOUBLE)"

    cols = {c: pick(c, text) for c in (*KEY, "mark", "score")}
    nums = {c: pick(c, number) for c in ("year", "grade", "mark", "score")}
    return f"""SELECT {nums['year']} AS year_num, {nums['grade']} AS grade_num,
        {nums['mark']} AS mark_num, {nums['score']} AS score_num,
        {_value_map('procedure', cols['procedure'])} AS procedure_c,
        {_value_map('subject', cols['subject'])} AS subject_c,
        {cols['school_id']} AS school_id,
        {', '.join(f"{cols[c]} AS {c}_raw" for c in ('year', 'procedure', 'grade', 'subject', 'mark', 'score'))},
        {_quote(_FILE)} AS file
        FROM {src.relation}"""


def _value_map(column: str, raw: str) -> str:
    """Canonical value of procedure/subject: exact canonical values fast, aliases otherwise."""
    aliases = VALUE_ALIASES[column]
    canonical = sorted(set(aliases.values()))
    norm = (f"trim(regexp_replace(replace(lower({raw}), 'ё', 'е'), "
            r"'[^\p{L}\p{N}]+', ' ', 'g'))")
    whens = " ".join(f"WHEN {_lit(a)} THEN {_lit(c)}" for a, c in sorted(aliases.items()))
    return (f"CASE WHEN {raw} IN ({', '.join(map(_lit, canonical))}) THEN {raw} "
            f"ELSE (CASE {norm} {whens} END) END")


def _classified(rows: str, params: dict) -> str:
    """Rows with canonical key, mark, score, the fail flag and the first rule broken (or NULL)."""
    agg, data = params["aggregation"], params["data"]
    subject_ok = " OR ".join(
        f"(procedure_c = {_lit(p)} AND subject_c IN ({', '.join(map(_lit, s))}))"
        for p, s in agg["subjects"].items())
    grade_ok = " OR ".join(
        f"(procedure_c = {_lit(p)} AND grade_num IN ({', '.join(str(int(g)) for g in gs)}))"
        for p, gs in data["grades"].items())
    scored = " OR ".join(
        f"(procedure_c = {_lit(p)} AND subject_c IN ({', '.join(map(_lit, s))}))"
        for p, s in agg["score_subjects"].items()) or "false"
    min_score = " ".join(f"WHEN {_lit(s)} THEN {float(v)}" for s, v in agg["min_score"].items())
    return f"""
        SELECT CAST(year_num AS BIGINT) AS year, school_id, procedure_c AS procedure,
               CAST(grade_num AS BIGINT) AS grade, subject_c AS subject,
               mark_num AS mark, score_num AS score, scored, file,
               year_raw, procedure_raw, grade_raw, subject_raw, mark_raw, score_raw,
               CASE WHEN scored AND score_num IS NOT NULL
                    THEN score_num < (CASE subject_c {min_score} END)
                    ELSE mark_num = 2 END AS fail,
               CASE
                 WHEN school_id IS NULL THEN 'no_school'
                 WHEN year_num IS NULL OR year_num <> floor(year_num)
                      OR year_num < {int(data['year_min'])} OR year_num > {int(data['year_max'])}
                   THEN 'bad_year'
                 WHEN procedure_c IS NULL THEN 'bad_procedure'
                 WHEN subject_c IS NULL OR NOT ({subject_ok}) THEN 'bad_subject'
                 WHEN grade_num IS NULL OR NOT ({grade_ok}) THEN 'bad_grade'
                 WHEN mark_raw IS NOT NULL AND (mark_num IS NULL OR mark_num NOT IN (2, 3, 4, 5))
                   THEN 'bad_mark'
                 WHEN scored AND score_raw IS NOT NULL AND (score_num IS NULL OR score_num < 0
                      OR score_num > {float(agg['max_score'])}) THEN 'bad_score'
                 WHEN NOT scored AND mark_num IS NULL THEN 'no_mark'
                 WHEN mark_num IS NULL AND score_num IS NULL THEN 'no_result'
               END AS rule
        FROM (SELECT *, coalesce({scored}, false) AS scored FROM ({rows}))"""


def _examples(con, classified: str, files: list[Path], k: int) -> pd.DataFrame:
    raw = " ".join(
        f"WHEN {_lit(rule)} THEN {'school_id' if col == 'school_id' else col + '_raw'}"
        for rule, (col, _) in RULES.items())
    column = " ".join(f"WHEN {_lit(rule)} THEN {_lit(_COLUMN_TITLES[col])}"
                      for rule, (col, _) in RULES.items())
    # Pushing «rule IS NOT NULL» into the scan costs the optimiser seconds for nothing.
    con.execute("SET disabled_optimizers = 'filter_pushdown'")
    ex = _run(con, f"""
        SELECT rule, file, CASE rule {column} END AS column, CASE rule {raw} END AS value,
               school_id
        FROM ({classified}) WHERE rule IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY rule ORDER BY file, school_id) <= {int(k)}""",
              files)
    con.execute("RESET disabled_optimizers")
    order = {r: i for i, r in enumerate(RULES)}
    return ex.sort_values(["rule", "file", "school_id"], key=lambda s: s.map(order)
                          if s.name == "rule" else s).reset_index(drop=True)


def _results(sums: pd.DataFrame, agg: dict) -> pd.DataFrame:
    n = sums["n"].astype(float)
    all_marks = sums["with_mark"] == sums["n"]
    all_scores = sums["with_score"] == sums["n"]
    scored = sums["scored"].astype(bool)
    out = pd.DataFrame({
        "year": sums["year"].astype("int64"),
        "school_id": sums["school_id"].astype(str),
        "procedure": sums["procedure"].astype(str),
        "grade": sums["grade"].astype("int64"),
        "subject": sums["subject"].astype(str),
        "participants": n,
        "n_fail": sums["n_fail"].astype(float),
        **{c: sums[c].astype(float).where(all_marks) for c in ("n_mark3", "n_mark4", "n_mark5")},
        "n_high": sums["high_scores"].astype(float).where(scored & all_scores),
        "mean_score": np.where(scored, (sums["score_sum"] / n).where(all_scores),
                               sums["mark_sum"] / n).astype(float),
    })
    out["mean_score"] = out["mean_score"].round(int(agg["mean_score_decimals"]))
    return out[RESULT_COLUMNS].sort_values(KEY).reset_index(drop=True)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"
