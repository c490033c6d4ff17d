"""What a report notebook uses (shnor.reporting.notebook): the runner's tables and parameters,
and the display helpers in publication mode (formatting itself: test_formatting.py)."""

import numpy as np
import pandas as pd
import pytest

from shnor.config import load_config
from shnor.errors import UserError
from shnor.pipeline.suite import _write_processed
from shnor.reporting import notebook as report


@pytest.fixture
def processed(tmp_path):
    params = load_config()
    tables = {
        "indicators": pd.DataFrame({
            "school_id": ["007", "010"], "participants": [3.0, 40.0],
            "share_fail": [0.3333, 0.05], "mean_score": [3.456, np.nan], "reliable": [False, True],
        }),
        "matrix": pd.DataFrame({"a": [1, 2]}, index=pd.Index(["x", "y"], name="group")),
    }
    _write_processed(tmp_path, tables, params,
                     {"dataset": "mini", "year": 2024, "profile": "sverdlovsk",
                      "publication": True})
    yield tmp_path
    report._contexts.clear()
    report._display["suppress_below"] = None


def test_open_report_loads_tables_and_params(processed):
    ctx = report.open_report(processed_dir=processed)
    assert (ctx.dataset_name, ctx.year, ctx.profile) == ("mini", 2024, "sverdlovsk")
    assert ctx.params["indicators"]["min_participants"] == 5
    ind = ctx.table("indicators")
    assert ind["school_id"].tolist() == ["007", "010"]
    assert ctx.table("matrix").index.tolist() == ["x", "y"]  # a meaningful index survives
    ind["share_fail"] = 0.0  # a notebook changing its copy does not change the cache
    assert ctx.table("indicators")["share_fail"].tolist() == [0.3333, 0.05]
    assert report.open_report(processed_dir=processed) is ctx  # cached per folder
    with pytest.raises(KeyError, match="indicators, matrix"):
        ctx.table("nope")


def test_missing_processed_folder_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="shnor run"):
        report.open_report(processed_dir=tmp_path)


def test_show_table_formats_escapes_and_suppresses(processed, monkeypatch):
    shown = []
    monkeypatch.setattr(report, "display", lambda obj: shown.append(obj.data))
    ctx = report.open_report(processed_dir=processed)  # publication mode: counts < 5 hidden
    frame = ctx.table("indicators").assign(name=["<script>alert(1)</script>", "Школа №2"])
    report.show_table(frame, max_rows=1)
    out = shown[-1]
    assert "Код ОО" in out and "Доля не преодолевших порог" in out and "Участников" in out
    assert "33,3\u00a0%" in out
    assert "&lt;5" in out and "<td>3</td>" not in out
    assert "&lt;script&gt;" in out and "<script>" not in out
    assert "Показаны первые 1 из 2 строк" in out
    report.show_table(frame, columns={"school_id": "Код", "mean_score": "Балл",
                                      "reliable": "Надёжно"})
    full = shown[-1]
    assert "<th>Код</th>" in full and "Участников" not in full
    assert "3,46" in full and "—" in full and "нет" in full and "да" in full
    report.show_table(frame)
    assert "<td>40</td>" in shown[-1]  # not small: shown


def test_show_parameters_lists_sources(processed, monkeypatch):
    shown = []
    monkeypatch.setattr(report, "table_html", lambda df, **kw: shown.append(df) or "")
    report.show_parameters(load_config(), sections=["publication"])
    (table,) = shown
    row = table[table["parameter"] == "publication.suppress_below"].iloc[0]
    assert row["value"] == "5" and row["source"].startswith("shnor:")


def test_show_html_publishes_what_display_of_an_html_object_does():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import HTML, display

    from shnor.reporting.notebook import show_html

    existed = InteractiveShell.initialized()
    shell = InteractiveShell.instance()
    published = []

    class Publisher:
        def publish(self, data, metadata=None, **kwargs):
            published.append((data, metadata))

        def clear_output(self, wait=False):
            pass

    saved, shell.display_pub = shell.display_pub, Publisher()
    try:
        markup = '<p>Школа № 1 &amp; «2»</p>'
        display(HTML(markup))
        show_html(markup)
    finally:
        shell.display_pub = saved
        if not existed:  # other tests display outside a shell
            InteractiveShell.clear_instance()
    assert published[0] == published[1]
    assert published[1][0]["text/html"] == markup
