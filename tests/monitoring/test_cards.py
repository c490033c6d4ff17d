"""What the school cards read (shnor.monitoring.cards): which schools get a card, each school's
profile and its results beside the region's."""

import pytest
from conftest import MONITORING_IDS

from shnor.monitoring.cards import card_school_ids
from shnor.reporting.cards import card_chart


def test_cards_cover_listed_schools_and_every_school_on_demand(monitoring):
    assert card_school_ids(monitoring, all_cards=False) == ["01", "05", "06"]
    assert card_school_ids(monitoring, all_cards=True) == MONITORING_IDS
    prof = monitoring["card_profile"].set_index("school_id")
    assert prof.index.tolist() == MONITORING_IDS
    assert prof.loc["01", "years_on_list"] == 4
    assert prof.loc["01", "reasons"] == "причина"
    assert prof.loc["02", "cluster"] == 2
    assert prof.loc["01", "risk_factors_high"] == "1 Оснащение; 2 Дефицит кадров; " \
                                                  "3 Компетентность педагогов"
    hist = monitoring["card_history"]
    h = hist[(hist["school_id"] == "02") & (hist["year"] == 2022)].iloc[0]
    assert h["share_fail"] == pytest.approx(0.1)
    assert h["share_fail_region"] == pytest.approx(12 / 60)
    svg = card_chart(monitoring["card_overall"].query("school_id == '01'"))
    assert svg.count("<polyline") == 4 and svg.count("<circle") == 2 * 4  # 2 solid lines
