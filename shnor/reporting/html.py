"""HTML pages of a run: the nbconvert export of the report notebooks (no code, no prompts, no
scripts, self-contained) and the index page. The page template and the style sheet are files
beside this module (``templates/``).
"""

from __future__ import annotations

import base64
import copy
import html
from pathlib import Path

import pandas as pd
from jinja2 import pass_context
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter

from shnor.reporting.published import CONTRACT, PUBLISHED

TEMPLATES = Path(__file__).resolve().parent / "templates"
CSS = (TEMPLATES / "style.css").read_text(encoding="utf-8")
HTML_TEMPLATE = (TEMPLATES / "report.html.j2").read_text(encoding="utf-8")
HIDDEN_TAGS = {"parameters", "injected-parameters"}


def _b64_text(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


class PublicationExporter(HTMLExporter):
    """``HTMLExporter`` without its final BeautifulSoup pass (it adds JupyterLab accessibility
    attributes to elements our template does not have), without the second copy and the
    validation of the notebook that precede preprocessors (it has none), and with each
    markdown text rendered once."""

    def from_notebook_node(self, nb, resources=None, **kw):
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    def _preprocess(self, nb, resources):
        return nb, resources

    @pass_context
    def markdown2html(self, context, source):
        """The markdown of a cell, rendered once per text: every school card has the same
        headings and captions."""
        if context.get("cell", {}).get("attachments"):
            return super().markdown2html(context, source)
        cache = self.__dict__.setdefault("_markdown", {})
        if source not in cache:
            cache[source] = super().markdown2html(context, source)
        return cache[source]


def html_exporter():
    """An nbconvert exporter for publication: the template above, nothing else.

    Two of ``HTMLExporter``'s steps are skipped because they do nothing for this template and
    cost five sixths of a school card's export (~18 of ~21 ms): its preprocessors (each one
    re-validates the notebook; hidden cells are dropped by :func:`export_html`) and its final
    BeautifulSoup pass (it adds JupyterLab accessibility attributes to elements this template
    does not have).
    """
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


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


CARD_LISTS = "cards/municipality-"  # pages listing the cards of a municipality


def _card_table(cards: pd.DataFrame, href: str) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(str(r.school_id))}</td>"
        f"<td>{_link(href + str(r.school_id) + '.html', str(r.name))}</td>"
        f"<td>{html.escape(str(r.municipality))}</td></tr>"
        for r in cards.itertuples(index=False))
    return ('<div class="shnor-table-wrap"><table><thead><tr><th>Код ОО</th>'
            "<th>Школа</th><th>Муниципалитет</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>")


def _page(title: str, meta: str, body: list[str], nav: str | None = None) -> str:
    """A plain page in the style of the index: the title, a link back (``nav``), ``body``."""
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="ru">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
        '<main class="shnor-index">', '<header class="shnor-head">',
        f"<h1>{html.escape(title)}</h1>",
        *([f'<div class="shnor-nav">{nav}</div>'] if nav else []),
        f'<div class="shnor-meta">{html.escape(meta)}</div>', "</header>",
        *body, "</main>", "</body>", "</html>", ""])


def _csv_item(name: str) -> str:
    what = PUBLISHED.get(name.removesuffix(".csv"))
    return f"<li>{_link('tables/' + name, name)}{' — ' + html.escape(what) if what else ''}</li>"


