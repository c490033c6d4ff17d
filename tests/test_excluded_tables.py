"""Issue 5, bad input: an invalid optional table stops `shnor validate` but not the reports."""

import pytest
from conftest import BAD_INPUTS

from shnor.analysis.overview import excluded_tables
from shnor.analysis.run import Run
from shnor.config import load_config
from shnor.errors import ValidationFailed
from shnor.io.loading import load_dataset

CORPUS = BAD_INPUTS


@pytest.mark.parametrize("case, table", [
    ("risk_factor_out_of_range", "risk_profiles"),
    ("risk_factor_twice", "risk_profiles"),
    ("programme_points_negative", "programme"),
    ("unknown_school_lists", "lists"),
])
def test_invalid_optional_table_is_excluded_and_named(case, table):
    with pytest.raises(ValidationFailed):
        load_dataset(CORPUS / case)
    ds = load_dataset(CORPUS / case, exclude_invalid_optional=True)
    assert list(ds.excluded) == [table]
    assert getattr(ds, table) is None
    listed = excluded_tables(ds)
    assert len(listed) == len(ds.excluded[table]) > 0
    assert listed["problem"].str.contains("строка").all()


def test_problems_in_mandatory_tables_still_stop_the_run():
    with pytest.raises(ValidationFailed):
        load_dataset(CORPUS / "negative_count", exclude_invalid_optional=True)


def test_monitoring_says_the_table_was_excluded():
    ds = load_dataset(CORPUS / "programme_points_negative", exclude_invalid_optional=True)
    notes = Run(ds, max(ds.years), load_config()).monitoring["monitoring_notes"]
    assert notes["text"].str.contains("исключена из расчёта").any()
