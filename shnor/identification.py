"""Identification report (SPEC §4.2, issue 3): who is on the lists of the year, why, and how the
list changed.

Flags per school for the year: ``low_results`` (seed 000 table 1 by default; the ``yaroslavl``
and ``fioko`` profiles swap the rule, see :mod:`shnor.oip` and :mod:`shnor.vpr_tail`),
``risk_zone`` (seed 000 table 3), ``unfavourable`` (very low ИСБШ, seed 000 table 2; ШНСУ = low
results and unfavourable), ``persistent`` (on the list each of the last three years). A flag that
the data cannot decide is ``<NA>`` and the reasons say why. The same rules applied to the years
before give the list dynamics (entered / stayed / left / none) and the escalation of seed 001
(on the list a second year running).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import load_config
from .errors import UserError
from .indicators import compute_indicators
from .isbsh import compute_isbsh
from .low_results import (
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
from .oip import oip_codes
from .vpr_tail import vpr_tail_codes

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


def _join(parts: list[pd.Series], sep: str) -> pd.Series:
    """Join text columns element-wise, skipping empty pieces (vectorised)."""
    out = parts[0].fillna("")
    for p in parts[1:]:
        p = p.fillna("")
        out = out + np.where((out != "") & (p != ""), sep, "") + p
    return out


def _texts(frame: pd.DataFrame, index: pd.Index, by: str = "school_id") -> pd.Series:
    """«; »-joined ``text`` per school, aligned to ``index`` ("" where there is none)."""
    if frame.empty:
        return pd.Series("", index=index)
    # the k-th text of every school appended at once (a Python join per school is slow at scale)
    key = frame[by]
    pos = key.groupby(key, sort=False).cumcount().to_numpy()
    keys, text = key.to_numpy(), frame["text"]
    out = pd.Series(text.to_numpy()[pos == 0], index=keys[pos == 0])
    for k in range(1, int(pos.max()) + 1):
        nth = pd.Series(("; " + text[pos == k]).to_numpy(), index=keys[pos == k])
        out = out + nth.reindex(out.index, fill_value="")
    return out.reindex(index, fill_value="")


def _grid_years(year: int, params: dict) -> list[int]:
    back = max(int(params["persistence"]["years"]), int(params["persistence"]["escalation_years"]), 2)
    return list(range(year - back + 1, year + 1))


def yearly_decisions(dataset, year: int, params: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Low results and risk zone for every school of the dataset in the years the report needs.

    Returns (decisions indexed by year × school_id with codes low, risk, the table 1 components,
    method details and status text; evidence rows of ``year``).
    """
    d, g, rose = _decisions(dataset, _grid_years(year, params), params)
    return d, evidence(g, d, rose, year, params)


