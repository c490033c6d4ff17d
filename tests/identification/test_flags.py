"""The flags of a year and their reasons (shnor.identification.flags): list changes,
persistence and escalation (seed 001), unfavourable conditions (seed 000 table 2)."""

import pandas as pd
from conftest import FIXTURES, fail_dataset, flags_of, vpr6

from shnor.config import load_config
from shnor.identification.flags import _texts, unfavourable_code
from shnor.identification.table1 import UNKNOWN, YES

FIXTURE = FIXTURES / "pervouralsk_2022.csv"


def test_list_dynamics_persistence_and_escalation():
    rows = []
    for y in (2022, 2023, 2024):
        rows += vpr6("1", y, 4, 4)                                     # on the list every year
        rows += vpr6("2", y, 4, 4) if y == 2024 else vpr6("2", y, 0, 0)  # entered
        rows += vpr6("3", y, 4, 4) if y != 2024 else vpr6("3", y, 0, 0)  # left
        rows += vpr6("4", y, 0, 0)                                     # never
    f = flags_of(fail_dataset(rows))
    assert f["list_change"].to_dict() == {"1": "stayed", "2": "entered", "3": "left", "4": "none"}
    assert f["persistent"].to_dict() == {"1": True, "2": False, "3": False, "4": False}
    assert f.loc["1", "escalation"]
    assert "Устойчиво низкие: в списке 3 года подряд (2022–2024)" in f.loc["1", "reasons"]


def test_unfavourable_is_very_low_isbsh_and_reproduces_seed_000_table_2():
    params = load_config()
    params["unfavourable"]["rule"] = "isbsh_group"  # the prose reading of seed 000 table 2
    isb = pd.DataFrame({"isbsh_group": pd.array([1, 2, 3, pd.NA], dtype="Int64")},
                       index=["a", "b", "c", "d"])
    assert list(unfavourable_code(isb, params)) == [YES, YES, 0, UNKNOWN]
    fx = pd.read_csv(FIXTURE).set_index("school_no")
    assert list(fx.index[unfavourable_code(fx, params) == YES]) == [40]
    # Table 2 lists the schools with ИСБШ groups ≤ 4 and quality ≤ 5 (the typology's
    # «неблагополучные»): the group cut is the parameter that reproduces it.
    params["unfavourable"]["isbsh_group_max"] = 4
    table2 = fx.index[(unfavourable_code(fx, params) == YES) & (fx["quality_group"] <= 5)]
    assert sorted(table2) == [3, 10, 22, 26, 28, 36, 40]


def test_reasons_join_the_texts_of_each_school_in_order_from_chunked_columns():
    text = pd.concat([pd.Series(["x"], dtype="str"), pd.Series(["y", "z"], dtype="str")],
                     ignore_index=True)  # two Arrow chunks
    frame = pd.DataFrame({"school_id": pd.Series(["1", "2", "1"], dtype="str"), "text": text})
    out = _texts(frame, pd.Index(["1", "2", "3"], dtype="str"))
    assert out.tolist() == ["x; z", "y", ""]
