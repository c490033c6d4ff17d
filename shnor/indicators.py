"""Result indicators per school × year × assessment (SPEC §4.1).

An *assessment* is one procedure + grade + subject. Shares are of the participants:
``share_fail`` (did not pass the minimum threshold / mark «2»), ``share_success``
(успеваемость, mark ≥ 3), ``share_quality`` (качество знаний, marks 4–5), ``share_high``
(top marks: ``n_high`` when given, else mark «5»). A group is ``reliable`` when it has at least
``indicators.min_participants`` participants; unreliable groups are kept and flagged, not hidden.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ASSESSMENT = ["procedure", "grade", "subject"]
KEY = ["year", "school_id", *ASSESSMENT]


def compute_indicators(results: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Indicators for every row of the canonical ``results`` table (same rows, same order)."""
    r = results
    n = r["participants"].astype(float).where(lambda s: s > 0)
    share_fail = r["n_fail"] / n
    quality = (r["n_mark4"] + r["n_mark5"]) / n
    high = r["n_high"].where(r["n_high"].notna(), r["n_mark5"]) / n
    out = pd.DataFrame({
        **{c: r[c] for c in KEY},
        "participants": r["participants"],
        "n_fail": r["n_fail"],
        "share_fail": share_fail,
        "share_success": 1.0 - share_fail,
        "share_quality": quality,
        "share_high": high,
        "mean_score": r["mean_score"],
        "reliable": r["participants"] >= params["indicators"]["min_participants"],
    })
    return out.reset_index(drop=True)


def with_changes(ind: pd.DataFrame) -> pd.DataFrame:
    """Add the previous year's value and the change for share_fail, share_quality, mean_score.

    The previous year is the calendar year before; a gap year gives ``NaN``, never an older year.
    """
    cols = ["share_fail", "share_quality", "mean_score"]
    prev = ind[KEY + cols].copy()
    prev["year"] = prev["year"] + 1
    out = ind.merge(prev, on=KEY, how="left", suffixes=("", "_prev"))
    for c in cols:
        out[f"{c}_change"] = out[c] - out[f"{c}_prev"]
    return out


def _weights(ind: pd.DataFrame) -> dict[str, pd.Series]:
    """Participant-weighted sums behind the regional means (NaN shares carry no weight)."""
    n = ind["participants"]
    return {
        "w_fail": ind["share_fail"] * n,
        "w_quality": ind["share_quality"] * n,
        "w_score": ind["mean_score"] * n,
        "n_fail_known": n.where(ind["share_fail"].notna(), 0),
        "n_quality_known": n.where(ind["share_quality"].notna(), 0),
        "n_score_known": n.where(ind["mean_score"].notna(), 0),
    }


def _means(sums) -> dict:
    """share_fail, share_quality, mean_score from the weighted sums (a known weight of 0 → NaN)."""
    return {
        "share_fail": sums["w_fail"] / sums["n_fail_known"].replace(0, np.nan),
        "share_quality": sums["w_quality"] / sums["n_quality_known"].replace(0, np.nan),
        "mean_score": sums["w_score"] / sums["n_score_known"].replace(0, np.nan),
    }


def regional_benchmarks(ind: pd.DataFrame, schools: pd.DataFrame,
                        region_only: bool = False) -> pd.DataFrame:
    """Participant-weighted regional and municipal means per year × assessment.

    Returns one row per year × assessment × municipality plus rows with ``municipality`` = NaN
    for the whole region; columns share_fail, share_quality, mean_score, participants, schools.
    ``region_only`` returns the regional rows alone (``schools`` is then not read).
    """
    # Distinct schools are counted on integer codes, municipalities looked up once per school:
    # string keys over every row are what costs time at national size.
    codes, ids = ind["school_id"].factorize()
    d = pd.DataFrame({c: ind[c] for c in ["year", *ASSESSMENT, "participants"]})
    d = d.assign(**_weights(ind))
    sums = ["w_fail", "w_quality", "w_score", "n_fail_known", "n_quality_known",
            "n_score_known", "participants"]

    def agg(by: list[str]) -> pd.DataFrame:
        grouped = d.groupby(by, dropna=False)
        g = grouped[sums].sum(min_count=1)
        known = codes >= 0  # a missing id is not a school
        group = grouped.ngroup().to_numpy()[known]
        pairs = pd.unique(group * np.int64(max(len(ids), 1)) + codes[known])
        g["schools"] = np.bincount(pairs // max(len(ids), 1), minlength=len(g)).astype("int64")
        return g.reset_index()

    out = agg(["year", *ASSESSMENT]).assign(municipality=np.nan)
    if not region_only:
        lookup = schools.set_index("school_id")["municipality"]
        per_id = np.append(lookup.reindex(ids).to_numpy(dtype=object), np.nan)  # -1: no id
        d["municipality"] = pd.Series(per_id[codes], index=d.index, dtype=lookup.dtype)
        out = pd.concat([agg(["year", *ASSESSMENT, "municipality"]), out], ignore_index=True)
    out = out.assign(**_means(out))
    return out[["year", *ASSESSMENT, "municipality", "share_fail", "share_quality",
                "mean_score", "participants", "schools"]]


def regional_means(ind: pd.DataFrame) -> pd.DataFrame:
    """For every row of ``ind`` (same index): the regional share_fail, share_quality and
    mean_score of its year × assessment, as in the regional rows of :func:`regional_benchmarks`."""
    sums = ind.assign(**_weights(ind)).groupby(["year", *ASSESSMENT], dropna=False)[
        ["w_fail", "w_quality", "w_score", "n_fail_known", "n_quality_known", "n_score_known"]
    ].transform("sum", min_count=1)
    return pd.DataFrame(_means(sums), index=ind.index)


def school_year_summary(ind: pd.DataFrame) -> pd.DataFrame:
    """School × year aggregates across assessments (participant-weighted), reliable groups only.

    Columns: year, school_id, assessments (reliable ones), participants, share_fail,
    share_quality, mean_fail_gap (mean over assessments of share_fail minus the regional share;
    the regional share is over all groups, reliable or not).
    """
    reliable = ind["reliable"].to_numpy(dtype=bool)
    d = ind[reliable]
    d = d.assign(
        w_fail=d["share_fail"] * d["participants"],
        w_quality=d["share_quality"] * d["participants"],
        n_fail_known=d["participants"].where(d["share_fail"].notna(), 0),
        n_quality_known=d["participants"].where(d["share_quality"].notna(), 0),
        fail_gap=d["share_fail"] - regional_means(ind)["share_fail"].to_numpy()[reliable],
    )
    g = d.groupby(["year", "school_id"])
    out = pd.DataFrame({
        "assessments": g.size(),
        "participants": g["participants"].sum(),
        "share_fail": g["w_fail"].sum(min_count=1) / g["n_fail_known"].sum().replace(0, np.nan),
        "share_quality": g["w_quality"].sum(min_count=1)
        / g["n_quality_known"].sum().replace(0, np.nan),
        "mean_fail_gap": g["fail_gap"].mean(),
    }).reset_index()
    return out
