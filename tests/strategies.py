"""Hypothesis strategies for small VALID datasets in canonical form (shnor.io.dataset, shnor.io.contract).

The structure (schools, years, assessments, which data are missing) is drawn by hypothesis; the
bulk of the numbers comes from a numpy generator seeded by hypothesis, so examples stay cheap to
draw. Shares of «2» land on, just below and just above the cut of the low-results rule often.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from shnor.io.contract import COLUMN_LABELS, SOCIAL_COUNTS, TABLES
from shnor.io.dataset import Dataset

LAST_YEAR = 2024
# Every (procedure, grade, subject) the contract allows.
ALL_ASSESSMENTS = (
    [("VPR", g, s) for g in (4, 5, 6, 7, 8) for s in ("russian", "math")]
    + [("OGE", 9, s) for s in ("russian", "math")]
    + [("EGE", 11, s) for s in ("russian", "math_base", "math_profile")]
)
# Names a region really has, plus the characters that break naive CSV and Excel writers.
NAMES = ["Школа № 1", "МАОУ «Гимназия № 2»", "ООШ с. Малое, филиал", 'СОШ "Надежда"; корпус 2',
         "=Лицей", "-школа", "НОШ д. Новая"]
SCHOOL_TYPES = ["СОШ", "гимназия", "лицей", "ООШ", "СОШ с УИОП"]
MUNICIPALITIES = ["Первоуральск", "Ревда", "Артинский муниципальный округ"]


def _marks(rng: np.random.Generator, n: int, cut: float) -> tuple[int, int, int, int]:
    """Counts of «2», «3», «4», «5» summing to ``n``; «2» often right at the cut."""
    edge = math.ceil(cut * n - 1e-9)
    if n > 0 and rng.random() < 0.5:
        fail = int(np.clip(edge + rng.integers(-1, 2), 0, n))
    else:
        fail = int(rng.integers(0, n + 1))
    m3, m4, m5 = rng.multinomial(n - fail, rng.dirichlet([2, 2, 1]))
    return fail, int(m3), int(m4), int(m5)


@st.composite
def datasets(draw, max_schools: int = 40, cut: float = 0.30) -> Dataset:
    """A valid dataset: 5–``max_schools`` schools, 1–3 of the years 2022–2024 (gaps allowed,
    LAST_YEAR always present), a random subset of assessments, tiny schools, schools without
    results, rows without the count of «2», missing or partial social passports."""
    n = draw(st.integers(5, max_schools))
    years = sorted({LAST_YEAR} | set(draw(st.lists(st.sampled_from([2022, 2023]), max_size=2))))
    assessments = draw(st.lists(st.sampled_from(ALL_ASSESSMENTS), min_size=1, max_size=8,
                                unique=True))
    tiny_share = draw(st.sampled_from([0.0, 0.2, 0.6]))
    absent_share = draw(st.sampled_from([0.0, 0.1, 0.3]))
    unknown_share = draw(st.sampled_from([0.0, 0.1]))
    given = draw(st.sets(st.sampled_from(SOCIAL_COUNTS)))
    social_columns = [c for c in SOCIAL_COUNTS if c in given]  # contract order
    social_share = draw(st.sampled_from([0.0, 0.5, 0.9, 1.0]))
    with_locality = draw(st.booleans())
    with_type = draw(st.booleans())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    ids = [f"{i:06d}" for i in rng.choice(10**6, size=n, replace=False)]
    schools = pd.DataFrame({
        "school_id": pd.array(ids, dtype="str"),
        "name": pd.array([f"{NAMES[i % len(NAMES)]} ({i + 1})" for i in range(n)], dtype="str"),
        "municipality": pd.array(rng.choice(MUNICIPALITIES, size=n), dtype="str"),
    })
    # Optional columns are always there in canonical form, empty when not given.
    schools["locality"] = pd.array(rng.choice(["urban", "rural"], size=n) if with_locality
                                   else [np.nan] * n, dtype="str")
    schools["school_type"] = pd.array(rng.choice(SCHOOL_TYPES, size=n) if with_type
                                      else [np.nan] * n, dtype="str")
    tiny = rng.random(n) < tiny_share

    rows = []
    for year in years:
        for i, sid in enumerate(ids):
            if rng.random() < absent_share:
                continue
            for proc, grade, subj in assessments:
                if rng.random() < 0.25:
                    continue
                size = int(rng.integers(0, 7) if tiny[i] else rng.integers(5, 61))
                fail, m3, m4, m5 = _marks(rng, size, cut)
                mean = round(float(rng.uniform(2.5, 4.8)), 2) if size else np.nan
                counts = [fail, m3, m4, m5]
                if size and rng.random() < unknown_share:  # only the mean mark was reported
                    counts = [np.nan] * 4
                elif rng.random() < 0.3:
                    mean = np.nan
                high = float(rng.integers(0, m5 + 1)) if subj in ("russian", "math_profile") \
                    and proc == "EGE" and not np.isnan(counts[0]) else np.nan
                rows.append([year, sid, proc, grade, subj, size, *counts, high, mean])
    if not any(r[0] == LAST_YEAR for r in rows):  # the report year must have results
        proc, grade, subj = assessments[0]
        rows.append([LAST_YEAR, ids[0], proc, grade, subj, 20, 6, 6, 6, 2, np.nan, 3.2])
    results = pd.DataFrame(rows, columns=list(TABLES["results"].columns))
    results = _typed("results", results)

    srows = []
    for year in years:
        for sid in ids:
            if rng.random() < social_share:
                total = int(rng.integers(20, 1500))
                parts = rng.uniform(0, 0.5, size=len(social_columns))
                srows.append([year, sid, total, *np.floor(parts * total)])
    social = pd.DataFrame(srows, columns=["year", "school_id", "students_total", *social_columns])
    for c in social_columns:  # a few blanks; an all-blank column is «not given» and is dropped
        social[c] = social[c].mask(rng.random(len(social)) < 0.05)
    social = social.dropna(axis=1, how="all") if len(social) else social[
        ["year", "school_id", "students_total"]]
    social = _typed("social", social)
    return Dataset(name="hypo", path=Path("hypo"), schools=schools, results=results,
                   social=social)


def _typed(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical dtypes: text as str, years and grades int64, everything else float64."""
    spec = TABLES[table]
    out = frame.reset_index(drop=True)
    for c in out.columns:
        if c in spec.text_columns:
            out[c] = out[c].astype("str")
        elif c in spec.int_columns:
            out[c] = out[c].astype("int64")
        else:
            out[c] = out[c].astype("float64")
    return out


# --- the same dataset as CSV files, the way users write them -----------------------------------

def _cell(value, decimal: str) -> str:
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value)).replace(".", decimal)


def write_csv_dataset(ds: Dataset, folder: Path, sep: str, encoding: str, russian: bool) -> Path:
    """Write ``schools``, ``results`` and ``social`` as CSV files with separator ``sep``,
    ``encoding``, Russian or canonical headers and file names; decimal comma unless ``sep`` is a
    comma."""
    folder.mkdir(parents=True, exist_ok=True)
    decimal = "." if sep == "," else ","
    for table in ("schools", "results", "social"):
        frame = getattr(ds, table)
        name = TABLES[table].title if russian else table
        header = [COLUMN_LABELS[c] if russian else c for c in frame.columns]
        with open(folder / f"{name}.csv", "w", encoding=encoding, newline="") as f:
            w = csv.writer(f, delimiter=sep, lineterminator="\r\n")
            w.writerow(header)
            for row in frame.itertuples(index=False):
                w.writerow([_cell(v, decimal) for v in row])
    return folder
