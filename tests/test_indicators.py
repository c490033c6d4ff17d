"""Indicators of the results rows, regional benchmarks and the integer-key helpers that keep
national-size runs fast (shnor.indicators)."""

import numpy as np
import pandas as pd
import pytest
from conftest import results_frame as _results

from shnor.config import load_config
from shnor.indicators import (
    GroupKey,
    assessment_labels,
    compute_indicators,
    isin,
    regional_benchmarks,
    school_year_summary,
)


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


def test_assessment_labels_name_procedure_grade_and_subject():
    r = _results([
        (2024, "001", "VPR", 6, "math", 41, 17, 14, 7, 3, np.nan, 3.1),
        (2024, "001", "EGE", 11, "math_profile", 10, 1, np.nan, np.nan, np.nan, 2, 60.0),
    ])
    assert assessment_labels(compute_indicators(r, load_config())).tolist() == [
        "ВПР, 6 класс, математика", "ЕГЭ, 11 класс, математика (профильная)"]


def test_isin_matches_pandas_for_text_and_other_columns():
    s = pd.Series(["a", "b", None, "1"], dtype="str")
    for members in (["a", "1"], [], ["a", None], {"b"}, pd.Index(["b", "b"]), [1]):
        np.testing.assert_array_equal(isin(s, members), s.isin(list(members)).to_numpy())
    n = pd.Series([1, 2, 3])
    np.testing.assert_array_equal(isin(n, [2]), [False, True, False])


def test_group_key_orders_and_decodes_as_groupby():
    df = pd.DataFrame({"y": [2024, 2023, 2024, 2023, 2024],
                       "s": pd.Series(["b", "a", None, "a", "b"], dtype="str"),
                       "v": [1.0, 2.0, 3.0, 4.0, 5.0]})
    key = GroupKey.of(df, ["y", "s"])
    ours = df.groupby(key.code)["v"].sum()
    theirs = df.groupby(["y", "s"], dropna=False)["v"].sum()
    np.testing.assert_array_equal(ours.to_numpy(), theirs.to_numpy())
    pd.testing.assert_frame_equal(key.decode(ours.index.to_numpy()),
                                  theirs.index.to_frame(index=False))
