"""Numbers and tables as the reports print them (shnor.reporting.formatting)."""

import re

import numpy as np
import pandas as pd

from shnor.reporting.formatting import _fmt_number, suppress_small_counts, table_html


def _frame():
    return pd.DataFrame({
        "school_id": ["007", "010"], "participants": [3.0, 40.0],
        "share_fail": [0.3333, 0.05], "mean_score": [3.456, np.nan], "reliable": [False, True],
        "name": ["<script>alert(1)</script>", "Школа №2"],
    })


def test_table_html_formats_escapes_and_suppresses():
    out = table_html(_frame(), max_rows=1, suppress_below=5)
    assert "Код ОО" in out and "Доля не преодолевших порог" in out and "Участников" in out
    assert "33,3\u00a0%" in out
    assert "&lt;5" in out and "<td>3</td>" not in out
    assert "&lt;script&gt;" in out and "<script>" not in out
    assert "Показаны первые 1 из 2 строк" in out
    full = table_html(_frame(), columns={"school_id": "Код", "mean_score": "Балл",
                                         "reliable": "Надёжно"}, suppress_below=5)
    assert "<th>Код</th>" in full and "Участников" not in full
    assert "3,46" in full and "—" in full and "нет" in full and "да" in full
    assert "<td>40</td>" in table_html(_frame(), suppress_below=5)  # not small: shown
    assert "<td>3</td>" in table_html(_frame())  # outside publication mode nothing is hidden
    assert table_html(_frame().iloc[:0]) == '<p class="shnor-note">Нет строк.</p>'


def test_numbers_group_digits_from_five_digits_on():
    assert _fmt_number(2024, 2) == "2024"
    assert _fmt_number(12345, 2) == "12\u00a0345"
    assert _fmt_number(0.456, 2) == "0,46"


def test_suppress_small_counts_only_touches_counts():
    frame = pd.DataFrame({"participants": [3.0, 12.0, np.nan], "n_fail": [0.0, 7.0, 1.0],
                          "share_fail": [0.0, 0.58, np.nan], "grade": [4, 5, 6]})
    out = suppress_small_counts(frame, 5)
    assert out["participants"].tolist()[:2] == ["<5", 12]
    assert pd.isna(out["participants"].tolist()[2])
    assert out["n_fail"].tolist() == ["<5", 7, "<5"]
    assert out["grade"].tolist() == [4, 5, 6]
    assert out["share_fail"].equals(frame["share_fail"])


def test_a_list_of_schools_longer_than_the_page_is_counted_by_municipality():
    schools = pd.DataFrame({"school_id": [f"{i:03d}" for i in range(7)],
                            "name": [f"Школа {i}" for i in range(7)],
                            "municipality": ["Бета", "Альфа", "Бета", "Гамма", "Альфа", "Бета",
                                             "Альфа"]})
    assert table_html(schools, page_rows=7) == table_html(schools)  # fits: unchanged
    out = table_html(schools, page_rows=2)
    assert "В списке 7 школ" in out and "Школа 1" not in out
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(\d+)</td>", out)
    assert rows == [("Альфа", "3"), ("Бета", "3")]  # the largest first, two of three shown
    assert "Показаны первые 2 из 3 строк" in out


def test_a_long_table_that_is_not_a_school_list_shows_its_first_rows():
    frame = pd.DataFrame({"year": list(range(2000, 2010)), "schools": range(10)})
    out = table_html(frame, page_rows=4)
    assert out.count("<tr>") == 4 and "Показаны первые 4 из 10 строк" in out
    assert table_html(frame, page_rows=4, max_rows=3).count("<tr>") == 3  # a smaller cap stays
