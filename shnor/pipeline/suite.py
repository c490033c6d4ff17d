"""``shnor run``: the yearly report suite for one dataset and year.

Steps: load and validate the data; compute every report's tables once in the library; write
them to ``data/processed/<dataset>/<year>/`` (Parquet, read by the notebooks) and to
``<out>/tables/`` (CSV, the SPEC output contract); write the Excel workbook; execute the
report notebooks ``notebooks/NN_*.ipynb`` with papermill (one kernel each, two at a time) and
export them to HTML; execute the school-card notebook for the listed schools in long-lived
kernels (a kernel per core, not per card); write ``index.html`` and ``manifest.json``. Everything goes to a temporary folder beside ``<out>`` that replaces it only
when all steps succeeded, so an interrupted run leaves the previous report as it was.
"""

from __future__ import annotations

import asyncio
import copy
import html
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import import_module
from pathlib import Path

import pandas as pd

from shnor.config import load_config
from shnor.io.contract import TABLES
from shnor.errors import UserError
from shnor.io.writers import safe_csv, write_workbook
from shnor.pipeline.manifest import build_manifest, write_manifest
from shnor.paths import DATA_PROCESSED, NOTEBOOKS_DIR, REPORTS_DIR
from shnor.reporting.notebook import PARAMS_FILE, RUN_FILE, suppress_small_counts
from shnor.analysis.shared import report_tables

# Report modules, in report order. Each has `<name>_tables(dataset, year, params, computed=None)`
# (``computed``: the tables of the reports before it, to reuse) and `<name>_sheets(tables)`;
# this list is the one place that names them.
REPORT_MODULES = {"overview": "shnor.analysis.overview", "identification": "shnor.identification.core",
                  "differentiation": "shnor.analysis.differentiation", "monitoring": "shnor.monitoring.core"}

CARD_NOTEBOOK = "school_card.ipynb"
KERNEL = "python3"
CELL_TIMEOUT = 600  # seconds per notebook cell; a stuck cell fails the run instead of hanging
KERNELS = min(2, os.cpu_count() or 1)  # kernels run in parallel; the SPEC's machine has 2 cores
HIDDEN_TAGS = {"parameters", "injected-parameters"}
# The kernel's start-up warning about unencrypted localhost TCP would clutter the progress lines;
# the connection is still authenticated with the key of the connection file.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"]
STEPS = 6
CARD_PROGRESS_EVERY = 50


def _progress(step: int, text: str) -> None:
    print(f"[{step}/{STEPS}] {text}", file=sys.stderr, flush=True)


# Tables ----------------------------------------------------------------------------------------

def _load_dataset(path):
    from shnor.io.loading import load_dataset

    dataset = load_dataset(path, exclude_invalid_optional=True)
    for table, problems in dataset.excluded.items():
        print(f"Внимание: таблица «{TABLES[table].title}» исключена из расчёта, ошибок: "
              f"{len(problems)} (первая: {problems[0]}). Полный список: shnor validate {path}",
              file=sys.stderr, flush=True)
    return dataset


def build_tables(dataset, year: int, params: dict) -> dict[str, pd.DataFrame]:
    """Every table of every report, computed once (names are unique across reports); each report
    receives the tables of the reports before it, with the working frames of :mod:`shnor.analysis.shared`
    (left out of the result)."""
    tables: dict[str, pd.DataFrame] = {}
    for name in REPORT_MODULES:
        module = import_module(REPORT_MODULES[name])
        produced = getattr(module, f"{name}_tables")(dataset, year, params, dict(tables))
        clash = sorted(set(produced) & set(tables))
        if clash:
            raise RuntimeError(f"Report «{name}» repeats table names {clash}")
        tables.update(produced)
    return report_tables(tables)


def build_sheets(tables: dict[str, pd.DataFrame]) -> list:
    sheets = []
    for name in REPORT_MODULES:
        module = import_module(REPORT_MODULES[name])
        sheets += getattr(module, f"{name}_sheets")(tables)
    return sheets


def check_year(dataset, year: int) -> None:
    if year not in dataset.years:
        years = ", ".join(map(str, dataset.years)) or "нет ни одного"
        raise UserError(f"В наборе данных «{dataset.name}» нет результатов за {year} год. "
                        f"Годы с результатами: {years}.")


