"""Datasets the tests build, in one place: hand-made results rows, small hand-made datasets and
synthetic regions (:func:`shnor.synth.region.generate_region`) as :class:`Dataset`.

The tests import the helpers (``from conftest import make_dataset``: ``tests`` is on the
pytest ``pythonpath``) and use the fixtures. Synthetic regions are generated once per session
for each set of arguments.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shnor.config import load_config
from shnor.indicators import compute_indicators
from shnor.io.dataset import Dataset
from shnor.synth.region import generate_region

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
BAD_INPUTS = TESTS / "bad_inputs"

RESULT_COLUMNS = ["year", "school_id", "procedure", "grade", "subject", "participants", "n_fail",
                  "n_mark3", "n_mark4", "n_mark5", "n_high", "mean_score"]
OPTIONAL_TABLES = ("risk_profiles", "programme", "lists")


# Results rows ---------------------------------------------------------------------------------

def results_frame(rows) -> pd.DataFrame:
    """A results table from full rows (the 12 columns of :data:`RESULT_COLUMNS`)."""
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def fail_results(rows) -> pd.DataFrame:
    """A typed results table from rows (year, school_id, procedure, grade, subject,
    participants, n_fail); the marks, n_high and mean_score are missing."""
    r = results_frame([(*row, np.nan, np.nan, np.nan, np.nan, np.nan) for row in rows])
    for c in ("school_id", "procedure", "subject"):
        r[c] = r[c].astype(str)
    return r.astype({"year": "int64", "grade": "int64", "participants": float, "n_fail": float})


# Datasets -------------------------------------------------------------------------------------

def empty_social() -> pd.DataFrame:
    """A social passport without rows (the schools have no social data)."""
    return pd.DataFrame({"year": pd.Series(dtype="int64"), "school_id": pd.Series(dtype=str),
                         "students_total": pd.Series(dtype=float)})


def make_dataset(schools: pd.DataFrame, results: pd.DataFrame, social: pd.DataFrame | None = None,
                 name: str = "test", path: Path | str = ".", **optional) -> Dataset:
    """A Dataset of the given tables; ``social`` defaults to an empty passport; ``optional``:
    risk_profiles, programme, lists, input_hashes, excluded."""
    return Dataset(name=name, path=Path(path), schools=schools, results=results,
                   social=empty_social() if social is None else social, **optional)


def schools_of(ids, name: str = "Школа {}", municipality="Город") -> pd.DataFrame:
    """A schools table: ``name`` formatted with each id; ``municipality`` a value or a
    function of the id."""
    ids = list(ids)
    munis = [municipality(i) for i in ids] if callable(municipality) else municipality
    return pd.DataFrame({"school_id": ids, "name": [name.format(i) for i in ids],
                         "municipality": munis})


def fail_dataset(rows, school_ids=None, social=None, lists=None) -> Dataset:
    """A dataset of :func:`fail_results` rows: schools «Школа <id>» in «Город» (ids before «5»)
    or «Район»; ``school_ids`` defaults to the schools with results."""
    results = fail_results(rows)
    ids = school_ids or sorted(results["school_id"].unique())
    schools = schools_of(ids, municipality=lambda i: "Город" if i < "5" else "Район")
    return make_dataset(schools, results, social, lists=lists)


def vpr6(school: str, year: int, n_fail_math: int, n_fail_rus: int, n: int = 10) -> list[tuple]:
    """:func:`fail_results` rows of ВПР 6 mathematics and Russian of one school and year."""
    return [(year, school, "VPR", 6, "math", n, n_fail_math),
            (year, school, "VPR", 6, "russian", n, n_fail_rus)]


def identification_of(ds: Dataset, year: int = 2024, params: dict | None = None) -> dict:
    """The identification tables of ``year`` (:attr:`shnor.analysis.run.Run.identification`)."""
    from shnor.analysis.run import Run

    return Run(ds, year, params or load_config()).identification


def flags_of(ds: Dataset, year: int = 2024, params: dict | None = None) -> pd.DataFrame:
    """``identification_flags`` of ``year`` indexed by school_id."""
    return identification_of(ds, year, params)["identification_flags"].set_index("school_id")


def region_dataset(name: str = "region", **kwargs) -> Dataset:
    """A synthetic region (:func:`generate_region` with ``kwargs``) as a Dataset with every
    table it generated."""
    t = generate_region(**kwargs)
    return make_dataset(t["schools"], t["results"], t["social"], name=name,
                        **{k: t[k] for k in OPTIONAL_TABLES if k in t})


@pytest.fixture(scope="session")
def region_of():
    """``region_of(**kwargs)``: :func:`region_dataset`, generated once per session for each
    set of arguments (do not change the tables of the returned dataset)."""
    cache: dict[tuple, Dataset] = {}

    def make(**kwargs) -> Dataset:
        key = tuple(sorted(kwargs.items()))
        if key not in cache:
            cache[key] = region_dataset(**kwargs)
        return cache[key]

    return make


@pytest.fixture(scope="session")
def region(region_of) -> Dataset:
    """60 schools, 2022–2024, with the optional tables."""
    return region_of(n_schools=60, n_years=3, seed=7)


def fast_params(profile: str | None = None) -> dict:
    """The parameters of ``profile`` with cheap cluster diagnostics and bootstrap (they only
    cost time: the tables hold for any parameters)."""
    params = load_config(profile)
    params["clustering"].update(k_max=4, n_bootstrap=3, n_init=3)
    return params


@pytest.fixture(scope="session")
def differentiation(region_of) -> dict[str, pd.DataFrame]:
    """The differentiation report of 2024 of a 160-school region of 2023–2024 without the
    optional tables (4 bootstrap samples, 3 starts of k-means)."""
    from shnor.analysis.run import Run

    params = load_config()
    params["clustering"].update(n_bootstrap=4, n_init=3)
    return Run(region_of(n_schools=160, n_years=2, last_year=2024, optional_tables=False), 2024,
               params).differentiation


# The six-school dataset of the end-to-end runs -------------------------------------------------

EVIL_NAME = "=cmd|' /C calc'!A0 <b>Школа</b>"


def small_dataset(path: Path) -> Dataset:
    """Six schools (one with a formula- and HTML-like name, one without results), 2023–2024."""
    schools = pd.DataFrame({
        "school_id": ["001", "002", "003", "004", "005", "006"],
        "name": ["Школа № 1", EVIL_NAME, "Лицей", "ООШ с. Малое", "Гимназия", "НОШ д. Новая"],
        "municipality": ["Город", "Город", "Город", "Район", "Район", "Район"],
        "locality": ["urban", "urban", "urban", "rural", "rural", "rural"],
        "school_type": ["СОШ", "СОШ", "лицей", "ООШ", "гимназия", "НОШ"],
    })
    rows = []
    fails = {"001": 0.4, "002": 0.1, "003": 0.02, "004": 0.35, "005": 0.05}
    for year in (2023, 2024):
        for sid, share in fails.items():
            for grade, subject, n in [(5, "math", 40), (5, "russian", 40), (9, "math", 4)]:
                procedure = "OGE" if grade == 9 else "VPR"
                n_fail = round(share * n)
                n4 = (n - n_fail) // 3
                rows.append([year, sid, procedure, grade, subject, float(n), float(n_fail),
                             float(n - n_fail - 2 * n4), float(n4), float(n4), np.nan, 3.5])
    social = pd.DataFrame({"year": [2024] * 5, "school_id": ["001", "002", "003", "004", "005"],
                           "students_total": [400.0, 500.0, 600.0, 80.0, 300.0]})
    return make_dataset(schools, results_frame(rows), social, name="mini", path=path,
                        input_hashes={"schools.csv": "0" * 64})


# Monitoring over four years of hand-made lists --------------------------------------------------

MONITORING_YEARS = [2021, 2022, 2023, 2024]
MONITORING_IDS = ["01", "02", "03", "04", "05", "06"]
_T, _F, _NA = True, False, pd.NA
# low_results per school over MONITORING_YEARS (NA = not decided: 04 has no results in 2023)
MONITORING_LOW = {"01": [_T, _T, _T, _T], "02": [_T, _F, _F, _F], "03": [_T, _F, _T, _F],
                  "04": [_F, _T, _NA, _F], "05": [_F, _F, _F, _T], "06": [_F, _F, _F, _F]}
# n_fail of 10 participants, OGE grade 9 math; None = no results that year
MONITORING_FAILS = {"01": [5, 5, 5, 5], "02": [4, 1, 1, 1], "03": [4, 1, 4, 1],
                    "04": [1, 4, None, 1], "05": [1, 1, 1, 4], "06": [0, 0, 0, 2]}


def monitoring_lists() -> pd.DataFrame:
    """The lists of :data:`MONITORING_LOW` (a lists frame, :mod:`shnor.monitoring.lists`)."""
    from shnor.monitoring.lists import normalise_lists

    rows = []
    for s in MONITORING_IDS:
        for i, y in enumerate(MONITORING_YEARS):
            low = MONITORING_LOW[s][i]
            rows.append({"year": y, "school_id": s, "low_results": low,
                         "risk_zone": s == "06" and y == 2024, "unfavourable": False,
                         "persistent": s == "01" and y >= 2023,
                         "reasons": "причина" if low is _T else "", "list_change": "none"})
    return normalise_lists(pd.DataFrame(rows))


def monitoring_results() -> pd.DataFrame:
    rows = []
    for s in MONITORING_IDS:
        for i, y in enumerate(MONITORING_YEARS):
            f = MONITORING_FAILS[s][i]
            if f is not None:
                rows.append((y, s, "OGE", 9, "math", 10.0, float(f), 8.0 - f, 2.0, 0.0, np.nan,
                             np.nan))
    return results_frame(rows)


def monitoring_risk() -> pd.DataFrame:
    """Risk profiles of 2023: school 01 complete, school 03 without factor 10."""
    rows = [(2023, "01", f, "high" if f < 4 else "low") for f in range(1, 11)]
    rows += [(2023, "03", f, "medium") for f in range(1, 10)]
    return pd.DataFrame(rows, columns=["year", "school_id", "factor", "level"])


def monitoring_dataset(programme=None, risk=None) -> Dataset:
    schools = pd.DataFrame({"school_id": MONITORING_IDS,
                            "name": [f"СОШ № {int(s)}" for s in MONITORING_IDS],
                            "municipality": "Город"})
    return make_dataset(schools, monitoring_results(), name="t", risk_profiles=risk,
                        programme=programme)


@pytest.fixture(scope="module")
def monitoring():
    """:func:`shnor.monitoring.tables.monitoring_tables` of 2024 on the hand-made lists, with
    risk profiles of 2023 and a differentiation table."""
    from shnor.monitoring.tables import monitoring_tables

    params = load_config()
    ds = monitoring_dataset(risk=monitoring_risk())
    diff = pd.DataFrame({"school_id": MONITORING_IDS, "typology": ["неблагополучная"] * 6,
                         "cluster": [1, 2, 2, 3, 3, 4], "status": ""})
    ind = compute_indicators(ds.results, params)
    return monitoring_tables(ds, 2024, params, ind, monitoring_lists(), diff)
