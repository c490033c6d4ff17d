"""The SVG line chart of the school cards (shnor.reporting.charts.share_chart_svg)."""

import re
import xml.etree.ElementTree as ET

from shnor.reporting import charts

NS = "{http://www.w3.org/2000/svg}"


def _points(svg: str) -> list[list[tuple[float, float]]]:
    root = ET.fromstring(svg)
    return [[tuple(map(float, p.split(","))) for p in el.get("points").split()]
            for el in root.iter(f"{NS}polyline")]


def test_share_chart_is_well_formed_svg_with_scaled_points():
    svg = charts.share_chart_svg(["2022", "2023"], [
        charts.Line("школа", [0.25, 0.5], "#D55E00"),
        charts.Line("регион", [0.1, 0.1], "#D55E00", dashed=True),
    ], "Доля «2» & качество")
    root = ET.fromstring(svg)  # valid XML: the title's «&» is escaped
    assert root.find(f"{NS}title").text == "Доля «2» & качество"
    school, region = _points(svg)
    # y axis 0 … 50 % (peak 0.5 is on a 10 % step) over the plot band 196 → 34
    assert [y for _, y in school] == [196 - 0.25 / 0.5 * 162, 34.0]
    assert [y for _, y in region] == [196 - 0.1 / 0.5 * 162] * 2
    assert school[0][0] < school[1][0]
    ticks = [t.text for t in root.iter(f"{NS}text") if t.text.endswith("%")]
    assert ticks == ["0\u00a0%", "10\u00a0%", "20\u00a0%", "30\u00a0%", "40\u00a0%", "50\u00a0%"]
    # markers only on solid lines, each with its value as a tooltip
    tips = [c.find(f"{NS}title").text for c in root.iter(f"{NS}circle")]
    assert tips == ["школа, 2022: 25,0\u00a0%", "школа, 2023: 50,0\u00a0%"]
    assert 'stroke-dasharray' in ET.tostring(root.findall(f"{NS}polyline")[1], encoding="unicode")


def test_missing_values_break_the_line_and_empty_data_says_so():
    svg = charts.share_chart_svg(["2021", "2022", "2023", "2024"], [
        charts.Line("школа", [0.2, None, 0.3, float("nan")], "#000000")], "t")
    assert _points(svg) == []  # no two consecutive values: markers only
    assert svg.count("<circle") == 2
    svg = charts.share_chart_svg(["2021", "2022", "2023"], [
        charts.Line("школа", [0.2, 0.3, None], "#000000")], "t")
    assert len(_points(svg)[0]) == 2
    empty = charts.share_chart_svg(["2024"], [charts.Line("школа", [None], "#000000")], "t")
    assert "Нет данных" in empty and "10\u00a0%" in empty  # axis still drawn to 10 %


def test_axis_steps_widen_above_half():
    svg = charts.share_chart_svg(["2024"], [charts.Line("a", [0.83], "#000000")], "t")
    ticks = re.findall(r">(\d+)\u00a0%<", svg)
    assert ticks == ["0", "20", "40", "60", "80", "100"]
