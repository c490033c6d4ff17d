"""Suggested partner schools: the rules on a hand-made region."""

import numpy as np
import pandas as pd

from shnor.comparison.partners import free_schools, partners_table
from shnor.config import load_config
from shnor.identification.table1 import NO, YES

SCHOOLS = pd.DataFrame({
    "school_id": ["L", "P1", "P2", "P3", "P4", "P5", "P6"],
    "name": ["Школа L", "П1", "П2", "П3", "П4", "П5", "П6"],
    "municipality": ["M", "M", "N", "N", "M", "N", "M"],
    "locality": ["rural", "urban", "rural", "urban", "rural", "rural", "rural"],
})
DIFF = pd.DataFrame({
    "school_id": ["L", "P1", "P2", "P3", "P4", "P5", "P6"],
    "isbsh": [30.0, 33.0, 31.0, 30.5, 60.0, 29.0, 30.2],
    "isbsh_group": [3, 4, 3, 3, 8, 3, 3],
    "effectiveness_level": [1, 5, 4, 5, 5, 3, 5],
    "value_added": [-2.0, 3.0, 1.5, 2.5, 4.0, 0.1, 2.0],
})


def test_partner_rules():
    params = load_config()
    listed = pd.Series([True] + [False] * 6, index=SCHOOLS["school_id"])
    free = pd.Index(["P1", "P2", "P3", "P4", "P5"])  # P6 was on a list
    out = partners_table(SCHOOLS, listed, free, DIFF, 2024, params)
    # P1: same municipality (group 4, within 1); P2: other municipality, same locality type;
    # P3 urban in another municipality, P4 far ИСБШ, P5 level 3, P6 on a list: not suggested
    assert out["partner_id"].tolist() == ["P1", "P2"]
    assert out["rank"].tolist() == [1, 2]
    assert out["basis"].tolist() == ["municipality", "locality"]
    assert "тот же муниципалитет" in out["reason"].iloc[0]
    assert "уровень эффективности 5" in out["reason"].iloc[0]


def test_no_partner_has_a_reason():
    params = load_config()
    listed = pd.Series([True] + [False] * 6, index=SCHOOLS["school_id"])
    out = partners_table(SCHOOLS, listed, pd.Index([]), DIFF, 2024, params,
                         why_none="добавленная ценность не рассчитана")
    assert len(out) == 1 and pd.isna(out["partner_id"].iloc[0])
    assert "добавленная ценность не рассчитана" in out["reason"].iloc[0]
    no_social = DIFF.assign(isbsh=np.nan, isbsh_group=pd.NA)
    out = partners_table(SCHOOLS, listed, pd.Index(["P1"]), no_social, 2024, params)
    assert "нет группы ИСБШ" in out["reason"].iloc[0]


def test_free_schools():
    idx = pd.MultiIndex.from_product([[2023, 2024], ["A", "B", "C"]],
                                     names=["year", "school_id"])
    d = pd.DataFrame({"low": [NO, YES, NO, NO, NO, NO], "risk": [NO, NO, NO, NO, NO, 1]},
                     index=idx)
    lists = pd.DataFrame({"year": [2024], "school_id": ["A"], "list": ["ФИОКО"]})
    # A on an official list, B listed last year, C undecided risk this year
    assert list(free_schools(d, lists, 2024, 2)) == []
    assert list(free_schools(d, None, 2024, 1)) == ["A", "B"]
