"""School cards in batches: the card notebook executed for many schools by one kernel request.

A kernel round trip per cell and per card (papermill, nbclient) costs 0.1–0.2 s a card, which
at 14,000 cards is most of a national run. Here the runner sends a kernel one request per batch
of schools (:func:`render_cards`); inside the kernel the card template's code cells are run for
each school in the kernel's own IPython shell (magics, ``display`` and the inline matplotlib
backend work as in a notebook), their outputs are collected as notebook outputs in
the order they appear, and the executed notebook is exported with the exporter of the reports.
The page is byte-identical to executing the template with papermill for that school and
exporting it (a test compares the two); a methodologist still opens the template in the report
folder and runs it for one school.
"""

from __future__ import annotations

import ast
import copy
import sys
from pathlib import Path

import nbformat
from IPython import get_ipython
from IPython.core.displaypub import DisplayPublisher
from nbformat import NotebookNode
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from shnor.reporting.html import export_html, html_exporter, notebook_title

KERNEL = "python3"


class _Outputs(DisplayPublisher):
    """Collects what a cell displays and prints as nbformat outputs, in order (consecutive
    prints to one stream join into one output, as in a notebook)."""

    def __init__(self):
        super().__init__()
        self.items: list = []

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False,
                **kwargs) -> None:
        # NotebookNode, not nbformat.v4.new_output: that one validates each output (~0.5 ms)
        self.items.append(NotebookNode(output_type="display_data", data=data,
                                       metadata=NotebookNode(metadata or {})))

    def clear_output(self, wait=False) -> None:
        self.items.clear()

    def stream(self, name: str):
        outputs = self

        class Writer:
            encoding = "utf-8"

            def write(self, text: str) -> int:
                last = outputs.items[-1] if outputs.items else None
                if last is not None and last.output_type == "stream" and last.name == name:
                    last.text += text
                elif text:
                    outputs.items.append(NotebookNode(output_type="stream", name=name,
                                                      text=text))
                return len(text)

            def flush(self) -> None:
                pass

            def isatty(self) -> bool:
                return False

        return Writer()


def _compile(shell, source: str) -> tuple:
    """A cell as IPython runs it: magics turned into calls, the statements, and its last
    expression apart (its value is shown unless the cell ends with «;»)."""
    tree = ast.parse(shell.transform_cell(source))
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr) and not source.rstrip().endswith(";"):
        last = compile(ast.Expression(tree.body.pop().value), "<card>", "eval")
    return compile(tree, "<card>", "exec"), last


def _fresh(template) -> NotebookNode:
    """A copy of ``template`` to execute: its own metadata and cells (each gets its outputs);
    the sources, shared, are only read."""
    nb = NotebookNode(template)
    nb.metadata = copy.deepcopy(template.metadata)
    nb.cells = [NotebookNode(cell, metadata=copy.deepcopy(cell.metadata))
                for cell in template.cells]
    return nb


def execute_card(shell, template, parameters: dict, base: set, compiled: dict):
    """Run ``template`` with ``parameters`` (injected as papermill does) in ``shell``, its
    namespace first cleared of everything but ``base``; return the executed notebook.

    A cell is compiled once for all cards (``compiled``: source → code, :func:`_compile`) and
    runs between the shell's ``pre_execute`` and ``post_execute`` events, so the inline backend
    shows a cell's figures after it, as in a notebook. A cell's exception is raised again as
    it is, so the runner tells a user's mistake (:class:`shnor.errors.UserError`) as such."""
    ns = shell.user_ns
    for name in set(ns) - base:
        del ns[name]
    nb = parameterize_notebook(_fresh(template), parameters, kernel_name=KERNEL,
                               language="python")
    publisher, saved = _Outputs(), (shell.display_pub, sys.stdout, sys.stderr)
    for count, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), 1):
        code = compiled.get(cell.source)
        if code is None:
            code = _compile(shell, cell.source)
            if "injected-parameters" not in cell.metadata.get("tags", []):
                compiled[cell.source] = code
        publisher.items = []
        shell.display_pub, sys.stdout, sys.stderr = (
            publisher, publisher.stream("stdout"), publisher.stream("stderr"))
        shell.events.trigger("pre_execute")
        try:
            exec(code[0], ns)  # noqa: S102 - the card template's own cells, as a kernel runs them
            value = None if code[1] is None else eval(code[1], ns)
            if value is not None:
                data, metadata = shell.display_formatter.format(value)
                publisher.items.append(NotebookNode(
                    output_type="execute_result", data=data,
                    metadata=NotebookNode(metadata), execution_count=count))
        finally:
            shell.events.trigger("post_execute")
            shell.display_pub, sys.stdout, sys.stderr = saved
        cell.outputs, cell.execution_count = publisher.items, count
    return nb


def render_cards(template: str, parameters: dict, schools: dict[str, str], html_dir: str,
                 meta: str, home: str, notebook: str | None = None) -> None:
    """Execute the card template for every school of ``schools`` (code → name) in this
    kernel and write ``<html_dir>/<code>.html``; ``notebook``: where to save the executed
    notebook of the first school (the template, runnable for any school). Runs inside the
    kernel the runner started (see :func:`shnor.pipeline.notebooks.render_card_queue`)."""
    shell = get_ipython()
    nb_template = load_notebook_node(template)
    title = notebook_title(nb_template)
    exporter = html_exporter()
    if not _BASE:  # the first batch of this kernel
        _BASE.update(shell.user_ns)
    compiled: dict = {}
    for school_id, name in schools.items():
        nb = execute_card(shell, nb_template, {**parameters, "school_id": school_id}, _BASE,
                          compiled)
        export_html(exporter, nb, Path(html_dir) / f"{school_id}.html", f"{title}: {name}",
                    meta, home)
        if notebook is not None:
            nbformat.write(nb, notebook)
            notebook = None


_BASE: set = set()  # the kernel's own names (before the first card), kept between cards
