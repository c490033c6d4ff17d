import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shnor.config import load_config
from shnor.io.dataset import Dataset
from shnor.errors import UserError
from shnor.io.writers import write_workbook
from shnor.indicators import compute_indicators
from shnor.monitoring.core import (
    build_monitoring_tables,
    card_school_ids,
    consecutive_years,
    leavers,
    list_sizes,
    list_targets,
    monitoring_sheets,
    normalise_lists,
    plot_overall_dynamics,
    plot_targets,
    school_overall,
)
from shnor.reporting.notebook import ReportContext
from shnor.reporting.cards import card_chart, card_data

YEARS = [2021, 2022, 2023, 2024]
IDS = ["01", "02", "03", "04", "05", "06"]
T, F, NA = True, False, pd.NA
# low_results per school over YEARS (NA = not decided: 04 has no results in 2023)
LOW = {"01": [T, T, T, T], "02": [T, F, F, F], "03": [T, F, T, F], "04": [F, T, NA, F],
       "05": [F, F, F, T], "06": [F, F, F, F]}
# n_fail of 10 participants, OGE grade 9 math; None = no results that year
FAILS = {"01": [5, 5, 5, 5], "02": [4, 1, 1, 1], "03": [4, 1, 4, 1], "04": [1, 4, None, 1],
         "05": [1, 1, 1, 4], "06": [0, 0, 0, 2]}


def _lists():
    rows = []
    for s in IDS:
        for i, y in enumerate(YEARS):
            rows.append({"year": y, "school_id": s, "low_results": LOW[s][i],
                         "risk_zone": s == "06" and y == 2024, "unfavourable": False,
                         "persistent": s == "01" and y >= 2023,
                         "reasons": "причина" if LOW[s][i] is T else "",
                         "list_change": "none"})
    return normalise_lists(pd.DataFrame(rows))


def _results():
    rows = []
    for s in IDS:
        for i, y in enumerate(YEARS):
            f = FAILS[s][i]
            if f is not None:
                rows.append((y, s, "OGE", 9, "math", 10.0, float(f), 8.0 - f, 2.0, 0.0, np.nan,
                             np.nan))
    cols = ["year", "school_id", "procedure", "grade", "subject", "participants", "n_fail",
            "n_mark3", "n_mark4", "n_mark5", "n_high", "mean_score"]
    return pd.DataFrame(rows, columns=cols)


def _dataset(programme=None, risk=None):
    schools = pd.DataFrame({"school_id": IDS, "name": [f"СОШ № {int(s)}" for s in IDS],
                            "municipality": "Город"})
    return Dataset(name="t", path=Path("."), schools=schools, results=_results(),
                   social=pd.DataFrame(), risk_profiles=risk, programme=programme)


@pytest.fixture(scope="module")
def params():
    return load_config()


@pytest.fixture(scope="module")
def tables(params):
    ds = _dataset(risk=_risk())
    diff = pd.DataFrame({"school_id": IDS, "typology": ["неблагополучная"] * 6,
                         "cluster": [1, 2, 2, 3, 3, 4], "status": ""})
    ind = compute_indicators(ds.results, params)
    return build_monitoring_tables(ds, 2024, params, ind, _lists(), diff)


def _risk():
    rows = [(2023, "01", f, "high" if f < 4 else "low") for f in range(1, 11)]
    rows += [(2023, "03", f, "medium") for f in range(1, 10)]
    return pd.DataFrame(rows, columns=["year", "school_id", "factor", "level"])


