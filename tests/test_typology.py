from pathlib import Path

import numpy as np
import pandas as pd

import shnor
from shnor.school_typology import (
    TYPE_COLOURS,
    matrix_fills,
    matrix_for_excel,
    typology,
    typology_matrix,
)

FIXTURE = Path(__file__).parent / "fixtures" / "pervouralsk_2022.csv"


def test_fixture_typology_of_all_22_schools():
    f = pd.read_csv(FIXTURE)
    t = typology(f["isbsh_group"], f["quality_group"])
    assert (t == f["typology"]).all()
    counts = t.value_counts()
    assert [counts.get(k, 0) for k in ("неблагополучная", "резильентная", "несправляющаяся",
                                       "условно благополучная", "благополучная")] == [7, 5, 5, 5, 0]


def test_fixture_matrix_matches_table_7():
    f = pd.read_csv(FIXTURE)
    m = typology_matrix(f, label="school_no").set_index("Гр ИСБШ")
    assert m.loc["3", "5"] == "22, 26, 36" and m.loc["4", "7"] == "5, 9" and m.loc["6", "3"] == "20"
    assert m.loc["Итого ОО"].tolist() == ["", "", "1", "3", "8", "4", "5", "1", "", "", "", "22"]
    fills = matrix_fills(typology_matrix(f, label="school_no"))
    assert fills.iloc[2, 5] == TYPE_COLOURS["неблагополучная"]      # row ИСБШ 3, quality 5
    assert fills.iloc[6, 8] == TYPE_COLOURS["условно благополучная"]  # ИСБШ 7, quality 8
    assert fills.iloc[9, 9] == TYPE_COLOURS["благополучная"]
    assert pd.isna(fills.iloc[11, 3])


def test_excel_matrix_has_numbers_where_excel_should_sum_and_codes_as_text():
    f = pd.read_csv(FIXTURE).assign(code=lambda d: [f"0{n:02d}" for n in d["school_no"]])
    labels = matrix_for_excel(typology_matrix(f, label="code")).set_index("Гр ИСБШ")
    assert labels.loc[6, "3"] == "020" and labels.loc[3, "5"] == "022, 026, 036"  # codes: text
    assert labels.loc[6, "Итого ОО"] == 3 and labels.loc["Итого ОО", "Итого ОО"] == 22
    assert labels.loc["Итого ОО", "5"] == 8 and labels.loc["Итого ОО", "1"] is None
    assert labels.loc[1, "1"] is None and labels.loc[1, "Итого ОО"] is None  # empty, not ""
    counts = matrix_for_excel(typology_matrix(f, label="code", max_labels=10), max_labels=10)
    counts = counts.set_index("Гр ИСБШ")
    assert counts.loc[3, "5"] == 3 and counts.loc[4, "7"] == 2 and counts.loc[1, "1"] is None
    assert counts.loc["Итого ОО", "Итого ОО"] == 22


def test_scalars_boundaries_and_missing():
    assert shnor.typology(4, 5) == "неблагополучная"
    assert shnor.typology(4, 6) == "резильентная"
    assert shnor.typology(5, 5) == "несправляющаяся"
    assert shnor.typology(8, 7) == "благополучная"
    assert shnor.typology(8, 6) == "условно благополучная"
    assert shnor.typology(7, 11) == "условно благополучная"
    assert shnor.typology(None, 3) is None and shnor.typology(3, np.nan) is None
    assert typology(5, 5, {"isbsh_low_max": 5}) == "неблагополучная"


def test_arrays_and_series():
    arr = typology(np.array([1, 9]), np.array([1, 9]))
    assert isinstance(arr, np.ndarray) and arr.tolist() == ["неблагополучная", "благополучная"]
    s = typology(pd.Series([2, None], index=["a", "b"], dtype="Int64"), pd.Series([9, 9],
                                                                               index=["a", "b"]))
    assert s.index.tolist() == ["a", "b"] and s["a"] == "резильентная" and s["b"] is None
