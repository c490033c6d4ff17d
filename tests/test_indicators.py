import numpy as np
import pandas as pd
import pytest

from shnor.config import load_config
from shnor.indicators import (
    compute_indicators,
    regional_benchmarks,
    school_year_summary,
    with_changes,
)


def _results(rows):
    cols = ["year", "school_id", "procedure", "grade", "subject", "participants", "n_fail",
            "n_mark3", "n_mark4", "n_mark5", "n_high", "mean_score"]
    return pd.DataFrame(rows, columns=cols)


def test_shares_and_reliability():
    r = _results([
        (2024, "001", "VPR", 6, "math", 41, 17, 14, 7, 3, np.nan, 3.1),
        (2024, "002", "VPR", 6, "math", 4, 0, 1, 2, 1, np.nan, 4.0),
        (2024, "003", "OGE", 9, "russian", 10, 2, np.nan, np.nan, np.nan, np.nan, np.nan),
    ])
    ind = compute_indicators(r, load_config())
    a, b, c = ind.to_dict("records")
    assert a["share_fail"] == pytest.approx(17 / 41)
    assert a["share_success"] == pytest.approx(24 / 41)
    assert a["share_quality"] == pytest.approx(10 / 41)
    assert a["share_high"] == pytest.approx(3 / 41)
    assert a["reliable"] and not b["reliable"]
    assert np.isnan(c["share_quality"]) and c["share_fail"] == pytest.approx(0.2)


def test_change_needs_the_calendar_year_before():
    r = _results([
        (2022, "001", "OGE", 9, "math", 20, 8, 6, 4, 2, np.nan, np.nan),
        (2024, "001", "OGE", 9, "math", 20, 2, 10, 4, 4, np.nan, np.nan),
        (2023, "002", "OGE", 9, "math", 20, 4, 10, 4, 2, np.nan, np.nan),
        (2024, "002", "OGE", 9, "math", 20, 2, 10, 4, 4, np.nan, np.nan),
    ])
    ch = with_changes(compute_indicators(r, load_config())).set_index(["year", "school_id"])
    assert np.isnan(ch.loc[(2024, "001"), "share_fail_change"])  # 2023 missing: no guess
    assert ch.loc[(2024, "002"), "share_fail_change"] == pytest.approx(-0.1)


def test_regional_mean_is_participant_weighted():
    r = _results([
        (2024, "001", "OGE", 9, "math", 10, 5, 5, 0, 0, np.nan, np.nan),
        (2024, "002", "OGE", 9, "math", 30, 3, 27, 0, 0, np.nan, np.nan),
    ])
    ind = compute_indicators(r, load_config())
    schools = pd.DataFrame({"school_id": ["001", "002"], "municipality": ["A", "B"]})
    reg = regional_benchmarks(ind, schools)
    region = reg[reg["municipality"].isna()].iloc[0]
    assert region["share_fail"] == pytest.approx(8 / 40)
    summ = school_year_summary(ind).set_index("school_id")
    assert summ.loc["001", "mean_fail_gap"] == pytest.approx(0.5 - 0.2)
    assert (summ.loc["001", "assessments"], summ.loc["001", "participants"]) == (1, 10)
