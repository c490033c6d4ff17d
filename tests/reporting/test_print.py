"""Printing the HTML reports (issue «Real office files and real installs», item 7): each report
section (h2) starts a new page, a long table prints whole (no scroll box) with its header repeated,
rows are not split, and the index page is not cut into a page per heading.

The style sheet is checked always; the pages are counted in a PDF printed by headless Chromium
(skipped without it, like tests/test_browser.py).
"""

import re
import shutil
import subprocess

import nbformat
import pytest

from shnor.reporting.formatting import table_html
from shnor.reporting.html import CSS, export_html, html_exporter, write_index

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SECTIONS = 3


def _page(path, long_table: bool):
    nb = nbformat.v4.new_notebook(metadata={"shnor": {"title": "Отчёт"}})
    nb.cells = [nbformat.v4.new_markdown_cell("# Отчёт\n\nВведение.")]
    for i in range(1, SECTIONS + 1):
        nb.cells.append(nbformat.v4.new_markdown_cell(f"## Раздел {i}\n\nТекст раздела {i}."))
    if long_table:
        import pandas as pd

        frame = pd.DataFrame({"school_id": [f"{i:06d}" for i in range(300)],
                              "name": [f"Школа № {i}" for i in range(300)]})
        cell = nbformat.v4.new_code_cell("")
        cell.outputs = [nbformat.v4.new_output("display_data",
                                               data={"text/html": table_html(frame)})]
        nb.cells.append(cell)
    return export_html(html_exporter(), nb, path, "Отчёт", "Набор данных: тест", "index.html")


def _pdf_pages(html_path, tmp_path) -> int:
    pdf = tmp_path / f"{html_path.stem}.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-pdf-header-footer", "--host-resolver-rules=MAP * ~NOTFOUND",
                    f"--print-to-pdf={pdf}", html_path.as_uri()],
                   check=True, capture_output=True, timeout=120)
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


def test_print_rules_in_the_style_sheet():
    css = re.sub(r"\s+", "", CSS)
    printing = css[css.index("@mediaprint"):]
    assert "@page{size:A4" in css
    assert "main:not(.shnor-index)h2{break-before:page" in printing
    assert "thead{display:table-header-group}" in printing
    assert re.search(r"tr,[^{]*\{break-inside:avoid", printing)
    assert ".shnor-table-wrap{max-height:none;overflow:visible}" in printing


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium не установлен: печать не проверяется")
def test_a_page_per_section_and_long_tables_printed_whole(tmp_path):
    short = _pdf_pages(_page(tmp_path / "short.html", long_table=False), tmp_path)
    assert short == 1 + SECTIONS  # the title page, then one page per section
    long = _pdf_pages(_page(tmp_path / "long.html", long_table=True), tmp_path)
    assert long >= short + 4  # 300 rows over several pages, not clipped to a scroll box

    import pandas as pd

    index = write_index(tmp_path, "ШНОР: отчёты за 2024 год", "Набор данных: тест",
                        [("01_overview.html", "Обзор данных")],
                        pd.DataFrame(columns=["school_id", "name", "municipality"]),
                        "book.xlsx", ["indicators.csv"], order="order.docx")
    assert _pdf_pages(index, tmp_path) == 1  # the index is not cut into a page per heading
