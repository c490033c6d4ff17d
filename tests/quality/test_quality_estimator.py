"""QualityIndex and IROClustering as scikit-learn estimators: fitted on some schools, applied to
others."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from shnor.config import load_config
from shnor.errors import UserError
from shnor.indicators import compute_indicators
from shnor.quality.clustering import IROClustering, TooFewSchoolsError
from shnor.quality.index import (
    QualityIndex,
    assessment_scores,
    quality_features,
    quality_index,
)
from shnor.synth.region import generate_region


@pytest.fixture(scope="module")
def ind():
    t = generate_region(n_schools=300, n_years=3, seed=5, optional_tables=False)
    return compute_indicators(t["results"], load_config())


@pytest.fixture(scope="module")
def rows(ind):
    return ind[ind["year"] == 2024].reset_index(drop=True)


def _split(rows):
    """Rows of every other school (to fit on) and of the rest."""
    ids = rows["school_id"].unique()
    fit = rows[rows["school_id"].isin(ids[::2])]
    other = rows[rows["school_id"].isin(ids[1::2])]
    return fit, other


# --- QualityIndex -----------------------------------------------------------------------------

def test_school_like_a_fitted_one_gets_the_same_value(rows):
    fit, other = _split(rows)
    model = QualityIndex.from_params(load_config()).fit(fit)
    on_fit = model.transform(fit).set_index("school_id")
    school = on_fit["quality_index"].dropna().index[0]
    copy = fit[fit["school_id"] == school].assign(school_id="COPY")
    unseen = copy.iloc[[0]].assign(subject="astronomy")  # not standardisable: ignored
    on_other = model.transform(pd.concat([other, copy, unseen])).set_index("school_id")
    assert on_other.loc["COPY"].equals(on_fit.loc[school])
    assert on_other.index.tolist() == [*other["school_id"].unique(), "COPY"]
    ok = on_fit["quality_index"].dropna()
    assert ok.mean() == pytest.approx(50) and ok.std(ddof=0) == pytest.approx(10)
    # The other schools are placed with the fitted statistics, not rescaled among themselves.
    assert on_other["quality_index"].drop("COPY").mean() != pytest.approx(50, abs=1e-6)


def test_quality_index_is_fit_and_transform_on_the_same_rows(ind, rows):
    params = load_config()
    model = QualityIndex.from_params(params, year=2024)
    expected = model.fit(ind).transform(ind)
    pd.testing.assert_frame_equal(quality_index(ind, 2024, params), expected, check_exact=True)
    scores = assessment_scores(ind, 2024, params)
    pd.testing.assert_frame_equal(quality_index(rows, 2024, params, scores),
                                  clone(model).fit(rows).transform(rows), check_exact=True)
    pd.testing.assert_frame_equal(scores, model.scores(ind), check_exact=True)
    pd.testing.assert_frame_equal(QualityIndex.from_params(params).fit_transform(rows),
                                  quality_index(rows, 2024, params), check_exact=True)


def test_fitted_statistics(rows):
    model = QualityIndex.from_params(load_config()).fit(rows)
    assert list(model.indicator_mean_.columns) == ["share_fail", "share_quality", "mean_score"]
    assert model.indicator_mean_.index.names == ["procedure", "grade", "subject"]
    assert (model.indicator_scale_.fillna(0) >= 0).all().all()
    assert model.n_schools_ == model.transform(rows)["quality_index"].notna().sum()


def test_from_params_reads_the_quality_section():
    p = load_config()["quality"]
    m = QualityIndex.from_params(p, year=2023)
    assert m.grades == p["grades"] and m.indicators == p["indicators"] and m.year == 2023
    assert (m.min_assessments, m.mean, m.sd, m.grouping, m.n_groups, m.band_sd) == (
        p["min_assessments"], p["mean"], p["sd"], p["grouping"], p["n_groups"], p["band_sd"])


def test_quality_clone_and_get_params(rows):
    model = QualityIndex.from_params(load_config(), year=2024)
    params = model.get_params()
    assert QualityIndex(**params).get_params() == params
    assert clone(model.fit(rows)).get_params() == params
    with pytest.raises(NotFittedError):
        clone(model).transform(rows)


def test_quality_transform_before_fit_raises(rows):
    with pytest.raises(NotFittedError):
        QualityIndex().transform(rows)
    with pytest.raises(NotFittedError):
        QualityIndex().scores(rows)


def test_quality_bad_input_raises_plain_value_error(ind, rows):
    with pytest.raises(ValueError, match="нескольких лет"):
        QualityIndex().fit(ind)
    with pytest.raises(ValueError, match="reliable"):
        QualityIndex().fit(rows.drop(columns="reliable"))
    with pytest.raises(ValueError, match="способ деления"):
        QualityIndex(grouping="deciles").fit(rows)
    model = QualityIndex().fit(rows)
    with pytest.raises(ValueError, match="share_fail"):
        model.transform(rows.drop(columns="share_fail"))
    # The report's boundary keeps its Russian UserError.
    params = load_config()
    params["quality"]["grouping"] = "deciles"
    with pytest.raises(UserError, match="способ деления"):
        quality_index(rows, 2024, params)


def test_one_school_gives_a_status_not_an_index(rows):
    one = rows[rows["school_id"] == rows["school_id"].iloc[0]]
    out = QualityIndex().fit(one).transform(rows)
    assert out["quality_index"].isna().all()
    assert out["quality_status"].str.contains("не различаются|оценочных процедурах").all()


# --- IROClustering ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def features(ind):
    return quality_features(ind, 2024, load_config())


def test_cluster_of_a_school_like_a_fitted_one(features):
    fit, other = features.iloc[::2], features.iloc[1::2]
    model = IROClustering.from_params(load_config()).fit(fit)
    copy = fit.iloc[[5]].set_axis(["COPY"])
    labels = model.predict(pd.concat([other, copy])[features.columns[::-1]])
    assert labels[-1] == model.labels_[5]
    assert (model.predict(fit) == model.labels_).all()
    assert list(model.feature_names_in_) == list(features.columns)
    assert model.n_features_in_ == features.shape[1]
    assert set(labels) <= set(range(1, model.n_clusters + 1))


def test_cluster_array_input_is_positional(features):
    model = IROClustering(3, n_init=2).fit(features.to_numpy())
    assert not hasattr(model, "feature_names_in_")
    np.testing.assert_array_equal(model.predict(features), model.labels_)
    refit = IROClustering(3, n_init=2).fit(features).fit(features.to_numpy())
    assert not hasattr(refit, "feature_names_in_")


def test_cluster_from_params_clone_and_get_params(features):
    p = load_config()["clustering"]
    model = IROClustering.from_params(p)
    assert (model.n_clusters, model.n_init, model.random_state) == (
        p["n_clusters"], p["n_init"], p["random_state"])
    params = model.get_params()
    assert IROClustering(**params).get_params() == params
    assert clone(model.fit(features)).get_params() == params
    with pytest.raises(NotFittedError):
        clone(model).predict(features)


def test_cluster_predict_before_fit_raises(features):
    with pytest.raises(NotFittedError):
        IROClustering().predict(features)


def test_cluster_bad_input_raises_value_error(features):
    with pytest.raises(ValueError, match="меньше, чем кластеров") as err:
        IROClustering(4).fit(features.head(3))
    assert isinstance(err.value, TooFewSchoolsError) and isinstance(err.value, UserError)
    model = IROClustering(3, n_init=2).fit(features)
    with pytest.raises(ValueError, match=features.columns[0]):
        model.predict(features.drop(columns=features.columns[0]))
    with pytest.raises(ValueError, match="признаков"):
        model.predict(features.to_numpy()[:, 1:])
