"""Identification report (SPEC §4.2, issue 3): who is on the lists of the year, why, and how the
list changed.

Flags per school for the year: ``low_results`` (seed 000 table 1 by default; the ``yaroslavl``
and ``fioko`` profiles swap the rule, see :mod:`shnor.identification.oip` and :mod:`shnor.identification.fioko_tail`),
``risk_zone`` (seed 000 table 3), ``unfavourable`` (very low ИСБШ, seed 000 table 2; ШНСУ = low
results and unfavourable), ``persistent`` (on the list each of the last three years). A flag that
the data cannot decide is ``<NA>`` and the reasons say why. The same rules applied to the years
before give the list dynamics (entered / stayed / left / none) and the escalation of seed 001
(on the list a second year running).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from shnor.config import load_config
from shnor.errors import UserError
from shnor.indicators import rows_of_years, run_indicators
from shnor.identification.table1 import (
    NO,
    SY,
    UNKNOWN,
    YES,
    evidence,
    evidence_groups,
    risk_code,
    scope_groups,
    scope_text,
    table1_codes,
)
from shnor.analysis.shared import reuse
from shnor.identification.fioko_tail import vpr_tail_codes

FLAGS = ["low_results", "risk_zone", "unfavourable", "persistent"]
IDENTIFICATION_COLUMNS = ["school_id", "name", "municipality", *FLAGS, "reasons", "list_change"]
METHODS = ("table1", "oip", "fioko_tail")
CHANGE_LABELS = {"entered": "вошла в список", "stayed": "осталась в списке",
                 "left": "вышла из списка", "none": "не в списке"}
COMPARISON_LABELS = {"both": "в обоих списках", "official_only": "только в официальном",
                     "computed_only": "только в расчётном"}
FLAG_LABELS = {"low_results": "Низкие результаты", "risk_zone": "Зона риска",
               "unfavourable": "Неблагоприятные условия", "shnsu": "ШНСУ",
               "persistent": "Устойчиво низкие", "escalation": "Второй год подряд"}


def _bool(code) -> pd.Series:
    """Three-valued code → pandas nullable boolean (``<NA>`` = cannot be decided)."""
    code = pd.Series(code)
    return pd.Series(code.to_numpy() == YES, index=code.index, dtype="boolean").mask(code.eq(UNKNOWN))


def _on(flag: pd.Series) -> np.ndarray:
    """A nullable flag as a boolean array (<NA> = not set)."""
    return flag.fillna(False).to_numpy(dtype=bool)


def _join(parts: list[pd.Series], sep: str) -> pd.Series:
    """Join text columns element-wise, skipping empty pieces (vectorised)."""
    out = parts[0].fillna("").astype("str")
    for p in parts[1:]:
        p = p.fillna("").astype("str")
        out = out + pd.Series(sep, index=out.index).where((out != "") & (p != ""), "") + p
    return out


def _texts(frame: pd.DataFrame, index: pd.Index, by: str = "school_id") -> pd.Series:
    """«; »-joined ``text`` per school, aligned to ``index`` ("" where there is none)."""
    if frame.empty:
        return pd.Series("", index=index)
    # one Arrow list of texts per school, joined at once (a Python join per school is slow)
    codes, keys = frame[by].factorize()
    order = np.argsort(codes, kind="stable")
    order = order[codes[order] >= 0]
    offsets = np.concatenate([[0], np.cumsum(np.bincount(codes[order], minlength=len(keys)))])
    texts = pa.array(frame["text"].astype("str").array)
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    texts = texts.take(order)
    lists = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), texts)
    joined = pc.binary_join(lists, pa.scalar("; ", texts.type))
    return pd.Series(pd.array(joined, dtype="str"), index=keys).reindex(index, fill_value="")


def _grid_years(year: int, params: dict) -> list[int]:
    back = max(int(params["persistence"]["years"]), int(params["persistence"]["escalation_years"]), 2)
    return list(range(year - back + 1, year + 1))


class Decisions(NamedTuple):
    """Low results and risk zone over a grid of consecutive years (see :func:`run_decisions`)."""

    d: pd.DataFrame       # per year × school_id (every school of the grid): codes, status text
    groups: pd.DataFrame  # the groups in the rule that evidence can report (evidence_groups)
    rose: pd.DataFrame    # the groups whose share of «2» rose

    def covers(self, year: int, params: dict) -> bool:
        """Whether ``year`` and the years before that its flags look at are in the grid."""
        return set(_grid_years(year, params)) <= set(self.d.index.unique("year"))

    def evidence(self, year: int, params: dict) -> pd.DataFrame:
        return evidence(self.groups, self.d, self.rose, year, params)


DECISION_FRAMES = ("_decisions", "_decision_groups", "_decision_rose")  # see shnor.analysis.shared


def run_decisions(dataset, year: int, params: dict, computed: dict | None = None
                  ) -> tuple[Decisions, dict[str, pd.DataFrame]]:
    """The decisions of every year of the data up to ``year`` (with the years before the first
    that its flags look at), computed once per run: the identification report decides the
    report year from them and monitoring the earlier years. Returns them and the working frames
    to add to the report's tables (see :func:`shnor.analysis.shared.reuse`)."""
    def make():
        ind, _ = run_indicators(dataset, params, computed)
        first = min([y for y in dataset.years if y <= year], default=year)
        years = list(range(_grid_years(first, params)[0], year + 1))
        d, g, rose = _decisions(dataset, years, params, ind)
        return d, evidence_groups(g, params), rose

    frames, new = reuse(computed, DECISION_FRAMES, make)
    return Decisions(*frames), new


