"""Identification rules on hand-made data (seed 000 tables 1–3, seeds 001/002, issue 3)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shnor.config import load_config
from shnor.io.dataset import Dataset
from shnor.identification.core import (
    IDENTIFICATION_COLUMNS,
    identification_sheets,
    identification_tables,
    identify,
    identify_years,
    unfavourable_code,
)
from shnor.indicators import compute_indicators
from shnor.identification.table1 import UNKNOWN, YES, scope_groups
from shnor.identification.oip import oip_scores
from shnor.identification.fioko_tail import vpr_tail_codes

RESULT_COLUMNS = ["year", "school_id", "procedure", "grade", "subject", "participants", "n_fail",
                  "n_mark3", "n_mark4", "n_mark5", "n_high", "mean_score"]
FIXTURE = Path(__file__).parent / "fixtures" / "pervouralsk_2022.csv"


def _results(rows):
    """rows: (year, school_id, procedure, grade, subject, participants, n_fail)."""
    full = [(*r, np.nan, np.nan, np.nan, np.nan, np.nan) for r in rows]
    r = pd.DataFrame(full, columns=RESULT_COLUMNS)
    r["school_id"] = r["school_id"].astype(str)
    r["procedure"] = r["procedure"].astype(str)
    r["subject"] = r["subject"].astype(str)
    return r.astype({"year": "int64", "grade": "int64", "participants": float, "n_fail": float})


def _dataset(rows, school_ids=None, social=None, lists=None):
    results = _results(rows)
    ids = school_ids or sorted(results["school_id"].unique())
    schools = pd.DataFrame({"school_id": ids, "name": [f"Школа {i}" for i in ids],
                            "municipality": ["Город" if i < "5" else "Район" for i in ids]})
    social = social if social is not None else pd.DataFrame(
        {"year": pd.Series(dtype="int64"), "school_id": pd.Series(dtype=str),
         "students_total": pd.Series(dtype=float)})
    return Dataset("test", Path("."), schools, results, social, lists=lists)


def _flags(ds, year=2024, params=None):
    return identification_tables(ds, year, params or load_config())["identification_flags"].set_index("school_id")


def _both(school, year, n_fail_math, n_fail_rus, n=10):
    return [(year, school, "VPR", 6, "math", n, n_fail_math), (year, school, "VPR", 6, "russian", n, n_fail_rus)]


def test_exactly_30_percent_in_two_assessments_flags_and_29_9_does_not():
    rows = (_both("1", 2024, 3, 3) + _both("1", 2023, 0, 0)
            + [(2024, "2", "VPR", 6, "math", 1000, 299), (2024, "2", "VPR", 6, "russian", 1000, 299)]
            + _both("2", 2023, 0, 0))
    f = _flags(_dataset(rows))
    assert f.loc["1", "low_results"]
    assert not f.loc["2", "low_results"]
    assert f.loc["2", "risk_zone"]  # 20–30 % in two assessments: near the cut
    assert "29,9 %" in f.loc["2", "reasons"]  # never printed as «30 %» below the cut


def test_reason_text_names_assessment_year_share_and_counts():
    rows = [(2024, "1", "VPR", 6, "math", 41, 17), (2024, "1", "OGE", 9, "russian", 20, 7),
            (2023, "1", "VPR", 6, "math", 41, 0)]
    f = _flags(_dataset(rows))
    assert f.loc["1", "low_results"]
    assert "ВПР, 6 класс, математика, 2024: не преодолели порог 41 % (17 из 41)" in f.loc["1", "reasons"]
    assert "ОГЭ, 9 класс, русский язык, 2024: не преодолели порог 35 % (7 из 20)" in f.loc["1", "reasons"]


def test_one_assessment_in_one_year_is_the_risk_zone_not_the_list():
    rows = _both("1", 2024, 5, 0) + _both("1", 2023, 0, 0)
    f = _flags(_dataset(rows))
    assert not f.loc["1", "low_results"]
    assert f.loc["1", "risk_zone"]
    assert f.loc["1", "reasons"].startswith("Зона риска: ВПР, 6 класс, математика, 2024")


def test_same_assessment_two_consecutive_years():
    rows = _both("1", 2024, 4, 0) + _both("1", 2023, 4, 0)
    tables = identification_tables(_dataset(rows), 2024, load_config())
    f = tables["identification_flags"].set_index("school_id")
    assert f.loc["1", "low_results"]
    ev = tables["identification_reasons"]
    assert set(ev.loc[ev["flag"] == "low_results", "criterion"]) == {"fail", "earlier_year"}
    assert "2023" in f.loc["1", "reasons"] and "2024" in f.loc["1", "reasons"]


def test_gap_year_is_not_bridged_and_a_missing_year_is_not_guessed():
    # 2022 and 2024 failing, 2023 present without that assessment failing: not «two years running».
    rows = (_both("1", 2024, 4, 0) + _both("1", 2023, 0, 0) + _both("1", 2022, 4, 0)
            + _both("2", 2024, 4, 0) + _both("2", 2022, 4, 0))  # school 2 has no 2023 at all
    f = _flags(_dataset(rows))
    assert not f.loc["1", "low_results"]
    assert pd.isna(f.loc["2", "low_results"])
    assert "правило «одна процедура 2 года подряд» не проверено" in f.loc["2", "reasons"]
    assert pd.isna(f.loc["2", "list_change"])


def test_unreliable_group_is_reported_but_does_not_trigger_unless_switched_on():
    rows = _both("1", 2024, 4, 0) + [(2024, "1", "OGE", 9, "math", 4, 4)] + _both("1", 2023, 0, 0)
    f = _flags(_dataset(rows))
    assert not f.loc["1", "low_results"]
    assert "ОГЭ, 9 класс, математика, 2024: не преодолели порог 100 % (4 из 4) — менее 5 участников" \
        in f.loc["1", "reasons"]
    params = load_config()
    params["low_results"]["count_unreliable"] = True
    assert _flags(_dataset(rows), params=params).loc["1", "low_results"]


def test_assessment_key_and_vpr4_are_parameters():
    rows = ([(2024, "1", "VPR", 5, "math", 10, 4), (2024, "1", "VPR", 6, "math", 10, 4),
             (2024, "1", "VPR", 4, "russian", 10, 4)] + _both("1", 2023, 0, 0))
    assert _flags(_dataset(rows)).loc["1", "low_results"]
    params = load_config()
    params["low_results"]["assessment_key"] = ["procedure", "subject"]  # ВПР математика = one
    assert not _flags(_dataset(rows), params=params).loc["1", "low_results"]
    params["low_results"]["assessments"]["VPR"] = [4, 5, 6, 7, 8]  # seed 001: ВПР 4 counts
    assert _flags(_dataset(rows), params=params).loc["1", "low_results"]


def test_decline_against_previous_year_is_risk_zone():
    rows = ([(2024, "1", "VPR", 6, "math", 20, 5), (2024, "1", "VPR", 6, "russian", 20, 4)]
            + [(2023, "1", "VPR", 6, "math", 20, 1), (2023, "1", "VPR", 6, "russian", 20, 0)])
    f = _flags(_dataset(rows))
    assert f.loc["1", "risk_zone"]
    assert "выросла с 5 % (2023) до 25 % (2024)" in f.loc["1", "reasons"]


def test_list_dynamics_persistence_and_escalation():
    rows = []
    for y in (2022, 2023, 2024):
        rows += _both("1", y, 4, 4)                                      # on the list every year
        rows += _both("2", y, 4, 4) if y == 2024 else _both("2", y, 0, 0)  # entered
        rows += _both("3", y, 4, 4) if y != 2024 else _both("3", y, 0, 0)  # left
        rows += _both("4", y, 0, 0)                                      # never
    f = _flags(_dataset(rows))
    assert f["list_change"].to_dict() == {"1": "stayed", "2": "entered", "3": "left", "4": "none"}
    assert f["persistent"].to_dict() == {"1": True, "2": False, "3": False, "4": False}
    assert f.loc["1", "escalation"]
    assert "Устойчиво низкие: в списке 3 года подряд (2022–2024)" in f.loc["1", "reasons"]


def test_bad_input_completes_with_statuses():
    rows = _both("1", 2023, 4, 4) + _both("2", 2024, 4, 4) + _both("3", 2024, 1, 1, n=4)
    ds = _dataset(rows, school_ids=["1", "2", "3", "4"])
    ident = identify(ds, 2024, load_config())
    assert list(ident.columns) == IDENTIFICATION_COLUMNS
    assert list(ident["school_id"]) == ["1", "2", "3", "4"]
    for c in ("low_results", "risk_zone", "unfavourable", "persistent"):
        assert isinstance(ident[c].dtype, pd.BooleanDtype)
    r = ident.set_index("school_id")["reasons"]
    assert "нет результатов за 2024 год" in r["1"]
    assert "нет результатов за 2024 год" in r["4"]
    assert "во всех группах 2024 года меньше 5 участников" in r["3"]
    assert "нет социального паспорта за 2024 год" in r["2"]  # results but no social data
    assert ident["unfavourable"].isna().all()
    # A year without any results: every school listed, nothing decided, with the reason.
    empty = identify(ds, 2030, load_config())
    assert len(empty) == 4 and empty["low_results"].isna().all()
    assert empty["reasons"].str.contains("нет результатов за 2030 год").all()


def test_unfavourable_is_very_low_isbsh_and_reproduces_seed_000_table_2():
    params = load_config()
    isb = pd.DataFrame({"isbsh_group": pd.array([1, 2, 3, pd.NA], dtype="Int64")},
                       index=["a", "b", "c", "d"])
    assert list(unfavourable_code(isb, params)) == [YES, YES, 0, UNKNOWN]
    fx = pd.read_csv(FIXTURE).set_index("school_no")
    assert list(fx.index[unfavourable_code(fx, params) == YES]) == [40]
    # Table 2 lists the schools with ИСБШ groups ≤ 4 and quality ≤ 5 (the typology's
    # «неблагополучные»): the group cut is the parameter that reproduces it.
    params["unfavourable"]["isbsh_group_max"] = 4
    table2 = fx.index[(unfavourable_code(fx, params) == YES) & (fx["quality_group"] <= 5)]
    assert sorted(table2) == [3, 10, 22, 26, 28, 36, 40]


def test_official_comparison_explains_each_difference():
    rows = (_both("1", 2024, 4, 4) + _both("2", 2024, 4, 4) + _both("3", 2024, 0, 0)
            + [r for s in "123" for r in _both(s, 2023, 0, 0)])
    lists = pd.DataFrame({"year": [2024, 2024], "school_id": ["1", "3"], "list": ["ФИОКО ШНОР"] * 2})
    tables = identification_tables(_dataset(rows, lists=lists), 2024, load_config())
    off = tables["identification_official"].set_index("school_id")
    assert off["comparison"].to_dict() == {"1": "в обоих списках", "2": "только в расчётном",
                                           "3": "только в официальном"}
    assert off.loc["3", "explanation"].startswith("правило не выполнено")
    assert "ВПР, 6 класс" in off.loc["2", "explanation"]


def test_fioko_tail_needs_both_years():
    rows = []
    for i in range(10):
        s = str(i)
        for y in (2023, 2024):
            bad = (i == 0) or (i == 1 and y == 2024)
            rows += [(y, s, "VPR", 4, "math", 20, 12 if bad else i), (y, s, "VPR", 5, "russian", 20, 1)]
    params = load_config("fioko")
    ind = compute_indicators(_results(rows), params)
    codes = vpr_tail_codes(ind, [2024], params)["low"].xs(2024)
    assert codes["0"] == YES and codes["1"] == 0
    f = _flags(_dataset(rows), params=params)
    assert f.index[f["low_results"].fillna(False)].tolist() == ["0"]
    assert "место 1 из 10" in f.loc["0", "reasons"]


def test_oip_is_a_mean_percentile_rank_and_yaroslavl_profile_runs():
    rows = []
    for i in range(12):
        s = f"{i:02d}"
        for y in (2023, 2024):
            for grade in (5, 6, 7):
                for subj in ("math", "russian"):
                    rows.append((y, s, "VPR", grade, subj, 20, i))  # school 11 fails most
    params = load_config("yaroslavl")
    r = _results(rows)
    n = r["participants"] - r["n_fail"]
    r["n_mark4"], r["n_mark5"] = 12.0 - r["n_fail"], 0.0  # quality falls with the failures too
    r["n_mark3"] = n - r["n_mark4"]
    g = scope_groups(compute_indicators(r, params), params)
    oip = oip_scores(g, params).set_index(["year", "school_id"])["oip"].xs(2024)
    assert oip["00"] == pytest.approx(100 * 11.5 / 12) and oip["11"] == pytest.approx(100 * 0.5 / 12)
    ds = _dataset([])
    ds.results = r
    ds.schools = pd.DataFrame({"school_id": [f"{i:02d}" for i in range(12)], "name": "Ш",
                               "municipality": "Город"})
    f = _flags(ds, params=params)
    assert f.loc["11", "low_results"]
    assert not f.loc["00", "low_results"]
    assert "ОИП 4,2 (ниже 36)" in f.loc["11", "reasons"]


def test_sheets_have_russian_names_and_headers():
    rows = _both("1", 2024, 4, 4) + _both("1", 2023, 4, 4) + _both("2", 2024, 0, 0)
    sheets = identification_sheets(identification_tables(_dataset(rows), 2024, load_config()))
    assert [s.name for s in sheets] == ["Низкие результаты", "Зона риска", "ШНСУ", "Устойчиво низкие",
                                        "Изменения списка", "Сравнение с официальным списком"]
    low = sheets[0].frame
    assert list(low.columns[:4]) == ["Код ОО", "Школа", "Муниципалитет", "Основания"]
    assert low["Изменение списка"].tolist() == ["осталась в списке"]


@pytest.mark.parametrize("profile", [None, "yaroslavl", "fioko"])
def test_identify_years_in_one_pass_equals_identify_of_each_year(profile):
    rng = np.random.default_rng(0)
    rows = []
    for i in range(12):
        for y in (2021, 2022, 2023, 2024):
            if (i == 3 and y == 2022) or (i == 5 and y < 2023):  # a gap year, a late starter
                continue
            for grade in (4, 5, 6):
                for subj in ("math", "russian"):
                    n = int(rng.integers(3, 25))
                    rows.append((y, f"{i:02d}", "VPR", grade, subj, n, int(rng.integers(0, n // 2 + 1))))
    r = _results(rows)
    r["n_mark4"], r["n_mark5"] = ((r["participants"] - r["n_fail"]) // 2).astype(float), 1.0
    r["n_mark3"] = r["participants"] - r["n_fail"] - r["n_mark4"] - r["n_mark5"]
    ds = _dataset([])
    ds.results = r
    ds.schools = pd.DataFrame({"school_id": [f"{i:02d}" for i in range(13)], "name": "Ш",
                               "municipality": "Город"})  # school 12 has no results at all
    params = load_config(profile)
    years = [2021, 2022, 2023, 2024]
    together = identify_years(ds, years, params)
    assert sorted(together) == years
    for y in years:
        pd.testing.assert_frame_equal(together[y], identify(ds, y, params))
    assert together[2024]["low_results"].notna().any()
    assert identify_years(ds, [], params) == {}


def test_report_notebook_imports_do_not_load_scikit_learn():
    # The identification notebook imports this module to draw; scikit-learn costs ≈ 1 s of a
    # report kernel and is only needed to compute the lists.
    import subprocess
    import sys

    code = "import sys, shnor.identification.core; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
