"""Excel and CSV output that is safe to open and identical for identical inputs.

School names and other texts come from users, so a cell that starts like a formula (``=``,
``+``, ``-``, ``@``, tab, carriage return) must never become one: in the workbook it is a text
cell with Excel's «quote prefix», in CSV it gets a leading apostrophe (the OWASP «CSV injection»
advice). Workbooks carry fixed document dates and zip timestamps so that the same tables give
the same bytes.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from shnor.errors import UserError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Document dates written into every workbook: real dates would change the bytes on every run.
_FIXED_DATE = "2000-01-01T00:00:00Z"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_MIN_WIDTH, _MAX_WIDTH = 8, 60
EXCEL_ROWS = 1_048_576  # rows of an Excel worksheet, the header included
_PERCENT_FORMAT = "0.0%"
_NUMBER_FORMAT = "0.###"


@dataclass
class Sheet:
    """One worksheet: ``frame`` with Russian headers already applied.

    ``cell_fills`` has the index and columns of ``frame`` and holds hex colours («FFFF00») or
    None. ``percent_columns`` are shown as percentages; by default the float columns whose
    header starts with «Доля» or ``share_``. ``source``: the CSV of ``tables/`` that holds
    the whole table, named in the sheet when it is longer than a worksheet.
    """

    name: str
    frame: pd.DataFrame
    cell_fills: pd.DataFrame | None = None
    percent_columns: Sequence[str] | None = None
    source: str | None = None

    def truncated(self) -> bool:
        """More rows than a worksheet holds: the last row says so instead."""
        return len(self.frame) > EXCEL_ROWS - 1

    def truncation_note(self) -> str:
        where = f"tables/{self.source}.csv" if self.source else "папке tables (CSV)"
        return (f"Лист усечён: в таблице {len(self.frame):,} строк, а лист Excel вмещает "
                f"{EXCEL_ROWS:,} строк; здесь первые {EXCEL_ROWS - 2:,}. Вся таблица — в "
                f"{where}.").replace(",", "\u00a0")

    def percent(self) -> set[str]:
        if self.percent_columns is not None:
            return set(self.percent_columns)
        return {
            c for c in self.frame.columns
            if pd.api.types.is_float_dtype(self.frame[c])
            and str(c).lower().startswith(("доля", "share_"))
        }


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def _excel_value(value: object) -> object:
    """Python value for openpyxl: missing -> None, booleans in Russian, numpy -> Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "да" if value else "нет"
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _sheet_names(sheets: Sequence[Sheet]) -> list[str]:
    """Excel-legal, unique sheet names (31 characters, no []:*?/\\)."""
    names: list[str] = []
    for sheet in sheets:
        base = _SHEET_NAME_BAD.sub(" ", sheet.name).strip()[:31] or "Лист"
        name, i = base, 2
        while name.lower() in (n.lower() for n in names):
            suffix = f" ({i})"
            name, i = base[: 31 - len(suffix)] + suffix, i + 1
        names.append(name)
    return names


def _width(values: list[object], header: str) -> float:
    longest = max([len(header)] + [len(str(v)) for v in values if v is not None], default=0)
    return float(min(max(longest + 2, _MIN_WIDTH), _MAX_WIDTH))


