"""``shnor run``: the yearly report suite for one dataset and year.

Steps: check the report folder ``<out>`` (it can be written; it holds nothing the user would
lose) and the report notebooks; load and validate the data; compute every report's tables once
(:class:`shnor.analysis.run.Run`); write them to ``<out>/processed/`` (Parquet, read by the
notebooks: the folder of derived tables belongs to the report, never to the installation or the
source tree) and the described ones to ``<out>/tables/`` (CSV,
:mod:`shnor.reporting.published`); write the Excel workbook and the appendix to the order
(DOCX); meanwhile, in two lanes of one kernel each (:func:`_lanes`), execute the report
notebooks ``NN_*.ipynb`` (shipped with the package, :data:`shnor.paths.NOTEBOOKS_DIR`) with
papermill (a kernel each) and export them to HTML, then render the school cards of the listed
schools in batches (:func:`shnor.pipeline.notebooks.card_batches`); write ``index.html`` and
``manifest.json``. Everything goes to a temporary folder beside ``<out>`` that replaces it only
when all steps succeeded; an interrupted run removes it, and the next run removes one that a
killed run left (:mod:`.folders`).

The notebooks find their tables by a path relative to their own folder (``../processed``), and
their kernels run in that folder, so the executed notebooks in ``<out>/notebooks/`` can be run
again from the report folder, wherever it was moved.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import re
import sys
import threading
import time
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from shnor.analysis.reference import placement_warnings, read_reference, write_reference
from shnor.analysis.run import Run
from shnor.analysis.scope import check_municipality, municipality_names, scoped_tables
from shnor.config import load_config
from shnor.errors import UserError
from shnor.indicators import ASSESSMENT
from shnor.io.contract import TABLES
from shnor.io.files import sha256
from shnor.io.loading import load_dataset
from shnor.monitoring.cards import card_school_ids
from shnor.paths import NOTEBOOKS_DIR, REPORTS_DIR
from shnor.pipeline.folders import (
    check_target,
    remove_leftovers,
    remove_tree,
    replace_dir,
    temp_dir_beside,
)
from shnor.pipeline.manifest import build_manifest, write_manifest
from shnor.pipeline.notebooks import (
    CARD_BATCH,
    KERNELS,
    card_batches,
    execute_report,
    kill_card_kernels,
    render_card_queue,
)
from shnor.pipeline.writing import start_writer, write_tables
from shnor.reporting.html import export_html, html_exporter, notebook_title, write_index
from shnor.reporting.notebook import PARAMS_FILE, RUN_FILE
from shnor.reporting.order import order_file

CARD_NOTEBOOK = "school_card.ipynb"
PROCESSED = "processed"  # the derived tables (Parquet) inside each report folder
REFERENCE_FILE = "reference.json"
MUNICIPALITIES = "municipalities"  # folder of the municipal reports of --by-municipality
STEPS = 6
CARD_PROGRESS_EVERY = 500


def _progress(step: int, text: str) -> None:
    print(f"[{step}/{STEPS}] {text}", file=sys.stderr, flush=True)


# Tables ----------------------------------------------------------------------------------------

def _warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _assessments(dataset, year: int) -> pd.Index:
    r = dataset.results[dataset.results["year"] == year]
    return pd.MultiIndex.from_frame(r[list(ASSESSMENT)].drop_duplicates()).sort_values()


def _load_dataset(path):
    dataset = load_dataset(path, exclude_invalid_optional=True)
    for table, problems in dataset.excluded.items():
        print(f"Внимание: таблица «{TABLES[table].title}» исключена из расчёта, ошибок: "
              f"{len(problems)} (первая: {problems[0]}). Полный список: shnor validate {path}",
              file=sys.stderr, flush=True)
    return dataset


def _write_processed(folder: Path, tables: dict, params: dict, run: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet")
    (folder / PARAMS_FILE).write_text(json.dumps(params, ensure_ascii=False, indent=2,
                                                 default=str), encoding="utf-8")
    (folder / RUN_FILE).write_text(json.dumps(run, ensure_ascii=False, indent=2),
                                   encoding="utf-8")


def _new_temp_dir(target: Path) -> Path:
    """The run's temporary folder beside ``target``, after removing those of killed runs."""
    for path in remove_leftovers(target):
        _warn(f"Удалена временная папка прерванного ранее расчёта: «{path}».")
    return temp_dir_beside(target)


