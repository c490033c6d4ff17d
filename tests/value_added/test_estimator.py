"""ValueAdded as a scikit-learn estimator: fitted on some schools, applied to others."""

import doctest

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import shnor.value_added.model
from shnor.config import load_config
from shnor.indicators import compute_indicators
from shnor.quality.index import assessment_scores, quality_index
from shnor.synth.region import generate_region
from shnor.value_added import VA_COLUMNS, ValueAdded, fit_value_added

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


@pytest.fixture(scope="module")
def data():
    params = load_config()
    t = generate_region(n_schools=300, n_years=1, seed=5, optional_tables=False)
    ind = compute_indicators(t["results"], params)
    scores = assessment_scores(ind, 2024, params)
    quality = quality_index(ind, 2024, params, scores).set_index("school_id")["quality_index"]
    s = t["social"][t["social"]["year"] == 2024]
    X = s[list(params["isbsh"]["components"])].div(s["students_total"], axis=0)
    X = X.set_axis(pd.Index(s["school_id"], name="school_id"))
    y = X.index.to_series().map(quality).astype(float)
    return X, y, scores


def _split(X, y, scores):
    """Every other school (to fit on) and the rest plus a copy of the first fitted school."""
    copy = pd.Index(["COPY"], name="school_id")
    first = X.index[0]
    return ((X.iloc[::2], y.iloc[::2]),
            (pd.concat([X.iloc[1::2], X.iloc[[0]].set_axis(copy)]),
             pd.concat([y.iloc[1::2], y.iloc[[0]].set_axis(copy)]),
             pd.concat([scores, scores[scores["school_id"] == first].assign(school_id="COPY")])))


def test_school_like_a_fitted_one_gets_the_same_value(data):
    X, y, scores = data
    (Xf, yf), (Xo, yo, so) = _split(X, y, scores)
    assert pd.notna(yf.iloc[0]) and Xf.iloc[0].notna().all()
    model = ValueAdded().fit(Xf, yf, scores=scores)
    on_fit = model.value_added(Xf, yf, scores=scores).set_index("school_id")
    on_other = model.value_added(Xo[Xo.columns[::-1]], yo, scores=so).set_index("school_id")
    assert on_other.loc["COPY"].equals(on_fit.loc[Xf.index[0]])
    assert model.predict(Xo)[-1] == model.predict(Xf)[0] == on_fit["expected"].iloc[0]
    assert list(on_other.reset_index().columns) == VA_COLUMNS
    complete = Xo.notna().all(axis=1) & yo.notna()
    assert on_other.index.tolist() == Xo.index[complete].tolist()
    # only the school's own rows count: the others in the table do not move it
    alone = model.value_added(Xo.loc[["COPY"]], yo.loc[["COPY"]],
                              scores=so[so["school_id"] == "COPY"]).set_index("school_id")
    assert alone.loc["COPY"].equals(on_other.loc["COPY"])


def test_fit_value_added_is_fit_and_value_added_on_the_same_rows(data):
    X, y, scores = data
    table, coefs = fit_value_added(X, y, scores, level=0.9)
    model = ValueAdded(level=0.9).fit(X, y, scores=scores)
    pd.testing.assert_frame_equal(table, model.value_added(X, y, scores=scores),
                                  check_exact=True)
    pd.testing.assert_frame_equal(coefs, model.coef_table(), check_exact=True)
    assert table["participants"].min() >= 10  # at least two reliable groups of 5


def test_fitted_attributes_and_constant_regressor(data):
    X, y, scores = data
    model = ValueAdded().fit(X.assign(flat=0.25), y, scores=scores)
    assert list(model.feature_names_in_) == [*X.columns, "flat"]
    assert model.n_features_in_ == X.shape[1] + 1 and model.columns_ == list(X.columns)
    assert model.coef_[-1] == 0 and model.coef_.shape == (model.n_features_in_,)
    complete = int((X.notna().all(axis=1) & y.notna()).sum())
    assert model.n_schools_ == complete and model.dof_ == complete - X.shape[1] - 1
    assert model.cov_.shape == (X.shape[1] + 1,) * 2 and model.tau2_ > 0
    assert 0 < model.n_iter_ < model.max_iter
    assert isinstance(model.indicator_scale_, pd.DataFrame) and model.index_scale_ > 0
    ok = X.notna().all(axis=1) & y.notna()
    assert 0 < model.score(X[ok].assign(flat=0.25), y[ok]) < 1
    np.testing.assert_array_equal(model.predict(X.assign(flat=0.25)), ValueAdded().fit(
        X, y, scores=scores).predict(X))
    # refitted with the variances given, it has no measurement scale of its own
    variance = model.sampling_variance(scores).reindex(X.index)
    model.fit(X, y, sampling_variance=variance.to_numpy())
    assert not hasattr(model, "indicator_scale_") and not hasattr(model, "index_scale_")


def test_from_params_clone_and_get_params(data):
    X, y, scores = data
    params = load_config()
    model = ValueAdded.from_params(params)
    p = params["value_added"]
    assert model.level == p["interval_level"] and list(model.level_bounds) == p["level_bounds"]
    assert model.min_schools == p["min_schools"]
    assert model.indicators == params["quality"]["indicators"]
    assert ValueAdded.from_params(p).indicators is None  # the section alone: default signs
    got = model.get_params()
    assert ValueAdded(**got).get_params() == got
    assert clone(model.fit(X, y, scores=scores)).get_params() == got
    with pytest.raises(NotFittedError):
        clone(model).predict(X)


def test_predict_before_fit_raises(data):
    X, y, scores = data
    with pytest.raises(NotFittedError):
        ValueAdded().predict(X)
    with pytest.raises(NotFittedError):
        ValueAdded().value_added(X, y, scores=scores)
    with pytest.raises(NotFittedError):
        ValueAdded().sampling_variance(scores)


def test_bad_input_raises_plain_errors(data):
    X, y, scores = data
    with pytest.raises(ValueError, match="too few schools"):
        ValueAdded().fit(X.head(5), y.head(5), scores=scores)
    with pytest.raises(ValueError, match="те же строки"):
        ValueAdded().fit(X, y.iloc[::-1], scores=scores)
    with pytest.raises(ValueError, match="по одному"):
        ValueAdded().fit(X, y.to_numpy()[:-1], scores=scores)
    with pytest.raises(ValueError, match="either scores or sampling_variance"):
        ValueAdded().fit(X, y)
    with pytest.raises(ValueError, match="one value per school"):
        ValueAdded().fit(X, y, sampling_variance=np.ones(3))
    with pytest.raises(TypeError, match="DataFrame indexed by school_id"):
        ValueAdded().fit(X.to_numpy(), y.to_numpy(), scores=scores)
    with pytest.raises(ValueError, match="lack the columns participants"):
        ValueAdded().fit(X, y, scores=scores.drop(columns="participants"))
    model = ValueAdded().fit(X, y, scores=scores)
    with pytest.raises(ValueError, match=X.columns[0]):
        model.predict(X.drop(columns=X.columns[0]))
    with pytest.raises(ValueError, match="столбцов"):
        model.predict(X.to_numpy()[:, 1:])


def test_docstring_examples_run():
    result = doctest.testmod(shnor.value_added.model, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5 and result.failed == 0
