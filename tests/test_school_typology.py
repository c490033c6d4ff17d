"""The typology of seed 000 table 7 (shnor.school_typology): types of schools and the matrix.
Its colours and the workbook form of the matrix: tests/reporting/test_views.py."""

import numpy as np
import pandas as pd
from conftest import FIXTURES

import shnor
from shnor.school_typology import typology, typology_matrix

FIXTURE = FIXTURES / "pervouralsk_2022.csv"


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