def _decisions(dataset, years: list[int], params: dict, ind: pd.DataFrame
               ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Low results and risk zone for every school of the dataset in ``years`` (consecutive):
    decisions indexed by year × school_id with codes low, risk, the table 1 components, method
    details and status text; the groups in the rule and the groups whose share of «2» rose,
    from which :func:`evidence` builds the reasons of any of those years. Every rule looks only
    at the year and the years before, so a year decides the same in any grid that holds it and
    its lookback. ``ind``: the indicators of all results (:func:`run_indicators`)."""
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
        from shnor.identification.oip import oip_codes  # here, not at the top: see _flags

        m = (oip_codes(g, ind, years, params) if method == "oip"
             else vpr_tail_codes(ind, years, params)).reindex(grid)
        low = m["low"]
        d["low_text"] = m["low_text"].fillna("")
        d = d.join(m.drop(columns=["low", "low_text"]))
    d["low"] = low.fillna(UNKNOWN).astype(np.int8)
    comps = d[["situational", "near_cut", "decline"]].fillna(UNKNOWN)
    d["risk"] = risk_code(d["low"], comps)
    d["status"] = _status(d, g, present, method, params)
    return d, g, rose


def identify_years(dataset, years, params: dict | None = None,
                   decisions: Decisions | None = None) -> dict[int, pd.DataFrame]:
    """:func:`identify` for each of ``years`` (year → table), deciding all of them in one pass
    over the data instead of once per year (monitoring needs the list of every year).
    ``decisions``: already computed ones (used when they cover all of ``years``)."""
    params = load_config() if params is None else params
    years = sorted({int(y) for y in years})
    if not years:
        return {}
    if decisions is None or not all(decisions.covers(y, params) for y in years):
        back = len(_grid_years(years[0], params))
        d, g, rose = _decisions(dataset, list(range(years[0] - back + 1, years[-1] + 1)), params,
                                run_indicators(dataset, params)[0])
        decisions = Decisions(d, evidence_groups(g, params), rose)
    # the evidence of a year reads the groups of that year and the years of the rule before it:
    # split once by year instead of filtering all groups for every year
    n = int(params["low_results"]["consecutive_years"])
    groups = dict(tuple(decisions.groups.groupby("year", sort=False)))
    rose = dict(tuple(decisions.rose.groupby("year", sort=False)))
    out = {}
    for y in years:
        near = [groups[k] for k in range(y - n + 1, y + 1) if k in groups]
        ev = evidence(pd.concat(near) if near else decisions.groups.iloc[:0], decisions.d,
                      rose.get(y, decisions.rose.iloc[:0]), y, params)
        out[y] = _flags(dataset, decisions.d, ev, y, params)[IDENTIFICATION_COLUMNS].copy()
    return out


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
    return _join([pd.Series(low_status, index=d.index), pd.Series(risk, index=d.index)], "; ")


def _consecutive(wide: pd.DataFrame, year: int, n: int) -> pd.Series:
    """Kleene «and» of the low-results codes of the last ``n`` years, per school (``wide``:
    the codes as school × year)."""
    return wide[[y for y in range(year - n + 1, year + 1)]].min(axis=1).astype(np.int8)


def _list_change(prev: pd.Series, cur: pd.Series) -> pd.Series:
    change = np.select([(prev == YES) & (cur == YES), (prev == NO) & (cur == YES),
                        (prev == YES) & (cur == NO), (prev == NO) & (cur == NO)],
                       ["stayed", "entered", "left", "none"], "")
    return pd.Series(change, index=cur.index, dtype="string").replace("", pd.NA)


def identification_tables(dataset, year: int, params: dict | None = None,
                          computed: dict | None = None) -> dict[str, pd.DataFrame]:
    """All tables of the identification report for ``year`` (one row per school where per school).

    Keys: ``identification`` (the SPEC output contract) and, prefixed ``identification_``:
    flags (the same with details: ШНСУ, escalation, ИСБШ, previous-year list, status), reasons
    (the groups behind each flag), municipalities (counts and shares), list_sizes (per year),
    dynamics (changes against the previous year), official (comparison with the official
    lists), undecided (what could not be decided and why).
    """
    params = load_config() if params is None else params
    year = int(year)
    _, shared = run_indicators(dataset, params, computed)
    dec, new = run_decisions(dataset, year, params, {**(computed or {}), **shared})
    d = dec.d
    ev = dec.evidence(year, params)
    flags = _flags(dataset, d, ev, year, params)
    ident = flags[IDENTIFICATION_COLUMNS].copy()

    return {
        "identification": ident,
        "identification_flags": flags,
        "identification_reasons": ev,
        "identification_municipalities": municipality_counts(flags),
        "identification_list_sizes": list_sizes(
            d[d.index.get_level_values("year").isin(_grid_years(year, params))]),
        "identification_dynamics": flags[["school_id", "name", "municipality", "low_results_prev",
                                          "low_results", "list_change", "status"]].copy(),
        "identification_official": official_comparison(flags, dataset.lists, year, params),
        "identification_undecided": flags.loc[flags["status"] != "", [
            "school_id", "name", "municipality", *FLAGS, "status"]].reset_index(drop=True),
        **shared, **new,
    }


def _flags(dataset, d: pd.DataFrame, ev: pd.DataFrame, year: int, params: dict) -> pd.DataFrame:
    """The flags table of ``year`` (one row per school) from the decisions ``d`` of a grid of
    years holding ``year`` and its lookback, and the evidence ``ev`` of ``year``."""
    schools = dataset.schools.set_index("school_id")
    sid = schools.index
    cur = d.xs(year, level="year").reindex(sid)
    low_prev = d.xs(year - 1, level="year")["low"].reindex(sid)
    pers = params["persistence"]
    wide = d["low"].unstack("year")
    persistent = _consecutive(wide, year, int(pers["years"])).reindex(sid)
    escalation = _consecutive(wide, year, int(pers["escalation_years"])).reindex(sid)

    # Imported here: scikit-learn (≈ 1 s) is needed to compute the lists, not to draw them in
    # the report notebook, which imports this module.
    from shnor.social.isbsh import compute_isbsh

    isb = compute_isbsh(dataset.social, year, params).set_index("school_id").reindex(sid)
    isb["isbsh_group"] = isb["isbsh_group"].astype("Int64")
    fav = unfavourable_code(isb, params)
    shnsu = np.minimum(cur["low"], fav)

    flags = pd.DataFrame({
        "name": schools["name"], "municipality": schools["municipality"],
        "low_results": _bool(cur["low"]), "risk_zone": _bool(cur["risk"]),
        "unfavourable": _bool(fav), "shnsu": _bool(shnsu), "persistent": _bool(persistent),
        "escalation": _bool(escalation), "low_results_prev": _bool(low_prev),
        "list_change": _list_change(low_prev, cur["low"]),
        "isbsh": isb["isbsh"], "isbsh_group": isb["isbsh_group"], "isbsh_level": isb["isbsh_level"],
    }, index=sid)
    for col in ("oip", "cluster", "cluster_rank", "cluster_size", "share_fail_vpr", "tail_rank"):
        if col in cur:
            flags[col] = cur[col]
    flags["status"] = _school_status(cur, d, fav, isb, persistent, low_prev, year, params)
    flags["reasons"] = _reasons(flags, cur, ev, year, params)
    return flags.reset_index()


def unfavourable_code(isbsh: pd.DataFrame, params: dict) -> pd.Series:
    """Seed 000 table 2: unfavourable social conditions = ИСБШ group at most
    ``unfavourable.isbsh_group_max`` (1–2, «очень низкий»). ``isbsh``: a table with column
    isbsh_group (any index); schools without a group cannot be decided."""
    group = isbsh["isbsh_group"]
    code = np.where(group.isna(), UNKNOWN,
                    np.where(group.fillna(0) <= params["unfavourable"]["isbsh_group_max"], YES, NO))
    return pd.Series(code.astype(np.int8), index=isbsh.index)


def identify(dataset, year: int, params: dict | None = None) -> pd.DataFrame:
    """The identification table of the SPEC output contract: one row per school of the dataset."""
    return identification_tables(dataset, year, params)["identification"]


def _school_status(cur, d, fav, isb, persistent, low_prev, year, params) -> pd.Series:
    """Everything that could not be decided for the school this year, in Russian."""
    n_pers = int(params["persistence"]["years"])
    social = np.where(fav.eq(UNKNOWN), np.where(
        isb["isbsh_status"].fillna("") != "",
        "неблагоприятные условия не определены: " + isb["isbsh_status"].fillna(""),
        f"нет социального паспорта за {year} год: неблагоприятные условия не определены"), "")
    change = np.where(low_prev.eq(UNKNOWN) & cur["low"].ne(UNKNOWN),
                      f"список {year - 1} года не определён: изменение списка не установлено", "")
    pers = np.where(persistent.eq(UNKNOWN) & cur["low"].ne(UNKNOWN),
                    f"не за все годы {year - n_pers + 1}–{year} есть решение: устойчивость не определена", "")
    parts = [cur["status"].fillna(""), pd.Series(social, index=cur.index),
             pd.Series(change, index=cur.index), pd.Series(pers, index=cur.index)]
    return _join(parts, "; ")


def _reasons(flags: pd.DataFrame, cur: pd.DataFrame, ev: pd.DataFrame, year: int,
             params: dict) -> pd.Series:
    """The human-readable reasons column: evidence of each flag, then what is undecided."""
    sid = flags.index
    method = params["low_results"]["method"]
    low_ev = ev[(ev["flag"] == "low_results") & ev["criterion"].isin(["fail", "earlier_year"])]
    if method == "table1":
        low_text = _texts(low_ev, sid)
    else:
        low_text = cur["low_text"].fillna("")
    low = ("Низкие результаты: " + low_text).where(_on(flags["low_results"]), "")
    risk_text = _texts(ev[ev["flag"] == "risk_zone"], sid)
    risk = ("Зона риска: " + risk_text).where(_on(flags["risk_zone"]), "")
    not_counted = _texts(ev[ev["criterion"] == "not_counted"], sid)
    not_counted = ("Не учтено: " + not_counted).where(not_counted != "", "")
    isb_text = ("ИСБШ " + flags["isbsh"].round(1).astype(str).str.replace(".", ",", regex=False)
                + ", группа " + flags["isbsh_group"].astype(str) + " (" + flags["isbsh_level"].fillna("") + ")")
    fav = ("Неблагоприятные социальные условия: " + isb_text).where(_on(flags["unfavourable"]), "")
    n_pers = int(params["persistence"]["years"])
    pers = pd.Series(np.where(flags["persistent"].fillna(False),
                              f"Устойчиво низкие: в списке {n_pers} года подряд "
                              f"({year - n_pers + 1}–{year})", ""), index=sid)
    esc = pd.Series(np.where(flags["escalation"].fillna(False) & ~flags["persistent"].fillna(False),
                             f"В списке {params['persistence']['escalation_years']}-й год подряд: "
                             "основание изменить формат сопровождения", ""), index=sid)
    pers = _join([pers, esc], ". ")
    status = ("Не определено: " + flags["status"]).where(flags["status"] != "", "")
    return _join([low, risk, not_counted, fav, pers, status], ". ")


def municipality_counts(flags: pd.DataFrame) -> pd.DataFrame:
    """Schools and flagged schools per municipality, with a «Всего» row for the region."""
    cols = ["low_results", "risk_zone", "unfavourable", "shnsu", "persistent"]
    f = flags[["municipality", *cols]].copy()
    f["undecided"] = flags["low_results"].isna()
    f[cols] = f[cols].fillna(False).astype(bool)
    by = f.groupby("municipality", sort=True)
    out = by[[*cols, "undecided"]].sum()
    out.insert(0, "schools", by.size())
    total = out.sum().to_frame().T
    total.index = pd.Index(["Всего"], name="municipality")
    out = pd.concat([out, total]).astype("int64")
    out["share_low_results"] = out["low_results"] / out["schools"]
    out["share_risk_zone"] = out["risk_zone"] / out["schools"]
    return out.reset_index()


def list_sizes(d: pd.DataFrame) -> pd.DataFrame:
    """Per year of the report: schools on the low-results list, in the risk zone, undecided."""
    low, risk = d["low"], d["risk"]
    out = pd.DataFrame({
        "low_results": low.eq(YES).groupby(level="year").sum(),
        "risk_zone": risk.eq(YES).groupby(level="year").sum(),
        "undecided": low.eq(UNKNOWN).groupby(level="year").sum(),
        "schools": low.groupby(level="year").size(),
    })
    out.index = out.index.astype(str)  # a label in tables, not a number to format as «2 024»
    return out.reset_index()


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
    both["comparison"] = pd.Series(kind, index=both.index).map(COMPARISON_LABELS)
    why_not = np.where(both["low_results"].isna(), "расчёт не определён: " + both["status"].fillna(""),
                       "правило не выполнено" + np.where(both["reasons"].fillna("") != "",
                                                         ". " + both["reasons"].fillna(""), ""))
    both["explanation"] = np.where(kind == "official_only", why_not, both["reasons"].fillna(""))
    return both[cols].sort_values(["list", "comparison", "school_id"]).reset_index(drop=True)


# Excel sheets and figures ---------------------------------------------------------------------

SHEET_HEADERS = {
    "school_id": "Код ОО", "name": "Школа", "municipality": "Муниципалитет",
    "low_results": "Низкие результаты", "risk_zone": "Зона риска",
    "unfavourable": "Неблагоприятные условия", "shnsu": "ШНСУ", "persistent": "Устойчиво низкие",
    "escalation": "В списке второй год подряд", "low_results_prev": "В списке прошлого года",
    "list_change": "Изменение списка", "isbsh": "ИСБШ", "isbsh_group": "Группа ИСБШ",
    "reasons": "Основания", "status": "Не определено", "list": "Официальный список",
    "official": "В официальном списке", "comparison": "Сравнение", "explanation": "Пояснение",
}


def _yes_no(s: pd.Series) -> pd.Series:
    return s.astype(object).map({True: "да", False: "нет"}).fillna("не определено")


def _sheet_frame(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame[columns].copy()
    for c in columns:
        if isinstance(out[c].dtype, pd.BooleanDtype) or out[c].dtype == bool:
            out[c] = _yes_no(out[c])
    if "list_change" in out:
        out["list_change"] = out["list_change"].map(CHANGE_LABELS).fillna("не определено")
    return out.rename(columns=SHEET_HEADERS)


def identification_sheets(tables: dict[str, pd.DataFrame]) -> list:
    """Excel sheets of the identification report (Russian headers)."""
    from shnor.io.writers import Sheet

    f = tables["identification_flags"]
    base = ["school_id", "name", "municipality"]
    on = {c: f[c].fillna(False).astype(bool) for c in ("low_results", "risk_zone", "shnsu", "persistent")}
    return [
        Sheet("Низкие результаты", _sheet_frame(f[on["low_results"]], [
            *base, "reasons", "list_change", "persistent", "unfavourable"])),
        Sheet("Зона риска", _sheet_frame(f[on["risk_zone"]], [*base, "reasons"])),
        Sheet("ШНСУ", _sheet_frame(f[on["shnsu"]], [*base, "isbsh", "isbsh_group", "reasons"])),
        Sheet("Устойчиво низкие", _sheet_frame(f[on["persistent"]], [*base, "reasons"])),
        Sheet("Изменения списка", _sheet_frame(f, [*base, "low_results_prev", "low_results",
                                                   "list_change", "status"])),
        Sheet("Сравнение с официальным списком", _sheet_frame(tables["identification_official"], [
            "list", "school_id", "name", "municipality", "official", "low_results", "comparison",
            "explanation"])),
    ]


def plot_municipality_counts(municipalities: pd.DataFrame):
    """Horizontal bars: share of schools on the low-results list and in the risk zone per
    municipality, with the regional share as a line."""
    import matplotlib.pyplot as plt

    from shnor.reporting.charts import LOW, PALETTE, REGION, percent_axis

    m = municipalities[municipalities["municipality"] != "Всего"].sort_values("share_low_results")
    region = municipalities.loc[municipalities["municipality"] == "Всего", "share_low_results"]
    fig, ax = plt.subplots(figsize=(9.0, max(3.0, 0.32 * len(m) + 1.2)))
    y = np.arange(len(m))
    ax.barh(y - 0.2, m["share_low_results"], height=0.4, color=LOW, label="Низкие результаты")
    ax.barh(y + 0.2, m["share_risk_zone"], height=0.4, color=PALETTE[1], label="Зона риска")
    if len(region):
        ax.axvline(float(region.iloc[0]), color=REGION, linestyle="--",
                   label="Низкие результаты, регион")
    ax.set_yticks(y, m["municipality"])
    percent_axis(ax, "x")
    ax.set_xlabel("Доля школ муниципалитета")
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right")
    ax.set_title("Школы в списках по муниципалитетам")
    fig.tight_layout()
    return fig


# What the notebook shows -----------------------------------------------------------------------

LIST_COLUMNS = {"school_id": "Код ОО", "name": "Школа", "municipality": "Муниципалитет",
                "reasons": "Основания"}


def school_list(flags: pd.DataFrame, flag: str) -> pd.DataFrame:
    """Schools with ``flag`` set (low_results, risk_zone, shnsu, persistent, escalation), for
    display: code, name, municipality, reasons."""
    return flags.loc[flags[flag].fillna(False).astype(bool), list(LIST_COLUMNS)].reset_index(drop=True)


def changed_schools(flags: pd.DataFrame) -> pd.DataFrame:
    """Schools that entered or left the list, with the change in Russian."""
    f = flags[flags["list_change"].isin(["entered", "left"])]
    out = f[["school_id", "name", "municipality", "list_change", "reasons"]].copy()
    out["list_change"] = out["list_change"].map(CHANGE_LABELS)
    return out.sort_values(["list_change", "municipality", "school_id"]).reset_index(drop=True)


def identification_summary(flags: pd.DataFrame, year: int) -> str:
    """One paragraph with the list sizes of the year, in Russian."""
    n = len(flags)
    on = {c: int(flags[c].fillna(False).sum())
          for c in ("low_results", "risk_zone", "shnsu", "persistent")}
    change = flags["list_change"].value_counts()
    undecided = int(flags["low_results"].isna().sum())
    return (f"По результатам {year} года из {n} школ {on['low_results']} "
            f"({_pct(on['low_results'], n)}) имеют низкие образовательные результаты, "
            f"{on['risk_zone']} — в зоне риска, {on['shnsu']} — ШНСУ (низкие результаты и очень "
            f"низкий ИСБШ), {on['persistent']} — устойчиво низкие. По сравнению с прошлым годом "
            f"в список вошли {int(change.get('entered', 0))}, вышли {int(change.get('left', 0))}, "
            f"остались {int(change.get('stayed', 0))}. Для {undecided} школ решение о списке не "
            "принято из-за недостатка данных (см. раздел «Что не удалось определить»).")


def _pct(k: int, n: int) -> str:
    return f"{100 * k / max(n, 1):.1f} %".replace(".", ",")