def _decisions(dataset, years: list[int], params: dict
               ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The decisions of :func:`yearly_decisions` for ``years`` (consecutive), with the groups in
    the rule and the groups whose share of «2» rose, from which :func:`evidence` builds the
    reasons of any of those years. Every rule looks only at the year and the years before, so
    a year decides the same in any grid that holds it and its lookback."""
    method = params["low_results"]["method"]
    if method not in METHODS:
        raise UserError(f"Параметр low_results.method: неизвестное правило «{method}»; "
                        f"допустимы: {', '.join(METHODS)}.")
    last = max(years)
    results = dataset.results
    if (results["year"] > last).any():  # filtering copies all columns: only when needed
        results = results[results["year"] <= last]
    ind = compute_indicators(results, params)
    present = pd.MultiIndex.from_frame(results[SY].drop_duplicates())
    g = scope_groups(ind, params)
    grid = pd.MultiIndex.from_product([years, dataset.schools["school_id"]], names=SY)
    comp, rose = table1_codes(g, present, params)
    d = comp.reindex(grid)
    d["low_text"] = ""
    if method == "table1":
        low = d["code"]
    else:
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


def identify_years(dataset, years, params: dict | None = None) -> dict[int, pd.DataFrame]:
    """:func:`identify` for each of ``years`` (year → table), deciding all of them in one pass
    over the data instead of once per year (monitoring needs the list of every year)."""
    params = load_config() if params is None else params
    years = sorted({int(y) for y in years})
    if not years:
        return {}
    back = len(_grid_years(years[0], params))
    d, g, rose = _decisions(dataset, list(range(years[0] - back + 1, years[-1] + 1)), params)
    g = evidence_groups(g, params)
    return {y: _flags(dataset, d, evidence(g, d, rose, y, params), y, params)[
        IDENTIFICATION_COLUMNS].copy() for y in years}


def _status(d: pd.DataFrame, g: pd.DataFrame, present: pd.MultiIndex, method: str,
            params: dict) -> pd.Series:
    """Why low results / risk zone of a year could not be decided ("" when they could)."""
    y = d.index.get_level_values("year").to_series(index=d.index)
    school = d.index.get_level_values("school_id")
    has = d.index.isin(present)
    prev_has = pd.MultiIndex.from_arrays([y - 1, school]).isin(present)
    in_scope = d.index.isin(pd.MultiIndex.from_frame(g[SY]))
    ys = y.astype(str)
    n_min = params["indicators"]["min_participants"]
    n_years = int(params["low_results"]["consecutive_years"])
    scope = np.select(
        [~has, ~in_scope, d["code"].isna()],
        ["нет результатов за " + ys + " год",
         "нет результатов " + scope_text(params) + " по русскому языку и математике за " + ys + " год",
         "во всех группах " + ys + f" года меньше {n_min} участников"], "")
    if method == "table1":
        rule = np.select(
            [d["low"].eq(UNKNOWN) & (d["n_unknown"] > 0),
             d["low"].eq(UNKNOWN) & (d["n_unknown"].fillna(0) == 0)],
            ["не указано число не преодолевших порог для части процедур " + ys + " года",
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
                    "нет результатов за " + (y - 1).astype(str) + " год: снижение результатов не оценено", "")
    return _join([pd.Series(low_status, index=d.index), pd.Series(risk, index=d.index)], "; ")


def _consecutive(low: pd.Series, year: int, n: int) -> pd.Series:
    """Kleene «and» of the low-results codes of the last ``n`` years, per school."""
    wide = low.unstack("year")
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
    d, ev = yearly_decisions(dataset, year, params)
    flags = _flags(dataset, d, ev, year, params)
    ident = flags[IDENTIFICATION_COLUMNS].copy()

    return {
        "identification": ident,
        "identification_flags": flags,
        "identification_reasons": ev,
        "identification_municipalities": municipality_counts(flags),
        "identification_list_sizes": list_sizes(d),
        "identification_dynamics": flags[["school_id", "name", "municipality", "low_results_prev",
                                          "low_results", "list_change", "status"]].copy(),
        "identification_official": official_comparison(flags, dataset.lists, year, params),
        "identification_undecided": flags.loc[flags["status"] != "", [
            "school_id", "name", "municipality", *FLAGS, "status"]].reset_index(drop=True),
    }


def _flags(dataset, d: pd.DataFrame, ev: pd.DataFrame, year: int, params: dict) -> pd.DataFrame:
    """The flags table of ``year`` (one row per school) from the decisions ``d`` of a grid of
    years holding ``year`` and its lookback, and the evidence ``ev`` of ``year``."""
    schools = dataset.schools.set_index("school_id")
    sid = schools.index
    cur = d.xs(year, level="year").reindex(sid)
    low_prev = d.xs(year - 1, level="year")["low"].reindex(sid)
    pers = params["persistence"]
    persistent = _consecutive(d["low"], year, int(pers["years"])).reindex(sid)
    escalation = _consecutive(d["low"], year, int(pers["escalation_years"])).reindex(sid)

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
    low = pd.Series(np.where(flags["low_results"].fillna(False),
                             "Низкие результаты: " + low_text, ""), index=sid)
    risk_text = _texts(ev[ev["flag"] == "risk_zone"], sid)
    risk = pd.Series(np.where(flags["risk_zone"].fillna(False), "Зона риска: " + risk_text, ""),
                     index=sid)
    not_counted = _texts(ev[ev["criterion"] == "not_counted"], sid)
    not_counted = ("Не учтено: " + not_counted).where(not_counted != "", "")
    isb_text = ("ИСБШ " + flags["isbsh"].round(1).astype(str).str.replace(".", ",", regex=False)
                + ", группа " + flags["isbsh_group"].astype(str) + " (" + flags["isbsh_level"].fillna("") + ")")
    fav = pd.Series(np.where(flags["unfavourable"].fillna(False),
                             "Неблагоприятные социальные условия: " + isb_text, ""), index=sid)
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
    from .excel import Sheet

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

    from .charts import LOW, PALETTE, REGION, percent_axis

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
