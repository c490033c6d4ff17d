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


