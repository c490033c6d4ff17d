"""Funnel plots: exact binomial limits (Spiegelhalter 2005) and the funnel table."""

import numpy as np
import pandas as pd
import pytest

from shnor.comparison.funnel import binomial_limit, funnel_table


def test_limit_by_hand():
    # Binomial(10, 0.5): F(7) = 968/1024, F(8) = 1013/1024; the 0.975-quantile r = 8,
    # α = (F(8) − 0.975) / (F(8) − F(7)) = (1013 − 998.4) / 45, limit = (8 − α) / 10
    alpha = (1013 - 0.975 * 1024) / 45
    assert binomial_limit(0.975, 10, 0.5) == pytest.approx((8 - alpha) / 10)
    # the 0.025-quantile: F(1) = 11/1024, F(2) = 56/1024, r = 2
    alpha = (56 - 0.025 * 1024) / 45
    assert binomial_limit(0.025, 10, 0.5) == pytest.approx((2 - alpha) / 10)


def test_limits_approach_normal_and_narrow():
    n = np.array([20, 200, 20000])
    up = binomial_limit(0.999, n, 0.1)
    assert np.all(np.diff(up) < 0)  # the funnel narrows
    normal = 0.1 + 3.090 * np.sqrt(0.1 * 0.9 / 20000)
    assert up[-1] == pytest.approx(normal, abs=2e-4)
    assert binomial_limit(0.999, 10, 0.0) == 0.0  # nobody fails in the region


def test_funnel_table():
    g = pd.DataFrame({"year": 2024, "school_id": ["A", "B", "C", "D"],
                      "label": ["ВПР, 5 класс, математика"] * 4,
                      "participants": [100, 100, 100, 0], "n_fail": [10, 10, 40, np.nan],
                      "eligible": True})
    f = funnel_table(g, 2024).set_index("school_id")
    assert list(f.index) == ["A", "B", "C"]  # nobody wrote in D
    assert f["share_region"].iloc[0] == pytest.approx(60 / 300)
    assert f.loc["C", "above_998"] and not f.loc["A", "above_95"]
    assert (f["lower_998"] <= f["lower_95"]).all() and (f["upper_95"] <= f["upper_998"]).all()
    assert funnel_table(g.iloc[:0], 2024).empty
