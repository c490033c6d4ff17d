"""Numbers and tables as the reports print them (shnor.reporting.formatting)."""

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
