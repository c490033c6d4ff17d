"""School cards in batches (shnor.pipeline.notebooks.card_batches and render_card_queue with
shnor.reporting.cardbook): the same pages as papermill executing the template per school."""

from pathlib import Path

import nbformat
import papermill as pm
import pytest

from shnor.errors import UserError
from shnor.pipeline import notebooks
from shnor.reporting.html import export_html, html_exporter

META = {"shnor": {"title": "Карточка"},
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}



def _render(template, parameters, schools, html_dir, meta, home, notebook, cwd):
    """The cards of ``schools`` as the runner renders them, on two kernels."""
    batches = notebooks.card_batches(template, parameters, schools, html_dir, meta, home,
                                     notebook)
    notebooks.render_card_queue(batches, cwd, kernels=2)

def _template(*cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(metadata=META)
    nb.cells = [nbformat.v4.new_code_cell("school_id = None\nscale = 1",
                                          metadata={"tags": ["parameters"]}),
                *[nbformat.v4.new_code_cell(c) for c in cells],
                nbformat.v4.new_markdown_cell("## Раздел *карточки*")]
    return nb


CELLS = (
    ("%matplotlib inline\nimport matplotlib.pyplot as plt\n"
     "from IPython.display import HTML, display\n"
     "assert 'leak' not in dir(), 'namespace leaked from the previous card'\nleak = 1"),
    ("print('школа', school_id)\nprint('масштаб', scale)\n"
     "display(HTML(f'<p>{school_id}</p>'))\nprint('после')"),
    "fig, ax = plt.subplots(figsize=(2, 1))\nax.plot([0, 1], [0, int(school_id) * scale]);",
    "import sys\nprint('предупреждение', file=sys.stderr)\nx = 1\nx",
)


def test_batch_pages_equal_papermill_pages(tmp_path, monkeypatch):
    template = tmp_path / "card.ipynb"
    nbformat.write(_template(*CELLS), template)
    schools = {"1": "Первая", "2": "Вторая", "3": "Третья"}
    (tmp_path / "batch").mkdir()
    monkeypatch.setattr(notebooks, "CARD_BATCH", 2)  # two batches on two kernels
    _render(template, {"scale": 2}, schools, tmp_path / "batch", "мета", "../index.html",
            tmp_path / "first.ipynb", tmp_path)
    for school_id, name in schools.items():
        nb = pm.execute_notebook(str(template), str(tmp_path / f"{school_id}.ipynb"),
                                 parameters={"scale": 2, "school_id": school_id},
                                 kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
        expected = export_html(html_exporter(), nb, tmp_path / f"{school_id}.html",
                               f"Карточка: {name}", "мета", "../index.html").read_bytes()
        page = (tmp_path / "batch" / f"{school_id}.html").read_bytes()
        assert page == expected, school_id
    text = page.decode()
    assert "школа 3\nмасштаб 2" in text and "<p>3</p>" in text and "data:image/png" in text
    assert text.index("масштаб 2") < text.index("<p>3</p>") < text.index("после")
    first = nbformat.read(tmp_path / "first.ipynb", as_version=4)
    assert 'school_id = "1"' in first.cells[1].source
    assert first.cells[3].outputs  # the record is the executed template


def test_user_error_in_a_card_is_the_users_message(tmp_path):
    template = tmp_path / "card.ipynb"
    nbformat.write(_template("from shnor.errors import UserError\n"
                             "if school_id == '2':\n"
                             "    raise UserError('Школы с кодом «2» нет в наборе данных.')"),
                   template)
    with pytest.raises(UserError, match="Школы с кодом «2» нет"):
        _render(template, {}, {"1": "a", "2": "b"}, tmp_path, "", "", tmp_path / "first.ipynb",
                tmp_path)


def test_internal_error_in_a_card_names_the_template(tmp_path):
    template = tmp_path / "card.ipynb"
    nbformat.write(_template("1 / 0"), template)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        _render(template, {}, {"1": "a"}, tmp_path, "", "", tmp_path / "first.ipynb",
                Path(tmp_path))
