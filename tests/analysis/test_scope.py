"""A municipality's report from a regional run: one row per school of the municipality in every
per-school table, the region's groups unchanged, the region beside it where it compares."""

from dataclasses import replace

import pandas as pd
import pytest
from conftest import fast_params

from shnor.analysis.run import Run
from shnor.analysis.scope import check_municipality, scoped_tables
from shnor.errors import UserError
from shnor.indicators import REGION_TOTAL


@pytest.fixture(scope="module")
def run(region_of):
    ds = region_of(n_schools=160, n_years=3, seed=5)
    return Run(ds, ds.years[-1], fast_params())


@pytest.fixture(scope="module")
def municipality(run):
    return run.dataset.schools["municipality"].value_counts().index[0]


@pytest.fixture(scope="module")
def scoped(run, municipality):
    return scoped_tables(run, municipality)


def test_per_school_tables_hold_the_municipality_only(run, municipality, scoped):
    ids = set(run.dataset.schools.loc[run.dataset.schools["municipality"] == municipality,
                                      "school_id"])
    for name in ("identification", "differentiation", "card_profile", "overview_schools",
                 "diff_schools"):
        assert sorted(scoped[name]["school_id"]) == sorted(ids), name  # one row per school
    for name, table in scoped.items():
        if "school_id" in table.columns:
            assert set(table["school_id"]) <= ids, name


def test_groups_and_types_are_the_regions(run, scoped):
    full = run.differentiation["differentiation"].set_index("school_id")
    mine = scoped["differentiation"].set_index("school_id")
    pd.testing.assert_frame_equal(mine, full.loc[mine.index])


def test_the_region_stays_beside_the_municipality(run, municipality, scoped):
    counts = scoped["identification_municipalities"]
    assert list(counts["municipality"]) == [municipality, REGION_TOTAL]
    assert counts.iloc[1]["schools"] == len(run.dataset.schools)
    types = scoped["diff_type_counts"]
    assert types["n_schools"].sum() == len(scoped["differentiation"][
        scoped["differentiation"]["typology"] != ""])
    assert types["n_schools_region"].sum() == run.differentiation["diff_type_counts"][
        "n_schools"].sum()
    pd.testing.assert_frame_equal(scoped["diff_matrix_region"], run.differentiation["diff_matrix"])
    matrix = scoped["diff_matrix"]
    assert int(matrix.iloc[-1, -1] or 0) == int(types["n_schools"].sum())
    regional = scoped["regional"]
    assert set(regional["municipality"].dropna()) == {municipality}
    assert regional["municipality"].isna().any()  # the region's own rows
    dyn = scoped["monitoring_dynamics"]
    pd.testing.assert_frame_equal(
        dyn[dyn["group"] == "region"].reset_index(drop=True),
        run.monitoring["monitoring_dynamics"].query("group == 'region'").reset_index(drop=True))


def test_list_sizes_count_the_municipality(run, municipality, scoped):
    lists = run.monitoring["monitoring_lists"]
    mine = lists[lists["school_id"].isin(scoped["identification"]["school_id"])]
    sizes = scoped["monitoring_sizes"]
    for year, group in mine.groupby("year"):
        row = sizes[(sizes["year"] == year) & (sizes["list"] == "low_results")].iloc[0]
        assert row["schools"] == int(group["low_results"].fillna(False).sum())
        assert row["all_schools"] == len(group)
    ident = scoped["identification_list_sizes"]
    last = ident[ident["year"] == str(run.year)].iloc[0]
    assert last["low_results"] == int(scoped["identification"]["low_results"].fillna(False).sum())


def test_unknown_municipality_lists_the_names(run):
    with pytest.raises(UserError, match="нет муниципалитета «Атлантида»") as err:
        check_municipality(run.dataset, "Атлантида")
    assert run.dataset.schools["municipality"].iloc[0] in str(err.value)


def test_municipality_keeps_indicator_6_of_its_own_schools(run, municipality):
    # a second profile year: the 2024 profiles also given for 2023, with every high factor
    # high the year before, so the schools whose 2024 level is lower removed one
    prof = run.dataset.risk_profiles
    before = prof.assign(year=prof["year"] - 1, level="high")
    ds = replace(run.dataset, risk_profiles=pd.concat([before, prof], ignore_index=True))
    both = Run(ds, run.year, fast_params())
    scoped = scoped_tables(both, municipality)

    def indicator_6(tasks):
        return tasks[tasks["source"].str.startswith("seed 000, табл. 12, показатель 6")]

    region, own = indicator_6(both.tables()["monitoring_tasks"]), indicator_6(
        scoped["monitoring_tasks"])
    assert len(region) == len(own) == 1
    assert 0 < own["denominator"].iloc[0] < region["denominator"].iloc[0]
    mine = set(ds.schools.loc[ds.schools["municipality"] == municipality, "school_id"])
    assert set(scoped["risk_changes"]["school_id"]) <= mine
    assert (scoped["risk_changes_region"]["schools_compared"].iloc[0]
            == len(set(prof["school_id"]) & mine))
