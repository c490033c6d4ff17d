"""Small territories (issue «Real office files and real installs», item 1): a dataset of one, two
or eight schools, schools with identical results and a year with only ЕГЭ get every report — the
four report notebooks, the cards, the workbook, the appendix to the order — and every school is
in every contract table with a status saying what could not be computed. A part of a report
that needs more schools is replaced by one Russian sentence saying why.

Each dataset runs through the real suite (:func:`shnor.pipeline.suite.run_suite`, the shipped
notebooks) with cheap cluster diagnostics.
"""

from pathlib import Path

import pandas as pd
import pytest

from shnor.paths import NOTEBOOKS_DIR
from shnor.pipeline.suite import run_suite
from shnor.reporting.order import order_file
from shnor.synth.files import write_tables
from shnor.synth.region import generate_region

REPORTS = sorted(p.stem for p in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
FAST = "clustering:\n  k_max: 4\n  n_bootstrap: 3\n  n_init: 3\n"


def _identical(n: int) -> dict:
    """``n`` schools of one type with the same results and social passport rows."""
    t = generate_region(n_schools=n, n_years=2, seed=3, optional_tables=False)
    first = t["schools"]["school_id"].iloc[0]
    ids = t["schools"]["school_id"]
    for table in ("results", "social"):
        rows = t[table][t[table]["school_id"] == first]
        t[table] = pd.concat([rows.assign(school_id=s) for s in ids], ignore_index=True)
    t["schools"]["school_type"] = t["schools"]["school_type"].iloc[0]
    return t


def _ege_only(n: int) -> dict:
    """The last year has only ЕГЭ results."""
    t = generate_region(n_schools=n, n_years=2, seed=3, optional_tables=False)
    r = t["results"]
    t["results"] = r[(r["year"] < 2024) | (r["procedure"] == "EGE")].reset_index(drop=True)
    return t


CASES = {
    "one_school": lambda: generate_region(n_schools=1, n_years=2, seed=3),
    "two_schools": lambda: generate_region(n_schools=2, n_years=2, seed=3),
    "eight_schools": lambda: generate_region(n_schools=8, n_years=2, seed=3),
    "identical_results": lambda: _identical(4),
    "ege_only_year": lambda: _ege_only(12),
}
# Sentences that replace a part of the differentiation report needing more schools.
EXPECTED = {
    "one_school": ["Кластеризация не выполнена: различных профилей результатов (1) меньше",
                   "ИСБШ не рассчитан ни для одной школы", "Добавленная ценность не рассчитана",
                   "Тип не определён ни для одной школы"],
    "two_schools": ["Кластеризация не выполнена: различных профилей результатов (2) меньше",
                    "Добавленная ценность не рассчитана"],
    "eight_schools": ["Добавленная ценность не рассчитана: школ с индексом качества и ИСБШ"],
    "identical_results": ["Кластеризация не выполнена", "ИСБШ не рассчитан ни для одной школы"],
    "ege_only_year": ["Добавленная ценность не рассчитана"],
}


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("config") / "fast.yaml"
    path.write_text(FAST, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", list(CASES))
def test_small_territory_gets_every_report(case, tmp_path, config):
    tables = CASES[case]()
    data = write_tables(tables, tmp_path / case)
    out = run_suite(data, 2024, out=tmp_path / "report", config_file=config, all_cards=True)
    assert out == (tmp_path / "report").resolve()
    for page in ["index", *REPORTS]:
        text = (out / f"{page}.html").read_text(encoding="utf-8")
        assert "Ошибка при выполнении" not in text, page
    cards = sorted(p.stem for p in (out / "schools").glob("*.html"))
    assert cards == sorted(tables["schools"]["school_id"])
    assert (out / order_file(2024)).exists() and (out / f"shnor_{case}_2024.xlsx").exists()
    ids = set(tables["schools"]["school_id"])
    for name in ("identification", "differentiation"):
        table = pd.read_csv(out / "tables" / f"{name}.csv", dtype={"school_id": str},
                            encoding="utf-8-sig")
        assert set(table["school_id"]) == ids and len(table) == len(ids), name
    diff = pd.read_csv(out / "tables" / "differentiation.csv", dtype={"school_id": str},
                       encoding="utf-8-sig", keep_default_na=False)
    assert ((diff["status"] != "") | (diff["typology"] != "")).all()  # typed, or told why not
    html = (out / "03_differentiation.html").read_text(encoding="utf-8")
    for sentence in EXPECTED[case]:
        assert sentence in html, sentence
