"""Monitoring report and school cards (SPEC §4.8, §5; seeds 000, 001, 002, 003, 004).

The yearly lists come from :func:`shnor.identification.core.identify` applied to every year of the
data; everything else here is a pure function of a *lists* frame (year × school_id × flags
``low_results``, ``risk_zone``, ``unfavourable``, ``persistent``, nullable booleans) and the
indicators: list sizes and movements, progress against the list-size targets, results of listed
schools against the region, schools that left the list and whether their results held, task
indicators as shares of listed schools, and the tables the school cards read.

Two views of «listed schools» in a year Y: the *list of Y* (flagged on the results of Y) and the
*programme cohort of Y* (flagged on the results of Y−1, i.e. supported during the school year
whose results are Y — the list for school year Y+1 is formed from results of Y, SPEC §4.2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.reporting import charts
from shnor.io.contract import PROCEDURES, TABLES, assessment_label
from shnor.errors import UserError
from shnor.indicators import (
    ASSESSMENT,
    GroupKey,
    regional_benchmarks,
    regional_means,
    run_indicators,
)
from shnor.monitoring.programme import programme_scores, programme_summary
from shnor.monitoring.risk_profiles import (
    FACTOR_COLUMNS,
    FACTOR_SHORT,
    check_profiles,
    factor_groups,
    id_sort_key,
    matrix_fills,
    matrix_for_display,
    profile_year,
    risk_matrix,
)

FLAGS = ("low_results", "risk_zone", "unfavourable", "persistent")
FLAG_LABELS = {
    "low_results": "низкие результаты",
    "risk_zone": "зона риска",
    "unfavourable": "неблагоприятные социальные условия",
    "persistent": "устойчиво низкие результаты",
}
CHANGE_LABELS = {"entered": "вошла в список", "stayed": "осталась в списке",
                 "left": "вышла из списка", "none": "без изменений"}
GROUP_LABELS = {"region": "регион", "list": "список года", "programme": "в программе"}
LIST_COLUMNS = ["year", "school_id", *FLAGS, "reasons", "list_change"]


# --- yearly lists ---------------------------------------------------------------------------

def yearly_lists(dataset, params: dict, known: dict | None = None,
                 decisions=None) -> pd.DataFrame:
    """The identification of every year of the data stacked: LIST_COLUMNS.

    ``known`` maps a year to its ``identify(dataset, year, params)`` table when that is already
    computed; ``decisions`` (:class:`shnor.identification.core.Decisions`) decide the years they
    cover; the other years are identified here, all in one pass.
    """
    from shnor.identification.core import identify_years

    known = known or {}
    todo = [y for y in dataset.years if y not in known]
    covered = [y for y in todo if decisions is not None and decisions.covers(y, params)]
    found = {**identify_years(dataset, covered, params, decisions),
             **identify_years(dataset, [y for y in todo if y not in covered], params),
             **known}
    frames = [found[y].assign(year=y) for y in dataset.years]
    return normalise_lists(pd.concat(frames, ignore_index=True))


def normalise_lists(lists: pd.DataFrame) -> pd.DataFrame:
    """Canonical dtypes for a lists frame; reasons / list_change default to empty text."""
    out = pd.DataFrame({"year": lists["year"].astype("int64"),
                        "school_id": lists["school_id"].astype("str")})
    for flag in FLAGS:
        out[flag] = lists[flag].astype("boolean") if flag in lists else pd.NA
        out[flag] = out[flag].astype("boolean")
    for col in ("reasons", "list_change"):
        out[col] = lists[col].astype("str") if col in lists else ""
    return out.sort_values(["year", "school_id"]).reset_index(drop=True)


def _wide(lists: pd.DataFrame, flag: str) -> pd.DataFrame:
    """school_id × year of the flag (nullable boolean; <NA> = not decided or no row)."""
    return lists.pivot(index="school_id", columns="year", values=flag).astype("boolean")


def _is_true(s: pd.Series) -> pd.Series:
    return s.fillna(False).astype(bool)


def _is_false(s: pd.Series) -> pd.Series:
    return (~s.astype("boolean")).fillna(False).astype(bool)


def consecutive_years(lists: pd.DataFrame, flag: str) -> pd.DataFrame:
    """Per year × school: how many consecutive calendar years up to Y the school is on the list."""
    return _runs(_wide(lists, flag)).stack().rename("years_on_list").reset_index()


def _runs(w: pd.DataFrame) -> pd.DataFrame:
    """:func:`consecutive_years` as school_id × year from the :func:`_wide` frame of the flag."""
    years = list(w.columns)
    run = pd.DataFrame(0, index=w.index, columns=pd.Index(years, name="year"), dtype="int64")
    for i, y in enumerate(years):
        on = w[y].fillna(False).to_numpy(dtype=bool)
        prev = run[years[i - 1]].to_numpy() if i and years[i - 1] == y - 1 else 0
        run[y] = np.where(on, prev + 1, 0)
    return run


# --- list sizes, targets ----------------------------------------------------------------------

def list_sizes(lists: pd.DataFrame) -> pd.DataFrame:
    """Per year × list: size, share of all schools, undecided, entered, left, second year in a row.

    ``entered`` / ``left`` compare with the calendar year before (NaN when it is not in the data);
    a school whose flag is undecided in one of the two years is neither. ``second_year`` counts
    schools on the list at least two years in a row (seed 001: a reason to change the support).
    """
    rows = []
    years = sorted(lists["year"].unique())
    for flag in FLAGS:
        w = _wide(lists, flag)
        runs = _runs(w)
        for y in years:
            cur = w[y]
            row = {"year": int(y), "list": flag, "label": FLAG_LABELS[flag],
                   "schools": int(cur.fillna(False).sum()),
                   "all_schools": int((lists["year"] == y).sum()),
                   "undecided": int(cur.isna().sum()),
                   "entered": np.nan, "left": np.nan,
                   "second_year": int((runs[y] >= 2).sum())}
            if y - 1 in w.columns:
                prev = w[y - 1]
                row["entered"] = int((_is_true(cur) & _is_false(prev)).sum())
                row["left"] = int((_is_true(prev) & _is_false(cur)).sum())
            rows.append(row)
    out = pd.DataFrame(rows)
    out["share"] = out["schools"] / out["all_schools"].replace(0, np.nan)
    out["change"] = out.groupby("list")["schools"].diff()
    prev = out.groupby("list")["schools"].shift()
    consecutive = out.groupby("list")["year"].diff() == 1
    out["change"] = out["change"].where(consecutive)
    out["change_pct"] = (out["change"] / prev.replace(0, np.nan)).where(consecutive)
    return out[["year", "list", "label", "schools", "all_schools", "share", "undecided",
                "entered", "left", "second_year", "change", "change_pct"]]


def list_targets(sizes: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Progress of the target list against the targets of ``monitoring`` (seeds 003 and 001).

    Path target: ``baseline × (1 − target_reduction × (Y − B) / (T − B))`` for Y between the
    baseline year B and the target year T (constant after T). Yearly target: the previous
    year's size reduced by ``yearly_reduction``. Rows: the data years plus T when it is later.
    """
    cfg = params["monitoring"]
    flag = cfg["target_list"]
    if flag not in FLAGS:
        raise UserError(f"Параметр monitoring.target_list: «{flag}» — нет такого списка. "
                        f"Допустимо: {', '.join(FLAGS)}.")
    s = sizes[sizes["list"] == flag].set_index("year")["schools"].astype("float64")
    years = [int(y) for y in s.index]
    base_year = years[0] if cfg["baseline_year"] is None else int(cfg["baseline_year"])
    target_year = int(cfg["target_year"])
    if base_year not in years:
        raise UserError(f"Параметр monitoring.baseline_year: {base_year} — нет такого года в "
                        f"данных (есть: {', '.join(map(str, years))}).")
    if target_year <= base_year:
        raise UserError(f"Параметр monitoring.target_year ({target_year}) должен быть позже "
                        f"базового года ({base_year}).")
    all_years = sorted(set(years) | {target_year})
    baseline = s[base_year]
    out = pd.DataFrame({"year": all_years})
    out["schools"] = out["year"].map(s).astype("float64")
    progress = ((out["year"] - base_year) / (target_year - base_year)).clip(upper=1.0)
    out["target_path"] = (baseline * (1 - cfg["target_reduction"] * progress)).where(
        out["year"] >= base_year)
    prev = out["year"].map(lambda y: s.get(y - 1, np.nan)).astype("float64")
    out["yearly_target"] = prev * (1 - cfg["yearly_reduction"])
    out["change_pct"] = (out["schools"] - prev) / prev.replace(0, np.nan)
    known = out["schools"].notna()
    out["on_track"] = _nullable(out["schools"] <= out["target_path"] + 1e-9,
                                known & out["target_path"].notna())
    out["yearly_met"] = _nullable(out["schools"] <= out["yearly_target"] + 1e-9,
                                  known & out["yearly_target"].notna())
    out.insert(1, "list", flag)
    out.insert(2, "baseline_year", base_year)
    return out


