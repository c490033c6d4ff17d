"""The shared look of every figure in the reports.

:func:`apply_style` is called by :func:`shnor.reporting.notebook.open_report`, so each notebook gets the
same fonts, sizes and colours, and figures are embedded as PNG without the «Software» metadata
(the same figure gives the same bytes, and the HTML carries no URL). The school cards draw their
small chart as inline SVG with :func:`share_chart_svg` instead, in the same colours.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib as mpl
from IPython import get_ipython
from matplotlib.ticker import PercentFormatter
from matplotlib_inline.backend_inline import set_matplotlib_formats

# Colour-blind-safe categorical palette (Okabe–Ito).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442",
           "#000000"]
LOW = "#D55E00"    # results below the norm / flagged schools
REGION = "#555555"  # the regional benchmark line
FIGSIZE = (9.0, 4.5)
# Colours of seed 000 table 7, by type of shnor.school_typology.TYPES: yellow, light blue, red,
# grey, green (Excel hex, no «#»).
TYPE_COLOURS = dict(zip(("неблагополучная", "резильентная", "несправляющаяся",
                         "условно благополучная", "благополучная"),
                        ("FFFF00", "9DC3E6", "FF7C80", "BFBFBF", "92D050")))
# Risk-factor significance in the matrix of seed 000 tables 4–6 (Excel hex).
LEVEL_FILLS = {"high": "F4B6B6", "medium": "FFE699", "low": "C6EFCE", "conflict": "BFBFBF"}

_RC = {
    "figure.figsize": FIGSIZE,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "grid.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "font.family": "DejaVu Sans",  # ships with matplotlib and has Cyrillic glyphs
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "svg.hashsalt": "shnor",
    "svg.fonttype": "none",
}


def apply_style() -> None:
    """Set the report style for matplotlib (and the inline backend when inside IPython)."""
    mpl.rcParams.update(_RC)
    if get_ipython() is None or "inline" not in mpl.get_backend():
        return  # plain Python: only the rcParams matter
    set_matplotlib_formats("png", bbox_inches="tight", metadata={"Software": None})


def percent_axis(ax, axis: str = "y") -> None:
    """Format an axis holding shares (0–1) as percentages."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))


@dataclass(frozen=True)
class Line:
    """One series of :func:`share_chart_svg`: a value (share 0–1 or None) per category."""

    label: str
    values: Sequence[float | None]
    colour: str
    dashed: bool = False


def _percent(value: float, digits: int = 0) -> str:
    return f"{100 * value:.{digits}f}\u00a0%".replace(".", ",")


def share_chart_svg(categories: Sequence[str], lines: Sequence[Line], title: str) -> str:
    """A small line chart of shares as inline SVG markup, in the report style.

    For the school cards: hundreds of them per run, where a matplotlib PNG costs ~0.1 s each and
    this costs ~1 ms. Solid lines get markers with the value as a tooltip; a missing value
    breaks the line. The y axis starts at 0 and ends at the next 10 % (20 % above 50 %).
    """
    width, height, left, right, top, bottom = 720, 230, 52, 500, 34, 196
    finite = [v for line in lines for v in line.values if v is not None and not math.isnan(v)]
    peak = max(finite, default=0.0)
    step = 0.1 if peak <= 0.5 else 0.2
    y_max = max(step, math.ceil(round(peak / step, 9)) * step)
    band = (right - left) / max(len(categories), 1)

    def x(i: int) -> str:
        return f"{left + (i + 0.5) * band:.1f}"

    def y(v: float) -> str:
        return f"{bottom - v / y_max * (bottom - top):.1f}"

    esc = html.escape
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
              f'width="{width}" height="{height}" role="img" style="max-width:100%;height:auto" '
              'font-size="11" font-family="PT Sans,Segoe UI,Arial,sans-serif">'),
             f"<title>{esc(title)}</title>",
             f'<text x="{left}" y="18" font-size="13" font-weight="bold">{esc(title)}</text>']
    for k in range(round(y_max / step) + 1):
        v = k * step
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y(v)}" y2="{y(v)}" '
                     'stroke="#dddddd"/>')
        parts.append(f'<text x="{left - 6}" y="{float(y(v)) + 4:.1f}" text-anchor="end" '
                     f'fill="#444444">{_percent(v)}</text>')
    for i, category in enumerate(categories):
        parts.append(f'<text x="{x(i)}" y="{bottom + 18}" text-anchor="middle" '
                     f'fill="#444444">{esc(str(category))}</text>')
    strokes = [f'stroke="{line.colour}" stroke-width="2"'
               + (' stroke-dasharray="6 4" stroke-opacity="0.7"' if line.dashed else "")
               for line in lines]
    for line, stroke in zip(lines, strokes):
        segment: list[str] = []
        for i, v in enumerate([*line.values, None]):
            if v is None or math.isnan(v):
                if len(segment) > 1:
                    parts.append(f'<polyline fill="none" {stroke} '
                                 f'points="{" ".join(segment)}"/>')
                segment = []
                continue
            segment.append(f"{x(i)},{y(v)}")
            if not line.dashed:
                parts.append(f'<circle cx="{x(i)}" cy="{y(v)}" r="3.5" fill="{line.colour}">'
                             f"<title>{esc(line.label)}, {esc(str(categories[i]))}: "
                             f"{_percent(v, 1)}</title></circle>")
    for j, (line, stroke) in enumerate(zip(lines, strokes)):
        ly = top + 8 + 20 * j
        parts.append(f'<line x1="{right + 20}" x2="{right + 48}" y1="{ly}" y2="{ly}" {stroke}/>')
        parts.append(f'<text x="{right + 56}" y="{ly + 4}">{esc(line.label)}</text>')
    if not finite:
        parts.append(f'<text x="{(left + right) / 2:.1f}" y="{(top + bottom) / 2:.1f}" '
                     'text-anchor="middle" fill="#666666">Нет данных</text>')
    parts.append("</svg>")
    return "".join(parts)
