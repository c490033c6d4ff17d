"""The shared look of every figure in the reports.

:func:`apply_style` is called by :func:`shnor.report.open_report`, so each notebook gets the
same fonts, sizes and colours, and figures are embedded as PNG without the «Software» metadata
(the same figure gives the same bytes, and the HTML carries no URL).
"""

from __future__ import annotations

import matplotlib as mpl

# Colour-blind-safe categorical palette (Okabe–Ito).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442",
           "#000000"]
LOW = "#D55E00"    # results below the norm / flagged schools
REGION = "#555555"  # the regional benchmark line
FIGSIZE = (9.0, 4.5)

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
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: only the rcParams matter
        return
    shell = get_ipython()
    if shell is None or "inline" not in mpl.get_backend():
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("png", bbox_inches="tight", metadata={"Software": None})


def percent_axis(ax, axis: str = "y") -> None:
    """Format an axis holding shares (0–1) as percentages."""
    from matplotlib.ticker import PercentFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
