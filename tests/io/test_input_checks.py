"""Input checks of the real-file issue: formulas without values, broken text (encodings, control
characters, Cyrillic in codes), rows that are not data, hidden sheets, per cent shares of marks,
regional diagnostic works (РДР) and the ФИС ОКО comparison with the journal."""

import sys

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import BAD_INPUTS, results_frame

from shnor.config import load_config
from shnor.errors import ValidationFailed, problem_lines
from shnor.identification.table1 import scope_groups
from shnor.indicators import compute_indicators
from shnor.io.aliases import header_column
from shnor.io.contract import TABLES
from shnor.io.loading import load_dataset, validate
from shnor.io.text_checks import CONTROL, id_variants, mojibake
from shnor.objectivity import SIGNS, journal_evidence, objectivity_evidence
from shnor.quality.index import QualityIndex, assessment_scores

sys.path.insert(0, str(BAD_INPUTS))
from make_corpus import JOURNAL, base, percent_results, setcell, write_csv, write_xlsx

PARAMS = load_config()
MARKS = ["n_fail", "n_mark3", "n_mark4", "n_mark5"]


# --- text of the cells ------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["МАОУ СОШ № 12", "ООО «С»", "Всеволожский район", "СОШ",
                                  "Р", "Café", "0101", "math_profile", "Итоговая аттестация"])
def test_ordinary_text_is_not_mojibake(text):
    assert mojibake(text) == (False, None)


@pytest.mark.parametrize("wrote, read", [("utf-8", "cp1251"), ("cp1251", "cp1252"),
                                         ("utf-8", "latin-1")])
def test_mojibake_is_recognised_and_undone(wrote, read):
    for original in ("МКОУ СОШ № 1", "Шелеховский район", "село"):
        broken = original.encode(wrote).decode(read, "replace")
        assert mojibake(broken) == (True, original)


def test_cyrillic_code_variants_and_control_characters():
    assert id_variants("О10З06") == {"010306", "O10З06".replace("З", "3")}
    assert CONTROL.search("0101\u200b") and not CONTROL.search("строка\tс\nпереводом")


def test_control_character_in_an_optional_table_is_excluded_and_printable(tmp_path):
    write_csv(tmp_path, setcell(base(), "lists", 2, "list", "ШНОР\x0bФИОКО"))
    [problem] = validate(tmp_path)
    assert "U+000B" in problem.rule and not CONTROL.search(str(problem))
    ds = load_dataset(tmp_path, exclude_invalid_optional=True)
    assert list(ds.excluded) == ["lists"] and ds.lists is None


def test_many_broken_cells_print_as_one_kind(tmp_path):
    tables = base()
    for row in tables["schools"][1:]:
        row[1] = row[1].encode("utf-8").decode("cp1251")
    for i in range(8):
        tables["schools"].append([f"02{i:02d}", "МАОУ СОШ".encode().decode("cp1251"),
                                  "ГО", "urban", "СОШ"])
    write_csv(tmp_path, tables)
    problems = validate(tmp_path)
    assert len(problems) == 12
    lines = problem_lines(problems)
    assert len(lines) == 6 and "ещё строк с той же проблемой" in lines[-1]


def test_cyrillic_code_in_schools_is_one_problem_not_a_cascade(tmp_path):
    write_csv(tmp_path, setcell(base(), "schools", 2, "school_id", "О1О2"))
    [problem] = validate(tmp_path)
    assert (problem.row, problem.column, problem.value) == (3, "school_id", "О1О2")
    assert "«О» на позиции 1 (и ещё 1 таких букв)" in problem.rule


# --- Excel specifics --------------------------------------------------------------------------

def test_formula_in_the_header_row_is_named(tmp_path):
    path = tmp_path / "data.xlsx"
    write_xlsx(path, base())
    wb = openpyxl.load_workbook(path)
    wb["programme"]["E1"] = '="tar"&"get"'
    wb.save(path)
    [problem] = validate(path)
    assert (problem.sheet, problem.row, problem.value) == ("programme", 1, '="tar"&"get"')
    assert "в строке заголовка" in problem.rule


