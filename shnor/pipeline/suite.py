"""``shnor run``: the yearly report suite for one dataset and year.

Steps: load and validate the data; compute every report's tables once
(:class:`shnor.analysis.run.Run`); write them to ``data/processed/<dataset>/<year>/`` (Parquet,
read by the notebooks) and to ``<out>/tables/`` (CSV, the SPEC output contract); write the Excel
workbook; execute the report notebooks ``notebooks/NN_*.ipynb`` with papermill (one kernel
each, two at a time) and export them to HTML; execute the school-card notebook for the listed
schools in long-lived kernels; write ``index.html`` and ``manifest.json``. Everything goes to a
temporary folder beside ``<out>`` that replaces it only when all steps succeeded
(:mod:`.folders`).
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pandas as pd

from shnor.analysis.reference import placement_warnings, read_reference, write_reference
from shnor.analysis.run import Run
from shnor.config import load_config
from shnor.indicators import ASSESSMENT
from shnor.io.contract import TABLES
from shnor.io.loading import load_dataset
from shnor.io.writers import safe_csv, write_workbook
from shnor.monitoring.cards import card_school_ids
from shnor.paths import DATA_PROCESSED, NOTEBOOKS_DIR, REPORTS_DIR
from shnor.pipeline.folders import check_target, replace_dir, temp_dir_beside
from shnor.pipeline.manifest import build_manifest, write_manifest
from shnor.pipeline.notebooks import KERNELS, execute_cards, execute_report
from shnor.reporting.formatting import suppress_small_counts
from shnor.reporting.html import export_html, html_exporter, notebook_title, write_index
from shnor.reporting.notebook import PARAMS_FILE, RUN_FILE
from shnor.reporting.sheets import workbook_sheets

CARD_NOTEBOOK = "school_card.ipynb"
REFERENCE_FILE = "reference.json"
STEPS = 6
CARD_PROGRESS_EVERY = 50


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
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet")
    (folder / PARAMS_FILE).write_text(json.dumps(params, ensure_ascii=False, indent=2,
                                                 default=str), encoding="utf-8")
    (folder / RUN_FILE).write_text(json.dumps(run, ensure_ascii=False, indent=2),
                                   encoding="utf-8")


def _published(tables: dict, params: dict, publication: bool) -> dict:
    if not publication:
        return tables
    threshold = params["publication"]["suppress_below"]
    return {name: suppress_small_counts(frame, threshold) for name, frame in tables.items()}


# HTML export -----------------------------------------------------------------------------------


# Notebook execution ----------------------------------------------------------------------------


# Index page ------------------------------------------------------------------------------------


# The suite -------------------------------------------------------------------------------------

def run_suite(data, year: int, out=None, profile: str | None = None, config_file=None,
              all_cards: bool = False, publication: bool = False, reference=None, *,
              notebooks_dir: Path | None = None, processed_root: Path | None = None) -> Path:
    """Run every report for ``data`` and ``year``; return the report folder.

    ``reference``: a ``reference.json`` of another run (a region) whose scale the schools are
    placed on. ``notebooks_dir`` and ``processed_root`` default to the project's
    ``notebooks/`` and ``data/processed/`` (tests point them elsewhere).
    """
    started = datetime.now(timezone.utc)
    timings: dict[str, float] = {}

    @contextmanager
    def timed(step: str):
        """Record the step's own duration (steps 3-5 overlap, so no running clock)."""
        begin = time.perf_counter()
        yield
        timings[step] = time.perf_counter() - begin

    notebooks_dir = Path(notebooks_dir or NOTEBOOKS_DIR)
    year = int(year)

    _progress(1, "Загрузка и проверка данных…")
    with timed("load"):
        params = load_config(profile, config_file)
        dataset = _load_dataset(data)
        scale = None if reference is None else read_reference(reference)
        run = Run(dataset, year, params, scale)
        if scale is not None:
            for warning in placement_warnings(scale, year, params["profile"],
                                              _assessments(dataset, year), run.replaced_sections):
                _warn(f"Внимание: {warning}.")
        target = Path(out) if out is not None else REPORTS_DIR / dataset.name / str(year)
        check_target(target)

    _progress(2, "Расчёт показателей и таблиц…")
    with timed("tables"):
        tables = run.tables()

    processed = Path(processed_root or DATA_PROCESSED) / dataset.name / str(year)
    run_info = {"dataset": dataset.name, "year": year, "profile": params["profile"],
                "publication": publication}
    with timed("processed"):
        tmp_processed = temp_dir_beside(processed)
        try:
            _write_processed(tmp_processed, tables, params, run_info)
            replace_dir(tmp_processed, processed)
        finally:
            shutil.rmtree(tmp_processed, ignore_errors=True)

    tmp = temp_dir_beside(target)
    try:
        meta = (f"Набор данных: {dataset.name} · год: {year} · профиль методики: "
                f"{params['profile']}" + (" · режим публикации" if publication else ""))
        parameters = {"data": str(Path(data).resolve()), "year": year, "profile": profile,
                      "config": None if config_file is None else str(Path(config_file).resolve()),
                      "processed_dir": str(processed.resolve())}
        workbook = f"shnor_{dataset.name}_{year}.xlsx"
        sources = sorted(p for p in notebooks_dir.glob("[0-9][0-9]_*.ipynb"))
        card_template = notebooks_dir / CARD_NOTEBOOK
        ids = card_school_ids(tables, all_cards) if card_template.exists() else []
        schools = dataset.schools.set_index("school_id")
        cards = schools.loc[ids, ["name", "municipality"]].reset_index()
        for folder in ("tables", "notebooks", *(("schools", "notebooks/schools") if ids else ())):
            (tmp / folder).mkdir()

        def write_tables() -> list[str]:
            with timed("tables_excel"):
                published = _published(tables, params, publication)
                csvs = []
                for name in sorted(published):
                    safe_csv(published[name], tmp / "tables" / f"{name}.csv")
                    csvs.append(f"{name}.csv")
                write_workbook(tmp / workbook, workbook_sheets(published))
            return csvs

        def run_report(src: Path) -> tuple[str, str]:
            nb = execute_report(src, tmp / "notebooks" / src.name, parameters, notebooks_dir)
            title = notebook_title(nb)
            export_html(html_exporter(), nb, tmp / f"{src.stem}.html", title, meta, "index.html")
            return f"{src.stem}.html", title

        def run_reports() -> list[tuple[str, str]]:
            # each report has its own kernel process
            with timed("reports"), ThreadPoolExecutor(KERNELS) as pool:
                return list(pool.map(run_report, sources))

        def run_cards() -> None:
            if not ids:
                return
            card_title = notebook_title(nbformat.read(card_template, as_version=4))
            exporter = html_exporter()
            done = []

            def save_card(school_id: str, nb) -> None:
                nbformat.write(nb, tmp / "notebooks" / "schools" / f"{school_id}.ipynb")
                export_html(exporter, nb, tmp / "schools" / f"{school_id}.html",
                            f"{card_title}: {schools.at[school_id, 'name']}", meta,
                            "../index.html")
                done.append(school_id)
                if len(done) % CARD_PROGRESS_EVERY == 0:
                    _progress(5, f"Карточки школ: {len(done)} из {len(ids)}…")

            execute_cards(card_template, [(sid, {**parameters, "school_id": sid})
                                          for sid in ids], notebooks_dir, save_card)

        # The three jobs share nothing but the tables and run side by side: the workbook in
        # this process, the notebooks in their kernels, so both cores stay busy.
        _progress(3, "Таблицы CSV и книга Excel…")
        _progress(4, f"Отчёты: {len(sources)} ({', '.join(s.stem for s in sources)})…")
        _progress(5, f"Карточки школ: {len(ids)}…")
        with timed("tables_reports_cards"):
            with ThreadPoolExecutor(2) as pool:
                jobs = [pool.submit(write_tables), pool.submit(run_reports)]
                with timed("cards"):
                    run_cards()
            csvs, reports = (job.result() for job in jobs)

        _progress(6, "Оглавление и манифест…")
        with timed("index"):
            write_index(tmp, f"ШНОР: отчёты за {year} год", meta, reports, cards, workbook,
                        csvs)
        write_reference(tmp / REFERENCE_FILE, run.reference())
        manifest = build_manifest(dataset=dataset, year=year, params=params,
                                  publication=publication, all_cards=all_cards,
                                  timings=timings, started=started, out_dir=tmp,
                                  processed_dir=processed.resolve(),
                                  reference=None if reference is None else Path(reference))
        write_manifest(tmp / "manifest.json", manifest)
        replace_dir(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