def _give_back_memory() -> None:
    """Return the freed heap to the system: glibc keeps it otherwise, and at national size the
    released computation (~1 GB) would stay with the runner while the kernels work."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl): nothing to give back
        pass


def _wait_until(ready, poll: float = 0.2) -> None:
    """Wait in the main thread until ``ready()``, waking up every ``poll`` seconds: a signal
    (Ctrl+C, SIGTERM) may be delivered to another thread of the process, and Python runs its
    handler in the main thread only when that thread runs, not while it blocks on a lock."""
    while not ready():
        time.sleep(poll)


def _background(fn, *args) -> Future:
    """``fn(*args)`` in a daemon thread. An interrupted run (Ctrl+C, a termination signal)
    then ends at once instead of waiting for a report that is still executing; its kernel
    stops when it sees its parent process gone."""
    future: Future = Future()

    def work() -> None:
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            future.set_exception(exc)

    threading.Thread(target=work, daemon=True).start()
    return future


def _lanes(run_report, sources: list, batches, cwd: Path, on_batch,
           kernels: int = KERNELS) -> tuple[list, dict[str, float]]:
    """Execute the report notebooks and render the batches of cards (:func:`card_batches`, or
    None) in ``kernels`` lanes, each with one kernel alive at a time: a lane executes reports
    while any is left (``run_report(source)``), then renders batches of cards until none is
    left. Return the results of ``run_report`` in the order of ``sources`` and how long the
    reports and the cards took (seconds; the cards from the first lane that began them).

    At most ``kernels`` kernels hold tables at once, and the lanes leave the runner's own
    thread free for the workbook, so both cores stay busy."""
    jobs, results = iter(enumerate(sources)), [None] * len(sources)
    lock = threading.Lock()
    begin = time.perf_counter()
    ends: dict[str, list[float]] = {"reports": [], "cards": []}

    def lane() -> None:
        while True:
            with lock:
                job = next(jobs, None)
            if job is None:
                break
            results[job[0]] = run_report(job[1])
        ends["reports"].append(time.perf_counter())
        if batches is not None:
            render_card_queue(batches, cwd, on_batch)
            ends["cards"].append(time.perf_counter())

    try:
        for job in [_background(lane) for _ in range(max(1, kernels))]:
            _wait_until(job.done)
            job.result()
    except BaseException:  # an error or an interrupt: the other lane's card kernel goes too
        kill_card_kernels()
        raise
    took = {"reports": max(ends["reports"]) - begin}
    if ends["cards"]:
        took["cards"] = max(ends["cards"]) - min(ends["reports"])
    return results, took


# The suite -------------------------------------------------------------------------------------

def folder_name(municipality: str) -> str:
    """A folder name for a municipality's report: its name with characters that file systems
    refuse replaced by «_» (Cyrillic stays readable)."""
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", municipality).strip("._")
    return name or "municipality"


def report_notebooks(notebooks_dir: Path) -> list[Path]:
    """The report notebooks ``NN_*.ipynb`` of ``notebooks_dir``, in order; a Russian error when
    there are none (an incomplete installation), before anything is computed."""
    sources = sorted(Path(notebooks_dir).glob("[0-9][0-9]_*.ipynb"))
    if not sources:
        raise UserError(f"Не найдены шаблоны отчётов (блокноты NN_*.ipynb) в папке "
                        f"«{notebooks_dir}»: пакет shnor установлен не полностью. Переустановите "
                        "его (pip install --force-reinstall shnor или из папки проекта: "
                        "pip install .).")
    return sources


class _Timings(dict):
    """The duration of each step of a run, in seconds (steps 3-5 overlap, so no running
    clock): step → seconds, summed over the step's parts (the municipal reports)."""

    def record(self, step: str, seconds: float) -> None:
        self[step] = self.get(step, 0.0) + seconds

    @contextmanager
    def timed(self, step: str):
        begin = time.perf_counter()
        yield
        self.record(step, time.perf_counter() - begin)


@dataclass
class _Report:
    """What one report folder needs: its folder (relative to the run's), tables and texts."""

    folder: Path
    tables: dict
    meta: str
    title: str
    scope: str = ""             # what the lists cover, for the appendix to the order
    cards: bool = True          # a municipal report of a batch links to the region's cards
    card_ids: list = field(default_factory=list)  # the schools that get a card
    schools: int = 0            # schools reported on
    home: str | None = None     # index of the regional report, for a municipal one


