"""Results of the listed schools against the region, and the schools that left the list
(shnor.monitoring.dynamics)."""

import pandas as pd
import pytest
from conftest import monitoring_dataset, monitoring_lists, monitoring_results

from shnor.config import load_config
from shnor.indicators import compute_indicators
from shnor.monitoring.dynamics import leavers, school_overall


def test_leavers_and_whether_results_held():
    ind = compute_indicators(monitoring_results(), load_config())
    out = leavers(monitoring_lists(), school_overall(ind), monitoring_dataset().schools,
                  "low_results")
    out = out.set_index(["year_left", "school_id"])
    assert set(out.index) == {(2022, "02"), (2022, "03"), (2024, "03")}
    assert bool(out.loc[(2022, "02"), "held"])
    assert out.loc[(2022, "02"), "status"] == "результат удержан: вне списка 3 г. подряд"
    assert out.loc[(2022, "02"), "share_fail_before"] == pytest.approx(0.4)
    assert out.loc[(2022, "02"), "share_fail_left"] == pytest.approx(0.1)
    assert not bool(out.loc[(2022, "03"), "held"])
    assert out.loc[(2022, "03"), "status"] == "вернулась в список в 2023 г."
    assert out.loc[(2024, "03"), "held"] is pd.NA


def test_dynamics_of_the_programme_cohort_against_the_region(monitoring):
    d = monitoring["monitoring_dynamics"].set_index(["year", "group"])
    # programme cohort of 2022 = the 2021 list: 01, 02, 03 with 5 + 1 + 1 fails of 30
    assert d.loc[(2022, "programme"), "share_fail"] == pytest.approx(7 / 30)
    assert d.loc[(2022, "list"), "share_fail"] == pytest.approx(9 / 20)  # 01 and 04
    assert d.loc[(2022, "region"), "share_fail"] == pytest.approx(12 / 60)
    assert (2021, "programme") not in d.index
    o = monitoring["monitoring_overall"].set_index(["year", "group"])
    assert o.loc[(2022, "programme"), "share_fail"] == pytest.approx(7 / 30)
    # the groups are codes; their names are the report's (reporting.views.group_results)
    assert "group_label" not in monitoring["monitoring_dynamics"]
    assert "group_label" not in monitoring["monitoring_overall"]
