"""Student rows → the results table (shnor.io.aggregate, `shnor aggregate`)."""

import numpy as np
import pandas as pd
import pytest
from conftest import RESULT_COLUMNS, results_frame

from shnor.cli import main
from shnor.config import load_config
from shnor.errors import UserError
from shnor.io.aggregate import aggregate_students
from shnor.synth.students import expand_to_students, write_student_files

NAN = np.nan
KEY = ["year", "school_id", "procedure", "grade", "subject"]
COLS = RESULT_COLUMNS


def results():
    return results_frame([
        (2024, "066012", "VPR", 6, "math", 41, 17, 14, 7, 3, NAN, 2.9),
        (2024, "066012", "OGE", 9, "russian", 10, 2, 3, 2, 3, NAN, 3.6),
        (2024, "066012", "EGE", 11, "russian", 7, 1, NAN, NAN, NAN, 2, 65.43),
        (2024, "066012", "EGE", 11, "math_profile", 3, 0, NAN, NAN, NAN, 0, 65.5),
        (2023, "000123", "EGE", 11, "math_base", 5, 0, 1, 2, 2, NAN, 4.2),
        (2023, "000123", "EGE", 11, "russian", 12, 2, 3, 4, 3, 3, 58.4),
        (2023, "000123", "VPR", 4, "russian", 2, 0, 1, 1, 0, NAN, 3.5),
    ])


def assert_reproduces(expected, got):
    """Every value the input gives is reproduced exactly; empty ones may be filled."""
    e = expected.set_index(KEY).sort_index()
    g = got.set_index(KEY).sort_index()
    assert e.index.equals(g.index)
    for c in e.columns:
        given = e[c].notna()
        assert (e.loc[given, c].astype(float) == g.loc[given, c]).all(), c


def test_aggregate_command_reproduces_results_csv_and_parquet(tmp_path, capsys):
    root = write_student_files(results(), tmp_path / "ds", seed=11)
    assert main(["aggregate", str(root), "--out", str(tmp_path / "r.csv")]) == 0
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw[3:].decode().startswith(",".join(COLS))
    got = pd.read_csv(tmp_path / "r.csv", dtype={"school_id": str}, encoding="utf-8-sig")
    assert_reproduces(results(), got)
    assert got["n_mark3"].isna().sum() == 2  # ЕГЭ groups without marks stay without marks
    assert "некорректных строк нет" in capsys.readouterr().out

    glob_arg = str(root / "year=*" / "*.parquet")
    assert main(["aggregate", glob_arg, "--out", str(tmp_path / "r.parquet")]) == 0
    assert_reproduces(results(), pd.read_parquet(tmp_path / "r.parquet"))


def test_reproduces_the_synthetic_generator(tmp_path, region_of):
    res = region_of(n_schools=60, n_years=2, optional_tables=False).results
    root = write_student_files(res, tmp_path, seed=2024)
    got, invalid = aggregate_students([root], load_config())
    assert invalid.invalid == 0 and invalid.total_rows == res["participants"].sum()
    assert_reproduces(res, got)
    filled = res.set_index(KEY).sort_index().isna() & got.set_index(KEY).sort_index().notna()
    assert set(filled.columns[filled.any()]) <= {"mean_score"}  # only a missing mean is filled


def test_russian_headers_values_cp1251_and_decimal_comma(tmp_path):
    text = ("Год;Код ОО;Процедура;Класс;Предмет;Отметка;Балл\n"
            "2024;066012;ВПР;5;Русский язык;5;\n"
            "2024;066012;впр;5;русский язык;2;\n"
            "2024;066012;ЕГЭ;11;Математика (профильная);;26,5\n"
            "2024;066012;ЕГЭ;11;математика профильная;;81\n")
    (tmp_path / "ученики.csv").write_bytes(text.encode("cp1251"))
    students = expand_to_students(results().iloc[[4]], seed=1)  # Parquet joins the CSV
    students.to_parquet(tmp_path / "more.parquet")
    got, invalid = aggregate_students([tmp_path / "ученики.csv", tmp_path / "more.parquet"],
                                      load_config())
    assert invalid.invalid == 0
    g = got.set_index(["procedure", "subject"])
    assert g.loc[("VPR", "russian"), ["participants", "n_fail", "n_mark5", "mean_score"]] \
        .tolist() == [2, 1, 1, 3.5]
    prof = g.loc[("EGE", "math_profile")]
    assert (prof["n_fail"], prof["n_high"], prof["mean_score"]) == (1, 1, 53.75)
    assert np.isnan(prof["n_mark3"])
    assert g.loc[("EGE", "math_base"), "participants"] == 5
    assert got["school_id"].tolist().count("066012") == 2 and got["year"].dtype == "int64"


