"""The certainty of table 1 decisions: Jeffreys posteriors per group, the rule exactly."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import beta

from shnor.config import load_config
from shnor.identification.certainty import (
    borderline,
    certainty_table,
    fail_probability,
    rule_probability,
)
from shnor.identification.table1 import NO, UNKNOWN, YES


def _groups(rows):
    """rows: (year, school, assessment, n_fail, participants, eligible)."""
    g = pd.DataFrame(rows, columns=["year", "school_id", "assessment", "n_fail", "participants",
                                    "eligible"])
    g["share_fail"] = g["n_fail"] / g["participants"]
    return g


def test_one_group_is_the_beta_tail():
    # 3 of 10 fail: Jeffreys posterior Beta(3.5, 7.5); P(p ≥ 0.3) = its upper tail at 0.3
    p = fail_probability(3, 10, 0.30)
    assert p == pytest.approx(beta.sf(0.30, 3.5, 7.5), abs=1e-6)
    assert 0.45 < p < 0.6  # a share exactly at the cut: about an even chance
    # with many participants the same share is no more firm, a far share is
    assert fail_probability(100, 1000, 0.30) < 1e-12
    assert fail_probability(600, 1000, 0.30) == pytest.approx(1.0)


def test_rule_probability_by_hand():
    q = np.array([[0.5, 0.4, 0.0]])
    c = np.zeros_like(q)
    # two assessments this year: both must fail → 0.5 × 0.4
    assert rule_probability(q, c, 2)[0] == pytest.approx(0.2)
    # with a chain on a (it failed last year with probability 0.6), the rule fails only when
    # nothing fails now, or exactly one fails now without its chain
    c = np.array([[0.6, 0.0, 0.0]])
    p0 = 0.5 * 0.6                          # neither a nor b fails
    p1 = 0.5 * (1 - 0.6) * 0.6 + 0.5 * 0.4  # only a (unchained), only b
    assert rule_probability(q, c, 2)[0] == pytest.approx(1 - p0 - p1)


def test_certainty_table_one_school_two_assessments():
    params = load_config()
    g = _groups([(2024, "A", "x", 3, 10, True), (2024, "A", "y", 6, 10, True),
                 (2024, "B", "x", 1, 3, False)])  # B: one tiny group, not counted
    low = pd.Series([YES, NO], index=["A", "B"])
    t = certainty_table(g, low, 2024, params).set_index("school_id")
    expect = beta.sf(0.3, 3.5, 7.5) * beta.sf(0.3, 6.5, 4.5)
    assert t.loc["A", "low_results_certainty"] == pytest.approx(expect, abs=1e-6)
    assert t.loc["B", "low_results_certainty"] == 0.0


def test_chain_over_two_years_and_undecided():
    params = load_config()
    g = _groups([(2023, "A", "x", 4, 10, True), (2024, "A", "x", 4, 10, True)])
    low = pd.Series([YES, UNKNOWN], index=["A", "C"])
    t = certainty_table(g, low, 2024, params).set_index("school_id")
    q = beta.sf(0.3, 4.5, 6.5)
    assert t.loc["A", "low_results_certainty"] == pytest.approx(q * q, abs=1e-6)
    assert np.isnan(t.loc["C", "low_results_certainty"])
    assert "не определено" in t.loc["C", "certainty_note"]


def test_other_methods_have_no_certainty():
    params = load_config("yaroslavl")
    g = _groups([(2024, "A", "x", 4, 10, True)])
    t = certainty_table(g, pd.Series([YES], index=["A"]), 2024, params)
    assert t["low_results_certainty"].isna().all()
    assert "только для правила таблицы 1" in t["certainty_note"].iloc[0]


def test_borderline_range():
    params = load_config()
    b = borderline(pd.Series([0.1, 0.2, 0.5, 0.8, 0.9, np.nan]), params)
    assert b.tolist() == [False, True, True, True, False, False]