def prepare(data, year: int, profile: str | None = None, config_file=None):
    """Parameters, validated dataset and all tables: ``(dataset, params, tables)``."""
    params = load_config(profile, config_file)
    dataset = _load_dataset(data)
    check_year(dataset, year)
    return dataset, params, build_tables(dataset, year, params)


# Folders ---------------------------------------------------------------------------------------

def _temp_dir_beside(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))


def _replace_dir(new: Path, target: Path) -> None:
    """Put ``new`` in place of ``target``: two renames, the old folder removed afterwards."""
    os.chmod(new, 0o755)  # mkdtemp creates 0700
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def check_target(target: Path) -> None:
    """Refuse to replace a folder that is neither empty nor an earlier shnor report: the new
    report takes the folder's place, and a mistyped ``--out`` must not delete user files."""
    if target.exists() and not target.is_dir():
        raise UserError(f"«{target}» — это файл, а не папка; укажите папку для отчёта.")
    if target.is_dir() and any(target.iterdir()) and not (target / "manifest.json").exists():
        raise UserError(f"Папка «{target}» не пуста и не содержит отчёта shnor (нет "
                        "manifest.json); она была бы заменена отчётом. Укажите новую или "
                        "пустую папку.")


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

CSS = """
body{font-family:"PT Sans","Segoe UI",Arial,sans-serif;margin:0;color:#222;background:#fff;
line-height:1.45}
main{max-width:1120px;margin:0 auto;padding:12px 24px 48px}
header.shnor-head{border-bottom:2px solid #0072B2;margin-bottom:12px;padding:8px 0}
header.shnor-head h1{margin:4px 0;font-size:1.7em}
.shnor-meta,.shnor-nav{color:#555;font-size:.9em}
.shnor-nav a{color:#0072B2}
h1{font-size:1.5em}h2{font-size:1.3em;margin-top:1.6em}h3{font-size:1.1em}
img{max-width:100%;height:auto}
.shnor-table-wrap{overflow-x:auto;max-height:36em;margin:6px 0 14px}
table{border-collapse:collapse;font-size:.85em}
th,td{border-bottom:1px solid #d7dbe0;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eef2f6;position:sticky;top:0}
tbody tr:nth-child(even) td{background:#f8f9fb}
.shnor-note{color:#666;font-size:.85em}
pre{background:#f6f6f6;padding:8px;overflow-x:auto;font-size:.85em}
ul.shnor-files li{margin:2px 0}
details summary{cursor:pointer;color:#0072B2;margin:6px 0}
@media print{.shnor-table-wrap{max-height:none;overflow:visible}th{position:static}}
"""

# A minimal template: outputs and markdown only (no code, no prompts, no scripts, no links out).
HTML_TEMPLATE = """{%- extends 'display_priority.j2' -%}
{%- block header -%}
<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ resources.shnor.title | e }}</title>
<style>{{ resources.shnor.css }}</style>
</head>
<body>
<main>
<header class="shnor-head">
<div class="shnor-nav"><a href="{{ resources.shnor.home }}">← Оглавление отчёта</a></div>
{%- if resources.shnor.show_title %}
<h1>{{ resources.shnor.title | e }}</h1>
{%- endif %}
<div class="shnor-meta">{{ resources.shnor.meta | e }}</div>
</header>
{%- endblock header -%}
{%- block input_group -%}{%- endblock input_group -%}
{%- block markdowncell scoped -%}
<section class="md">{{ cell.source | markdown2html | strip_files_prefix }}</section>
{% endblock markdowncell -%}
{%- block rawcell scoped -%}{%- endblock rawcell -%}
{%- block stream_stdout scoped -%}<pre>{{ output.text | e }}</pre>
{% endblock stream_stdout -%}
{%- block stream_stderr scoped -%}{%- endblock stream_stderr -%}
{%- block error scoped -%}<p class="shnor-note">Ошибка при выполнении: {{ output.ename | e }}</p>
{% endblock error -%}
{%- block execute_result scoped -%}{%- block data_priority scoped -%}{{ super() }}{%- endblock data_priority -%}{%- endblock execute_result -%}
{%- block data_png scoped -%}<div class="fig"><img alt="" src="data:image/png;base64,{{ output.data['image/png'] | replace('\\n', '') }}"></div>
{% endblock data_png -%}
{%- block data_jpg scoped -%}<div class="fig"><img alt="" src="data:image/jpeg;base64,{{ output.data['image/jpeg'] | replace('\\n', '') }}"></div>
{% endblock data_jpg -%}
{%- block data_svg scoped -%}<div class="fig"><img alt="" src="data:image/svg+xml;base64,{{ output.data['image/svg+xml'] | b64_text }}"></div>
{% endblock data_svg -%}
{%- block data_html scoped -%}{{ output.data['text/html'] }}
{% endblock data_html -%}
{%- block data_markdown scoped -%}{{ output.data['text/markdown'] | markdown2html }}
{% endblock data_markdown -%}
{%- block data_text scoped -%}<pre>{{ output.data['text/plain'] | e }}</pre>
{% endblock data_text -%}
{%- block data_javascript scoped -%}{%- endblock data_javascript -%}
{%- block data_widget_view scoped -%}{%- endblock data_widget_view -%}
{%- block footer -%}
</main>
</body>
</html>
{% endblock footer -%}
"""


