"""One school's card (shnor.reporting.cards): what it shows, filtered from the report tables,
and its chart."""

import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from shnor.errors import UserError
from shnor.reporting.cards import card_chart, card_data
from shnor.reporting.notebook import ReportContext

NS = "{http://www.w3.org/2000/svg}"


def _points(svg: str) -> list[list[tuple[float, float]]]:
    root = ET.fromstring(svg)
    return [[tuple(map(float, p.split(","))) for p in el.get("points").split()]
            for el in root.iter(f"{NS}polyline")]


def test_card_chart_orders_years_and_is_deterministic():
    overall = pd.DataFrame({
        "year": [2024, 2022, 2023], "share_fail": [0.3, 0.1, pd.NA],
        "share_fail_region": [0.2, 0.2, 0.2], "share_quality": [0.4, 0.5, 0.45],
        "share_quality_region": [0.5, 0.5, 0.5]})
    svg = card_chart(overall)
    assert svg == card_chart(overall.sample(frac=1, random_state=1))
    years = [t.text for t in ET.fromstring(svg).iter(f"{NS}text") if t.text.isdigit()]
    assert years == ["2022", "2023", "2024"]
    # 2023 missing: the school's share «2» is two markers, not joined across the gap
    assert len(_points(svg)) == 3
    tips = [c.find(f"{NS}title").text for c in ET.fromstring(svg).iter(f"{NS}circle")]
    assert [t for t in tips if t.startswith("доля")] == [
        "доля «2» — школа, 2022: 10,0\u00a0%", "доля «2» — школа, 2024: 30,0\u00a0%"]


def test_card_data_filters_one_school(monitoring):
    ctx = ReportContext(dataset_name="t", year=2024, params={}, _tables=monitoring)
    card = card_data(ctx)  # None = the first school with a card
    assert card["school"]["school_id"] == "01"
    assert list(card["history"].columns) == ["assessment", "2021", "2022", "2023", "2024",
                                             "регион 2024"]
    facts = card["facts"].set_index("Показатель")["Значение"]
    assert facts["Список: низкие результаты"] == "да"
    assert facts["Лет подряд в основном списке мониторинга"] == "4"
    assert facts["Кластер"] == "1"
    assert card["risk"]["Значимость"].tolist()[:4] == ["высокая"] * 3 + ["низкая"]
    with pytest.raises(UserError, match="Школы с кодом «99» нет"):
        card_data(ctx, "99")
