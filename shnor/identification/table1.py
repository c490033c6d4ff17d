"""The low-results rule of seed 000 table 1 and the risk zone of table 3, for all years at once.

Decisions are three-valued codes: ``NO`` = 0, ``UNKNOWN`` = 1 (cannot be decided from the data),
``YES`` = 2. Kleene «and» is the minimum and «or» the maximum of codes, so a missing piece of
data only leaves a flag undecided when the known data do not settle it.

An *assessment* (the unit of «минимум в 2-х различных оценочных процедурах») is the combination
of the columns in ``low_results.assessment_key`` (procedure + grade + subject by default). A group
(one row of the indicators) is *eligible* to trigger the rule when it is reliable, or always when
``low_results.count_unreliable`` is set; ineligible failing groups are still reported.
"""

from __future__ import annotations

from functools import reduce
from typing import NamedTuple

import numpy as np
import pandas as pd

from shnor.errors import UserError
from shnor.indicators import ASSESSMENT, isin
from shnor.io.contract import PROCEDURE_LABELS, PROCEDURES, assessment_label

NO, UNKNOWN, YES = 0, 1, 2
EPS = 1e-9  # shares are ratios of counts: compare with the cut up to rounding error
SY = ["year", "school_id"]


def scope_groups(ind: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Indicator rows inside the rule (procedures × grades and subjects of ``low_results``).

    Adds ``assessment`` (the key of «one assessment»), ``eligible`` and ``label`` (Russian name).
    """
    lr = params["low_results"]
    key = list(lr["assessment_key"])
    if not key or any(k not in ASSESSMENT for k in key):
        raise UserError("Параметр low_results.assessment_key: ожидается непустой набор из "
                        f"{', '.join(ASSESSMENT)}; указано: {key}.")
    inside = pd.Series(False, index=ind.index)
    for proc, grades in lr["assessments"].items():
        inside |= (ind["procedure"] == proc) & ind["grade"].isin([int(gr) for gr in grades])
    g = ind[inside & ind["subject"].isin(lr["subjects"])].reset_index(drop=True)
    # Texts are built once per procedure × grade × subject and spread to the rows by code.
    combo, first = _combo_codes(g, ASSESSMENT)
    rep = g.iloc[first]
    assessment = reduce(lambda a, b: a + "|" + b, (rep[c].astype(str) for c in key))
    g["assessment"] = assessment.array.take(combo)
    g["eligible"] = g["reliable"] | bool(lr["count_unreliable"])
    labels = pd.array([assessment_label(p, gr, s)  # str even when empty
                       for p, gr, s in rep[ASSESSMENT].itertuples(index=False)], dtype="str")
    g["label"] = labels.take(combo)
    return g


def _combo_codes(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the code 0..n−1 of its combination of ``columns``, and the first row of each
    code (codes in order of first appearance)."""
    combined = np.zeros(len(frame), np.int64)
    for c in columns:
        codes, uniques = frame[c].factorize(use_na_sentinel=False)
        combined = combined * max(len(uniques), 1) + codes
    codes = pd.factorize(combined)[0].astype(np.int64)  # numbered by first appearance
    # a code appears first where the running maximum of the codes grows
    first = np.flatnonzero(np.diff(np.maximum.accumulate(codes), prepend=-1) > 0)
    return codes, first


def scope_text(params: dict) -> str:
    """«ВПР 5–8 кл., ОГЭ, ЕГЭ» — the procedures of the rule, for status texts."""
    parts = []
    for proc, grades in params["low_results"]["assessments"].items():
        grades = sorted(int(x) for x in grades)
        name = PROCEDURE_LABELS.get(proc, proc)
        if proc == "VPR" and grades:
            span = f"{grades[0]}–{grades[-1]}" if len(grades) > 1 else f"{grades[0]}"
            name += f" {span} кл."
        parts.append(name)
    return ", ".join(parts)


class _Keys(NamedTuple):
    """Sizes of the integer keys of :func:`_coded` and the ``_sy`` keys with any results."""

    ids: pd.Index        # school ids in code order (sorted: key order is (year, school_id) order)
    n_assessments: int   # codes of the ``assessment`` column
    n_rows: int          # codes of the procedure × grade × subject combinations
    present: np.ndarray  # ``_sy`` of the (year, school) pairs with any results


def _coded(g: pd.DataFrame, present: pd.MultiIndex) -> tuple[pd.DataFrame, _Keys]:
    """Integer keys for the rule (string keys are slow to group and merge at national size):
    ``g`` with ``_sy`` (year × school), ``_sya`` (× assessment) and ``_row`` (× procedure, grade,
    subject, for the year-on-year comparison). A key minus ``lag`` times its year step is the
    same school (and assessment) ``lag`` years earlier."""
    school, ids = g["school_id"].factorize(sort=True)
    assessment, a_uniques = g["assessment"].factorize()
    row, r_first = _combo_codes(g, ASSESSMENT)
    keys = _Keys(ids, max(len(a_uniques), 1), max(len(r_first), 1), np.array([], np.int64))
    sy = g["year"].to_numpy(np.int64) * len(ids) + school
    coded = g.assign(_sy=sy, _sya=sy * keys.n_assessments + assessment,
                     _row=sy * keys.n_rows + row)
    p_school = ids.get_indexer(present.get_level_values(1))
    p_year = present.get_level_values(0).to_numpy(np.int64)
    known = p_school >= 0
    return coded, keys._replace(present=p_year[known] * len(ids) + p_school[known])


def _sy_index(sy: np.ndarray, ids: pd.Index) -> pd.MultiIndex:
    """(year, school_id) index of ``_sy`` keys."""
    n_s = max(len(ids), 1)
    return pd.MultiIndex.from_arrays([pd.Index(sy // n_s, dtype="int64"), ids.take(sy % n_s)],
                                     names=SY)


def _states(g: pd.DataFrame, cut: float, keys: _Keys) -> pd.DataFrame:
    """Per year × school × assessment (``_sya``, with its ``_sy``): YES when an eligible group
    reaches ``cut``, UNKNOWN when an eligible group has no n_fail, NO otherwise."""
    fail = g["eligible"] & (g["share_fail"] >= cut - EPS)
    # a group nobody wrote (0 participants) cannot fail: only a missing n_fail is unknown
    unknown = g["eligible"] & g["share_fail"].isna() & (g["participants"] > 0)
    state = np.select([fail, unknown], [YES, UNKNOWN], NO).astype(np.int8)
    # grouped on _sya alone: it determines _sy (one integer key groups fastest)
    st = pd.Series(state, index=g.index).groupby(g["_sya"].to_numpy(), sort=False).max()
    sya = st.index.to_numpy(np.int64)
    return pd.DataFrame({"_sy": sya // keys.n_assessments, "_sya": sya, "state": st.to_numpy()})


def pattern_codes(g: pd.DataFrame, keys: _Keys, cut: float, params: dict) -> pd.DataFrame:
    """Seed 000 table 1 pattern at share ``cut`` per year × school that has eligible groups.

    ``g`` and ``keys`` as :func:`_coded` gives them; a school absent in an earlier year leaves the «same assessment N years running» branch
    undecided. Columns: n_fail and n_unknown (assessments at/over the cut, without n_fail),
    by_assessments, by_years, code.
    """
    lr = params["low_results"]
    m, n = int(lr["min_assessments"]), int(lr["consecutive_years"])
    n_s = len(keys.ids)
    # only the columns needed: filtering the string columns of ``g`` is what costs at scale
    st = _states(g.loc[g["eligible"], ["eligible", "share_fail", "participants", "_sya"]],
                 cut, keys)
    agg = (st.assign(n_fail=st["state"].eq(YES), n_unknown=st["state"].eq(UNKNOWN))
           .groupby("_sy")[["n_fail", "n_unknown"]].sum())
    agg["by_assessments"] = np.where(agg["n_fail"] >= m, YES,
                                     np.where(agg["n_fail"] + agg["n_unknown"] < m, NO, UNKNOWN))
    chain = st[st["state"] > NO].reset_index(drop=True)
    code = chain["state"].to_numpy()
    state = pd.Series(st["state"].to_numpy(), index=st["_sya"].to_numpy())
    for lag in range(1, n):
        # the same school and assessment ``lag`` years earlier: both keys shift by whole years
        prev = state.reindex(chain["_sya"].to_numpy() - lag * n_s * keys.n_assessments).to_numpy()
        seen = np.isin(chain["_sy"].to_numpy() - lag * n_s, keys.present)
        code = np.minimum(code, np.where(np.isnan(prev), np.where(seen, NO, UNKNOWN),
                                         np.nan_to_num(prev, nan=NO)))
    by_years = pd.Series(code, index=chain["_sy"].to_numpy()).groupby(level=0).max()
    agg["by_years"] = by_years.reindex(agg.index, fill_value=NO).astype(np.int8)
    agg["code"] = np.maximum(agg["by_assessments"], agg["by_years"]).astype(np.int8)
    agg.index = _sy_index(agg.index.to_numpy(), keys.ids)
    return agg


def decline_codes(g: pd.DataFrame, keys: _Keys, params: dict) -> tuple[pd.Series, pd.DataFrame]:
    """Marked decline against the calendar year before: share of «2» up by at least
    ``risk_zone.decline_increase`` in ``decline_min_assessments`` assessments (eligible both
    years). ``g`` and ``keys`` as :func:`_coded` gives them. Returns codes per year × school
    and the groups that rose."""
    rz = params["risk_zone"]
    step = len(keys.ids) * keys.n_rows  # one year later
    known = g.loc[g["eligible"] & g["share_fail"].notna(), ["_row", "_sy", "_sya", "share_fail"]]
    prev = pd.DataFrame({"_row": known["_row"].to_numpy() + step,
                         "share_fail_prev": known["share_fail"].to_numpy()})
    both = known.reset_index(names="_g").merge(prev, on="_row")
    up = both[both["share_fail"] - both["share_fail_prev"] >= rz["decline_increase"] - EPS]
    # the full rows of the groups that rose (a few), with last year's share
    rose = (g.loc[up["_g"]].set_axis(up.index)
            .assign(share_fail_prev=up["share_fail_prev"]))
    n = up.groupby("_sy")["_sya"].nunique()
    idx = np.unique(g.loc[g["eligible"], "_sy"].to_numpy())
    n = n.reindex(idx, fill_value=0)
    seen = np.isin(idx - len(keys.ids), keys.present)
    code = np.where(n >= rz["decline_min_assessments"], YES, np.where(seen, NO, UNKNOWN))
    rose = rose.drop(columns=["_sy", "_sya", "_row"])
    return pd.Series(code.astype(np.int8), index=_sy_index(idx, keys.ids)), rose


def table1_codes(g: pd.DataFrame, present: pd.MultiIndex, params: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Low results (seed 000 table 1) and risk-zone components per year × school with eligible
    groups: columns of :func:`pattern_codes` plus situational, near_cut, decline; and the
    groups whose share of «2» rose (see :func:`decline_codes`)."""
    lr, rz = params["low_results"], params["risk_zone"]
    coded, keys = _coded(g, present)
    out = pattern_codes(coded, keys, lr["fail_share_min"], params)
    out["situational"] = np.where(not rz["situational"], NO, np.where(
        out["n_fail"] >= 1, YES, np.where(out["n_unknown"] >= 1, UNKNOWN, NO))).astype(np.int8)
    lower = rz["fail_share_lower"]
    if lower is not None and lower < lr["fail_share_min"]:
        out["near_cut"] = pattern_codes(coded, keys, lower, params)["code"].reindex(out.index)
    else:
        out["near_cut"] = np.int8(NO)
    decline, rose = decline_codes(coded, keys, params)
    out["decline"] = decline.reindex(out.index)
    return out, rose


def risk_code(low: pd.Series, comp: pd.DataFrame) -> pd.Series:
    """Risk zone = not on the low-results list and (situational or near the cut or declining)."""
    any_comp = comp[["situational", "near_cut", "decline"]].max(axis=1)
    return np.minimum(YES - low, any_comp).astype(np.int8)


def percent_text(share: pd.Series, cut: float) -> pd.Series:
    """Whole percent, one decimal when rounding would put a share below the cut at the cut."""
    pct = share.astype(float) * 100
    whole = np.floor(pct + 0.5)
    tenth = (np.floor(pct * 10 + 0.5) / 10).astype(str).str.replace(".", ",", regex=False)
    text = whole.astype("Int64").astype(str)
    return text.where(~((share < cut - EPS) & (whole >= cut * 100 - EPS)), tenth) + " %"


def group_text(rows: pd.DataFrame, params: dict) -> pd.Series:
    """«ВПР, 6 класс, математика, 2024: не преодолели порог 41 % (17 из 41)» per group row,
    with a note for groups that do not count."""
    cut = params["low_results"]["fail_share_min"]
    text = (rows["label"] + ", " + rows["year"].astype(str) + ": не преодолели порог "
            + percent_text(rows["share_fail"], cut) + " ("
            + rows["n_fail"].astype("Int64").astype(str) + " из "
            + rows["participants"].astype("Int64").astype(str) + ")")
    note = (f" — менее {params['indicators']['min_participants']} участников, "
            "в правиле не учитывается")
    return text.where(rows["eligible"], text + note)


def evidence_groups(g: pd.DataFrame, params: dict) -> pd.DataFrame:
    """The rows of ``g`` that :func:`evidence` can report (share of «2» at least the lower of
    the cut and the risk-zone lower bound): filter once when building the evidence of many years."""
    lower = params["risk_zone"]["fail_share_lower"]
    cut = params["low_results"]["fail_share_min"]
    return g[g["share_fail"] >= min(cut, cut if lower is None else lower) - EPS]


def evidence(g: pd.DataFrame, codes: pd.DataFrame, rose: pd.DataFrame, year: int,
             params: dict) -> pd.DataFrame:
    """Machine-readable reasons for ``year``: the groups behind each flag of the table 1 rule.

    ``codes``: per year × school the final ``low`` and ``risk`` codes and the components of
    :func:`table1_codes`. ``criterion``: fail (at/over the cut in the year), not_counted
    (at/over the cut but too few participants), earlier_year (the same assessment over the cut
    in the years before), situational (the only failure of a risk-zone school), near_cut
    (between the risk-zone lower bound and the cut), decline (share of «2» rose).
    """
    lr, rz = params["low_results"], params["risk_zone"]
    cut = lr["fail_share_min"]
    n = int(lr["consecutive_years"])
    this = codes.xs(year, level="year") if year in codes.index.get_level_values(0) else codes.iloc[:0]
    listed = this.index[this["low"] == YES]
    over = g[g["share_fail"] >= cut - EPS]
    now = over[over["year"] == year]
    situational = (~isin(now["school_id"], listed)
                   & isin(now["school_id"], this.index[this["risk"] == YES]))
    rows = [now.assign(
        flag=np.where(situational & now["eligible"], "risk_zone", "low_results"),
        criterion=np.select([~now["eligible"], situational], ["not_counted", "situational"], "fail"))]
    failing_now = now.loc[now["eligible"], ["school_id", "assessment"]].drop_duplicates()
    chained = failing_now[isin(failing_now["school_id"], this.index[this["by_years"] == YES])]
    before = over[over["eligible"] & over["year"].between(year - n + 1, year - 1)]
    rows.append(before.merge(chained, on=["school_id", "assessment"])
                .assign(flag="low_results", criterion="earlier_year"))
    near_schools = this.index[(this["near_cut"] == YES) & (this["risk"] == YES)]
    lower = rz["fail_share_lower"]
    if lower is not None:
        near = g[(g["year"] == year) & g["eligible"] & (g["share_fail"] >= lower - EPS)
                 & (g["share_fail"] < cut - EPS) & isin(g["school_id"], near_schools)]
        rows.append(near.assign(flag="risk_zone", criterion="near_cut"))
    dec_schools = this.index[(this["decline"] == YES) & (this["risk"] == YES)]
    dec = rose[(rose["year"] == year) & isin(rose["school_id"], dec_schools)]
    rows.append(dec.assign(flag="risk_zone", criterion="decline"))
    ev = pd.concat(rows, ignore_index=True)
    if "share_fail_prev" not in ev:
        ev["share_fail_prev"] = np.nan
    ev["text"] = group_text(ev, params)
    is_dec = ev["criterion"].eq("decline")
    if is_dec.any():
        d = ev[is_dec]
        ev.loc[is_dec, "text"] = (d["label"] + ": доля не преодолевших порог выросла с "
                                  + percent_text(d["share_fail_prev"], -1.0) + " ("
                                  + (d["year"] - 1).astype(str) + ") до "
                                  + percent_text(d["share_fail"], -1.0) + " (" + d["year"].astype(str) + ")")
    ev = ev.rename(columns={"eligible": "counted"})
    cols = ["school_id", "year", "flag", "criterion", *ASSESSMENT, "participants", "n_fail",
            "share_fail", "share_fail_prev", "reliable", "counted", "text"]
    order = ev["procedure"].map({p: i for i, p in enumerate(PROCEDURES)})
    ev = ev.assign(_order=order).sort_values(["school_id", "flag", "year", "_order", "grade", "subject"])
    return ev[cols].reset_index(drop=True)
