"""Typology of schools by ИСБШ group × quality group (SPEC §4.6; seed 000, table 7 and the five
groups after it), the matrix as in table 7 and its figure.

Default boundaries (``typology`` section of the methodology): неблагополучная — ИСБШ ≤ 4 and
quality ≤ 5; резильентная — ИСБШ ≤ 4, quality ≥ 6; несправляющаяся — ИСБШ ≥ 5, quality ≤ 5;
благополучная — ИСБШ ≥ 8, quality ≥ 7; условно благополучная — the rest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TYPES = ("неблагополучная", "резильентная", "несправляющаяся", "условно благополучная",
         "благополучная")
TYPE_PLURALS = dict(zip(TYPES, ("неблагополучные", "резильентные", "несправляющиеся",
                                "условно благополучные", "благополучные")))
# Colours of seed 000 table 7: yellow, light blue, red, grey, green (Excel hex, no «#»).
TYPE_COLOURS = dict(zip(TYPES, ("FFFF00", "9DC3E6", "FF7C80", "BFBFBF", "92D050")))
DEFAULT_BOUNDS = {"isbsh_low_max": 4, "quality_low_max": 5, "isbsh_high_min": 8,
                  "quality_high_min": 7}


def typology(isbsh_group, quality_group, bounds: dict | None = None):
    """Type of a school from its ИСБШ group and quality group (1–11).

    Scalars give a string, or ``None`` when a group is missing; arrays give an object array and
    Series a Series (same index) with ``None`` for missing. ``bounds`` overrides
    :data:`DEFAULT_BOUNDS` (e.g. ``params["typology"]``).
    """
    b = {**DEFAULT_BOUNDS, **(bounds or {})}
    scalar = np.ndim(isbsh_group) == 0 and np.ndim(quality_group) == 0
    index = next((x.index for x in (isbsh_group, quality_group) if isinstance(x, pd.Series)), None)
    i = pd.to_numeric(pd.Series(np.atleast_1d(np.asarray(isbsh_group, dtype=object))),
                      errors="coerce").to_numpy(float)
    q = pd.to_numeric(pd.Series(np.atleast_1d(np.asarray(quality_group, dtype=object))),
                      errors="coerce").to_numpy(float)
    low_i, low_q = i <= b["isbsh_low_max"], q <= b["quality_low_max"]
    out = np.select(
        [low_i & low_q, low_i, low_q, (i >= b["isbsh_high_min"]) & (q >= b["quality_high_min"])],
        TYPES[:3] + TYPES[4:], default=TYPES[3]).astype(object)
    out[np.isnan(i) | np.isnan(q)] = None
    if scalar:
        return out[0]
    return pd.Series(out, index=index, dtype=object) if index is not None else out


def type_grid(n_groups: int = 11, bounds: dict | None = None) -> pd.DataFrame:
    """Type of every cell of the n × n matrix (rows ИСБШ group, columns quality group)."""
    g = np.arange(1, n_groups + 1)
    ii, qq = np.meshgrid(g, g, indexing="ij")
    return pd.DataFrame(typology(ii.ravel(), qq.ravel(), bounds).reshape(ii.shape),
                        index=g, columns=g)


MAX_LABELS = 60  # shnor: up to this many classified schools the table 7 cells list their codes


def typology_matrix(frame: pd.DataFrame, bounds: dict | None = None, n_groups: int = 11,
                    label: str = "school_id", max_labels: int = MAX_LABELS) -> pd.DataFrame:
    """Seed 000 table 7: ИСБШ group (rows) × quality group (columns) with the schools in cells.

    ``frame`` has ``isbsh_group``, ``quality_group`` and ``label``. Cells list the labels when at
    most ``max_labels`` schools are classified, otherwise the counts. Columns: «Гр ИСБШ», «1» …
    «n», «Итого ОО»; the last row «Итого ОО» holds the column totals. All cells are text.
    """
    d = frame.dropna(subset=["isbsh_group", "quality_group"])
    d = d.assign(i=d["isbsh_group"].astype(int), q=d["quality_group"].astype(int))
    g = list(range(1, n_groups + 1))
    if len(d) <= max_labels:
        cells = d.groupby(["i", "q"])[label].agg(lambda s: ", ".join(map(str, s))).unstack()
    else:
        cells = d.groupby(["i", "q"]).size().astype(str).unstack()
    cells = cells.reindex(index=g, columns=g).astype(object).fillna("")
    cells["Итого ОО"] = d.groupby("i").size().reindex(g).fillna(0).astype(int).astype(str)
    totals = d.groupby("q").size().reindex(g).fillna(0).astype(int).astype(str).tolist()
    cells.loc["Итого ОО"] = totals + [str(len(d))]
    cells = cells.replace("0", "")
    cells.columns = [str(c) for c in cells.columns]
    cells.insert(0, "Гр ИСБШ", [str(x) for x in cells.index])
    return cells.reset_index(drop=True).astype(str)


def matrix_for_excel(matrix: pd.DataFrame, max_labels: int = MAX_LABELS) -> pd.DataFrame:
    """:func:`typology_matrix` for the workbook: group numbers, totals and counts as numbers (so
    Excel can sum them), lists of school codes as text (codes keep their leading zeros), empty
    cells empty."""
    def number(v: str):
        return None if v == "" else int(v)

    out = matrix.astype(object).where(matrix != "", None)
    counts = int(matrix.iloc[-1, -1] or 0) > max_labels  # the cells hold counts, not codes
    for column in matrix.columns[1:] if counts else ["Итого ОО"]:
        out[column] = pd.Series([number(v) for v in matrix[column]], index=out.index,
                                dtype=object)
    out.iloc[-1, 1:] = [number(v) for v in matrix.iloc[-1, 1:]]
    out.iloc[:-1, 0] = [int(v) for v in matrix.iloc[:-1, 0]]
    return out


def matrix_fills(matrix: pd.DataFrame, bounds: dict | None = None) -> pd.DataFrame:
    """Cell colours (hex or None) for :func:`typology_matrix`: each group cell by its type."""
    n = len(matrix) - 1
    grid = type_grid(n, bounds)
    values = np.full(matrix.shape, None, dtype=object)
    values[:n, 1:n + 1] = grid.map(TYPE_COLOURS.get).to_numpy()
    return pd.DataFrame(values, index=matrix.index, columns=matrix.columns)


def plot_typology_matrix(matrix: pd.DataFrame, bounds: dict | None = None, ax=None):
    """Draw :func:`typology_matrix` as a coloured grid like seed 000 table 7; returns the axes."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    n = len(matrix) - 1
    grid = type_grid(n, bounds)
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 7))
    for r in range(n):
        for c in range(n):
            ax.add_patch(plt.Rectangle((c, r), 1, 1, facecolor="#" + TYPE_COLOURS[grid.iat[r, c]],
                                       edgecolor="white", alpha=0.85))
            text = matrix.iat[r, c + 1]
            if text:
                ax.text(c + 0.5, r + 0.5, text.replace(", ", "\n") if len(text) > 8 else text,
                        ha="center", va="center", fontsize=7 if len(text) > 8 else 9)
    ax.set_xlim(0, n)
    ax.set_ylim(n, 0)
    ax.set_xticks(np.arange(n) + 0.5, [str(g) for g in range(1, n + 1)])
    ax.set_yticks(np.arange(n) + 0.5, [str(g) for g in range(1, n + 1)])
    ax.set_xlabel("Группа качества")
    ax.set_ylabel("Группа ИСБШ")
    ax.legend(handles=[Patch(facecolor="#" + TYPE_COLOURS[t], label=TYPE_PLURALS[t])
                       for t in TYPES], loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title("ИСБШ × качество подготовки (как таблица 7)")
    return ax

