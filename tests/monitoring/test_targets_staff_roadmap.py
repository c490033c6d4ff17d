"""Programme targets, risk factors over time (seed 000 table 12 indicator 6), staff shares and
the seed 003 thresholds, roadmap execution against 95 % and 75 % — on hand-computed rows."""

import numpy as np
import pandas as pd
import pytest
from conftest import FIXTURES

from shnor.config import load_config
from shnor.monitoring.risk_changes import factor_changes, removed_by_school
from shnor.monitoring.roadmap import roadmap_measures, roadmap_summary
from shnor.monitoring.staff import staff_municipalities, staff_risk_check, staff_schools
from shnor.monitoring.targets import target_summary, target_table

PARAMS = load_config()


def test_targets_met_not_met_and_no_data():
    p = pd.DataFrame({
        "year": [2023, 2024, 2023, 2024, 2024, 2024],
        "indicator": ["кат", "кат", "шнор", "шнор", "доп", "x"],
        "value": [50.0, 56.0, 20.0, 18.0, 31.0, 5.0],
        "points": [1.0] * 6,
        # seed 003: +10 % teachers of first and highest category from 2023; ≤ 10 %; ≥ 30 %
        "target": [np.nan, 10.0, np.nan, 10.0, 30.0, 3.0],
        "direction": [None, "ge", None, "le", "ge", None],
        "unit": [None, "%", None, None, "%", None],
        "baseline_year": [np.nan, 2023, np.nan, np.nan, np.nan, np.nan],
        "target_year": [np.nan, 2026, np.nan, 2025, 2026, np.nan],
    })
    t = target_table(p).set_index("indicator")
    assert t.loc["кат", "target"] == pytest.approx(55.0)  # 50 × 1.10
    assert t.loc["кат", "result"] == "met" and t.loc["кат", "gap"] == pytest.approx(-1.0)
    assert t.loc["шнор", "result"] == "not_met" and t.loc["шнор", "gap"] == pytest.approx(8.0)
    assert t.loc["шнор", "trend"] == pytest.approx(-2.0)
    assert t.loc["шнор", "projected"] == pytest.approx(16.0)  # 18 − 2 × 1
    assert not t.loc["шнор", "on_course"]
    assert t.loc["доп", "result"] == "met"
    assert t.loc["x", "result"] == "no_data" and "направление" in t.loc["x", "status"]
    s = target_summary(target_table(p)).iloc[0]
    assert (s["targets"], s["met"], s["not_met"], s["no_data"]) == (4, 2, 1, 1)


@pytest.fixture(scope="module")
def two_years():
    first = pd.read_csv(FIXTURES / "seed000_risk_profiles.csv", comment="#",
                        dtype={"school_id": "str"})
    first = first[first["source_table"] == 5].drop(columns="source_table")  # one table, no repeats
    second = first.copy()
    second["year"] = 2023
    # school 3: factor 2 high → low (removed), factor 1 → high (new if not high before)
    f3 = second["school_id"] == "3"
    second.loc[f3 & (second["factor"] == 2), "level"] = "low"
    second.loc[f3 & (second["factor"] == 1), "level"] = "high"
    # school 26: every high factor kept; school 40 no longer listed (its high factors removed)
    second = second[second["school_id"] != "40"]
    return first, second, pd.concat([first, second], ignore_index=True)


def test_removed_kept_new_factors_and_indicator_6(two_years):
    first, _second, both = two_years
    schools = pd.DataFrame({"school_id": sorted(set(first["school_id"])), "name": "ОО",
                            "municipality": "М"})
    per_school, region = factor_changes(both, schools, PARAMS)
    high = first[first["level"] == "high"].groupby("school_id")["factor"].apply(set)
    s3 = per_school.set_index("school_id").loc["3"]
    assert "2" in s3["removed"].split(", ")
    was1 = 1 in high.get("3", set())
    assert ("1" in s3["new"].split(", ")) == (not was1)
    assert s3["n_kept"] == len(high["3"]) - 1 - 0
    # school 40 has no second-year profile: not compared
    assert "40" not in set(per_school["school_id"])
    r = region.iloc[0]
    assert r["schools_compared"] == len(set(first["school_id"])) - 1
    with_high = sum(1 for sid in set(first["school_id"]) - {"40"} if sid in high.index)
    assert r["schools_with_high"] == with_high
    assert r["schools_removed"] == 1  # only school 3 removed one
    assert r["indicator_6"] == pytest.approx(1 / with_high)
    assert removed_by_school(per_school, 2023) == "3: 2"


