"""What the school cards read, computed once for all schools: each school's results beside the
region's over the years, its lists, years on the list, differentiation and risk factors; and
which schools get a card (SPEC §5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.frames import id_sort_key, sort_codes
from shnor.indicators import ASSESSMENT, assessment_labels, regional_means
from shnor.io.contract import PROCEDURES
from shnor.monitoring.lists import FLAGS, consecutive_years
from shnor.monitoring.risk_profiles import FACTOR_COLUMNS, FACTOR_SHORT


def card_history(ind: pd.DataFrame, reg: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per school × year × assessment: the share of «2» beside the region's (``reg``:
    :func:`shnor.indicators.regional_means` of ``ind`` when already computed), what the card's
    history table shows; each school's rows together (a card kernel keeps them as they are)."""
    reg = regional_means(ind) if reg is None else reg
    out = ind[["year", "school_id", *ASSESSMENT, "share_fail"]].assign(
        share_fail_region=reg["share_fail"])
    out["assessment"] = assessment_labels(out)
    # order by school, procedure (as PROCEDURES lists them), grade, subject, year: a stable sort
    # on integer codes (sorting the text columns of every row is slow at national size)
    order = np.lexsort([out["year"].to_numpy(), sort_codes(out["subject"]),
                        out["grade"].to_numpy(), sort_codes(out["procedure"], PROCEDURES),
                        sort_codes(out["school_id"])])
    return out.take(order).drop(columns=list(ASSESSMENT)).reset_index(drop=True)


def card_profile(lists: pd.DataFrame, differentiation: pd.DataFrame | None,
                 matrix: pd.DataFrame, schools: pd.DataFrame, year: int, flag: str) -> pd.DataFrame:
    """One row per school of the dataset: flags and reasons of ``year``, years on the list,
    the differentiation results (when given) and the high-significance risk factors."""
    base = schools[[c for c in ("school_id", "name", "municipality", "locality", "school_type")
                    if c in schools]].copy()
    cur = lists[lists["year"] == year].drop(columns="year")
    out = base.merge(cur, on="school_id", how="left")
    runs = consecutive_years(lists, flag)
    out = out.merge(runs[runs["year"] == year].drop(columns="year"), on="school_id", how="left")
    out["years_on_list"] = out["years_on_list"].astype("Int64")
    out["on_any_list"] = out[list(FLAGS)].fillna(False).any(axis=1)
    if differentiation is not None:
        diff = differentiation.rename(columns={"status": "differentiation_status"})
        out = out.merge(diff, on="school_id", how="left")
    high = matrix.set_index("school_id")[FACTOR_COLUMNS]
    text = high.apply(lambda r: "; ".join(FACTOR_SHORT[i + 1] for i, v in enumerate(r)
                                          if v == "high"), axis=1)
    out["risk_factors_high"] = out["school_id"].map(text).astype("object").fillna("")
    out["risk_factors_high"] = out["risk_factors_high"].astype("str")
    for col in ("reasons", "list_change"):
        out[col] = out[col].astype("object").fillna("").astype("str")
    return out


def card_school_ids(tables: dict[str, pd.DataFrame], all_cards: bool = False) -> list[str]:
    """Schools that get a card: those on any list of the report year; every school with
    ``all_cards``."""
    prof = tables["card_profile"]
    ids = prof["school_id"] if all_cards else prof.loc[prof["on_any_list"], "school_id"]
    return sorted(ids.astype(str).tolist(), key=id_sort_key)
