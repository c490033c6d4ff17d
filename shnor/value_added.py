"""Contextual value-added (SPEC §4.7): a school's quality index compared with what its social
context predicts.

OLS of the quality index on the ИСБШ component shares over the schools that have both. A school's
value-added is its residual (observed − expected, in quality-index points). Its interval is the
residual minus the prediction interval of the fit at the school's context: the range in which
``level`` of schools with the same context would lie. «выше ожидаемого» / «ниже ожидаемого» only
when that interval excludes zero — what the sources call resilience is the first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

ABOVE, BELOW, WITHIN = "выше ожидаемого", "ниже ожидаемого", "в пределах ожидаемого"
VA_COLUMNS = ["school_id", "expected", "value_added", "value_added_low", "value_added_high",
              "verdict"]


def fit_value_added(X: pd.DataFrame, y: pd.Series, level: float = 0.95
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Value-added per row of ``X`` (index school_id) and the model's coefficient table.

    Rows with a missing regressor or quality are left out of the fit and the result. Constant
    regressors are dropped. Returns (table with :data:`VA_COLUMNS`, coefficients with term,
    coef, se and a final row «R²»).
    """
    d = pd.concat([X, y.rename("_y")], axis=1).dropna()
    varying = [c for c in X.columns if d[c].std(ddof=0) > 0]
    A = np.column_stack([np.ones(len(d)), d[varying].to_numpy(float)])
    yy = d["_y"].to_numpy(float)
    dof = len(d) - A.shape[1]
    if dof < 1:
        raise ValueError("too few schools for the value-added regression")
    beta, *_ = np.linalg.lstsq(A, yy, rcond=None)
    fitted = A @ beta
    resid = yy - fitted
    s2 = resid @ resid / dof
    xtx_inv = np.linalg.pinv(A.T @ A)
    leverage = np.einsum("ij,jk,ik->i", A, xtx_inv, A)
    half = stats.t.ppf(0.5 + level / 2, dof) * np.sqrt(s2 * (1 + leverage))
    low, high = resid - half, resid + half
    table = pd.DataFrame({
        "school_id": d.index.to_numpy(), "expected": fitted, "value_added": resid,
        "value_added_low": low, "value_added_high": high,
        "verdict": np.select([low > 0, high < 0], [ABOVE, BELOW], WITHIN),
    })
    se = np.sqrt(np.diag(xtx_inv) * s2)
    ss_tot = ((yy - yy.mean()) ** 2).sum()
    coefs = pd.DataFrame({"term": ["const", *varying], "coef": beta, "se": se})
    r2 = pd.DataFrame({"term": ["R²"], "coef": [1 - (resid @ resid) / ss_tot if ss_tot > 0
                                                 else np.nan], "se": [np.nan]})
    return table, pd.concat([coefs, r2], ignore_index=True)


def plot_value_added(frame: pd.DataFrame, label: str = "school_id", ax=None, max_labels: int = 30):
    """Quality index against ИСБШ with a fitted line; schools above/below expectation coloured and
    labelled (at most ``max_labels`` of the largest deviations). ``frame``: isbsh,
    quality_index, value_added, verdict and ``label``."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 6))
    d = frame.dropna(subset=["isbsh", "quality_index"])
    colours = {WITHIN: "#BFBFBF", ABOVE: "#2E75B6", BELOW: "#C00000"}
    for verdict, colour in colours.items():
        part = d[d["verdict"] == verdict]
        ax.scatter(part["isbsh"], part["quality_index"], s=14, color=colour, label=verdict,
                   alpha=0.8)
    if len(d) > 2 and d["isbsh"].std() > 0:
        slope, intercept = np.polyfit(d["isbsh"], d["quality_index"], 1)
        xs = np.linspace(d["isbsh"].min(), d["isbsh"].max(), 50)
        ax.plot(xs, intercept + slope * xs, color="black", lw=1, label="линия тренда")
    flagged = d[d["verdict"] != WITHIN]
    flagged = flagged.reindex(flagged["value_added"].abs().sort_values(ascending=False).index)
    for _, r in flagged.head(max_labels).iterrows():
        ax.annotate(str(r[label]), (r["isbsh"], r["quality_index"]), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("ИСБШ")
    ax.set_ylabel("Индекс качества")
    ax.legend(frameon=False)
    ax.set_title("Качество подготовки и социальный контекст")
    return ax
