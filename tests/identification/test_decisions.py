"""The decisions of a grid of years (shnor.identification.decisions): every year decides as it
would on its own, so one pass serves identification and monitoring."""

import numpy as np
import pandas as pd
import pytest
from conftest import fail_results, make_dataset, schools_of

from shnor.analysis.run import Run, identify
from shnor.config import load_config
from shnor.errors import UserError
from shnor.identification.decisions import METHODS, decide_years
from shnor.identification.tables import identify_years
from shnor.indicators import compute_indicators


def _four_years():
    rng = np.random.default_rng(0)
    rows = []
    for i in range(12):
        for y in (2021, 2022, 2023, 2024):
            if (i == 3 and y == 2022) or (i == 5 and y < 2023):  # a gap year, a late starter
                continue
            for grade in (4, 5, 6):
                for subj in ("math", "russian"):
                    n = int(rng.integers(3, 25))
                    rows.append((y, f"{i:02d}", "VPR", grade, subj, n, int(rng.integers(0, n // 2 + 1))))
    r = fail_results(rows)
    r["n_mark4"], r["n_mark5"] = ((r["participants"] - r["n_fail"]) // 2).astype(float), 1.0
    r["n_mark3"] = r["participants"] - r["n_fail"] - r["n_mark4"] - r["n_mark5"]
    # school 12 has no results at all
    return make_dataset(schools_of([f"{i:02d}" for i in range(13)], name="Ш"), r)


@pytest.mark.parametrize("profile", [None, "yaroslavl", "fioko"])
def test_identify_years_in_one_pass_equals_identify_of_each_year(profile):
    ds = _four_years()
    params = load_config(profile)
    years = [2021, 2022, 2023, 2024]
    run = Run(ds, 2024, params)
    together = identify_years(ds, years, params, run.decisions, lambda y: run.isbsh(y)[0])
    assert sorted(together) == years
    for y in years:
        pd.testing.assert_frame_equal(together[y], identify(ds, y, params))
    assert together[2024]["low_results"].notna().any()
    assert identify_years(ds, [], params, run.decisions, lambda y: run.isbsh(y)[0]) == {}


@pytest.mark.parametrize("profile", [None, "yaroslavl", "fioko"])
def test_decisions_of_the_run_decide_earlier_years_as_a_fresh_pass(region, profile):
    params = load_config(profile)
    year = region.years[-1]
    run = Run(region, year, params)
    years = region.years[:-1]
    assert all(run.decisions.covers(y, params) for y in years)
    shared = identify_years(region, years, params, run.decisions, lambda y: run.isbsh(y)[0])
    for y in years:
        fresh = decide_years(region, y, params, run.indicators)
        assert fresh.covers(y, params)
        alone = identify_years(region, [y], params, fresh, lambda y: run.isbsh(y)[0])
        pd.testing.assert_frame_equal(shared[y], alone[y], check_exact=True)


def test_unknown_rule_is_a_user_error():
    params = load_config()
    params["low_results"]["method"] = "magic"
    ds = _four_years()
    with pytest.raises(UserError, match="неизвестное правило «magic».*" + ", ".join(METHODS)):
        decide_years(ds, 2024, params, compute_indicators(ds.results, params))
