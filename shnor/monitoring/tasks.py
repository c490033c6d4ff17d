"""Programme task indicators computable from the data, as shares of the listed schools and of
their students (seed 000 table 12; seeds 001 and 004)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.monitoring.dynamics import _groups, _Pairs
from shnor.monitoring.lists import list_sizes
from shnor.monitoring.risk_changes import removed_by_school


def task_indicators(ind: pd.DataFrame, lists: pd.DataFrame, overall: pd.DataFrame,
                    flag: str, sizes: pd.DataFrame | None = None,
                    changes: pd.DataFrame | None = None,
                    changes_region: pd.DataFrame | None = None) -> pd.DataFrame:
    """Programme task indicators computable from the data, per year, as shares.

    Columns: year, indicator, value (0–1), numerator, denominator, source. The cohort is the
    programme cohort (on the list of the year before). ``sizes``: :func:`list_sizes` of
    ``lists`` when already computed. ``changes``, ``changes_region``: the risk factors over
    time (:func:`shnor.monitoring.risk_changes.factor_changes`), for seed 000 table 12
    indicator 6.
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
    for r in ([] if changes_region is None else changes_region.itertuples()):
        if r.schools_with_high > 0:  # the share of them that removed at least one high factor
            add(int(r.year), ("Динамика выявления и устранения ресурсных дефицитов: доля школ, "
                              "устранивших хотя бы один фактор риска высокой значимости (к "
                              f"профилям {r.previous_year} г.)"),
                float(r.schools_removed), float(r.schools_with_high),
                "seed 000, табл. 12, показатель 6; устранены: "
                + (removed_by_school(changes, r.year) or "—"))
    out = pd.DataFrame(rows, columns=["year", "indicator", "numerator", "denominator", "source"])
    out.insert(2, "value", out["numerator"] / out["denominator"].replace(0, np.nan))
    return out.sort_values(["year"], kind="stable").reset_index(drop=True)
