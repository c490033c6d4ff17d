from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shnor.config import load_config
from shnor.io.dataset import Dataset
from shnor.analysis.differentiation import (
    CONTRACT_COLUMNS,
    differentiate,
    differentiation_sheets,
    differentiation_tables,
)
from shnor.errors import UserError
from shnor.synth.region import generate_region


@pytest.fixture(scope="module")
def region():
    t = generate_region(160, 2, 2024, optional_tables=False)
    return Dataset("t", Path("."), t["schools"], t["results"], t["social"])


@pytest.fixture(scope="module")
def tables(region):
    params = load_config()
    params["clustering"].update(n_bootstrap=4, n_init=3)
    return differentiation_tables(region, 2024, params)


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


def test_sheets(tables):
    pytest.importorskip("shnor.io.writers")
    sheets = differentiation_sheets(tables)
    names = [s.name for s in sheets]
    for n in ["Типология", "Кластеры", "ИСБШ", "Добавленная ценность", "Объективность"]:
        assert n in names
    typ = sheets[0]
    assert typ.cell_fills.shape == typ.frame.shape


def test_bad_input_completes_with_reasons():
    rows = []
    for k, sid in enumerate(["a", "b", "c"]):
        for grade, subj in [(5, "math"), (6, "russian")]:
            rows.append((2024, sid, "VPR", grade, subj, 20.0, 2.0 + k, 8.0, 6.0, 4.0 - k,
                         np.nan, np.nan))
    cols = ["year", "school_id", "procedure", "grade", "subject", "participants", "n_fail",
            "n_mark3", "n_mark4", "n_mark5", "n_high", "mean_score"]
    results = pd.DataFrame(rows, columns=cols)
    schools = pd.DataFrame({"school_id": ["a", "b", "c", "d"], "name": list("ABCD"),
                            "municipality": "M"})
    social = pd.DataFrame({"year": [2024, 2024], "school_id": ["a", "b"],
                           "students_total": [100.0, 200.0], "parents_higher_edu": [10.0, 50.0]})
    ds = Dataset("bad", Path("."), schools, results, social)
    t = differentiation_tables(ds, 2024, load_config())
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