def _nullable(values: pd.Series, known: pd.Series) -> pd.Series:
    return values.astype("boolean").where(known, pd.NA)


# --- results of listed schools against the region ---------------------------------------------

def _groups(lists: pd.DataFrame, flag: str) -> dict[str, pd.DataFrame]:
    """year × school_id pairs of each group: the list of Y and the programme cohort of Y."""
    on = lists.loc[lists[flag].fillna(False), ["year", "school_id"]]
    return {"list": on, "programme": on.assign(year=on["year"] + 1)}


class _Pairs:
    """Rows of the indicators by year × school: ``rows(pairs)`` is what an inner merge of ``ind``
    with the (unique) year × school_id pairs keeps, in the same order (a merge on the text key
    of every row is slow at national size)."""

    def __init__(self, ind: pd.DataFrame):
        codes, self.ids = ind["school_id"].factorize()
        self.n = len(self.ids) + 1
        self.key = ind["year"].to_numpy(np.int64) * self.n + codes
        self.ind = ind

    def rows(self, pairs: pd.DataFrame) -> pd.DataFrame:
        pos = self.ids.get_indexer(pairs["school_id"])
        known = pos >= 0
        wanted = pairs["year"].to_numpy(np.int64)[known] * self.n + pos[known]
        return self.ind[np.isin(self.key, wanted)].reset_index(drop=True)


