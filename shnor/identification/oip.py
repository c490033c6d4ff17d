"""ОИП — the integral indicator of the Yaroslavl profile (seed 002) and its low-results rule.

Seed 002 counts a school as ШНОР when its «общий интегральный показатель» is below 36 and it is
in the bottom rows of the rank table inside its cluster, without giving the formula. shnor
defines ОИП on a 0–100 scale as the mean percentile rank of the school among the schools that
took the same assessment (procedure × grade × subject) in the year, over the indicators of
``low_results.oip.indicators`` (успеваемость and качество знаний by default) and over the
school's eligible assessments. 50 is the typical school; below 36 means the school sits, on
average over its assessments, in the lower third of the region. Percentile ranks need no
assumption about the distribution and make different assessments comparable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.identification.table1 import NO, SY, UNKNOWN, YES
from shnor.indicators import ASSESSMENT
from shnor.quality.clustering import IROClustering
from shnor.quality.index import quality_features


def oip_scores(g: pd.DataFrame, params: dict) -> pd.DataFrame:
    """ОИП per year × school from the eligible groups ``g`` (see :func:`shnor.identification.table1.scope_groups`).

    Percentile rank of a group = (average rank − 0.5) / number of ranked groups × 100.
    Returns columns year, school_id, oip, oip_assessments.
    """
    d = g[g["eligible"]]
    by = [d["year"], *(d[c] for c in ASSESSMENT)]
    pct = pd.DataFrame({
        c: (d[c].groupby(by).rank(method="average") - 0.5) / d[c].groupby(by).transform("count") * 100
        for c in params["low_results"]["oip"]["indicators"]
    })
    per_group = d[SY].assign(score=pct.mean(axis=1)).dropna(subset=["score"])
    grouped = per_group.groupby(SY)["score"]
    return pd.DataFrame({"oip": grouped.mean(), "oip_assessments": grouped.size()}).reset_index()


def school_clusters(ind: pd.DataFrame, years, params: dict) -> pd.DataFrame:
    """ИРО clusters (1 = lowest quality) per year for the schools with quality features."""
    c = params["clustering"]
    frames = []
    for year in years:
        X = quality_features(ind, year, params)
        if len(X) < c["n_clusters"]:
            continue
        model = IROClustering.from_params(params)
        frames.append(pd.DataFrame({"year": year, "school_id": X.index.to_numpy(),
                                    "cluster": model.fit(X.to_numpy()).labels_}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        {"year": pd.Series(dtype="int64"), "school_id": pd.Series(dtype=str),
         "cluster": pd.Series(dtype="int64")})


def oip_codes(g: pd.DataFrame, ind: pd.DataFrame, years, params: dict) -> pd.DataFrame:
    """Yaroslavl rule per year × school with ОИП: ОИП below the cut and in the bottom
    ``cluster_bottom_share`` of the ОИП ranking inside the school's cluster.

    Columns oip, oip_assessments, cluster, cluster_rank, cluster_size, low, low_text.
    """
    p = params["low_results"]["oip"]
    d = oip_scores(g[g["year"].isin(years)], params).merge(
        school_clusters(ind, years, params), on=SY, how="left")
    ranked = d[d["cluster"].notna()]
    grp = ranked.groupby(["year", "cluster"])["oip"]
    d["cluster_rank"] = grp.rank(method="max", ascending=False).reindex(d.index).astype("Int64")
    d["cluster_size"] = grp.transform("size").reindex(d.index).astype("Int64")
    d["cluster"] = d["cluster"].astype("Int64")
    # Rank 1 = the highest ОИП; the bottom rows are the last ones of the rank table.
    bottom = (d["cluster_size"] - d["cluster_rank"] + 1) <= np.ceil(p["cluster_bottom_share"] * d["cluster_size"])
    below = d["oip"] < p["cut"]
    d["low"] = np.where(~below, NO, np.where(d["cluster"].isna(), UNKNOWN,
                                             np.where(bottom.fillna(False), YES, NO))).astype(np.int8)
    oip_txt = d["oip"].round(1).astype(str).str.replace(".", ",", regex=False)
    place = (", место " + d["cluster_rank"].astype(str) + " из " + d["cluster_size"].astype(str)
             + " в кластере " + d["cluster"].astype(str))
    d["low_text"] = ("ОИП " + oip_txt + np.where(below, f" (ниже {p['cut']})", "")
                     + place.where(d["cluster"].notna(), ", кластер не определён"))
    return d.set_index(SY)
