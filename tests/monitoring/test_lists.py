"""The yearly lists stacked over the years (shnor.monitoring.lists): sizes, movements, years on
the list and the progress against the list-size targets."""

import copy

import numpy as np
import pandas as pd
import pytest
from conftest import monitoring_lists

from shnor.config import load_config
from shnor.errors import UserError
from shnor.monitoring.lists import consecutive_years, list_sizes, list_targets


@pytest.fixture(scope="module")
def params():
    return load_config()


def test_list_sizes_entries_exits_and_second_year():
    s = list_sizes(monitoring_lists())
    assert "label" not in s  # the names of the lists are the report's: reporting.views
    low = s[s["list"] == "low_results"].set_index("year")
    assert low["schools"].tolist() == [3, 2, 2, 2]
    assert low["undecided"].tolist() == [0, 0, 1, 0]
    assert np.isnan(low.loc[2021, "entered"])
    assert low.loc[2022, ["entered", "left"]].tolist() == [1, 2]
    # 04: on the list in 2022, undecided in 2023 — not counted as leaving
    assert low.loc[2023, ["entered", "left"]].tolist() == [1, 0]
    assert low.loc[2024, ["entered", "left"]].tolist() == [1, 1]
    assert low["second_year"].tolist() == [0, 1, 1, 1]
    assert low.loc[2022, "change_pct"] == pytest.approx(-1 / 3)
    assert low.loc[2021, "share"] == pytest.approx(3 / 6)
    runs = consecutive_years(monitoring_lists(), "low_results").set_index(["year", "school_id"])
    assert runs.loc[(2024, "01"), "years_on_list"] == 4
    assert runs.loc[(2023, "03"), "years_on_list"] == 1


def test_targets_path_and_yearly_reduction(params):
    t = list_targets(list_sizes(monitoring_lists()), params).set_index("year")
    assert t.index.tolist() == [2021, 2022, 2023, 2024, 2026]
    assert t.loc[2022, "target_path"] == pytest.approx(3 * (1 - 0.3 / 5))
    assert t.loc[2026, "target_path"] == pytest.approx(2.1)
    assert bool(t.loc[2024, "on_track"]) and t.loc[2026, "on_track"] is pd.NA
    assert t.loc[2022, "yearly_target"] == pytest.approx(2.25)
    assert bool(t.loc[2022, "yearly_met"]) and not bool(t.loc[2023, "yearly_met"])
    assert t.loc[2021, "yearly_met"] is pd.NA


def test_target_parameters_are_checked(params):
    p = copy.deepcopy(params)
    p["monitoring"]["baseline_year"] = 2019
    with pytest.raises(UserError, match="нет такого года"):
        list_targets(list_sizes(monitoring_lists()), p)
    p["monitoring"]["baseline_year"] = 2022
    p["monitoring"]["target_year"] = 2022
    with pytest.raises(UserError, match="должен быть позже"):
        list_targets(list_sizes(monitoring_lists()), p)
