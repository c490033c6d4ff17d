"""ИСБШ — the school social well-being index (SPEC §4.3; seed 000 «Индекс социального благополучия
школы»; seed 002 quotes values near 50).

Components are shares of ``students_total`` from the social passport, each with a sign (+ when a
higher share means a better-off school). The shares are standardised over the schools of the
year, combined with weights (first principal component by default, regression on a quality index
or equal weights as options), rescaled to mean 50 / SD 10 and cut into 11 groups.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from shnor.errors import UserError

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
COLUMNS = ["school_id", "isbsh", "isbsh_group", "isbsh_level", "isbsh_status"]


class ISBSHIndex(TransformerMixin, BaseEstimator):
    """Composite index of standardised shares, scaled to ``mean`` / ``sd`` over the fitted schools.

    ``signs`` maps each column to +1 / −1 (direction of well-being). ``weighting``: ``"pca"`` —
    loadings of the first principal component of the standardised shares, the sign chosen so that
    the index agrees with ``signs``; ``"regression"`` — OLS coefficients of ``y`` (a quality
    index) on the standardised shares; ``"equal"`` — ``signs`` / number of components.
    A constant column gets weight 0 (it cannot separate schools). Rows with a missing share are
    ignored in ``fit`` and give ``NaN`` in ``transform``.

    Fitted attributes: ``columns_``, ``mean_`` and ``scale_`` (per-column mean and SD of the
    shares), ``weights_`` (per standardised column), ``score_mean_`` and ``score_scale_`` (of the
    raw composite), ``n_schools_``.
    """

    def __init__(self, signs: dict | None = None, weighting: str = "pca", mean: float = 50.0,
                 sd: float = 10.0):
        self.signs = signs
        self.weighting = weighting
        self.mean = mean
        self.sd = sd

    def fit(self, X: pd.DataFrame, y=None):
        if self.weighting not in WEIGHTINGS:
            raise UserError(f"ИСБШ: неизвестный способ весов «{self.weighting}»; "
                            f"допустимы: {', '.join(WEIGHTINGS)}.")
        X = pd.DataFrame(X)
        self.columns_ = list(X.columns)
        signs = np.array([float((self.signs or {}).get(c, 1)) for c in self.columns_])
        values = X.to_numpy(float)
        complete = ~np.isnan(values).any(axis=1)
        if y is not None:
            y = np.asarray(y, float)
            complete &= ~np.isnan(y)
        v = values[complete]
        self.n_schools_ = int(complete.sum())
        if self.n_schools_ < 2:
            raise UserError("ИСБШ: нужно хотя бы две школы с полными данными социального паспорта.")
        self.mean_ = v.mean(axis=0)
        self.scale_ = v.std(axis=0)
        varying = self.scale_ > 0
        if not varying.any():
            raise UserError("ИСБШ: показатели социального паспорта одинаковы во всех школах.")
        z = (v[:, varying] - self.mean_[varying]) / self.scale_[varying]
        w = np.zeros(len(self.columns_))
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
                raise UserError("ИСБШ: для весов по регрессии нужен индекс качества школ.")
            design = np.column_stack([np.ones(len(z)), z])
            coef, *_ = np.linalg.lstsq(design, y[complete], rcond=None)
            w[varying] = coef[1:]
        self.weights_ = w
        raw = self._raw(values[complete])
        self.score_mean_ = float(raw.mean())
        self.score_scale_ = float(raw.std())
        if self.score_scale_ == 0:
            raise UserError("ИСБШ: веса дают одинаковое значение для всех школ.")
        return self

    def _raw(self, values: np.ndarray) -> np.ndarray:
        scale = np.where(self.scale_ > 0, self.scale_, 1.0)
        return ((values - self.mean_) / scale) @ self.weights_

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        values = pd.DataFrame(X)[self.columns_].to_numpy(float)
        return self.mean + self.sd * (self._raw(values) - self.score_mean_) / self.score_scale_

    def weights_table(self) -> pd.DataFrame:
        """One row per component: label, sign, weight, mean share and SD of the share."""
        return pd.DataFrame({
            "component": self.columns_,
            "label": [COMPONENT_LABELS.get(c, c) for c in self.columns_],
            "sign": [int((self.signs or {}).get(c, 1)) for c in self.columns_],
            "weight": self.weights_,
            "share_mean": self.mean_,
            "share_sd": self.scale_,
        })


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
        raise UserError(f"Неизвестный способ деления на группы «{method}»; допустимы: bands, quantiles.")
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


def fit_isbsh(social: pd.DataFrame, year: int, params: dict,
              quality: pd.Series | None = None) -> tuple[pd.DataFrame, ISBSHIndex | None]:
    """ИСБШ table for ``year`` and the fitted index (``None`` when it could not be computed).

    ``quality``: quality index indexed by school_id, needed only for ``weighting: regression``.
    Returns one row per school with social data in that year (columns :data:`COLUMNS`).
    """
    p = params["isbsh"]
    s = social[social["year"] == year]
    out = pd.DataFrame({"school_id": s["school_id"].to_numpy()})
    comps = isbsh_components(s, params)
    total = s["students_total"].to_numpy(float)
    total = np.where(total > 0, total, np.nan)
    shares = pd.DataFrame({c: s[c].to_numpy(float) / total for c in comps})
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
    y = None
    if p["weighting"] == "regression":
        if quality is None:
            raise UserError("ИСБШ: для весов по регрессии нужен индекс качества школ.")
        y = out["school_id"].map(quality).to_numpy(float)
    model = ISBSHIndex(signs=p["signs"], weighting=p["weighting"], mean=p["mean"], sd=p["sd"])
    fit_rows = ~shares.isna().any(axis=1).to_numpy() & (True if y is None else ~np.isnan(y))
    if fit_rows.sum() < p["min_schools"]:
        status[status == ""] = (f"ИСБШ не рассчитан: полные данные есть менее чем у "
                                f"{p['min_schools']} школ")
        return _finish(out, np.full(len(out), np.nan), status, p), None
    try:
        model.fit(shares[fit_rows], None if y is None else y[fit_rows])
    except UserError as exc:
        status[status == ""] = f"ИСБШ не рассчитан: {str(exc).removeprefix('ИСБШ: ')}"
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