def run_suite(data, year: int, out=None, profile: str | None = None, config_file=None,
              all_cards: bool = False, publication: bool = False, reference=None,
              municipality: str | None = None, by_municipality: bool = False,
              force: bool = False, *, notebooks_dir: Path | None = None,
              processed_root: Path | None = None) -> Path:
    """Run every report for ``data`` and ``year``; return the report folder (absolute).

    ``out``: the report folder (default ``reports/<набор>/<год>/`` in the current folder).
    ``reference``: a ``reference.json`` of another run (a region) whose scale the schools are
    placed on. ``municipality``: report on that municipality's schools only, computed over the
    whole dataset; ``by_municipality``: besides the region's report, one such report per
    municipality under ``municipalities/``. ``force``: replace ``out`` even if it holds files
    an earlier run did not write. ``notebooks_dir`` defaults to the notebooks shipped with the
    package (tests point it elsewhere). ``processed_root`` is accepted for older callers and
    ignored: the derived tables are written into the report folder (``processed/``).
    """
    started = datetime.now(timezone.utc)
    timings = _Timings()
    timed = timings.timed
    del processed_root  # the derived tables belong to the report folder
    notebooks_dir = Path(notebooks_dir or NOTEBOOKS_DIR).resolve()
    year = int(year)
    if municipality is not None and by_municipality:
        raise UserError("Укажите либо --municipality (отчёт по одному муниципалитету), либо "
                        "--by-municipality (отчёты по всем), но не оба.")
    sources = report_notebooks(notebooks_dir)
    keep = (data, config_file, reference)  # inputs: never inside a folder the report replaces
    target = tmp = None
    if out is not None:  # before loading: an --out that cannot be used is told at once
        target = Path(os.path.abspath(out))
        check_target(target, force, keep)
        tmp = _new_temp_dir(target)  # the real test that the folder can be written
    try:
        _progress(1, "Загрузка и проверка данных…")
        with timed("load"):
            params = load_config(profile, config_file)
            dataset = _load_dataset(data)
            scale = None if reference is None else read_reference(reference)
            run = Run(dataset, year, params, scale)
            if scale is not None:
                for warning in placement_warnings(scale, year, params["profile"],
                                                  _assessments(dataset, year),
                                                  run.replaced_sections):
                    _warn(f"Внимание: {warning}.")
            if municipality is not None:
                check_municipality(dataset, municipality)
            name = str(year) if municipality is None else f"{year}-{folder_name(municipality)}"
            if target is None:  # the default folder is named after the dataset
                target = Path(os.path.abspath(REPORTS_DIR / dataset.name / name))
                check_target(target, force, keep)
                # created now: a folder that cannot be written stops the run before the
                # computation
                tmp = _new_temp_dir(target)

        _progress(2, "Расчёт показателей и таблиц…")
        with timed("tables"):
            tables = run.tables() if municipality is None else scoped_tables(run, municipality)
            batch = ([(m, folder_name(m), scoped_tables(run, m))
                      for m in municipality_names(dataset)] if by_municipality else [])

        meta = (f"Набор данных: {dataset.name} · год: {year} · профиль методики: "
                f"{params['profile']}" + (" · режим публикации" if publication else ""))
        title = f"ШНОР: отчёты за {year} год"
        main = _Report(Path("."), tables,
                       meta if municipality is None else f"{meta} · муниципалитет: {municipality}",
                       title if municipality is None else f"{title}: {municipality}",
                       scope=(f"Набор данных «{dataset.name}»" if municipality is None
                              else f"Муниципалитет: {municipality}"))
        reports = [main] + [
            _Report(Path(MUNICIPALITIES) / folder, scoped, f"{meta} · муниципалитет: {m}",
                    f"{title}: {m}", scope=f"Муниципалитет: {m}", cards=False,
                    home="../../index.html")
            for m, folder, scoped in batch]
        towns = [m for m, _, _ in batch]
        del tables, batch  # the reports hold them, until they are written to processed/
        with timed("processed"):
            for r in reports:
                _write_processed(tmp / r.folder / PROCESSED, r.tables, params, {
                    "dataset": dataset.name, "year": year, "profile": params["profile"],
                    "publication": publication, "municipality": municipality})
        # The rest reads the tables from processed/ (the notebooks, the cards, the process
        # that writes CSV, Excel and DOCX): the computation, the input tables and the tables
        # are let go, so the runner holds little while the kernels run at national size.
        scale_of_run = run.reference()
        del run
        dataset = dataset.without_tables()
        has_card = (notebooks_dir / CARD_NOTEBOOK).exists()
        for r in reports:
            r.card_ids = card_school_ids(r.tables, all_cards) if has_card else []
            r.schools = len(r.tables["identification"])
            r.tables = {}
        _give_back_memory()

        settings = {"data": str(Path(data).resolve()), "year": year, "profile": profile,
                    "config": None if config_file is None else str(Path(config_file).resolve())}
        made = []  # how each report's cards were made; only the region's report has cards
        for i, r in enumerate(reports):
            if i == 1:
                _progress(6, f"Отчёты по муниципалитетам: {len(towns)}…")
            made.append(_write_report(
                tmp / r.folder, r, dataset, params, settings, sources, notebooks_dir,
                all_cards, publication, timings, quiet=i > 0,
                municipalities=[(x.folder.as_posix(), m, x.schools)
                                for x, m in zip(reports[1:], towns)]
                if i == 0 else ()))
        write_reference(tmp / REFERENCE_FILE, scale_of_run)
        manifest = build_manifest(dataset=dataset, year=year, params=params,
                                  publication=publication, all_cards=all_cards,
                                  timings=timings, started=started, out_dir=tmp,
                                  processed_dir=Path(PROCESSED),
                                  reference=None if reference is None else Path(reference),
                                  municipality=municipality, cards=made[0])
        write_manifest(tmp / "manifest.json", manifest)
        replace_dir(tmp, target)
    finally:
        if tmp is not None:
            remove_tree(tmp)
    return target


