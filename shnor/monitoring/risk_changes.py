"""Risk factors over time: per school, the high-significance factors removed, kept and newly
appeared between consecutive profile years, and the region's counts (seed 000 table 12,
indicator 6 «динамика выявления и устранения ресурсных дефицитов (с перечислением в анализе
устраненных факторов риска)»).

A factor of high significance (``monitoring.risk_profiles.group_levels``) in the earlier year is
*removed* when the later year gives it a level of ``removed_levels`` (medium, low) or no longer
lists it; *kept* when it is high again; a factor is *new* when it is high in the later year and
was not high before. Indicator 6 is the share of the schools with a high factor in the earlier
year that removed at least one.
"""

from __future__ import annotations

from itertools import pairwise

import pandas as pd

from shnor.frames import id_sort_column, id_sort_key
from shnor.monitoring.risk_profiles import FACTORS, _valid

REMOVED, KEPT, NEW = "removed", "kept", "new"
SCHOOL_COLUMNS = ["year", "previous_year", "school_id", "name", "removed", "kept", "new",
                  "n_removed", "n_kept", "n_new"]
REGION_COLUMNS = ["year", "previous_year", "schools_compared", "schools_with_high",
                  "schools_removed", "factors_removed", "factors_kept", "factors_new",
                  "indicator_6"]


def _levels(profiles: pd.DataFrame, year: int) -> pd.Series:
    g = profiles[(profiles["year"] == year) & _valid(profiles)]
    levels = g.groupby(["school_id", "factor"])["level"]
    return levels.first().where(levels.nunique() == 1)  # a conflict counts as not given


def factor_changes(profiles: pd.DataFrame | None, schools: pd.DataFrame, params: dict,
                   until: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per school, region) for every pair of consecutive profile years up to ``until``.

    Per school (SCHOOL_COLUMNS): schools with a profile in both years; removed / kept / new as
    comma-separated factor codes. Region (REGION_COLUMNS): counts and ``indicator_6`` (0–1).
    """
    cfg = params["monitoring"]["risk_profiles"]
    high, removed_levels = set(cfg["group_levels"]), set(cfg["removed_levels"])
    rows, region = [], []
    years = [] if profiles is None or profiles.empty else sorted(
        int(y) for y in profiles["year"].unique() if until is None or y <= until)
    names = schools.set_index("school_id")["name"]
    for before, now in pairwise(years):
        a, b = _levels(profiles, before), _levels(profiles, now)
        ids_a = set(a.index.get_level_values(0))
        both = sorted(ids_a & set(b.index.get_level_values(0)), key=id_sort_key)
        for school in both:
            la, lb = a.loc[school], b.loc[school]
            was = [f for f in FACTORS if la.get(f) in high]
            is_ = [f for f in FACTORS if lb.get(f) in high]
            gone = [f for f in was if lb.get(f) in removed_levels or pd.isna(lb.get(f))]
            kept = [f for f in was if f in is_]
            new = [f for f in is_ if f not in was]
            rows.append({"year": now, "previous_year": before, "school_id": school,
                         "name": str(names.get(school, "")),
                         "removed": ", ".join(map(str, gone)), "kept": ", ".join(map(str, kept)),
                         "new": ", ".join(map(str, new)), "n_removed": len(gone),
                         "n_kept": len(kept), "n_new": len(new)})
        these = [r for r in rows if r["year"] == now]
        with_high = [r for r in these if r["n_removed"] + r["n_kept"] > 0]
        with_removed = [r for r in with_high if r["n_removed"] > 0]
        region.append({
            "year": now, "previous_year": before, "schools_compared": len(these),
            "schools_with_high": len(with_high), "schools_removed": len(with_removed),
            "factors_removed": sum(r["n_removed"] for r in these),
            "factors_kept": sum(r["n_kept"] for r in these),
            "factors_new": sum(r["n_new"] for r in these),
            "indicator_6": len(with_removed) / len(with_high) if with_high else float("nan"),
        })
    per_school = pd.DataFrame(rows, columns=SCHOOL_COLUMNS).astype(
        {"year": "int64", "previous_year": "int64", "school_id": "str", "name": "str",
         "removed": "str", "kept": "str", "new": "str", "n_removed": "int64", "n_kept": "int64",
         "n_new": "int64"})
    per_school = per_school.sort_values(["year", "school_id"], key=id_sort_column) \
        .reset_index(drop=True)
    out = pd.DataFrame(region, columns=REGION_COLUMNS).astype(
        {**{c: "int64" for c in REGION_COLUMNS[:-1]}, "indicator_6": "float64"})
    return per_school, out


def removed_by_school(per_school: pd.DataFrame, year: int) -> str:
    """«школа 3: факторы 2, 5; школа 26: фактор 1» — the removed factors of ``year``."""
    g = per_school[(per_school["year"] == year) & (per_school["n_removed"] > 0)]
    return "; ".join(f"{r.school_id}: {r.removed}" for r in g.itertuples())
