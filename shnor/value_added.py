"""Contextual value-added (SPEC §4.7): a school's quality index compared with what its social
context predicts.

OLS of the quality index on the ИСБШ component shares over the schools that have both. A school's
value-added is its residual (observed − expected, in quality-index points). Its interval is the
residual minus the prediction interval of the fit at the school's context: the range in which
``level`` of schools with the same context would lie. «выше ожидаемого» / «ниже ожидаемого» only
when that interval excludes zero — what the sources call resilience is the first.

:class:`ValueAdded` is the regression as a scikit-learn estimator: fitted on one set of schools
(a region), it gives the expected quality and the value-added of any others (a municipality)
against the region's relation. :func:`fit_value_added` fits and applies it on the same schools.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from shnor.frames import feature_names
from shnor.verdicts import ABOVE, BELOW, WITHIN

VA_COLUMNS = ["school_id", "expected", "value_added", "value_added_low", "value_added_high",
              "verdict"]


class ValueAdded(RegressorMixin, BaseEstimator):
    """OLS of the quality index on social shares, with a prediction interval per school.

    Parameters
    ----------
    level : float, default=0.95
        Level of the prediction interval; a school is «выше/ниже ожидаемого» only when its
        interval excludes zero.

    Attributes
    ----------
    feature_names_in_ : ndarray of str
        Columns of ``X`` in ``fit``; only when ``X`` is a DataFrame with string column names.
    n_features_in_ : int
        Number of columns of ``X`` in ``fit``.
    columns_ : list
        The regressors used: the columns of ``X`` that vary over the fitted schools (names, or
        positions for an array).
    coef_ : ndarray of shape (n_features_in_,)
        Slope per column of ``X``; 0 for a dropped constant column.
    intercept_ : float
        The constant.
    sigma2_ : float
        Residual variance (residual sum of squares / ``dof_``).
    xtx_inv_ : ndarray of shape (len(columns_) + 1, len(columns_) + 1)
        (XᵀX)⁻¹ (pseudo-inverse) of the design: the constant, then ``columns_``.
    dof_ : int
        Residual degrees of freedom.
    r2_ : float
        R² over the fitted schools (``NaN`` when the quality index does not vary).
    n_schools_ : int
        Number of fitted schools (rows without a missing value).

    Notes
    -----
    Rows with a missing regressor or quality are left out of ``fit``. Too few schools for the
    regressors raise :class:`ValueError`.

    Examples
    --------
    >>> import pandas as pd
    >>> region = pd.DataFrame({"parents_higher_edu": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]},
    ...                       index=pd.Index(list("abcdef"), name="school_id"))
    >>> quality = pd.Series([41.0, 46.0, 49.0, 55.0, 56.0, 62.0], index=region.index)
    >>> model = ValueAdded().fit(region, quality)
    >>> round(model.intercept_, 2), model.coef_.round(2).tolist()
    (37.4, [40.29])
    >>> municipality = pd.DataFrame({"parents_higher_edu": [0.3, 0.3]},
    ...                             index=pd.Index(["m1", "m2"], name="school_id"))
    >>> model.predict(municipality).round(2).tolist()  # as school c, same context
    [49.49, 49.49]
    >>> va = model.value_added(municipality, pd.Series([49.0, 70.0], index=municipality.index))
    >>> va[["school_id", "value_added", "verdict"]].round(2)
      school_id  value_added                verdict
    0        m1        -0.49  в пределах ожидаемого
    1        m2        20.51        выше ожидаемого
    """

    def __init__(self, level: float = 0.95):
        self.level = level

    @classmethod
    def from_params(cls, params: dict) -> ValueAdded:
        """The model configured by the ``value_added`` section of the methodology parameters.

        Parameters
        ----------
        params : dict
            :func:`shnor.config.load_config` output, or its ``value_added`` section.

        Returns
        -------
        ValueAdded
            Unfitted.
        """
        p = params.get("value_added", params)
        return cls(level=p["interval_level"])

    def fit(self, X, y) -> ValueAdded:
        """OLS of ``y`` on the varying columns of ``X`` over the complete rows.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_schools, n_features)
            Social shares per school.
        y : array-like of shape (n_schools,)
            Quality index of the same schools, in the same order (a Series must have the index
            of a DataFrame ``X``).

        Returns
        -------
        self : ValueAdded
        """
        names = feature_names(X)
        frame = pd.DataFrame(X)
        yy = _target(X, y, len(frame))
        complete = frame.notna().all(axis=1).to_numpy() & ~np.isnan(yy)
        d, yy = frame[complete], yy[complete]
        support = np.array([d[c].std(ddof=0) > 0 for c in frame.columns], dtype=bool)
        columns = list(frame.columns[support])
        A = np.column_stack([np.ones(len(d)), d[columns].to_numpy(float)])
        dof = len(d) - A.shape[1]
        if dof < 1:
            raise ValueError("too few schools for the value-added regression")
        beta, *_ = np.linalg.lstsq(A, yy, rcond=None)
        resid = yy - A @ beta
        ss_tot = ((yy - yy.mean()) ** 2).sum()
        coef = np.zeros(len(frame.columns))
        coef[support] = beta[1:]
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.n_features_in_ = len(frame.columns)
        self.support_ = support
        self.columns_ = columns
        self.intercept_ = float(beta[0])
        self.coef_ = coef
        self.dof_ = dof
        self.sigma2_ = float(resid @ resid / dof)
        self.xtx_inv_ = np.linalg.pinv(A.T @ A)
        self.r2_ = float(1 - (resid @ resid) / ss_tot) if ss_tot > 0 else np.nan
        self.n_schools_ = len(d)
        return self

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
        check_is_fitted(self, "xtx_inv_")
        return _rows_dot(self._design(self._features(X)[0]), self._beta())

    def value_added(self, X, y) -> pd.DataFrame:
        """Expected quality, value-added and its interval for the schools of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_schools, n_features_in_)
            Social shares (see :meth:`predict`); the rows of a DataFrame are named by its index
            (school_id).
        y : array-like of shape (n_schools,)
            Observed quality index of the same schools, in the same order.

        Returns
        -------
        DataFrame
            Columns :data:`VA_COLUMNS`, one row per school with all shares and the quality
            index: expected (:meth:`predict`), value_added (observed − expected), the interval
            ``value_added ± t · sqrt(sigma2_ · (1 + leverage))`` at ``level`` and the verdict.
        """
        check_is_fitted(self, "xtx_inv_")
        values, index = self._features(X)
        yy = _target(X, y, len(values))
        complete = ~np.isnan(values).any(axis=1) & ~np.isnan(yy)
        A = self._design(values[complete])
        expected = _rows_dot(A, self._beta())
        resid = yy[complete] - expected
        leverage = np.einsum("ij,jk,ik->i", A, self.xtx_inv_, A)
        half = stats.t.ppf(0.5 + self.level / 2, self.dof_) * np.sqrt(
            self.sigma2_ * (1 + leverage))
        low, high = resid - half, resid + half
        return pd.DataFrame({
            "school_id": np.asarray(index)[complete], "expected": expected,
            "value_added": resid, "value_added_low": low, "value_added_high": high,
            "verdict": np.select([low > 0, high < 0], [ABOVE, BELOW], WITHIN),
        })

    def coef_table(self) -> pd.DataFrame:
        """Coefficients with their standard errors: term, coef, se; a final row «R²»."""
        check_is_fitted(self, "xtx_inv_")
        se = np.sqrt(np.diag(self.xtx_inv_) * self.sigma2_)
        coefs = pd.DataFrame({"term": ["const", *self.columns_], "coef": self._beta(), "se": se})
        r2 = pd.DataFrame({"term": ["R²"], "coef": [self.r2_], "se": [np.nan]})
        return pd.concat([coefs, r2], ignore_index=True)

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


def _rows_dot(A: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """``A @ beta`` row by row: a school's expected value does not depend on how many schools
    are computed with it (a matrix product's rounding does)."""
    return (A * beta).sum(axis=1)


def _target(X, y, n: int) -> np.ndarray:
    """``y`` as floats, checked to be one value per row of ``X`` in the same order."""
    if isinstance(y, pd.Series) and isinstance(X, pd.DataFrame) and not y.index.equals(X.index):
        raise ValueError("Добавленная ценность: индекс качества должен иметь те же строки "
                         "(индекс), что и таблица показателей.")
    yy = np.asarray(y, float)
    if yy.shape != (n,):
        raise ValueError(f"Добавленная ценность: индекс качества должен иметь по одному "
                         f"значению на школу ({n}), а не форму {yy.shape}.")
    return yy


def fit_value_added(X: pd.DataFrame, y: pd.Series, level: float = 0.95
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Value-added per row of ``X`` (index school_id) and the model's coefficient table.

    Rows with a missing regressor or quality are left out of the fit and the result. Constant
    regressors are dropped. Returns (table with :data:`VA_COLUMNS`, coefficients with term,
    coef, se and a final row «R²»).
    """
    d = pd.concat([X, y.rename("_y")], axis=1).dropna()
    shares, quality = d[list(X.columns)], d["_y"]
    model = ValueAdded(level=level).fit(shares, quality)
    return model.value_added(shares, quality), model.coef_table()


