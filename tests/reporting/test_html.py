"""The index page (shnor.reporting.html.write_index): card lists by municipality when many."""

import pandas as pd

from shnor.reporting.html import write_index

CARDS = pd.DataFrame({"school_id": ["1", "2", "3"], "name": ["А", "Б", "В"],
                      "municipality": ["Север", "Юг", "Север"]})


def _index(tmp_path, card_rows):
    write_index(tmp_path, "Отчёт", "мета", [], CARDS, "book.xlsx", [], card_rows=card_rows)
    return (tmp_path / "index.html").read_text(encoding="utf-8")


def test_index_lists_the_cards_when_few(tmp_path):
    index = _index(tmp_path, card_rows=3)
    assert all(f'href="schools/{i}.html"' in index for i in "123")
    assert not (tmp_path / "cards").exists()


def test_index_links_a_card_page_per_municipality_when_many(tmp_path):
    index = _index(tmp_path, card_rows=2)
    assert 'href="schools/1.html"' not in index
    assert 'href="cards/municipality-1.html">Север</a> — карточек: 2' in index
    north = (tmp_path / "cards" / "municipality-1.html").read_text(encoding="utf-8")
    assert 'href="../schools/1.html"' in north and 'href="../schools/3.html"' in north
    assert 'href="../schools/2.html"' not in north and 'href="../index.html"' in north
    assert (tmp_path / "cards" / "municipality-2.html").exists()
