"""Invariants over generated valid datasets (issue 7, item 2): nothing is lost, shares are
proportions, the typology follows the groups, the low-results flag follows seed 000 table 1
evaluated independently here, and a rerun gives the same tables."""

import copy
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
from conftest import fast_params
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import datasets, write_csv_dataset

import shnor
from shnor.config import load_config
from shnor.indicators import compute_indicators, regional_benchmarks, school_year_summary

PARAMS = load_config()
# Cluster diagnostics and bootstrap only cost time; the invariants hold for any parameters.
FAST = fast_params()
SHARES = ["share_fail", "share_success", "share_quality", "share_high"]
SLOW_DATA = [HealthCheck.too_slow, HealthCheck.data_too_large]


def report_year(data, ds) -> int:
    """Any year with results: earlier years have gaps and no previous year more often."""
    return data.draw(st.sampled_from(ds.years), label="year")


def assert_one_row_per_school(table: pd.DataFrame, ds) -> None:
    ids = ds.schools["school_id"]
    assert table["school_id"].is_unique
    assert len(table) == len(ids)
    assert set(table["school_id"]) == set(ids)


@settings(max_examples=10, deadline=None, suppress_health_check=SLOW_DATA)
@given(datasets(), st.data())
def test_every_school_once_typology_and_rerun(ds, data):
    year = report_year(data, ds)
    inputs = copy.deepcopy((ds.schools, ds.results, ds.social))
    ident = shnor.identify(ds, year, PARAMS)
    diff = shnor.differentiate(ds, year, FAST)

    assert_one_row_per_school(ident, ds)
    assert_one_row_per_school(diff, ds)
    undecided = ident["low_results"].isna()
    assert ident.loc[undecided, "reasons"].str.contains("Не определено").all()
    assert (diff.loc[diff["typology"] == "", "status"] != "").all()

    for col in ("isbsh_group", "quality_group"):
        assert diff[col].dropna().between(1, PARAMS["isbsh"]["n_groups"]).all()
    expected = shnor.typology(diff["isbsh_group"], diff["quality_group"], PARAMS["typology"])
    pd.testing.assert_series_equal(diff["typology"], expected.fillna("").astype(str),
                                   check_names=False, check_dtype=False)

    pd.testing.assert_frame_equal(shnor.identify(ds, year, PARAMS), ident)
    pd.testing.assert_frame_equal(shnor.differentiate(ds, year, FAST), diff)
    for before, after in zip(inputs, (ds.schools, ds.results, ds.social)):
        pd.testing.assert_frame_equal(after, before)  # the library does not touch its input


@settings(max_examples=40, deadline=None, suppress_health_check=SLOW_DATA)
@given(datasets())
def test_shares_are_proportions(ds):
    ind = compute_indicators(ds.results, PARAMS)
    summary = school_year_summary(ind)
    bench = regional_benchmarks(ind, ds.schools)
    for frame, cols in ((ind, SHARES), (summary, ["share_fail", "share_quality"]),
                        (bench, ["share_fail", "share_quality"])):
        for c in cols:
            assert frame[c].dropna().between(0, 1).all(), c
    r = ds.results
    known = r["n_fail"].notna() & (r["participants"] > 0)
    assert (ind["share_fail"].notna() == known).all()
    assert (ind["reliable"] == (r["participants"] >= PARAMS["indicators"]["min_participants"])).all()


# --- seed 000, table 1, evaluated independently ---------------------------------------------
# Three-valued logic: True, False, None (cannot be decided from the data).

def k_and(a, b):
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def k_or(a, b):
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def expected_low_results(ds, year: int, params: dict) -> dict[str, bool | None]:
    """Low results in ``year`` per school: the share of «2» reaches the cut (inclusive) in
    Russian or mathematics in at least ``min_assessments`` different assessments (procedure,
    grade, subject) of the year, or in one assessment both in the year and the calendar year
    before. Only groups of the rule's procedures and grades count, and only groups with at least
    ``min_participants`` participants unless ``count_unreliable``. A school without a counted
    group in the year cannot be decided; one without any results in the year before cannot be
    cleared by the «two years» branch; a group without the count of «2» may or may not fail."""
    lr = params["low_results"]
    assert lr["consecutive_years"] == 2 and lr["assessment_key"] == ["procedure", "grade", "subject"]
    cut = Fraction(str(lr["fail_share_min"]))
    n_min = params["indicators"]["min_participants"]
    scope = {(p, int(g)) for p, grades in lr["assessments"].items() for g in grades}
    present = set(zip(ds.results["year"], ds.results["school_id"]))
    counted: set[tuple[int, str]] = set()
    fails: dict[tuple[int, str, tuple], bool | None] = {}
    for r in ds.results.itertuples(index=False):
        if (r.procedure, r.grade) not in scope or r.subject not in lr["subjects"]:
            continue
        if r.participants < n_min and not lr["count_unreliable"]:
            continue
        counted.add((r.year, r.school_id))
        if np.isnan(r.n_fail):
            state = None
        else:
            state = r.participants > 0 and Fraction(int(r.n_fail), int(r.participants)) >= cut
        fails[(r.year, r.school_id, (r.procedure, r.grade, r.subject))] = state

    out = {}
    for sid in ds.schools["school_id"]:
        if (year, sid) not in counted:
            out[sid] = None
            continue
        now = {a: s for (y, school, a), s in fails.items() if y == year and school == sid}
        yes = sum(s is True for s in now.values())
        unknown = sum(s is None for s in now.values())
        in_one_year = True if yes >= lr["min_assessments"] else (
            False if yes + unknown < lr["min_assessments"] else None)
        before_known = (year - 1, sid) in present
        two_years = False
        for a, state in now.items():
            before = fails.get((year - 1, sid, a), False) if before_known else None
            two_years = k_or(two_years, k_and(state, before))
        out[sid] = k_or(in_one_year, two_years)
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=SLOW_DATA)
@given(datasets(), st.data())
def test_low_results_flag_follows_table1(ds, data):
    year = report_year(data, ds)
    params = copy.deepcopy(PARAMS)
    params["low_results"]["count_unreliable"] = data.draw(st.booleans(), label="count_unreliable")
    ident = shnor.identify(ds, year, params).set_index("school_id")
    expected = expected_low_results(ds, year, params)
    got = {sid: None if pd.isna(v) else bool(v) for sid, v in ident["low_results"].items()}
    wrong = {sid: (got[sid], expected[sid]) for sid in expected if got[sid] is not expected[sid]}
    assert not wrong, ("(got, expected) per school: " + repr(wrong) + "\n"
                       + ds.results[ds.results["school_id"].isin(list(wrong))].to_string())


@settings(max_examples=8, deadline=None, suppress_health_check=SLOW_DATA)
@given(datasets(max_schools=20),
       st.sampled_from([(";", "utf-8"), (";", "cp1251"), (",", "utf-8-sig"), ("\t", "utf-8")]),
       st.booleans())
def test_csv_files_load_to_the_same_dataset(ds, format_, russian):
    sep, encoding = format_
    with tempfile.TemporaryDirectory() as tmp:
        loaded = shnor.load_dataset(write_csv_dataset(ds, Path(tmp) / "region", sep, encoding,
                                                      russian))
    for table in ("schools", "results", "social"):
        pd.testing.assert_frame_equal(getattr(loaded, table), getattr(ds, table), obj=table)
    assert_one_row_per_school(shnor.identify(loaded, loaded.years[-1], PARAMS), ds)
