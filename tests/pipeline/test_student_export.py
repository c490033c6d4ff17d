"""A real student-level export (issue «Real office files and real installs», item 6): one
assessment of one year, aggregated with ``shnor aggregate`` and run, gives every report.

The cause of «ArrowInvalid: Invalid null value» was the CSV writer: a text column with no value
at all (``list_change`` when the data have one year only) keeps pandas' Arrow null type, and
marking its formula-like cells filled that null column with False.
"""

import shutil

import pandas as pd

from shnor.cli import main
from shnor.io.writers import neutralise_text, safe_csv
from shnor.synth.files import write_synthetic


def test_text_column_without_any_value_is_written(tmp_path):
    frame = pd.DataFrame({"school_id": pd.array(["001", "002"], dtype="str"),
                          "list_change": pd.array([None, None], dtype="string[pyarrow]"),
                          "name": pd.array(["=1+1", None], dtype="str")})
    out = neutralise_text(frame)
    assert out["name"].tolist()[0] == "'=1+1" and out["list_change"].isna().all()
    back = pd.read_csv(safe_csv(frame, tmp_path / "t.csv"), encoding="utf-8-sig", dtype=str)
    assert back["school_id"].tolist() == ["001", "002"] and back["list_change"].isna().all()


def test_one_assessment_of_student_rows_aggregated_and_run(tmp_path, capsys):
    region = write_synthetic(tmp_path / "region", n_schools=30, n_years=1, seed=5, students=True)
    students = pd.read_parquet(region / "students")
    one = students[(students["procedure"] == "OGE") & (students["subject"] == "math")]
    one.to_csv(tmp_path / "oge_math.csv", index=False)
    data = tmp_path / "data"
    assert main(["aggregate", str(tmp_path / "oge_math.csv"), "--out",
                 str(data / "results.csv")]) == 0
    for name in ("schools.csv", "social.csv"):
        shutil.copy(region / name, data)
    config = tmp_path / "fast.yaml"
    config.write_text("clustering:\n  k_max: 4\n  n_bootstrap: 3\n", encoding="utf-8")
    capsys.readouterr()
    code = main(["run", "--data", str(data), "--year", "2024", "--out", str(tmp_path / "out"),
                 "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 0, err
    out = tmp_path / "out"
    ident = pd.read_csv(out / "tables" / "identification.csv", encoding="utf-8-sig",
                        dtype={"school_id": str})
    assert len(ident) == 30 and ident["list_change"].isna().all()  # one year: no change known
    for page in ("01_overview", "02_identification", "03_differentiation", "04_monitoring"):
        assert (out / f"{page}.html").exists(), page
