"""Reading an XLSX workbook as an office exports it: every sheet as a grid of text cells, the
merged header cells and the formulas without a saved value (read from the sheet XML, which
openpyxl's fast read-only mode does not expose), hidden sheets that repeat a visible one."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils.cell import column_index_from_string, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from shnor.errors import Problem, UserError
from shnor.io.aliases import TABLE_ALIASES
from shnor.io.contract import (
    TABLES,
    normalize,
)
from shnor.io.parsing import text_grid


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


_HAS_FORMULA = re.compile(r"<(?:\w+:)?f[\s>/]")


_CELL = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)


_REF = re.compile(r'\br="([A-Z]+)(\d+)"')


_TYPE = re.compile(r'\bt="(\w+)"')


_FORMULA = re.compile(r"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.DOTALL)


_VALUE = re.compile(r"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.DOTALL)


# Excel recalculates on opening: the values stored with the formulas were not computed by Excel
# (xlsxwriter stores 0, openpyxl nothing)
_RECALC = re.compile(r'<(?:\w+:)?calcPr\b[^>]*\bfullCalcOnLoad="(1|true)"')


def _sheet_facts(path: Path, sheet_xml: str, recalc: bool) -> tuple[
        list[tuple[int, int, int, int]], dict[tuple[int, int], str]]:
    """Merged ranges (min_col, min_row, max_col, max_row) and formula cells without a saved
    value ((row, column position) -> «=formula») of a sheet. The read-only mode of openpyxl
    (fast on big sheets) exposes neither, and with ``data_only`` a formula without a saved value
    reads as an empty cell, so both are read from the sheet XML."""
    with zipfile.ZipFile(path) as z:
        xml = z.read(sheet_xml).decode("utf-8", errors="replace")
    merges = [range_boundaries(ref) for ref in _MERGE.findall(xml)]
    formulas: dict[tuple[int, int], str] = {}
    if _HAS_FORMULA.search(xml):
        for attrs, inner in _CELL.findall(xml):
            f = _FORMULA.search(inner) if inner else None
            ref = _REF.search(attrs)
            if f is None or ref is None:
                continue
            v = _VALUE.search(inner)
            kind = _TYPE.search(attrs)
            saved = v is not None and (bool(v.group(1)) or (kind is not None
                                                            and kind.group(1) == "str"))
            if recalc or not saved:
                formula = "=" + html.unescape(f.group(1)) if f.group(1) else "(общая формула)"
                formulas[(int(ref.group(2)), column_index_from_string(ref.group(1)) - 1)] = formula
    return merges, formulas


def read_xlsx(path: Path) -> tuple[dict[str, list[tuple]], list[Problem]]:
    wb = _open_workbook(path)
    found: dict[str, list[tuple]] = {}
    problems: list[Problem] = []
    try:
        with zipfile.ZipFile(path) as z:
            recalc = bool(_RECALC.search(z.read("xl/workbook.xml").decode("utf-8", "replace")))
    except (KeyError, zipfile.BadZipFile):
        recalc = False
    try:
        for ws in wb.worksheets:
            table = TABLE_ALIASES.get(normalize(ws.title))
            if table is None:
                continue
            rows = [[_cell_text(v) for v in row]
                    for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
            grid = text_grid(rows, range(1, len(rows) + 1))
            header_merges = []
            merges, formulas = _sheet_facts(path, ws._worksheet_path, recalc)
            for c0, r0, c1, r1 in merges:
                if r0 > len(grid) or c0 > grid.shape[1]:
                    continue
                if c0 == c1:  # a vertical merge names one column: every row of it gets the name
                    grid.iloc[r0:r1, c0 - 1] = grid.iloc[r0 - 1, c0 - 1]
                else:
                    header_merges += [(r, c0 - 1, c1 - 1) for r in range(r0, r1 + 1)]
            hidden = getattr(ws, "sheet_state", "visible") != "visible"
            found.setdefault(table, []).append((ws.title, grid, header_merges, formulas, hidden))
    finally:
        wb.close()
    if not found:
        problems.append(Problem(path.name, "в книге нет ни одного листа с таблицей; ожидаются "
                                           "листы " + ", ".join(f"«{s.title}»"
                                                                for s in TABLES.values())))
    return found, problems


def _trimmed(grid: pd.DataFrame) -> list[list[str]]:
    """The cells of a sheet without empty rows and columns at its end (to compare sheets)."""
    cells = grid.fillna("").astype(str).apply(lambda s: s.str.strip())
    filled = cells != ""
    if not filled.any(axis=None):
        return []
    last_row = filled.any(axis=1).to_numpy().nonzero()[0].max()
    last_col = filled.any(axis=0).to_numpy().nonzero()[0].max()
    return cells.iloc[:last_row + 1, :last_col + 1].to_numpy().tolist()


def duplicate_sheets(file: str, table: str, sheets: list[tuple]) -> tuple[tuple, list[Problem]]:
    """The sheet a table is read from (the first visible one) and a problem for every other sheet
    of the same table, saying when that sheet is hidden and whether it repeats or contradicts
    the one read."""
    sheets = sorted(sheets, key=lambda s: s[4])  # visible first, book order kept
    used = sheets[0]
    title, spec_title = used[0], TABLES[table].title
    problems = []
    for other in sheets[1:]:
        if not other[4]:
            rule = f"таблица «{spec_title}» уже есть на листе «{title}»; оставьте один лист"
        elif _trimmed(other[1]) == _trimmed(used[1]):
            rule = (f"скрытый лист повторяет лист «{title}» (таблица «{spec_title}»): данные "
                    f"читаются с видимого листа «{title}»; удалите скрытый лист, чтобы таблица "
                    "была в книге один раз (скрытые листы показывает правый щелчок по ярлыку "
                    "листа → «Показать»)")
        else:
            rule = (f"скрытый лист тоже содержит таблицу «{spec_title}», и его данные отличаются "
                    f"от видимого листа «{title}»: неясно, какой из них верен; удалите лишний "
                    "лист (скрытые листы показывает правый щелчок по ярлыку листа → «Показать»)")
        problems.append(Problem(file, rule, sheet=other[0], table=table))
    return used, problems
