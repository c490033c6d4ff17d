"""The optional tables staff («Кадры») and roadmap («Дорожная карта») and the target columns of
programme: Russian problems with file, row, column, value and rule; excluded from `shnor run`."""

import sys

from conftest import BAD_INPUTS

from shnor.io.loading import load_dataset, validate

sys.path.insert(0, str(BAD_INPUTS))
from make_corpus import base, write_csv

STAFF = ["year", "school_id", "teachers", "vacancies", "highest_category", "first_category",
         "under_35", "pensioners"]


def _school(tables):
    return tables["schools"][1][0]


def test_staff_counts_above_teachers_are_problems(tmp_path):
    tables = base()
    sid = _school(tables)
    tables["staff"] = [["Год", "Код ОО", "Педагогов", "Вакансий", "ВКК", "1КК", "Моложе 35 лет",
                        "Пенсионеры"],
                       ["2024", sid, "20", "2", "25", "3", "1", "4"],
                       ["2023", sid, "20", "2", "12", "10", "1", "4"]]
    write_csv(tmp_path, tables)
    problems = validate(tmp_path)
    by_row = {(p.row, p.column): p for p in problems}
    p = by_row[(2, "ВКК")]
    assert p.file == "staff.csv" and p.value == "25"
    assert "больше, чем педагогов (20)" in p.rule
    assert "высшей (12) и первой (10)" in by_row[(3, "1КК")].rule
    ds = load_dataset(tmp_path, exclude_invalid_optional=True)
    assert ds.staff is None and "staff" in ds.excluded


def test_staff_valid_is_read(tmp_path):
    tables = base()
    tables["staff"] = [STAFF, ["2024", _school(tables), "20", "2", "7", "3", "1", "4"]]
    write_csv(tmp_path, tables)
    assert validate(tmp_path) == []
    assert load_dataset(tmp_path).staff["highest_category"].tolist() == [7.0]


def test_roadmap_dates(tmp_path):
    tables = base()
    tables["roadmap"] = [["Год", "Мероприятие", "Срок", "Дата выполнения", "Статус выполнения"],
                         ["2024", "Семинар", "весь период", "", "не выполнено"],
                         ["2024", "Мониторинг", "май 2024", "10.05.2022", "выполнено"],
                         ["2024", "Курсы", "31.12.2024", "2024-12-01", "выполнено"]]
    write_csv(tmp_path, tables)
    problems = validate(tmp_path)
    rules = {(p.row, p.column): p.rule for p in problems}
    assert rules[(2, "Срок")].startswith("ожидается дата")
    assert "раньше начала программы (01.01.2023)" in rules[(3, "Дата выполнения")]
    assert len(problems) == 2
    tables["roadmap"][1][2] = "октябрь 2024 г."
    tables["roadmap"][2][3] = "20.05.2024"
    write_csv(tmp_path, tables)
    ds = load_dataset(tmp_path)
    assert ds.roadmap["deadline"].tolist() == ["2024-10-31", "2024-05-31", "2024-12-31"]
    assert ds.roadmap["state"].tolist() == ["not_done", "done", "done"]


def test_programme_target_columns(tmp_path):
    tables = base()
    tables["programme"] = [["year", "indicator", "value", "points", "target", "direction",
                            "unit", "target_year", "baseline_year"],
                           ["2023", "1", "50", "4", "", "", "", "", ""],
                           ["2024", "1", "56", "4", "10", "≥", "", "2026", "2023"],
                           ["2024", "2", "18", "4", "10", "", "", "2025", ""]]
    write_csv(tmp_path, tables)
    rules = {(p.row, p.column): p.rule for p in validate(tmp_path)}
    assert "укажите единицу «%»" in rules[(3, "unit")]
    assert "без направления" in rules[(4, "direction")]
    tables["programme"][2][6] = "%"
    tables["programme"][3][5] = "не более"
    write_csv(tmp_path, tables)
    ds = load_dataset(tmp_path)
    assert ds.programme["direction"].tolist()[1:] == ["ge", "le"]
