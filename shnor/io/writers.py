"""Excel and CSV output that is safe to open and identical for identical inputs.

School names and other texts come from users, so a cell that starts like a formula (``=``,
``+``, ``-``, ``@``, tab, carriage return) must never become one: in the workbook it is a text
cell with Excel's «quote prefix», in CSV it gets a leading apostrophe (the OWASP «CSV injection»
advice). Workbooks carry fixed document dates and zip timestamps so that the same tables give
the same bytes. openpyxl makes the workbook, its sheets, header rows and styles; the data rows
are formatted here as openpyxl's writer would write them, ~10 times faster (:class:`_Rows`).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, get_time_format
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.exceptions import IllegalCharacterError

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
_MAX_TEXT = 32_767  # characters of a cell; openpyxl cuts a longer text
_DATES = (datetime, date, time, timedelta)
_INF = {math.inf, -math.inf}


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


def _column_values(column: pd.Series) -> list:
    """The column's cells as Python values (:func:`_excel_value`); texts, integers and the
    common dtypes without a call per value."""
    dtype = column.dtype
    if dtype == bool:
        return ["да" if v else "нет" for v in column.tolist()]
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return [None if math.isnan(v) else v for v in column.tolist()]  # NaN is missing
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return column.tolist()
    return [v if type(v) is str or type(v) is int else _excel_value(v) for v in column.tolist()]


_BOLD = (None, None, False, True)  # the style key of the header and of the truncation note


def _style_keys(values: list, colours: list | None, number_format: str) -> list[tuple]:
    """Each cell's style as openpyxl would give it: (fill colour, number format, quote prefix,
    bold). Numbers get the column's format, dates openpyxl's date format."""
    if colours is None:  # most columns: a few keys, made once
        plain, number, quoted = ((None, None, False, False), (None, number_format, False, False),
                                 (None, None, True, False))
        return [number if type(v) is float
                else (quoted if v.startswith(FORMULA_START) else plain) if type(v) is str
                else (None, get_time_format(type(v)), False, False) if isinstance(v, _DATES)
                else plain for v in values]
    return [
        (colour,
         number_format if type(v) is float
         else get_time_format(type(v)) if isinstance(v, _DATES) else None,
         type(v) is str and v.startswith(FORMULA_START), False)
        for v, colour in zip(values, colours)
    ]


def _cell_xml(ref: str, value, style: str, epoch) -> str:
    """The ``<c>`` element openpyxl's lxml writer makes of ``value`` (an :func:`_excel_value`)
    with the style attribute ``style`` ('' or ' s="N"'); '' for a cell it would skip. Control
    characters are refused for a whole chunk of rows (:meth:`_Rows.chunks`)."""
    kind = type(value)
    if kind is float or kind is int:
        return f'<c r="{ref}"{style} t="n"><v>{"" if value in _INF else f"{value:.16g}"}</v></c>'
    if kind is str:
        if not value:
            return f'<c r="{ref}"{style} t="inlineStr"></c>'
        if value in ERROR_CODES:
            return f'<c r="{ref}"{style} t="e"><v>{value}</v></c>'
        value = value[:_MAX_TEXT]
        space = ' xml:space="preserve"' if value != value.strip() else ""
        text = (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\r", "&#13;"))
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if value is None:
        return f'<c r="{ref}"{style} t="n"></c>' if style else ""
    if isinstance(value, _DATES):
        if getattr(value, "tzinfo", None) is not None:
            raise TypeError("Excel does not support timezones in datetimes. "
                            "The tzinfo in the datetime/time object must be set to None.")
        return f'<c r="{ref}"{style} t="n"><v>{to_excel(value, epoch):.16g}</v></c>'
    raise ValueError(f"Cannot convert {value!r} to Excel")


class _Rows:
    """A sheet's rows after the header: the ``<row>`` elements that openpyxl's write-only
    worksheet writes into ``<sheetData>``, in chunks of bytes.

    openpyxl makes a cell object of each value and writes it through lxml, ~10 µs a cell, and
    a national workbook has ~10 million cells. Here the cells' styles are registered with the
    workbook before it is saved (:meth:`register`, in the order openpyxl's writer meets them,
    so that the styles part is openpyxl's own) and the rows are formatted directly when the
    package is written (:meth:`chunks`). A test compares every part of the workbook with
    openpyxl's for every kind of value.
    """

    CHUNK = 10_000  # rows formatted at a time

    def __init__(self, frame: pd.DataFrame, formats: list[str], fills, note: str | None):
        self.frame, self.formats, self.fills, self.note = frame, formats, fills, note
        self.letters = [get_column_letter(j + 1) for j in range(frame.shape[1])]
        self.styles: dict[tuple, str] = {}  # style key -> ' s="N"' or ''

    def _chunk(self, start: int, stop: int):
        """The values and the style keys of rows ``start:stop``, column by column."""
        for j, number_format in enumerate(self.formats):
            values = _column_values(self.frame.iloc[start:stop, j])
            colours = None if self.fills is None else self.fills[start:stop, j].tolist()
            yield values, _style_keys(values, colours, number_format)

    def register(self, ws) -> None:
        """Add the styles of every cell to the workbook of ``ws``, row by row as openpyxl
        would (the styles' numbers follow the order they are met in)."""
        fills: dict[str, PatternFill] = {}
        for start in range(0, len(self.frame), self.CHUNK):
            stop = min(start + self.CHUNK, len(self.frame))
            firsts: dict[tuple, tuple[int, int]] = {}  # a new style -> its first cell
            for j, (_, keys) in enumerate(self._chunk(start, stop)):
                for key in set(keys) - self.styles.keys():
                    firsts[key] = min(firsts.get(key, (stop, j)), (keys.index(key), j))
            for key in sorted(firsts, key=firsts.get):
                self.styles[key] = _style(ws, key, fills)
        if self.note is not None:
            self.styles[_BOLD] = _style(ws, _BOLD, fills)

    def chunks(self, epoch):
        """The rows' XML, :attr:`CHUNK` rows at a time (ASCII bytes, as openpyxl encodes)."""
        for start in range(0, len(self.frame), self.CHUNK):
            stop = min(start + self.CHUNK, len(self.frame))
            columns = [
                [_cell_xml(f"{letter}{r}", v, self.styles[k], epoch)
                 for r, v, k in zip(range(start + 2, stop + 2), values, keys)]
                for letter, (values, keys) in zip(self.letters, self._chunk(start, stop))]
            cells = zip(*columns) if columns else [()] * (stop - start)
            yield _encode("".join(f'<row r="{r}">{"".join(row)}</row>'
                                  for r, row in zip(range(start + 2, stop + 2), cells)))
        if self.note is not None:
            r = len(self.frame) + 2
            yield _encode(f'<row r="{r}">'
                          f'{_cell_xml(f"A{r}", self.note, self.styles[_BOLD], epoch)}</row>')


def _encode(xml: str) -> bytes:
    """Rows' XML as openpyxl encodes a sheet (ASCII, character references), after its check
    that no text holds a control character (the tags hold none)."""
    bad = ILLEGAL_CHARACTERS_RE.search(xml)
    if bad:
        raise IllegalCharacterError(f"{xml[max(0, bad.start() - 40):bad.end() + 40]} cannot be "
                                    "used in worksheets.")
    return xml.encode("ascii", "xmlcharrefreplace")


def _style(ws, key: tuple, fills: dict) -> str:
    """The style attribute of cells with style ``key``, registered with ``ws``'s workbook."""
    colour, number_format, quote, bold = key
    cell = WriteOnlyCell(ws)
    if bold:
        cell.font = Font(bold=True)
    if number_format:
        cell.number_format = number_format
    if colour:
        if colour not in fills:
            fills[colour] = PatternFill("solid", start_color=colour, end_color=colour)
        cell.fill = fills[colour]
    if quote:
        cell.quotePrefix = True  # Excel keeps a formula-like text as text when it is edited
    return f' s="{cell.style_id}"' if cell.has_style else ""


def _write_sheet(ws, sheet: Sheet) -> _Rows:
    """Start a write-only worksheet: widths, panes and filter, the header row; return its
    rows (:class:`_Rows`), their styles registered."""
    frame = sheet.frame.iloc[:EXCEL_ROWS - 2] if sheet.truncated() else sheet.frame
    percent = sheet.percent()
    headers = [str(c) for c in frame.columns]
    fills = None
    if sheet.cell_fills is not None:
        fills = sheet.cell_fills.reindex(index=frame.index, columns=frame.columns)
        fills = fills.astype(object).where(fills.notna(), None).to_numpy()
    formats = [_PERCENT_FORMAT if c in percent else _NUMBER_FORMAT for c in frame.columns]
    for j, header in enumerate(headers):
        sample = [  # widths from the first 200 rows keep big sheets fast
            f"{v:.1%}" if formats[j] == _PERCENT_FORMAT and isinstance(v, float) else v
            for v in _column_values(frame.iloc[:200, j])
        ]
        ws.column_dimensions[get_column_letter(j + 1)].width = _width(sample, header)
    ws.freeze_panes = "A2"
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(len(frame), 1) + 1}"
    bold = Font(bold=True)
    ws.append([_cell(ws, h, font=bold) for h in headers])
    for number_format in formats:  # the formats are the workbook's in the columns' order
        _cell(ws, None).number_format = number_format
    rows = _Rows(frame, formats, fills, sheet.truncation_note() if sheet.truncated() else None)
    rows.register(ws)
    return rows


def _cell(ws, value, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if looks_like_formula(value):
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    if font is not None:
        cell.font = font
    return cell


def deterministic_xlsx(data: bytes, bodies: dict | None = None) -> bytes:
    """Rewrite an Office Open XML package (an xlsx as openpyxl saved it, a docx as python-docx
    saved it) with fixed zip timestamps and document dates. ``bodies``: part name → chunks of
    XML inserted before the part's ``</sheetData>`` (the rows of :class:`_Rows`)."""
    bodies = bodies or {}
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
            if info.filename not in bodies:
                dst.writestr(fixed, content)
                continue
            head, tail = content.split(b"</sheetData>", 1)
            with dst.open(fixed, "w") as part:
                part.write(head)
                for chunk in bodies[info.filename]:
                    part.write(chunk)
                part.write(b"</sheetData>" + tail)
    return out.getvalue()


def write_workbook(path: str | Path, sheets: Sequence[Sheet]) -> Path:
    """Write ``sheets`` into one workbook: bold frozen header, filters, widths, safe text."""
    path = Path(path)
    wb = Workbook(write_only=True)
    rows = {}
    for sheet, name in zip(sheets, _sheet_names(sheets)):
        ws = wb.create_sheet(title=name)
        rows[ws] = _write_sheet(ws, sheet)
    if not sheets:
        wb.create_sheet(title="Лист")
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(deterministic_xlsx(
        buffer.getvalue(), {ws.path.lstrip("/"): r.chunks(wb.epoch) for ws, r in rows.items()}))
    return path


def neutralise_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix with «'» every text cell that a spreadsheet would read as a formula."""
    out = frame.copy()
    for column in out.columns:
        s = out[column]
        if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            if isinstance(s.dtype, pd.StringDtype):
                mask = s.str.startswith(FORMULA_START).fillna(False).to_numpy(bool)
            else:
                # as objects: mapping a text column with no value at all (e.g. «list_change»
                # when the data have one year) keeps the Arrow null type, which cannot hold False
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
    out = neutralise_text(frame)
    for j in range(out.shape[1]):  # as pandas' float_format="%.10g" would, without its call a value
        values = out.iloc[:, j]
        if isinstance(values.dtype, np.dtype) and values.dtype.kind == "f":
            out.isetitem(j, [None if math.isnan(v) else f"{v:.10g}" for v in values.tolist()])
    out.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n",
               float_format="%.10g")
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