def _b64_text(text: str) -> str:
    import base64

    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def html_exporter():
    """An nbconvert exporter for publication: the template above, nothing else.

    Two of ``HTMLExporter``'s steps are skipped because they do nothing for this template and
    cost five sixths of a school card's export (~18 of ~21 ms): its preprocessors (each one
    re-validates the notebook; hidden cells are dropped by :func:`export_html`) and its final
    BeautifulSoup pass (it adds JupyterLab accessibility attributes to elements this template
    does not have).
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter

    class PublicationExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    # Without heading anchors: nbconvert builds them with ElementTree, which writes Cyrillic
    # headings as numeric character references.
    exporter = PublicationExporter(exclude_input=True, exclude_input_prompt=True,
                                   exclude_output_prompt=True, exclude_anchor_links=True,
                                   default_preprocessors=[], filters={"b64_text": _b64_text})
    exporter.raw_template = HTML_TEMPLATE
    return exporter


def notebook_title(nb) -> str:
    return nb.metadata.get("shnor", {}).get("title") or "Отчёт"


def export_html(exporter, nb, path: Path, title: str, meta: str, home: str) -> Path:
    """Write ``nb`` as a self-contained HTML page (hidden cells and papermill metadata dropped)."""
    nb = copy.copy(nb)
    nb.cells = [c for c in nb.cells if not HIDDEN_TAGS & set(c.metadata.get("tags", []))]
    has_h1 = any(c.cell_type == "markdown" and c.source.lstrip().startswith("# ")
                 for c in nb.cells)
    body, _ = exporter.from_notebook_node(nb, resources={"shnor": {
        "title": title, "meta": meta, "home": home, "css": CSS, "show_title": not has_h1}})
    path.write_text(body, encoding="utf-8")
    return path


# Notebook execution ----------------------------------------------------------------------------

def _raise_notebook_error(name: str, ename: str, evalue: str) -> None:
    if ename in ("UserError", "ValidationFailed"):
        raise UserError(evalue)
    raise RuntimeError(f"блокнот «{name}» завершился с ошибкой {ename}: {evalue}")


def execute_report(src: Path, dst: Path, parameters: dict, cwd: Path):
    """Execute one report notebook with papermill (its own kernel); return the executed nb."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    # papermill warns that it cannot parse the commented parameters cell; that is harmless
    logging.getLogger("papermill").setLevel(logging.ERROR)
    try:
        return pm.execute_notebook(
            str(src), str(dst), parameters=parameters, kernel_name=KERNEL, cwd=str(cwd),
            execution_timeout=CELL_TIMEOUT, progress_bar=False, log_output=False,
            extra_arguments=KERNEL_ARGUMENTS,
        )
    except PapermillExecutionError as exc:
        _raise_notebook_error(src.name, exc.ename, exc.evalue)


