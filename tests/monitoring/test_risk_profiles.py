"""Risk-factor profiles of the listed schools (shnor.monitoring.risk_profiles; seed 000
tables 4–6) and the coloured matrix the reports show (shnor.reporting.views)."""

import pandas as pd
import pytest
from conftest import FIXTURES

from shnor.config import load_config
from shnor.monitoring.risk_profiles import (
    FACTOR_COLUMNS,
    check_profiles,
    factor_groups,
    profile_year,
    risk_matrix,
)
from shnor.reporting.views import risk_fills, risk_matrix_html

FIXTURE = FIXTURES / "seed000_risk_profiles.csv"
# The schools each table of seed 000 is about: table 4 — low results (table 1), table 5 — low
# results in unfavourable conditions (table 2), table 6 — risk zone (table 3).
TABLE_SCHOOLS = {4: ["1", "12", "16", "20"], 5: ["3", "10", "22", "26", "28", "36", "40"],
                 6: ["5", "6", "11", "29"]}


@pytest.fixture(scope="module")
def seed():
    return pd.read_csv(FIXTURE, comment="#", dtype={"school_id": "str"})


def _ids(text):
    return text.split(", ") if text else []


def test_table6_lists_the_wrong_schools_in_rows_4_to_10(seed):
    t6 = seed[seed["source_table"] == 6]
    problems = check_profiles(t6, TABLE_SCHOOLS[6])
    missing = problems[problems["problem"] == "нет уровня значимости"]
    assert set(missing["school_id"]) == {"11", "29"}
    assert sorted(missing["factor"].unique()) == list(range(4, 11))
    extra = problems[problems["problem"].str.startswith("школа указана")]
    assert set(extra["school_id"]) == {"1", "26"}
    assert len(problems) == 2 * 7 + 2


def test_all_three_tables_together_show_duplicates_and_gaps(seed):
    listed = [s for ids in TABLE_SCHOOLS.values() for s in ids]
    problems = check_profiles(seed, listed)
    dup = problems[problems["problem"].str.startswith("уровень указан 2 раза")]
    assert set(dup["school_id"]) == {"1", "26"}
    assert sorted(dup["factor"].unique()) == list(range(4, 11))
    # school 1, factor 6: high in table 4 and in table 6
    one = dup[(dup["school_id"] == "1") & (dup["factor"] == 6)]["problem"].item()
    assert one == "уровень указан 2 раза: высокая, высокая"
    missing = problems[problems["problem"] == "нет уровня значимости"]
    assert set(zip(missing["school_id"], missing["factor"])) == {
        (s, f) for s in ("11", "29") for f in range(4, 11)}
    assert len(problems) == 4 * 7


def test_tables_4_and_5_are_complete(seed):
    for table in (4, 5):
        part = seed[seed["source_table"] == table]
        assert check_profiles(part, TABLE_SCHOOLS[table]).empty


def test_bad_codes_and_levels_are_reported_and_skipped():
    p = pd.DataFrame({"year": 2024, "school_id": ["7"] * 11,
                      "factor": [*range(1, 10), 12, 10], "level": ["low"] * 9 + ["high", "huge"]})
    problems = check_profiles(p, ["7"])
    texts = problems["problem"].tolist()
    assert "код фактора «12» вне диапазона 1–10" in texts
    assert "неизвестный уровень значимости «huge»" in texts
    assert texts.count("нет уровня значимости") == 1  # factor 10 only had the unknown level
    m = risk_matrix(p, pd.DataFrame({"school_id": ["7"], "name": ["СОШ № 7"]}), ["7"])
    assert m.loc[0, "factor_10"] == "" and m.loc[0, "factor_1"] == "low"


def test_groups_reproduce_the_seed_lists_where_the_tables_allow(seed):
    # Rows 4–10 of table 6 are wrong, so use tables 4, 5 and rows 1–3 of table 6.
    sound = seed[(seed["source_table"] < 6) | (seed["factor"] <= 3)]
    groups = factor_groups(sound, load_config()).set_index("group")
    assert _ids(groups.loc["equipment", "schools"]) == ["11", "12", "16", "22", "26", "29",
                                                         "36", "40"]
    detail = groups.loc["staff", "detail"]
    assert "фактор 2: 3, 26, 28, 40" in detail
    assert "фактор 3: 3, 6, 11, 16, 22, 26, 28, 36" in detail
    # The seed prints 3, 22, 28 for factor 5; table 5 also gives school 26 a high level.
    assert "фактор 5: 3, 22, 26, 28" in detail
    assert groups.loc["equipment", "n_schools"] == 8


def test_matrix_marks_conflicts_and_keeps_listed_schools_without_profile(seed):
    schools = pd.DataFrame({"school_id": ["1", "26", "99"], "name": ["СОШ № 1", "СОШ № 26", "X"]})
    m = risk_matrix(seed, schools, ["99"]).set_index("school_id")
    assert m.loc["1", "factor_1"] == "low"
    assert m.loc["1", "factor_6"] == "high"        # high twice: no conflict
    assert m.loc["1", "factor_4"] == "medium"      # medium twice
    assert m.loc["26", "factor_4"] == "high"
    assert m.loc["1", "factor_10"] == "medium"
    # rows 4–10 of table 6 repeat the levels tables 4 and 5 give schools 1 and 26: no conflict
    assert not (m[FACTOR_COLUMNS] == "conflict").any().any()
    assert (m.loc["99", FACTOR_COLUMNS] == "").all()
    assert m.index[:3].tolist() == ["1", "3", "5"]  # numeric order
    fills = risk_fills(m.reset_index())
    assert fills.shape == m.reset_index().shape
    assert fills.loc[0, "factor_6"] == "F4B6B6" and fills.loc[0, "name"] is None


def test_profile_year_and_html_matrix(seed):
    assert profile_year(seed, 2024) == 2022
    assert profile_year(seed, 2020) == 2022
    assert profile_year(None, 2024) is None
    schools = pd.DataFrame({"school_id": ["1"], "name": ["<b>СОШ № 1</b>"]})
    page = risk_matrix_html(risk_matrix(seed, schools))
    assert page.count("<tr>") == 1 + 15
    assert page.count('<td style="background:#') == 150 - 14  # one coloured cell per level given
    assert "&lt;b&gt;СОШ № 1&lt;/b&gt;" in page and "<b>" not in page


def test_different_levels_for_one_factor_are_a_conflict():
    p = pd.DataFrame({"year": 2024, "school_id": ["7", "7"], "factor": [3, 3],
                      "level": ["high", "low"]})
    m = risk_matrix(p, pd.DataFrame({"school_id": ["7"], "name": ["СОШ № 7"]}))
    assert m.loc[0, "factor_3"] == "conflict" and m.loc[0, "n_high"] == 0
    problems = check_profiles(p, ["7"]).set_index("factor")["problem"]
    assert problems[3] == "уровень указан 2 раза: высокая, низкая"
    assert len(problems) == 10  # plus factors 1, 2, 4–10 without a level
