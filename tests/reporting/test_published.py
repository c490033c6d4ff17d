"""The published CSV tables (shnor.reporting.published): every computed table is either
described and published or internal, and docs/reports.md lists what is published."""

import re

from conftest import TESTS, fast_params

from shnor.analysis.run import Run
from shnor.reporting.published import CONTRACT, INTERNAL, PUBLISHED, published_tables


def test_every_table_of_a_run_is_published_or_internal(region):
    tables = Run(region, 2024, fast_params()).tables()
    unclassified = set(tables) - set(PUBLISHED) - INTERNAL
    assert not unclassified, f"describe in PUBLISHED or mark INTERNAL: {unclassified}"
    assert set(PUBLISHED) <= set(tables)  # nothing described that a run does not make
    assert not set(published_tables(tables)) & INTERNAL
    assert {"identification", "differentiation", "indicators", "partners"} <= set(CONTRACT)


def test_docs_list_every_published_table_and_no_other():
    text = (TESTS.parent / "docs" / "reports.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"\| `tables/(\w+)\.csv` \|", text))
    assert listed == set(PUBLISHED)
    for name in INTERNAL:
        assert f"`{name}`" in text
