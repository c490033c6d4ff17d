"""End-to-end runner tests (shnor.pipeline.suite) on the hand-made six-school dataset of
conftest.small_dataset (one shared run, then a rerun)."""

import hashlib
import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import EVIL_NAME, TESTS, small_dataset
from openpyxl import load_workbook

from shnor.errors import UserError
from shnor.io.writers import safe_csv
from shnor.paths import NOTEBOOKS_DIR
from shnor.pipeline import folders, writing
from shnor.pipeline import suite as runner
from shnor.reporting.published import PUBLISHED

# Anything a browser could fetch: URLs, protocol-relative links, CSS imports, url(...).
URL = re.compile(r"http|(src|href)=[\"']?//|@import|url\(", re.IGNORECASE)


CARD = nbformat.v4.new_notebook(metadata={"shnor": {"title": "Карточка школы"},
                                          "kernelspec": {"name": "python3",
                                                         "display_name": "Python 3",
                                                         "language": "python"}})
CARD.cells = [
    nbformat.v4.new_code_cell(
        "data = None\nyear = 2024\nprofile = None\nconfig = None\nprocessed_dir = None\n"
        "school_id = None", metadata={"tags": ["parameters"]}),
    nbformat.v4.new_code_cell(
        "%matplotlib inline\nimport shnor.reporting.notebook\n"
        "assert 'leak' not in dir(), 'namespace leaked from the previous card'\n"
        "ctx = shnor.reporting.notebook.open_report(data=data, year=year, profile=profile, config=config,\n"
        "                               processed_dir=processed_dir)\n"
        "leak = school_id\n"
        "ind = ctx.table('indicators')\n"
        "shnor.reporting.notebook.show_table(ind[ind['school_id'] == school_id])"),
    nbformat.v4.new_markdown_cell("## Результаты школы"),
]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("suite")
    notebooks = root / "notebooks"
    notebooks.mkdir()
    shutil.copy(NOTEBOOKS_DIR / "01_overview.ipynb", notebooks)
    nbformat.write(CARD, notebooks / runner.CARD_NOTEBOOK)
    mp = pytest.MonkeyPatch()
    mp.setattr(runner, "_load_dataset", lambda path: small_dataset(Path(path)))
    mp.setattr(runner, "card_school_ids", lambda tables, all_cards: ["001", "002"])
    kw = {"data": root / "data", "year": 2024, "notebooks_dir": notebooks,
          "processed_root": root / "processed"}
    yield root, kw
    mp.undo()


@pytest.fixture(scope="module")
def runs(setup):
    root, kw = setup
    first = runner.run_suite(out=root / "a", **kw)
    second = runner.run_suite(out=root / "b", **kw)
    return first, second


def _files(folder: Path, pattern: str) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.glob(pattern)) if p.is_file()}


def test_suite_writes_tables_reports_cards_index_manifest(runs, setup):
    out, _ = runs
    root, _ = setup
    assert (out / "processed" / "indicators.parquet").exists()  # the derived tables
    assert not (root / "processed").exists()  # processed_root is ignored
    ind = pd.read_csv(out / "tables" / "indicators.csv", encoding="utf-8-sig",
                      dtype={"school_id": str})
    assert list(ind.columns) == ["year", "school_id", "procedure", "grade", "subject",
                                 "participants", "share_fail", "share_success", "share_quality",
                                 "share_high", "mean_score", "reliable"]
    assert set(ind["school_id"]) == {"001", "002", "003", "004", "005"}
    status = pd.read_csv(out / "tables" / "overview_schools.csv", encoding="utf-8-sig",
                         dtype={"school_id": str}).set_index("school_id")
    assert len(status) == 6 and status.loc["006", "status"].startswith("нет результатов")
    assert status.loc["002", "name"] == "'" + EVIL_NAME
    ws = load_workbook(out / "shnor_mini_2024.xlsx")["Школы"]
    assert ws.freeze_panes == "A2" and ws["B3"].value == EVIL_NAME and ws["B3"].data_type == "s"
    assert (out / "notebooks" / "01_overview.ipynb").exists()
    assert sorted(p.name for p in (out / "schools").iterdir()) == ["001.html", "002.html"]
    # the record of the cards: the template executed for the first school, runnable for any
    card = nbformat.read(out / "notebooks" / runner.CARD_NOTEBOOK, as_version=4)
    assert [c.source for c in card.cells if "injected-parameters" not in c.metadata.get(
        "tags", [])] == [c.source for c in CARD.cells]
    assert 'school_id = "001"' in card.cells[1].source
    assert card.cells[2].outputs[0]["output_type"] == "display_data"  # executed, with outputs
    assert not (out / "notebooks" / "schools").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    for href in ["01_overview.html", "schools/001.html", "schools/002.html",
                 "shnor_mini_2024.xlsx", "tables/indicators.csv", "manifest.json"]:
        assert f'href="{href}"' in index
    assert "Набор данных: mini" in index and "профиль методики: sverdlovsk" in index
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["dataset"]["input_hashes"] == {"schools.csv": "0" * 64}
    assert manifest["profile"] == "sverdlovsk" and manifest["year"] == 2024
    assert manifest["packages"]["pandas"] and manifest["python"]
    assert {"load", "tables", "reports", "cards"} <= set(manifest["timing_seconds"])
    cards = manifest["cards"]  # how every card was made
    assert cards["schools"] == 2 and cards["template"] == runner.CARD_NOTEBOOK
    template = (root / "notebooks" / runner.CARD_NOTEBOOK).read_bytes()
    assert cards["template_sha256"] == hashlib.sha256(template).hexdigest()
    assert cards["parameters"]["processed_dir"] == "../processed" and cards["batch"] > 0
    assert manifest["outputs"]["index.html"] and "manifest.json" not in manifest["outputs"]
    assert not [p for p in root.iterdir() if p.name.startswith(".")]  # no temp folders left


