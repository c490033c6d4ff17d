"""The differentiation report (shnor.analysis.differentiation): every school with a status, a
demo-like region's properties, and bad input that still completes."""

import numpy as np
import pandas as pd
import pytest
from conftest import make_dataset, results_frame

from shnor.analysis.differentiation import CONTRACT_COLUMNS
from shnor.analysis.run import Run, differentiate
from shnor.config import load_config
from shnor.errors import UserError


@pytest.fixture(scope="module")
def region(region_of):
    return region_of(n_schools=160, n_years=2, last_year=2024, optional_tables=False)


@pytest.fixture(scope="module")
def tables(differentiation):
    return differentiation


def test_contract_every_school_and_statuses(region, tables):
    d = tables["differentiation"]
    assert list(d.columns) == CONTRACT_COLUMNS
    assert d["school_id"].tolist() == region.schools["school_id"].tolist()
    full = d["typology"] != ""
    assert (d.loc[~full, "status"] != "").all()
    assert d.loc[full, "isbsh_group"].notna().all() and d.loc[full, "quality_group"].notna().all()
    assert d["objectivity_flag"].dtype == bool


def test_demo_like_region_properties(tables):
    s = tables["diff_summary"].set_index("item")["value"]
    assert s["isbsh_quality_corr"] > 0
    sizes = tables["diff_cluster_sizes"]
    assert sizes["cluster"].tolist() == [1, 2, 3, 4]
    assert sizes["mean_quality"].is_monotonic_increasing
    assert 0 < s["stability_ari"] <= 1
    assert len(tables["diff_cluster_diagnostics"]) == 7
    assert tables["diff_cluster_matching"]["previous_cluster"].notna().all()
    assert len(tables["diff_sensitivity"]) == 10


def test_bad_input_completes_with_reasons():
    rows = []
    for k, sid in enumerate(["a", "b", "c"]):
        for grade, subj in [(5, "math"), (6, "russian")]:
            rows.append((2024, sid, "VPR", grade, subj, 20.0, 2.0 + k, 8.0, 6.0, 4.0 - k,
                         np.nan, np.nan))
    schools = pd.DataFrame({"school_id": ["a", "b", "c", "d"], "name": list("ABCD"),
                            "municipality": "M"})
    social = pd.DataFrame({"year": [2024, 2024], "school_id": ["a", "b"],
                           "students_total": [100.0, 200.0], "parents_higher_edu": [10.0, 50.0]})
    ds = make_dataset(schools, results_frame(rows), social, name="bad")
    t = Run(ds, 2024, load_config()).differentiation
    d = t["differentiation"].set_index("school_id")
    assert len(d) == 4 and d["cluster"].isna().all() and (d["typology"] == "").all()
    assert "нет результатов" in d.loc["d", "status"]
    assert "кластеров (4)" in d.loc["a", "status"]
    assert "нет данных социального паспорта" in d.loc["c", "status"]
    assert "менее чем у 5" in d.loc["a", "status"]
    notes = " ".join(t["diff_notes"]["note"])
    assert "Кластеризация не выполнена" in notes and "ИСБШ не рассчитан" in notes
    assert "безработные родители" in notes
    with pytest.raises(UserError, match="нет результатов за 2020"):
        differentiate(ds, 2020)
