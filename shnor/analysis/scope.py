"""A municipality's report from a regional run (``shnor run --municipality``; SPEC §4.9, seed 000
section 2: a municipality judges its schools on the region's scale).

Everything is computed over the whole dataset — ИСБШ, quality groups, clusters, value-added are
the region's — and the tables are then cut to the municipality's schools: a table with one row
per school (or per school and year, assessment…) keeps the municipality's rows; a summary over
schools is recomputed for them and, where it helps the reader, keeps the region beside it
(table 7 of the region, regional means, the region in the dynamics of the listed schools).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.analysis.differentiation import summary_numbers
from shnor.analysis.overview import _data_quality, _participation
from shnor.errors import UserError
from shnor.identification.decisions import grid_years
from shnor.identification.tables import list_sizes as decision_list_sizes
from shnor.indicators import REGION_TOTAL, isin
from shnor.monitoring.dynamics import group_dynamics, overall_dynamics
from shnor.monitoring.lists import list_sizes, list_targets
from shnor.monitoring.risk_changes import factor_changes
from shnor.monitoring.risk_profiles import factor_groups, profile_year
from shnor.monitoring.tasks import task_indicators
from shnor.school_typology import TYPES, typology_matrix


def municipality_names(dataset) -> list[str]:
    return sorted(dataset.schools["municipality"].dropna().unique())


def check_municipality(dataset, municipality: str) -> None:
    """A Russian error listing the municipalities when ``municipality`` is not one of them."""
    names = municipality_names(dataset)
    if municipality not in names:
        raise UserError(f"В наборе данных «{dataset.name}» нет муниципалитета «{municipality}» "
                        "(название пишется как в столбце «Муниципалитет» таблицы «Школы»). "
                        f"Муниципалитеты: {'; '.join(names)}.")


def scoped_tables(run, municipality: str) -> dict[str, pd.DataFrame]:
    """Every table of ``run`` (a :class:`shnor.analysis.run.Run`) for one municipality."""
    ds, year, params = run.dataset, run.year, run.params
    check_municipality(ds, municipality)
    schools = ds.schools
    ids = schools.loc[schools["municipality"] == municipality, "school_id"]
    tables = run.tables()
    out = {name: (t[isin(t["school_id"], ids)].reset_index(drop=True)
                  if "school_id" in t.columns else t)
           for name, t in tables.items()}

    # Identification: the municipality beside the region; list sizes of its schools.
    munis = tables["identification_municipalities"]
    out["identification_municipalities"] = munis[
        munis["municipality"].isin([municipality, "Всего"])].replace(
        {"municipality": {"Всего": REGION_TOTAL}}).reset_index(drop=True)
    d = run.decisions.d
    keep = (d.index.get_level_values("year").isin(grid_years(year, params))
            & isin(pd.Series(d.index.get_level_values("school_id")), ids))
    out["identification_list_sizes"] = decision_list_sizes(d[keep])

    # Overview: its schools' participation and data quality; its and the region's means.
    ind = run.indicators
    own = ind[(ind["year"] <= year) & isin(ind["school_id"], ids)].reset_index(drop=True)
    reg = tables["regional"]
    out["regional"] = reg[reg["municipality"].isna() | (reg["municipality"] == municipality)
                          ].reset_index(drop=True)
    local = reg[reg["municipality"] == municipality].assign(municipality=np.nan)
    out["overview_participation"] = _participation(own, local)
    munis = tables["overview_municipalities"]
    out["overview_municipalities"] = munis[munis["municipality"] == municipality
                                           ].reset_index(drop=True)
    social = ds.social[isin(ds.social["school_id"], ids)]
    out["overview_quality"] = _data_quality(out["overview_schools"], own, social, year, params)

    # Differentiation: table 7 and the type counts of the municipality, the region's beside.
    frame = out["differentiation"]
    out["diff_matrix"] = typology_matrix(frame.assign(label=frame["school_id"]),
                                         params["typology"], params["isbsh"]["n_groups"],
                                         label="label")
    out["diff_matrix_region"] = tables["diff_matrix"]
    region_counts = tables["diff_type_counts"].set_index("typology")
    counts = frame["typology"].value_counts().reindex(list(TYPES), fill_value=0)
    out["diff_type_counts"] = pd.DataFrame({
        "typology": list(TYPES), "n_schools": counts.to_numpy(),
        "share": counts.to_numpy() / max(int(counts.sum()), 1),
        "n_schools_region": region_counts["n_schools"].reindex(list(TYPES)).to_numpy(),
        "share_region": region_counts["share"].reindex(list(TYPES)).to_numpy()})
    out["diff_cluster_sizes"] = (
        frame.dropna(subset=["cluster"]).groupby("cluster")
        .agg(n_schools=("school_id", "size"), mean_quality=("quality_index", "mean"),
             mean_isbsh=("isbsh", "mean")).reset_index())
    out["diff_summary"] = summary_numbers(frame, run.clusters.model,
                                          tables["diff_cluster_stability"],
                                          out["diff_value_added"], out["diff_objectivity"])
    note = pd.DataFrame([("Муниципалитет", (
        f"Отчёт по муниципалитету «{municipality}» ({len(ids)} школ): ИСБШ, группы качества, "
        f"кластеры, типология и добавленная ценность рассчитаны по всем {len(schools)} школам "
        "набора и одинаковы с региональным отчётом; диагностика и устойчивость кластеров — "
        "региональные."))], columns=["topic", "note"])
    out["diff_notes"] = pd.concat([note, tables["diff_notes"]], ignore_index=True)

    # Monitoring: the municipality's lists; the region stays the comparison in the dynamics.
    lists = out["monitoring_lists"]
    flag = params["monitoring"]["target_list"]
    sizes = list_sizes(lists)
    out["monitoring_sizes"] = sizes
    out["monitoring_targets"] = list_targets(sizes, params)
    out["monitoring_dynamics"] = group_dynamics(ind, lists, schools, flag)
    out["monitoring_overall"] = overall_dynamics(ind, lists, flag)
    mine = ind[isin(ind["school_id"], ids)].reset_index(drop=True)
    prof = ds.risk_profiles
    own = None if prof is None else prof[isin(prof["school_id"], ids)]
    changes, changes_region = factor_changes(own, schools[isin(schools["school_id"], ids)],
                                             params, until=year)
    out["risk_changes"], out["risk_changes_region"] = changes, changes_region
    out["monitoring_tasks"] = task_indicators(mine, lists, out["card_overall"], flag, sizes,
                                              changes, changes_region)
    p_year = profile_year(prof, year)
    if p_year is not None:
        prof = prof[(prof["year"] == p_year) & isin(prof["school_id"], ids)]
        out["risk_groups"] = factor_groups(prof, params)
    return out
