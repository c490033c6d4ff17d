"""Writing synthetic regions: the CSV tables, the municipal XLSX workbook of the demo, the student
rows (``shnor synth --students``) and the embedded demo region (``shnor demo``)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from shnor.io.contract import (
    COLUMN_LABELS,
    LOCALITY_LABELS,
    PROCEDURE_LABELS,
    SUBJECT_LABELS,
    TABLES,
)
from shnor.io.writers import deterministic_xlsx
from shnor.paths import DATA_RAW, DEMO_DATA
from shnor.synth.region import DEMO_SEED, generate_region
from shnor.synth.students import write_student_files


def _csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Counts as integers (empty when missing); other floats keep their rounded values."""
    df = df.copy()
    for c in df.columns:
        if df[c].dtype.kind == "f" and c not in ("mean_score", "value", "target"):
            df[c] = df[c].astype("Int64")
    return df


def write_tables(tables: dict[str, pd.DataFrame], out: Path) -> Path:
    """Write tables as ``<name>.csv`` (UTF-8, comma, ``\\n``, fixed float format) into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        _csv_frame(df).to_csv(out / f"{name}.csv", index=False, lineterminator="\n",
                              float_format="%.2f")
    return out


def write_synthetic(out: Path, n_schools: int = 800, n_years: int = 4, last_year: int = 2024,
                    seed: int = DEMO_SEED, students: bool = False) -> Path:
    """Generate a region (:func:`generate_region`) and write it as a CSV dataset folder.

    With ``students`` also writes student-level Parquet files (``<out>/students/year=…/``) whose
    aggregation reproduces ``results`` exactly (:func:`shnor.synth.students.write_student_files`).
    """
    tables = generate_region(n_schools, n_years, last_year, seed)
    out = write_tables(tables, Path(out))
    if students:
        write_student_files(tables["results"], out, seed)
    return out


def write_municipality_xlsx(tables: dict[str, pd.DataFrame], municipality: str,
                            path: Path) -> Path:
    """One municipality's schools, results and social passport as a Russian-headed workbook."""
    sch = tables["schools"][tables["schools"]["municipality"] == municipality]
    ids = set(sch["school_id"])
    parts = {
        "schools": sch.assign(locality=sch["locality"].map(LOCALITY_LABELS)),
        "results": tables["results"][tables["results"]["school_id"].isin(ids)].assign(
            procedure=lambda d: d["procedure"].map(PROCEDURE_LABELS),
            subject=lambda d: d["subject"].map(SUBJECT_LABELS)),
        "social": tables["social"][tables["social"]["school_id"].isin(ids)],
    }
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in parts.items():
        ws = wb.create_sheet(TABLES[name].title)
        ws.append([COLUMN_LABELS[c] for c in df.columns])
        for row in _csv_frame(df).itertuples(index=False):
            ws.append([None if pd.isna(v) else (int(v) if isinstance(v, (int, np.integer))
                                                else v) for v in row])
        for cell in ws["A"][1:] if name == "schools" else ws["B"][1:]:
            cell.number_format = "@"  # school_id stays text, leading zeros kept
    wb.properties.creator = "shnor"
    buf = io.BytesIO()
    wb.save(buf)
    path = Path(path)
    path.write_bytes(deterministic_xlsx(buf.getvalue()))
    return path


def write_demo(root: Path | None = None) -> Path:
    """Regenerate the demo region (seed 2024): ``<root>/demo/*.csv`` and
    ``<root>/demo_municipality.xlsx`` (root = ``data/raw``). Returns the demo folder."""
    root = DATA_RAW if root is None else Path(root)
    tables = generate_region(seed=DEMO_SEED)
    out = write_tables(tables, root / DEMO_DATA.name)
    sch = tables["schools"]
    counts = sch["municipality"].value_counts()
    # a small rural district (≥ 15 schools), preferably with codes 01–09 so that the workbook
    # exercises leading zeros of school_id
    zero = sch.groupby("municipality")["school_id"].first().str.startswith("0")
    rural = counts[counts.index.str.endswith("район") & (counts >= 15)]
    mun = min(rural.index, key=lambda m: (not zero[m], counts[m], m)) if len(rural) \
        else counts.index[0]
    write_municipality_xlsx(tables, mun, root / "demo_municipality.xlsx")
    return out
