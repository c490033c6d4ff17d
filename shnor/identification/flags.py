"""The flags of one year per school and their reasons (SPEC §4.2; seed 000 tables 1–3).

``low_results`` (the rule of ``low_results.method``), ``risk_zone`` (seed 000 table 3),
``unfavourable`` and ``shnsu`` (seed 000 table 2, by ``unfavourable.rule``: by default the
published list of table 2 — the «неблагополучные» of table 7, ИСБШ group ≤
``typology.isbsh_low_max`` and quality group ≤ ``typology.quality_low_max``; ``isbsh_group``:
the prose of table 2, ИСБШ group ≤ ``unfavourable.isbsh_group_max`` and ШНСУ = low results and
unfavourable), ``persistent`` (on the list each of the last ``persistence.years`` years),
``escalation`` (seed 001: on the list a second year running) and ``support_table`` (seed 000
tables 1–3 by the school's type, for schools on a programme list: :mod:`.support`). A flag the
data cannot decide is ``<NA>`` and the status says why; the reasons name the groups behind every
flag that is set.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from shnor.errors import UserError
from shnor.frames import join_texts
from shnor.identification.support import decide_support, programme_membership
from shnor.identification.table1 import NO, UNKNOWN, YES
from shnor.school_typology import typology

FLAGS = ["low_results", "risk_zone", "unfavourable", "persistent"]
UNFAVOURABLE_RULES = ("typology", "isbsh_group")  # unfavourable.rule: seed 000 table 2 readings
QUALITY_COLUMNS = ["quality_index", "quality_group", "quality_level", "quality_status"]


IDENTIFICATION_COLUMNS = ["school_id", "name", "municipality", *FLAGS, "reasons", "list_change",
                          "support_table", "low_results_certainty"]


# The parts of the reasons column (:func:`_reasons`), each «<head>…: <text>», joined by «. ».
REASON_HEADS = ("Низкие результаты", "Зона риска", "Не учтено",
                "Неблагоприятные социальные условия", "ШНСУ", "Программа поддержки",
                "Устойчиво низкие", "В списке", "Не определено")
_NEXT_PART = "|".join(map(re.escape, REASON_HEADS))


def reason_part(reasons: pd.Series, head: str) -> pd.Series:
    """The text of the part ``head`` (one of :data:`REASON_HEADS`) of each reasons text,
    without its head ("" where the school has no such part): e.g. the evidence of the
    low-results list alone, for a table of that list."""
    pattern = (rf"(?:^|\. ){re.escape(head)}[^:.]*: (.*?)(?=\. (?:{_NEXT_PART})[^:.]*: |$)")
    return (reasons.fillna("").astype(str).str.extract(pattern, expand=False)
            .fillna("").astype(str))


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
               params: dict, quality: pd.DataFrame | None = None,
               certainty: pd.DataFrame | None = None) -> pd.DataFrame:
    """The flags table of ``year`` (one row per school) from the decisions ``d`` of a grid of
    years holding ``year`` and its lookback, the evidence ``ev`` of ``year``, the ИСБШ table
    of ``year`` (:func:`shnor.social.isbsh.fit_isbsh`) and its quality table (columns
    school_id, quality_index, quality_group, quality_level, quality_status:
    :meth:`shnor.quality.index.QualityIndex.transform`; ``None``: no quality groups, so no
    type of table 7); ``certainty``: :func:`shnor.identification.certainty.certainty_table`
    of ``year`` (``None``: the certainty column empty, with the reason in ``certainty_note``)."""
    unfavourable_rule(params)  # an unknown rule stops here, before any work
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
    qual = _quality_of(quality, sid)
    fav = unfavourable_code(isb, params)
    shnsu = shnsu_code(isb["isbsh_group"], qual["quality_group"], cur["low"], params)
    kind = typology(isb["isbsh_group"], qual["quality_group"], params["typology"])

    flags = pd.DataFrame({
        "name": schools["name"], "municipality": schools["municipality"],
        "low_results": _bool(cur["low"]), "risk_zone": _bool(cur["risk"]),
        "unfavourable": _bool(fav), "shnsu": _bool(shnsu), "persistent": _bool(persistent),
        "escalation": _bool(escalation), "low_results_prev": _bool(low_prev),
        "list_change": _list_change(low_prev, cur["low"]),
        "isbsh": isb["isbsh"], "isbsh_group": isb["isbsh_group"], "isbsh_level": isb["isbsh_level"],
        "quality_index": qual["quality_index"], "quality_group": qual["quality_group"],
        "quality_level": qual["quality_level"], "typology": kind,
    }, index=sid)
    for col in ("oip", "cluster", "cluster_rank", "cluster_size", "share_fail_vpr", "tail_rank"):
        if col in cur:
            flags[col] = cur[col]
    member = programme_membership(flags.reset_index(), dataset.lists, year, params)
    member.index = sid
    support = decide_support(member["on_list"], kind, member["lists"],
                             _missing_groups(isb, qual, year))
    flags["support_table"] = support["support_table"]
    flags["support_lists"] = member["lists"]
    if certainty is None:
        flags["low_results_certainty"] = np.nan
        flags["certainty_note"] = "уверенность решения не рассчитана"
    else:
        cert = certainty.set_index("school_id").reindex(sid)
        flags["low_results_certainty"] = cert["low_results_certainty"].astype(float)
        flags["certainty_note"] = cert["certainty_note"].fillna("уверенность решения не "
                                                                "рассчитана").astype(str)
    flags["status"] = _school_status(cur, d, fav, shnsu, isb, qual, persistent, low_prev, year,
                                     params, support["support_status"])
    flags["reasons"] = _reasons(flags, cur, ev, year, params, support["support_text"])
    return flags.reset_index()


def unfavourable_rule(params: dict) -> str:
    """``unfavourable.rule``, checked (a Russian UserError for an unknown value)."""
    rule = params["unfavourable"].get("rule", "typology")
    if rule not in UNFAVOURABLE_RULES:
        raise UserError(f"Параметр unfavourable.rule: неизвестное правило «{rule}»; допустимы: "
                        "typology (неблагополучные по таблице 7, как опубликованный список "
                        "таблицы 2), isbsh_group (группа ИСБШ не выше unfavourable.isbsh_group_max).")
    return rule


def _at_most(group: pd.Series, cut) -> pd.Series:
    """Three-valued code of «group ≤ cut» (a missing group cannot be decided)."""
    group = pd.Series(group).astype("Float64")
    code = np.where(group.isna(), UNKNOWN, np.where(group.fillna(0) <= float(cut), YES, NO))
    return pd.Series(code.astype(np.int8), index=group.index)


def unfavourable_code(isbsh: pd.DataFrame, params: dict) -> pd.Series:
    """Seed 000 table 2: unfavourable social conditions by ``unfavourable.rule`` — ``typology``
    (default): ИСБШ group at most ``typology.isbsh_low_max`` (4: «низкий» and «очень низкий», the
    ИСБШ of the schools the seed lists in table 2); ``isbsh_group``: at most
    ``unfavourable.isbsh_group_max`` (1–2, the table's words «ИСБШ очень низкий»). ``isbsh``: a
    table with column isbsh_group (any index); schools without a group cannot be decided."""
    if unfavourable_rule(params) == "typology":
        cut = params["typology"]["isbsh_low_max"]
    else:
        cut = params["unfavourable"]["isbsh_group_max"]
    return _at_most(isbsh["isbsh_group"], cut)


def shnsu_code(isbsh_group: pd.Series, quality_group: pd.Series, low: pd.Series,
               params: dict) -> pd.Series:
    """ШНСУ (seed 000 table 2) as a three-valued code per school, by ``unfavourable.rule``:
    ``typology`` — the school is «неблагополучная» of table 7 (ИСБШ group ≤
    ``typology.isbsh_low_max`` and quality group ≤ ``typology.quality_low_max``); ``isbsh_group``
    — low results (``low``, the code of the list) and ИСБШ group ≤
    ``unfavourable.isbsh_group_max``. Kleene «and»: a missing group leaves ШНСУ undecided unless
    the known half already excludes it (e.g. a high ИСБШ group)."""
    isbsh_group = pd.Series(isbsh_group)
    fav = unfavourable_code(pd.DataFrame({"isbsh_group": isbsh_group}), params)
    if unfavourable_rule(params) == "typology":
        other = _at_most(pd.Series(quality_group, index=isbsh_group.index),
                         params["typology"]["quality_low_max"])
    else:
        other = pd.Series(np.asarray(low, dtype=np.int8), index=isbsh_group.index)
    return np.minimum(fav, other).astype(np.int8)


def _quality_of(quality: pd.DataFrame | None, sid: pd.Index) -> pd.DataFrame:
    """The quality table aligned to the schools ``sid`` (missing schools: empty values)."""
    if quality is None:
        quality = pd.DataFrame({"school_id": pd.Series(dtype=str)})
    q = quality.set_index("school_id").reindex(sid)
    out = pd.DataFrame(index=sid)
    out["quality_index"] = q["quality_index"].astype(float) if "quality_index" in q else np.nan
    out["quality_group"] = (q["quality_group"] if "quality_group" in q
                            else pd.Series(pd.NA, index=sid)).astype("Int64")
    out["quality_level"] = (q["quality_level"] if "quality_level" in q
                            else pd.Series(pd.NA, index=sid, dtype=object))
    out["quality_status"] = (q["quality_status"] if "quality_status" in q
                             else pd.Series(pd.NA, index=sid, dtype=object))
    out["has_row"] = sid.isin(quality["school_id"])
    return out


def _school_status(cur, d, fav, shnsu, isb, qual, persistent, low_prev, year, params,
                   support_status) -> pd.Series:
    """Everything that could not be decided for the school this year, in Russian."""
    n_pers = int(params["persistence"]["years"])
    social = np.where(fav.eq(UNKNOWN), np.where(
        isb["isbsh_status"].fillna("") != "",
        "неблагоприятные условия не определены: " + isb["isbsh_status"].fillna(""),
        f"нет социального паспорта за {year} год: неблагоприятные условия не определены"), "")
    if unfavourable_rule(params) == "typology":
        why = _missing_groups(isb, qual, year)
    else:
        why = join_texts([pd.Series(np.where(cur["low"].eq(UNKNOWN),
                                             "не решено, низкие ли результаты", ""), index=cur.index),
                          pd.Series(np.where(isb["isbsh_group"].isna(), "нет группы ИСБШ", ""),
                                    index=cur.index)], ", ")
    shnsu_text = np.where(shnsu.eq(UNKNOWN), "ШНСУ не определена: " + why, "")
    change = np.where(low_prev.eq(UNKNOWN) & cur["low"].ne(UNKNOWN),
                      f"список {year - 1} года не определён: изменение списка не установлено", "")
    pers = np.where(persistent.eq(UNKNOWN) & cur["low"].ne(UNKNOWN),
                    f"не за все годы {year - n_pers + 1}–{year} есть решение: устойчивость не определена", "")
    parts = [cur["status"].fillna(""), pd.Series(social, index=cur.index),
             pd.Series(shnsu_text, index=cur.index), support_status,
             pd.Series(change, index=cur.index), pd.Series(pers, index=cur.index)]
    return join_texts(parts, "; ")


def _missing_groups(isb: pd.DataFrame, qual: pd.DataFrame, year: int) -> pd.Series:
    """Which of the groups of table 7 a school lacks and why («нет группы ИСБШ; нет группы
    качества (…)»), "" when it has both."""
    no_isbsh = pd.Series(np.where(isb["isbsh_group"].isna(), "нет группы ИСБШ", ""),
                         index=isb.index)
    why_q = qual["quality_status"].fillna("").astype(str)
    why_q = why_q.where(why_q != "", np.where(qual["has_row"], "индекс качества не рассчитан",
                                              f"нет результатов за {year} год"))
    no_quality = ("нет группы качества (" + why_q + ")").where(qual["quality_group"].isna(), "")
    return join_texts([no_isbsh, no_quality], ", ")


def _group_text(flags: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """«ИСБШ 31,3, группа 3 (низкий)» and «группа качества 5 (средний)» per school."""
    isb_text = ("ИСБШ " + flags["isbsh"].round(1).astype(str).str.replace(".", ",", regex=False)
                + ", группа " + flags["isbsh_group"].astype(str) + " ("
                + flags["isbsh_level"].fillna("").astype(str) + ")")
    level = flags["quality_level"].fillna("").astype(str)
    q_text = ("группа качества " + flags["quality_group"].astype(str)
              + (" (" + level + ")").where(level != "", ""))
    return isb_text, q_text


def _reasons(flags: pd.DataFrame, cur: pd.DataFrame, ev: pd.DataFrame, year: int,
             params: dict, support_text: pd.Series) -> pd.Series:
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
    isb_text, q_text = _group_text(flags)
    if unfavourable_rule(params) == "typology":
        shnsu_text = ("ШНСУ: " + isb_text + "; " + q_text + " — неблагополучная (таблицы 2 и 7)")
    else:
        shnsu_text = ("ШНСУ: низкие результаты в неблагоприятных социальных условиях, "
                      + isb_text)
    fav = ("Неблагоприятные социальные условия: " + isb_text).where(_on(flags["unfavourable"]), "")
    fav = shnsu_text.where(_on(flags["shnsu"]), fav)
    n_pers = int(params["persistence"]["years"])
    pers = pd.Series(np.where(flags["persistent"].fillna(False),
                              f"Устойчиво низкие: в списке {n_pers} года подряд "
                              f"({year - n_pers + 1}–{year})", ""), index=sid)
    esc = pd.Series(np.where(flags["escalation"].fillna(False) & ~flags["persistent"].fillna(False),
                             f"В списке {params['persistence']['escalation_years']}-й год подряд: "
                             "основание изменить формат сопровождения", ""), index=sid)
    pers = join_texts([pers, esc], ". ")
    status = ("Не определено: " + flags["status"]).where(flags["status"] != "", "")
    return join_texts([low, risk, not_counted, fav, support_text, pers, status], ". ")