def group_dynamics(ind: pd.DataFrame, lists: pd.DataFrame, schools: pd.DataFrame,
                   flag: str) -> pd.DataFrame:
    """Participant-weighted share_fail, share_quality, mean_score per year × assessment × group.

    Groups: ``region`` (all schools), ``list`` (on the list of that year) and ``programme``
    (on the list of the year before). Columns: year, procedure, grade, subject, assessment,
    group, group_label, share_fail, share_quality, mean_score, participants, schools.
    """
    parts = [regional_benchmarks(ind, schools, region_only=True).assign(group="region")]
    pairs = _Pairs(ind)
    for name, members in _groups(lists, flag).items():
        sub = pairs.rows(members)
        parts.append(regional_benchmarks(sub, schools, region_only=True).assign(group=name))
    out = pd.concat(parts, ignore_index=True).drop(columns="municipality")
    out["assessment"] = _assessment_labels(out)
    out["group_label"] = out["group"].map(GROUP_LABELS)
    cols = ["year", *ASSESSMENT, "assessment", "group", "group_label", "share_fail",
            "share_quality", "mean_score", "participants", "schools"]
    return out[cols].sort_values(["year", *ASSESSMENT, "group"]).reset_index(drop=True)


def _weighted(ind: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    d = ind.assign(
        w_fail=ind["share_fail"] * ind["participants"],
        w_quality=ind["share_quality"] * ind["participants"],
        n_fail_known=ind["participants"].where(ind["share_fail"].notna(), 0),
        n_quality_known=ind["participants"].where(ind["share_quality"].notna(), 0),
    )
    g = d.groupby(by)
    return pd.DataFrame({
        "share_fail": g["w_fail"].sum(min_count=1) / g["n_fail_known"].sum().replace(0, np.nan),
        "share_quality": g["w_quality"].sum(min_count=1)
        / g["n_quality_known"].sum().replace(0, np.nan),
        "participants": g["participants"].sum(),
        "schools": g["school_id"].nunique(),
    }).reset_index()


def overall_dynamics(ind: pd.DataFrame, lists: pd.DataFrame, flag: str) -> pd.DataFrame:
    """Per year × group: share_fail and share_quality over all assessments (participant-weighted)."""
    parts = [_weighted(ind, ["year"]).assign(group="region")]
    pairs = _Pairs(ind)
    for name, members in _groups(lists, flag).items():
        parts.append(_weighted(pairs.rows(members), ["year"]).assign(group=name))
    out = pd.concat(parts, ignore_index=True)
    out["group_label"] = out["group"].map(GROUP_LABELS)
    return out[["year", "group", "group_label", "share_fail", "share_quality", "participants",
                "schools"]].sort_values(["year", "group"]).reset_index(drop=True)


def school_overall(ind: pd.DataFrame, reg: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per year × school: share_fail / share_quality over its assessments and the region's on the
    same assessments (regional shares weighted by the school's participants), reliable groups.
    ``reg``: :func:`shnor.indicators.regional_means` of ``ind`` when already computed."""
    reg = regional_means(ind) if reg is None else reg
    keep = ind["reliable"].to_numpy(dtype=bool)
    key = GroupKey.of(ind.loc[keep, ["year", "school_id"]], ["year", "school_id"])
    n = ind["participants"].to_numpy()[keep]

    def shares(fail: np.ndarray, quality: np.ndarray) -> pd.DataFrame:
        g = pd.DataFrame({
            "w_fail": fail * n, "w_quality": quality * n,
            "n_fail_known": np.where(np.isnan(fail), 0, n),
            "n_quality_known": np.where(np.isnan(quality), 0, n), "participants": n,
        }).groupby(key.code)
        return pd.DataFrame({
            "share_fail": g["w_fail"].sum(min_count=1) / g["n_fail_known"].sum().replace(0, np.nan),
            "share_quality": g["w_quality"].sum(min_count=1)
            / g["n_quality_known"].sum().replace(0, np.nan),
            "participants": g["participants"].sum(),
        })

    own = shares(ind["share_fail"].to_numpy()[keep], ind["share_quality"].to_numpy()[keep])
    region = shares(reg["share_fail"].to_numpy()[keep], reg["share_quality"].to_numpy()[keep])
    return key.decode(own.index.to_numpy()).assign(
        share_fail=own["share_fail"].to_numpy(), share_quality=own["share_quality"].to_numpy(),
        participants=own["participants"].to_numpy(),
        share_fail_region=region["share_fail"].to_numpy(),
        share_quality_region=region["share_quality"].to_numpy())


def leavers(lists: pd.DataFrame, overall: pd.DataFrame, schools: pd.DataFrame,
            flag: str) -> pd.DataFrame:
    """Schools that left the list (on it in Y−1, decided off it in Y) and whether they stayed off.

    Columns: year_left, school_id, name, share_fail_before (Y−1), share_fail_left (Y),
    share_fail_last (latest year with data), last_year, held (nullable: True = never back on the
    list afterwards, <NA> = no later year decided yet), status (Russian).
    """
    w = _wide(lists, flag)
    years = w.columns.to_numpy(dtype="int64")
    on = w.fillna(False).to_numpy(dtype=bool)
    off = (~w).fillna(False).to_numpy(dtype=bool)
    decided = w.notna().to_numpy()
    # per year left: the leavers (row positions in w), the first later year back on the list,
    # whether there is one, how many later years are decided, whether any later year exists
    left_year, pos, back, first_back, n_decided, later = [], [], [], [], [], []
    for i in range(1, len(years)):
        if years[i - 1] != years[i] - 1:
            continue
        rows = np.flatnonzero(on[:, i - 1] & off[:, i])
        later_on = on[rows, i + 1:]
        left_year.append(np.full(len(rows), years[i]))
        pos.append(rows)
        back.append(later_on.any(axis=1))
        first_back.append(years[i + 1:][later_on.argmax(axis=1)] if i + 1 < len(years)
                          else np.zeros(len(rows), dtype="int64"))
        n_decided.append(decided[rows, i + 1:].sum(axis=1))
        later.append(np.full(len(rows), i + 1 < len(years)))
    left_year, pos, back, first_back, n_decided, later = (
        np.concatenate(a) if a else np.array([], dtype=t) for a, t in
        ((left_year, "int64"), (pos, "int64"), (back, bool), (first_back, "int64"),
         (n_decided, "int64"), (later, bool)))
    school = w.index[pos]
    fail = overall.set_index(["year", "school_id"])["share_fail"]
    known = overall[overall["share_fail"].notna()].sort_values("year", kind="stable")
    last = known.drop_duplicates("school_id", keep="last").set_index("school_id").reindex(school)
    held = pd.array(~back, dtype="boolean")
    held[~back & (n_decided == 0)] = pd.NA
    status = np.select(
        [back, n_decided > 0, later],
        ["вернулась в список в " + first_back.astype(str) + " г.",
         "результат удержан: вне списка " + (n_decided + 1).astype(str) + " г. подряд",
         "нет данных за годы после выхода"],
        "вышла в последнем году данных: удержание покажут следующие годы")
    out = pd.DataFrame({
        "year_left": left_year, "school_id": school,
        "name": schools.set_index("school_id")["name"].reindex(school, fill_value="").to_numpy(),
        "share_fail_before": fail.reindex(pd.MultiIndex.from_arrays([left_year - 1, school]))
        .to_numpy(),
        "share_fail_left": fail.reindex(pd.MultiIndex.from_arrays([left_year, school])).to_numpy(),
        "share_fail_last": last["share_fail"].to_numpy(),
        "last_year": last["year"].astype("Int64").to_numpy(),
        "held": held, "status": status,
    })
    cols = ["year_left", "school_id", "name", "share_fail_before", "share_fail_left",
            "share_fail_last", "last_year", "held", "status"]
    return out[cols].astype({"year_left": "int64", "school_id": "str", "name": "str",
                       "share_fail_before": "float64", "share_fail_left": "float64",
                       "share_fail_last": "float64", "last_year": "Int64", "held": "boolean",
                       "status": "str"})


# --- task indicators (shares of listed schools) -----------------------------------------------

def task_indicators(ind: pd.DataFrame, lists: pd.DataFrame, overall: pd.DataFrame,
                    flag: str, sizes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Programme task indicators computable from the data, per year, as shares.

    Columns: year, indicator, value (0–1), numerator, denominator, source. The cohort is the
    programme cohort (on the list of the year before). ``sizes``: :func:`list_sizes` of
    ``lists`` when already computed.
    """
    sizes = list_sizes(lists) if sizes is None else sizes
    pairs = _Pairs(ind)
    rows = []

    def add(year, text, num, den, source):
        rows.append({"year": int(year), "indicator": text, "numerator": float(num),
                     "denominator": float(den), "source": source})

    for r in sizes[sizes["list"].isin(["low_results", "risk_zone"])].itertuples():
        text = ("Доля школ с низкими результатами от общего числа школ" if r.list == "low_results"
                else "Доля школ в зоне риска снижения результатов от общего числа школ")
        add(r.year, text, r.schools, r.all_schools,
            "seed 000, табл. 12, показатели 1–2")
    main = sizes[sizes["list"] == flag].set_index("year")
    for y in main.index:
        if y - 1 in main.index and not np.isnan(main.loc[y, "left"]):
            add(y, "Доля школ списка прошлого года, вышедших из списка", main.loc[y, "left"],
                main.loc[y - 1, "schools"], "seed 001: сокращение списка не менее чем на 25–30 %")
    cohort = _groups(lists, flag)["programme"]
    fail = overall.set_index(["year", "school_id"])["share_fail"]
    for y, members in cohort.groupby("year"):
        now, before = (fail.reindex(pd.MultiIndex.from_arrays(
            [np.full(len(members), t), members["school_id"]])).to_numpy() for t in (y, y - 1))
        both = ~(np.isnan(now) | np.isnan(before))
        if both.any():
            add(y, "Доля школ списка прошлого года с положительной динамикой (доля «2» снизилась)",
                int((now[both] < before[both]).sum()), int(both.sum()),
                "seed 000, табл. 12, показатель 5; seed 004, показатель 5.4")
        sub = pairs.rows(members)
        for procs, text, source in (
            (["OGE", "EGE"], ("Доля обучающихся школ списка, преодолевших минимальный порог "
             "ОГЭ/ЕГЭ"), "seed 004, показатель 5.1"),
            (["VPR"], "Доля обучающихся школ списка, достигших базового уровня на ВПР",
             "seed 004, показатель 5.2"),
        ):
            g = sub[sub["procedure"].isin(procs) & sub["n_fail"].notna()]
            if g["participants"].sum() > 0:
                add(y, text, g["participants"].sum() - g["n_fail"].sum(),
                    g["participants"].sum(), source)
    out = pd.DataFrame(rows, columns=["year", "indicator", "numerator", "denominator", "source"])
    out.insert(2, "value", out["numerator"] / out["denominator"].replace(0, np.nan))
    return out.sort_values(["year"], kind="stable").reset_index(drop=True)


# --- school cards -----------------------------------------------------------------------------

def card_history(ind: pd.DataFrame, reg: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per school × year × assessment: its indicators beside the region's (``reg``:
    :func:`shnor.indicators.regional_means` of ``ind`` when already computed)."""
    reg = regional_means(ind) if reg is None else reg
    out = ind[["year", "school_id", *ASSESSMENT, "participants", "share_fail", "share_quality",
               "mean_score", "reliable"]].assign(**{f"{c}_region": reg[c] for c in reg})
    out["assessment"] = _assessment_labels(out)
    # order by school, procedure (as PROCEDURES lists them), grade, subject, year: a stable sort
    # on integer codes (sorting the text columns of every row is slow at national size)
    order = np.lexsort([out["year"].to_numpy(), _sort_codes(out["subject"]),
                        out["grade"].to_numpy(), _sort_codes(out["procedure"], PROCEDURES),
                        _sort_codes(out["school_id"])])
    return out.take(order).reset_index(drop=True)


def _sort_codes(values: pd.Series, order=None) -> np.ndarray:
    """Integer codes that sort as ``values`` sort (by position in ``order`` when given);
    missing values and values not in ``order`` last."""
    codes, uniques = values.factorize(sort=order is None)
    if order is not None:
        rank = {v: i for i, v in enumerate(order)}
        codes = np.append(pd.Series(uniques).map(rank).fillna(len(order)).to_numpy(np.int64),
                          len(order))[codes]
    return np.where(codes < 0, len(uniques), codes)


def _assessment_labels(frame: pd.DataFrame) -> pd.Series:
    """:func:`assessment_label` of every row, formatted once per distinct assessment."""
    grouped = frame.groupby(ASSESSMENT, sort=False, dropna=False)
    labels = pd.array([assessment_label(*key) for key in grouped.size().index], dtype="str")
    return pd.Series(labels.take(grouped.ngroup().to_numpy()), index=frame.index)


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


def plot_targets(targets: pd.DataFrame, ax=None):
    """List size per year against the path target and the yearly target."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.8))
    x = targets["year"].astype(str)
    ax.bar(x, targets["schools"].fillna(0), color=charts.LOW, width=0.5, label="школ в списке")
    ax.plot(x, targets["target_path"], marker="o", color=charts.REGION,
            label="цель (плановая траектория)")
    ax.plot(x, targets["yearly_target"], ls="", marker="_", markersize=18,
            color=charts.PALETTE[2], label="ежегодное сокращение")
    ax.set_ylabel("школ")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title("Размер списка и целевые значения")
    return ax.figure


def plot_overall_dynamics(overall: pd.DataFrame, measure: str = "share_fail", ax=None):
    """One line per group (region, list of the year, programme cohort) over the years."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.8))
    colours = {"region": charts.REGION, "list": charts.LOW, "programme": charts.PALETTE[0]}
    for group, g in overall.groupby("group", sort=False):
        ax.plot(g["year"].astype(str), g[measure], marker="o", color=colours[group],
                label=GROUP_LABELS[group])
    charts.percent_axis(ax)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title({"share_fail": "Доля не преодолевших порог",
                  "share_quality": "Качество знаний"}[measure])
    return ax.figure


# --- the report -------------------------------------------------------------------------------

def monitoring_tables(dataset, year: int, params: dict,
                      computed: dict[str, pd.DataFrame] | None = None) -> dict[str, pd.DataFrame]:
    """All tables of the monitoring notebook and of the school cards, computed once.

    ``computed``: the tables of the reports before this one (as :func:`shnor.pipeline.suite.build_tables`
    passes them); their ``identification`` (the list of ``year``), ``differentiation`` and the
    working frames of the indicators and the yearly decisions (:mod:`shnor.analysis.shared`) are reused.
    Without them (standalone use) they are computed here, with the same result.
    """
    from shnor.analysis.differentiation import differentiate
    from shnor.identification.core import run_decisions

    computed = computed or {}
    ind, shared = run_indicators(dataset, params, computed)
    decisions, _ = run_decisions(dataset, year, params, {**computed, **shared})
    known = {int(year): computed["identification"]} if "identification" in computed else {}
    lists = yearly_lists(dataset, params, known, decisions)
    diff = (computed["differentiation"] if "differentiation" in computed
            else differentiate(dataset, year, params))
    return build_monitoring_tables(dataset, year, params, ind, lists, diff)


def build_monitoring_tables(dataset, year: int, params: dict, ind: pd.DataFrame,
                            lists: pd.DataFrame, differentiation: pd.DataFrame | None
                            ) -> dict[str, pd.DataFrame]:
    """:func:`monitoring_tables` from the indicators, the yearly lists and the differentiation."""
    lists = normalise_lists(lists)
    flag = params["monitoring"]["target_list"]
    sizes = list_sizes(lists)
    reg = regional_means(ind)
    overall = school_overall(ind, reg)
    scores = programme_scores(dataset.programme, params)
    summary = programme_summary(scores, params)

    prof = dataset.risk_profiles
    p_year = profile_year(prof, year)
    if p_year is None:
        prof_year = pd.DataFrame({"year": pd.Series(dtype="int64"),
                                  "school_id": pd.Series(dtype="str"),
                                  "factor": pd.Series(dtype="int64"),
                                  "level": pd.Series(dtype="str")})
        expected: list[str] = []
        listed = []
    else:
        prof_year = prof[prof["year"] == p_year]
        that_year = lists[lists["year"] == p_year]
        required = params["monitoring"]["risk_profiles"]["required_lists"]
        expected = that_year.loc[_is_true(that_year[required].any(axis=1)), "school_id"].tolist()
        listed = that_year.loc[_is_true(that_year[list(FLAGS)].any(axis=1)), "school_id"]
    matrix = risk_matrix(prof_year, dataset.schools, expected)
    tables = {
        "monitoring_lists": lists,
        "monitoring_sizes": sizes,
        "monitoring_targets": list_targets(sizes, params),
        "monitoring_dynamics": group_dynamics(ind, lists, dataset.schools, flag),
        "monitoring_overall": overall_dynamics(ind, lists, flag),
        "monitoring_leavers": leavers(lists, overall, dataset.schools, flag),
        "monitoring_tasks": task_indicators(ind, lists, overall, flag, sizes),
        "programme": scores,
        "programme_summary": summary,
        "risk_matrix": matrix,
        "risk_groups": factor_groups(prof_year, params),
        "risk_check": check_profiles(prof_year, expected, listed),
        "card_history": card_history(ind, reg),
        "card_overall": overall,
        "card_profile": card_profile(lists, differentiation, matrix, dataset.schools, year,
                                     flag),
    }
    tables["monitoring_notes"] = monitoring_notes(dataset, year, params, tables, p_year)
    return tables


def monitoring_notes(dataset, year: int, params: dict, tables: dict, p_year) -> pd.DataFrame:
    """Sentences for the report about what is missing or notable: columns topic, text."""
    notes = [(table if table != "risk_profiles" else "risk",
              (f"Таблица «{TABLES[table].title}» ({table}) исключена из расчёта из-за ошибок во "
               f"входных данных ({len(problems)}); список ошибок — в отчёте «Обзор данных»."))
             for table, problems in dataset.excluded.items()]
    if dataset.programme is None or dataset.programme.empty:
        notes.append(("programme", ("Таблица показателей программы (programme) не предоставлена: "
                      "баллы и уровень эффективности программы не рассчитаны.")))
    else:
        skipped = tables["programme"]["status"] != ""
        if skipped.any():
            notes.append(("programme", (f"Не учтено показателей программы: {int(skipped.sum())} "
                          "(нет баллов или баллы вне допустимого диапазона), см. «Статус».")))
        years = ", ".join(map(str, tables["programme_summary"]["year"]))
        notes.append(("programme", f"Годы в таблице показателей программы: {years}."))
    if p_year is None:
        notes.append(("risk", ("Таблица факторов риска (risk_profiles) не предоставлена: профили "
                      "рисков и сгруппированные списки факторов не построены.")))
    else:
        if p_year != year:
            notes.append(("risk", f"Профили рисков за {year} г. нет; показаны профили {p_year} г."))
        check = tables["risk_check"]
        if len(check):
            n = check["school_id"].nunique()
            notes.append(("risk", (f"Профили рисков неполны или противоречивы у {n} школ "
                          f"({len(check)} замечаний), см. таблицу проверки.")))
        else:
            notes.append(("risk", ("Профили рисков полны: у каждой школы списков по одному "
                          "уровню значимости для каждого из 10 факторов.")))
    targets = tables["monitoring_targets"]
    if params["monitoring"]["target_year"] > max(dataset.years):
        notes.append(("targets", (f"Целевой год {params['monitoring']['target_year']} ещё не "
                      "наступил: показано положение относительно плановой траектории.")))
    if len(targets) and targets["schools"].notna().sum() < 2:
        notes.append(("targets", "В данных один год: динамику списка оценить нельзя."))
    return pd.DataFrame(notes, columns=["topic", "text"]).astype("str")


# --- Excel ------------------------------------------------------------------------------------

HEADERS = {
    "year": "Год", "list": "Список", "label": "Список", "schools": "Школ в списке",
    "all_schools": "Всего школ", "share": "Доля от всех школ", "undecided": "Не определено",
    "entered": "Вошли", "left": "Вышли", "second_year": "Второй год подряд и дольше",
    "change": "Изменение", "change_pct": "Доля изменения", "baseline_year": "Базовый год",
    "target_path": "Цель (траектория)", "yearly_target": "Цель (ежегодное сокращение)",
    "on_track": "Цель достигнута", "yearly_met": "Ежегодная цель достигнута",
    "assessment": "Оценочная процедура", "group_label": "Группа школ",
    "share_fail": "Доля не преодолевших порог", "share_quality": "Доля качества знаний",
    "mean_score": "Средний балл", "participants": "Участников",
    "year_left": "Год выхода", "school_id": "Код ОО", "name": "Наименование ОО",
    "share_fail_before": "Доля «2» до выхода", "share_fail_left": "Доля «2» в год выхода",
    "share_fail_last": "Доля «2» в последний год", "last_year": "Последний год с данными",
    "held": "Результат удержан", "status": "Статус", "indicator": "Показатель",
    "value": "Значение", "numerator": "Числитель", "denominator": "Знаменатель",
    "source": "Источник", "points": "Баллы", "target": "Целевое значение",
    "total_points": "Итоговые баллы", "max_points": "Максимум баллов",
    "level": "Уровень эффективности", "indicators_scored": "Оценено показателей",
    "max_points_by_rules": "Максимум по критериям", "factors": "Факторы",
    "n_schools": "Школ", "detail": "По факторам", "factor": "Фактор", "problem": "Замечание",
}


def _sheet(name: str, frame: pd.DataFrame, columns: list[str]):
    from shnor.io.writers import Sheet

    return Sheet(name, frame[columns].rename(columns=HEADERS))


def monitoring_sheets(tables: dict[str, pd.DataFrame]) -> list:
    """Excel sheets of the monitoring report (Russian headers; risk matrix coloured)."""
    from shnor.io.writers import Sheet

    dyn = tables["monitoring_dynamics"]
    matrix = tables["risk_matrix"]
    groups = tables["risk_groups"][["label", "factors", "n_schools", "schools", "detail"]]
    return [
        _sheet("Размер списков", tables["monitoring_sizes"],
               ["year", "label", "schools", "all_schools", "share", "undecided", "entered",
                "left", "second_year", "change", "change_pct"]),
        _sheet("Цели", tables["monitoring_targets"],
               ["year", "schools", "target_path", "on_track", "yearly_target", "yearly_met",
                "change_pct"]),
        _sheet("Динамика результатов", dyn,
               ["year", "assessment", "group_label", "share_fail", "share_quality",
                "mean_score", "participants", "schools"]),
        _sheet("Вышедшие из списка", tables["monitoring_leavers"],
               ["year_left", "school_id", "name", "share_fail_before", "share_fail_left",
                "share_fail_last", "last_year", "held", "status"]),
        _sheet("Показатели задач", tables["monitoring_tasks"],
               ["year", "indicator", "value", "numerator", "denominator", "source"]),
        _sheet("Показатели программы", tables["programme"],
               ["year", "indicator", "value", "points", "target", "status"]),
        _sheet("Итоги программы", tables["programme_summary"],
               ["year", "total_points", "max_points", "level", "indicators_scored",
                "max_points_by_rules", "status"]),
        Sheet("Факторы риска", matrix_for_display(matrix),
              cell_fills=matrix_fills(matrix).set_axis(matrix_for_display(matrix).columns,
                                                       axis=1)),
        Sheet("Группы факторов", groups.rename(columns={**HEADERS, "label": "Группа факторов",
                                                        "schools": "Школы"})),
        _sheet("Проверка профилей", tables["risk_check"], ["school_id", "factor", "problem"]),
    ]
