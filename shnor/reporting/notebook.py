"""What a report notebook uses: its tables, its parameters and compact display helpers.

Under ``shnor run`` a notebook receives ``processed_dir`` and only loads the tables the runner
computed (lazily, cached per folder so that a kernel executing a hundred school cards reads each
table once). Opened on its own in JupyterLab it computes the same tables for the demo region.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from shnor.reporting import charts
from shnor.config import parameter_table
from shnor.io.contract import COLUMN_LABELS as CONTRACT_LABELS
from shnor.io.contract import RESULT_COUNTS, SOCIAL_COUNTS
from shnor.errors import UserError

PARAMS_FILE = "params.json"
RUN_FILE = "run.json"

# Canonical column -> Russian header for show_table and the Excel sheets: the input contract's
# labels plus the computed indicators.
COLUMN_LABELS = {
    **CONTRACT_LABELS,
    "assessment": "Оценочная процедура",
    "share_fail": "Доля не преодолевших порог",
    "share_success": "Успеваемость",
    "share_quality": "Качество знаний",
    "share_high": "Доля высоких результатов",
    "reliable": "Достаточно участников",
    "schools": "Школ",
    "status": "Статус",
}
PERCENT_COLUMNS = {"share_fail", "share_success", "share_quality", "share_high"}
# Counts of people: suppressed below publication.suppress_below in publication mode.
COUNT_COLUMNS = {*RESULT_COUNTS, *SOCIAL_COUNTS, "students_total"}

# Display settings of the report opened last in this kernel (one report per notebook).
_display = {"suppress_below": None}
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
    _school_positions: dict[str, dict] = field(default_factory=dict, repr=False)

    @property
    def profile(self) -> str:
        return self.params.get("profile", "")

    def table_names(self) -> list[str]:
        if self.processed_dir is not None:
            return sorted(p.stem for p in self.processed_dir.glob("*.parquet"))
        return sorted(self._tables)

    def table(self, name: str) -> pd.DataFrame:
        """The table ``name``; each call returns an independent (copy-on-write) frame."""
        if name not in self._tables:
            path = None if self.processed_dir is None else self.processed_dir / f"{name}.parquet"
            if path is None or not path.exists():
                raise KeyError(f"Нет таблицы «{name}». Есть: {', '.join(self.table_names())}")
            self._tables[name] = pd.read_parquet(path)
        return self._tables[name].copy(deep=False)

    def school_rows(self, name: str, school_id: str) -> pd.DataFrame:
        """The rows of table ``name`` for one school, in table order. The row positions of
        every school are found once per table: a school card reads tables of all schools."""
        if name not in self._school_positions:
            self._school_positions[name] = self.table(name).groupby(
                "school_id", sort=False).indices
        positions = self._school_positions[name].get(str(school_id), [])
        return self.table(name).iloc[positions]


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
        from shnor.paths import DEMO_DATA
        from shnor.pipeline.suite import prepare

        source = Path(data) if data is not None else DEMO_DATA
        key = ("computed", str(source.resolve()), int(year), profile, str(config))
        if key not in _contexts:
            dataset, params, tables = prepare(source, int(year), profile, config)
            _contexts[key] = ReportContext(dataset_name=dataset.name, year=int(year),
                                           params=params, _tables=tables)
    ctx = _contexts[key]
    _display["suppress_below"] = (
        ctx.params["publication"]["suppress_below"] if ctx.publication else None
    )
    return ctx


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
        return "да" if value else "нет"
    if isinstance(value, (int, float, np.integer, np.floating)):
        if percent:
            return f"{100 * float(value):.1f}\u00a0%".replace(".", ",")
        return _fmt_number(float(value), digits)
    return str(value)


def table_html(df: pd.DataFrame, max_rows: int | None = None, columns: dict | None = None,
               percent: list[str] | None = None, digits: int = 2) -> str:
    """HTML of a compact table: Russian headers, «41,5 %», «—» for missing, no index.

    ``columns`` maps column names to headers (and selects and orders them); otherwise the
    standard labels of :data:`COLUMN_LABELS` are applied. ``percent`` lists share columns
    (default: ``share_*`` columns and headers starting with «Доля»).
    """
    if _display["suppress_below"] is not None:
        df = suppress_small_counts(df, _display["suppress_below"])
    if columns is not None:
        df = df[list(columns)]
    headers = columns or {}
    pct = set(percent) if percent is not None else {
        c for c in df.columns
        if str(c) in PERCENT_COLUMNS or str(c).startswith("share_")
        or str(headers.get(c, c)).lower().startswith("доля")
    }
    total = len(df)
    shown = df if max_rows is None else df.head(max_rows)
    body = pd.DataFrame({
        str(headers.get(c, COLUMN_LABELS.get(str(c), c))): [
            _fmt_cell(v, c in pct, digits) for v in shown[c]
        ]
        for c in shown.columns
    })
    out = body.to_html(index=False, border=0, classes="shnor-table", escape=True,
                       na_rep="—")
    out = f'<div class="shnor-table-wrap">{out}</div>'
    if max_rows is not None and total > max_rows:
        out += (f'<p class="shnor-note">Показаны первые {max_rows} из {total} строк; '
                "полностью — в книге Excel и в папке tables.</p>")
    if total == 0:
        out = '<p class="shnor-note">Нет строк.</p>'
    return out


def show_table(df: pd.DataFrame, max_rows: int | None = None, columns: dict | None = None,
               percent: list[str] | None = None, digits: int = 2) -> None:
    """Display ``df`` as a compact table in the notebook (see :func:`table_html`)."""
    from IPython.display import HTML, display

    display(HTML(table_html(df, max_rows=max_rows, columns=columns, percent=percent,
                            digits=digits)))


def show_parameters(params: dict, sections: list[str] | None = None) -> None:
    """Display the parameters used (with their sources) for ``sections`` of the methodology."""
    table = parameter_table(params, sections)
    show_table(table, columns={"parameter": "Параметр", "value": "Значение",
                               "source": "Источник"})


def show_svg(svg: str) -> None:
    """Display inline SVG markup (e.g. :func:`shnor.reporting.cards.card_chart`) as a figure."""
    from IPython.display import HTML, display

    display(HTML(f'<div class="fig">{svg}</div>'))


def show_text(text: str) -> None:
    """Display a data-dependent sentence (escaped) as a paragraph."""
    from IPython.display import HTML, display

    display(HTML(f"<p>{html.escape(text)}</p>"))
