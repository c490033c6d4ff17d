"""Reading a dataset: a folder of CSV files or one XLSX workbook (SPEC §3).

CSV: UTF-8, UTF-8 with BOM or cp1251 (detected), separator «;», «,» or tab (detected from the
header line), decimal comma. XLSX: one sheet per table; title rows above the header and merged
header cells are tolerated; unknown sheets (e.g. «Инструкция» of the template) are ignored.
Files and sheets are matched to tables by canonical or Russian names (:data:`TABLE_ALIASES`),
headers by :data:`COLUMN_ALIASES`, all case-, space- and punctuation-insensitive.

Row numbers in problems are those the user sees: the line of the CSV file or the Excel row.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
from pyarrow import csv as pacsv

from shnor.config import load_config
from shnor.errors import Problem, UserError, ValidationFailed
from shnor.io.aliases import TABLE_ALIASES, header_column
from shnor.io.contract import (
    COLUMN_LABELS,
    GROUP_COLUMNS,
    PROCEDURE_LABELS,
    SOCIAL_COUNTS,
    SUBJECT_LABELS,
    TABLES,
    normalize,
)
from shnor.io.dataset import Dataset
from shnor.io.files import sha256
from shnor.io.parsing import SourceTable, parse_table, restore_counts, text_grid
from shnor.io.text_checks import MOJIBAKE
from shnor.io.validation import check_school_ids, check_table
from shnor.io.xlsx import duplicate_sheets, read_xlsx

HEADER_SEARCH_ROWS = 20  # title rows above the header are looked through up to this row
NUMBERING_SEARCH_ROWS = 3  # a row of column numbers (1, 2, 3, …) is looked for this far below
_TABLE_NAMES = ", ".join(f"{t}.csv («{s.title}»)" for t, s in TABLES.items())
_TOTALS = re.compile(r"^\s*(итого|всего)(\W|$)", re.IGNORECASE)
REPEATED_HEADER_RULE = ("строка повторяет строку заголовка (так бывает, когда выгрузки склеены "
                        "одна под другой): это не данные; удалите её")
NUMBERING_RULE = "строка с номерами столбцов (1, 2, 3, …) под заголовком: это не данные; удалите её"
TOTALS_RULE = ("строка итогов: в таблице должны быть только строки отдельных школ (итоги shnor "
               "считает сам); удалите её")
FORMULA_RULE = ("в ячейке формула без сохранённого значения: откройте файл в Excel и сохраните "
                "его")


# --- grids of text cells → SourceTable -------------------------------------------------------

def _find_header(grid: pd.DataFrame, table: str) -> int | None:
    """Position of the first row with the most recognised headers among the top rows."""
    best, best_hits = None, 0
    for pos in range(min(len(grid), HEADER_SEARCH_ROWS)):
        hits = sum(header_column(table, v) is not None for v in grid.iloc[pos] if v)
        if hits > best_hits:
            best, best_hits = pos, hits
    return best


def _row_problems(table: str, body: pd.DataFrame,
                  positions: dict[str, int]) -> dict[int, tuple[str, object]]:
    """Rows below the header that are not data: a repeated header row (exports pasted one under
    another), a row of column numbers (1, 2, 3, …) and a totals row («Итого», «Всего по
    району»). Row -> (rule, value). Each distinct cell text is judged once."""
    out: dict[int, tuple[str, object]] = {}
    if body.empty:
        return out
    by_position = {j: c for c, j in positions.items()}
    hits = pd.Series(0, index=body.index)
    totals: list[tuple[int, str]] = []
    for j in range(body.shape[1]):
        cells = body.iloc[:, j]
        uniq = pd.unique(cells.to_numpy())
        # a repeated header: at least half of the named columns hold a header of their own
        column = by_position.get(j)
        heads = [v for v in uniq if column and v and re.search(r"[^\W\d_]", v)
                 and header_column(table, v) == column]
        if heads:
            hits += cells.isin(heads)
        found = [v for v in uniq if v and v.lstrip()[:1] in "ИиВв" and _TOTALS.match(v)]
        if found:
            totals += list(cells[cells.isin(found)].items())
    repeated = hits >= max(2, (len(positions) + 1) // 2)
    for row in repeated[repeated].index:
        out[row] = (REPEATED_HEADER_RULE, "; ".join(v for v in body.loc[row] if v)[:60])
    # a row of column numbers under the header
    for row in body.index[:NUMBERING_SEARCH_ROWS]:
        cells = [v.strip() for v in body.loc[row] if v.strip()]
        if (len(cells) >= max(3, len(positions) // 2) and all(v.isdigit() for v in cells)
                and int(cells[0]) in (0, 1)
                and all(int(b) - int(a) == 1 for a, b in itertools.pairwise(cells))):
            out.setdefault(row, (NUMBERING_RULE, " ".join(cells[:5]) + " …"))
    # a totals row
    for row, value in sorted(totals):
        out.setdefault(row, (TOTALS_RULE, value))
    return out


def _source_fromtext_grid(table: str, file: str, sheet: str | None, grid: pd.DataFrame,
                      merged: list[tuple[int, int, int]] = (),
                      formulas: dict[tuple[int, int], str] | None = None,
                      ) -> tuple[SourceTable | None, list[Problem]]:
    """Build a SourceTable from text cells (``grid`` index = user row numbers).

    ``merged`` lists header merges (row, first column position, last column position);
    ``formulas`` the formula cells without a saved value, (row, column position) -> formula.
    """
    spec = TABLES[table]
    problems: list[Problem] = []
    formulas = formulas or {}

    def problem(rule: str, row: int | None = None, column: str | None = None,
                value: object = None) -> Problem:
        return Problem(file=file, sheet=sheet, row=row, column=column, value=value, rule=rule,
                       table=table)

    grid = grid.fillna("")
    filled = grid.astype(str).apply(lambda s: s.str.strip()) != ""
    if not formulas and not filled.any(axis=None):
        where = "лист пуст" if sheet else "файл пуст"
        hint = ("" if spec.mandatory_table else
                "; если этой таблицы нет, удалите " + ("лист" if sheet else "файл"))
        return None, [problem(f"{where}: нет ни строки заголовка, ни данных таблицы "
                              f"«{spec.title}»{hint}")]
    pos = _find_header(grid, table)
    if pos is None:
        expected = ", ".join(f"«{COLUMN_LABELS[c]}»" for c in spec.required)
        text = " ".join(str(v) for v in grid.head(3).to_numpy().ravel() if v)
        hint = ("; текст выглядит искажённым — вероятно, неверная кодировка файла"
                if len(MOJIBAKE.findall(text)) >= 3 else "")
        return None, [problem(f"не найдена строка заголовка: ожидаются столбцы {expected}{hint}")]
    header_row = int(grid.index[pos])
    header = [str(v).strip() for v in grid.iloc[pos]]
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    for j, cell in enumerate(header):
        column = header_column(table, cell) if cell else None
        if column is None:
            continue
        if column in headers:
            problems.append(problem(
                f"столбец повторяет столбец «{headers[column]}» (оба означают "
                f"«{COLUMN_LABELS[column]}»); оставьте один", header_row, cell))
            continue
        headers[column], positions[column] = cell, j
    for (row, j), formula in formulas.items():
        if row == header_row:
            problems.append(problem(FORMULA_RULE + " (в строке заголовка)", row, None, formula))
    for column in spec.required:
        if column not in headers:
            problems.append(problem(f"нет обязательного столбца «{COLUMN_LABELS[column]}»",
                                    header_row))
    body = grid.iloc[pos + 1:]
    formula_rows = {row for row, _ in formulas}
    body = body[filled.iloc[pos + 1:].any(axis=1).to_numpy()
                | body.index.isin(list(formula_rows))]
    not_data = _row_problems(table, body, positions)
    for row, (rule, value) in not_data.items():
        problems.append(problem(rule, row, None, value))
    if not_data:
        body = body.drop(index=list(not_data))
    for row, first, last in merged:
        if row == header_row and last > first and (body.iloc[:, first + 1:last + 1] != "").any(
                axis=None):
            problems.append(problem(
                "объединённая ячейка заголовка занимает несколько столбцов с данными; "
                "разъедините ячейки и подпишите каждый столбец", header_row, header[first]))
    unnamed = [j for j, cell in enumerate(header) if not cell and j < body.shape[1]
               and not any(r == header_row and f < j <= la for r, f, la in merged)
               and (header_row, j) not in formulas]  # a header formula is already reported
    for j in unnamed:
        filled = body.iloc[:, j].astype(str).str.strip() != ""
        if filled.any():
            row = int(filled[filled].index[0])
            rule = ("в строке больше значений, чем столбцов в заголовке; если дробные числа "
                    "записаны через запятую, используйте разделитель «;»"
                    if sheet is None else "значения в столбце без заголовка")
            problems.append(problem(rule, row, None, body.at[row, body.columns[j]]))
    raw = pd.DataFrame({c: body.iloc[:, j].astype(str) for c, j in positions.items()},
                       index=body.index)
    reported = set()
    by_position = {j: c for c, j in positions.items()}
    for (row, j), formula in formulas.items():
        if row in raw.index and j in by_position:
            column = by_position[j]
            problems.append(problem(FORMULA_RULE, row, headers[column], formula))
            reported.add((row, column))
    return SourceTable(table, file, sheet, headers, raw, header_row, reported), problems


# --- CSV -------------------------------------------------------------------------------------

_ENCODING_NAMES = {"utf-8": "UTF-8", "cp1251": "Windows-1251"}


def _decode(data: bytes, name: str, table: str | None = None) -> tuple[str | None,
                                                                      list[Problem]]:
    """The text of a CSV file and the problems of its encoding.

    A file is UTF-8 (with or without BOM) or cp1251. When some lines are valid UTF-8 and others
    are not (one line pasted from a cp1251 file, or the reverse), every line is decoded in its own
    encoding and each line of the smaller group is a problem naming it."""
    sample = data[:4096]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or sample.count(b"\x00") > len(sample) // 8:
        return None, [Problem(name, "файл в кодировке UTF-16 (или не текстовый): сохраните его "
                                    "как «CSV UTF-8» или CSV в кодировке Windows-1251",
                              table=table)]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    kinds = []
    for line in lines:
        if line.isascii():
            kinds.append(None)
            continue
        try:
            line.decode("utf-8")
            kinds.append("utf-8")
        except UnicodeDecodeError:
            kinds.append("cp1251")
    n_utf8 = kinds.count("utf-8")
    if n_utf8 == 0:
        try:
            return data.decode("cp1251"), []
        except UnicodeDecodeError:
            return None, [Problem(name, "не удалось определить кодировку: сохраните файл в "
                                        "UTF-8 или Windows-1251", table=table)]
    main = "utf-8" if n_utf8 >= kinds.count("cp1251") else "cp1251"
    other = "cp1251" if main == "utf-8" else "utf-8"
    problems, texts = [], []
    for i, (line, kind) in enumerate(zip(lines, kinds), 1):
        try:
            text = line.decode(kind or "ascii")
        except UnicodeDecodeError:
            return None, [Problem(name, "не удалось определить кодировку: сохраните файл в "
                                        "UTF-8 или Windows-1251", table=table)]
        texts.append(text)
        if kind == other:
            problems.append(Problem(
                name, f"строка в кодировке {_ENCODING_NAMES[other]}, а остальной файл — в "
                      f"{_ENCODING_NAMES[main]} (вероятно, строка вставлена из другого файла): "
                      "сохраните весь файл в одной кодировке, лучше UTF-8", row=i,
                value=text.strip()[:60], table=table))
    return "\n".join(texts), problems


def _plain_grid(text: str, sep: str) -> pd.DataFrame | None:
    """The cells of a CSV text as :func:`~shnor.io.parsing.text_grid` makes them from the csv
    module's records, read by Arrow (~10 times faster on a national results file): for a text
    without quotes (so a record is a line, row i is line i) whose lines all have the same
    number of cells and none is empty. None for any other text, which the csv module reads."""
    if '"' in text or not text.strip():
        return None
    width = text.partition("\n")[0].count(sep) + 1
    names = [f"c{j}" for j in range(width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=sep, quote_char=False,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                 strings_can_be_null=False))
    except pa.ArrowInvalid:  # a line of another length: the csv module pads it
        return None
    grid = table.to_pandas()
    grid.columns = range(width)
    grid.index = list(range(1, len(grid) + 1))
    return grid


def _read_csv(path: Path, table: str) -> tuple[SourceTable | None, list[Problem]]:
    name = path.name
    data = path.read_bytes()
    if not data.strip(b" \t\r\n\xef\xbb\xbf;,"):
        hint = "" if TABLES[table].mandatory_table else "; если этой таблицы нет, удалите файл"
        return None, [Problem(name, f"файл пуст{hint}", table=table)]
    text, problems = _decode(data, name, table)
    if text is None:
        return None, problems
    first = next(line for line in text.splitlines() if line.strip(" ;,\t"))
    sep = max((";", "\t", ","), key=first.count)
    grid = _plain_grid(text, sep)
    if grid is None:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        rows, lines = [], []
        for record in reader:
            rows.append(record)
            lines.append(reader.line_num)
        grid = text_grid(rows, lines)
    if len(MOJIBAKE.findall(" ".join(grid.iloc[0]) if len(grid) else "")) >= 3:
        return None, [Problem(name, "текст выглядит искажённым («РљРѕРґ» вместо «Код»): файл "
                                    "сохранён в другой кодировке; сохраните его в UTF-8 или "
                                    "Windows-1251", row=1, table=table)]
    src, more = _source_fromtext_grid(table, name, None, grid)
    return src, problems + more


# --- XLSX ------------------------------------------------------------------------------------


# --- the dataset -----------------------------------------------------------------------------


def _collect(path: str | Path) -> tuple[Path, dict[str, SourceTable], set[str], list[Problem],
                                        dict[str, str]]:
    """Read every table: sources, tables seen (even unreadable), reading problems, hashes."""
    p = Path(path)
    if not p.exists():
        raise UserError(f"Путь «{p}» не найден. Укажите папку с CSV-файлами или файл .xlsx.")
    sources: dict[str, SourceTable] = {}
    seen: set[str] = set()
    problems: list[Problem] = []
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() == ".csv"
                       and not f.name.startswith(("~$", ".")))
        if not files:
            books = sorted(f.name for f in p.iterdir() if f.suffix.lower() in (".xlsx", ".xlsm"))
            hint = (f" Для книги Excel укажите сам файл, например «{p / books[0]}»." if books
                    else f" Ожидаются файлы {_TABLE_NAMES}.")
            raise UserError(f"В папке «{p}» нет CSV-файлов с таблицами.{hint}")
        hashes = {f.name: sha256(f) for f in files}
        for f in files:
            table = TABLE_ALIASES.get(normalize(f.stem))
            if table is None:
                problems.append(Problem(f.name, "файл не относится ни к одной таблице; "
                                                f"допустимые имена: {_TABLE_NAMES}"))
                continue
            if table in seen:
                problems.append(Problem(f.name, f"таблица «{TABLES[table].title}» уже прочитана "
                                                "из другого файла; оставьте один файл",
                                        table=table))
                continue
            seen.add(table)
            src, found = _read_csv(f, table)
            problems += found
            if src is not None:
                sources[table] = src
        return p, sources, seen, problems, hashes
    suffix = p.suffix.lower()
    if suffix == ".xls":
        raise UserError(f"Файл «{p}» в старом формате .xls: откройте его в Excel и сохраните "
                        "как «Книга Excel (*.xlsx)».")
    if suffix == ".csv":
        raise UserError(f"Укажите папку с CSV-файлами, а не отдельный файл: «{p.parent}».")
    if suffix not in (".xlsx", ".xlsm"):
        raise UserError(f"Файл «{p}» не является книгой Excel .xlsx; укажите папку с "
                        "CSV-файлами или файл .xlsx.")
    found, problems = read_xlsx(p)
    for table, sheets in found.items():
        seen.add(table)
        (title, grid, merged, formulas, _), more = duplicate_sheets(p.name, table, sheets)
        problems += more
        src, more = _source_fromtext_grid(table, p.name, title, grid, merged, formulas)
        problems += more
        if src is not None:
            sources[table] = src
    return p, sources, seen, problems, {p.name: sha256(p)}


def _check(path: str | Path, params: dict | None):
    params = params or load_config()
    p, sources, seen, problems, hashes = _collect(path)
    where = p.name
    for table, spec in TABLES.items():
        if spec.mandatory_table and table not in seen:
            names = (f"листа «{table}» или «{spec.title}»" if p.is_file()
                     else f"файла «{table}.csv» или «{spec.title}.csv»")
            problems.append(Problem(where, f"нет таблицы «{spec.title}» ({names})",
                                    table=table))
    parsed = {}
    for table, src in sources.items():
        if src.raw.empty and table in ("schools", "results"):
            problems.append(src.problem(f"таблица «{TABLES[table].title}» пуста: нет ни одной "
                                        "строки с данными"))
        pt = parse_table(src, params)
        problems += pt.problems + restore_counts(pt, params) + check_table(pt, params)
        parsed[table] = pt
    results = parsed.get("results")
    if results is not None and not ({"n_fail", "pct_fail", "mean_score"}
                                    & set(results.source.headers)):
        problems.append(results.source.problem(
            "нет ни столбца «Не преодолели порог», ни столбца «Средний балл»: нужен хотя бы один",
            results.source.header_row))
    elif results is not None and {"participants"} <= set(results.frame.columns):
        f = results.frame
        neither = f.get("n_fail", pd.Series(float("nan"), index=f.index)).isna() & f.get(
            "mean_score", pd.Series(float("nan"), index=f.index)).isna()
        bad_rows = {r for r, c in results.bad_cells if c in ("n_fail", "mean_score")}
        problems += [results.source.problem("нет ни числа не преодолевших порог, ни среднего "
                                            "балла: нужен хотя бы один из них", row)
                     for row in neither[neither].index if row not in bad_rows]
    problems += check_school_ids(parsed)
    return p, parsed, _ordered(problems), hashes


def _ordered(problems: list[Problem]) -> list[Problem]:
    """Group by file and sheet (first appearance), then by row; table-level problems first."""
    order = {}
    for pr in problems:
        order.setdefault((pr.file, pr.sheet), len(order))
    return sorted(problems, key=lambda pr: (order[(pr.file, pr.sheet)],
                                            -1 if pr.row is None else pr.row))


def validate(path: str | Path, params: dict | None = None) -> list[Problem]:
    """Every problem of the dataset at ``path`` (empty list = valid).

    Raises :class:`UserError` when ``path`` is not a dataset at all (missing, not a folder or
    an .xlsx workbook, a corrupt workbook). Only the ``data`` section of ``params`` is used
    (default: the methodology defaults).
    """
    return _check(path, params)[2]


_TEXT = "str"


def _canonical(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    spec = TABLES[table]
    # social keeps the count columns the user filled in; an all-empty column is not given
    columns = [c for c in spec.columns if not (table == "social" and c in SOCIAL_COUNTS)
               or (c in frame.columns and frame[c].notna().any())]
    out = frame.reindex(columns=columns).reset_index(drop=True)
    for c in columns:
        if c in spec.text_columns or c in ("indicator", "list"):
            out[c] = out[c].astype(_TEXT)
        elif c in GROUP_COLUMNS:
            out[c] = out[c].astype("Int64")  # a group the ИРО did not give stays empty
        elif c in spec.int_columns:
            out[c] = out[c].astype("int64")
        else:
            out[c] = out[c].astype("float64")
    return out


def load_dataset(path: str | Path, params: dict | None = None, *,
                 exclude_invalid_optional: bool = False) -> Dataset:
    """The validated dataset at ``path`` in canonical form; :class:`ValidationFailed` otherwise.

    With ``exclude_invalid_optional`` (used by ``shnor run``), when every problem lies in
    optional tables (risk profiles, programme, official lists), those tables are left out and
    listed in ``Dataset.excluded`` with their problems, so the reports can still be produced and
    say what is missing.
    """
    p, parsed, problems, hashes = _check(path, params)
    excluded: dict[str, list] = {}
    bad = {pr.table for pr in problems}
    if exclude_invalid_optional and problems and None not in bad and not any(
            TABLES[t].mandatory_table or TABLES[t].blocking for t in bad):
        excluded = {t: [pr for pr in problems if pr.table == t] for t in sorted(bad)}
        problems = []
    if problems:
        raise ValidationFailed(problems)
    tables = {t: _canonical(t, pt.frame) for t, pt in parsed.items()
              if t not in excluded
              and (TABLES[t].mandatory_table or not pt.frame.empty)}  # empty optional = absent
    if "social" not in tables:
        tables["social"] = _canonical("social", pd.DataFrame())
    name = p.stem if p.is_file() else p.resolve().name
    optional = [t for t, spec in TABLES.items() if not spec.mandatory_table]
    return Dataset(
        name=name, path=p, schools=tables["schools"], results=tables["results"],
        social=tables["social"], input_hashes=hashes, excluded=excluded,
        **{t: tables.get(t) for t in optional},
    )


def describe(ds: Dataset) -> str:
    """A short Russian summary: schools, municipalities, years, assessments, rows per table."""
    r = ds.results
    years = ds.years
    lines = [
        (f"Набор данных «{ds.name}»: школ {len(ds.schools)}, муниципалитетов "
         f"{ds.schools['municipality'].nunique()}."),
        "Годы: " + (f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0]))
        + f" ({len(years)}).",
        "Оценочные процедуры:",
    ]
    for (procedure, subject), g in r.groupby(["procedure", "subject"], sort=True):
        grades = sorted(int(x) for x in g["grade"].unique())
        span = f"{grades[0]}–{grades[-1]}" if len(grades) > 1 else str(grades[0])
        lines.append(f"  {PROCEDURE_LABELS[procedure]}, {SUBJECT_LABELS[subject]}: "
                     f"классы {span}, строк {len(g)}")
    counts = []
    for table, spec in TABLES.items():
        frame = getattr(ds, table, None)
        counts.append(f"{spec.title.lower()} — " + ("нет" if frame is None else str(len(frame))))
    lines.append("Строк в таблицах: " + "; ".join(counts) + ".")
    return "\n".join(lines)
