"""ISBSHIndex as a scikit-learn estimator: fitted on some schools, applied to others."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from shnor.config import load_config
from shnor.social.isbsh import ISBSHIndex, fit_isbsh, isbsh_components, isbsh_shares
from shnor.synth.region import generate_region


@pytest.fixture(scope="module")
def shares():
    social = generate_region(n_schools=300, n_years=3, seed=5, optional_tables=False)["social"]
    s = social[social["year"] == 2024]
    return isbsh_shares(s, isbsh_components(s, load_config())).dropna()


def _split(shares):
    """Disjoint halves; the second also holds a copy of the first school of the first half."""
    fit, other = shares.iloc[::2], shares.iloc[1::2]
    copy = fit.iloc[[0]].set_axis(pd.Index(["COPY"], name="school_id"))
    return fit, pd.concat([other, copy])


@pytest.mark.parametrize("weighting", ["pca", "equal"])
def test_school_like_a_fitted_one_gets_the_same_value(shares, weighting):
    fit, other = _split(shares)
    params = load_config()
    params["isbsh"]["weighting"] = weighting
    model = ISBSHIndex.from_params(params).fit(fit)
    on_fit = model.transform(fit)
    # Reordered columns: matched by name.
    on_other = model.transform(other[other.columns[::-1]])
    assert on_other[-1] == on_fit[0]
    assert on_fit.mean() == pytest.approx(50) and on_fit.std() == pytest.approx(10)
    assert not np.allclose(on_other[:-1].mean(), 50, atol=1e-6)  # the fitted scale, not refitted


def test_regression_weighting_uses_y(shares):
    fit, _ = _split(shares)
    y = 50 + 10 * (fit["parents_higher_edu"] - fit["deviant_registered"]).to_numpy()
    model = ISBSHIndex(signs=load_config()["isbsh"]["signs"], weighting="regression").fit(fit, y)
    assert model.weights_[0] > 0 > model.weights_[1]
    with pytest.raises(ValueError, match="индекс качества"):
        ISBSHIndex(weighting="regression").fit(fit)


def test_fitted_attributes(shares):
    model = ISBSHIndex().fit(shares)
    assert list(model.feature_names_in_) == model.columns_ == list(shares.columns)
    assert model.n_features_in_ == shares.shape[1] and model.n_schools_ == len(shares)
    on_array = ISBSHIndex().fit(shares.to_numpy())
    assert not hasattr(on_array, "feature_names_in_") and on_array.n_features_in_ == 3
    np.testing.assert_array_equal(on_array.transform(shares.to_numpy()),
                                  model.transform(shares))


def test_from_params_reads_the_isbsh_section():
    p = load_config()["isbsh"]
    for params in (load_config(), p):
        m = ISBSHIndex.from_params(params)
        assert (m.signs, m.weighting, m.mean, m.sd) == (p["signs"], p["weighting"], p["mean"],
                                                        p["sd"])


def test_clone_and_get_params(shares):
    model = ISBSHIndex(signs={"deviant_registered": -1}, weighting="equal", mean=100, sd=15)
    params = model.get_params()
    assert ISBSHIndex(**params).get_params() == params
    fitted = clone(model).fit(shares)
    assert clone(fitted).get_params() == params
    with pytest.raises(NotFittedError):
        clone(fitted).transform(shares)


def test_transform_before_fit_raises(shares):
    with pytest.raises(NotFittedError):
        ISBSHIndex().transform(shares)
    with pytest.raises(NotFittedError):
        ISBSHIndex().weights_table()


def test_bad_input_raises_plain_value_error(shares):
    with pytest.raises(ValueError, match="способ весов"):
        ISBSHIndex(weighting="median").fit(shares)
    with pytest.raises(ValueError, match="две школы"):
        ISBSHIndex().fit(shares.head(1))
    with pytest.raises(ValueError, match="одинаковы"):
        ISBSHIndex().fit(shares * 0)
    model = ISBSHIndex().fit(shares)
    with pytest.raises(ValueError, match="deviant_registered"):
        model.transform(shares.drop(columns="deviant_registered"))
    with pytest.raises(ValueError, match="3 столбцов"):
        model.transform(shares.to_numpy()[:, :2])


def test_fit_isbsh_turns_estimator_errors_into_a_status():
    social = generate_region(n_schools=30, n_years=1, seed=5, optional_tables=False)["social"]
    params = load_config()
    params["isbsh"]["weighting"] = "median"
    out, model = fit_isbsh(social, 2024, params)
    assert model is None and out["isbsh"].isna().all()
    assert (out["isbsh_status"] == "ИСБШ не рассчитан: неизвестный способ весов «median»; "
            "допустимы: pca, regression, equal.").all()