def _write_report(out: Path, r: _Report, dataset, params: dict, settings: dict,
                  sources: list[Path], notebooks_dir: Path, all_cards: bool, publication: bool,
                  timings: _Timings, quiet: bool = False, municipalities=()) -> dict | None:
    """One report folder: CSV tables and the workbook beside the report notebooks and the
    school cards (:func:`_lanes`), then the index page; return how the cards were made (for the
    manifest), or None without cards."""
    out.mkdir(parents=True, exist_ok=True)
    # relative to the kernel's folder, which is the executed notebook's own: the notebooks of
    # the report folder run again from there (wherever the folder is moved)
    parameters = {**settings, "processed_dir": f"../{PROCESSED}"}
    workbook = f"shnor_{dataset.name}_{settings['year']}.xlsx"
    order = order_file(settings["year"])
    card_template = notebooks_dir / CARD_NOTEBOOK
    ids = r.card_ids
    schools = dataset.schools.set_index("school_id")
    cards = schools.loc[ids, ["name", "municipality"]].reset_index()
    with_cards = r.cards and bool(ids)
    for folder in ("tables", "notebooks", *(("schools",) if with_cards else ())):
        (out / folder).mkdir()
    progress = (lambda step, text: None) if quiet else _progress
    home = "index.html"

    def run_report(src: Path) -> tuple[str, str]:
        nb = execute_report(src, out / "notebooks" / src.name, parameters, out / "notebooks")
        title = notebook_title(nb)
        export_html(html_exporter(), nb, out / f"{src.stem}.html", title, r.meta, home)
        return f"{src.stem}.html", title

    batches = (card_batches(card_template, parameters,
                            {sid: str(schools.at[sid, "name"]) for sid in ids}, out / "schools",
                            r.meta, "../index.html", out / "notebooks" / CARD_NOTEBOOK)
               if with_cards else None)
    done, lock = [0], threading.Lock()

    def batch_done(n: int) -> None:
        with lock:
            before, done[0] = done[0], done[0] + n
        if before // CARD_PROGRESS_EVERY != done[0] // CARD_PROGRESS_EVERY:
            progress(5, f"Карточки школ: {done[0]} из {len(ids)}…")

    progress(3, "Таблицы CSV, книга Excel и приложение к приказу…")
    progress(4, f"Отчёты: {len(sources)} ({', '.join(s.stem for s in sources)})…")
    progress(5, f"Карточки школ: {len(ids) if with_cards else 0}…")
    with timings.timed("tables_reports_cards"):
        pool = start_writer()
        try:
            writer = pool.apply_async(write_tables, (
                out, out / PROCESSED, params, publication, workbook, order, settings["year"],
                r.scope, r.meta))
            links, took = _lanes(run_report, sources, batches, out / "notebooks", batch_done)
            _wait_until(writer.ready)
            written = writer.get()
        finally:
            pool.terminate()  # at once when the run stops; the job is done otherwise
    if not quiet:
        for warning in written["warnings"]:
            _warn(warning)
    csvs = written["csvs"]
    for step, seconds in [("tables_excel", written["seconds"]), *took.items()]:
        timings.record(step, seconds)

    progress(6, "Оглавление и манифест…")
    with timings.timed("index"):
        write_index(out, r.title, r.meta, links, cards, workbook, csvs,
                    municipalities=list(municipalities), order=order,
                    cards_href="schools/" if r.cards else "../../schools/", home=r.home,
                    card_rows=params["publication"]["index_card_rows"])
    if not with_cards:
        return None
    return {"schools": len(ids), "pages": "schools/<код ОО>.html",
            "template": CARD_NOTEBOOK, "template_sha256": sha256(card_template),
            "executed_example": f"notebooks/{CARD_NOTEBOOK}",
            "parameters": parameters, "kernels": KERNELS, "batch": CARD_BATCH,
            "method": ("the template's code cells executed for each school, with its school_id "
                       "injected as papermill does, in the IPython shell of a kernel that "
                       "receives one request per batch (shnor.reporting.cardbook); pages "
                       "exported with the reports' nbconvert exporter")}
