"""Validation rules on hand-made tables: parsing of user cells, pandera checks, no cascades."""

import sys

import pandas as pd
from conftest import BAD_INPUTS

from shnor.config import load_config
from shnor.io.loading import load_dataset, validate
from shnor.io.parsing import SourceTable, parse_table
from shnor.io.validation import check_table

sys.path.insert(0, str(BAD_INPUTS))
from make_corpus import base, setcell, write_csv

PARAMS = load_config()


def _source(table, columns, rows, first_row=2):
    raw = pd.DataFrame(rows, columns=columns, index=range(first_row, first_row + len(rows)))
    return SourceTable(table, f"{table}.csv", None, {c: c for c in columns}, raw)


def test_cells_written_the_russian_way_are_parsed():
    src = _source("risk_profiles", ["year", "school_id", "factor", "level"], [
        ["2023", "0101", "1. Низкий уровень оснащения школы", "Высокая"],
        ["2023.0", " 0102 ", "10", "С"],
        ["2023", "101.0", "7)", "низкий"],
    ])
    parsed = parse_table(src, PARAMS)
    assert parsed.problems == []
    f = parsed.frame
    assert f["factor"].tolist() == [1, 10, 7] and f["year"].tolist() == [2023] * 3
    assert f["level"].tolist() == ["high", "medium", "low"]
    assert f["school_id"].tolist() == ["0101", "0102", "101"]


def test_counts_spaces_dashes_and_grades():
    src = _source("results", ["year", "school_id", "procedure", "grade", "subject",
                              "participants", "n_fail", "n_mark3"], [
        ["2024", "01", "ВПР", "5 класс", "математика", "1 024", "12", "—"],
        ["2024", "01", "ОГЭ", "9", "русский язык", "20", "", "н/д"],
    ])
    parsed = parse_table(src, PARAMS)
    assert parsed.problems == []
    assert parsed.frame["participants"].tolist() == [1024, 20]
    assert parsed.frame["grade"].tolist() == [5, 9]
    assert parsed.frame["n_mark3"].isna().all()


def test_one_bad_cell_gives_one_problem():
    """A count that is not a number must not also count as missing or break row rules."""
    src = _source("results", ["year", "school_id", "procedure", "grade", "subject",
                              "participants", "n_fail", "mean_score"], [
        ["2024", "01", "VPR", "5", "math", "20", "пять", ""],
    ], first_row=7)
    parsed = parse_table(src, PARAMS)
    problems = parsed.problems + check_table(parsed, PARAMS)
    assert [(p.row, p.column, p.value) for p in problems] == [(7, "n_fail", "пять")]


def test_year_range_follows_params(tmp_path):
    write_csv(tmp_path, base())
    params = load_config()
    params["data"]["year_max"] = 2023
    problems = validate(tmp_path, params)
    assert {(p.file, p.column) for p in problems} == {("results.csv", "year")}
    assert len(problems) == 3 and "2000–2023" in problems[0].rule


def test_grades_follow_params(tmp_path):
    write_csv(tmp_path, setcell(base(), "results", 1, "grade", "4"))
    assert validate(tmp_path) == []
    params = load_config()
    params["data"]["grades"]["VPR"] = [5, 6, 7, 8]
    [problem] = validate(tmp_path, params)
    assert "4 класс невозможен для ВПР; допустимые классы: 5, 6, 7, 8" in problem.rule


def test_programme_max_points_column_and_percent_values(tmp_path):
    tables = base()
    tables["programme"] = [["year", "indicator", "value", "points", "max_points"],
                           ["2022", "1", "50%", "4", "2"],
                           ["2022", "2", "18,2%", "2", ""]]
    write_csv(tmp_path, tables)
    [problem] = validate(tmp_path)
    assert (problem.row, problem.column) == (2, "points")
    assert "максимума для показателя (2)" in problem.rule
    tables["programme"][1][4] = "6"
    write_csv(tmp_path, tables)
    assert load_dataset(tmp_path).programme["value"].tolist() == [50.0, 18.2]


def test_marks_sum_only_when_all_marks_given(tmp_path):
    tables = setcell(base(), "results", 1, "n_mark4", "")
    write_csv(tmp_path, tables)
    assert validate(tmp_path) == []
