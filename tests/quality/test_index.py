"""The quality index of schools (shnor.quality.index)."""

import numpy as np
import pytest
from conftest import results_frame

from shnor.config import load_config
from shnor.indicators import compute_indicators
from shnor.quality.index import assessment_scores, quality_features, quality_index


def _results():
    rows = []
    # school k fails less and has better marks the larger k; school "x" has only one assessment
    for k in range(10):
        for proc, grade, subj in [("VPR", 5, "math"), ("VPR", 6, "russian"), ("OGE", 9, "math")]:
            if proc == "OGE" and k % 2:
                continue  # odd schools have no ОГЭ (ООШ without grade 9 in this year)
            n = 20
            fail = 10 - k
            m5 = k
            rows.append((2024, f"s{k}", proc, grade, subj, n, fail, n - fail - m5 - 2, 2, m5,
                         np.nan, np.nan))
    rows.append((2024, "x", "VPR", 5, "math", 20, 5, 10, 3, 2, np.nan, np.nan))
    rows.append((2024, "tiny", "VPR", 5, "math", 3, 0, 1, 1, 1, np.nan, np.nan))
    rows.append((2024, "tiny", "VPR", 6, "russian", 3, 0, 1, 1, 1, np.nan, np.nan))
    rows.append((2024, "g4", "VPR", 4, "math", 20, 0, 5, 5, 10, np.nan, np.nan))
    rows.append((2024, "g4", "VPR", 4, "russian", 20, 0, 5, 5, 10, np.nan, np.nan))
    return compute_indicators(results_frame(rows), load_config())


def test_quality_index_scale_order_and_statuses():
    q = quality_index(_results(), 2024, load_config()).set_index("school_id")
    ok = q["quality_index"].dropna()
    assert ok.mean() == pytest.approx(50) and ok.std(ddof=0) == pytest.approx(10)
    assert ok.index.tolist() == [f"s{k}" for k in range(10)]
    assert ok.is_monotonic_increasing
    assert "в 1 оценочных" in q.loc["x", "quality_status"]
    assert "в 0 оценочных" in q.loc["tiny", "quality_status"]  # unreliable groups do not count
    assert "в 0 оценочных" in q.loc["g4", "quality_status"]  # ВПР 4 is outside quality.grades
    assert q.loc["s9", "quality_group"] > q.loc["s0", "quality_group"]


def test_scores_are_standardised_within_assessment():
    s = assessment_scores(_results(), 2024, load_config())
    assert set(s["feature"]) == {"VPR_5_math", "VPR_6_russian", "OGE_9_math"}
    assert s.groupby("feature")["score"].mean().abs().max() < 1e-9


def test_features_fill_missing_assessment_with_school_mean():
    X = quality_features(_results(), 2024, load_config())
    assert list(X.columns) == ["VPR_5_math", "VPR_6_russian", "OGE_9_math"]
    assert "x" not in X.index and "tiny" not in X.index
    assert X.loc["s1", "OGE_9_math"] == pytest.approx(X.loc["s1", ["VPR_5_math",
                                                                   "VPR_6_russian"]].mean())
    assert not X.isna().any().any()


def test_constant_indicator_contributes_zero():
    ind = _results()
    ind["share_fail"] = 0.1
    s = assessment_scores(ind, 2024, load_config())
    assert s["score"].notna().all()
