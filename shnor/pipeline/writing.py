"""The CSV tables, the Excel workbook and the appendix to the order of a report folder, written
in a process of their own while the runner executes the notebooks.

Writing them is pure Python for a minute at national size. In a thread of the runner it holds
the interpreter lock the runner needs to drive the kernels (a message per cell of every report,
a reply per batch of cards, the HTML export): measured with empty notebooks, such a thread made
the reports and the cards 2.7 times slower, a process of its own 1.5 times. The process reads
the report's tables from ``processed/`` (what the notebooks read), so the runner holds none of
them meanwhile.
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pandas as pd

from shnor.io.writers import safe_csv, write_workbook
from shnor.reporting.formatting import suppress_small_counts
from shnor.reporting.order import write_order
from shnor.reporting.published import INTERNAL, published_tables
from shnor.reporting.sheets import workbook_sheets


def published(tables: dict, params: dict, publication: bool) -> dict:
    """The tables as they are published: in publication mode, small counts suppressed."""
    if not publication:
        return tables
    threshold = params["publication"]["suppress_below"]
    return {name: suppress_small_counts(frame, threshold) for name, frame in tables.items()}


def write_tables(out: Path, processed: Path, params: dict, publication: bool, workbook: str,
                 order: str, year: int, scope: str, meta: str) -> dict:
    """Write ``out/tables/*.csv``, the workbook ``out/<workbook>`` and the appendix
    ``out/<order>`` from the tables of ``processed``; return the CSV files written
    (``csvs``), a warning for each truncated sheet (``warnings``) and the time it took
    (``seconds``)."""
    begin = time.perf_counter()
    tables = published({p.stem: pd.read_parquet(p) for p in sorted(processed.glob("*.parquet"))
                        if p.stem not in INTERNAL}, params, publication)
    csvs = []
    for name, frame in published_tables(tables).items():
        safe_csv(frame, out / "tables" / f"{name}.csv")
        csvs.append(f"{name}.csv")
    sheets = workbook_sheets(tables)
    write_workbook(out / workbook, sheets)
    warnings = [f"Внимание: {s.truncation_note()} (лист «{s.name}» книги {workbook})."
                for s in sheets if s.truncated()]
    write_order(out / order, tables["identification_flags"], year, scope, meta)
    return {"csvs": csvs, "warnings": warnings, "seconds": time.perf_counter() - begin}


def start_writer():
    """A pool of one process (started afresh, as on every platform) for :func:`write_tables`:
    ``pool.apply_async(write_tables, args)``; its errors are raised again by ``.get()``."""
    return multiprocessing.get_context("spawn").Pool(1)
