"""Hints of non-objective ВПР results (shnor.objectivity)."""

import numpy as np
import pandas as pd
from conftest import results_frame

from shnor.config import load_config
from shnor.indicators import compute_indicators
from shnor.objectivity import SIGNS, objectivity_evidence
from shnor.quality.index import assessment_scores


def _data():
    rows = []
    for k in range(12):
        sid = f"s{k:02d}"
        for grade, subj in [(5, "math"), (6, "russian"), (7, "math")]:
            rows.append((2024, sid, "VPR", grade, subj, 20, 4, 8, 6, 2, np.nan, np.nan))
            rows.append((2023, sid, "VPR", grade, subj, 20, 4, 8, 6, 2, np.nan, np.nan))
        rows.append((2024, sid, "OGE", 9, "math", 20, 3, 9, 6, 2, np.nan, np.nan))
    r = results_frame(rows)
    # s00 and s01 (a лицей): ВПР excellent in 2024, ОГЭ weak; s02: jump in ВПР 5 math only
    for sid in ["s00", "s01"]:
        m = (r["school_id"] == sid) & (r["procedure"] == "VPR") & (r["year"] == 2024)
        r.loc[m, ["n_fail", "n_mark3", "n_mark4", "n_mark5"]] = [0, 1, 4, 15]
        r.loc[(r["school_id"] == sid) & (r["procedure"] == "OGE"),
              ["n_fail", "n_mark3", "n_mark4", "n_mark5"]] = [8, 8, 4, 0]
    m = (r["school_id"] == "s02") & (r["year"] == 2024) & (r["grade"] == 5)
    r.loc[m, ["n_fail", "n_mark3", "n_mark4", "n_mark5"]] = [1, 3, 12, 4]
    schools = pd.DataFrame({"school_id": [f"s{k:02d}" for k in range(12)],
                            "school_type": ["СОШ", "лицей"] + ["СОШ"] * 10})
    return compute_indicators(r, load_config()), schools


def test_signs_with_evidence_and_exemption():
    ind, schools = _data()
    params = load_config()
    ev = objectivity_evidence(ind, assessment_scores(ind, 2024, params), schools, 2024, params)
    s00 = ev[ev["school_id"] == "s00"]
    assert SIGNS["vpr_not_confirmed"] in set(s00["sign"])
    assert SIGNS["top_marks_excess"] in set(s00["sign"])
    assert "ОГЭ/ЕГЭ" in s00.loc[s00["sign"] == SIGNS["vpr_not_confirmed"], "evidence"].iloc[0]
    # the лицей is excepted from «far above» signs but its jump is still shown
    assert set(ev.loc[ev["school_id"] == "s01", "sign"]) == {SIGNS["jump"]}
    jump = ev[(ev["school_id"] == "s02")]
    assert jump["sign"].tolist() == [SIGNS["jump"]]
    assert jump["evidence"].iloc[0] == "доля «4» и «5»: 40 % в 2023 г. → 80 % в 2024 г."
    assert not ev["school_id"].isin([f"s{k:02d}" for k in range(3, 12)]).any()


def test_exemption_can_be_switched_off():
    ind, schools = _data()
    params = load_config()
    params["objectivity"]["exempt_school_types"] = []
    ev = objectivity_evidence(ind, assessment_scores(ind, 2024, params), schools, 2024, params)
    assert SIGNS["vpr_not_confirmed"] in set(ev.loc[ev["school_id"] == "s01", "sign"])