def test_list_sizes_entries_exits_and_second_year():
    s = list_sizes(_lists())
    low = s[s["list"] == "low_results"].set_index("year")
    assert low["schools"].tolist() == [3, 2, 2, 2]
    assert low["undecided"].tolist() == [0, 0, 1, 0]
    assert np.isnan(low.loc[2021, "entered"])
    assert low.loc[2022, ["entered", "left"]].tolist() == [1, 2]
    # 04: on the list in 2022, undecided in 2023 — not counted as leaving
    assert low.loc[2023, ["entered", "left"]].tolist() == [1, 0]
    assert low.loc[2024, ["entered", "left"]].tolist() == [1, 1]
    assert low["second_year"].tolist() == [0, 1, 1, 1]
    assert low.loc[2022, "change_pct"] == pytest.approx(-1 / 3)
    assert low.loc[2021, "share"] == pytest.approx(3 / 6)
    runs = consecutive_years(_lists(), "low_results").set_index(["year", "school_id"])
    assert runs.loc[(2024, "01"), "years_on_list"] == 4
    assert runs.loc[(2023, "03"), "years_on_list"] == 1


def test_targets_path_and_yearly_reduction(params):
    t = list_targets(list_sizes(_lists()), params).set_index("year")
    assert t.index.tolist() == [2021, 2022, 2023, 2024, 2026]
    assert t.loc[2022, "target_path"] == pytest.approx(3 * (1 - 0.3 / 5))
    assert t.loc[2026, "target_path"] == pytest.approx(2.1)
    assert bool(t.loc[2024, "on_track"]) and t.loc[2026, "on_track"] is pd.NA
    assert t.loc[2022, "yearly_target"] == pytest.approx(2.25)
    assert bool(t.loc[2022, "yearly_met"]) and not bool(t.loc[2023, "yearly_met"])
    assert t.loc[2021, "yearly_met"] is pd.NA


def test_target_parameters_are_checked(params):
    p = copy.deepcopy(params)
    p["monitoring"]["baseline_year"] = 2019
    with pytest.raises(UserError, match="нет такого года"):
        list_targets(list_sizes(_lists()), p)
    p["monitoring"]["baseline_year"] = 2022
    p["monitoring"]["target_year"] = 2022
    with pytest.raises(UserError, match="должен быть позже"):
        list_targets(list_sizes(_lists()), p)


def test_leavers_and_whether_results_held(params):
    ind = compute_indicators(_results(), params)
    out = leavers(_lists(), school_overall(ind), _dataset().schools, "low_results")
    out = out.set_index(["year_left", "school_id"])
    assert set(out.index) == {(2022, "02"), (2022, "03"), (2024, "03")}
    assert bool(out.loc[(2022, "02"), "held"])
    assert out.loc[(2022, "02"), "status"] == "результат удержан: вне списка 3 г. подряд"
    assert out.loc[(2022, "02"), "share_fail_before"] == pytest.approx(0.4)
    assert out.loc[(2022, "02"), "share_fail_left"] == pytest.approx(0.1)
    assert not bool(out.loc[(2022, "03"), "held"])
    assert out.loc[(2022, "03"), "status"] == "вернулась в список в 2023 г."
    assert out.loc[(2024, "03"), "held"] is pd.NA


def test_dynamics_of_the_programme_cohort_against_the_region(tables):
    d = tables["monitoring_dynamics"].set_index(["year", "group"])
    # programme cohort of 2022 = the 2021 list: 01, 02, 03 with 5 + 1 + 1 fails of 30
    assert d.loc[(2022, "programme"), "share_fail"] == pytest.approx(7 / 30)
    assert d.loc[(2022, "list"), "share_fail"] == pytest.approx(9 / 20)  # 01 and 04
    assert d.loc[(2022, "region"), "share_fail"] == pytest.approx(12 / 60)
    assert (2021, "programme") not in d.index
    o = tables["monitoring_overall"].set_index(["year", "group"])
    assert o.loc[(2022, "programme"), "share_fail"] == pytest.approx(7 / 30)


