"""Results of the listed schools against the region over the years, and of the schools that
left the list (SPEC §4.8; seeds 000, 001, 004).

Two views of «listed schools» in a year Y: the *list of Y* (flagged on the results of Y) and the
*programme cohort of Y* (flagged on the results of Y−1, i.e. supported during the school year
whose results are Y — the list for school year Y+1 is formed from results of Y, SPEC §4.2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.indicators import (
    ASSESSMENT,
    GroupKey,
    assessment_labels,
    regional_benchmarks,
    regional_means,
    weighted_means,
    weighted_sums,
)
from shnor.monitoring.lists import _wide


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
    group, share_fail, share_quality, mean_score, participants, schools.
    """
    parts = [regional_benchmarks(ind, schools, region_only=True).assign(group="region")]
    pairs = _Pairs(ind)
    for name, members in _groups(lists, flag).items():
        sub = pairs.rows(members)
        parts.append(regional_benchmarks(sub, schools, region_only=True).assign(group=name))
    out = pd.concat(parts, ignore_index=True).drop(columns="municipality")
    out["assessment"] = assessment_labels(out)
    cols = ["year", *ASSESSMENT, "assessment", "group", "share_fail",
            "share_quality", "mean_score", "participants", "schools"]
    return out[cols].sort_values(["year", *ASSESSMENT, "group"]).reset_index(drop=True)


def _weighted(ind: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Participant-weighted share_fail and share_quality, participants and schools per ``by``."""
    g = pd.DataFrame(weighted_sums(ind)).groupby([ind[c] for c in by])
    means = weighted_means(g.sum(min_count=1))
    counts = ind.groupby(by)
    return pd.DataFrame({
        "share_fail": means["share_fail"], "share_quality": means["share_quality"],
        "participants": counts["participants"].sum(), "schools": counts["school_id"].nunique(),
    }).reset_index()


def overall_dynamics(ind: pd.DataFrame, lists: pd.DataFrame, flag: str) -> pd.DataFrame:
    """Per year × group: share_fail and share_quality over all assessments (participant-weighted)."""
    parts = [_weighted(ind, ["year"]).assign(group="region")]
    pairs = _Pairs(ind)
    for name, members in _groups(lists, flag).items():
        parts.append(_weighted(pairs.rows(members), ["year"]).assign(group=name))
    out = pd.concat(parts, ignore_index=True)
    return out[["year", "group", "share_fail", "share_quality", "participants",
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
