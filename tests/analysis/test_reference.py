"""The regional scale as a file (reference.json) and a municipality placed on it: a school whose
data equal those of the regional run gets exactly its ИСБШ, groups, cluster, type and
value-added; bad reference files are Russian errors."""

import json

import pandas as pd
import pytest
from conftest import fast_params, make_dataset

from shnor.analysis.reference import (
    FORMAT,
    placement_warnings,
    read_reference,
    write_reference,
)
from shnor.analysis.run import Run
from shnor.analysis.scope import scoped_tables
from shnor.cli import main
from shnor.errors import UserError

PLACED = ["isbsh", "isbsh_group", "quality_index", "quality_group", "cluster", "typology",
          "value_added", "value_added_low", "value_added_high"]


@pytest.fixture(scope="module")
def regional(region_of):
    ds = region_of(n_schools=240, n_years=2, seed=11)
    return ds, Run(ds, ds.years[-1], fast_params())


def municipality_only(ds, municipality):
    """The municipality's own files: its schools, results and social passport only."""
    ids = set(ds.schools.loc[ds.schools["municipality"] == municipality, "school_id"])

    def own(frame):
        return frame[frame["school_id"].isin(ids)].reset_index(drop=True)

    return make_dataset(own(ds.schools), own(ds.results), own(ds.social), name=municipality)


def same(a: pd.Series, b: pd.Series) -> bool:
    return bool(((a == b) | (a.isna() & b.isna())).all())


def test_the_file_round_trips_exactly(regional, tmp_path):
    _, run = regional
    path = write_reference(tmp_path / "reference.json", run.reference())
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == FORMAT and data["kind"] == "shnor-reference"
    assert set(data) >= {"source", "parameters", "group_edges", "isbsh", "quality",
                         "clustering", "value_added"}
    assert data["source"]["year"] == run.year and data["source"]["schools"] == 240
    again = read_reference(path)
    assert again.to_json() == run.reference().to_json()


def test_three_municipalities_placed_on_the_regional_scale(regional, tmp_path):
    ds, run = regional
    reference = read_reference(write_reference(tmp_path / "r.json", run.reference()))
    full = run.differentiation["differentiation"].set_index("school_id")
    names = ds.schools["municipality"].value_counts().index[:3]
    moved_alone = {}
    for m in names:
        own = municipality_only(ds, m)
        placed = Run(own, run.year, fast_params(), reference).differentiation[
            "differentiation"].set_index("school_id")
        scoped = scoped_tables(run, m)["differentiation"].set_index("school_id")
        assert list(placed.index) == list(own.schools["school_id"])
        for c in PLACED:
            assert same(full.loc[placed.index, c], placed[c]), (m, c)
            assert same(full.loc[scoped.index, c], scoped[c]), (m, c)
        alone = Run(own, run.year, fast_params()).differentiation[
            "differentiation"].set_index("school_id")
        moved_alone[m] = int((alone["typology"] != full.loc[alone.index, "typology"]).sum())
    # run on its own data alone, a municipality is its own scale: the types move
    assert sum(moved_alone.values()) > 0


def test_identification_agrees_on_the_regional_scale(regional, tmp_path):
    ds, run = regional
    reference = read_reference(write_reference(tmp_path / "r.json", run.reference()))
    m = ds.schools["municipality"].value_counts().index[0]
    own = municipality_only(ds, m)
    placed = Run(own, run.year, fast_params(), reference).identification["identification_flags"]
    full = run.identification["identification_flags"].set_index("school_id")
    for c in ("isbsh_group", "unfavourable", "shnsu"):
        assert same(full.loc[placed["school_id"], c].reset_index(drop=True),
                    placed[c].reset_index(drop=True)), c


def test_another_year_and_profile_are_said(regional):
    ds, run = regional
    ref = run.reference()
    assessments = pd.MultiIndex.from_frame(
        ds.results[["procedure", "grade", "subject"]].drop_duplicates())
    warnings = placement_warnings(ref, run.year + 1, "yaroslavl", assessments, ["quality"])
    text = " ".join(warnings)
    assert f"за {run.year} год" in text and "yaroslavl" in text and "quality" in text
    assert placement_warnings(ref, run.year, ref.profile, assessments, []) == []


def test_no_assessment_in_common_is_an_error(regional):
    _, run = regional
    other = pd.MultiIndex.from_tuples([("RDR", 3, "math")],
                                      names=["procedure", "grade", "subject"])
    with pytest.raises(UserError, match="не знает ни одной оценочной процедуры"):
        placement_warnings(run.reference(), run.year, run.params["profile"], other, [])


@pytest.mark.parametrize("content, fragment", [
    ("это не JSON", "не является файлом JSON"),
    ('{"kind": "something"}', "не эталон shnor"),
    ('{"kind": "shnor-reference", "format": 99}', "версия формата 99"),
    ('{"kind": "shnor-reference", "format": 1, "source": {}}', "нет частей"),
])
def test_bad_reference_files(tmp_path, content, fragment):
    path = tmp_path / "reference.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError, match=fragment):
        read_reference(path)


def test_a_reference_without_isbsh_says_which_part(regional, tmp_path):
    _, run = regional
    data = run.reference().to_json()
    data["isbsh"] = None
    path = tmp_path / "reference.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UserError, match="нет части «isbsh» \\(ИСБШ\\)"):
        read_reference(path)
    del data["quality"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UserError, match="нет частей quality"):
        read_reference(path)


def test_cli_rejects_a_foreign_reference_with_exit_2(tmp_path, capsys):
    foreign = tmp_path / "manifest.json"
    foreign.write_text('{"tool": "shnor run"}', encoding="utf-8")
    code = main(["run", "--data", "data/raw/demo", "--year", "2024", "--out",
                 str(tmp_path / "out"), "--reference", str(foreign)])
    assert code == 2
    err = capsys.readouterr().err
    assert "не эталон shnor" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
