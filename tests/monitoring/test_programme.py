"""Points and the effectiveness level of the municipal programme (shnor.monitoring.programme;
seed 000 table 12)."""

import copy

import numpy as np
import pandas as pd
import pytest
from conftest import FIXTURES

from shnor.config import load_config
from shnor.monitoring.programme import effectiveness_level, programme_scores, programme_summary
from shnor.reporting.figures import plot_programme

FIXTURE = FIXTURES / "seed000_programme.csv"


@pytest.fixture(scope="module")
def params():
    return load_config()


def test_seed000_table12_gives_36_and_42_points_both_satisfactory(params):
    table12 = pd.read_csv(FIXTURE, comment="#")
    summary = programme_summary(programme_scores(table12, params), params)
    assert summary["year"].tolist() == [2022, 2023]
    assert summary["total_points"].tolist() == [36, 42]
    assert summary["level"].tolist() == ["удовлетворительный", "удовлетворительный"]
    assert summary["max_points"].tolist() == [135, 135]
    assert summary["max_points_by_rules"].tolist() == [63, 63]  # 9 indicators × 7
    assert (summary["status"] == "").all()


@pytest.mark.parametrize("total, level", [
    (0, "критический"), (11, "критический"), (11.5, "критический"), (12, "удовлетворительный"),
    (52, "удовлетворительный"), (53, "средний"), (94, "средний"), (95, "высокий"),
    (135, "высокий"), (np.nan, "нет оценки"),
])
def test_level_bands_of_seed000(params, total, level):
    assert effectiveness_level(total, params) == level


def test_out_of_range_and_missing_points_are_not_counted_but_every_year_stays(params):
    prog = pd.DataFrame({
        "year": [2023, 2023, 2023, 2024, 2025],
        "indicator": ["1. доля А", "2. доля Б", "3. доля В", "1. доля А", "1. доля А"],
        "value": [50.0, 20.0, 10.0, 40.0, np.nan],
        "points": [6.0, 9.0, -1.0, 4.0, np.nan],
        "max_points": [np.nan, np.nan, np.nan, 3.0, np.nan],
    })
    scores = programme_scores(prog, params)
    assert scores["points"].isna().tolist() == [False, True, True, True, True]
    assert scores.loc[1, "status"] == "баллы вне диапазона 0–7: не учтены"
    assert scores.loc[3, "status"] == "баллы вне диапазона 0–3: не учтены"
    summary = programme_summary(scores, params).set_index("year")
    assert summary.index.tolist() == [2023, 2024, 2025]
    assert summary.loc[2023, "total_points"] == 6
    assert summary.loc[2023, "indicators_scored"] == 1
    assert "2: баллы вне диапазона" in summary.loc[2023, "status"]
    assert np.isnan(summary.loc[2024, "total_points"])
    assert summary.loc[2025, "level"] == "нет оценки"
    assert summary.loc[2025, "status"] == "1: нет баллов"


def test_maximum_by_rules_when_the_parameter_is_null(params):
    p = copy.deepcopy(params)
    p["monitoring"]["programme"]["max_points"] = None
    table12 = pd.read_csv(FIXTURE, comment="#")
    summary = programme_summary(programme_scores(table12, p), p)
    assert summary["max_points"].tolist() == [63, 63]


def test_no_programme_table_gives_empty_outputs_and_plot_works(params):
    scores = programme_scores(None, params)
    assert list(scores.columns) == ["year", "indicator", "value", "points", "target", "status"]
    assert programme_summary(scores, params).empty
    table12 = pd.read_csv(FIXTURE, comment="#")
    fig = plot_programme(programme_summary(programme_scores(table12, params), params), params)
    assert fig.axes[0].get_ylim()[1] == 135