def write_index(out: Path, title: str, meta: str, reports: list[tuple[str, str]],
                cards: pd.DataFrame, workbook: str, csvs: list[str],
                municipalities: list[tuple[str, str, int]] = (), cards_href: str = "schools/",
                home: str | None = None, order: str | None = None,
                card_rows: int | None = None) -> Path:
    """``index.html``: every report, card, table, the workbook, the appendix to the order,
    notebooks and the manifest.

    ``municipalities``: (folder, name, schools) of the municipal reports of the run;
    ``cards_href``: where the school cards are (a municipal report links to the region's);
    ``home``: the index page of the regional report, for a municipal one; ``order``: the
    appendix to the order (DOCX) in the folder; ``card_rows``: more cards than this are listed
    on a page per municipality (``cards/municipality-<k>.html``), so that the index stays
    light at any size."""
    parts = [
        "<h2>Отчёты</h2>", '<ul class="shnor-files">',
        *[f"<li>{_link(href, text)}</li>" for href, text in reports],
        "</ul>",
        *(["<h2>Документы</h2>", '<ul class="shnor-files">',
           (f"<li>{_link(order, 'Приложение к приказу')} ({html.escape(order)}) — списки "
            "года для приказа органа управления образованием: школы с низкими результатами, "
            "ШНСУ, зона риска, таблицы программы поддержки (Word)</li>"), "</ul>"]
          if order else []),
        "<h2>Таблицы</h2>", '<ul class="shnor-files">',
        f"<li>{_link(workbook, 'Книга Excel со списками и таблицами')} ({html.escape(workbook)})</li>",
        *[_csv_item(name) for name in csvs if name.removesuffix(".csv") in CONTRACT],
        "</ul>",
        f"<details><summary>Все таблицы в CSV ({len(csvs)})</summary>",
        '<ul class="shnor-files">', *[_csv_item(name) for name in csvs], "</ul></details>",
    ]
    if municipalities:
        parts += [f"<h2>Отчёты по муниципалитетам ({len(municipalities)})</h2>",
                  ('<p class="shnor-note">Каждый отчёт — школы одного муниципалитета на шкале '
                   "региона: те же ИСБШ, группы, кластеры и типы, что и в отчёте по региону.</p>"),
                  '<ul class="shnor-files">',
                  *[f"<li>{_link(folder + '/index.html', name)} — школ: {n}</li>"
                    for folder, name, n in municipalities], "</ul>"]
    parts += [f"<h2>Карточки школ ({len(cards)})</h2>"]
    if not len(cards):
        parts += ['<p class="shnor-note">Карточки не формировались.</p>']
    elif card_rows is None or len(cards) <= card_rows:
        parts += [_card_table(cards, cards_href)]
    else:  # too many for one page: a page of cards per municipality
        groups = list(cards.groupby("municipality", sort=True, dropna=False))
        parts += [(f'<p class="shnor-note">Карточек больше {card_rows}: они собраны по '
                   "муниципалитетам.</p>"), '<ul class="shnor-files">']
        for k, (municipality, group) in enumerate(groups, 1):
            page = f"{CARD_LISTS}{k}.html"
            parts.append(f"<li>{_link(page, str(municipality))} — карточек: {len(group)}</li>")
            (out / page).parent.mkdir(exist_ok=True)
            (out / page).write_text(
                _page(f"Карточки школ: {municipality}", meta,
                      [_card_table(group, "../" + cards_href)],
                      nav=_link("../index.html", "← Оглавление отчёта")), encoding="utf-8")
        parts += ["</ul>"]
    parts += [
        "<h2>Журнал выполнения</h2>", '<ul class="shnor-files">',
        (f"<li>{_link('manifest.json', 'manifest.json')} — входные файлы и их контрольные "
         "суммы, параметры, версии программ, время выполнения</li>"),
        (f"<li>{_link('notebooks/', 'notebooks/')} — выполненные блокноты (запись прогона); их "
         "можно выполнить заново из этой папки</li>"),
        (f"<li>{_link('processed/', 'processed/')} — рассчитанные таблицы (Parquet), которые "
         "читают блокноты; внутренние: в режиме публикации малые численности в них не "
         "скрыты</li>"),
        (f"<li>{_link('reference.json', 'reference.json')} — шкала расчёта (ИСБШ, индекс "
         "качества, кластеры, типология, добавленная ценность): по ней муниципалитет "
         "размещает свои школы командой shnor run --reference</li>"),
        "</ul>",
    ]
    path = out / "index.html"
    path.write_text(_page(title, meta, parts, nav=_link(home, "← Отчёт по региону") if home
                          else None), encoding="utf-8")
    return path
