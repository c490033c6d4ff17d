"""Writing synthetic regions (shnor.synth.files): the committed demo files, CSV datasets that
validate, the student rows."""

import numpy as np
import pandas as pd

from shnor.paths import DATA_RAW, DEMO_DATA
from shnor.synth.files import write_demo, write_synthetic


def test_committed_demo_equals_generator(tmp_path):
    out = write_demo(tmp_path)
    names = sorted(p.name for p in DEMO_DATA.glob("*.csv"))
    assert names == sorted(p.name for p in out.glob("*.csv"))
    assert names == ["lists.csv", "programme.csv", "results.csv", "risk_profiles.csv",
                     "roadmap.csv", "schools.csv", "social.csv", "staff.csv"]
    for name in names:
        assert (out / name).read_bytes() == (DEMO_DATA / name).read_bytes(), name
    xlsx = "demo_municipality.xlsx"
    assert (tmp_path / xlsx).read_bytes() == (DATA_RAW / xlsx).read_bytes()


def test_write_synthetic_is_a_valid_dataset(tmp_path):
    from shnor.io.loading import validate

    out = write_synthetic(tmp_path / "region", n_schools=60, n_years=2, last_year=2023, seed=3)
    assert validate(out) == []
    res = pd.read_csv(out / "results.csv", dtype={"school_id": str})
    assert set(res["year"]) == {2022, 2023}


def test_student_files_reproduce_participants(tmp_path):
    out = write_synthetic(tmp_path / "region", n_schools=30, n_years=1, seed=5, students=True)
    students = pd.read_parquet(out / "students")
    res = pd.read_csv(out / "results.csv")
    assert len(students) == int(res["participants"].sum())
    assert np.isin(students["mark"].dropna().unique(), [2, 3, 4, 5]).all()
