"""The Arrow reading of plain CSV texts (shnor.io.loading._plain_grid) gives the cells the csv
module gives, or leaves the text to it."""

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from shnor.io.loading import _plain_grid
from shnor.io.parsing import text_grid

CELL = st.text(st.characters(exclude_categories=("Cs",), exclude_characters='"\n\r;,\t\x00'),
               max_size=5)


def _csv_module(text: str, sep: str):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows, lines = [], []
    for record in reader:
        rows.append(record)
        lines.append(reader.line_num)
    return text_grid(rows, lines)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELL, min_size=1, max_size=4), min_size=1, max_size=6),
       st.sampled_from([";", ",", "\t"]), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_plain_text_reads_as_the_csv_module_reads_it(rows, sep, newline, last_newline):
    text = newline.join(sep.join(r) for r in rows) + (newline if last_newline else "")
    grid = _plain_grid(text, sep)
    if not text.strip():  # blank: the loader calls the file empty before reading it
        assert grid is None
        return
    if len({len(r) for r in rows}) > 1 or any(r == [""] for r in rows):
        # lines of other lengths (an empty line is one of them) stay with the csv module
        assert grid is None or grid.equals(_csv_module(text, sep).astype("str"))
        return
    assert grid is not None
    reference = _csv_module(text, sep)
    assert grid.astype(object).equals(reference)
    assert list(grid.index) == list(reference.index)


def test_quoted_or_ragged_text_is_left_to_the_csv_module():
    assert _plain_grid('a;b\n"1;2";3', ";") is None  # a quoted cell
    assert _plain_grid("Итоги ВПР\na;b\n1;2", ";") is None  # a title line above the header
    assert _plain_grid("", ";") is None
