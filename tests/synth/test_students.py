"""Student rows expanded from the results table (shnor.synth.students)."""

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import results_frame

from shnor.config import load_config
from shnor.synth.students import expand_to_students, write_student_files

NAN = np.nan


def results():
    return results_frame([
        (2024, "066012", "VPR", 6, "math", 41, 17, 14, 7, 3, NAN, 2.9),
        (2024, "066012", "OGE", 9, "russian", 10, 2, NAN, NAN, NAN, NAN, 3.6),
        (2024, "066012", "EGE", 11, "russian", 7, 1, NAN, NAN, NAN, 2, 65.43),
        (2024, "066012", "EGE", 11, "math_profile", 3, 0, NAN, NAN, NAN, 0, 65.5),
        (2023, "000123", "EGE", 11, "math_base", 5, 0, 1, 2, 2, NAN, 4.2),
        (2023, "000123", "EGE", 11, "russian", 12, 2, 3, 4, 3, 3, 58.0),
    ])


def test_one_row_per_participant_with_exact_counts():
    s = expand_to_students(results(), seed=1)
    assert len(s) == 41 + 10 + 7 + 3 + 5 + 12
    vpr = s[(s["procedure"] == "VPR")]
    assert vpr["mark"].value_counts().to_dict() == {2: 17, 3: 14, 4: 7, 5: 3}
    assert vpr["score"].isna().all()
    oge = s[s["procedure"] == "OGE"]
    assert (oge["mark"] == 2).sum() == 2 and oge["mark"].between(2, 5).all()
    assert oge["mark"].astype(float).mean() == pytest.approx(3.6)  # marks filled to the mean


def test_ege_scores_respect_min_score_high_score_and_mean():
    s = expand_to_students(results(), seed=1)
    ege = s[(s["procedure"] == "EGE") & (s["school_id"] == "066012")]
    rus = ege[ege["subject"] == "russian"]["score"]
    assert (rus < 24).sum() == 1 and (rus >= 81).sum() == 2
    assert round(rus.mean(), 2) == 65.43 and rus.sum() == 458
    assert (rus == rus.round()).all()  # 458 / 7 rounds to 65.43: integer scores suffice
    prof = s[s["subject"] == "math_profile"]["score"]
    assert prof.mean() == pytest.approx(65.5) and (prof < 81).all() and (prof >= 27).all()
    # 65.5 × 3 = 196.5 cannot be an integer sum: one student carries the half point
    assert (prof != prof.round()).sum() == 1


def test_ege_marks_follow_the_scores():
    s = expand_to_students(results(), seed=1)
    g = s[(s["school_id"] == "000123") & (s["subject"] == "russian")]
    assert g["mark"].value_counts().to_dict() == {2: 2, 3: 3, 4: 4, 5: 3}
    ordered = g.sort_values("score")
    assert ordered["mark"].is_monotonic_increasing
    assert (g.loc[g["mark"] == 2, "score"] < 24).all()
    assert g["score"].mean() == pytest.approx(58.0)


def test_deterministic_and_seed_dependent():
    a, b = expand_to_students(results(), 7), expand_to_students(results(), 7)
    pd.testing.assert_frame_equal(a, b)
    assert not expand_to_students(results(), 8)["score"].equals(a["score"])


def test_inconsistent_counts_are_refused():
    bad = results()
    bad.loc[0, "n_mark3"] = 20
    with pytest.raises(ValueError):
        expand_to_students(bad, 1)


def test_hive_partitioned_parquet(tmp_path):
    root = write_student_files(results(), tmp_path, seed=3, params=load_config())
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.parquet"))
    assert files == ["year=2023/part-0.parquet", "year=2024/part-0.parquet"]
    t = pq.read_table(root / "year=2024" / "part-0.parquet")
    assert "year" not in t.column_names  # the year lives in the folder name
    assert t.num_rows == 41 + 10 + 7 + 3
