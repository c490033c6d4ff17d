"""ИСБШ — the school social well-being index (SPEC §4.3; seed 000 «Индекс социального благополучия
школы»; seed 002 quotes values near 50).

Components are shares of ``students_total`` from the social passport, each with a sign (+ when a
higher share means a better-off school). The shares are standardised over the schools of the
year, combined with weights (first principal component by default, regression on a quality index
or equal weights as options), rescaled to mean 50 / SD 10 and cut into 11 groups.

:class:`ISBSHIndex` is the method as a scikit-learn transformer: fitted on the schools of one set
(a region) it gives the index of any other schools (a municipality) on the region's scale.
:func:`fit_isbsh` is the yearly report's use of it, with a Russian status for every school.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from shnor.errors import UserError
from shnor.frames import feature_names

COMPONENT_LABELS = {
    "parents_higher_edu": "родители с высшим образованием",
    "deviant_registered": "учащиеся на профилактическом учёте",
    "unemployed_parents": "безработные родители",
    "single_parent": "неполные семьи",
    "low_income": "малоимущие семьи",
    "non_native_russian": "неродной русский язык",
    "ovz": "учащиеся с ОВЗ",
    "large_families": "многодетные семьи",
}
LEVELS = ("очень низкий", "низкий", "средний", "высокий", "очень высокий")
WEIGHTINGS = ("pca", "regression", "equal")
GROUPINGS = ("bands", "quantiles")
COLUMNS = ["school_id", "isbsh", "isbsh_group", "isbsh_level", "isbsh_status"]
# Every error of ISBSHIndex.fit starts with this; fit_isbsh turns such errors into a status.
ERROR_PREFIX = "ИСБШ: "


def unknown_grouping_message(method: str) -> str:
    return (f"Неизвестный способ деления на группы «{method}»; "
            f"допустимы: {', '.join(GROUPINGS)}.")


class ISBSHIndex(TransformerMixin, BaseEstimator):
    """Composite index of standardised shares, scaled to ``mean`` / ``sd`` over the fitted schools.

    The shares are standardised with the mean and SD of the fitted schools and combined with
    weights learnt on them; the composite is rescaled so that the fitted schools have mean
    ``mean`` and SD ``sd``. ``transform`` applies the same standardisation, weights and scale to
    any schools, so a school outside the fitting set is placed on the fitting set's scale.

    Parameters
    ----------
    signs : dict or None, default=None
        Column → +1 / −1, the direction of well-being (a column not listed counts as +1).
    weighting : {"pca", "regression", "equal"}, default="pca"
        ``"pca"``: loadings of the first principal component of the standardised shares, the
        sign chosen so that the index agrees with ``signs``; ``"regression"``: OLS coefficients
        of ``y`` (a quality index) on the standardised shares; ``"equal"``: ``signs`` divided by
        the number of varying components. A constant column gets weight 0 (it cannot separate
        schools).
    mean : float, default=50.0
        Mean of the index over the fitted schools.
    sd : float, default=10.0
        Standard deviation of the index over the fitted schools.

    Attributes
    ----------
    columns_ : list
        Columns of ``X`` in ``fit``, in order (their names, or 0..n−1 for an array).
    feature_names_in_ : ndarray of str
        The same names; only when ``X`` in ``fit`` is a DataFrame with string column names.
    n_features_in_ : int
        Number of columns of ``X`` in ``fit``.
    mean_, scale_ : ndarray of shape (n_features_in_,)
        Mean and SD (``ddof=0``) of each share over the fitted schools.
    weights_ : ndarray of shape (n_features_in_,)
        Weight of each standardised share.
    score_mean_, score_scale_ : float
        Mean and SD of the raw composite over the fitted schools.
    n_schools_ : int
        Number of schools the index was fitted on (rows without a missing value).

    Notes
    -----
    Rows with a missing share (or missing ``y``) are ignored in ``fit`` and give ``NaN`` in
    ``transform``. Errors of ``fit`` are :class:`ValueError` with a Russian message starting
    with :data:`ERROR_PREFIX`.

    Examples
    --------
    >>> import pandas as pd
    >>> region = pd.DataFrame({"parents_higher_edu": [0.2, 0.4, 0.3, 0.5, 0.1],
    ...                        "deviant_registered": [0.05, 0.01, 0.03, 0.02, 0.06]})
    >>> index = ISBSHIndex(signs={"deviant_registered": -1}).fit(region)
    >>> index.transform(region).round(1)
    array([42. , 60.2, 51.1, 61.1, 35.6])
    >>> municipality = pd.DataFrame({"deviant_registered": [0.01, 0.04],
    ...                              "parents_higher_edu": [0.4, 0.25]})
    >>> index.transform(municipality).round(1)  # the first school is like the region's second
    array([60.2, 46.5])
    """

    def __init__(self, signs: dict | None = None, weighting: str = "pca", mean: float = 50.0,
                 sd: float = 10.0):
        self.signs = signs
        self.weighting = weighting
        self.mean = mean
        self.sd = sd

    @classmethod
    def from_params(cls, params: dict) -> ISBSHIndex:
        """The index configured by the ``isbsh`` section of the methodology parameters.

        Parameters
        ----------
        params : dict
            :func:`shnor.config.load_config` output, or its ``isbsh`` section.

        Returns
        -------
        ISBSHIndex
            Unfitted; its columns are the ones passed to ``fit`` (see :func:`isbsh_components`
            and :func:`isbsh_shares`).
        """
        p = params.get("isbsh", params)
        return cls(signs=p["signs"], weighting=p["weighting"], mean=p["mean"], sd=p["sd"])

    def fit(self, X, y=None) -> ISBSHIndex:
        """Learn the standardisation, the weights and the scale from the schools of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_schools, n_components)
            Component shares, one row per school.
        y : array-like of shape (n_schools,), optional
            Quality index of the same schools; required for ``weighting="regression"``, and
            when given, schools without it are left out of the fit.

        Returns
        -------
        self : ISBSHIndex
        """
        if self.weighting not in WEIGHTINGS:
            raise ValueError(f"{ERROR_PREFIX}неизвестный способ весов «{self.weighting}»; "
                             f"допустимы: {', '.join(WEIGHTINGS)}.")
        names = feature_names(X)
        X = pd.DataFrame(X)
        columns = list(X.columns)
        signs = np.array([float((self.signs or {}).get(c, 1)) for c in columns])
        values = X.to_numpy(float)
        complete = ~np.isnan(values).any(axis=1)
        if y is not None:
            y = np.asarray(y, float)
            if y.shape != (len(values),):
                raise ValueError(f"{ERROR_PREFIX}индекс качества должен иметь по одному значению "
                                 f"на школу ({len(values)}), а не форму {y.shape}.")
            complete &= ~np.isnan(y)
        v = values[complete]
        n_schools = int(complete.sum())
        if n_schools < 2:
            raise ValueError(f"{ERROR_PREFIX}нужно хотя бы две школы с полными данными "
                             "социального паспорта.")
        mean = v.mean(axis=0)
        scale = v.std(axis=0)
        varying = scale > 0
        if not varying.any():
            raise ValueError(f"{ERROR_PREFIX}показатели социального паспорта одинаковы во всех "
                             "школах.")
        z = (v[:, varying] - mean[varying]) / scale[varying]
        w = np.zeros(len(columns))
        if self.weighting == "equal":
            w[varying] = signs[varying] / varying.sum()
        elif self.weighting == "pca":
            _, vecs = np.linalg.eigh(np.atleast_2d(np.cov(z, rowvar=False)))
            first = vecs[:, -1]
            # Orientation of a principal component is arbitrary; fix it so that higher = better-off.
            if first @ signs[varying] < 0:
                first = -first
            w[varying] = first
        else:
            if y is None:
                raise ValueError(f"{ERROR_PREFIX}для весов по регрессии нужен индекс качества "
                                 "школ.")
            design = np.column_stack([np.ones(len(z)), z])
            coef, *_ = np.linalg.lstsq(design, y[complete], rcond=None)
            w[varying] = coef[1:]
        raw = _composite(values[complete], mean, scale, w)
        score_scale = float(raw.std())
        if score_scale == 0:
            raise ValueError(f"{ERROR_PREFIX}веса дают одинаковое значение для всех школ.")
        # Attributes are set only once fitting succeeded, so a failed fit leaves no half state.
        self.columns_ = columns
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.n_features_in_ = len(columns)
        self.n_schools_ = n_schools
        self.mean_ = mean
        self.scale_ = scale
        self.weights_ = w
        self.score_mean_ = float(raw.mean())
        self.score_scale_ = score_scale
        return self

    def transform(self, X) -> np.ndarray:
        """ИСБШ of the schools of ``X`` on the fitted scale.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_schools, n_features_in_)
            Component shares. A DataFrame is matched to the fitted columns by name (other
            columns are ignored); an array by position.

        Returns
        -------
        ndarray of shape (n_schools,)
            The index; ``NaN`` where a share is missing.
        """
        check_is_fitted(self, "score_scale_")
        values = self._values(X)
        raw = _composite(values, self.mean_, self.scale_, self.weights_)
        return self.mean + self.sd * (raw - self.score_mean_) / self.score_scale_

    def _values(self, X) -> np.ndarray:
        if isinstance(X, pd.DataFrame):
            missing = [c for c in self.columns_ if c not in X.columns]
            if missing:
                raise ValueError(f"{ERROR_PREFIX}нет столбцов {', '.join(map(str, missing))}, "
                                 "по которым индекс обучен.")
            return X[self.columns_].to_numpy(float)
        values = np.asarray(X, float)
        if values.ndim != 2 or values.shape[1] != self.n_features_in_:
            raise ValueError(f"{ERROR_PREFIX}ожидается таблица из {self.n_features_in_} "
                             f"столбцов, а не формы {values.shape}.")
        return values

    def weights_table(self) -> pd.DataFrame:
        """One row per component: label, sign, weight, mean share and SD of the share."""
        check_is_fitted(self, "score_scale_")
        return pd.DataFrame({
            "component": self.columns_,
            "label": [COMPONENT_LABELS.get(c, c) for c in self.columns_],
            "sign": [int((self.signs or {}).get(c, 1)) for c in self.columns_],
            "weight": self.weights_,
            "share_mean": self.mean_,
            "share_sd": self.scale_,
        })


def _composite(values: np.ndarray, mean: np.ndarray, scale: np.ndarray,
               weights: np.ndarray) -> np.ndarray:
    scale = np.where(scale > 0, scale, 1.0)
    # Row by row (not a matrix product, whose rounding depends on the number of rows): a school
    # gets the same index to the last bit in a region and in its municipality alone.
    return (((values - mean) / scale) * weights).sum(axis=1)


def cut_groups(score, method: str = "bands", n_groups: int = 11, band_sd: float = 0.5,
               mean: float = 50.0, sd: float = 10.0) -> pd.Series:
    """Cut a 50/10-scaled score into groups 1..n_groups (Int64, ``NA`` where the score is missing).

    ``bands``: bands ``band_sd`` SD wide centred on the mean — the middle group covers
    mean ± band_sd/2 SD, a value on a band edge belongs to the upper band, the outer groups are
    open-ended. ``quantiles``: equal-sized groups by rank (ties share the upper group).
    """
    s = pd.Series(score, dtype=float)
    if method == "bands":
        centre = (n_groups + 1) // 2
        z = (s - mean) / sd
        # Tiny epsilon so that an edge value computed in floating point lands in the upper band.
        g = np.floor((z + band_sd / 2) / band_sd + 1e-9) + centre
    elif method == "quantiles":
        pct = s.rank(method="max", pct=True)
        g = np.ceil(pct * n_groups - 1e-9)
    else:
        raise UserError(unknown_grouping_message(method))
    return g.clip(1, n_groups).astype("Int64")


def group_level(group, upper_groups: list[int]) -> pd.Series:
    """Level name of seed 000 for each group: upper group of each level but the last is given."""
    g = pd.Series(group, dtype="Int64")
    idx = np.searchsorted(np.asarray(upper_groups), g.fillna(0).to_numpy(int), side="left")
    out = pd.Series(np.asarray(LEVELS, dtype=object)[np.minimum(idx, len(LEVELS) - 1)],
                    index=g.index, dtype=object)
    return out.where(g.notna(), "").astype(str)


def isbsh_components(social: pd.DataFrame, params: dict) -> list[str]:
    """The configured components that the social table actually has (in configuration order)."""
    p = params["isbsh"]
    unknown = [c for c in p["components"] if c not in COMPONENT_LABELS]
    if unknown:
        raise UserError(f"ИСБШ: неизвестные показатели {', '.join(unknown)}; "
                        f"допустимы: {', '.join(COMPONENT_LABELS)}.")
    return [c for c in p["components"] if c in social.columns and social[c].notna().any()]


def isbsh_shares(social: pd.DataFrame, components: list[str]) -> pd.DataFrame:
    """Shares of ``students_total`` of the ``components``: the input of :class:`ISBSHIndex`.

    Parameters
    ----------
    social : DataFrame
        Rows of the social passport (one year), with school_id, students_total and the
        component counts.
    components : list of str
        Columns to divide, e.g. :func:`isbsh_components`.

    Returns
    -------
    DataFrame
        One row per row of ``social`` in its order, indexed by school_id; ``NaN`` where
        students_total is missing or not positive.
    """
    total = social["students_total"].to_numpy(float)
    total = np.where(total > 0, total, np.nan)
    return pd.DataFrame({c: social[c].to_numpy(float) / total for c in components},
                        index=pd.Index(social["school_id"].to_numpy(), name="school_id"))


def fit_isbsh(social: pd.DataFrame, year: int, params: dict,
              quality: pd.Series | None = None, fitted: ISBSHIndex | None = None
              ) -> tuple[pd.DataFrame, ISBSHIndex | None]:
    """ИСБШ table for ``year`` and the fitted index (``None`` when it could not be computed).

    ``quality``: quality index indexed by school_id, needed only for ``weighting: regression``.
    ``fitted``: an index fitted on a reference population (a region): the schools are placed on
    its scale instead of fitting one on them. Returns one row per school with social data in
    that year (columns :data:`COLUMNS`).
    """
    p = params["isbsh"]
    s = social[social["year"] == year]
    out = pd.DataFrame({"school_id": s["school_id"].to_numpy()})
    if fitted is not None:
        s = s.assign(**{c: np.nan for c in fitted.columns_ if c not in s.columns})
    comps = isbsh_components(s, params) if fitted is None else list(fitted.columns_)
    total = s["students_total"].to_numpy(float)
    total = np.where(total > 0, total, np.nan)
    shares = isbsh_shares(s, comps)
    status = np.full(len(out), "", dtype=object)
    if not comps:
        status[:] = "ИСБШ не рассчитан: в социальном паспорте нет ни одного показателя индекса"
        return _finish(out, np.full(len(out), np.nan), status, p), None
    no_total = np.isnan(total)
    status[no_total] = "ИСБШ не рассчитан: не указана численность обучающихся"
    gaps = shares.isna().to_numpy() & ~no_total[:, None]
    missing = np.full(len(out), "", dtype=object)  # component by component, not school by school
    for c, gap in zip(comps, gaps.T):
        missing = missing + np.where(gap & (missing != ""), ", ", "") + np.where(
            gap, COMPONENT_LABELS[c], "")
    has_gap = gaps.any(axis=1)
    status[has_gap] = "ИСБШ не рассчитан: нет данных — " + missing[has_gap]
    if fitted is not None:
        return _finish(out, fitted.transform(shares), status, p), fitted
    y = None
    if p["weighting"] == "regression":
        if quality is None:
            raise UserError("ИСБШ: для весов по регрессии нужен индекс качества школ.")
        y = out["school_id"].map(quality).to_numpy(float)
    model = ISBSHIndex.from_params(params)
    fit_rows = ~shares.isna().any(axis=1).to_numpy() & (True if y is None else ~np.isnan(y))
    if fit_rows.sum() < p["min_schools"]:
        status[status == ""] = (f"ИСБШ не рассчитан: полные данные есть менее чем у "
                                f"{p['min_schools']} школ")
        return _finish(out, np.full(len(out), np.nan), status, p), None
    try:
        model.fit(shares[fit_rows], None if y is None else y[fit_rows])
    except ValueError as exc:
        if not str(exc).startswith(ERROR_PREFIX):
            raise
        status[status == ""] = f"ИСБШ не рассчитан: {str(exc).removeprefix(ERROR_PREFIX)}"
        return _finish(out, np.full(len(out), np.nan), status, p), None
    return _finish(out, model.transform(shares), status, p), model


def compute_isbsh(social: pd.DataFrame, year: int, params: dict,
                  quality: pd.Series | None = None) -> pd.DataFrame:
    """ИСБШ per school with social data in ``year``: isbsh, isbsh_group, isbsh_level, isbsh_status."""
    return fit_isbsh(social, year, params, quality)[0]


def _finish(out: pd.DataFrame, value: np.ndarray, status: np.ndarray, p: dict) -> pd.DataFrame:
    out = out.assign(isbsh=value)
    out["isbsh_group"] = cut_groups(out["isbsh"], p["grouping"], p["n_groups"], p["band_sd"],
                                    p["mean"], p["sd"]).to_numpy()
    out["isbsh_level"] = group_level(out["isbsh_group"], p["level_upper_groups"]).to_numpy()
    out["isbsh_status"] = pd.array(status, dtype=str)
    return out[COLUMNS]