def test_html_is_published_without_code_parameters_or_network(runs):
    out, _ = runs
    pages = [out / "01_overview.html", out / "schools" / "001.html",
             out / "schools" / "002.html", out / "index.html"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not URL.search(text), page
        assert "<script" not in text and "injected-parameters" not in text
        assert "processed_dir" not in text and "open_report" not in text  # no code
    overview = pages[0].read_text(encoding="utf-8")
    assert "<title>Обзор данных</title>" in overview
    assert "data:image/png;base64," in overview
    assert "Школ в справочнике" in overview
    card = pages[2].read_text(encoding="utf-8")
    assert "<b>Школа</b>" not in card and "&lt;b&gt;Школа&lt;/b&gt;" in card  # escaped
    assert 'href="../index.html"' in card and "Результаты школы" in card
    assert "<h1>Карточка школы: Школа № 1</h1>" in pages[1].read_text(encoding="utf-8")
    assert overview.count("<h1") == 1  # the notebook's own heading, no second title


def test_two_runs_give_identical_tables_and_html(runs):
    a, b = runs
    for pattern in ["tables/*.csv", "*.html", "schools/*.html"]:
        fa, fb = _files(a, pattern), _files(b, pattern)
        assert fa and fa == fb, pattern
    assert _files(a, "*.xlsx") == _files(b, "*.xlsx")


def test_missing_year_names_the_years(setup):
    root, kw = setup
    with pytest.raises(UserError, match=r"нет результатов за 2019 год.*2023, 2024"):
        runner.run_suite(**{**kw, "year": 2019}, out=root / "c")
    assert not (root / "c").exists()


def test_out_folder_with_other_files_is_not_replaced(setup):
    root, kw = setup
    folder = root / "documents"
    folder.mkdir()
    (folder / "план.docx").write_text("важно")
    with pytest.raises(UserError, match="не содержит отчёта shnor"):
        runner.run_suite(out=folder, **kw)
    assert (folder / "план.docx").read_text() == "важно"


def test_user_error_inside_a_report_notebook_stops_the_run_with_its_message(setup):
    # The reports run beside the cards: the report's error must still end the run, with the
    # notebook's own Russian message, and leave nothing behind.
    root, kw = setup
    notebooks = root / "failing"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook(metadata=CARD.metadata)
    params = nbformat.v4.new_code_cell("data = None\nyear = 2024", metadata={"tags": [
        "parameters"]})
    nb.cells = [params, nbformat.v4.new_code_cell(
        "from shnor.errors import UserError\n"
        "raise UserError('В таблице «social» нет 2024 года')")]
    nbformat.write(nb, notebooks / "01_fail.ipynb")
    nbformat.write(CARD, notebooks / runner.CARD_NOTEBOOK)
    with pytest.raises(UserError, match="В таблице «social» нет 2024 года"):
        runner.run_suite(**{**kw, "notebooks_dir": notebooks}, out=root / "failed")
    assert not (root / "failed").exists()
    assert not [p for p in root.iterdir() if p.name.startswith(".failed")]


def test_failed_run_leaves_the_previous_report(setup, runs, monkeypatch):
    root, kw = setup
    out, _ = runs
    before = _files(out, "**/*")

    def boom(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(runner, "execute_report", boom)
    with pytest.raises(RuntimeError, match="killed"):
        runner.run_suite(out=out, **kw)
    assert _files(out, "**/*") == before
    assert not [p for p in root.iterdir() if p.name.startswith(".")]


KILLED_RUN = """
import signal, sys, time
# as a run started from a terminal: a test runner started in the background ignores Ctrl+C,
# and its children would inherit that
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.path.insert(0, {tests!r})
from pathlib import Path
from shnor import cli
from shnor.pipeline import folders
from shnor.pipeline import suite as runner
from shnor.reporting.published import PUBLISHED
from conftest import small_dataset
runner._load_dataset = lambda path: small_dataset(Path(path))
runner.NOTEBOOKS_DIR = Path({notebooks!r})
runner.execute_report = lambda *args: time.sleep(120)  # the run hangs in the first report
sys.exit(cli.main(["run", "--data", {data!r}, "--year", "2024", "--out", {out!r}]))
"""


def _start_and_wait_for_half_written(target: Path, kw) -> subprocess.Popen:
    code = KILLED_RUN.format(tests=str(TESTS), data=str(kw["data"]), out=str(target),
                             notebooks=str(kw["notebooks_dir"]))
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(target.parent.glob(".report.tmp-*/*.xlsx")):  # half-written
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(proc.communicate()[1])
        time.sleep(0.1)
    return proc


def test_killed_run_leaves_the_previous_report_and_the_next_run_its_garbage(setup, runs):
    root, kw = setup
    target = root / "killed" / "report"
    shutil.copytree(runs[0], target)
    before = _files(target, "**/*")
    proc = _start_and_wait_for_half_written(target, kw)
    proc.kill()  # SIGKILL: nothing of the run can clean up
    proc.wait()
    assert _files(target, "**/*") == before
    leftover = list(target.parent.glob(".report.tmp-*"))
    assert len(leftover) == 1
    runner.run_suite(out=target, **kw)  # the next run removes what the killed one left
    assert [p.name for p in target.parent.iterdir()] == ["report"]


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_stopped_run_removes_its_temporary_folder(setup, runs, signum, code):
    root, kw = setup
    target = root / f"stopped-{signum}" / "report"
    shutil.copytree(runs[0], target)
    before = _files(target, "**/*")
    proc = _start_and_wait_for_half_written(target, kw)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code
    assert "Прервано" in err and "прежний отчёт не изменён" in err and "Traceback" not in err
    assert _files(target, "**/*") == before
    assert [p.name for p in target.parent.iterdir()] == ["report"]


def test_leftovers_of_live_runs_and_other_computers_are_kept(tmp_path):
    target = tmp_path / "report"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    names = [f".report.tmp-{folders._owner().rsplit('-', 1)[0]}-{dead.pid}-abc",
             f".report.old-{folders._owner().rsplit('-', 1)[0]}-{dead.pid}",
             f".report.tmp-{folders._owner()}-live",  # this process: a run still going
             f".report.tmp-other_computer-{dead.pid}-abc", ".report.tmp-abc", ".reports.tmp-x"]
    for name in names:
        (tmp_path / name).mkdir()
    assert sorted(p.name for p in folders.remove_leftovers(target)) == sorted(names[:2])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[2:])


def test_publication_mode_suppresses_small_counts(tmp_path):
    params = runner.load_config()
    tables = {"indicators": pd.DataFrame({"school_id": ["001", "002"], "grade": [5, 9],
                                          "participants": [40.0, 4.0],
                                          "share_fail": [0.1, 0.25]})}
    published = writing.published(tables, params, publication=True)
    assert writing.published(tables, params, publication=False) is tables
    path = safe_csv(published["indicators"], tmp_path / "indicators.csv")
    ind = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    assert ind["participants"].tolist() == ["40", "<5"]
    assert ind["share_fail"].tolist() == ["0.1", "0.25"]


# Real paths (issue «Real office files and real installs», items 3, 4, 7) ----------------------

def test_report_folder_holds_its_tables_and_the_appendix(runs):
    out, _ = runs
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["processed_dir"] == "processed"
    assert "processed/identification_flags.parquet" in manifest["outputs"]
    assert "Приложение_к_приказу_2024.docx" in manifest["outputs"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="Приложение_к_приказу_2024.docx"' in index and 'href="processed/"' in index
    nb = nbformat.read(out / "notebooks" / "01_overview.ipynb", as_version=4)
    injected = next(c.source for c in nb.cells if "injected-parameters" in c.metadata.get(
        "tags", []))
    assert 'processed_dir = "../processed"' in injected  # relative: the folder can move
    card = nbformat.read(out / "notebooks" / runner.CARD_NOTEBOOK, as_version=4)
    assert 'processed_dir = "../processed"' in card.cells[1].source


def test_executed_notebook_runs_again_from_a_moved_report_folder(runs, tmp_path):
    import papermill as pm

    moved = shutil.copytree(runs[0], tmp_path / "перенесённый отчёт")
    again = pm.execute_notebook(str(moved / "notebooks" / "01_overview.ipynb"),
                                str(tmp_path / "again.ipynb"), kernel_name="python3",
                                cwd=str(moved / "notebooks"), progress_bar=False)
    text = "".join(str(o.get("data", {}).get("text/html", "")) for c in again.cells
                   if c.cell_type == "code" for o in c.outputs)
    assert "Школ в справочнике" in text


def test_no_report_notebooks_is_a_russian_error(setup, tmp_path):
    _, kw = setup
    with pytest.raises(UserError, match="Не найдены шаблоны отчётов"):
        runner.run_suite(**{**kw, "notebooks_dir": tmp_path}, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_relative_out_with_reports_side_by_side_keeps_the_working_folder(setup, tmp_path,
                                                                         monkeypatch):
    # papermill's cwd= changed the working folder of the whole process while the workbook was
    # written from another thread: with a relative --out the run crashed
    _, kw = setup
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("01_overview.ipynb", "02_identification.ipynb"):
        shutil.copy(NOTEBOOKS_DIR / name, notebooks)
    nbformat.write(CARD, notebooks / runner.CARD_NOTEBOOK)
    work = tmp_path / "office"
    work.mkdir()
    monkeypatch.chdir(work)
    out = runner.run_suite(**{**kw, "notebooks_dir": notebooks}, out="отчёт/2024")
    assert Path.cwd() == work and out == work / "отчёт" / "2024"
    assert (out / "01_overview.html").exists() and (out / "02_identification.html").exists()
    assert (out / "shnor_mini_2024.xlsx").exists()
    assert sorted(p.name for p in work.iterdir()) == ["отчёт"]


def test_user_file_in_an_earlier_report_is_not_lost_without_force(setup, runs, tmp_path):
    _, kw = setup
    target = shutil.copytree(runs[0], tmp_path / "report")
    note = target / "Пояснительная записка.docx"
    note.write_text("моя записка")
    with pytest.raises(UserError, match="«Пояснительная записка.docx»") as error:
        runner.run_suite(out=target, **kw)
    assert "которых shnor не создавал" in str(error.value) and "--force" in str(error.value)
    assert note.read_text() == "моя записка"
    note.unlink()
    (target / "tables" / "indicators.csv").write_text("отредактировано")
    with pytest.raises(UserError, match="изменённые после расчёта: «tables/indicators.csv»"):
        runner.run_suite(out=target, **kw)
    note.write_text("моя записка")
    runner.run_suite(out=target, force=True, **kw)
    assert not note.exists() and (target / "manifest.json").exists()
    runner.run_suite(out=target, **kw)  # an unchanged report of shnor is replaced as before


def test_by_municipality_writes_a_report_per_municipality_linking_the_regions_cards(setup):
    root, kw = setup
    out = runner.run_suite(out=root / "by-municipality", by_municipality=True, **kw)
    index = (out / "index.html").read_text(encoding="utf-8")
    for name, folder in (("Город", "Город"), ("Район", "Район")):
        assert f'href="municipalities/{folder}/index.html">{name}</a>' in index
        own = out / "municipalities" / folder
        assert (own / "01_overview.html").exists()
        assert not (own / "schools").exists()  # the region's cards are linked instead
        assert {p.stem for p in (own / "tables").iterdir()} <= set(PUBLISHED)
    town = (out / "municipalities" / "Город" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../schools/001.html"' in town and "004.html" not in town
    assert (out / "schools" / "001.html").exists() and (out / "schools" / "002.html").exists()