def test_a_hidden_sheet_alone_is_read(tmp_path):
    path = tmp_path / "data.xlsx"
    write_xlsx(path, base())
    wb = openpyxl.load_workbook(path)
    wb["lists"].sheet_state = "hidden"
    wb.save(path)
    assert validate(path) == [] and len(load_dataset(path).lists) == 2


def test_the_visible_sheet_is_read_when_a_hidden_copy_comes_first():
    path = BAD_INPUTS / "xlsx_hidden_sheet_conflict" / "data.xlsx"
    assert openpyxl.load_workbook(path, read_only=True).sheetnames[0] == "Результаты"
    [problem] = validate(path)
    assert problem.sheet == "Результаты" and problem.table == "results"
    wb = openpyxl.load_workbook(path)  # the hidden copy differs (participants 26, not 25)
    assert (wb["Результаты"]["F2"].value, wb["results"]["F2"].value) == (26, 25)


# --- per cent shares of marks -----------------------------------------------------------------

def test_shares_restore_the_counts_exactly():
    given = load_dataset(BAD_INPUTS / "valid_base").results
    for case in ("percent_shares_valid", "xlsx_percent_shares_fis_oko/data.xlsx"):
        restored = load_dataset(BAD_INPUTS / case).results
        pd.testing.assert_frame_equal(restored, given)
        assert "pct_fail" not in restored.columns


def test_shares_rounded_to_whole_per_cent_of_a_big_group(tmp_path):
    """150 participants, counts 7/50/62/31: whole per cents 5/33/41/21 round back to 8/50/62/32
    (sum 152); the counts within rounding of their shares are moved down to 150."""
    tables = percent_results(rows=[(1, 5, "150"), (1, 6, "5"), (1, 7, "33"), (1, 8, "41"),
                                   (1, 9, "21")])
    write_csv(tmp_path, tables)
    row = load_dataset(tmp_path).results.iloc[0]
    assert row[MARKS].sum() == 150
    for c, pct in zip(MARKS, (5, 33, 41, 21)):
        assert abs(100 * row[c] / 150 - pct) <= 0.5


def test_shares_that_no_counts_reproduce_are_a_problem(tmp_path):
    write_csv(tmp_path, percent_results(decimals=1, rows=[(1, 6, "33.0"), (1, 7, "39.0")]))
    [problem] = validate(tmp_path)
    assert (problem.row, problem.column, problem.value) == (2, "% 2", "33.0")
    assert "ближайшие: 8 — 32 %, 9 — 36 %" in problem.rule


def test_share_headers_are_not_counts():
    for header in ("% 2", "2 (%)", "Доля 2", "Доля «2», %", "Процент отметок 2", "2, %"):
        assert header_column("results", header) == "pct_fail", header
    for header in ("2", "Отметка 2", "Получили «2»"):
        assert header_column("results", header) == "n_fail", header
    assert "pct_fail" not in TABLES["results"].columns  # input only


# --- РДР --------------------------------------------------------------------------------------

