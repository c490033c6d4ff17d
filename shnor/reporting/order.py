"""The appendix to the authority's order (``Приложение_к_приказу_<год>.docx``): the lists of
the year as a Word document ready to attach to the order that approves them.

Title block with a placeholder for the order's date and number, then one numbered table per
list — schools with low results, ШНСУ, the risk zone and, when the run has them, seed 000's
tables 1–3 of the support programme — each row a school with its municipality and the reasons
of that list. :func:`order_tables` gives the tables (pure pandas, for tests and other writers);
:func:`write_order` writes the document (python-docx) with fixed dates, so the same lists give
the same bytes.
"""

from __future__ import annotations

import copy
import io
from importlib import metadata
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from shnor.identification.flags import reason_part
from shnor.io.writers import deterministic_xlsx
from shnor.reporting.labels import SUPPORT_TABLE_TITLES

ORDER_FILE = "Приложение_к_приказу_{year}.docx"
COLUMNS = ["№ п/п", "Код ОО", "Наименование ОО", "Муниципалитет", "Основания"]
EMPTY_LIST = "Общеобразовательных организаций, отвечающих критериям, нет."
FONT = "Times New Roman"
# (flag of identification_flags, title of the table, head of its part of the reasons)
LISTS = [
    ("low_results", "Школы с низкими образовательными результатами (ШНОР)", "Низкие результаты"),
    ("shnsu", "Школы, функционирующие в неблагоприятных социальных условиях (ШНСУ)", "ШНСУ"),
    ("risk_zone", "Школы в зоне риска снижения образовательных результатов", "Зона риска"),
]


def order_file(year: int) -> str:
    return ORDER_FILE.format(year=int(year))


def _rows(schools: pd.DataFrame, reasons: pd.Series) -> pd.DataFrame:
    """Numbered rows of one table: by municipality, then code."""
    out = pd.DataFrame({"school_id": schools["school_id"].astype(str),
                        "name": schools["name"].astype(str),
                        "municipality": schools["municipality"].astype(str),
                        "reasons": reasons.astype(str)})
    out = out.sort_values(["municipality", "school_id"], kind="stable").reset_index(drop=True)
    out.insert(0, "number", range(1, len(out) + 1))
    return out


def _support_reasons(f: pd.DataFrame) -> pd.Series:
    """Why a school is in a table of the programme: its type, groups and lists."""
    def group(column: str) -> pd.Series:
        return f[column].astype("Int64").astype(str).where(f[column].notna(), "—")

    text = (f["typology"].astype(object).fillna("").astype(str) + ": группа ИСБШ "
            + group("isbsh_group") + ", группа качества " + group("quality_group"))
    if "support_lists" in f:
        lists = f["support_lists"].astype(object).fillna("").astype(str)
        text = text + ("; списки: " + lists).where(lists != "", "")
    return text


def order_tables(flags: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The tables of the appendix from ``identification_flags``: (title, rows) with rows
    number, school_id, name, municipality, reasons — the schools with the list's flag set (a
    flag that could not be decided is not set) and the reasons of that list."""
    tables = []
    for flag, title, head in LISTS:
        if flag not in flags:
            continue
        f = flags[flags[flag].fillna(False).astype(bool)]
        part = reason_part(f["reasons"], head)
        reasons = part.where(part != "", f["reasons"].fillna("").astype(str))
        tables.append((title, _rows(f, reasons)))
    if "support_table" in flags:
        for number, title in SUPPORT_TABLE_TITLES.items():
            f = flags[flags["support_table"].eq(number).fillna(False).astype(bool)]
            tables.append((f"Программа поддержки. {title}", _rows(f, _support_reasons(f))))
    return tables


def _font(run, size: float, bold: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _paragraph(doc, text: str, size: float = 12, bold: bool = False,
               align=WD_ALIGN_PARAGRAPH.LEFT, after: float = 0):
    p = doc.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(after)
    _font(p.add_run(text), size, bold)
    return p


def _repeat_header(row) -> None:
    """The header row repeats on every page of a long table and is never split."""
    props = row._tr.get_or_add_trPr()
    for tag in ("w:tblHeader", "w:cantSplit"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        props.append(element)


def _table(doc, rows: pd.DataFrame) -> None:
    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = [Cm(1.2), Cm(2.0), Cm(5.0), Cm(3.8), Cm(7.5)]
    for cell, text, width in zip(table.rows[0].cells, COLUMNS, widths):
        cell.width = width
        _font(cell.paragraphs[0].add_run(text), 10, bold=True)
    _repeat_header(table.rows[0])
    if not len(rows):
        return
    # One data row is made with python-docx, the others are copies of its XML with their texts:
    # python-docx's add_row walks every row of the table, which takes minutes for 14,000.
    for cell, width in zip(table.add_row().cells, widths):
        cell.width = width
        _font(cell.paragraphs[0].add_run("-"), 10)
    template = table.rows[-1]._tr
    split = OxmlElement("w:cantSplit")
    split.set(qn("w:val"), "true")
    template.get_or_add_trPr().append(split)
    template.getparent().remove(template)
    for r in rows.itertuples(index=False):
        tr = copy.deepcopy(template)
        for t, value in zip(tr.iter(qn("w:t")), (str(r.number), r.school_id, r.name,
                                                 r.municipality, r.reasons)):
            t.text = value
            if value != value.strip():
                t.set(qn("xml:space"), "preserve")
        table._tbl.append(tr)


def write_order(path: Path, flags: pd.DataFrame, year: int, scope: str, meta: str) -> Path:
    """Write the appendix for the lists of ``year`` in ``flags`` (``identification_flags``).

    ``scope``: what the lists cover (the dataset or the municipality), in the title; ``meta``:
    the run's line (dataset, year, profile), at the end.
    """
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin, section.right_margin = Cm(2.0), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    props = doc.core_properties
    props.author = "shnor"
    props.title = f"Приложение к приказу: списки общеобразовательных организаций, {year} год"
    props.revision = 1
    right = WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph(doc, "Приложение к приказу", align=right)
    _paragraph(doc, "_______________________________________", align=right)
    _paragraph(doc, "(наименование органа управления образованием)", size=9, align=right)
    _paragraph(doc, "от «___» ______________ 20___ г. № ______", align=right, after=18)
    _paragraph(doc, "Списки общеобразовательных организаций по результатам оценочных "
               f"процедур {year} года", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, scope, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    for i, (title, rows) in enumerate(order_tables(flags), 1):
        _paragraph(doc, f"{i}. {title} — {len(rows)}", bold=True, after=4).paragraph_format \
            .keep_with_next = True
        if len(rows):
            _table(doc, rows)
        else:
            _paragraph(doc, EMPTY_LIST)
        _paragraph(doc, "", after=6)
    try:
        version = metadata.version("shnor")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from an unbuilt tree
        version = ""
    _paragraph(doc, f"Списки сформированы программой shnor {version} по правилам методики; "
               f"основания — по данным оценочных процедур. {meta}.", size=9, after=0)
    buffer = io.BytesIO()
    doc.save(buffer)
    path = Path(path)
    path.write_bytes(deterministic_xlsx(buffer.getvalue()))
    return path
