"""The yearly lists stacked over the years and what follows from them alone: how many years in a
row a school is on a list, list sizes and movements, progress against the list-size targets.

A *lists* frame has one row per year × school: the flags ``low_results``, ``risk_zone``,
``unfavourable``, ``persistent`` (nullable booleans, ``<NA>`` = not decided), ``reasons`` and
``list_change`` — the identification of every year of the data (:mod:`shnor.identification`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.errors import UserError

FLAGS = ("low_results", "risk_zone", "unfavourable", "persistent")
LIST_COLUMNS = ["year", "school_id", *FLAGS, "reasons", "list_change", "support_table",
                "low_results_certainty"]


def stack_lists(by_year: dict[int, pd.DataFrame]) -> pd.DataFrame:
    """The ``identification`` tables of the years (year → table) as one lists frame."""
    return normalise_lists(pd.concat([t.assign(year=y) for y, t in sorted(by_year.items())],
                                     ignore_index=True))


def normalise_lists(lists: pd.DataFrame) -> pd.DataFrame:
    """Canonical dtypes for a lists frame; reasons / list_change default to empty text."""
    out = pd.DataFrame({"year": lists["year"].astype("int64"),
                        "school_id": lists["school_id"].astype("str")})
    for flag in FLAGS:
        out[flag] = lists[flag].astype("boolean") if flag in lists else pd.NA
        out[flag] = out[flag].astype("boolean")
    for col in ("reasons", "list_change"):
        out[col] = lists[col].astype("str") if col in lists else ""
    # the programme table and the certainty of a listing travel with the lists to the cards
    out["support_table"] = lists.get("support_table", pd.NA)
    out["support_table"] = out["support_table"].astype("Int64")
    out["low_results_certainty"] = lists.get("low_results_certainty", np.nan)
    out["low_results_certainty"] = out["low_results_certainty"].astype("float64")
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
            row = {"year": int(y), "list": flag,
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
    return out[["year", "list", "schools", "all_schools", "share", "undecided",
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
