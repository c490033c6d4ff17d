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
INDICATOR_COLUMNS = [
    *KEY, "participants", "n_fail", "share_fail", "share_success", "share_quality",
    "share_high", "mean_score", "reliable",
]


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


def regional_benchmarks(ind: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """Participant-weighted regional and municipal means per year × assessment.

    Returns one row per year × assessment × municipality plus rows with ``municipality`` = NaN
    for the whole region; columns share_fail, share_quality, mean_score, participants, schools.
    """
    d = ind.merge(schools[["school_id", "municipality"]], on="school_id", how="left")
    d = d.assign(
        w_fail=d["share_fail"] * d["participants"],
        w_quality=d["share_quality"] * d["participants"],
        w_score=d["mean_score"] * d["participants"],
        n_fail_known=d["participants"].where(d["share_fail"].notna(), 0),
        n_quality_known=d["participants"].where(d["share_quality"].notna(), 0),
        n_score_known=d["participants"].where(d["mean_score"].notna(), 0),
    )
    sums = ["w_fail", "w_quality", "w_score", "n_fail_known", "n_quality_known",
            "n_score_known", "participants"]

    # one grouping per level, distinct schools counted on integer codes (fast at national size)
    codes = d["school_id"].factorize()[0]
    d["_school"] = np.where(codes >= 0, codes, np.nan)  # a missing id is not a school

    def agg(by: list[str]) -> pd.DataFrame:
        grouped = d.groupby(by, dropna=False)
        g = grouped[sums].sum(min_count=1)
        g["schools"] = grouped["_school"].nunique()
        return g.reset_index()

    region = agg(["year", *ASSESSMENT]).assign(municipality=np.nan)
    muni = agg(["year", *ASSESSMENT, "municipality"])
    out = pd.concat([muni, region], ignore_index=True)
    out["share_fail"] = out["w_fail"] / out["n_fail_known"].replace(0, np.nan)
    out["share_quality"] = out["w_quality"] / out["n_quality_known"].replace(0, np.nan)
    out["mean_score"] = out["w_score"] / out["n_score_known"].replace(0, np.nan)
    return out[["year", *ASSESSMENT, "municipality", "share_fail", "share_quality",
                "mean_score", "participants", "schools"]]


def school_year_summary(ind: pd.DataFrame) -> pd.DataFrame:
    """School × year aggregates across assessments (participant-weighted), reliable groups only.

    Columns: year, school_id, assessments (reliable ones), participants, share_fail,
    share_quality, mean_fail_gap (mean over assessments of share_fail minus the regional share).
    """
    reg = regional_benchmarks(ind, pd.DataFrame({"school_id": ind["school_id"].unique(),
                                                 "municipality": np.nan}))
    reg = reg[reg["municipality"].isna()][["year", *ASSESSMENT, "share_fail"]]
    d = ind[ind["reliable"]].merge(reg, on=["year", *ASSESSMENT], suffixes=("", "_region"))
    d = d.assign(
        w_fail=d["share_fail"] * d["participants"],
        w_quality=d["share_quality"] * d["participants"],
        n_fail_known=d["participants"].where(d["share_fail"].notna(), 0),
        n_quality_known=d["participants"].where(d["share_quality"].notna(), 0),
        fail_gap=d["share_fail"] - d["share_fail_region"],
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