# Runs before each card: removes every name the previous card defined. (``%reset -f`` would do
# too, but it runs a full garbage collection, ~0.2 s per card with the tables in memory.)
RESET_CODE = """\
_shnor_ns = get_ipython().user_ns
_shnor_ns.setdefault("_shnor_base", set(_shnor_ns) | {"_shnor_base", "_shnor_name"})
for _shnor_name in set(_shnor_ns) - _shnor_ns["_shnor_base"]:
    del _shnor_ns[_shnor_name]"""


async def _card_worker(template, jobs, cwd: Path, on_done) -> None:
    """Execute ``template`` once per (key, parameters) job in ONE kernel, clearing the user
    namespace between cards; ``on_done(key, nb)`` receives each executed notebook."""
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from papermill.parameterize import parameterize_notebook

    km = AsyncKernelManager(kernel_name=KERNEL)
    await km.start_kernel(cwd=str(cwd), extra_arguments=KERNEL_ARGUMENTS)
    kc = km.client()  # one client for all cards: a new one costs a readiness handshake
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        for key, parameters in jobs:
            nb = parameterize_notebook(copy.deepcopy(template), parameters,
                                       kernel_name=KERNEL, language="python")
            # The reset runs at the top of the first code cell (one round trip fewer than a
            # cell of its own); the saved notebook gets the cell's own source back.
            first = next(c for c in nb.cells if c.cell_type == "code")
            source = first.source
            first.source = f"{RESET_CODE}\n{source}"
            client = NotebookClient(nb, km=km, timeout=CELL_TIMEOUT, kernel_name=KERNEL,
                                    resources={"metadata": {"path": str(cwd)}})
            client.kc = kc
            try:
                await client.async_execute()
            except CellExecutionError as exc:
                _raise_notebook_error(f"{template.metadata.get('shnor', {}).get('title')} "
                                      f"{key}", exc.ename, exc.evalue)
            first.source = source
            on_done(key, nb)
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


def execute_cards(template_path: Path, jobs: list[tuple[str, dict]], cwd: Path, on_done,
                  kernels: int = KERNELS) -> None:
    """Execute the card notebook for every job on ``kernels`` long-lived kernels in parallel
    (jobs dealt round-robin); a kernel start and the imports are paid once per kernel."""
    from papermill.iorw import load_notebook_node

    template = load_notebook_node(str(template_path))  # with the metadata papermill expects
    shares = [jobs[i::kernels] for i in range(max(1, min(kernels, len(jobs))))]

    async def run_all() -> None:
        await asyncio.gather(*(_card_worker(template, share, cwd, on_done) for share in shares))

    asyncio.run(run_all())


def _card_school_ids(tables: dict, all_cards: bool) -> list[str]:
    from shnor.monitoring.core import card_school_ids

    return list(card_school_ids(tables, all_cards))


# Index page ------------------------------------------------------------------------------------

def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


# The tables of the SPEC output contract and of the programme, first on the index page.
MAIN_TABLES = {
    "identification.csv": "выявление: списки и основания, по строке на школу",
    "differentiation.csv": "дифференциация: ИСБШ, группа качества, кластер, типология",
    "indicators.csv": "показатели по школам, годам и процедурам",
    "programme.csv": "показатели муниципальной программы",
    "programme_summary.csv": "итоговые баллы и уровень эффективности программы",
}


