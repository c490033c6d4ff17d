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
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from shnor.config import load_config
from shnor.errors import Problem, UserError, ValidationFailed
from shnor.io.contract import (
    COLUMN_ALIASES,
    COLUMN_LABELS,
    GROUP_COLUMNS,
    PROCEDURE_LABELS,
    SOCIAL_COUNTS,
    SUBJECT_LABELS,
    TABLE_ALIASES,
    TABLES,
    normalize,
)
from shnor.io.dataset import Dataset
from shnor.io.files import sha256
from shnor.io.validation import SourceTable, check_school_ids, check_table, parse_table

HEADER_SEARCH_ROWS = 20  # title rows above the header are looked through up to this row
_TABLE_NAMES = ", ".join(f"{t}.csv («{s.title}»)" for t, s in TABLES.items())
# cp1251 bytes 0x80–0xBF: the second byte of a UTF-8 Cyrillic letter read as cp1251 («РљРѕРґ»).
_MOJIBAKE = re.compile("[РС][" + re.escape(bytes(range(0x80, 0xC0)).decode("cp1251",
                                                                           "ignore")) + "]")


# --- grids of text cells → SourceTable -------------------------------------------------------

def _find_header(grid: pd.DataFrame, aliases: dict[str, str]) -> int | None:
    """Position of the first row with the most recognised headers among the top rows."""
    best, best_hits = None, 0
    for pos in range(min(len(grid), HEADER_SEARCH_ROWS)):
        hits = sum(normalize(v) in aliases for v in grid.iloc[pos] if v)
        if hits > best_hits:
            best, best_hits = pos, hits
    return best


def _source_from_grid(table: str, file: str, sheet: str | None, grid: pd.DataFrame,
                      merged: list[tuple[int, int, int]] = ()) -> tuple[SourceTable | None,
                                                                        list[Problem]]:
    """Build a SourceTable from text cells (``grid`` index = user row numbers).

    ``merged`` lists header merges (row, first column position, last column position).
    """
    spec, aliases = TABLES[table], COLUMN_ALIASES[table]
    problems: list[Problem] = []

    def problem(rule: str, row: int | None = None, column: str | None = None,
                value: object = None) -> Problem:
        return Problem(file=file, sheet=sheet, row=row, column=column, value=value, rule=rule)

    grid = grid.fillna("")
    pos = _find_header(grid, aliases)
    if pos is None:
        expected = ", ".join(f"«{COLUMN_LABELS[c]}»" for c in spec.required)
        text = " ".join(str(v) for v in grid.head(3).to_numpy().ravel() if v)
        hint = ("; текст выглядит искажённым — вероятно, неверная кодировка файла"
                if len(_MOJIBAKE.findall(text)) >= 3 else "")
        return None, [problem(f"не найдена строка заголовка: ожидаются столбцы {expected}{hint}")]
    header_row = int(grid.index[pos])
    header = [str(v).strip() for v in grid.iloc[pos]]
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    for j, cell in enumerate(header):
        column = aliases.get(normalize(cell)) if cell else None
        if column is None:
            continue
        if column in headers:
            problems.append(problem(
                f"столбец повторяет столбец «{headers[column]}» (оба означают "
                f"«{COLUMN_LABELS[column]}»); оставьте один", header_row, cell))
            continue
        headers[column], positions[column] = cell, j
    for column in spec.required:
        if column not in headers:
            problems.append(problem(f"нет обязательного столбца «{COLUMN_LABELS[column]}»",
                                    header_row))
    body = grid.iloc[pos + 1:]
    body = body[(body.astype(str).apply(lambda s: s.str.strip()) != "").any(axis=1)]
    for row, first, last in merged:
        if row == header_row and last > first and (body.iloc[:, first + 1:last + 1] != "").any(
                axis=None):
            problems.append(problem(
                "объединённая ячейка заголовка занимает несколько столбцов с данными; "
                "разъедините ячейки и подпишите каждый столбец", header_row, header[first]))
    unnamed = [j for j, cell in enumerate(header) if not cell and j < body.shape[1]
               and not any(r == header_row and f < j <= la for r, f, la in merged)]
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
    return SourceTable(table, file, sheet, headers, raw, header_row), problems


def _grid(rows: list[list], index) -> pd.DataFrame:
    """Rows of text cells as a frame; short rows padded with empty cells."""
    width = max(map(len, rows), default=0)
    rows = [r if len(r) == width else list(r) + [""] * (width - len(r)) for r in rows]
    return pd.DataFrame(rows, index=index, dtype=object)


# --- CSV -------------------------------------------------------------------------------------

def _decode(data: bytes, name: str) -> tuple[str | None, list[Problem]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        return None, [Problem(name, "файл в кодировке UTF-16 (или не текстовый): сохраните его "
                                    "как «CSV UTF-8» или CSV в кодировке Windows-1251")]
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), []
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251"), []
    except UnicodeDecodeError:
        return None, [Problem(name, "не удалось определить кодировку: сохраните файл в UTF-8 "
                                    "или Windows-1251")]


