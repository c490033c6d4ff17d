"""Working frames shared between the reports of a run (shnor.analysis.shared) and the integer-key helpers
that keep national-size runs fast: a report must give the same tables with or without them."""

from importlib import import_module
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shnor.config import load_config
from shnor.io.dataset import Dataset
from shnor.identification.core import identify_years, run_decisions
from shnor.indicators import INDICATORS_FRAME, GroupKey, isin, run_indicators
from shnor.pipeline.suite import REPORT_MODULES, build_tables
from shnor.analysis.shared import PREFIX, report_tables, reuse
from shnor.synth.region import generate_region


@pytest.fixture(scope="module")
def region():
    t = generate_region(n_schools=60, n_years=3, seed=7)
    return Dataset(name="shared", path=Path("."), schools=t["schools"], results=t["results"],
                   social=t["social"], risk_profiles=t["risk_profiles"],
                   programme=t["programme"], lists=t["lists"])


def test_reuse_makes_a_frame_once_and_hands_it_on():
    made = []

    def make():
        made.append(1)
        return (pd.DataFrame({"a": [1]}),)

    (frame,), new = reuse(None, ("_x",), make)
    assert list(new) == ["_x"] and new["_x"] is frame
    (again,), none = reuse({"_x": frame}, ("_x",), make)
    assert again is frame and none == {} and len(made) == 1
    with pytest.raises(ValueError):
        reuse(None, ("x",), make)


def test_report_tables_leave_out_working_frames():
    frames = {"indicators": pd.DataFrame(), f"{PREFIX}indicators": pd.DataFrame()}
    assert list(report_tables(frames)) == ["indicators"]


@pytest.mark.parametrize("profile", [None, "yaroslavl", "fioko"])
def test_reports_give_the_same_tables_with_and_without_the_working_frames(region, profile):
    params = load_config(profile)
    year = region.years[-1]
    together = build_tables(region, year, params)
    assert not any(name.startswith(PREFIX) for name in together)
    for name in REPORT_MODULES:
        alone = getattr(import_module(REPORT_MODULES[name]), f"{name}_tables")(region, year, params)
        for table, frame in report_tables(alone).items():
            pd.testing.assert_frame_equal(together[table], frame, check_exact=True, obj=table)


def test_run_indicators_are_reused_and_select_years(region):
    params = load_config()
    ind, new = run_indicators(region, params)
    assert list(new) == [INDICATORS_FRAME]
    again, none = run_indicators(region, params, new)
    assert again is ind and none == {}


def test_decisions_of_the_run_decide_earlier_years_as_a_fresh_pass(region):
    params = load_config()
    year = region.years[-1]
    decisions, new = run_decisions(region, year, params)
    assert set(new) == {"_decisions", "_decision_groups", "_decision_rose"}
    years = region.years[:-1]
    assert all(decisions.covers(y, params) for y in years)
    shared = identify_years(region, years, params, decisions)
    fresh = identify_years(region, years, params)
    for y in years:
        pd.testing.assert_frame_equal(shared[y], fresh[y], check_exact=True)


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


def test_reasons_join_the_texts_of_each_school_in_order_from_chunked_columns():
    from shnor.identification.core import _texts

    text = pd.concat([pd.Series(["x"], dtype="str"), pd.Series(["y", "z"], dtype="str")],
                     ignore_index=True)  # two Arrow chunks
    frame = pd.DataFrame({"school_id": pd.Series(["1", "2", "1"], dtype="str"), "text": text})
    out = _texts(frame, pd.Index(["1", "2", "3"], dtype="str"))
    assert out.tolist() == ["x; z", "y", ""]
