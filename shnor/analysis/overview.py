"""Tables and figures of the «Обзор данных» report: indicators, coverage and data quality.

All tables use the years up to the report year only, so a report for a past year does not
change when later years are added to the dataset.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from shnor.io.contract import PROCEDURES, SUBJECTS, TABLES, assessment_label
from shnor.io.writers import Sheet
from shnor.indicators import (
    ASSESSMENT,
    GroupKey,
    isin,
    regional_benchmarks,
    rows_of_years,
    run_indicators,
    school_year_summary,
)
from shnor.reporting.notebook import COLUMN_LABELS

INDICATORS_CSV = ["year", "school_id", "procedure", "grade", "subject", "participants",
                  "share_fail", "share_success", "share_quality", "share_high", "mean_score",
                  "reliable"]


def _rank(values: pd.Series, order) -> np.ndarray:
    """Position of each value in ``order`` (NaN when absent), mapped per distinct value (a
    per-row map over millions of strings is slow)."""
    codes, uniques = values.factorize(use_na_sentinel=False)
    ranks = pd.Series(uniques).map({v: i for i, v in enumerate(order)}).to_numpy(float)
    return ranks[codes]


def _sorted(frame: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    """Sorted by ``first``, then in assessment order: a stable sort on codes (sorting the text
    columns of millions of rows is slow), missing values last as in ``sort_values``."""
    keys = [*(frame[c].factorize(sort=True, use_na_sentinel=False)[0] for c in first),
            _rank(frame["procedure"], PROCEDURES), frame["grade"].to_numpy(),
            _rank(frame["subject"], SUBJECTS)]
    return frame.take(np.lexsort(keys[::-1])).reset_index(drop=True)


def _school_status(schools: pd.DataFrame, results: pd.DataFrame, social: pd.DataFrame,
                   year: int) -> pd.DataFrame:
    res_year = results[results["year"] == year]
    assessments = res_year.groupby("school_id").size()
    with_social = set(social.loc[social["year"] == year, "school_id"])
    out = schools[[c for c in ["school_id", "name", "municipality", "locality", "school_type"]
                   if c in schools.columns]].copy()
    out["assessments"] = out["school_id"].map(assessments).fillna(0).astype("int64")
    out["has_social"] = isin(out["school_id"], with_social)
    out["status"] = np.where(out["assessments"] == 0, f"нет результатов за {year} год",
                             "есть результаты")
    out.loc[~out["has_social"], "status"] += "; нет социального паспорта"
    return out


def _participation(ind: pd.DataFrame, reg: pd.DataFrame) -> pd.DataFrame:
    keys = ["year", *ASSESSMENT]
    key = GroupKey.of(ind, keys)  # the key columns are never missing (data contract)
    counts = pd.DataFrame({
        "participants": ind["participants"],
        "unreliable": ~ind["reliable"].to_numpy(dtype=bool),
        "no_fail_count": ind["share_fail"].isna().to_numpy(),
        "no_marks": ind["share_quality"].isna().to_numpy(),
    }).groupby(key.code).sum()
    out = pd.concat([key.decode(counts.index.to_numpy()), counts.reset_index(drop=True)], axis=1)
    # the regional rows count the distinct schools of each year × assessment already
    region = reg[reg["municipality"].isna()][[*keys, "schools", "share_fail", "share_quality",
                                              "mean_score"]]
    out = out.merge(region, on=keys, how="left")[[
        *keys, "schools", "participants", "unreliable", "no_fail_count", "no_marks",
        "share_fail", "share_quality", "mean_score"]]
    out["assessment"] = [assessment_label(p, g_, s) for p, g_, s in
                         zip(out["procedure"], out["grade"], out["subject"])]
    return _sorted(out, ["year"])


def _data_quality(status: pd.DataFrame, ind: pd.DataFrame, social: pd.DataFrame,
                  year: int, params: dict) -> pd.DataFrame:
    this = ind[ind["year"] == year]
    minimum = params["indicators"]["min_participants"]
    rows = [
        ("Школ в справочнике", len(status)),
        (f"Школ с результатами за {year} год", int((status["assessments"] > 0).sum())),
        (f"Школ без результатов за {year} год", int((status["assessments"] == 0).sum())),
        (f"Школ без социального паспорта за {year} год", int((~status["has_social"]).sum())),
        (f"Групп результатов за {year} год (школа × процедура)", len(this)),
        (f"Групп с числом участников меньше {minimum} (ненадёжные)",
         int((~this["reliable"].astype(bool)).sum())),
        ("Групп без числа не преодолевших порог", int(this["share_fail"].isna().sum())),
        ("Групп без распределения отметок", int(this["share_quality"].isna().sum())),
        ("Групп без среднего балла", int(this["mean_score"].isna().sum())),
    ]
    soc = social[social["year"] == year]
    for column in soc.columns.drop(["year", "school_id"], errors="ignore"):
        missing = int(soc[column].isna().sum())
        if missing:
            label = COLUMN_LABELS.get(column, column)
            rows.append((f"Социальный паспорт: не заполнено «{label}»", missing))
    return pd.DataFrame(rows, columns=["item", "value"])


def overview_tables(dataset, year: int, params: dict,
                    computed: dict | None = None) -> dict[str, pd.DataFrame]:
    """Indicators (the SPEC output contract), benchmarks, coverage and data quality.

    Tables: ``indicators`` (year ≤ ``year``, columns of ``indicators.csv``), ``regional``,
    ``school_summary``, ``overview_schools`` (every school with its data status),
    ``overview_municipalities``, ``overview_participation``, ``overview_quality``.
    """
    results = dataset.results
    if (results["year"] > year).any():  # filtering copies all columns: only when needed
        results = results[results["year"] <= year]
    ind, shared = run_indicators(dataset, params, computed)
    full = rows_of_years(ind, ind["year"] <= year)
    reg = regional_benchmarks(full, dataset.schools)
    status = _school_status(dataset.schools, results, dataset.social, year)
    group_cols = [c for c in ["municipality", "locality", "school_type"] if c in status.columns]
    munis = (status.groupby(group_cols, dropna=False).size().rename("schools").reset_index()
             .sort_values(group_cols, kind="stable").reset_index(drop=True))
    return {
        "indicators": _sorted(full[INDICATORS_CSV], ["year", "school_id"]),
        "regional": _sorted(reg, ["year", "municipality"]),
        "school_summary": school_year_summary(full).sort_values(["year", "school_id"])
        .reset_index(drop=True),
        "overview_schools": status,
        "overview_municipalities": munis,
        "overview_participation": _participation(full, reg),
        "overview_quality": _data_quality(status, full, dataset.social, year, params),
        "overview_excluded": excluded_tables(dataset),
        **shared,
    }


def excluded_tables(dataset) -> pd.DataFrame:
    """Optional tables left out of the run because of input problems: one row per problem."""
    rows = [(TABLES[table].title, str(problem))
            for table, problems in dataset.excluded.items() for problem in problems]
    return pd.DataFrame(rows, columns=["table", "problem"])


def _labelled(frame: pd.DataFrame, extra: dict | None = None) -> pd.DataFrame:
    labels = {**COLUMN_LABELS, **(extra or {})}
    return frame.rename(columns={c: labels.get(c, c) for c in frame.columns})


def overview_sheets(tables: dict[str, pd.DataFrame]) -> list[Sheet]:
    """Excel sheets: schools with data status, indicators of the report year, data quality."""
    ind = tables["indicators"]
    year = ind["year"].max()  # the runner checks that the report year has results
    ind_year = ind[ind["year"] == year]
    extra = {"assessments": "Процедур в году", "has_social": "Есть социальный паспорт",
             "item": "Показатель", "value": "Значение", "unreliable": "Ненадёжных групп",
             "no_fail_count": "Групп без числа «2»", "no_marks": "Групп без отметок"}
    part = tables["overview_participation"]
    part = part[part["year"] == year]
    return [
        Sheet("Школы", _labelled(tables["overview_schools"], extra)),
        Sheet("Показатели", _labelled(ind_year, extra)),
        Sheet("Участие", _labelled(part[["assessment", "schools", "participants",
                                          "unreliable", "no_fail_count", "no_marks",
                                          "share_fail", "share_quality", "mean_score"]], extra)),
        Sheet("Качество данных", _labelled(tables["overview_quality"], extra)),
    ]


# Figures of the overview notebook -------------------------------------------------------------

def plot_schools_by_municipality(municipalities: pd.DataFrame):
    """Horizontal stacked bars: schools per municipality by school type."""
    import matplotlib.pyplot as plt

    pivot = (municipalities.groupby(["municipality", "school_type"], dropna=False)["schools"]
             .sum().unstack(fill_value=0))
    pivot = pivot.loc[pivot.sum(axis=1).sort_values().index]
    height = max(3.0, 0.28 * len(pivot) + 1.2)
    fig, ax = plt.subplots(figsize=(9.0, height))
    pivot.plot.barh(stacked=True, ax=ax, width=0.8)
    ax.set_xlabel("Число школ")
    ax.set_ylabel("")
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.legend(title="Тип школы", bbox_to_anchor=(1.01, 1), loc="upper left")
    ax.set_title("Школы по муниципалитетам и типам")
    return fig


def plot_fail_distributions(indicators: pd.DataFrame, year: int, cut: float | None = None,
                            columns: int = 4):
    """Histograms of share_fail per assessment in ``year`` (reliable groups), with the cut."""
    import matplotlib.pyplot as plt

    from shnor.reporting.charts import LOW, percent_axis

    d = indicators[(indicators["year"] == year) & indicators["reliable"].astype(bool)
                   & indicators["share_fail"].notna()]
    keys = _sorted(d[ASSESSMENT].drop_duplicates(), [])
    n = max(len(keys), 1)
    rows = math.ceil(n / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(11.0, 2.3 * rows + 0.6), squeeze=False,
                             sharex=True)
    bins = np.linspace(0, 1, 21)
    for ax, (_, key) in zip(axes.flat, keys.iterrows()):
        s = d[(d["procedure"] == key["procedure"]) & (d["grade"] == key["grade"])
              & (d["subject"] == key["subject"])]["share_fail"]
        ax.hist(s, bins=bins, color="#0072B2", alpha=0.85)
        if cut is not None:
            ax.axvline(cut, color=LOW, linestyle="--", linewidth=1.2)
            share = float((s >= cut).mean()) if len(s) else float("nan")
            ax.text(0.98, 0.92, f"≥ {cut:.0%}: {share:.0%}".replace(".", ","),
                    transform=ax.transAxes, ha="right", va="top", fontsize=8, color=LOW)
        ax.set_title(assessment_label(key["procedure"], key["grade"], key["subject"])
                     .replace(" класс, ", " кл., "), fontsize=9)
        percent_axis(ax, "x")
    for ax in list(axes.flat)[len(keys):]:
        ax.set_visible(False)
    fig.supxlabel("Доля не преодолевших минимальный порог")
    fig.supylabel("Число школ")
    fig.tight_layout()
    return fig


# Presentation helpers of the overview notebook -------------------------------------------------

def _plural(n: int, one: str, few: str, many: str) -> str:
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def overview_summary(schools: pd.DataFrame, participation: pd.DataFrame, year: int) -> str:
    """One Russian sentence about the size and coverage of the dataset in ``year``."""
    n = len(schools)
    munis = schools["municipality"].nunique()
    part = participation[participation["year"] == year]
    with_results = int((schools["assessments"] > 0).sum())
    text = (f"В наборе данных {n} {_plural(n, 'школа', 'школы', 'школ')} "
            f"в {munis} {_plural(munis, 'муниципалитете', 'муниципалитетах', 'муниципалитетах')}")
    if "locality" in schools.columns:
        counts = schools["locality"].value_counts()
        text += (f" (городских — {int(counts.get('urban', 0))}, "
                 f"сельских — {int(counts.get('rural', 0))})")
    people = int(part["participants"].sum())
    people_text = f"{people:,}".replace(",", "\u00a0")
    text += (f". За {year} год результаты есть у {with_results} "
             f"{_plural(with_results, 'школы', 'школ', 'школ')} по {len(part)} "
             f"{_plural(len(part), 'оценочной процедуре', 'оценочным процедурам', 'оценочным процедурам')}"
             f", всего {people_text} {_plural(people, 'участник', 'участника', 'участников')}.")
    return text


def municipality_table(municipalities: pd.DataFrame) -> pd.DataFrame:
    """Municipality × school type counts with a total column, largest municipality first."""
    wide = (municipalities.groupby(["municipality", "school_type"], dropna=False)["schools"]
            .sum().unstack(fill_value=0))
    wide["Всего"] = wide.sum(axis=1)
    wide = wide.sort_values(["Всего"], ascending=False, kind="stable")
    return wide.reset_index().rename(columns={"municipality": "Муниципалитет"})


def participation_table(participation: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per assessment in ``year``: schools, participants, gaps and regional shares."""
    part = participation[participation["year"] == year]
    return part[["assessment", "schools", "participants", "unreliable", "no_fail_count",
                 "no_marks", "share_fail", "share_quality", "mean_score"]].rename(columns={
                     "unreliable": "Ненадёжных групп", "no_fail_count": "Групп без числа «2»",
                     "no_marks": "Групп без отметок"})


def participation_pivot(participation: pd.DataFrame, value: str = "participants") -> pd.DataFrame:
    """Assessment × year table of ``value`` (participants or schools)."""
    order = participation.drop_duplicates("assessment")["assessment"]
    wide = participation.pivot(index="assessment", columns="year", values=value)
    wide = wide.reindex(order).reset_index().rename(columns={"assessment": "Оценочная процедура"})
    wide.columns = [str(c) for c in wide.columns]
    return wide


def schools_without_data(schools: pd.DataFrame) -> pd.DataFrame:
    """Schools with no results for the year or without a social passport."""
    missing = schools[(schools["assessments"] == 0) | ~schools["has_social"].astype(bool)]
    return missing[["school_id", "name", "municipality", "status"]]
