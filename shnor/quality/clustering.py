"""ИРО-style clustering of schools by result quality (SPEC §4.5; seed 000 «кластеризация школ по
качеству подготовки обучающихся»).

k-means on the per-assessment feature matrix of :func:`shnor.quality.index.quality_features`; clusters
are relabelled 1..k by the mean of their centroid (1 = lowest quality), so labels mean the same in
every run and year. Diagnostics for a range of k, bootstrap stability (mean adjusted Rand index
on subsamples, so it stays fast for 40,000 schools), Hungarian matching with the previous year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from shnor.errors import UserError
from shnor.frames import feature_names


class TooFewSchoolsError(ValueError, UserError):
    """Fewer schools than clusters.

    A :class:`ValueError` for scikit-learn code, and a :class:`~shnor.errors.UserError` so that
    the command line prints its Russian message instead of a traceback.
    """


class IROClustering(ClusterMixin, BaseEstimator):
    """k-means with clusters relabelled by quality (1 = lowest mean centroid).

    Parameters
    ----------
    n_clusters : int, default=4
        Number of clusters k.
    n_init : int, default=10
        k-means restarts.
    random_state : int, default=0
        Seed of the k-means initialisation.
    max_iter : int, default=300
        Iterations per k-means run.

    Attributes
    ----------
    labels_ : ndarray of shape (n_schools,)
        Cluster 1..k of each fitted school.
    cluster_centers_ : ndarray of shape (n_clusters, n_features_in_)
        Row j−1 is the centroid of cluster j; clusters are ordered by the mean of their centroid
        (ties broken by the centroid itself), so equal partitions get equal labels.
    inertia_ : float
        Sum of squared distances of the fitted schools to their centroid.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Names of the features; only when ``X`` in ``fit`` is a DataFrame with string column
        names.

    Notes
    -----
    Fitting on fewer schools than clusters raises :class:`TooFewSchoolsError`, a
    :class:`ValueError`; other bad input raises :class:`ValueError` too.

    Examples
    --------
    >>> import pandas as pd
    >>> region = pd.DataFrame({"VPR_5_math": [-1.0, -1.1, 0.0, 0.1, 1.0, 1.2],
    ...                        "VPR_6_russian": [-0.9, -1.2, 0.1, -0.1, 1.1, 0.9]})
    >>> model = IROClustering(n_clusters=3, n_init=3).fit(region)
    >>> model.labels_.tolist()
    [1, 1, 2, 2, 3, 3]
    >>> municipality = pd.DataFrame({"VPR_6_russian": [1.0, -1.0], "VPR_5_math": [1.1, -1.0]})
    >>> model.predict(municipality).tolist()  # columns are matched by name
    [3, 1]
    """

    def __init__(self, n_clusters: int = 4, n_init: int = 10, random_state: int = 0,
                 max_iter: int = 300):
        self.n_clusters = n_clusters
        self.n_init = n_init
        self.random_state = random_state
        self.max_iter = max_iter

    @classmethod
    def from_params(cls, params: dict) -> IROClustering:
        """The clustering configured by the ``clustering`` section of the methodology parameters.

        Parameters
        ----------
        params : dict
            :func:`shnor.config.load_config` output, or its ``clustering`` section.

        Returns
        -------
        IROClustering
            Unfitted.
        """
        p = params.get("clustering", params)
        return cls(p["n_clusters"], n_init=p["n_init"], random_state=p["random_state"])

    def fit(self, X, y=None) -> IROClustering:
        """Cluster the schools of ``X`` and relabel the clusters by quality.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_schools, n_features)
            Features per school (:func:`shnor.quality.index.quality_features`), no missing
            values.
        y : ignored

        Returns
        -------
        self : IROClustering
        """
        names = feature_names(X)
        X = np.asarray(X, float)
        if X.ndim != 2:
            raise ValueError(f"Кластеризация: ожидается таблица школ × признаков, а не форма "
                             f"{X.shape}.")
        if len(X) < self.n_clusters:
            raise TooFewSchoolsError(f"Кластеризация: школ с данными ({len(X)}) меньше, чем "
                                     f"кластеров ({self.n_clusters}).")
        # One thread: OpenMP k-means on a busy 2-core machine is 10–100× slower when oversubscribed.
        with threadpool_limits(limits=1):
            km = KMeans(n_clusters=self.n_clusters, n_init=self.n_init,
                        random_state=self.random_state, max_iter=self.max_iter).fit(X)
        # Order by mean centroid; ties broken by the centroid itself, so equal partitions from any
        # row order get equal labels.
        order = np.lexsort((*km.cluster_centers_.T[::-1], km.cluster_centers_.mean(axis=1)))
        rank = np.empty(self.n_clusters, int)
        rank[order] = np.arange(1, self.n_clusters + 1)
        self.labels_ = rank[km.labels_]
        self.cluster_centers_ = km.cluster_centers_[order]
        self.inertia_ = float(km.inertia_)
        self.n_features_in_ = X.shape[1]
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return self

    def predict(self, X) -> np.ndarray:
        """Cluster 1..k of each school: the nearest fitted centroid.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_schools, n_features_in_)
            Features per school. A DataFrame is matched to ``feature_names_in_`` by name (other
            columns are ignored) when the model was fitted on one; an array by position.

        Returns
        -------
        ndarray of shape (n_schools,)
        """
        check_is_fitted(self, "cluster_centers_")
        if isinstance(X, pd.DataFrame) and hasattr(self, "feature_names_in_"):
            missing = [c for c in self.feature_names_in_ if c not in X.columns]
            if missing:
                raise ValueError(f"Кластеризация: нет признаков {', '.join(missing)}, по которым "
                                 "обучена модель.")
            X = X[list(self.feature_names_in_)]
        X = np.asarray(X, float)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(f"Кластеризация: ожидается {self.n_features_in_} признаков, а не "
                             f"форма {X.shape}.")
        d = ((X[:, None, :] - self.cluster_centers_[None, :, :]) ** 2).sum(axis=2)
        return d.argmin(axis=1) + 1


def _sample(n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    return np.sort(rng.choice(n, size=size, replace=False)) if n > size else np.arange(n)


def cluster_diagnostics(X, k_values=range(2, 9), n_init: int = 10, random_state: int = 0,
                        sample_size: int = 5000, silhouette_size: int = 2000) -> pd.DataFrame:
    """Inertia, silhouette, Calinski–Harabasz and Davies–Bouldin for each k (fits on at most
    ``sample_size`` schools; the silhouette, quadratic in the schools, on at most
    ``silhouette_size`` of them). Rows for k ≥ number of distinct schools are left out."""
    X = np.asarray(X, float)
    rng = np.random.default_rng(random_state)
    Xs = X[_sample(len(X), sample_size, rng)]
    sil = _sample(len(Xs), silhouette_size, rng)
    distinct = len(np.unique(Xs, axis=0))
    rows = []
    for k in k_values:
        if k >= distinct:
            continue
        m = IROClustering(k, n_init=n_init, random_state=random_state).fit(Xs)
        rows.append({"k": k, "inertia": m.inertia_ * len(X) / len(Xs),
                     "silhouette": silhouette_score(Xs[sil], m.labels_[sil]),
                     "calinski_harabasz": calinski_harabasz_score(Xs, m.labels_),
                     "davies_bouldin": davies_bouldin_score(Xs, m.labels_)})
    return pd.DataFrame(rows, columns=["k", "inertia", "silhouette", "calinski_harabasz",
                                       "davies_bouldin"])


def bootstrap_stability(X, n_clusters: int, n_bootstrap: int = 20, sample_size: int = 2000,
                        n_init: int = 10, random_state: int = 0) -> dict:
    """Mean and SD of the adjusted Rand index between the reference partition and partitions
    fitted on bootstrap resamples (drawn from at most ``sample_size`` schools), compared on
    those schools."""
    X = np.asarray(X, float)
    rng = np.random.default_rng(random_state)
    base = X[_sample(len(X), sample_size, rng)]
    ref = IROClustering(n_clusters, n_init=n_init, random_state=random_state).fit(base)
    scores = []
    for b in range(n_bootstrap):
        idx = rng.integers(0, len(base), len(base))
        if len(np.unique(base[idx], axis=0)) < n_clusters:
            continue
        m = IROClustering(n_clusters, n_init=n_init, random_state=random_state + b + 1)
        scores.append(adjusted_rand_score(ref.labels_, m.fit(base[idx]).predict(base)))
    return {"k": n_clusters, "ari_mean": float(np.mean(scores)) if scores else np.nan,
            "ari_sd": float(np.std(scores)) if scores else np.nan,
            "n_bootstrap": len(scores), "schools": len(base)}


def match_clusters(previous_centers, centers) -> pd.DataFrame:
    """Hungarian assignment of current clusters to previous ones by centroid distance.

    Returns cluster (1..k), previous_cluster (Int64; NA when k grew), distance.
    """
    prev = np.asarray(previous_centers, float)
    cur = np.asarray(centers, float)
    cost = np.sqrt(((cur[:, None, :] - prev[None, :, :]) ** 2).sum(axis=2))
    rows, cols = linear_sum_assignment(cost)
    out = pd.DataFrame({"cluster": np.arange(1, len(cur) + 1)})
    out["previous_cluster"] = pd.array([pd.NA] * len(cur), dtype="Int64")
    out.loc[rows, "previous_cluster"] = cols + 1
    out["distance"] = np.nan
    out.loc[rows, "distance"] = cost[rows, cols]
    return out


def transition_table(previous: pd.Series, current: pd.Series) -> pd.DataFrame:
    """Schools by previous-year cluster (rows) × this year's cluster (columns), both indexed by
    school_id; schools clustered in one year only appear under «нет»."""
    both = pd.concat({"previous": previous, "current": current}, axis=1)
    both = both.astype("Int64").map(lambda v: "нет" if pd.isna(v) else str(v))
    t = pd.crosstab(both["previous"], both["current"])
    t.index.name, t.columns.name = "Кластер в прошлом году", "Кластер в этом году"
    return t


