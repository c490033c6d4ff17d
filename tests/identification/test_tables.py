"""The identification of a year (shnor.identification.tables): the contract table with every
school, statuses for what cannot be decided, and a report year without results."""

import pandas as pd
import pytest
from conftest import fail_dataset, vpr6

from shnor.analysis.run import identify
from shnor.config import load_config
from shnor.errors import UserError
from shnor.identification.decisions import decide_years
from shnor.identification.flags import IDENTIFICATION_COLUMNS
from shnor.identification.tables import identification_tables
from shnor.indicators import compute_indicators
from shnor.social.isbsh import fit_isbsh


def test_bad_input_completes_with_statuses():
    rows = vpr6("1", 2023, 4, 4) + vpr6("2", 2024, 4, 4) + vpr6("3", 2024, 1, 1, n=4)
    ds = fail_dataset(rows, school_ids=["1", "2", "3", "4"])
    ident = identify(ds, 2024, load_config())
    assert list(ident.columns) == IDENTIFICATION_COLUMNS
    assert list(ident["school_id"]) == ["1", "2", "3", "4"]
    for c in ("low_results", "risk_zone", "unfavourable", "persistent"):
        assert isinstance(ident[c].dtype, pd.BooleanDtype)
    r = ident.set_index("school_id")["reasons"]
    assert "нет результатов за 2024 год" in r["1"]
    assert "нет результатов за 2024 год" in r["4"]
    assert "во всех группах 2024 года меньше 5 участников" in r["3"]
    assert "нет социального паспорта за 2024 год" in r["2"]  # results but no social data
    assert ident["unfavourable"].isna().all()
    # A year without any results: the run refuses it and names the years that have results…
    with pytest.raises(UserError, match=r"нет результатов за 2030 год.*2023, 2024"):
        identify(ds, 2030, load_config())
    # …while its identification tables list every school, nothing decided, with the reason.
    params = load_config()
    decisions = decide_years(ds, 2030, params, compute_indicators(ds.results, params))
    empty = identification_tables(ds, 2030, params, decisions,
                                  fit_isbsh(ds.social, 2030, params)[0])["identification"]
    assert len(empty) == 4 and empty["low_results"].isna().all()
    assert empty["reasons"].str.contains("нет результатов за 2030 год").all()
