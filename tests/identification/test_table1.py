"""Seed 000 tables 1 and 3 on hand-made data (shnor.identification.table1): the low-results rule,
its reasons and the risk zone, through the identification of a run."""

import numpy as np
import pandas as pd
from conftest import fail_dataset, flags_of, identification_of, vpr6

from shnor.analysis.run import Run
from shnor.config import load_config
from shnor.identification.table1 import NO, UNKNOWN, YES


def test_exactly_30_percent_in_two_assessments_flags_and_29_9_does_not():
    rows = (vpr6("1", 2024, 3, 3) + vpr6("1", 2023, 0, 0)
            + [(2024, "2", "VPR", 6, "math", 1000, 299), (2024, "2", "VPR", 6, "russian", 1000, 299)]
            + vpr6("2", 2023, 0, 0))
    f = flags_of(fail_dataset(rows))
    assert f.loc["1", "low_results"]
    assert not f.loc["2", "low_results"]
    assert f.loc["2", "risk_zone"]  # 20–30 % in two assessments: near the cut
    assert "29,9 %" in f.loc["2", "reasons"]  # never printed as «30 %» below the cut


def test_reason_text_names_assessment_year_share_and_counts():
    rows = [(2024, "1", "VPR", 6, "math", 41, 17), (2024, "1", "OGE", 9, "russian", 20, 7),
            (2023, "1", "VPR", 6, "math", 41, 0)]
    f = flags_of(fail_dataset(rows))
    assert f.loc["1", "low_results"]
    assert "ВПР, 6 класс, математика, 2024: не преодолели порог 41 % (17 из 41)" in f.loc["1", "reasons"]
    assert "ОГЭ, 9 класс, русский язык, 2024: не преодолели порог 35 % (7 из 20)" in f.loc["1", "reasons"]


def test_one_assessment_in_one_year_is_the_risk_zone_not_the_list():
    rows = vpr6("1", 2024, 5, 0) + vpr6("1", 2023, 0, 0)
    f = flags_of(fail_dataset(rows))
    assert not f.loc["1", "low_results"]
    assert f.loc["1", "risk_zone"]
    assert f.loc["1", "reasons"].startswith("Зона риска: ВПР, 6 класс, математика, 2024")


def test_same_assessment_two_consecutive_years():
    rows = vpr6("1", 2024, 4, 0) + vpr6("1", 2023, 4, 0)
    tables = identification_of(fail_dataset(rows))
    f = tables["identification_flags"].set_index("school_id")
    assert f.loc["1", "low_results"]
    ev = tables["identification_reasons"]
    assert set(ev.loc[ev["flag"] == "low_results", "criterion"]) == {"fail", "earlier_year"}
    assert "2023" in f.loc["1", "reasons"] and "2024" in f.loc["1", "reasons"]


def test_gap_year_is_not_bridged_and_a_missing_year_is_not_guessed():
    # 2022 and 2024 failing, 2023 present without that assessment failing: not «two years running».
    rows = (vpr6("1", 2024, 4, 0) + vpr6("1", 2023, 0, 0) + vpr6("1", 2022, 4, 0)
            + vpr6("2", 2024, 4, 0) + vpr6("2", 2022, 4, 0))  # school 2 has no 2023 at all
    f = flags_of(fail_dataset(rows))
    assert not f.loc["1", "low_results"]
    assert pd.isna(f.loc["2", "low_results"])
    assert "правило «одна процедура 2 года подряд» не проверено" in f.loc["2", "reasons"]
    assert pd.isna(f.loc["2", "list_change"])


def test_unreliable_group_is_reported_but_does_not_trigger_unless_switched_on():
    rows = vpr6("1", 2024, 4, 0) + [(2024, "1", "OGE", 9, "math", 4, 4)] + vpr6("1", 2023, 0, 0)
    f = flags_of(fail_dataset(rows))
    assert not f.loc["1", "low_results"]
    assert "ОГЭ, 9 класс, математика, 2024: не преодолели порог 100 % (4 из 4) — менее 5 участников" \
        in f.loc["1", "reasons"]
    params = load_config()
    params["low_results"]["count_unreliable"] = True
    assert flags_of(fail_dataset(rows), params=params).loc["1", "low_results"]


def test_assessment_key_and_vpr4_are_parameters():
    rows = ([(2024, "1", "VPR", 5, "math", 10, 4), (2024, "1", "VPR", 6, "math", 10, 4),
             (2024, "1", "VPR", 4, "russian", 10, 4)] + vpr6("1", 2023, 0, 0))
    assert flags_of(fail_dataset(rows)).loc["1", "low_results"]
    params = load_config()
    params["low_results"]["assessment_key"] = ["procedure", "subject"]  # ВПР математика = one
    assert not flags_of(fail_dataset(rows), params=params).loc["1", "low_results"]
    params["low_results"]["assessments"]["VPR"] = [4, 5, 6, 7, 8]  # seed 001: ВПР 4 counts
    assert flags_of(fail_dataset(rows), params=params).loc["1", "low_results"]


def test_decline_against_previous_year_is_risk_zone():
    rows = ([(2024, "1", "VPR", 6, "math", 20, 5), (2024, "1", "VPR", 6, "russian", 20, 4)]
            + [(2023, "1", "VPR", 6, "math", 20, 1), (2023, "1", "VPR", 6, "russian", 20, 0)])
    f = flags_of(fail_dataset(rows))
    assert f.loc["1", "risk_zone"]
    assert "выросла с 5 % (2023) до 25 % (2024)" in f.loc["1", "reasons"]


def test_decline_needs_the_calendar_year_before():
    # Was shnor.indicators.with_changes (gone): the year-on-year change of a school's results is
    # now the decline of the risk zone, against the calendar year before and never an older year.
    rows = (vpr6("1", 2022, 0, 0, n=20) + vpr6("1", 2024, 5, 5, n=20)    # 2023 missing
            + vpr6("2", 2023, 0, 0, n=20) + vpr6("2", 2024, 5, 5, n=20)  # up by 25 points
            + vpr6("3", 2023, 5, 5, n=20) + vpr6("3", 2024, 2, 2, n=20))  # down by 15 points
    run = Run(fail_dataset(rows), 2024, load_config())
    decline = run.decisions.d["decline"].xs(2024, level="year")
    assert decline["1"] == UNKNOWN  # 2023 missing: no guess
    assert decline["2"] == YES and decline["3"] == NO
    ev = run.identification["identification_reasons"]
    dec = ev[ev["criterion"] == "decline"].set_index(["school_id", "subject"])
    assert set(dec.index.get_level_values("school_id")) == {"2"}
    change = dec["share_fail"] - dec["share_fail_prev"]
    np.testing.assert_allclose(change.to_numpy(), [0.25, 0.25])
    reasons = run.identification["identification_flags"].set_index("school_id")["reasons"]
    assert "выросла с 0 % (2023) до 25 % (2024)" in reasons["2"]
    assert "выросла" not in reasons["1"] and "выросла" not in reasons["3"]
