"""Programme indicators (seed 004 5.1 by students) and the monitoring calendar."""

import pandas as pd
import pytest

from shnor.config import load_config
from shnor.monitoring.calendar import monitoring_calendar
from shnor.monitoring.indicators import gia_students, programme_indicators

COLS = ["year", "school_id", "procedure", "subject", "participants", "n_fail", "mean_score"]


def _results():
    rows = [
        (2024, "A", "OGE", "russian", 10, 2, 3.5),
        (2024, "A", "OGE", "math", 10, 4, 3.2),
        (2024, "B", "EGE", "russian", 8, 0, 60.0),
        (2024, "B", "EGE", "math_base", 5, 1, 4.0),
        (2024, "B", "EGE", "math_profile", 3, 1, 40.0),
    ]
    return pd.DataFrame(rows, columns=COLS)


def test_51_counts_students_not_sittings():
    gia = gia_students(_results()).set_index("school_id")
    # A: min(0.8, 0.6) × 10 students = 6 passed; B: maths base+profile 2 of 8 failed
    assert gia.loc["A", "students"] == 10 and gia.loc["A", "passed"] == pytest.approx(6)
    assert gia.loc["B", "students"] == 8 and gia.loc["B", "passed"] == pytest.approx(6)
    lists = pd.DataFrame({"year": [2023, 2023], "school_id": ["A", "B"],
                          "low_results": [True, True]})
    tasks = pd.DataFrame(columns=["year", "indicator", "value", "numerator", "denominator",
                                  "source"])
    out = programme_indicators(_results(), lists, tasks, None, 2024, "low_results", ["5.1"])
    row = out.iloc[0]
    assert row["code"] == "5.1" and row["source"] == "seed 004, показатель 5.1"
    assert (row["numerator"], row["denominator"]) == (12, 18)
    # by sittings it would be (44 - 8) / 44
    sittings = _results()
    assert (sittings.participants.sum() - sittings.n_fail.sum()) / sittings.participants.sum() \
        != pytest.approx(row["value"])


def test_cluster_indicator():
    lists = pd.DataFrame({"year": [2023], "school_id": ["A"], "low_results": [True]})
    res = pd.DataFrame([(2024, "A", "OGE", "russian", 10, 0, 4.0),
                        (2024, "C", "OGE", "russian", 10, 0, 3.0)], columns=COLS)
    diff = pd.DataFrame({"school_id": ["A", "C"], "cluster": [1, 1]})
    out = programme_indicators(res, lists, pd.DataFrame(columns=["source"]), diff, 2024,
                               "low_results", ["002.1", "002.2"])
    assert out.set_index("code").loc["002.2", "value"] == 1.0
    assert out.set_index("code").loc["002.1", "value"] == 4.0


def test_default_calendar_answerability():
    entries = load_config()["monitoring"]["calendar"]
    cal = monitoring_calendar(entries, {"results", "schools", "risk_profiles"})
    assert len(cal) == 12 and set(cal["source"]) == {"seed 000, табл. 13"}
    got = dict(zip(cal["month"] + " " + cal["what"], cal["answer"]))
    assert got["май Предметные результаты"] == "answered"
    assert got["июнь Поддержка профессионального развития педагогов"] == "needs_table:staff"
    assert got["февраль Оценивание и учёт результатов"] == "not_in_data"
    assert got["август Школьная среда"] == "answered"


def test_oip_growth_share_of_the_programme_schools():
    # seed 002, приложение 1, п. 3: three schools on one ВПР; A climbs from the bottom to the
    # top, B falls from the top, C (not on the list) stays in the middle
    def ind(year, shares):
        return pd.DataFrame({"year": year, "school_id": ["A", "B", "C"], "procedure": "VPR",
                             "grade": 5, "subject": "math", "participants": 20,
                             "share_success": shares, "share_quality": shares,
                             "reliable": True})
    indicators = pd.concat([ind(2023, [0.5, 0.9, 0.7]), ind(2024, [0.95, 0.4, 0.7])],
                           ignore_index=True)
    lists = pd.DataFrame({"year": [2023, 2023, 2023], "school_id": ["A", "B", "C"],
                          "low_results": [True, True, False]})
    params = load_config("yaroslavl")
    out = programme_indicators(indicators.iloc[:0].assign(n_fail=0, mean_score=0.0), lists,
                               pd.DataFrame(columns=["source"]), None, 2024, "low_results",
                               ["002.3"], indicators, params)
    row = out.set_index("code").loc["002.3"]
    assert (row["year"], row["numerator"], row["denominator"]) == (2024, 1, 2)
    assert row["source"] == "seed 002, приложение 1, п. 3"


def test_seed_003_indicators_5_6_9_on_hand_computed_rows():
    # school A is on the 2023 list (the programme's school in 2024), B is not
    lists = pd.DataFrame({"year": [2023, 2023, 2024, 2024], "school_id": ["A", "B", "A", "B"],
                          "low_results": [True, False, False, False]})
    res = pd.DataFrame([(2024, "A", "OGE", "russian", 10, 2, 3.5),
                        (2024, "A", "VPR", "math", 30, 6, 3.0),
                        (2024, "B", "OGE", "russian", 50, 0, 4.5)], columns=COLS)
    ind = pd.DataFrame({"year": 2024, "school_id": ["A", "A", "B"],
                        "procedure": ["OGE", "VPR", "OGE"], "participants": [10, 30, 50],
                        "share_success": [0.8, 0.8, 1.0], "share_quality": [0.3, 0.5, 0.9]})
    out = programme_indicators(res, lists, pd.DataFrame(columns=["source"]), None, 2024,
                               "low_results", ["003.5", "003.6", "003.9"], ind,
                               load_config("stepnoe"))
    five = out[out["code"] == "003.5"].set_index("indicator")["value"]
    assert five["Справляемость (доля отметок «3»–«5») обучающихся школ списка, ОГЭ"] == 0.8
    assert five["Успешность (доля отметок «4» и «5») обучающихся школ списка, ВПР"] == 0.5
    assert len(five) == 4  # two measures × the two procedures of the programme's school
    six = out[out["code"] == "003.6"].set_index("year")
    assert (six.loc[2023, "numerator"], six.loc[2023, "denominator"]) == (1, 2)
    assert six.loc[2024, "value"] == 0
    nine = out[out["code"] == "003.9"].iloc[0]
    assert (nine["numerator"], nine["denominator"]) == (8, 40)  # A only: (2 + 6) / (10 + 30)
    assert set(out["source"]) == {"seed 003, целевой показатель 5",
                                  "seed 003, целевой показатель 6",
                                  "seed 003, целевой показатель 9"}
