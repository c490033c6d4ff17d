"""Groups given by the ИРО (``reference_groups``): used as given, computed values fill the gaps,
the status says which are the ИРО's; seed 000's 22 schools end to end with their ИРО groups."""

import pandas as pd
import pytest
from conftest import FIXTURES, fast_params

from shnor.analysis.run import Run
from shnor.io.dataset import Dataset
from shnor.io.loading import load_dataset, validate
from shnor.school_typology import TYPES

YEAR = 2022


def fixture_schools() -> pd.DataFrame:
    f = pd.read_csv(FIXTURES / "pervouralsk_2022.csv", dtype={"school_no": str})
    return f.rename(columns={"school_no": "school_id"})


def pervouralsk() -> Dataset:
    """The 22 schools of seed 000 table 7 with results of 2022 (the same for every school: the
    groups come from the ИРО), their ИРО groups and the ШАНС schools as an official list."""
    f = fixture_schools()
    schools = pd.DataFrame({"school_id": f["school_id"], "name": "МАОУ СОШ № " + f["school_id"],
                            "municipality": "ГО Первоуральск"})
    rows = [(YEAR, s, "VPR", g, subj, 20.0, 2.0, 8.0, 6.0, 4.0, float("nan"), float("nan"))
            for s in f["school_id"] for g in (5, 6) for subj in ("russian", "math")]
    results = pd.DataFrame(rows, columns=["year", "school_id", "procedure", "grade", "subject",
                                          "participants", "n_fail", "n_mark3", "n_mark4",
                                          "n_mark5", "n_high", "mean_score"])
    results = results.astype({"school_id": "str", "procedure": "str", "subject": "str"})
    social = pd.DataFrame({"year": pd.Series(dtype="int64"), "school_id": pd.Series(dtype=str),
                           "students_total": pd.Series(dtype=float)})
    groups = pd.DataFrame({"year": YEAR, "school_id": f["school_id"],
                           "isbsh_group": f["isbsh_group"].astype("Int64"),
                           "quality_group": f["quality_group"].astype("Int64"),
                           "cluster": f["iro_cluster"].astype("Int64")})
    shans = f.loc[f["shans"] == 1, "school_id"]
    lists = pd.DataFrame({"year": YEAR, "school_id": shans, "list": "ШАНС"}).astype(
        {"school_id": "str", "list": "str"})
    return Dataset(name="pervouralsk", path=FIXTURES, schools=schools, results=results,
                   social=social, lists=lists, reference_groups=groups)


@pytest.fixture(scope="module")
def run():
    return Run(pervouralsk(), YEAR, fast_params())


def test_the_iro_groups_give_table_7(run):
    diff = run.differentiation["differentiation"].set_index("school_id")
    f = fixture_schools().set_index("school_id")
    assert list(diff["isbsh_group"].astype(int)) == list(f["isbsh_group"])
    assert list(diff["quality_group"].astype(int)) == list(f["quality_group"])
    # the ИРО's own cluster numbering (in seed 000 cluster 2 is the lowest)
    assert list(diff["cluster"].astype(int)) == list(f["iro_cluster"])
    assert list(diff["typology"]) == list(f["typology"])
    counts = diff["typology"].value_counts().reindex(list(TYPES), fill_value=0)
    assert list(counts) == [7, 5, 5, 5, 0]
    assert diff["status"].str.contains("по данным ИРО").all()


def test_support_tables_are_the_seeds(run):
    ident = run.identification["identification"].set_index("school_id")
    f = fixture_schools().set_index("school_id")
    shans = f[f["shans"] == 1]
    expected = shans["programme_table"].str[1].astype(int)
    assert list(ident.loc[shans.index, "support_table"].astype(int)) == list(expected)
    assert ident.loc[f.index.difference(shans.index), "support_table"].isna().all()


def test_given_values_replace_computed_ones_and_fill_only_what_is_given(region_of):
    ds = region_of(n_schools=60, n_years=3, seed=7)
    year = ds.years[-1]
    computed = Run(ds, year, fast_params()).differentiation["differentiation"].set_index(
        "school_id")
    first, second = ds.schools["school_id"].iloc[:2]
    groups = pd.DataFrame({"year": [year, year], "school_id": [first, second],
                           "isbsh_group": pd.array([11, None], dtype="Int64"),
                           "quality_group": pd.array([None, 1], dtype="Int64"),
                           "cluster": pd.array([None, None], dtype="Int64")})
    given = Dataset(**{**ds.__dict__, "reference_groups": groups})
    diff = Run(given, year, fast_params()).differentiation["differentiation"].set_index(
        "school_id")
    assert diff.at[first, "isbsh_group"] == 11
    assert diff.at[first, "quality_group"] == computed.at[first, "quality_group"]
    assert diff.at[second, "quality_group"] == 1
    assert diff.at[second, "isbsh_group"] == computed.at[second, "isbsh_group"]
    assert "группа ИСБШ — по данным ИРО" in diff.at[first, "status"]
    assert "группа качества — по данным ИРО" in diff.at[second, "status"]
    others = diff.index.difference([first, second])
    pd.testing.assert_frame_equal(diff.loc[others], computed.loc[others])


@pytest.mark.parametrize("row, fragment", [
    ("2024;1;12;3;1", "группа ИСБШ должна быть от 1 до 11"),
    ("2024;1;3;0;1", "группа качества должна быть от 1 до 11"),
    ("2024;1;3;3;5", "номер кластера должен быть от 1 до 4"),
    ("2024;9;3;3;1", "отсутствует в таблице «Школы»"),
    ("2024;1;3;3;1\n2024;1;4;3;1", "повторяется ключ"),
    ("2024;1;3,5;3;1", "ожидается номер группы целым числом"),
])
def test_bad_reference_groups_are_named_and_stop_the_run(tmp_path, row, fragment):
    (tmp_path / "schools.csv").write_text("Код ОО;Наименование ОО;Муниципалитет\n"
                                          "1;СОШ № 1;Город\n", encoding="utf-8")
    (tmp_path / "results.csv").write_text(
        "Год;Код ОО;Процедура;Класс;Предмет;Участников;Не преодолели порог\n"
        "2024;1;ВПР;5;математика;20;2\n", encoding="utf-8")
    (tmp_path / "social.csv").write_text("Год;Код ОО;Всего обучающихся\n2024;1;100\n",
                                         encoding="utf-8")
    (tmp_path / "Группы ИРО.csv").write_text(
        "Год;Код ОО;Группа ИСБШ;Группа качества;Кластер\n" + row + "\n", encoding="utf-8")
    problems = validate(tmp_path)
    assert any(fragment in str(p) and "Группы ИРО" in str(p) for p in problems), problems
    with pytest.raises(Exception, match=fragment):  # not left out like other optional tables
        load_dataset(tmp_path, exclude_invalid_optional=True)
