"""Value-added on small or broken data: the run completes, a school without value-added has it
empty (never 0) with the reason in its status, and nothing divides by zero."""

import numpy as np
import pytest
from conftest import fast_params, make_dataset

from shnor.analysis.run import Run
from shnor.synth.region import generate_region

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

VA = ["value_added", "value_added_se", "value_added_low", "value_added_high",
      "effectiveness_level"]
MARKS = ["n_fail", "n_mark3", "n_mark4", "n_mark5"]


@pytest.fixture(scope="module")
def tables():
    t = generate_region(n_schools=60, n_years=1, seed=21, optional_tables=False)
    return {k: t[k] for k in ("schools", "results", "social")}


def differentiation(tables, params=None, **changed):
    t = {**tables, **changed}
    ds = make_dataset(t["schools"], t["results"], t["social"], name="small")
    out = Run(ds, 2024, params or fast_params()).differentiation
    return (out["differentiation"].set_index("school_id"), " ".join(out["diff_notes"]["note"]),
            out["diff_value_added"].set_index("school_id"))


def with_va(d):
    return d["quality_index"].notna() & d["isbsh"].notna()


def test_the_region_itself_has_value_added_for_every_school_with_the_inputs(tables):
    d, _, va = differentiation(tables)
    assert d.loc[with_va(d), VA].notna().all().all()
    assert str(d["effectiveness_level"].dtype) == "Int64"
    assert (d.loc[~with_va(d), VA].isna()).all().all()
    assert set(va.index) == set(d.index[with_va(d)])


def test_too_few_schools_for_tau2(tables):
    params = fast_params()
    params["value_added"]["min_schools"] = 1000
    d, notes, va = differentiation(tables, params)
    assert d[VA].isna().all().all() and va.empty
    reason = "добавленная ценность не рассчитана: школ с индексом качества и ИСБШ"
    assert d.loc[with_va(d), "status"].str.contains(reason).all()
    assert "нужно не меньше 1000" in notes


def test_a_region_of_eight_schools(tables):
    keep = set(tables["schools"]["school_id"].iloc[:8])
    small = {k: v[v["school_id"].isin(keep)].reset_index(drop=True) for k, v in tables.items()}
    d, notes, _ = differentiation(small, **small)
    assert len(d) == 8 and d[VA].isna().all().all()
    assert "Добавленная ценность не рассчитана" in notes


def test_a_school_with_one_tiny_group_and_one_of_tiny_groups(tables):
    res = tables["results"].copy()
    sid = tables["schools"]["school_id"]
    one, five = sid.iloc[3], sid.iloc[4]
    first = res.index[res["school_id"] == one][0]
    res = res[(res["school_id"] != one) | (res.index == first)].copy()
    res.loc[first, ["participants", *MARKS]] = [3.0, 1.0, 1.0, 1.0, 0.0]
    res.loc[first, "mean_score"] = 3.0
    # the other school: every group of exactly five pupils (the least that is reliable)
    rows = res["school_id"] == five
    res.loc[rows, ["participants", *MARKS]] = [5.0, 1.0, 2.0, 1.0, 1.0]
    res.loc[rows, ["n_high", "mean_score"]] = [np.nan, 3.4]
    d, _, va = differentiation(tables, results=res.reset_index(drop=True))
    assert d.loc[one, VA].isna().all() and "индекс качества не рассчитан" in d.loc[one, "status"]
    assert d.loc[five, VA].notna().all() and d.loc[five, "status"] == ""
    # a school of few pupils gets a wide interval, and little weight on its own result
    width = d["value_added_high"] - d["value_added_low"]
    large = va["participants"] >= va["participants"].quantile(0.75)
    assert width[five] > 1.5 * width[large[large].index].median()
    assert va.loc[five, "value_added_weight"] < va.loc[large, "value_added_weight"].min()


def test_no_social_data(tables):
    empty = tables["social"].iloc[0:0]
    d, notes, va = differentiation(tables, social=empty)
    assert d[VA].isna().all().all() and va.empty
    assert "Добавленная ценность не рассчитана: нет ИСБШ" in notes


def test_a_constant_social_share(tables):
    social = tables["social"].copy()
    social["parents_higher_edu"] = (0.2 * social["students_total"]).round(6)
    d, _, _ = differentiation(tables, social=social)
    assert d.loc[with_va(d), VA].notna().all().all()


def test_schools_whose_sampling_error_cannot_be_told(tables):
    res = tables["results"].copy()
    sid = tables["schools"]["school_id"]
    d0, _, _ = differentiation(tables)
    same, no_marks = [s for s in sid if with_va(d0).get(s, False)][:2]
    rows = res["school_id"] == same  # every pupil a «3» in every assessment
    res.loc[rows, MARKS] = 0.0
    res.loc[rows, "n_mark3"] = res.loc[rows, "participants"]
    res.loc[rows, ["n_high", "mean_score"]] = [np.nan, 3.0]
    rows = res["school_id"] == no_marks  # only the mean marks
    res.loc[rows, [*MARKS, "n_high"]] = np.nan
    d, _, _ = differentiation(tables, results=res)
    assert d.loc[[same, no_marks], "quality_index"].notna().all()
    assert d.loc[[same, no_marks], VA].isna().all().all()
    assert "одну и ту же отметку" in d.loc[same, "status"]
    assert "нет долей отметок" in d.loc[no_marks, "status"]
    others = with_va(d) & ~d.index.isin([same, no_marks])
    assert d.loc[others, VA].notna().all().all() and (d.loc[others, "status"] == "").all()
