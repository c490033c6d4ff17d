"""Funnel plots (SPEC §4.10, item 5): each school's share of «2» against its participants, per
assessment of the low-results rule, with the region's share and its binomial control limits.

The limits are the exact binomial ones of Spiegelhalter (2005, «Funnel plots for comparing
institutional performance», appendix A.1.1): for a group of ``n`` participants and the region's
share ``p0``, the ``P``-quantile ``r`` of Binomial(n, p0) interpolated,
``(r − α) / n`` with ``α = (F(r) − P) / (F(r) − F(r − 1))``. The two-sided 95 % limits take
P = 0.025 and 0.975, the 99.8 % limits P = 0.001 and 0.999. A school above the upper 99.8 %
limit has more «2» than chance alone explains at that size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binom

FUNNEL_LEVELS = {"95": 0.95, "998": 0.998}
FUNNEL_COLUMNS = ["year", "assessment", "school_id", "participants", "n_fail", "share_fail",
                  "share_region", "lower_95", "upper_95", "lower_998", "upper_998",
                  "above_95", "above_998", "eligible"]


def binomial_limit(p: float, n, p0) -> np.ndarray:
    """The interpolated ``p``-quantile of Binomial(n, p0) divided by ``n`` (Spiegelhalter 2005)."""
    n = np.asarray(n, dtype=float)
    p0 = np.broadcast_to(np.asarray(p0, dtype=float), n.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = binom.ppf(p, n, p0)
        f_r, f_prev = binom.cdf(r, n, p0), binom.cdf(r - 1, n, p0)
        step = f_r - f_prev
        alpha = np.where(step > 0, (f_r - p) / np.where(step > 0, step, 1.0), 0.0)
        limit = np.clip((r - alpha) / n, 0.0, 1.0)
    return np.where(n > 0, limit, np.nan)


def funnel_table(g: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per group of ``year`` in the rule with participants and a number of «2»
    (``g``: :func:`shnor.identification.table1.scope_groups`): the share, the region's share of
    its assessment (procedure, grade, subject) and the 95 % / 99.8 % limits at its size."""
    rows = g[(g["year"] == int(year)) & (g["participants"] > 0) & g["n_fail"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=FUNNEL_COLUMNS)
    label = rows["label"].astype(str)
    totals = rows.groupby(label.to_numpy())[["n_fail", "participants"]].sum()
    p0 = label.map(totals["n_fail"] / totals["participants"]).to_numpy(float)
    n = rows["participants"].to_numpy(float)
    share = rows["n_fail"].to_numpy(float) / n
    out = pd.DataFrame({"year": int(year), "assessment": label.to_numpy(),
                        "school_id": rows["school_id"].astype(str).to_numpy(),
                        "participants": rows["participants"].astype("int64").to_numpy(),
                        "n_fail": rows["n_fail"].astype("int64").to_numpy(),
                        "share_fail": share, "share_region": p0})
    for name, level in FUNNEL_LEVELS.items():
        tail = (1 - level) / 2
        out[f"lower_{name}"] = binomial_limit(tail, n, p0)
        out[f"upper_{name}"] = binomial_limit(1 - tail, n, p0)
    out["above_95"] = out["share_fail"] > out["upper_95"] + 1e-12
    out["above_998"] = out["share_fail"] > out["upper_998"] + 1e-12
    out["eligible"] = rows["eligible"].to_numpy(bool)
    return out.sort_values(["assessment", "school_id"], kind="stable").reset_index(drop=True)
