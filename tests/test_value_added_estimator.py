"""ValueAdded as a scikit-learn estimator: fitted on some schools, applied to others."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from shnor.config import load_config
from shnor.indicators import compute_indicators
from shnor.quality.index import quality_index
from shnor.synth.region import generate_region
from shnor.value_added import VA_COLUMNS, ValueAdded, fit_value_added


@pytest.fixture(scope="module")
def data():
    params = load_config()
    t = generate_region(n_schools=300, n_years=3, seed=5, optional_tables=False)
    ind = compute_indicators(t["results"], params)
    quality = quality_index(ind, 2024, params).set_index("school_id")["quality_index"]
    s = t["social"][t["social"]["year"] == 2024]
    X = s[list(params["isbsh"]["components"])].div(s["students_total"], axis=0)
    X = X.set_axis(pd.Index(s["school_id"], name="school_id"))
    y = X.index.to_series().map(quality).astype(float)
    return X, y


def _split(X, y):
    """Every other school (to fit on) and the rest plus a copy of the first fitted school."""
    copy = pd.Index(["COPY"], name="school_id")
    return ((X.iloc[::2], y.iloc[::2]),
            (pd.concat([X.iloc[1::2], X.iloc[[0]].set_axis(copy)]),
             pd.concat([y.iloc[1::2], y.iloc[[0]].set_axis(copy)])))


def test_school_like_a_fitted_one_gets_the_same_value(data):
    (Xf, yf), (Xo, yo) = _split(*data)
    assert pd.notna(yf.iloc[0]) and Xf.iloc[0].notna().all()
    model = ValueAdded().fit(Xf, yf)
    on_fit = model.value_added(Xf, yf).set_index("school_id")
    on_other = model.value_added(Xo[Xo.columns[::-1]], yo).set_index("school_id")
    assert on_other.loc["COPY"].equals(on_fit.loc[Xf.index[0]])
    assert model.predict(Xo)[-1] == model.predict(Xf)[0] == on_fit["expected"].iloc[0]
    assert list(on_other.reset_index().columns) == VA_COLUMNS
    complete = Xo.notna().all(axis=1) & yo.notna()
    assert on_other.index.tolist() == Xo.index[complete].tolist()


def test_fit_value_added_is_fit_and_value_added_on_the_same_rows(data):
    X, y = data
    table, coefs = fit_value_added(X, y, 0.9)
    model = ValueAdded(level=0.9).fit(X, y)
    pd.testing.assert_frame_equal(table, model.value_added(X, y), check_exact=True)
    pd.testing.assert_frame_equal(coefs, model.coef_table(), check_exact=True)


def test_fitted_attributes_and_constant_regressor(data):
    X, y = data
    model = ValueAdded().fit(X.assign(flat=0.25), y)
    assert list(model.feature_names_in_) == [*X.columns, "flat"]
    assert model.n_features_in_ == X.shape[1] + 1 and model.columns_ == list(X.columns)
    assert model.coef_[-1] == 0 and model.coef_.shape == (model.n_features_in_,)
    complete = int((X.notna().all(axis=1) & y.notna()).sum())
    assert model.n_schools_ == complete and model.dof_ == complete - X.shape[1] - 1
    assert model.xtx_inv_.shape == (X.shape[1] + 1,) * 2 and model.sigma2_ > 0
    ok = X.notna().all(axis=1) & y.notna()
    assert model.score(X[ok].assign(flat=0.25), y[ok]) == pytest.approx(model.r2_)
    np.testing.assert_array_equal(model.predict(X.assign(flat=0.25)), ValueAdded().fit(
        X, y).predict(X))


def test_from_params_clone_and_get_params(data):
    X, y = data
    model = ValueAdded.from_params(load_config())
    assert model.level == load_config()["value_added"]["interval_level"]
    params = model.get_params()
    assert ValueAdded(**params).get_params() == params
    assert clone(model.fit(X, y)).get_params() == params
    with pytest.raises(NotFittedError):
        clone(model).predict(X)


def test_predict_before_fit_raises(data):
    X, y = data
    with pytest.raises(NotFittedError):
        ValueAdded().predict(X)
    with pytest.raises(NotFittedError):
        ValueAdded().value_added(X, y)


def test_bad_input_raises_plain_value_error(data):
    X, y = data
    with pytest.raises(ValueError, match="too few schools"):
        ValueAdded().fit(X.head(3), y.head(3))
    with pytest.raises(ValueError, match="те же строки"):
        ValueAdded().fit(X, y.iloc[::-1])
    with pytest.raises(ValueError, match="по одному"):
        ValueAdded().fit(X, y.to_numpy()[:-1])
    model = ValueAdded().fit(X, y)
    with pytest.raises(ValueError, match=X.columns[0]):
        model.predict(X.drop(columns=X.columns[0]))
    with pytest.raises(ValueError, match="столбцов"):
        model.predict(X.to_numpy()[:, 1:])