def _write_sheet(ws, sheet: Sheet) -> None:
    """Fill a write-only worksheet (widths, panes and filter must precede the rows)."""
    frame = sheet.frame.iloc[:EXCEL_ROWS - 2] if sheet.truncated() else sheet.frame
    percent = sheet.percent()
    headers = [str(c) for c in frame.columns]
    rows = [[_excel_value(v) for v in row] for row in frame.itertuples(index=False)]
    fills = None
    if sheet.cell_fills is not None:
        fills = sheet.cell_fills.reindex(index=frame.index, columns=frame.columns)
        fills = fills.astype(object).where(fills.notna(), None).to_numpy()
    formats = [_PERCENT_FORMAT if c in percent else _NUMBER_FORMAT for c in frame.columns]
    for j, header in enumerate(headers):
        sample = [  # widths from the first 200 rows keep big sheets fast
            f"{r[j]:.1%}" if j < len(r) and formats[j] == _PERCENT_FORMAT
            and isinstance(r[j], float) else r[j] for r in rows[:200]
        ]
        ws.column_dimensions[get_column_letter(j + 1)].width = _width(sample, header)
    ws.freeze_panes = "A2"
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(len(frame), 1) + 1}"
    bold = Font(bold=True)
    ws.append([_cell(ws, h, font=bold) for h in headers])
    fill_cache: dict[str, PatternFill] = {}
    # A number's cell is styled once per column and reused for every row: the write-only sheet
    # writes a row as it is appended, and a styled cell of its own costs ~10 µs a value.
    numbers = [_cell(ws, None) for _ in headers]
    for cell, number_format in zip(numbers, formats):
        cell.number_format = number_format
    for i, row in enumerate(rows):
        out = []
        for j, value in enumerate(row):
            colour = fills[i, j] if fills is not None else None
            if not (isinstance(value, float) or looks_like_formula(value) or colour):
                out.append(value)  # a plain cell needs no cell object (fast path)
                continue
            if isinstance(value, float) and not colour:
                numbers[j].value = value
                out.append(numbers[j])
                continue
            cell = _cell(ws, value)
            if isinstance(value, float):
                cell.number_format = formats[j]
            if colour:
                if colour not in fill_cache:
                    fill_cache[colour] = PatternFill("solid", start_color=colour,
                                                     end_color=colour)
                cell.fill = fill_cache[colour]
            out.append(cell)
        ws.append(out)
    if sheet.truncated():
        ws.append([_cell(ws, sheet.truncation_note(), font=bold)])


def _cell(ws, value, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if looks_like_formula(value):
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    if font is not None:
        cell.font = font
    return cell


def deterministic_xlsx(data: bytes) -> bytes:
    """Rewrite an Office Open XML package (an xlsx as openpyxl saved it, a docx as python-docx
    saved it) with fixed zip timestamps and document dates."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                                 rb"\g<1>" + _FIXED_DATE.encode() + rb"\g<3>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, content)
    return out.getvalue()


def write_workbook(path: str | Path, sheets: Sequence[Sheet]) -> Path:
    """Write ``sheets`` into one workbook: bold frozen header, filters, widths, safe text."""
    path = Path(path)
    wb = Workbook(write_only=True)
    for sheet, name in zip(sheets, _sheet_names(sheets)):
        _write_sheet(wb.create_sheet(title=name), sheet)
    if not sheets:
        wb.create_sheet(title="Лист")
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(deterministic_xlsx(buffer.getvalue()))
    return path


def neutralise_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix with «'» every text cell that a spreadsheet would read as a formula."""
    out = frame.copy()
    for column in out.columns:
        s = out[column]
        if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            # as objects: mapping a text column with no value at all (e.g. «list_change» when
            # the data have one year) keeps the Arrow null type, which cannot hold False
            mask = np.fromiter((looks_like_formula(v) for v in s.astype(object)), dtype=bool,
                               count=len(s))
            if mask.any():
                out[column] = s.astype(object).where(~mask, "'" + s.astype(object)[mask])
    return out


def safe_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as CSV: UTF-8 with BOM, comma-separated, CRLF line ends (RFC 4180, so
    texts holding a line break are quoted), no index, floats with 10 significant digits (stable
    across platforms), formula-like texts neutralised.
    """
    path = Path(path)
    neutralise_text(frame).to_csv(path, index=False, encoding="utf-8-sig",
                                  lineterminator="\r\n", float_format="%.10g")
    return path



def check_new_file(path: str | Path, force: bool = False, what: str = "файл",
                   inputs=()) -> Path:
    """Refuse to write ``path`` over something the user has: an existing file unless ``force``
    (the message says what would be lost), one of the command's ``inputs`` always (even with
    ``force``: the source data would be gone), a folder always. Returns ``path``."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"«{path}» — это папка; укажите имя файла ({what}).")
    if not path.exists():
        return path
    for source in inputs:
        try:
            same = Path(source).exists() and path.samefile(source)
        except OSError:
            same = False
        if same:
            raise UserError(f"Файл «{path}» — один из входных файлов команды: результат был бы "
                            "записан на его место, и исходные данные были бы потеряны. Укажите "
                            "в --out другой файл.")
    if not force:
        stat = path.stat()
        size = f"{stat.st_size:,}".replace(",", "\u00a0")
        when = datetime.fromtimestamp(stat.st_mtime).strftime("%d.%m.%Y %H:%M")
        raise UserError(f"Файл «{path}» уже существует ({size} байт, изменён {when}): {what} "
                        "был бы записан на его место, и прежнее содержимое было бы потеряно. "
                        "Укажите другое имя или добавьте --force, чтобы заменить файл.")
    return path