def write_index(out: Path, title: str, meta: str, reports: list[tuple[str, str]],
                cards: pd.DataFrame, workbook: str, csvs: list[str]) -> Path:
    """``index.html``: every report, card, table, the workbook, notebooks and the manifest."""
    parts = [
        "<!DOCTYPE html>", '<html lang="ru">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
        "<main>", '<header class="shnor-head">', f"<h1>{html.escape(title)}</h1>",
        f'<div class="shnor-meta">{html.escape(meta)}</div>', "</header>",
        "<h2>Отчёты</h2>", '<ul class="shnor-files">',
        *[f"<li>{_link(href, text)}</li>" for href, text in reports],
        "</ul>",
        "<h2>Таблицы</h2>", '<ul class="shnor-files">',
        f"<li>{_link(workbook, 'Книга Excel со списками и таблицами')} ({html.escape(workbook)})</li>",
        *[f"<li>{_link('tables/' + name, name)} — {html.escape(MAIN_TABLES[name])}</li>"
          for name in MAIN_TABLES if name in csvs],
        "</ul>",
        f"<details><summary>Все таблицы в CSV ({len(csvs)})</summary>",
        '<ul class="shnor-files">',
        *[f"<li>{_link('tables/' + name, name)}</li>" for name in csvs],
        "</ul></details>",
    ]
    parts += [f"<h2>Карточки школ ({len(cards)})</h2>"]
    if len(cards):
        rows = "".join(
            f"<tr><td>{html.escape(str(r.school_id))}</td>"
            f"<td>{_link('schools/' + str(r.school_id) + '.html', str(r.name))}</td>"
            f"<td>{html.escape(str(r.municipality))}</td></tr>"
            for r in cards.itertuples(index=False)
        )
        parts += [('<div class="shnor-table-wrap"><table><thead><tr><th>Код ОО</th>'
                   "<th>Школа</th><th>Муниципалитет</th></tr></thead>"),
                  f"<tbody>{rows}</tbody></table></div>"]
    else:
        parts += ['<p class="shnor-note">Карточки не формировались.</p>']
    parts += [
        "<h2>Журнал выполнения</h2>", '<ul class="shnor-files">',
        (f"<li>{_link('manifest.json', 'manifest.json')} — входные файлы и их контрольные "
         "суммы, параметры, версии программ, время выполнения</li>"),
        f"<li>{_link('notebooks/', 'notebooks/')} — выполненные блокноты (запись прогона)</li>",
        "</ul>", "</main>", "</body>", "</html>", "",
    ]
    path = out / "index.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


# The suite -------------------------------------------------------------------------------------

def run_suite(data, year: int, out=None, profile: str | None = None, config_file=None,
              all_cards: bool = False, publication: bool = False, *,
              notebooks_dir: Path | None = None, processed_root: Path | None = None) -> Path:
    """Run every report for ``data`` and ``year``; return the report folder.

    ``notebooks_dir`` and ``processed_root`` default to the project's ``notebooks/`` and
    ``data/processed/`` (tests point them elsewhere).
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
        check_year(dataset, year)
        target = Path(out) if out is not None else REPORTS_DIR / dataset.name / str(year)
        check_target(target)

    _progress(2, "Расчёт показателей и таблиц…")
    with timed("tables"):
        tables = build_tables(dataset, year, params)

    processed = Path(processed_root or DATA_PROCESSED) / dataset.name / str(year)
    run_info = {"dataset": dataset.name, "year": year, "profile": params["profile"],
                "publication": publication}
    with timed("processed"):
        tmp_processed = _temp_dir_beside(processed)
        try:
            _write_processed(tmp_processed, tables, params, run_info)
            _replace_dir(tmp_processed, processed)
        finally:
            shutil.rmtree(tmp_processed, ignore_errors=True)

    tmp = _temp_dir_beside(target)
    try:
        meta = (f"Набор данных: {dataset.name} · год: {year} · профиль методики: "
                f"{params['profile']}" + (" · режим публикации" if publication else ""))
        parameters = {"data": str(Path(data).resolve()), "year": year, "profile": profile,
                      "config": None if config_file is None else str(Path(config_file).resolve()),
                      "processed_dir": str(processed.resolve())}
        workbook = f"shnor_{dataset.name}_{year}.xlsx"
        sources = sorted(p for p in notebooks_dir.glob("[0-9][0-9]_*.ipynb"))
        card_template = notebooks_dir / CARD_NOTEBOOK
        ids = _card_school_ids(tables, all_cards) if card_template.exists() else []
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
                write_workbook(tmp / workbook, build_sheets(published))
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
            import nbformat

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
        manifest = build_manifest(dataset=dataset, year=year, params=params,
                                  publication=publication, all_cards=all_cards,
                                  timings=timings, started=started, out_dir=tmp,
                                  processed_dir=processed.resolve())
        write_manifest(tmp / "manifest.json", manifest)
        _replace_dir(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