BAD = """year,school_id,procedure,grade,subject,mark,score
2024,066012,VPR,6,math,3,
2024,066012,VPR,6,math,7,
2024,,VPR,6,math,4,
2023/2024,066012,VPR,6,math,4,
2024,066012,ГВЭ,9,math,4,
2024,066012,OGE,9,физика,4,
2024,066012,OGE,10,math,4,
2024,066012,EGE,11,russian,,120
2024,066012,VPR,6,russian,,
2024,066012,EGE,11,russian,,
2024,066012,EGE,11,russian,,55
"""


def test_invalid_rows_are_counted_and_reported(tmp_path, capsys):
    (tmp_path / "bad.csv").write_text(BAD, encoding="utf-8")
    got, invalid = aggregate_students([tmp_path / "bad.csv"], load_config())
    counts = dict(zip(invalid.counts["rule"], invalid.counts["rows"]))
    assert counts == {"no_school": 1, "bad_year": 1, "bad_procedure": 1, "bad_subject": 1,
                      "bad_grade": 1, "bad_mark": 1, "bad_score": 1, "no_mark": 1,
                      "no_result": 1}
    assert invalid.total_rows == 11
    assert got[["procedure", "subject", "participants"]].values.tolist() == [
        ["EGE", "russian", 1], ["VPR", "math", 1]]
    text = invalid.to_text()
    assert "некорректных: 9" in text and "отметка вне диапазона 2–5" in text
    assert "bad.csv" in text and "«7»" in text and "«ГВЭ»" in text and "«2023/2024»" in text

    out = tmp_path / "r.csv"
    assert main(["aggregate", str(tmp_path / "bad.csv"), "--out", str(out)]) == 0
    assert out.exists() and "неизвестная процедура" in capsys.readouterr().out
    out.unlink()
    assert main(["aggregate", str(tmp_path / "bad.csv"), "--out", str(out), "--strict"]) == 2
    assert not out.exists() and "--strict" in capsys.readouterr().out


def test_user_errors_in_russian(tmp_path, capsys):
    assert main(["aggregate", str(tmp_path / "нет.csv"), "--out", str(tmp_path / "r.csv")]) == 2
    assert "не найден" in capsys.readouterr().err
    (tmp_path / "a.csv").write_text("year,school_id,procedure,grade,mark\n2024,1,VPR,6,3\n")
    with pytest.raises(UserError, match="«Предмет»"):
        aggregate_students([tmp_path / "a.csv"], load_config())
    (tmp_path / "broken.parquet").write_bytes(b"not a parquet file")
    with pytest.raises(UserError, match="Не удалось прочитать"):
        aggregate_students([tmp_path / "broken.parquet"], load_config())
    with pytest.raises(UserError, match="не найдено ни одного файла"):
        aggregate_students([str(tmp_path / "*.xlsx")], load_config())
    assert main(["aggregate", str(tmp_path / "a.csv"), "--out", str(tmp_path / "r.xlsx")]) == 2
    assert ".csv или .parquet" in capsys.readouterr().err


MIXED = """year,school_id,procedure,grade,subject,mark,score
2024,1,EGE,11,russian,7,50
2024,1,EGE,11,russian,,50
2024,1,EGE,11,russian,3,20
2024,1,EGE,11,russian,,90
2024,1,EGE,11,math_profile,2,
2024,1,EGE,11,math_profile,5,30
2024,1,EGE,11,math_profile,,101
""" + "".join(f"2024,1,VPR,5,math,{m},\n" for m in (5, 4, 3, 3, 3, 3, 2, 2))


def test_invalid_rows_do_not_count_beside_valid_ones_and_mean_rounds_half_even(tmp_path):
    (tmp_path / "mixed.csv").write_text(MIXED, encoding="utf-8")
    got, invalid = aggregate_students([tmp_path / "mixed.csv"], load_config())
    assert dict(zip(invalid.counts["rule"], invalid.counts["rows"])) == {"bad_mark": 1,
                                                                          "bad_score": 1}
    g = got.set_index("subject")[COLS[5:]]
    # ЕГЭ russian: the score 50 with the mark «7» is left out; 20 fails, 90 is high.
    assert g.loc["russian"].fillna(-1).tolist() == [3, 1, -1, -1, -1, 1, 53.33]
    # profile mathematics: a mark without a score fails on «2»; no mean without all scores.
    assert g.loc["math_profile"].fillna(-1).tolist() == [2, 1, 0, 0, 1, -1, -1]
    assert g.loc["math"].fillna(-1).tolist() == [8, 2, 4, 1, 1, -1, 3.12]  # 25 / 8 = 3.125
