"""Contextual value-added (SPEC §4.7): a school's effect on its quality index beyond what its
social context predicts, with the uncertainty that its own number of participants gives it.

The model (``docs/methodology.md``, «Добавленная ценность») is a random-effects (empirical-Bayes)
regression of the quality index Q on the ИСБШ component shares p::

    Q_i = b0 + Σ_j b_j p_ij + u_i + e_i,    u_i ~ N(0, τ²),    e_i ~ N(0, σ_i²)

``u_i`` is the school effect, ``e_i`` the sampling error of the school's index, whose variance
σ_i² follows from the participants of the assessments the index is built from
(:meth:`ValueAdded.sampling_variance`). τ² is estimated by REML (Fisher scoring from the
method-of-moments value), b by weighted least squares with weights 1 / (τ² + σ_i²). A school's
value-added is its effect shrunk towards the prediction in proportion to its unreliability,
``w_i (Q_i − Q̂_i)`` with ``w_i = τ² / (τ² + σ_i²)``; its standard error is the square root of
``w_i σ_i² + w_i² x_iᵀ Cov(b) x_i``. «выше ожидаемого» / «ниже ожидаемого» only when the
interval at ``level`` excludes zero; the effectiveness level 1–5 is read off effect / SE as SAS
EVAAS does.

:class:`ValueAdded` is the model as a scikit-learn estimator: fitted on one set of schools (a
region), it gives the value-added of any others (a municipality) against the region's relation,
τ² and measurement scale. :func:`fit_value_added` fits and applies it on the same schools.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from shnor.frames import feature_names
from shnor.indicators import ASSESSMENT
from shnor.value_added.estimation import check_scores, reml_tau2, rows_dot, target_values, wls
from shnor.verdicts import ABOVE, BELOW, WITHIN

VA_COLUMNS = ["school_id", "participants", "expected", "quality_se", "value_added",
              "value_added_se", "value_added_low", "value_added_high", "value_added_weight",
              "effectiveness_level", "verdict"]
# The quality index's default indicator signs (shnor.quality.index.DEFAULT_INDICATORS: this
# layer cannot import it).
DEFAULT_INDICATORS = {"share_fail": -1, "share_quality": 1, "mean_score": 1}
# A pupil's value of each share indicator by mark 2, 3, 4, 5; the mean mark is the mark itself.
_PUPIL = {"share_fail": np.array([1.0, 0.0, 0.0, 0.0]),
          "share_success": np.array([0.0, 1.0, 1.0, 1.0]),
          "share_quality": np.array([0.0, 0.0, 1.0, 1.0]),
          "mean_score": np.array([2.0, 3.0, 4.0, 5.0])}
_MARK_MEAN_TOLERANCE = 0.01  # a mean mark rounded to 2 decimals may miss its shares by 0.005


class ValueAdded(RegressorMixin, BaseEstimator):
    """School effects on the quality index given the social context (empirical Bayes).

    Parameters
    ----------
    level : float, default=0.95
        Level of a school's interval; a school is «выше/ниже ожидаемого» only when its interval
        excludes zero.
    level_bounds : sequence of 4 floats, default=(-2, -1, 1, 2)
        Bounds of effect / SE between the effectiveness levels 1 | 2 | 3 | 4 | 5; an index on a
        bound gets the higher level (SAS EVAAS).
    indicators : dict or None, default=None
        Indicator → sign of the quality index (``quality.indicators``); ``None``: share_fail −1,
        share_quality +1, mean_score +1.
    min_schools : int, default=10
        Schools with a sampling variance that the fit needs (and at least the regressors + 2).
    max_iter : int, default=100
        Fisher-scoring iterations of the REML estimate of τ².
    tol : float, default=1e-8
        Convergence: the change of τ² relative to max(1, τ²).

    Attributes
    ----------
    feature_names_in_ : ndarray of str
        Columns of ``X`` in ``fit``; only when ``X`` is a DataFrame with string column names.
    n_features_in_ : int
        Number of columns of ``X`` in ``fit``.
    support_ : ndarray of bool
        The columns of ``X`` that vary over the fitted schools.
    columns_ : list
        Those columns (names, or positions for an array).
    coef_ : ndarray of shape (n_features_in_,)
        Slope per column of ``X``; 0 for a dropped constant column.
    intercept_ : float
        The constant.
    cov_ : ndarray of shape (len(columns_) + 1, len(columns_) + 1)
        Covariance of (constant, slopes of ``columns_``): (Xᵀ W X)⁻¹, W = 1 / (τ² + σ_i²).
    tau2_ : float
        Between-school variance of the effects (index points²), REML; 0 when the schools do not
        differ more than their sampling errors explain.
    n_iter_ : int
        Fisher-scoring iterations used.
    dof_ : int
        Schools − regressors − 1.
    r2_ : float
        Share of the variance of ``y`` over the fitted schools that the prediction explains
        (``NaN`` when ``y`` does not vary).
    n_schools_ : int
        Number of fitted schools (complete rows with a positive sampling variance).
    indicator_scale_ : DataFrame
        Standard deviation (``ddof=0``) of each indicator (columns) per assessment (index
        procedure, grade, subject) over the rows of ``scores``: the standardisation of the
        quality index. Only when fitted with ``scores``.
    index_scale_ : float
        Quality-index points per unit of the mean standardised assessment score (the slope of
        ``y`` on it, exact because the index is a linear rescaling). Only with ``scores``.

    Notes
    -----
    Rows with a missing regressor, ``y`` or sampling variance, or with a sampling variance of 0
    (every participant in each assessment got the same mark: its variance cannot be told), are
    left out of ``fit`` and of :meth:`value_added`. Too few schools raise :class:`ValueError`,
    and so does a ``y`` that does not vary with the assessment scores.

    ``scores`` are the assessment-score rows of :func:`shnor.quality.index.assessment_scores`
    (one per school × assessment: school_id, procedure, grade, subject, participants, the
    indicators and ``score``); ``y`` must be the quality index built from them. The sampling
    variance of a school's index is then derived from them (:meth:`sampling_variance`); or give
    it directly as ``sampling_variance`` (in squared units of ``y``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> region = pd.DataFrame({"parents_higher_edu": np.linspace(0.1, 0.6, 12)},
    ...                       index=pd.Index([f"r{i}" for i in range(12)], name="school_id"))
    >>> quality = pd.Series([42.0, 37, 48, 42, 46, 52, 45, 54, 51, 56, 61, 55], index=region.index)
    >>> noise = np.tile([1.0, 4.0], 6)  # sampling variance of each school's index
    >>> model = ValueAdded().fit(region, quality, sampling_variance=noise)
    >>> round(model.intercept_, 1), model.coef_.round(1).tolist(), round(model.tau2_, 1)
    (36.5, [36.2], 11.8)

    Three schools of a municipality with the same context, the first two with the same index,
    the second with 25 times the sampling variance (a small school):

    >>> municipality = pd.DataFrame({"parents_higher_edu": [0.3, 0.3, 0.3]},
    ...                             index=pd.Index(["big", "small", "typical"], name="school_id"))
    >>> observed = pd.Series([56.0, 56.0, 48.0], index=municipality.index)
    >>> va = model.value_added(municipality, observed, sampling_variance=[1.0, 25.0, 1.0])
    >>> va[["school_id", "value_added", "value_added_se", "effectiveness_level"]].round(2)
      school_id  value_added  value_added_se  effectiveness_level
    0       big         7.99            1.42                    5
    1     small         2.78            2.86                    3
    2   typical         0.61            1.42                    3
    >>> va["verdict"].tolist()
    ['выше ожидаемого', 'в пределах ожидаемого', 'в пределах ожидаемого']
    """

    def __init__(self, level: float = 0.95, level_bounds=(-2.0, -1.0, 1.0, 2.0),
                 indicators: dict | None = None, min_schools: int = 10, max_iter: int = 100,
                 tol: float = 1e-8):
        self.level = level
        self.level_bounds = level_bounds
        self.indicators = indicators
        self.min_schools = min_schools
        self.max_iter = max_iter
        self.tol = tol

    @classmethod
    def from_params(cls, params: dict) -> ValueAdded:
        """The model configured by the ``value_added`` section of the methodology parameters
        (and the indicator signs of the ``quality`` section).

        Parameters
        ----------
        params : dict
            :func:`shnor.config.load_config` output, or its ``value_added`` section (then the
            default indicator signs).

        Returns
        -------
        ValueAdded
            Unfitted.
        """
        p = params.get("value_added", params)
        signs = params.get("quality", {}).get("indicators")
        return cls(level=p["interval_level"], level_bounds=list(p["level_bounds"]),
                   indicators=None if signs is None else dict(signs),
                   min_schools=p["min_schools"], max_iter=p["max_iter"], tol=p["tol"])

    # Fit -------------------------------------------------------------------------------------

    def fit(self, X, y, scores: pd.DataFrame | None = None,
            sampling_variance=None) -> ValueAdded:
        """Estimate τ², the prediction and (with ``scores``) the measurement scale.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_schools, n_features)
            Social shares per school; with ``scores``, a DataFrame indexed by school_id.
        y : array-like of shape (n_schools,)
            Quality index of the same schools, in the same order (a Series must have the index
            of a DataFrame ``X``).
        scores : DataFrame, optional
            Assessment-score rows of these (and possibly other) schools (see Notes of the
            class); the sampling variances are derived from them.
        sampling_variance : array-like of shape (n_schools,), optional
            The sampling variance of each ``y`` instead of ``scores``.

        Returns
        -------
        self : ValueAdded
        """
        names = feature_names(X)
        frame = pd.DataFrame(X)
        yy = target_values(X, y, len(frame))
        for attr in ("indicator_scale_", "index_scale_"):
            if hasattr(self, attr):
                delattr(self, attr)
        if scores is not None and sampling_variance is None:
            if not isinstance(X, pd.DataFrame):
                raise TypeError("with scores, X must be a DataFrame indexed by school_id")
            self._fit_measurement(frame, yy, scores)
        s2, _ = self._variances(X, len(frame), scores, sampling_variance)
        values = frame.to_numpy(float)
        complete = ~np.isnan(values).any(axis=1) & ~np.isnan(yy) & (s2 > 0)
        d, yy, s2 = values[complete], yy[complete], s2[complete]
        support = d.std(axis=0) > 0 if len(d) else np.zeros(values.shape[1], dtype=bool)
        columns = list(frame.columns[support])
        A = np.column_stack([np.ones(len(d)), d[:, support]])
        if len(d) < max(self.min_schools, A.shape[1] + 1):
            raise ValueError(f"too few schools for the value-added model: {len(d)} with a "
                             f"sampling variance, at least {self.min_schools} needed")
        tau2, n_iter = reml_tau2(A, yy, s2, self.max_iter, self.tol)
        beta, cov = wls(A, yy, 1.0 / (tau2 + s2))
        resid = yy - rows_dot(A, beta)
        ss_tot = ((yy - yy.mean()) ** 2).sum()
        coef = np.zeros(values.shape[1])
        coef[support] = beta[1:]
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.n_features_in_ = values.shape[1]
        self.support_ = support
        self.columns_ = columns
        self.intercept_ = float(beta[0])
        self.coef_ = coef
        self.cov_ = cov
        self.tau2_ = float(tau2)
        self.n_iter_ = int(n_iter)
        self.dof_ = int(len(d) - A.shape[1])
        self.r2_ = float(1 - (resid @ resid) / ss_tot) if ss_tot > 0 else np.nan
        self.n_schools_ = len(d)
        return self

    def _fit_measurement(self, frame: pd.DataFrame, y: np.ndarray, scores: pd.DataFrame) -> None:
        """The standardisation of each indicator per assessment and the index points per unit
        of the raw score, from the fitted schools' ``scores`` and ``y``."""
        rows = check_scores(scores)
        present = [c for c in self._signs() if c in rows.columns]
        if not present:
            raise ValueError("scores have none of the indicator columns "
                             + ", ".join(self._signs()))
        grouped = rows[present].astype(float).groupby([rows[c] for c in ASSESSMENT])
        self.indicator_scale_ = grouped.std(ddof=0)
        raw = rows.groupby("school_id")["score"].mean()
        r = raw.reindex(frame.index).to_numpy(float)
        ok = ~np.isnan(r) & ~np.isnan(y)
        if ok.sum() < 2 or np.std(r[ok]) == 0:
            raise ValueError("the quality index cannot be related to the assessment scores: "
                             "fewer than 2 schools with different scores")
        rc, yc = r[ok] - r[ok].mean(), y[ok] - y[ok].mean()
        self.index_scale_ = float((rc @ yc) / (rc @ rc))

    def _variances(self, X, n: int, scores, sampling_variance
                   ) -> tuple[np.ndarray, np.ndarray]:
        """The sampling variance and the participants of each row of ``X`` (``NaN`` where
        unknown; participants only from ``scores``)."""
        if (scores is None) == (sampling_variance is None):
            raise ValueError("give either scores or sampling_variance")
        if sampling_variance is not None:
            s2 = np.asarray(sampling_variance, float)
            if s2.shape != (n,):
                raise ValueError(f"sampling_variance must have one value per school ({n}), "
                                 f"not the shape {s2.shape}")
            return s2, np.full(n, np.nan)
        if not isinstance(X, pd.DataFrame):
            raise TypeError("with scores, X must be a DataFrame indexed by school_id")
        m = self._measurement(scores).reindex(X.index)
        return m["variance"].to_numpy(float), m["participants"].to_numpy(float)

    # Measurement ----------------------------------------------------------------------------

    def sampling_variance(self, scores: pd.DataFrame) -> pd.Series:
        """Sampling variance of the quality index of each school of ``scores`` (index points²).

        A school's index is ``index_scale_`` × the mean of its m assessment scores (plus a
        constant). An assessment score is the mean over the school's n participants of a
        per-pupil value h (the pupil's mark as the signed, standardised indicators see it:
        ``h = Σ_c sign_c · g_c(mark) / (k · indicator_scale_)``, g = 1 for «2» for share_fail,
        for «4»–«5» for share_quality, the mark for mean_score), so its variance is the
        multinomial ``Var(h) / n`` — for one share the binomial p(1−p)/n on the standardised
        scale — estimated without bias as ``Var_p̂(h) / (n − 1)`` from the school's own shares of
        marks. Assessments are taken as independent (different pupils), so the index's variance
        is ``index_scale_² · mean_a(v_a) / m``.

        Approximations: the mark shares 4 and 5 are split by the mean mark (2 ≤ mean ≤ 5
        consistent with the shares); an indicator whose pupil values the shares do not tell (a
        ЕГЭ test-score mean, share_high) is left out of h (the score of the known indicators
        stands for the score); an assessment whose variance is not known at all takes the mean
        of the school's other assessments. Assessments the fitted scale does not know are not in
        the index and are ignored.

        Parameters
        ----------
        scores : DataFrame
            Assessment-score rows (see Notes of the class).

        Returns
        -------
        Series
            Indexed by school_id (in order of appearance); ``NaN`` when no assessment of the
            school has a known variance, 0 when every participant of each of its assessments
            got the same mark.
        """
        return self._measurement(scores)["variance"]

    def _measurement(self, scores: pd.DataFrame) -> pd.DataFrame:
        """Per school: participants, assessments and sampling variance of the index."""
        check_is_fitted(self, ["indicator_scale_", "index_scale_"])
        rows = check_scores(scores)
        scale = self.indicator_scale_
        keys = pd.MultiIndex.from_frame(rows[ASSESSMENT])
        s = scale.reindex(keys)
        n = rows["participants"].to_numpy(float)
        col = {c: rows[c].to_numpy(float) if c in rows.columns else np.full(len(rows), np.nan)
               for c in (*_PUPIL, *self._signs())}
        fail = np.where(np.isnan(col["share_fail"]), 1 - col["share_success"], col["share_fail"])
        quality = col["share_quality"]
        f0, q0 = np.nan_to_num(fail), np.nan_to_num(quality)
        mid = np.clip(1 - f0 - q0, 0, 1)
        mean = col["mean_score"]
        with np.errstate(invalid="ignore"):
            p5 = mean - 2 * f0 - 3 * mid - 4 * q0
            mark_mean = (~np.isnan(fail) & ~np.isnan(quality) & (mean >= 2) & (mean <= 5)
                         & (p5 >= -_MARK_MEAN_TOLERANCE) & (p5 <= q0 + _MARK_MEAN_TOLERANCE))
        p5 = np.where(mark_mean, np.clip(p5, 0, q0), 0.0)
        P = np.column_stack([f0, mid, q0 - p5, p5])

        in_index = np.zeros(len(rows), dtype=bool)
        h = np.zeros((len(rows), 4))
        known = np.zeros(len(rows))
        for c, sign in self._signs().items():
            value = col[c]
            sc = s[c].to_numpy(float) if c in s.columns else np.full(len(rows), np.nan)
            counts = ~np.isnan(value) & ~np.isnan(sc)
            in_index |= counts
            if c not in _PUPIL:
                continue
            ok = counts & (mark_mean if c == "mean_score" else True)
            known += ok
            with np.errstate(divide="ignore", invalid="ignore"):
                a = np.where(ok & (sc > 0), sign / sc, 0.0)
            h += a[:, None] * _PUPIL[c][None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            h = h / np.where(known > 0, known, np.nan)[:, None]
            var_h = np.clip((P * h ** 2).sum(axis=1) - (P * h).sum(axis=1) ** 2, 0, None)
            v = np.where((known > 0) & (n >= 2), var_h / np.where(n >= 2, n - 1, np.nan), np.nan)
        d = pd.DataFrame({"school_id": rows["school_id"].to_numpy(), "participants": n,
                          "v": v})[in_index]
        g = d.groupby("school_id", sort=False)
        out = pd.DataFrame({"participants": g["participants"].sum(),
                            "assessments": g.size()})
        out["variance"] = self.index_scale_ ** 2 * g["v"].mean() / out["assessments"]
        ids = pd.Index(rows["school_id"].unique(), name="school_id")
        return out.reindex(ids)

    # Apply -----------------------------------------------------------------------------------

    def predict(self, X) -> np.ndarray:
        """Expected quality index of each school of ``X`` given its social context.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_schools, n_features_in_)
            Social shares. A DataFrame is matched to ``feature_names_in_`` by name (other
            columns are ignored) when the model was fitted on one; an array by position.

        Returns
        -------
        ndarray of shape (n_schools,)
            ``NaN`` where a used regressor is missing.
        """
        check_is_fitted(self, "cov_")
        return rows_dot(self._design(self._features(X)[0]), self._beta())

    def value_added(self, X, y, scores: pd.DataFrame | None = None,
                    sampling_variance=None) -> pd.DataFrame:
        """Value-added, its standard error, interval, weight and level for the schools of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_schools, n_features_in_)
            Social shares (see :meth:`predict`); the rows of a DataFrame are named by its index
            (school_id).
        y : array-like of shape (n_schools,)
            Observed quality index of the same schools, in the same order.
        scores : DataFrame, optional
            Assessment-score rows of these schools (needs a model fitted with ``scores``).
        sampling_variance : array-like of shape (n_schools,), optional
            The sampling variance of each ``y`` instead of ``scores``.

        Returns
        -------
        DataFrame
            Columns :data:`VA_COLUMNS`, one row per school with all shares, the quality index
            and a positive sampling variance: participants (of the index's assessments, ``NaN``
            with ``sampling_variance``), expected (:meth:`predict`), quality_se (σ_i),
            value_added (``w (y − expected)``), value_added_se, the interval
            ``value_added ± z · value_added_se`` at ``level``, value_added_weight
            (``w = τ² / (τ² + σ_i²)``), effectiveness_level (1–5 by value_added /
            value_added_se and ``level_bounds``; 3 when τ² = 0) and the verdict.
        """
        check_is_fitted(self, "cov_")
        values, index = self._features(X)
        yy = target_values(X, y, len(values))
        s2, participants = self._variances(X, len(values), scores, sampling_variance)
        complete = ~np.isnan(values).any(axis=1) & ~np.isnan(yy) & (s2 > 0)
        A = self._design(values[complete])
        expected = rows_dot(A, self._beta())
        s2 = s2[complete]
        weight = self.tau2_ / (self.tau2_ + s2)
        effect = weight * (yy[complete] - expected)
        leverage = np.einsum("ij,jk,ik->i", A, self.cov_, A)
        se = np.sqrt(weight * s2 + weight ** 2 * leverage)
        half = stats.norm.ppf(0.5 + self.level / 2) * se
        low, high = effect - half, effect + half
        with np.errstate(divide="ignore", invalid="ignore"):
            index_ = np.where(se > 0, effect / np.where(se > 0, se, 1.0), 0.0)
        levels = 1 + np.searchsorted(np.asarray(self.level_bounds, float), index_, side="right")
        return pd.DataFrame({
            "school_id": np.asarray(index)[complete], "participants": participants[complete],
            "expected": expected, "quality_se": np.sqrt(s2), "value_added": effect,
            "value_added_se": se, "value_added_low": low, "value_added_high": high,
            "value_added_weight": weight,
            "effectiveness_level": pd.array(levels, dtype="Int64"),
            "verdict": np.select([low > 0, high < 0], [ABOVE, BELOW], WITHIN),
        })

    def coef_table(self) -> pd.DataFrame:
        """Coefficients with their standard errors: term, coef, se; final rows «R²» and «τ²»
        (the between-school variance of the effects)."""
        check_is_fitted(self, "cov_")
        se = np.sqrt(np.diag(self.cov_))
        coefs = pd.DataFrame({"term": ["const", *self.columns_], "coef": self._beta(), "se": se})
        extra = pd.DataFrame({"term": ["R²", "τ²"], "coef": [self.r2_, self.tau2_],
                              "se": [np.nan, np.nan]})
        return pd.concat([coefs, extra], ignore_index=True)

    def _signs(self) -> dict:
        return DEFAULT_INDICATORS if self.indicators is None else self.indicators

    def _beta(self) -> np.ndarray:
        return np.r_[self.intercept_, self.coef_[self.support_]]

    def _design(self, values: np.ndarray) -> np.ndarray:
        return np.column_stack([np.ones(len(values)), values[:, self.support_]])

    def _features(self, X) -> tuple[np.ndarray, pd.Index]:
        """All fitted columns of ``X`` as floats, and the row names."""
        if isinstance(X, pd.DataFrame) and hasattr(self, "feature_names_in_"):
            missing = [c for c in self.feature_names_in_ if c not in X.columns]
            if missing:
                raise ValueError(f"Добавленная ценность: нет столбцов {', '.join(missing)}, "
                                 "по которым обучена модель.")
            return X[list(self.feature_names_in_)].to_numpy(float), X.index
        values = np.asarray(X, float)
        if values.ndim != 2 or values.shape[1] != self.n_features_in_:
            raise ValueError(f"Добавленная ценность: ожидается {self.n_features_in_} столбцов, "
                             f"а не форма {values.shape}.")
        return values, X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(len(values))


def fit_value_added(X: pd.DataFrame, y: pd.Series, scores: pd.DataFrame | None = None,
                    sampling_variance=None, **params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Value-added per row of ``X`` (index school_id) and the model's coefficient table.

    :class:`ValueAdded` (``params``) fitted and applied on the same rows; rows without a
    regressor, quality or positive sampling variance are left out of the fit and the result.
    Returns (table with :data:`VA_COLUMNS`, coefficients with term, coef, se and final rows «R²»
    and «τ²»).
    """
    model = ValueAdded(**params).fit(X, y, scores=scores, sampling_variance=sampling_variance)
    return (model.value_added(X, y, scores=scores, sampling_variance=sampling_variance),
            model.coef_table())
