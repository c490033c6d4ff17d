"""Yearly decisions of the low-results rule and the risk zone, for a grid of years at once.

The rule named by ``low_results.method`` decides each year × school (:mod:`.table1` — seed 000
table 1, the default; :mod:`.oip` — the ОИП of the ``yaroslavl`` profile; :mod:`.fioko_tail` —
the ВПР tail of the ``fioko`` profile); the risk zone (seed 000 table 3) follows from the table 1
components. Every rule looks only at the year and the years before it, so a year decides the
same in any grid that holds it and its lookback: the decisions are computed once per run and
read by identification (the report year) and monitoring (the years before).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from shnor.errors import UserError
from shnor.frames import join_texts
from shnor.identification.fioko_tail import vpr_tail_codes
from shnor.identification.oip import oip_codes
from shnor.identification.table1 import (
    SY,
    UNKNOWN,
    evidence,
    evidence_groups,
    risk_code,
    scope_groups,
    scope_text,
    table1_codes,
)
from shnor.indicators import rows_of_years

METHODS = ("table1", "oip", "fioko_tail")  # the values of low_results.method
# The rules other than table 1: (groups in the rule, indicators, years, params) -> per year ×
# school the code ``low``, its text ``low_text`` and the rule's own details. Table 1 itself is
# always computed: the risk zone is built from its components.
OTHER_RULES = {
    "oip": oip_codes,
    "fioko_tail": lambda g, ind, years, params: vpr_tail_codes(ind, years, params),
}


def grid_years(year: int, params: dict) -> list[int]:
    back = max(int(params["persistence"]["years"]), int(params["persistence"]["escalation_years"]), 2)
    return list(range(year - back + 1, year + 1))


class Decisions(NamedTuple):
    """Low results and risk zone over a grid of consecutive years (see :func:`run_decisions`)."""

    d: pd.DataFrame       # per year × school_id (every school of the grid): codes, status text
    groups: pd.DataFrame  # the groups in the rule that evidence can report (evidence_groups)
    rose: pd.DataFrame    # the groups whose share of «2» rose
    rule_groups: pd.DataFrame  # every group in the rule (scope_groups): certainty and funnels

    def covers(self, year: int, params: dict) -> bool:
        """Whether ``year`` and the years before that its flags look at are in the grid."""
        return set(grid_years(year, params)) <= set(self.d.index.unique("year"))

    def evidence(self, year: int, params: dict) -> pd.DataFrame:
        return evidence(self.groups, self.d, self.rose, year, params)


def decide_years(dataset, year: int, params: dict, ind: pd.DataFrame) -> Decisions:
    """The decisions of every year of the data up to ``year``, with the years before the first
    that its flags look at. ``ind``: the indicators of all results rows."""
    first = min([y for y in dataset.years if y <= year], default=year)
    years = list(range(grid_years(first, params)[0], year + 1))
    d, g, rose = _decisions(dataset, years, params, ind)
    return Decisions(d, evidence_groups(g, params), rose, g)


def _decisions(dataset, years: list[int], params: dict, ind: pd.DataFrame
               ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Low results and risk zone for every school of the dataset in ``years`` (consecutive):
    decisions indexed by year × school_id with codes low, risk, the table 1 components, method
    details and status text; the groups in the rule and the groups whose share of «2» rose,
    from which :func:`evidence` builds the reasons of any of those years. Every rule looks only
    at the year and the years before, so a year decides the same in any grid that holds it and
    its lookback. ``ind``: the indicators of all results rows."""
    method = params["low_results"]["method"]
    if method not in METHODS:
        raise UserError(f"Параметр low_results.method: неизвестное правило «{method}»; "
                        f"допустимы: {', '.join(METHODS)}.")
    ind = rows_of_years(ind, ind["year"] <= max(years))
    present = pd.MultiIndex.from_frame(ind[SY].drop_duplicates())
    g = scope_groups(ind, params)
    grid = pd.MultiIndex.from_product([years, dataset.schools["school_id"]], names=SY)
    comp, rose = table1_codes(g, present, params)
    d = comp.reindex(grid)
    d["low_text"] = ""
    if method == "table1":
        low = d["code"]
    else:
        m = OTHER_RULES[method](g, ind, years, params).reindex(grid)
        low = m["low"]
        d["low_text"] = m["low_text"].fillna("")
        d = d.join(m.drop(columns=["low", "low_text"]))
    d["low"] = low.fillna(UNKNOWN).astype(np.int8)
    comps = d[["situational", "near_cut", "decline"]].fillna(UNKNOWN)
    d["risk"] = risk_code(d["low"], comps)
    d["status"] = _status(d, g, present, method, params)
    return d, g, rose


def _status(d: pd.DataFrame, g: pd.DataFrame, present: pd.MultiIndex, method: str,
            params: dict) -> pd.Series:
    """Why low results / risk zone of a year could not be decided ("" when they could)."""
    y = d.index.get_level_values("year").to_numpy(np.int64)
    # (year, school) pairs as integers: MultiIndex.isin hashes tuples with text, slow at scale
    codes, ids = d.index.get_level_values("school_id").factorize()
    n = len(ids) + 1

    def pairs(years, schools) -> np.ndarray:
        pos = ids.get_indexer(schools)
        return np.where(pos >= 0, np.asarray(years, np.int64) * n + pos, -1)

    own = y * n + codes
    present_pairs = pairs(present.get_level_values(0), present.get_level_values(1))
    has = np.isin(own, present_pairs)
    prev_has = np.isin(own - n, present_pairs)
    in_scope = np.isin(own, pairs(g["year"], g["school_id"]))
    years, at = np.unique(y, return_inverse=True)

    def per_year(text) -> np.ndarray:
        """``text(year)`` for every row, formatted once per year."""
        return np.array([text(int(v)) for v in years] or [""], dtype=object)[at]

    n_min = params["indicators"]["min_participants"]
    n_years = int(params["low_results"]["consecutive_years"])
    scope = np.select(
        [~has, ~in_scope, d["code"].isna()],
        [per_year(lambda v: f"нет результатов за {v} год"),
         per_year(lambda v: f"нет результатов {scope_text(params)} по русскому языку и "
                            f"математике за {v} год"),
         per_year(lambda v: f"во всех группах {v} года меньше {n_min} участников")], "")
    if method == "table1":
        rule = np.select(
            [d["low"].eq(UNKNOWN) & (d["n_unknown"] > 0),
             d["low"].eq(UNKNOWN) & (d["n_unknown"].fillna(0) == 0)],
            [per_year(lambda v: f"не указано число не преодолевших порог для части процедур "
                                f"{v} года"),
             "нет результатов за предыдущие годы: правило «одна процедура " + str(n_years)
             + " года подряд» не проверено"], "")
    elif method == "oip":
        rule = np.where(d["low"].eq(UNKNOWN) & d["oip"].notna(),
                        "школа не попала в кластеризацию (мало надёжных результатов)", "")
    else:
        rule = np.where(d["low"].eq(UNKNOWN), "нет результатов ВПР по русскому языку и математике "
                        "за один из лет отбора", "")
    low_status = np.where(scope != "", scope, rule)
    risk = np.where(d["risk"].eq(UNKNOWN) & (low_status == "") & ~prev_has,
                    per_year(lambda v: f"нет результатов за {v - 1} год: снижение результатов "
                                       "не оценено"), "")
    return join_texts([pd.Series(low_status, index=d.index), pd.Series(risk, index=d.index)], "; ")