def test_task_indicators(tables):
    t = tables["monitoring_tasks"]
    t = t[t["year"] == 2022].set_index("indicator")["value"]
    assert t["Доля школ списка прошлого года с положительной динамикой (доля «2» снизилась)"] \
        == pytest.approx(2 / 3)
    assert t["Доля школ списка прошлого года, вышедших из списка"] == pytest.approx(2 / 3)
    assert t["Доля обучающихся школ списка, преодолевших минимальный порог ОГЭ/ЕГЭ"] \
        == pytest.approx(23 / 30)
    assert t["Доля школ с низкими результатами от общего числа школ"] == pytest.approx(2 / 6)


def test_cards_cover_listed_schools_and_every_school_on_demand(tables):
    assert card_school_ids(tables, all_cards=False) == ["01", "05", "06"]
    assert card_school_ids(tables, all_cards=True) == IDS
    prof = tables["card_profile"].set_index("school_id")
    assert prof.index.tolist() == IDS
    assert prof.loc["01", "years_on_list"] == 4
    assert prof.loc["01", "reasons"] == "причина"
    assert prof.loc["02", "cluster"] == 2
    assert prof.loc["01", "risk_factors_high"] == "1 Оснащение; 2 Дефицит кадров; " \
                                                  "3 Компетентность педагогов"
    hist = tables["card_history"]
    h = hist[(hist["school_id"] == "02") & (hist["year"] == 2022)].iloc[0]
    assert h["share_fail"] == pytest.approx(0.1)
    assert h["share_fail_region"] == pytest.approx(12 / 60)
    svg = card_chart(tables["card_overall"].query("school_id == '01'"))
    assert svg.count("<polyline") == 4 and svg.count("<circle") == 2 * 4  # 2 solid lines


def test_risk_check_and_notes_name_what_is_missing(tables):
    check = tables["risk_check"]
    assert check[["school_id", "factor", "problem"]].values.tolist() == [
        ["03", 10, "нет уровня значимости"]]
    notes = " ".join(tables["monitoring_notes"]["text"])
    assert "Таблица показателей программы (programme) не предоставлена" in notes
    assert "Профили рисков за 2024 г. нет; показаны профили 2023 г." in notes
    assert "Целевой год 2026 ещё не наступил" in notes
    assert tables["programme_summary"].empty
    m = tables["risk_matrix"]
    assert m["school_id"].tolist() == ["01", "03"]


def test_programme_rows_for_every_year_whatever_the_run_year(params):
    prog = pd.DataFrame({"year": [2022, 2022, 2023], "indicator": ["1. а", "2. б", "1. а"],
                         "value": [50.0, 18.2, 33.0], "points": [4.0, 2.0, 6.0]})
    ds = _dataset(programme=prog)
    out = build_monitoring_tables(ds, 2021, params, compute_indicators(ds.results, params),
                                  _lists(), None)
    assert out["programme_summary"]["year"].tolist() == [2022, 2023]
    assert out["programme_summary"]["total_points"].tolist() == [6, 6]
    assert list(out["programme"].columns[:4]) == ["year", "indicator", "value", "points"]
    assert "Таблица факторов риска (risk_profiles) не предоставлена" in " ".join(
        out["monitoring_notes"]["text"])
    assert out["risk_matrix"].empty and out["risk_check"].empty


def test_sheets_write_and_tables_survive_parquet(tables, tmp_path):
    path = write_workbook(tmp_path / "m.xlsx", monitoring_sheets(tables))
    from openpyxl import load_workbook

    wb = load_workbook(path)
    assert "Факторы риска" in wb.sheetnames and "Итоги программы" in wb.sheetnames
    ws = wb["Факторы риска"]
    assert ws.cell(row=2, column=3).value == "высокая"
    assert ws.cell(row=2, column=3).fill.fgColor.rgb.endswith("F4B6B6")
    for name, frame in tables.items():
        frame.to_parquet(tmp_path / f"{name}.parquet")
    fig = plot_targets(tables["monitoring_targets"])
    assert fig.axes
    assert plot_overall_dynamics(tables["monitoring_overall"]).axes


def test_card_data_filters_one_school(tables):
    ctx = ReportContext(dataset_name="t", year=2024, params={}, _tables=tables)
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
