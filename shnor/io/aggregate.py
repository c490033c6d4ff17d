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
from shnor.io.aggregate_sql import (
    _FILE,
    _MARK_BAD,
    _MARKS,
    _RAW,
    _RESULTS_SQL,
    RULES,
    _classified,
    _examples,
    _invalid_sql,
    _key_types,
    _run,
    _Source,
    _source_rows,
    _sql_list,
)
from shnor.io.contract import TABLES
from shnor.io.writers import check_new_file

RESULT_COLUMNS = list(TABLES["results"].columns)


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
                      config_file: str | None = None, force: bool = False) -> int:
    """``shnor aggregate FILE… --out RESULTS [--strict] [--force]``: write results, print the
    report.

    Exit code 0; 2 with ``--strict`` when there are invalid rows (then nothing is written). An
    existing ``--out`` is replaced only with ``force``, one of the input files never.
    """
    out_path = Path(out)
    suffix = out_path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise UserError(f"Файл результата «{out}»: укажите расширение .csv или .parquet.")
    inputs = _expand(files)
    check_new_file(out_path, force, "результат агрегирования", inputs=inputs)
    params = load_config(config_file=config_file)
    print(f"Агрегирование результатов учащихся: файлов {len(inputs)}…", flush=True)
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


# --- SQL -------------------------------------------------------------------------------------

# Mark code: 0 none, 2–5 the mark, 9 invalid. Score code: 0 none, 1 not a number or negative,
# 2 above max_score, 3 + (thresholds ≤ score) otherwise.


def _finish(results: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Canonical dtypes and the rounded mean for the table built in SQL."""
    out = results.astype({"year": "int64", "school_id": str, "procedure": str, "grade": "int64",
                          "subject": str})
    out["mean_score"] = out["mean_score"].round(
        int(params["aggregation"]["mean_score_decimals"]))
    return out[RESULT_COLUMNS].reset_index(drop=True)


