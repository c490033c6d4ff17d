"""How firmly each decision of the table 1 rule rests on its data (SPEC §4.10, item 6).

A group's share of «2» is a sample: with ``k`` of ``n`` participants failing, its true share
``p`` has the Jeffreys posterior Beta(k + ½, n − k + ½) (``low_results.certainty.prior`` = ½).
The group reaches the cut with probability P(p ≥ cut). The rule of seed 000 table 1 — at least
``min_assessments`` different assessments at the cut in the year, or the same assessment at the
cut ``consecutive_years`` years running — is then evaluated exactly (no simulation): groups are
independent, so for each school

    P(rule fails) = Σ over sets S of this year's failing assessments with |S| < m of
                    Π_{a∈S} q_a (1 − c_a) · Π_{a∉S} (1 − q_a),

where q_a is the probability that assessment ``a`` reaches the cut this year and c_a that it did
in each of the years before (a dynamic programme over the number of failing assessments).
``low_results_certainty`` = 1 − P(rule fails): the probability that the school would be listed.
Only eligible groups count (as in the rule); a group without a number of «2», or a year
without the group, counts as not reaching the cut. Close to 1: a firm «в списке»; close to 0: a
firm «не в списке»; in ``low_results.certainty.border``: «на границе».
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import beta

from shnor.identification.table1 import EPS, UNKNOWN


def fail_probability(k, n, cut: float, prior: float = 0.5) -> np.ndarray:
    """P(p ≥ cut) under the posterior Beta(k + prior, n − k + prior) of a group's share of «2»
    (the cut lowered by the rule's rounding tolerance)."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    # the groups of a region share few (k, n) pairs: the distribution is evaluated once per pair
    # (a pair with a missing count is missing, whichever it is)
    at, pairs = pd.factorize((k + 1j * n).ravel(), use_na_sentinel=False)
    p = beta.sf(cut - EPS, pairs.real + prior, pairs.imag - pairs.real + prior)
    return p[at].reshape(k.shape)


def rule_probability(q: np.ndarray, c: np.ndarray, m: int) -> np.ndarray:
    """P(at least ``m`` of the assessments fail, or one fails and its chain holds), per row of
    ``q`` (schools × assessments: probability of failing this year; 0 where there is none) and
    ``c`` (the same shape: probability that the earlier years of the chain failed)."""
    q = np.atleast_2d(np.asarray(q, dtype=float))
    c = np.atleast_2d(np.asarray(c, dtype=float))
    if m <= 0:
        return np.ones(len(q))
    # coef[:, j] = P(exactly j failing this year, none of them chained), j < m
    coef = np.zeros((len(q), m))
    coef[:, 0] = 1.0
    for a in range(q.shape[1]):
        stay, fail = 1.0 - q[:, a], q[:, a] * (1.0 - c[:, a])
        shifted = np.zeros_like(coef)
        shifted[:, 1:] = coef[:, :-1] * fail[:, None]
        coef = coef * stay[:, None] + shifted
    return np.clip(1.0 - coef.sum(axis=1), 0.0, 1.0)


def certainty_table(g: pd.DataFrame, low: pd.Series, year: int, params: dict) -> pd.DataFrame:
    """Per school of ``low`` (the year's code of the list by school_id, :mod:`.table1` codes):
    ``low_results_certainty`` and ``certainty_note`` (why it is empty). ``g``: the groups in
    the rule (:func:`shnor.identification.table1.scope_groups`) of ``year`` and the years
    before; only the table 1 method has a certainty."""
    lr = params["low_results"]
    ids = pd.Index(low.index, name="school_id")
    out = pd.DataFrame({"low_results_certainty": np.nan, "certainty_note": ""}, index=ids)
    if lr["method"] != "table1":
        out["certainty_note"] = ("уверенность рассчитывается только для правила таблицы 1 "
                                 f"(действующее правило: {lr['method']})")
        return out.reset_index()
    n_years = int(lr["consecutive_years"])
    years = list(range(int(year) - n_years + 1, int(year) + 1))
    rows = g[g["year"].isin(years) & g["eligible"] & g["share_fail"].notna()
             & (g["participants"] > 0)]
    p_fail = fail_probability(rows["n_fail"].to_numpy(float), rows["participants"].to_numpy(float),
                              float(lr["fail_share_min"]),
                              float(lr["certainty"]["prior"]))
    # an assessment fails in a year when any of its groups does
    keep = pd.DataFrame({"year": rows["year"].to_numpy(), "school_id": rows["school_id"].to_numpy(),
                         "assessment": rows["assessment"].to_numpy(),
                         "log_stay": np.log1p(-np.minimum(p_fail, 1 - 1e-15))})
    per = keep.groupby(["school_id", "assessment", "year"], sort=False)["log_stay"].sum()
    q_all = (1.0 - np.exp(per)).unstack("year").reindex(columns=years, fill_value=0.0).fillna(0.0)
    now = q_all[q_all[years[-1]] > 0] if len(q_all) else q_all
    chain = (now[years[:-1]].prod(axis=1) if len(years) > 1
             else pd.Series(0.0, index=now.index))
    q, c = now[years[-1]], chain
    school = q.index.get_level_values("school_id")
    codes, uniq = pd.factorize(school)
    width = int(np.bincount(codes).max()) if len(codes) else 0
    pos = pd.Series(codes).groupby(codes).cumcount().to_numpy()
    Q = np.zeros((len(uniq), width))
    C = np.zeros((len(uniq), width))
    Q[codes, pos] = q.to_numpy()
    C[codes, pos] = c.to_numpy()
    prob = pd.Series(rule_probability(Q, C, int(lr["min_assessments"])) if len(uniq) else [],
                     index=pd.Index(uniq, name="school_id"), dtype=float)
    out["low_results_certainty"] = prob.reindex(ids).fillna(0.0).to_numpy()
    undecided = low.reindex(ids).isna().to_numpy() | (low.reindex(ids) == UNKNOWN).to_numpy()
    out.loc[undecided, "low_results_certainty"] = np.nan
    out.loc[undecided, "certainty_note"] = "решение о списке не определено"
    return out.reset_index()


def borderline(certainty: pd.Series, params: dict) -> pd.Series:
    """Whether each certainty lies in ``low_results.certainty.border`` («на границе»)."""
    low, high = (float(x) for x in params["low_results"]["certainty"]["border"])
    c = pd.Series(certainty, dtype=float)
    return (c >= low - EPS) & (c <= high + EPS)
