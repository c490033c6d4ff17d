"""The flags of one year per school and their reasons (SPEC §4.2; seed 000 tables 1–3).

``low_results`` (the rule of ``low_results.method``), ``risk_zone`` (seed 000 table 3),
``unfavourable`` (seed 000 table 2: very low ИСБШ; ШНСУ = low results and unfavourable),
``persistent`` (on the list each of the last ``persistence.years`` years) and ``escalation``
(seed 001: on the list a second year running). A flag the data cannot decide is ``<NA>`` and
the status says why; the reasons name the groups behind every flag that is set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from shnor.frames import join_texts
from shnor.identification.table1 import NO, UNKNOWN, YES

FLAGS = ["low_results", "risk_zone", "unfavourable", "persistent"]


IDENTIFICATION_COLUMNS = ["school_id", "name", "municipality", *FLAGS, "reasons", "list_change"]


def _bool(code) -> pd.Series:
    """Three-valued code → pandas nullable boolean (``<NA>`` = cannot be decided)."""
    code = pd.Series(code)
    return pd.Series(code.to_numpy() == YES, index=code.index, dtype="boolean").mask(code.eq(UNKNOWN))


def _on(flag: pd.Series) -> np.ndarray:
    """A nullable flag as a boolean array (<NA> = not set)."""
    return flag.fillna(False).to_numpy(dtype=bool)


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


def _consecutive(wide: pd.DataFrame, year: int, n: int) -> pd.Series:
    """Kleene «and» of the low-results codes of the last ``n`` years, per school (``wide``:
    the codes as school × year)."""
    return wide[[y for y in range(year - n + 1, year + 1)]].min(axis=1).astype(np.int8)


def _list_change(prev: pd.Series, cur: pd.Series) -> pd.Series:
    change = np.select([(prev == YES) & (cur == YES), (prev == NO) & (cur == YES),
                        (prev == YES) & (cur == NO), (prev == NO) & (cur == NO)],
                       ["stayed", "entered", "left", "none"], "")
    return pd.Series(change, index=cur.index, dtype="string").replace("", pd.NA)


def year_flags(dataset, d: pd.DataFrame, ev: pd.DataFrame, isbsh: pd.DataFrame, year: int,
               params: dict) -> pd.DataFrame:
    """The flags table of ``year`` (one row per school) from the decisions ``d`` of a grid of
    years holding ``year`` and its lookback, the evidence ``ev`` of ``year`` and the ИСБШ table
    of ``year`` (:func:`shnor.social.isbsh.fit_isbsh`)."""
    schools = dataset.schools.set_index("school_id")
    sid = schools.index
    cur = d.xs(year, level="year").reindex(sid)
    low_prev = d.xs(year - 1, level="year")["low"].reindex(sid)
    pers = params["persistence"]
    wide = d["low"].unstack("year")
    persistent = _consecutive(wide, year, int(pers["years"])).reindex(sid)
    escalation = _consecutive(wide, year, int(pers["escalation_years"])).reindex(sid)

    isb = isbsh.set_index("school_id").reindex(sid)
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
    return join_texts(parts, "; ")


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
    pers = join_texts([pers, esc], ". ")
    status = ("Не определено: " + flags["status"]).where(flags["status"] != "", "")
    return join_texts([low, risk, not_counted, fav, pers, status], ". ")
