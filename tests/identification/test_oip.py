"""The ОИП of the ``yaroslavl`` profile (shnor.identification.oip)."""

import pytest
from conftest import fail_results, flags_of, make_dataset, schools_of

from shnor.config import load_config
from shnor.identification.oip import oip_scores
from shnor.identification.table1 import scope_groups
from shnor.indicators import compute_indicators


def test_oip_is_a_mean_percentile_rank_and_yaroslavl_profile_runs():
    rows = []
    for i in range(12):
        s = f"{i:02d}"
        for y in (2023, 2024):
            for grade in (5, 6, 7):
                for subj in ("math", "russian"):
                    rows.append((y, s, "VPR", grade, subj, 20, i))  # school 11 fails most
    params = load_config("yaroslavl")
    r = fail_results(rows)
    n = r["participants"] - r["n_fail"]
    r["n_mark4"], r["n_mark5"] = 12.0 - r["n_fail"], 0.0  # quality falls with the failures too
    r["n_mark3"] = n - r["n_mark4"]
    g = scope_groups(compute_indicators(r, params), params)
    oip = oip_scores(g, params).set_index(["year", "school_id"])["oip"].xs(2024)
    assert oip["00"] == pytest.approx(100 * 11.5 / 12) and oip["11"] == pytest.approx(100 * 0.5 / 12)
    ds = make_dataset(schools_of([f"{i:02d}" for i in range(12)], name="Ш"), r)
    f = flags_of(ds, params=params)
    assert f.loc["11", "low_results"]
    assert not f.loc["00", "low_results"]
    assert "ОИП 4,2 (ниже 36)" in f.loc["11", "reasons"]
