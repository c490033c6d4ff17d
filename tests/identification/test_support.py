"""ШНСУ by ``unfavourable.rule`` and seed 000's tables 1–3 of the support programme
(shnor.identification.support, shnor.identification.flags; seed 000, section 2, tables 1–3, 7)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import shnor
from shnor.config import load_config
from shnor.errors import UserError
from shnor.identification.flags import IDENTIFICATION_COLUMNS, shnsu_code, unfavourable_code
from shnor.identification.support import (
    decide_support,
    programme_membership,
    support_lists,
    support_table,
)
from shnor.identification.table1 import NO, UNKNOWN, YES
from shnor.io.dataset import Dataset
from shnor.school_typology import typology
from shnor.synth.region import generate_region

SHARED = Path(__file__).parents[2] / ".." / "shared" / "fixtures"
LOCAL = Path(__file__).parents[1] / "fixtures"
FIXTURE = next((d / "pervouralsk_2022.csv" for d in (SHARED, LOCAL)
                if (d / "pervouralsk_2022.csv").exists()), LOCAL / "pervouralsk_2022.csv")
TABLE2 = [3, 10, 22, 26, 28, 36, 40]  # seed 000, table 2: the published list


@pytest.fixture(scope="module")
def fixture() -> pd.DataFrame:
    assert FIXTURE.exists(), f"нет {FIXTURE}"
    return pd.read_csv(FIXTURE).set_index("school_no")


# (a) seed 000: the 22 schools of table 7 and the 15 of the programme ---------------------------

def test_fixture_types_are_the_counts_of_table_7(fixture):
    kinds = typology(fixture["isbsh_group"], fixture["quality_group"], load_config()["typology"])
    assert kinds.tolist() == fixture["typology"].tolist()
    counts = kinds.value_counts()
    assert [counts.get(t, 0) for t in ("неблагополучная", "резильентная", "несправляющаяся",
                                       "условно благополучная", "благополучная")] == [7, 5, 5, 5, 0]


def test_support_table_of_the_programme_schools_is_the_seed_table(fixture):
    kinds = typology(fixture["isbsh_group"], fixture["quality_group"], load_config()["typology"])
    on = fixture["shans"].eq(1)
    out = decide_support(on, kinds)
    assert out["support_table"].dtype == "Int64"
    expected = fixture["programme_table"].str.removeprefix("T").astype("Int64")
    assert out.loc[on, "support_table"].tolist() == expected[on].tolist()
    assert out.loc[~on, "support_table"].isna().all()  # not on a list: no table
    assert (out["support_status"] == "").all()
    assert out.loc[3, "support_text"].startswith("Программа поддержки: таблица 2 (неблагополучная")
    # one table per type: 1 несправляющиеся, 2 неблагополучные, 3 the rest (№ 6 is условно
    # благополучная and in table 3)
    assert support_table("несправляющаяся") == 1 and support_table("неблагополучная") == 2
    assert {support_table(t) for t in ("резильентная", "условно благополучная",
                                       "благополучная")} == {3}
    assert support_table(None) is None and support_table("") is None
    assert support_table(np.nan) is None and support_table("неизвестный") is None


def test_default_rule_reproduces_the_published_list_of_table_2(fixture):
    params = load_config()
    assert params["unfavourable"]["rule"] == "typology"
    low = pd.Series(YES, index=fixture.index)  # the whole fixture is low: the rule ignores it
    shnsu = shnsu_code(fixture["isbsh_group"], fixture["quality_group"], low, params)
    assert sorted(fixture.index[shnsu == YES]) == TABLE2
    assert sorted(fixture.index[fixture["programme_table"] == "T2"]) == TABLE2
    # unfavourable alone: every school with a low ИСБШ (groups ≤ 4), also the резильентные
    fav = unfavourable_code(fixture, params)
    assert sorted(fixture.index[fav == YES]) == sorted(
        fixture.index[fixture["isbsh_group"] <= 4])
    # the prose of table 2 («ИСБШ … очень низкий», groups 1–2) keeps only № 40
    params["unfavourable"]["rule"] = "isbsh_group"
    shnsu = shnsu_code(fixture["isbsh_group"], fixture["quality_group"], low, params)
    assert list(fixture.index[shnsu == YES]) == [40]


# (b) hand-made rows: the two rules, undecided schools, an unknown rule --------------------------

def _rows():
    isb = pd.Series(pd.array([3, 3, 6, pd.NA, 2, 3, 9], dtype="Int64"), index=list("abcdefg"))
    qual = pd.Series(pd.array([5, 6, 5, 4, 7, pd.NA, pd.NA], dtype="Int64"), index=isb.index)
    low = pd.Series([NO, YES, YES, YES, YES, UNKNOWN, YES], index=isb.index, dtype=np.int8)
    return isb, qual, low


def test_typology_rule():
    isb, qual, low = _rows()
    params = load_config()
    fav = unfavourable_code(pd.DataFrame({"isbsh_group": isb}), params)
    assert fav.tolist() == [YES, YES, NO, UNKNOWN, YES, YES, NO]
    shnsu = shnsu_code(isb, qual, low, params)
    # a: неблагополучная without low results is ШНСУ (the seed's table 2); b: quality 6 is
    # резильентная; c: ИСБШ 6; d: no ИСБШ group; e: quality 7; f: no quality group;
    # g: ИСБШ 9 excludes it whatever the quality
    assert shnsu.tolist() == [YES, NO, NO, UNKNOWN, NO, UNKNOWN, NO]
    params["typology"]["quality_low_max"] = 6  # the bounds of table 7 are the parameters
    assert shnsu_code(isb, qual, low, params).tolist()[:2] == [YES, YES]


def test_isbsh_group_rule():
    isb, qual, low = _rows()
    params = load_config()
    params["unfavourable"]["rule"] = "isbsh_group"
    fav = unfavourable_code(pd.DataFrame({"isbsh_group": isb}), params)
    assert fav.tolist() == [NO, NO, NO, UNKNOWN, YES, NO, NO]
    # ШНСУ = low results and ИСБШ group ≤ 2: only e; d has no ИСБШ group
    assert shnsu_code(isb, qual, low, params).tolist() == [NO, NO, NO, UNKNOWN, YES, NO, NO]
    params["unfavourable"]["isbsh_group_max"] = 3
    assert shnsu_code(isb, qual, low, params).tolist() == [NO, YES, NO, UNKNOWN, YES, UNKNOWN,
                                                           NO]


def test_unknown_rule_is_a_russian_error():
    isb, qual, low = _rows()
    params = load_config()
    params["unfavourable"]["rule"] = "very_low"
    with pytest.raises(UserError, match="unfavourable.rule: неизвестное правило «very_low»"):
        unfavourable_code(pd.DataFrame({"isbsh_group": isb}), params)
    with pytest.raises(UserError, match="допустимы: typology"):
        shnsu_code(isb, qual, low, params)


def test_listed_school_without_a_type_has_no_table_and_says_why():
    on = pd.Series(pd.array([True, True, False, pd.NA], dtype="boolean"), index=list("abcd"))
    kinds = [None, "резильентная", "несправляющаяся", "неблагополучная"]
    out = decide_support(on, kinds, ["низкие результаты", "зона риска", "", ""],
                         ["нет группы качества", "", "", ""])
    assert out["support_table"].tolist() == [pd.NA, 3, pd.NA, pd.NA]
    assert out.loc["a", "support_status"] == ("тип школы по таблице 7 не определён (нет группы "
                                              "качества): таблица программы поддержки (1–3) "
                                              "не определена")
    assert (out.loc[["b", "c", "d"], "support_status"] == "").all()
    assert out.loc["b", "support_text"] == ("Программа поддержки: таблица 3 (резильентная; "
                                            "списки: зона риска)")


def test_programme_lists_are_the_chosen_flags_and_official_lists():
    flags = pd.DataFrame({
        "school_id": ["1", "2", "3", "4", "5"],
        "low_results": pd.array([True, False, False, pd.NA, False], dtype="boolean"),
        "risk_zone": pd.array([False, True, False, False, False], dtype="boolean"),
        "shnsu": pd.array([False, False, False, False, True], dtype="boolean"),
    })
    lists = pd.DataFrame({"year": [2024, 2024, 2025, 2023], "school_id": ["3", "1", "2", "5"],
                          "list": ["ФИОКО", "ФИОКО", "Региональный проект", "ФИОКО"]})
    params = load_config()
    m = programme_membership(flags, lists, 2024, params)
    assert m["on_list"].tolist() == [True, True, True, pd.NA, False]
    assert m["lists"].tolist() == ["низкие результаты, ФИОКО", "зона риска", "ФИОКО", "", ""]
    # official lists of the list year: offset 1 takes the lists of 2025
    params["low_results"]["official_list_year_offset"] = 1
    assert programme_membership(flags, lists, 2024, params)["lists"].tolist()[:3] == [
        "низкие результаты", "зона риска, Региональный проект", ""]
    params = load_config()
    params["support"]["lists"] = ["shnsu", "ФИОКО"]
    m = programme_membership(flags, lists, 2024, params)
    assert m["on_list"].tolist() == [True, False, True, False, True]
    params["support"]["lists"] = ["low_results", "ФИОК"]
    with pytest.raises(UserError, match="support.lists: неизвестный список «ФИОК»"):
        support_lists(params, lists)
    params["support"]["lists"] = []
    with pytest.raises(UserError, match="support.lists"):
        support_lists(params, lists)


# (c) a generated region: the contract column -----------------------------------------------------

@pytest.fixture(scope="module")
def region() -> Dataset:
    t = generate_region(n_schools=80, n_years=3, seed=3)
    return Dataset(name="support", path=Path("."), schools=t["schools"], results=t["results"],
                   social=t["social"], lists=t["lists"], programme=t["programme"],
                   risk_profiles=t["risk_profiles"])


def test_identify_gives_support_tables_only_to_listed_schools(region):
    params = load_config()
    year = max(region.years)
    ident = shnor.identify(region, year, params)
    assert list(ident.columns) == IDENTIFICATION_COLUMNS
    assert IDENTIFICATION_COLUMNS.index("support_table") == IDENTIFICATION_COLUMNS.index(
        "list_change") + 1
    assert len(ident) == len(region.schools) and ident["school_id"].is_unique
    assert ident["support_table"].dtype == "Int64"
    table = ident["support_table"].dropna()
    assert len(table) > 0 and set(table) <= {1, 2, 3}
    official = set(region.lists.loc[region.lists["year"] == year, "school_id"])
    listed = (ident["low_results"].fillna(False) | ident["risk_zone"].fillna(False)
              | ident["school_id"].isin(official))
    assert ident.loc[~listed, "support_table"].isna().all()

    from shnor.analysis.run import Run

    flags = Run(region, year, params).identification["identification_flags"]
    # the table follows the type of table 7; a listed school without a type says why
    kinds = flags.loc[flags["support_table"].notna()].set_index("school_id")
    by_type = kinds["typology"].map(support_table)
    assert (by_type == kinds["support_table"].astype(int)).all()
    no_type = flags[listed.to_numpy() & flags["typology"].isna().to_numpy()]
    assert no_type["support_table"].isna().all()
    assert no_type["status"].str.contains("таблица программы поддержки (1–3) не определена",
                                          regex=False).all()
    # ШНСУ (default rule) = the неблагополучные of table 7
    decided = flags["shnsu"].notna() & flags["typology"].notna()
    assert (flags.loc[decided, "shnsu"].astype(bool)
            == flags.loc[decided, "typology"].eq("неблагополучная")).all()
    assert flags["reasons"][flags["shnsu"].fillna(False)].str.contains(
        "— неблагополучная (таблицы 2 и 7)", regex=False).all()


def test_report_shows_the_three_tables(region):
    from shnor.analysis.run import Run
    from shnor.reporting import text, views
    from shnor.reporting.sheets import support_sheets

    params = load_config()
    tables = Run(region, max(region.years), params).identification
    flags = tables["identification_flags"]
    shown = [views.support_list(flags, n) for n in (1, 2, 3)]
    assert [len(t) for t in shown] == [int(flags["support_table"].eq(n).sum()) for n in (1, 2, 3)]
    assert list(shown[0].columns) == views.SUPPORT_COLUMNS
    assert set(shown[1]["typology"]) <= {"неблагополучная"}
    (sheet,) = support_sheets(tables)
    assert sheet.name == "Таблицы 1–3" and len(sheet.frame) == sum(len(t) for t in shown)
    assert list(sheet.frame.columns[:3]) == ["Таблица программы поддержки", "Название таблицы",
                                             "Код ОО"]
    assert sheet.cell_fills.shape == sheet.frame.shape
    summary = text.identification_summary(flags, max(region.years), params)
    assert "неблагополучные по таблице 7" in summary and "В программу поддержки входят" in summary
    params["unfavourable"]["rule"] = "isbsh_group"
    assert "очень низкий ИСБШ" in text.identification_summary(flags, max(region.years), params)
