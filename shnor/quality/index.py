"""Quality index, quality groups 1–11 and the per-assessment feature matrix (SPEC §4.4, §4.5).

For every assessment of the year (procedure × grade × subject, the grades of ``quality.grades``)
each result indicator is standardised over the schools with a reliable result; a school's
*assessment score* is the mean of its standardised indicators with signs (share_fail −,
share_quality +, mean_score +), skipping indicators it does not have. The quality index is the
mean of a school's assessment scores (each assessment counts once), scaled to 50 / 10 over the
schools and cut into groups as ИСБШ. A school needs ``quality.min_assessments`` reliable
assessments; otherwise it gets a status.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.indicators import ASSESSMENT
from shnor.io.contract import PROCEDURES, SUBJECTS, assessment_label
from shnor.social.isbsh import cut_groups, group_level

QUALITY_COLUMNS = ["school_id", "assessments", "quality_index", "quality_group", "quality_level",
                   "quality_status"]


def _zscore(values: pd.Series, groups: list[pd.Series]) -> pd.Series:
    g = values.groupby(groups)
    sd = g.transform("std", ddof=0)
    # A constant indicator within an assessment cannot separate schools: it contributes 0.
    return ((values - g.transform("mean")) / sd.where(sd > 0)).where(sd > 0, 0.0).where(
        values.notna())


def assessment_scores(indicators: pd.DataFrame, year: int, params: dict) -> pd.DataFrame:
    """Reliable results of ``year`` in the configured grades with a standardised ``score`` each.

    Columns: school_id, procedure, grade, subject, feature (key like ``VPR_6_math``),
    participants, share_fail, share_quality, mean_score, score.
    """
    p = params["quality"]
    d = indicators[(indicators["year"] == year) & indicators["reliable"].astype(bool)]
    allowed = pd.Series(False, index=d.index)
    for proc, grades in p["grades"].items():
        allowed |= (d["procedure"] == proc) & d["grade"].isin(grades)
    d = d[allowed]
    groups = [d[c] for c in ASSESSMENT]
    z = pd.DataFrame({c: sign * _zscore(d[c].astype(float), groups)
                      for c, sign in p["indicators"].items()})
    out = d[["school_id", *ASSESSMENT, "participants", "share_fail", "share_quality",
             "mean_score"]].copy()
    out["score"] = z.mean(axis=1)  # NaN only when the row has none of the indicators
    out = out[out["score"].notna()]
    out.insert(4, "feature", feature_keys(out))
    return out.reset_index(drop=True)


def feature_keys(frame: pd.DataFrame) -> pd.Series:
    return (frame["procedure"].astype(str) + "_" + frame["grade"].astype(str) + "_"
            + frame["subject"].astype(str))


def feature_label(key: str) -> str:
    """«ВПР, 6 класс, математика» for ``VPR_6_math``."""
    proc, grade, subject = key.split("_", 2)
    return assessment_label(proc, int(grade), subject)


def _feature_order(keys) -> list[str]:
    def rank(key: str):
        proc, grade, subject = key.split("_", 2)
        return (PROCEDURES.index(proc) if proc in PROCEDURES else 99, int(grade),
                SUBJECTS.index(subject) if subject in SUBJECTS else 99)
    return sorted(keys, key=rank)


def quality_index(indicators: pd.DataFrame, year: int, params: dict,
                  scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Quality index per school present in ``indicators`` (any year); columns QUALITY_COLUMNS."""
    p = params["quality"]
    scores = assessment_scores(indicators, year, params) if scores is None else scores
    schools = pd.Index(indicators["school_id"].unique(), name="school_id")
    g = scores.groupby("school_id")["score"]
    n = g.size().reindex(schools, fill_value=0)
    raw = g.mean().reindex(schools).where(n >= p["min_assessments"])
    sd = raw.std(ddof=0)
    index = p["mean"] + p["sd"] * (raw - raw.mean()) / sd if sd > 0 else raw * np.nan
    status = np.where(
        n >= p["min_assessments"], "",
        "индекс качества не рассчитан: надёжных результатов в " + n.astype(str)
        + f" оценочных процедурах (нужно не меньше {p['min_assessments']})")
    if not sd > 0 and raw.notna().any():
        status = np.where(status == "", "индекс качества не рассчитан: результаты школ "
                          "не различаются или школа одна", status)
    out = pd.DataFrame({"school_id": schools, "assessments": n.to_numpy(),
                        "quality_index": index.to_numpy(float)})
    out["quality_group"] = cut_groups(out["quality_index"], p["grouping"], p["n_groups"],
                                      p["band_sd"], p["mean"], p["sd"]).to_numpy()
    out["quality_level"] = group_level(out["quality_group"], p["level_upper_groups"]).to_numpy()
    out["quality_status"] = pd.array(status, dtype=str)
    return out[QUALITY_COLUMNS]


def quality_features(indicators: pd.DataFrame, year: int, params: dict,
                     scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """School × assessment matrix of assessment scores for clustering (index school_id).

    Only schools with at least ``quality.min_assessments`` reliable assessments, and only
    assessments that at least ``quality.feature_min_coverage`` of those schools have. Missing
    rule: an assessment a school does not have takes the school's own mean score over the
    assessments it has, so a gap neither raises nor lowers its profile (the school is placed by
    what it did take).
    """
    p = params["quality"]
    scores = assessment_scores(indicators, year, params) if scores is None else scores
    wide = scores.pivot_table(index="school_id", columns="feature", values="score",
                              aggfunc="mean")
    wide = wide[wide.notna().sum(axis=1) >= p["min_assessments"]]
    wide = wide.loc[:, wide.notna().mean() >= p["feature_min_coverage"]]
    wide = wide[_feature_order(wide.columns)]
    wide = wide[wide.notna().any(axis=1)]
    values = wide.to_numpy(float)
    filled = np.where(np.isnan(values), wide.mean(axis=1).to_numpy()[:, None], values)
    return pd.DataFrame(filled, index=wide.index, columns=list(wide.columns))
