"""The ФИОКО-style selection (profile ``fioko``): the bottom tail of the region on ВПР in Russian
and mathematics in each of several consecutive years (seed 000 §2 on the «500+» selection,
seed 001 for ВПР 4–8). The school's ВПР result of a year is the pooled share of «2» over its
eligible groups; the tail is the ``tail_share`` of ranked schools with the highest share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.identification.table1 import NO, SY, UNKNOWN, YES


def vpr_tail_codes(ind: pd.DataFrame, years, params: dict) -> pd.DataFrame:
    """Per year × school with ranked ВПР results: share_fail_vpr, tail_rank, ranked, in_tail,
    low (in the tail in each of ``fioko_tail.years`` years up to the year), low_text."""
    p = params["low_results"]["fioko_tail"]
    count_small = bool(params["low_results"]["count_unreliable"])
    v = ind[(ind["procedure"] == "VPR") & ind["subject"].isin(p["subjects"])
            & ind["grade"].isin(p["grades"]) & (ind["reliable"] | count_small)
            & ind["share_fail"].notna()]
    s = v.groupby(SY)[["n_fail", "participants"]].sum()
    s["share_fail_vpr"] = s["n_fail"] / s["participants"]
    by_year = s.groupby(level="year")["share_fail_vpr"]
    s["tail_rank"] = by_year.rank(ascending=False, method="min").astype("int64")
    s["ranked"] = by_year.transform("size")
    s["in_tail"] = s["tail_rank"] <= np.maximum(1, np.floor(p["tail_share"] * s["ranked"] + 1e-9))
    tail = pd.Series(np.where(s["in_tail"], YES, NO).astype(np.int8), index=s.index)
    out = s.loc[s.index.get_level_values("year").isin(years),
                ["share_fail_vpr", "tail_rank", "ranked", "in_tail"]].copy()
    code = np.full(len(out), YES, dtype=np.int8)
    y, school = out.index.get_level_values(0), out.index.get_level_values(1)
    for lag in range(int(p["years"])):
        idx = pd.MultiIndex.from_arrays([y - lag, school])
        code = np.minimum(code, tail.reindex(idx).fillna(UNKNOWN).to_numpy())
    out["low"] = code.astype(np.int8)
    pct = (out["share_fail_vpr"] * 100).round().astype("int64").astype(str)
    out["low_text"] = ("ВПР, русский язык и математика: доля «2» " + pct + " %, место "
                       + out["tail_rank"].astype(str) + " из " + out["ranked"].astype(str)
                       + " школ региона" + np.where(out["in_tail"], f" (нижние {p['tail_share']:.0%})", "")
                       + np.where(out["low"] == YES, f", {int(p['years'])} года подряд в нижней части", ""))
    return out
