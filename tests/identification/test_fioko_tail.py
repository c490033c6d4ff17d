"""The ВПР tail of the ``fioko`` profile (shnor.identification.fioko_tail)."""

from conftest import fail_dataset, fail_results, flags_of

from shnor.config import load_config
from shnor.identification.fioko_tail import vpr_tail_codes
from shnor.identification.table1 import YES
from shnor.indicators import compute_indicators


def test_fioko_tail_needs_both_years():
    rows = []
    for i in range(10):
        s = str(i)
        for y in (2023, 2024):
            bad = (i == 0) or (i == 1 and y == 2024)
            rows += [(y, s, "VPR", 4, "math", 20, 12 if bad else i), (y, s, "VPR", 5, "russian", 20, 1)]
    params = load_config("fioko")
    ind = compute_indicators(fail_results(rows), params)
    codes = vpr_tail_codes(ind, [2024], params)["low"].xs(2024)
    assert codes["0"] == YES and codes["1"] == 0
    f = flags_of(fail_dataset(rows), params=params)
    assert f.index[f["low_results"].fillna(False)].tolist() == ["0"]
    assert "место 1 из 10" in f.loc["0", "reasons"]
