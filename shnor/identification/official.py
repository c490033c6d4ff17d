"""The computed low-results list against the official lists of the year (SPEC §4.2).

Each official list in the ``lists`` table (ФИОКО, a regional project…) is compared with the
computed list: in both, only official, only computed — each school with the explanation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COMPARISONS = ("both", "official_only", "computed_only")  # in this order in the table

def official_comparison(flags: pd.DataFrame, lists: pd.DataFrame | None, year: int,
                        params: dict) -> pd.DataFrame:
    """Computed low-results list against each official list of the year: in both / only
    official / only computed, with the reasons for each school."""
    cols = ["list", "school_id", "name", "municipality", "official", "low_results",
            "comparison", "explanation"]
    list_year = year + int(params["low_results"]["official_list_year_offset"])
    if lists is None or not (lists["year"] == list_year).any():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    off = lists.loc[lists["year"] == list_year, ["list", "school_id"]].drop_duplicates()
    names = off[["list"]].drop_duplicates()
    listed = flags.loc[flags["low_results"].fillna(False), ["school_id"]]
    both = off.assign(official=True).merge(names.merge(listed, how="cross"),
                                           on=["list", "school_id"], how="outer")
    both["official"] = both["official"].fillna(False).astype(bool)
    info = flags.set_index("school_id")
    both = both.join(info[["name", "municipality", "low_results", "reasons", "status"]], on="school_id")
    on_list = both["low_results"].fillna(False).astype(bool)
    kind = np.select([both["official"] & on_list, both["official"]], ["both", "official_only"],
                     "computed_only")
    both["comparison"] = kind
    why_not = np.where(both["low_results"].isna(), "расчёт не определён: " + both["status"].fillna(""),
                       "правило не выполнено" + np.where(both["reasons"].fillna("") != "",
                                                         ". " + both["reasons"].fillna(""), ""))
    both["explanation"] = np.where(kind == "official_only", why_not, both["reasons"].fillna(""))
    rank = pd.Series(pd.Categorical(kind, categories=COMPARISONS, ordered=True), index=both.index)
    return (both.assign(_rank=rank).sort_values(["list", "_rank", "school_id"])[cols]
            .reset_index(drop=True))