def _rdr_results():
    rows = []
    for k in range(6):
        sid = f"s{k}"
        rows.append((2024, sid, "VPR", 5, "math", 20, 2 + k, 8, 6, 4 - k // 2, np.nan, np.nan))
        rows.append((2024, sid, "VPR", 6, "russian", 20, 3, 8, 6, 3, np.nan, np.nan))
        rows.append((2024, sid, "RDR", 7, "math", 20, 8, 6, 4, 2, np.nan, np.nan))
    return results_frame(rows)


def test_rdr_is_used_by_the_quality_index_only_when_the_parameters_say_so():
    ind = compute_indicators(_rdr_results(), PARAMS)
    assert "RDR" not in set(assessment_scores(ind, 2024, PARAMS)["procedure"])
    params = load_config()
    params["quality"]["grades"] = {**params["quality"]["grades"], "RDR": [7]}
    assert "RDR" in set(assessment_scores(ind, 2024, params)["procedure"])
    assert QualityIndex.from_params(params, year=2024).fit(ind).n_schools_ == 6
    # the low-results rule (seed 000, table 1) does not look at РДР
    assert "RDR" not in set(scope_groups(ind, PARAMS)["procedure"])


def test_rdr_loads_with_russian_aliases():
    r = load_dataset(BAD_INPUTS / "rdr_valid").results
    assert r.loc[r["procedure"] == "RDR", "grade"].tolist() == [4, 10, 7]


# --- comparison with the journal --------------------------------------------------------------

def test_journal_comparison_is_loaded_as_counts():
    j = load_dataset(BAD_INPUTS / "xlsx_journal_percent_fis_oko" / "data.xlsx").journal_comparison
    assert list(j.columns) == list(TABLES["journal_comparison"].columns)
    assert j[["lowered", "confirmed", "raised"]].to_numpy().tolist() == [[9, 14, 1], [0, 27, 1]]
    counts = load_dataset(BAD_INPUTS / "journal_valid").journal_comparison
    pd.testing.assert_frame_equal(j, counts)
    assert load_dataset(BAD_INPUTS / "valid_base").journal_comparison is None


def test_journal_sign():
    journal = load_dataset(BAD_INPUTS / "journal_valid").journal_comparison
    ev = journal_evidence(journal, 2024, PARAMS)
    # 0102: nobody's ВПР mark below the journal (0 of 28); 0101 lowered 9 of 24: no sign
    assert ev["school_id"].tolist() == ["0102"] and ev["sign"].tolist() == [SIGNS["journal"]]
    assert ev["assessment"].iloc[0] == "ВПР, 6 класс, математика"
    assert "понизили 0 %; подтвердили 96 %; повысили 4 % (участников 28)" in ev["evidence"][0]
    params = load_config()
    params["objectivity"]["journal_lowered_max"] = 0.0
    params["objectivity"]["journal_raised_min"] = 0.03
    assert set(journal_evidence(journal, 2024, params)["school_id"]) == {"0101", "0102"}
    assert journal_evidence(journal, 2023, PARAMS).empty
    assert journal_evidence(None, 2024, PARAMS).empty


def test_objectivity_evidence_takes_the_journal_and_rdr_is_not_gia():
    results = _rdr_results()
    ind = compute_indicators(results, PARAMS)
    schools = pd.DataFrame({"school_id": [f"s{k}" for k in range(6)], "school_type": "СОШ"})
    scores = assessment_scores(ind, 2024, PARAMS).assign(procedure="VPR")
    rdr = scores.assign(procedure="RDR", score=-3.0)  # РДР far below: not an ОГЭ/ЕГЭ check
    both = pd.concat([scores.assign(score=2.0), rdr], ignore_index=True)
    ev = objectivity_evidence(ind, both, schools, 2024, PARAMS)
    assert SIGNS["vpr_not_confirmed"] not in set(ev["sign"])
    journal = pd.DataFrame([JOURNAL[2]], columns=JOURNAL[0]).assign(school_id="s1")
    journal = journal.astype({"year": "int64", "grade": "int64", "participants": float,
                              "lowered": float, "confirmed": float, "raised": float})
    ev = objectivity_evidence(ind, scores, schools, 2024, PARAMS, journal=journal)
    assert ev.loc[ev["sign"] == SIGNS["journal"], "school_id"].tolist() == ["s1"]


def test_invalid_journal_table_stops_validate_not_the_run():
    case = BAD_INPUTS / "journal_sum_mismatch"
    with pytest.raises(ValidationFailed):
        load_dataset(case)
    ds = load_dataset(case, exclude_invalid_optional=True)
    assert ds.journal_comparison is None and list(ds.excluded) == ["journal_comparison"]
