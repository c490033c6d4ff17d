import numpy as np
import pandas as pd
import pytest

from shnor.errors import UserError
from shnor.quality.clustering import (
    IROClustering,
    bootstrap_stability,
    cluster_diagnostics,
    match_clusters,
    transition_table,
)


def _blobs(seed=0, n=60):
    rng = np.random.default_rng(seed)
    centres = np.array([[-2.0, -2.0, -1.5], [0.0, 0.2, 0.0], [2.0, 1.8, 2.2]])
    X = np.vstack([c + 0.3 * rng.normal(size=(n, 3)) for c in centres])
    return X, np.repeat([1, 2, 3], n)


def test_labels_ordered_by_quality():
    X, truth = _blobs()
    m = IROClustering(3, n_init=5, random_state=0).fit(X)
    assert (m.labels_ == truth).all()
    assert np.all(np.diff(m.cluster_centers_.mean(axis=1)) > 0)
    assert (m.predict(X) == m.labels_).all()


def test_relabelling_is_invariant_to_row_permutation_and_seed():
    X, _ = _blobs(1)
    perm = np.random.default_rng(5).permutation(len(X))
    a = IROClustering(3, random_state=0).fit(X).labels_
    b = IROClustering(3, random_state=7).fit(X[perm]).labels_
    assert (a[perm] == b).all()


def test_too_few_schools_raise_user_error():
    with pytest.raises(UserError, match="меньше, чем кластеров"):
        IROClustering(4).fit(np.zeros((3, 2)))


def test_diagnostics_and_stability():
    X, _ = _blobs()
    d = cluster_diagnostics(X, range(2, 6), n_init=3)
    assert d["k"].tolist() == [2, 3, 4, 5]
    assert d.set_index("k")["silhouette"].idxmax() == 3
    assert (np.diff(d["inertia"]) < 0).all()
    s = bootstrap_stability(X, 3, n_bootstrap=5, sample_size=100, n_init=3)
    assert s["ari_mean"] > 0.9 and s["schools"] == 100 and s["n_bootstrap"] == 5


def test_hungarian_matching():
    prev = np.array([[0.0, 0.0], [5.0, 5.0], [10.0, 0.0]])
    cur = np.array([[9.5, 0.5], [0.2, -0.1], [5.1, 4.8], [20.0, 20.0]])
    m = match_clusters(prev, cur)
    assert m["previous_cluster"].tolist()[:3] == [3, 1, 2]
    assert m["previous_cluster"].isna().iloc[3]
    assert m["distance"].iloc[1] == pytest.approx(np.hypot(0.2, 0.1))


def test_transition_table():
    prev = pd.Series([1, 1, 2, 3], index=["a", "b", "c", "d"])
    cur = pd.Series([1, 2, 2, 4], index=["a", "b", "c", "e"])
    t = transition_table(prev, cur)
    assert t.loc["1", "1"] == 1 and t.loc["1", "2"] == 1 and t.loc["2", "2"] == 1
    assert t.loc["3", "нет"] == 1 and t.loc["нет", "4"] == 1
