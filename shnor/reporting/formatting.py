"""Number and table formatting as the reports print them: «41,5 %», «—» for missing, digit
groups from five digits on, and the small-count suppression of the publication mode."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

from shnor.io.contract import RESULT_COUNTS, SOCIAL_COUNTS
from shnor.reporting.labels import YES_NO, header

PERCENT_COLUMNS = {"share_fail", "share_success", "share_quality", "share_high"}


# Counts of people: suppressed below publication.suppress_below in publication mode.
COUNT_COLUMNS = {*RESULT_COUNTS, *SOCIAL_COUNTS, "students_total"}


def suppress_small_counts(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Replace counts of people below ``threshold`` by «<threshold» (publication mode).

    Count columns (see :data:`COUNT_COLUMNS`, by canonical name) become text-and-integer
    columns; everything else is unchanged.
    """
    out = frame.copy()
    label = f"<{threshold}"
    for column in out.columns:
        if column not in COUNT_COLUMNS or not pd.api.types.is_numeric_dtype(out[column]):
            continue
        s = out[column]
        out[column] = [
            None if pd.isna(v) else label if v < threshold else
            int(v) if float(v).is_integer() else float(v)
            for v in s
        ]
        out[column] = out[column].astype(object)
    return out


def _fmt_number(value: float, digits: int) -> str:
    # Russian typography groups digits from five-digit numbers on, so years stay «2024».
    sep = "," if abs(value) >= 10_000 else ""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):{sep}}".replace(",", "\u00a0")
    return f"{value:{sep}.{digits}f}".replace(",", "\u00a0").replace(".", ",")


def _fmt_cell(value, percent: bool, digits: int) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return YES_NO[bool(value)]
    if isinstance(value, (int, float, np.integer, np.floating)):
        if percent:
            return f"{100 * float(value):.1f}\u00a0%".replace(".", ",")
        return _fmt_number(float(value), digits)
    return str(value)


def _table(heads, rows) -> str:
    """The markup of ``DataFrame.to_html(index=False, classes="shnor-table")`` for texts escaped
    as pandas escapes them (``&``, ``<``, ``>``), built directly: pandas' writer costs ~3 ms a table, most of a school card."""
    parts = ['<table class="dataframe shnor-table">', "  <thead>",
             '    <tr style="text-align: right;">',
             *[f"      <th>{h}</th>" for h in heads], "    </tr>", "  </thead>", "  <tbody>"]
    for row in rows:
        parts += ["    <tr>", *[f"      <td>{v}</td>" for v in row], "    </tr>"]
    parts += ["  </tbody>", "</table>"]
    return "\n".join(parts)


def table_html(df: pd.DataFrame, max_rows: int | None = None,
               columns: list | dict | None = None, percent: list[str] | None = None,
               digits: int = 2, suppress_below: int | None = None,
               table: str | None = None, page_rows: int | None = None) -> str:
    """HTML of a compact table: Russian headers, «41,5 %», «—» for missing, no index.

    ``columns`` lists the columns to show, in order (default: all); their headers come from the
    label registry (:func:`shnor.reporting.labels.header`; ``table`` names the table, for
    generic column names such as ``label`` or ``status``). A dict instead maps columns to
    headers of its own, for computed display frames. ``percent`` lists share columns (default:
    ``share_*`` columns and headers starting with «Доля»). ``suppress_below``: the publication
    threshold for counts of people (:func:`suppress_small_counts`). ``page_rows``: the page's
    budget (``publication.page_rows``): a list of more schools is shown as counts by
    municipality (:func:`by_municipality`), any other longer table by its first rows.
    """
    if page_rows is not None and len(df) > page_rows and (max_rows is None
                                                           or max_rows > page_rows):
        if {"school_id", "municipality"} <= set(df.columns):
            return by_municipality(df, page_rows, suppress_below)
        max_rows = page_rows
    if suppress_below is not None:
        df = suppress_small_counts(df, suppress_below)
    if columns is not None:
        df = df[list(columns)]
    own = columns if isinstance(columns, dict) else {}
    heads = {c: str(own[c]) if c in own else header(c, table) for c in df.columns}
    pct = set(percent) if percent is not None else {
        c for c in df.columns
        if str(c) in PERCENT_COLUMNS or str(c).startswith("share_")
        or heads[c].lower().startswith("доля")
    }
    total = len(df)
    shown = df if max_rows is None else df.head(max_rows)
    cells = [[html.escape(_fmt_cell(v, c in pct, digits), quote=False) for v in shown[c]]
             for c in shown.columns]
    out = _table((html.escape(heads[c], quote=False) for c in shown.columns), zip(*cells))
    out = f'<div class="shnor-table-wrap">{out}</div>'
    if max_rows is not None and total > max_rows:
        out += (f'<p class="shnor-note">Показаны первые {_fmt_number(max_rows, 0)} из '
                f"{_fmt_number(total, 0)} строк; полностью — в книге Excel и в папке "
                "tables.</p>")
    if total == 0:
        out = '<p class="shnor-note">Нет строк.</p>'
    return out


def by_municipality(schools: pd.DataFrame, page_rows: int,
                    suppress_below: int | None = None) -> str:
    """A list of schools too long for a page, as the number of its schools by municipality
    (the largest first, at most ``page_rows`` municipalities), with where the list is."""
    counts = (schools.groupby("municipality", dropna=False, sort=False).size()
              .rename("schools").reset_index()
              .sort_values(["schools", "municipality"], ascending=[False, True],
                           kind="stable"))
    note = (f'<p class="shnor-note">В списке {_fmt_number(len(schools), 0)} школ — больше, чем '
            f"помещается на странице ({_fmt_number(page_rows, 0)} строк): показано число школ "
            "списка по муниципалитетам. Полный список — в книге Excel и в папке tables; "
            "список каждого муниципалитета — в его отчёте (shnor run --by-municipality).</p>")
    return note + table_html(counts, max_rows=page_rows, columns=["municipality", "schools"],
                             suppress_below=suppress_below)