def test_staff_shares_and_seed003_thresholds():
    staff = pd.DataFrame({"year": [2024, 2024, 2024], "school_id": ["1", "2", "3"],
                          "teachers": [20.0, 10.0, 40.0], "vacancies": [5.0, 0.0, 1.0],
                          "highest_category": [6.0, 7.0, 14.0],
                          "first_category": [4.0, 1.0, 10.0], "under_35": [0.0, 1.0, 4.0],
                          "pensioners": [6.0, 2.0, 8.0]})
    schools = pd.DataFrame({"school_id": ["1", "2", "3"], "name": ["А", "Б", "В"],
                            "municipality": ["М", "М", "Н"]})
    s = staff_schools(staff, schools, PARAMS).set_index("school_id")
    assert s.loc["1", "share_highest"] == pytest.approx(0.30)
    assert s.loc["1", "share_vacant"] == pytest.approx(0.20)  # 5 of 25 posts
    assert bool(s.loc["1", "highest_low"]) and bool(s.loc["1", "pensioners_high"])  # 30 %
    assert bool(s.loc["1", "young_low"]) and bool(s.loc["1", "vacancy_deficit"])
    assert bool(s.loc["2", "highest_high"]) and not bool(s.loc["2", "young_low"])  # 70 %, 10 %
    assert not bool(s.loc["3", "highest_low"])  # exactly 35 %: not below
    m = staff_municipalities(staff_schools(staff, schools, PARAMS), PARAMS)
    region = m[m["municipality"] == ""].iloc[0]
    assert region["share_highest"] == pytest.approx(27 / 70)
    assert region["schools_highest_low"] == 1
    mm = m[m["municipality"] == "М"].iloc[0]
    assert mm["share_pensioners"] == pytest.approx(8 / 30)
    cfg = PARAMS["monitoring"]["staff"]
    assert (cfg["highest_low"], cfg["highest_high"], cfg["pensioners_high"],
            cfg["young_low"]) == (0.35, 0.60, 0.28, 0.046)
    prof = pd.DataFrame({"year": [2024, 2024], "school_id": ["1", "2"], "factor": [2, 2],
                         "level": ["low", "high"]})
    check = staff_risk_check(staff_schools(staff, schools, PARAMS), prof, 2024, PARAMS)
    assert dict(zip(check["school_id"], check["check"])) == {"1": "undeclared",
                                                             "2": "unconfirmed"}


def _roadmap(n_on_time, n_late, n_overdue, school=None):
    rows = []
    for i in range(n_on_time + n_late + n_overdue):
        done = ("2024-05-20" if i < n_on_time else "2024-06-15" if i < n_on_time + n_late
                else None)
        rows.append({"year": 2024, "measure": f"м{i}", "school_id": school,
                     "responsible": "УО", "deadline": "2024-05-31", "done_date": done,
                     "state": "done" if done else "not_done"})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("on_time,late,overdue,min95,min75", [
    (19, 1, 0, True, True),     # 95 % on time
    (18, 1, 1, False, True),    # 90 %
    (14, 3, 3, False, False),   # 70 %
    (15, 5, 0, False, True),    # 75 % exactly
])
def test_roadmap_execution_against_95_and_75(on_time, late, overdue, min95, min75):
    schools = pd.DataFrame({"school_id": ["1"], "name": ["А"], "municipality": ["М"]})
    m = roadmap_measures(_roadmap(on_time, late, overdue, "1"), schools, 2024, PARAMS)
    s = roadmap_summary(m, PARAMS)
    region = s[s["level"] == "region"].iloc[0]
    assert (region["on_time"], region["late"], region["overdue"]) == (on_time, late, overdue)
    assert region["share_on_time"] == pytest.approx(on_time / 20)
    assert bool(region["meets_min"]) is min95 and bool(region["meets_min_alt"]) is min75
    assert set(s["level"]) == {"region", "municipality", "school"}


def test_roadmap_not_yet_due_is_pending():
    r = _roadmap(0, 0, 1).assign(deadline="2025-03-31")
    m = roadmap_measures(r, pd.DataFrame(columns=["school_id", "name", "municipality"]),
                         2024, PARAMS)
    assert m["execution"].tolist() == ["pending"]
    assert np.isnan(roadmap_summary(m, PARAMS)["share_on_time"].iloc[0])
