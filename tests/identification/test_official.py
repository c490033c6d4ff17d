"""The computed list against the official lists (shnor.identification.official)."""

import pandas as pd
from conftest import fail_dataset, identification_of, vpr6

from shnor.identification.official import COMPARISONS
from shnor.reporting.views import official_comparison


def test_official_comparison_explains_each_difference():
    rows = (vpr6("1", 2024, 4, 4) + vpr6("2", 2024, 4, 4) + vpr6("3", 2024, 0, 0)
            + [r for s in "123" for r in vpr6(s, 2023, 0, 0)])
    lists = pd.DataFrame({"year": [2024, 2024], "school_id": ["1", "3"], "list": ["ФИОКО ШНОР"] * 2})
    tables = identification_of(fail_dataset(rows, lists=lists))
    official = tables["identification_official"]
    off = official.set_index("school_id")
    # the table holds codes (in the order of COMPARISONS), the report shows them in words
    assert off["comparison"].to_dict() == {"1": "both", "2": "computed_only",
                                           "3": "official_only"}
    assert official["comparison"].tolist() == list(COMPARISONS)
    words = official_comparison(official).set_index("school_id")["comparison"]
    assert words.to_dict() == {"1": "в обоих списках", "2": "только в расчётном",
                               "3": "только в официальном"}
    assert off.loc["3", "explanation"].startswith("правило не выполнено")
    assert "ВПР, 6 класс" in off.loc["2", "explanation"]
