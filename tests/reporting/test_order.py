"""The appendix to the order (shnor.reporting.order): opened with python-docx, its tables are the
lists of the year — the schools of each list with municipality and reasons, numbered — and the
same lists give the same bytes."""

import docx
import pandas as pd
import pytest
from conftest import fast_params

from shnor.analysis.run import Run
from shnor.identification.flags import reason_part
from shnor.reporting.order import COLUMNS, EMPTY_LIST, LISTS, order_tables, write_order


@pytest.fixture(scope="module")
def flags(region_of):
    ds = region_of(n_schools=60, n_years=3, seed=7)
    return Run(ds, 2024, fast_params()).tables()["identification_flags"]


def _blocks(path):
    """(heading, rows or None) per list of the document, in order."""
    document = docx.Document(path)
    out, heading = [], None
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            out.append((heading, [[c.text for c in row.cells] for row in block.rows]))
            heading = None
        elif block.text[:1].isdigit() and ". " in block.text[:4]:
            heading = block.text
        elif block.text == EMPTY_LIST:
            out.append((heading, None))
            heading = None
    return document, out


def _expected(flags: pd.DataFrame, mask: pd.Series) -> list[list[str]]:
    f = flags[mask.fillna(False).astype(bool)].sort_values(["municipality", "school_id"])
    return [[str(i), r.school_id, r.name, r.municipality]
            for i, r in enumerate(f.itertuples(), 1)]


def test_tables_of_the_document_are_the_lists(flags, tmp_path):
    path = write_order(tmp_path / "order.docx", flags, 2024, "Набор данных «region»",
                       "Набор данных: region · год: 2024")
    document, blocks = _blocks(path)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Приложение к приказу" in text and "от «___»" in text and "2024 года" in text
    masks = [flags[flag] for flag, _, _ in LISTS]
    masks += [flags["support_table"].eq(n) for n in (1, 2, 3)]
    assert len(blocks) == len(masks) == 6
    titles = [title for _, title, _ in LISTS] + ["Таблица 1.", "Таблица 2.", "Таблица 3."]
    for (heading, rows), mask, title in zip(blocks, masks, titles):
        expected = _expected(flags, mask)
        assert title in heading and heading.endswith(f"— {len(expected)}")
        if not expected:
            assert rows is None
            continue
        assert rows[0] == COLUMNS
        assert [row[:4] for row in rows[1:]] == expected, heading
        assert all(row[4] for row in rows[1:])  # every school with its reasons
    low = dict(zip(*[[r[1] for r in blocks[0][1][1:]], [r[4] for r in blocks[0][1][1:]]]))
    on = flags[flags["low_results"].fillna(False)].set_index("school_id")
    assert low == reason_part(on["reasons"], "Низкие результаты").to_dict()
    assert all("не преодолели порог" in r for r in low.values())
    # the same lists, the same bytes (fixed document dates)
    again = write_order(tmp_path / "again.docx", flags, 2024, "Набор данных «region»",
                        "Набор данных: region · год: 2024")
    assert again.read_bytes() == path.read_bytes()


def test_without_support_tables_and_with_empty_lists(flags):
    f = flags.drop(columns="support_table").assign(risk_zone=False)
    tables = order_tables(f)
    assert [t for t, _ in tables] == [title for _, title, _ in LISTS]
    assert tables[2][1].empty and list(tables[2][1].columns) == ["number", "school_id", "name",
                                                                 "municipality", "reasons"]


def test_reason_part_takes_one_list_out_of_the_reasons():
    reasons = pd.Series([
        ("Низкие результаты: ВПР, 5 класс, математика, 2024: не преодолели порог 40 % "
         "(4 из 10). ШНСУ: ИСБШ 38,5, группа 4 (низкий); группа качества 4 (низкий) — "
         "неблагополучная. В списке 2-й год подряд: основание изменить формат сопровождения"),
        "Зона риска: ОГЭ, 9 класс, русский язык, 2024: не преодолели порог 25 % (2 из 8)", None])
    assert reason_part(reasons, "Низкие результаты").tolist() == [
        "ВПР, 5 класс, математика, 2024: не преодолели порог 40 % (4 из 10)", "", ""]
    assert reason_part(reasons, "ШНСУ")[0].startswith("ИСБШ 38,5, группа 4")
    assert reason_part(reasons, "В списке")[0] == "основание изменить формат сопровождения"
    assert reason_part(reasons, "Зона риска")[1].startswith("ОГЭ, 9 класс")
