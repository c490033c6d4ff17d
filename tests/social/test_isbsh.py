import numpy as np
import pandas as pd
import pytest

from shnor.config import load_config
from shnor.errors import UserError
from shnor.social.isbsh import ISBSHIndex, compute_isbsh, cut_groups, fit_isbsh, group_level


def _social(n=40, seed=1, year=2024):
    rng = np.random.default_rng(seed)
    wellbeing = rng.normal(size=n)  # latent: higher = better-off
    total = rng.integers(200, 900, size=n).astype(float)
    return pd.DataFrame({
        "year": year,
        "school_id": [f"{i:03d}" for i in range(n)],
        "students_total": total,
        "parents_higher_edu": np.round(total * np.clip(0.3 + 0.1 * wellbeing, 0.01, 0.9)),
        "deviant_registered": np.round(total * np.clip(0.05 - 0.02 * wellbeing, 0.0, 0.5)),
        "unemployed_parents": np.round(total * np.clip(0.1 - 0.04 * wellbeing
                                                       + 0.01 * rng.normal(size=n), 0, 0.5)),
    }), wellbeing


def test_direction_and_scaling():
    social, wellbeing = _social()
    out = compute_isbsh(social, 2024, load_config())
    assert out["isbsh"].mean() == pytest.approx(50)
    assert out["isbsh"].std(ddof=0) == pytest.approx(10)
    assert np.corrcoef(out["isbsh"], wellbeing)[0, 1] > 0.9
    assert (out["isbsh_status"] == "").all()
    model = fit_isbsh(social, 2024, load_config())[1]
    w = model.weights_table().set_index("component")["weight"]
    assert w["parents_higher_edu"] > 0 and w["deviant_registered"] < 0 < -w["unemployed_parents"]


@pytest.mark.parametrize("weighting", ["equal", "regression"])
def test_alternative_weightings_agree_in_direction(weighting):
    social, wellbeing = _social()
    params = load_config()
    params["isbsh"]["weighting"] = weighting
    quality = pd.Series(wellbeing, index=social["school_id"])
    out = compute_isbsh(social, 2024, params, quality=quality)
    assert np.corrcoef(out["isbsh"], wellbeing)[0, 1] > 0.9


def test_regression_weighting_needs_quality():
    params = load_config()
    params["isbsh"]["weighting"] = "regression"
    with pytest.raises(UserError, match="индекс качества"):
        compute_isbsh(_social()[0], 2024, params)


def test_eleven_groups_cut_at_band_edges():
    # group 6 = [47.5, 52.5); an edge belongs to the upper band; 1 and 11 are open-ended
    score = [47.5, 47.4999, 52.5, 52.4999, 50, 27.4999, 27.5, 72.4999, 72.5, 99.0, np.nan]
    g = cut_groups(score)
    assert g.tolist()[:-1] == [6, 5, 7, 6, 6, 1, 2, 10, 11, 11]
    assert g.isna().iloc[-1]
    assert cut_groups([50 + 5 * k for k in range(-5, 6)]).tolist() == list(range(1, 12))


def test_quantile_groups_are_equal_sized():
    g = cut_groups(np.arange(110.0), method="quantiles")
    assert g.value_counts().sort_index().tolist() == [10] * 11


def test_levels_follow_seed_000():
    levels = group_level(pd.Series([1, 2, 3, 4, 5, 7, 8, 9, 10, 11, None], dtype="Int64"),
                         [2, 4, 7, 9])
    assert levels.tolist() == ["очень низкий", "очень низкий", "низкий", "низкий", "средний",
                               "средний", "высокий", "высокий", "очень высокий", "очень высокий", ""]


def test_missing_data_gives_status_and_other_years_ignored():
    social, _ = _social()
    social.loc[3, "deviant_registered"] = np.nan
    social.loc[4, "students_total"] = np.nan
    other = social.assign(year=2023)
    out = compute_isbsh(pd.concat([social, other]), 2024, load_config())
    assert len(out) == len(social)
    assert np.isnan(out.loc[3, "isbsh"]) and "учёте" in out.loc[3, "isbsh_status"]
    assert "численность" in out.loc[4, "isbsh_status"]
    assert out["isbsh"].notna().sum() == len(social) - 2
    assert out.loc[3, "isbsh_level"] == ""


def test_uses_only_components_present():
    social, wellbeing = _social()
    out, model = fit_isbsh(social.drop(columns=["unemployed_parents"]), 2024, load_config())
    assert model.columns_ == ["parents_higher_edu", "deviant_registered"]
    assert np.corrcoef(out["isbsh"], wellbeing)[0, 1] > 0.8


def test_constant_component_gets_zero_weight_and_all_constant_is_a_status():
    social, _ = _social()
    social["unemployed_parents"] = 0.0
    model = fit_isbsh(social, 2024, load_config())[1]
    assert model.weights_[2] == 0
    flat = social.assign(parents_higher_edu=0.0, deviant_registered=0.0)
    out, model = fit_isbsh(flat, 2024, load_config())
    assert model is None and out["isbsh"].isna().all()
    assert out["isbsh_status"].str.contains("одинаковы").all()


def test_too_few_schools():
    social, _ = _social(n=3)
    out = compute_isbsh(social, 2024, load_config())
    assert out["isbsh"].isna().all() and out["isbsh_status"].str.contains("менее чем у 5").all()


def test_estimator_transform_matches_fit():
    social, _ = _social()
    shares = social[["parents_higher_edu", "deviant_registered"]].div(social["students_total"],
                                                                      axis=0)
    m = ISBSHIndex(signs={"deviant_registered": -1}).fit(shares)
    v = m.transform(shares)
    assert v.mean() == pytest.approx(50) and v.std() == pytest.approx(10)
