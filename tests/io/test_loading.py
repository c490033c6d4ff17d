"""Loading: folders of CSV and XLSX workbooks into the canonical Dataset."""

import hashlib
import sys

import openpyxl
import pytest
from conftest import BAD_INPUTS

from shnor.cli import main
from shnor.errors import UserError, ValidationFailed
from shnor.io.loading import describe, load_dataset, validate
from shnor.paths import DEMO_DATA

sys.path.insert(0, str(BAD_INPUTS))
from make_corpus import RUSSIAN_HEADERS, base, drop, setcell, write_csv, write_xlsx


def test_cp1251_russian_headers_semicolon_decimal_comma(tmp_path):
    tables = drop(drop(drop(base(), "risk_profiles"), "programme"), "lists")
    setcell(tables, "results", 1, "procedure", "впр")
    setcell(tables, "results", 1, "subject", "Русский язык")
    setcell(tables, "results", 5, "subject", "Математика (профильная)")
    setcell(tables, "results", 1, "mean_score", "2,8")
    setcell(tables, "schools", 3, "locality", "село")
    setcell(tables, "social", 1, "students_total", "1 410")
    for table, header in RUSSIAN_HEADERS.items():
        tables[table][0] = header
    write_csv(tmp_path, tables, encoding="cp1251", sep=";",
              names={"schools": "школы", "results": "Результаты", "social": "социальный паспорт"})
    ds = load_dataset(tmp_path)
    first = ds.results.iloc[0]
    assert (first["procedure"], first["subject"], first["mean_score"]) == ("VPR", "russian", 2.8)
    assert ds.results.iloc[4]["subject"] == "math_profile"
    assert ds.schools.set_index("school_id").loc["0103", "locality"] == "rural"
    assert ds.social.iloc[0]["students_total"] == 1410


def test_canonical_frames_and_hashes(tmp_path):
    folder = tmp_path / "pervouralsk"
    write_csv(folder, drop(drop(base(), "programme"), "lists"))
    ds = load_dataset(folder)
    assert ds.name == "pervouralsk"
    assert ds.schools["school_id"].tolist() == ["0101", "0102", "0103", "0104"]
    assert list(ds.results.columns) == ["year", "school_id", "procedure", "grade", "subject",
                                        "participants", "n_fail", "n_mark3", "n_mark4",
                                        "n_mark5", "n_high", "mean_score"]
    assert str(ds.results["year"].dtype) == "int64" and str(ds.results["grade"].dtype) == "int64"
    assert ds.results["n_high"].isna().all() and ds.results["participants"].dtype == "float64"
    assert list(ds.social.columns) == ["year", "school_id", "students_total",
                                       "parents_higher_edu", "deviant_registered",
                                       "unemployed_parents"]
    assert ds.risk_profiles["factor"].tolist() == [1, 2, 1, 6]
    assert ds.risk_profiles["level"].tolist() == ["high", "medium", "low", "high"]
    assert ds.programme is None and ds.lists is None
    assert ds.years == [2023, 2024]
    digest = hashlib.sha256((folder / "results.csv").read_bytes()).hexdigest()
    assert ds.input_hashes["results.csv"] == digest and len(ds.input_hashes) == 4
    text = describe(ds)
    assert "школ 4, муниципалитетов 1" in text and "2023–2024" in text
    assert "ЕГЭ, математика (профильная): классы 11" in text


def test_xlsx_numbers_for_ids_and_title_rows(tmp_path):
    tables = base()
    for table in tables:  # Excel turned every code into a number: consistent, so valid
        if "school_id" in tables[table][0]:
            j = tables[table][0].index("school_id")
            for row in tables[table][1:]:
                row[j] = row[j].lstrip("0")
    path = tmp_path / "region.xlsx"
    write_xlsx(path, tables, title_rows=2)
    wb = openpyxl.load_workbook(path)
    for row in wb["schools"].iter_rows(min_row=4, max_col=1):
        row[0].value = float(row[0].value)  # stored as 101.0
    wb.save(path)
    ds = load_dataset(path)
    assert ds.name == "region"
    assert ds.schools["school_id"].tolist() == ["101", "102", "103", "104"]


def test_excel_row_numbers_and_user_headers(tmp_path):
    tables = setcell(base(), "results", 3, "n_fail", "-1")
    tables["results"][0][6] = "Не преодолели порог"
    path = tmp_path / "region.xlsx"
    write_xlsx(path, tables, title_rows=1)
    [problem] = validate(path)
    # title in row 1, header in row 2, third data row in row 5
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "results", 5, "Не преодолели порог", "-1")


def test_all_problems_collected_at_once(tmp_path):
    tables = setcell(base(), "results", 1, "procedure", "ВРП")
    setcell(tables, "social", 2, "students_total", "12%")
    setcell(tables, "lists", 1, "school_id", "0999")
    write_csv(tmp_path, tables)
    with pytest.raises(ValidationFailed) as exc:
        load_dataset(tmp_path)
    assert {p.file for p in exc.value.problems} == {"results.csv", "social.csv", "lists.csv"}
    assert "Найдено проблем во входных данных: 3" in str(exc.value)


def test_empty_optional_sheets_are_absent_and_empty_social_columns_dropped(tmp_path):
    tables = base()
    tables["programme"] = tables["programme"][:1]
    for row in tables["social"][1:]:
        row[5] = ""
    write_csv(tmp_path, tables)
    ds = load_dataset(tmp_path)
    assert ds.programme is None
    assert "unemployed_parents" not in ds.social.columns


def test_user_errors_without_traceback(tmp_path, monkeypatch, capsys):
    write_csv(tmp_path / "d", base())
    assert main(["validate", str(tmp_path / "d" / "results.csv")]) == 2
    assert "Укажите папку" in capsys.readouterr().err
    path = tmp_path / "locked.xlsx"
    write_xlsx(path, base())

    def locked(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(openpyxl, "load_workbook", locked)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "открыт в Excel" in err and "Traceback" not in err
    with pytest.raises(UserError):
        validate(tmp_path / "missing")


@pytest.mark.skipif(not (DEMO_DATA / "results.csv").exists(), reason="demo data not generated")
def test_demo_region_is_valid():
    assert validate(DEMO_DATA) == []
