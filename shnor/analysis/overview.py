"""Tables and figures of the «Обзор данных» report: indicators, coverage and data quality.

All tables use the years up to the report year only, so a report for a past year does not
change when later years are added to the dataset.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.frames import sort_codes
from shnor.indicators import (
    ASSESSMENT,
    GroupKey,
    isin,
    regional_benchmarks,
    rows_of_years,
    school_year_summary,
)
from shnor.io.contract import COLUMN_LABELS, PROCEDURES, SUBJECTS, TABLES, assessment_label

INDICATORS_CSV = ["year", "school_id", "procedure", "grade", "subject", "participants",
                  "share_fail", "share_success", "share_quality", "share_high", "mean_score",
                  "reliable"]


def sorted_by_assessment(frame: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    """Sorted by ``first``, then in assessment order (procedures and subjects as the contract
    lists them, grades ascending): a stable sort on integer codes, missing values last."""
    keys = [*(frame[c].factorize(sort=True, use_na_sentinel=False)[0] for c in first),
            sort_codes(frame["procedure"], PROCEDURES), frame["grade"].to_numpy(),
            sort_codes(frame["subject"], SUBJECTS)]
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
    return sorted_by_assessment(out, ["year"])


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


def overview_tables(dataset, year: int, params: dict, ind: pd.DataFrame
                    ) -> dict[str, pd.DataFrame]:
    """Indicators (the SPEC output contract), benchmarks, coverage and data quality.

    Tables: ``indicators`` (year ≤ ``year``, columns of ``indicators.csv``), ``regional``,
    ``school_summary``, ``overview_schools`` (every school with its data status),
    ``overview_municipalities``, ``overview_participation``, ``overview_quality``,
    ``overview_excluded``. ``ind``: the indicators of all results rows.
    """
    results = dataset.results
    if (results["year"] > year).any():  # filtering copies all columns: only when needed
        results = results[results["year"] <= year]
    full = rows_of_years(ind, ind["year"] <= year)
    reg = regional_benchmarks(full, dataset.schools)
    status = _school_status(dataset.schools, results, dataset.social, year)
    group_cols = [c for c in ["municipality", "locality", "school_type"] if c in status.columns]
    munis = (status.groupby(group_cols, dropna=False).size().rename("schools").reset_index()
             .sort_values(group_cols, kind="stable").reset_index(drop=True))
    return {
        "indicators": sorted_by_assessment(full[INDICATORS_CSV], ["year", "school_id"]),
        "regional": sorted_by_assessment(reg, ["year", "municipality"]),
        "school_summary": school_year_summary(full).sort_values(["year", "school_id"])
        .reset_index(drop=True),
        "overview_schools": status,
        "overview_municipalities": munis,
        "overview_participation": _participation(full, reg),
        "overview_quality": _data_quality(status, full, dataset.social, year, params),
        "overview_excluded": excluded_tables(dataset),
    }


def excluded_tables(dataset) -> pd.DataFrame:
    """Optional tables left out of the run because of input problems: one row per problem."""
    rows = [(TABLES[table].title, str(problem))
            for table, problems in dataset.excluded.items() for problem in problems]
    return pd.DataFrame(rows, columns=["table", "problem"])


# Figures of the overview notebook -------------------------------------------------------------


# Presentation helpers of the overview notebook -------------------------------------------------