def _read_csv(path: Path, table: str) -> tuple[SourceTable | None, list[Problem]]:
    name = path.name
    data = path.read_bytes()
    if not data.strip(b" \t\r\n\xef\xbb\xbf;,"):
        return None, [Problem(name, "файл пуст")]
    text, problems = _decode(data, name)
    if text is None:
        return None, problems
    first = next(line for line in text.splitlines() if line.strip(" ;,\t"))
    sep = max((";", "\t", ","), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows, lines = [], []
    for record in reader:
        rows.append(record)
        lines.append(reader.line_num)
    grid = _grid(rows, lines)
    if len(_MOJIBAKE.findall(" ".join(rows[0]) if rows else "")) >= 3:
        return None, [Problem(name, "текст выглядит искажённым («РљРѕРґ» вместо «Код»): файл "
                                    "сохранён в другой кодировке; сохраните его в UTF-8 или "
                                    "Windows-1251", row=1)]
    return _source_from_grid(table, name, None, grid)


# --- XLSX ------------------------------------------------------------------------------------

def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v).strip()


def _open_workbook(path: Path):
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except PermissionError:
        raise UserError(f"Нет доступа к файлу «{path}»: возможно, он открыт в Excel — закройте "
                        "его и повторите.") from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, EOFError):
        raise UserError(f"Файл «{path}» не читается как книга Excel (.xlsx): он повреждён или "
                        "сохранён в другом формате. Откройте его в Excel и сохраните как "
                        "«Книга Excel (*.xlsx)».") from None


_MERGE = re.compile(r'<(?:\w+:)?mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"')


def _merged_ranges(path: Path, sheet_xml: str) -> list[tuple[int, int, int, int]]:
    """Merged ranges (min_col, min_row, max_col, max_row) of a sheet; the read-only mode of
    openpyxl (fast on big sheets) does not expose them, so they are read from the sheet XML."""
    with zipfile.ZipFile(path) as z:
        xml = z.read(sheet_xml).decode("utf-8", errors="replace")
    return [range_boundaries(ref) for ref in _MERGE.findall(xml)]


def _read_xlsx(path: Path) -> tuple[dict[str, list[tuple]], list[Problem]]:
    wb = _open_workbook(path)
    found: dict[str, list[tuple]] = {}
    problems: list[Problem] = []
    try:
        for ws in wb.worksheets:
            table = TABLE_ALIASES.get(normalize(ws.title))
            if table is None:
                continue
            rows = [[_cell_text(v) for v in row]
                    for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
            grid = _grid(rows, range(1, len(rows) + 1))
            header_merges = []
            for c0, r0, c1, r1 in _merged_ranges(path, ws._worksheet_path):
                if r0 > len(grid) or c0 > grid.shape[1]:
                    continue
                if c0 == c1:  # a vertical merge names one column: every row of it gets the name
                    grid.iloc[r0:r1, c0 - 1] = grid.iloc[r0 - 1, c0 - 1]
                else:
                    header_merges += [(r, c0 - 1, c1 - 1) for r in range(r0, r1 + 1)]
            found.setdefault(table, []).append((ws.title, grid, header_merges))
    finally:
        wb.close()
    if not found:
        problems.append(Problem(path.name, "в книге нет ни одного листа с таблицей; ожидаются "
                                           "листы " + ", ".join(f"«{s.title}»"
                                                                for s in TABLES.values())))
    return found, problems


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
                                                "из другого файла; оставьте один файл"))
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
    found, problems = _read_xlsx(p)
    for table, sheets in found.items():
        seen.add(table)
        title, grid, merged = sheets[0]
        for other, _, _ in sheets[1:]:
            problems.append(Problem(p.name, f"таблица «{TABLES[table].title}» уже есть на листе "
                                            f"«{title}»; оставьте один лист", sheet=other))
        src, more = _source_from_grid(table, p.name, title, grid, merged)
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
            problems.append(Problem(where, f"нет таблицы «{spec.title}» ({names})"))
    parsed = {}
    for table, src in sources.items():
        if src.raw.empty and table in ("schools", "results"):
            problems.append(src.problem(f"таблица «{TABLES[table].title}» пуста: нет ни одной "
                                        "строки с данными"))
        pt = parse_table(src, params)
        problems += pt.problems + check_table(pt, params)
        parsed[table] = pt
    results = parsed.get("results")
    if results is not None and not ({"n_fail", "mean_score"} & set(results.source.headers)):
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
    return Dataset(
        name=name, path=p, schools=tables["schools"], results=tables["results"],
        social=tables["social"], risk_profiles=tables.get("risk_profiles"),
        programme=tables.get("programme"), lists=tables.get("lists"),
        reference_groups=tables.get("reference_groups"), input_hashes=hashes,
        excluded=excluded,
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
        frame = getattr(ds, table)
        counts.append(f"{spec.title.lower()} — " + ("нет" if frame is None else str(len(frame))))
    lines.append("Строк в таблицах: " + "; ".join(counts) + ".")
    return "\n".join(lines)
