"""What a report notebook uses: its tables, its parameters and compact display helpers.

Under ``shnor run`` a notebook receives ``processed_dir`` and only loads the tables the runner
computed (lazily, cached per folder so that a kernel executing a hundred school cards reads each
table once). Opened on its own in JupyterLab it computes the same tables for the demo region.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import HTML, display, publish_display_data

from shnor.config import load_config, parameter_table
from shnor.errors import UserError
from shnor.paths import DEMO_DATA
from shnor.reporting import charts
from shnor.reporting.formatting import table_html

PARAMS_FILE = "params.json"
RUN_FILE = "run.json"


# Display settings of the report opened last in this kernel (one report per notebook).
_display = {"suppress_below": None, "page_rows": None}
_contexts: dict[tuple, ReportContext] = {}


@dataclass
class ReportContext:
    """Tables and parameters of one report (dataset × year × profile)."""

    dataset_name: str
    year: int
    params: dict
    publication: bool = False
    processed_dir: Path | None = None
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    _school_positions: dict[str, tuple] = field(default_factory=dict, repr=False)
    _names: list[str] = field(default_factory=list, repr=False)

    @property
    def profile(self) -> str:
        return self.params.get("profile", "")

    def table_names(self) -> list[str]:
        if self.processed_dir is None:
            return sorted(self._tables)
        if not self._names:  # the runner's folder does not change while its kernels read it
            self._names.extend(sorted(p.stem for p in self.processed_dir.glob("*.parquet")))
        return list(self._names)

    def table(self, name: str) -> pd.DataFrame:
        """The table ``name``; each call returns an independent (copy-on-write) frame."""
        if name not in self._tables:
            path = None if self.processed_dir is None else self.processed_dir / f"{name}.parquet"
            if path is None or not path.exists():
                raise KeyError(f"Нет таблицы «{name}». Есть: {', '.join(self.table_names())}")
            self._tables[name] = pd.read_parquet(path)
        return self._tables[name].copy(deep=False)

    def school_rows(self, name: str, school_id: str) -> pd.DataFrame:
        """The rows of table ``name`` for one school, in table order. The table is grouped by
        school once (a school card reads tables of all schools); a school's rows are then a
        slice of it, which costs microseconds where a selection by positions costs a
        millisecond."""
        if name not in self._school_positions:
            grouped = self.table(name).reset_index(drop=True)
            # integer codes: no Python string per row (a card kernel reads national tables)
            codes, schools = pd.factorize(grouped["school_id"], sort=True, use_na_sentinel=False)
            starts = _runs(codes)
            if len(starts) > len(schools):  # a school's rows apart: group them
                order = np.argsort(codes, kind="stable")
                grouped, codes = grouped.iloc[order].reset_index(drop=True), codes[order]
                starts = _runs(codes)
            bounds = dict(zip(np.asarray(schools, dtype=object)[codes[starts]],
                              zip(starts, [*starts[1:], len(codes)])))
            self._school_positions[name] = (grouped, bounds)
            if self.processed_dir is not None:  # one copy in memory; table() reads it again
                self._tables.pop(name, None)
        grouped, bounds = self._school_positions[name]
        start, stop = bounds.get(str(school_id), (0, 0))
        return grouped.iloc[start:stop]


def _runs(codes: np.ndarray) -> np.ndarray:
    """Where each run of equal codes starts."""
    if not len(codes):
        return np.zeros(0, dtype=int)
    return np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"В папке «{path.parent}» нет файла {path.name}: "
                        "сначала выполните «shnor run».") from None


def open_report(data=None, year: int = 2024, profile: str | None = None, config=None,
                processed_dir=None) -> ReportContext:
    """Open the tables of a report for a notebook and set the shared figure style.

    With ``processed_dir`` (set by ``shnor run``) the runner's tables and parameters are
    loaded from that folder; otherwise they are computed for ``data`` (default: the demo
    region), ``year``, ``profile`` and ``config``.
    """
    charts.apply_style()
    if processed_dir is not None:
        folder = Path(processed_dir).resolve()
        key: tuple = ("processed", str(folder))
        if key not in _contexts:
            run = _read_json(folder / RUN_FILE)
            _contexts[key] = ReportContext(
                dataset_name=run["dataset"], year=int(run["year"]),
                params=_read_json(folder / PARAMS_FILE), publication=bool(run["publication"]),
                processed_dir=folder,
            )
    else:
        source = Path(data) if data is not None else DEMO_DATA
        key = ("computed", str(source.resolve()), int(year), profile, str(config))
        if key not in _contexts:
            # Lazy: loading and computing import pandera and scikit-learn (≈ 1.5 s); a kernel of
            # `shnor run` reads the tables from processed_dir and never needs them.
            from shnor.analysis.run import Run
            from shnor.io.loading import load_dataset

            run = Run(load_dataset(source, exclude_invalid_optional=True), int(year),
                      load_config(profile, config))
            _contexts[key] = ReportContext(dataset_name=run.dataset.name, year=run.year,
                                           params=run.params, _tables=run.tables())
    ctx = _contexts[key]
    _display["suppress_below"] = (
        ctx.params["publication"]["suppress_below"] if ctx.publication else None
    )
    _display["page_rows"] = ctx.params["publication"]["page_rows"]
    return ctx


def show_table(df: pd.DataFrame, max_rows: int | None = None, columns: list | dict | None = None,
               percent: list[str] | None = None, digits: int = 2, table: str | None = None) -> None:
    """Display ``df`` as a compact table in the notebook (see :func:`table_html`): ``columns``
    names the columns to show, ``table`` the table they come from (for the registry's headers)."""
    show_html(table_html(df, max_rows=max_rows, columns=columns, percent=percent, table=table,
                         digits=digits, suppress_below=_display["suppress_below"],
                         page_rows=_display["page_rows"]))


def show_table_or_text(df: pd.DataFrame, text: str, **kwargs) -> None:
    """:func:`show_table` when ``df`` has rows; otherwise the sentence ``text`` saying why
    there are none (a part of a report that needs more schools or data than there are)."""
    if len(df):
        show_table(df, **kwargs)
    else:
        show_text(text)


def show_parameters(params: dict, sections: list[str] | None = None) -> None:
    """Display the parameters used (with their sources) for ``sections`` of the methodology."""
    table = parameter_table(params, sections)
    show_table(table, columns=["parameter", "value", "source"])


def show_svg(svg: str) -> None:
    """Display inline SVG markup (e.g. :func:`shnor.reporting.cards.card_chart`) as a figure."""
    show_html(f'<div class="fig">{svg}</div>')


def show_text(text: str) -> None:
    """Display a data-dependent sentence (escaped) as a paragraph."""
    show_html(f"<p>{html.escape(text)}</p>")


_HTML_PLAIN = repr(HTML(""))  # the text/plain of an HTML object, as IPython's formatter gives it


def show_html(markup: str) -> None:
    """Display HTML ``markup``: the output of ``display(HTML(markup))``, without a pass through
    IPython's formatters (~0.1 ms each, and a school card displays about ten)."""
    if not InteractiveShell.initialized():  # not in a kernel: display() prints
        display(HTML(markup))
        return
    publish_display_data({"text/plain": _HTML_PLAIN, "text/html": markup}, metadata={})
