"""One dataset × year × parameters computed once (shnor.analysis.run.Run): each step is made
once and handed to every report, and the reports give the same tables as their functions do on
freshly computed inputs."""

import pandas as pd
import pytest
from conftest import fast_params

import shnor
from shnor.analysis import run as run_module
from shnor.analysis.differentiation import differentiation_tables
from shnor.analysis.overview import overview_tables
from shnor.analysis.run import REPORTS, Run
from shnor.errors import UserError
from shnor.identification.decisions import decide_years
from shnor.identification.tables import identification_tables, identify_years
from shnor.indicators import compute_indicators
from shnor.monitoring.lists import stack_lists
from shnor.monitoring.tables import monitoring_tables
from shnor.quality.index import assessment_scores, quality_index
from shnor.social.isbsh import fit_isbsh


def _assert_same_tables(got: dict, expected: dict) -> None:
    assert list(got) == list(expected)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(got[name], frame, check_exact=True, obj=name)


def test_each_step_is_computed_once(region):
    params = fast_params()
    year = region.years[-1]
    run = Run(region, year, params)
    assert run.indicators is run.indicators
    pd.testing.assert_frame_equal(run.indicators, compute_indicators(region.results, params))
    assert run.decisions is run.decisions
    assert run.quality(year) is run.quality(year)
    assert run.isbsh(year) is run.isbsh(year)
    for report in REPORTS:
        assert getattr(run, report) is getattr(run, report), report


def test_isbsh_is_fitted_once_and_the_same_table_reaches_identification_and_differentiation(
        region, monkeypatch):
    fitted_years = []

    def counting_fit(social, year, params, quality=None, fitted=None):
        fitted_years.append(year)
        return fit_isbsh(social, year, params, quality, fitted)

    monkeypatch.setattr(run_module, "fit_isbsh", counting_fit)
    year = region.years[-1]
    run = Run(region, year, fast_params())
    flags = run.identification["identification_flags"].set_index("school_id")
    diff = run.differentiation["differentiation"].set_index("school_id")
    # the lists of the other years need the ИСБШ of their years: each one fitted once too
    assert run.monitoring["monitoring_lists"]["year"].nunique() == len(region.years)
    run.tables()
    assert sorted(fitted_years) == region.years  # once per year, however many reports read it
    isbsh = run.isbsh(year)[0].set_index("school_id")
    assert isbsh["isbsh"].notna().any()
    for frame in (flags, diff):
        pd.testing.assert_series_equal(frame["isbsh"], isbsh["isbsh"].reindex(frame.index),
                                       check_names=False)
        pd.testing.assert_series_equal(frame["isbsh_group"].astype("Int64"),
                                       isbsh["isbsh_group"].reindex(frame.index).astype("Int64"),
                                       check_names=False)


def test_tables_are_the_four_reports_together(region):
    run = Run(region, region.years[-1], fast_params())
    tables = run.tables()
    together = {}
    for report in REPORTS:
        produced = getattr(run, report)
        assert not set(produced) & set(together), report  # names are unique across reports
        together.update(produced)
    assert list(tables) == list(together)
    assert all(tables[name] is frame for name, frame in together.items())
    assert not any(name.startswith("_") for name in tables)  # no working frames among them


@pytest.mark.parametrize("profile", [None, "yaroslavl", "fioko"])
def test_reports_give_the_same_tables_as_their_functions_on_fresh_inputs(region, profile):
    params = fast_params(profile)
    year = region.years[-1]
    run = Run(region, year, params)

    ind = compute_indicators(region.results, params)
    rows = ind[ind["year"] == year]
    scores = assessment_scores(rows, year, params)
    quality = quality_index(rows, year, params, scores)
    isbsh, model = fit_isbsh(region.social, year, params)
    decisions = decide_years(region, year, params, ind)

    _assert_same_tables(run.overview, overview_tables(region, year, params, ind))
    _assert_same_tables(run.identification,
                        identification_tables(region, year, params, decisions, isbsh))
    diff = differentiation_tables(region, year, params, ind, scores, quality, isbsh, model)
    _assert_same_tables(run.differentiation, diff)
    by_year = {y: identification_tables(region, y, params, decide_years(region, y, params, ind),
                                        fit_isbsh(region.social, y, params)[0])["identification"]
               for y in region.years}
    _assert_same_tables(run.monitoring, monitoring_tables(
        region, year, params, ind, stack_lists(by_year), diff["differentiation"]))
    pd.testing.assert_frame_equal(shnor.identify(region, year, params),
                                  run.identification["identification"])
    pd.testing.assert_frame_equal(shnor.differentiate(region, year, params),
                                  run.differentiation["differentiation"])


def test_identify_on_every_year_equals_identify_years_and_the_monitoring_lists(region):
    params = fast_params()
    run = Run(region, region.years[-1], params)
    by_year = identify_years(region, region.years, params, run.decisions,
                             lambda y: run.isbsh(y)[0])
    assert sorted(by_year) == region.years
    for y in region.years:
        pd.testing.assert_frame_equal(shnor.identify(region, y, params), by_year[y],
                                      check_exact=True, obj=str(y))
    # the lists of every year of the data (was monitoring.yearly_lists)
    pd.testing.assert_frame_equal(run.monitoring["monitoring_lists"], stack_lists(by_year))
    assert sorted(run.monitoring["monitoring_lists"]["year"].unique()) == region.years


def test_regression_weighting_of_isbsh_works_for_identify_and_differentiate(region):
    # The weights need the quality index: identification used to fail without it.
    params = fast_params()
    params["isbsh"]["weighting"] = "regression"
    year = region.years[-1]
    ident = shnor.identify(region, year, params)
    diff = shnor.differentiate(region, year, params)
    ids = region.schools["school_id"].tolist()
    assert ident["school_id"].tolist() == ids and diff["school_id"].tolist() == ids
    assert diff["isbsh"].notna().any() and ident["unfavourable"].notna().any()
    run = Run(region, year, params)
    flags = run.identification["identification_flags"].set_index("school_id")
    pd.testing.assert_series_equal(
        flags["isbsh"], run.differentiation["differentiation"].set_index("school_id")["isbsh"],
        check_names=False)
    assert run.isbsh(year)[1].weighting == "regression"


def test_a_year_without_results_is_a_user_error_naming_the_years(region):
    with pytest.raises(UserError, match=r"нет результатов за 2019 год\. Годы с результатами: "
                                        r"2022, 2023, 2024"):
        Run(region, 2019)
