"""A regional-size run (issue 15): 10,000 synthetic schools × 4 years through the whole suite
but the school cards. Every page stays publishable and tables/ holds only described files."""

import json

import pytest
from conftest import region_dataset

from shnor.paths import NOTEBOOKS_DIR
from shnor.pipeline import suite as runner
from shnor.reporting.published import PUBLISHED

PAGE_LIMIT = 5 * 2**20  # bytes


@pytest.fixture(scope="module")
def large_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("scale")
    dataset = region_dataset("r10k", n_schools=10_000, n_years=4, seed=11)
    config = root / "fast.yaml"  # cluster diagnostics only cost time here
    config.write_text("clustering:\n  n_bootstrap: 3\n  n_init: 3\n  k_max: 5\n",
                      encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setattr(runner, "_load_dataset", lambda path: dataset)
    mp.setattr(runner, "card_school_ids", lambda tables, all_cards: [])  # reports only
    out = runner.run_suite(root / "data", 2024, out=root / "report", config_file=config,
                           notebooks_dir=NOTEBOOKS_DIR)
    mp.undo()
    return out, dataset


def test_no_page_of_a_10000_school_run_exceeds_5_mb(large_run):
    out, _ = large_run
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 5
    sizes = {p.relative_to(out).as_posix(): p.stat().st_size for p in pages}
    assert max(sizes.values()) < PAGE_LIMIT, sizes
    identification = (out / "02_identification.html").read_text(encoding="utf-8")
    assert "показано число школ списка по муниципалитетам" in identification
    assert "Полный список — в книге Excel и в папке tables" in identification


def test_tables_hold_only_the_documented_files(large_run):
    out, dataset = large_run
    names = {p.name for p in (out / "tables").iterdir()}
    assert names == {f"{name}.csv" for name in PUBLISHED}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "processed/card_history.parquet" in manifest["outputs"]  # internal: Parquet only
    assert manifest["dataset"]["schools"] == len(dataset.schools) == 10_000
