"""Quality index, quality groups 1–11 and the per-assessment feature matrix (SPEC §4.4, §4.5).

For every assessment of the year (procedure × grade × subject, the grades of ``quality.grades``)
each result indicator is standardised over the schools with a reliable result; a school's
*assessment score* is the mean of its standardised indicators with signs (share_fail −,
share_quality +, mean_score +), skipping indicators it does not have. The quality index is the
mean of a school's assessment scores (each assessment counts once), scaled to 50 / 10 over the
schools and cut into groups as ИСБШ. A school needs ``quality.min_assessments`` reliable
assessments; otherwise it gets a status.

:class:`QualityIndex` is the method as a scikit-learn transformer: the standardisation and the
50 / 10 scale are learnt from one set of schools (a region) and applied to any others (a
municipality). :func:`assessment_scores` and :func:`quality_index` are the yearly report's use of
it, fitted and applied on the same schools.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from shnor.errors import UserError
from shnor.indicators import ASSESSMENT
from shnor.io.contract import PROCEDURES, SUBJECTS, assessment_label
from shnor.social.isbsh import GROUPINGS, cut_groups, group_level, unknown_grouping_message

QUALITY_COLUMNS = ["school_id", "assessments", "quality_index", "quality_group", "quality_level",
                   "quality_status"]
DEFAULT_INDICATORS = {"share_fail": -1, "share_quality": 1, "mean_score": 1}
# Result columns the assessment-score table carries along (whichever the rows have).
RESULT_COLUMNS = ["participants", "share_fail", "share_quality", "mean_score"]


class QualityIndex(TransformerMixin, BaseEstimator):
    """Quality index of schools from their assessment results, on the scale of the fitted schools.

    ``fit`` learns, for each assessment (procedure × grade × subject), the mean and SD of each
    result indicator over the schools with a reliable result, and the mean and SD of the raw
    school score (the mean of a school's assessment scores) over the schools with at least
    ``min_assessments`` of them. ``transform`` standardises any schools' results with those
    statistics and scales their raw scores to ``mean`` / ``sd`` with the fitted ones, so a
    school outside the fitting set is placed on the fitting set's scale.

    Parameters
    ----------
    grades : dict or None, default=None
        Procedure → grades that count (``{"VPR": [5, 6, 7, 8], ...}``); other rows are ignored.
        ``None``: every row counts.
    indicators : dict or None, default=None
        Indicator column → sign (+1 when higher is better). ``None``: share_fail −1,
        share_quality +1, mean_score +1.
    min_assessments : int, default=2
        Reliable assessments a school needs for an index.
    mean, sd : float, default=50.0, 10.0
        Mean and SD of the index over the fitted schools.
    grouping : {"bands", "quantiles"}, default="bands"
        How the index is cut into groups (:func:`shnor.social.isbsh.cut_groups`). Quantile
        groups are ranks among the transformed schools; bands use the fitted scale.
    n_groups : int, default=11
        Number of quality groups.
    band_sd : float, default=0.5
        Width of a band in SD.
    level_upper_groups : sequence of int, default=(2, 4, 7, 9)
        Upper group of each level name but the last (:func:`shnor.social.isbsh.group_level`).
    year : int or None, default=None
        Only rows of this year count (other rows still name schools, which then get a status).
        ``None``: the rows must be of one year.

    Attributes
    ----------
    indicator_mean_, indicator_scale_ : DataFrame
        Mean and SD (``ddof=0``) of each indicator (columns) per assessment (index procedure,
        grade, subject) over the fitted reliable results.
    score_mean_, score_scale_ : float
        Mean and SD (``ddof=0``) of the raw school score over the fitted schools with an index;
        ``score_scale_`` is 0 or ``NaN`` when those schools cannot be scaled (one school, or
        all equal): ``transform`` then gives no index, with a status saying so.
    n_schools_ : int
        Number of fitted schools with a raw score.

    Notes
    -----
    ``X`` is a table of assessment-level rows (one per school × assessment, the output of
    :func:`shnor.indicators.compute_indicators`), not a feature matrix: it needs school_id,
    procedure, grade, subject, reliable, the ``indicators`` columns and, with ``year``, year.
    A row of an assessment that the fitted schools did not have cannot be standardised and is
    ignored. Bad input raises :class:`ValueError` (``X`` not a DataFrame: :class:`TypeError`).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({
    ...     "school_id": ["a", "a", "b", "b", "c", "c"], "procedure": "VPR",
    ...     "grade": [5, 6, 5, 6, 5, 6], "subject": "math", "reliable": True,
    ...     "share_fail": [0.3, 0.2, 0.1, 0.1, 0.2, 0.3],
    ...     "share_quality": [0.3, 0.4, 0.6, 0.5, 0.4, 0.4],
    ...     "mean_score": [3.1, 3.4, 3.9, 3.8, 3.5, 3.3]})
    >>> model = QualityIndex().fit(rows)
    >>> model.transform(rows)[["school_id", "quality_index", "quality_group"]].round(1)
      school_id  quality_index  quality_group
    0         a           41.6              4
    1         b           64.0              9
    2         c           44.4              5
    >>> other = rows[rows["school_id"] == "b"].assign(school_id="d")  # results as school b
    >>> model.transform(other)["quality_index"].round(1).tolist()
    [64.0]
    """

    def __init__(self, grades: dict | None = None, indicators: dict | None = None,
                 min_assessments: int = 2, mean: float = 50.0, sd: float = 10.0,
                 grouping: str = "bands", n_groups: int = 11, band_sd: float = 0.5,
                 level_upper_groups=(2, 4, 7, 9), year: int | None = None):
        self.grades = grades
        self.indicators = indicators
        self.min_assessments = min_assessments
        self.mean = mean
        self.sd = sd
        self.grouping = grouping
        self.n_groups = n_groups
        self.band_sd = band_sd
        self.level_upper_groups = level_upper_groups
        self.year = year

    @classmethod
    def from_params(cls, params: dict, year: int | None = None) -> QualityIndex:
        """The index configured by the ``quality`` section of the methodology parameters.

        Parameters
        ----------
        params : dict
            :func:`shnor.config.load_config` output, or its ``quality`` section.
        year : int or None, default=None
            See the class parameters.

        Returns
        -------
        QualityIndex
            Unfitted.
        """
        p = params.get("quality", params)
        return cls(grades=p["grades"], indicators=p["indicators"],
                   min_assessments=p["min_assessments"], mean=p["mean"], sd=p["sd"],
                   grouping=p["grouping"], n_groups=p["n_groups"], band_sd=p["band_sd"],
                   level_upper_groups=p["level_upper_groups"], year=year)

    def fit(self, X: pd.DataFrame, y=None) -> QualityIndex:
        """Learn the per-assessment standardisation and the 50 / 10 scale from ``X``.

        Parameters
        ----------
        X : DataFrame
            Assessment-level result rows (see Notes of the class).
        y : ignored

        Returns
        -------
        self : QualityIndex
        """
        if self.grouping not in GROUPINGS:
            raise ValueError(unknown_grouping_message(self.grouping))
        scores = self._fit_standardisation(X)
        self._fit_scale(scores, _schools(X))
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Quality index, group, level and status of every school named in ``X``.

        Parameters
        ----------
        X : DataFrame
            Assessment-level result rows (see Notes of the class).

        Returns
        -------
        DataFrame
            Columns :data:`QUALITY_COLUMNS`, one row per school_id of ``X`` (in order of
            appearance); ``assessments`` counts the school's reliable assessments.
        """
        check_is_fitted(self, ["indicator_scale_", "score_scale_"])
        return self._table(self.scores(X), _schools(X))

    def scores(self, X: pd.DataFrame) -> pd.DataFrame:
        """Reliable results of ``X`` in the configured grades with a standardised ``score``.

        Parameters
        ----------
        X : DataFrame
            Assessment-level result rows (see Notes of the class).

        Returns
        -------
        DataFrame
            Columns school_id, procedure, grade, subject, feature (key like ``VPR_6_math``), the
            result columns of ``X`` among participants, share_fail, share_quality, mean_score,
            and score; rows without any standardisable indicator are left out.
        """
        check_is_fitted(self, "indicator_scale_")
        return self._scores(self._rows(X))

    def _signs(self) -> dict:
        return DEFAULT_INDICATORS if self.indicators is None else self.indicators

    def _rows(self, X: pd.DataFrame) -> pd.DataFrame:
        """The rows that count: of ``year``, reliable, in the configured grades."""
        if not isinstance(X, pd.DataFrame):
            raise TypeError("Индекс качества: ожидается таблица результатов (DataFrame), "
                            f"а не {type(X).__name__}.")
        need = ["school_id", *ASSESSMENT, "reliable", *self._signs()]
        need += ["year"] if self.year is not None else []
        missing = [c for c in need if c not in X.columns]
        if missing:
            raise ValueError(f"Индекс качества: в таблице результатов нет столбцов "
                             f"{', '.join(missing)}.")
        if self.year is not None:
            d = X[(X["year"] == self.year) & X["reliable"].astype(bool)]
        else:
            if "year" in X.columns and X["year"].nunique() > 1:
                raise ValueError("Индекс качества: в таблице результаты нескольких лет; "
                                 "укажите year.")
            d = X[X["reliable"].astype(bool)]
        if self.grades is None:
            return d
        allowed = pd.Series(False, index=d.index)
        for proc, grades in self.grades.items():
            allowed |= (d["procedure"] == proc) & d["grade"].isin(grades)
        return d[allowed]

    def _fit_standardisation(self, X: pd.DataFrame) -> pd.DataFrame:
        """Fit the per-assessment statistics; returns the scores of ``X`` (as :meth:`scores`)."""
        d = self._rows(X)
        g = d[list(self._signs())].astype(float).groupby([d[c] for c in ASSESSMENT])
        self.indicator_mean_ = g.mean()
        self.indicator_scale_ = g.std(ddof=0)
        return self._scores(d)

    def _scores(self, d: pd.DataFrame) -> pd.DataFrame:
        keys = pd.MultiIndex.from_frame(d[ASSESSMENT])
        mean = self.indicator_mean_.reindex(keys)
        scale = self.indicator_scale_.reindex(keys)
        z = pd.DataFrame({c: sign * _zscore(d[c].to_numpy(float), mean[c].to_numpy(),
                                            scale[c].to_numpy())
                          for c, sign in self._signs().items()}, index=d.index)
        out = d[["school_id", *ASSESSMENT, *[c for c in RESULT_COLUMNS if c in d.columns]]].copy()
        out["score"] = z.mean(axis=1)  # NaN only when the row has none of the indicators
        out = out[out["score"].notna()]
        out.insert(4, "feature", feature_keys(out))
        return out.reset_index(drop=True)

    def _aggregate(self, scores: pd.DataFrame, schools: pd.Index) -> tuple[pd.Series, pd.Series]:
        """Raw school score (``NaN`` below ``min_assessments``) and number of assessments."""
        g = scores.groupby("school_id")["score"]
        n = g.size().reindex(schools, fill_value=0)
        raw = g.mean().reindex(schools).where(n >= self.min_assessments)
        return raw, n

    def _fit_scale(self, scores: pd.DataFrame, schools: pd.Index) -> None:
        raw, _ = self._aggregate(scores, schools)
        self.score_mean_ = float(raw.mean())
        self.score_scale_ = float(raw.std(ddof=0))
        self.n_schools_ = int(raw.notna().sum())

    def _table(self, scores: pd.DataFrame, schools: pd.Index) -> pd.DataFrame:
        raw, n = self._aggregate(scores, schools)
        scaled = self.score_scale_ > 0
        index = (self.mean + self.sd * (raw - self.score_mean_) / self.score_scale_ if scaled
                 else raw * np.nan)
        status = np.where(
            n >= self.min_assessments, "",
            "индекс качества не рассчитан: надёжных результатов в " + n.astype(str)
            + f" оценочных процедурах (нужно не меньше {self.min_assessments})")
        if not scaled and raw.notna().any():
            status = np.where(status == "", "индекс качества не рассчитан: результаты школ "
                              "не различаются или школа одна", status)
        out = pd.DataFrame({"school_id": schools, "assessments": n.to_numpy(),
                            "quality_index": index.to_numpy(float)})
        out["quality_group"] = cut_groups(out["quality_index"], self.grouping, self.n_groups,
                                          self.band_sd, self.mean, self.sd).to_numpy()
        out["quality_level"] = group_level(out["quality_group"],
                                           list(self.level_upper_groups)).to_numpy()
        out["quality_status"] = pd.array(status, dtype=str)
        return out[QUALITY_COLUMNS]


def _schools(X: pd.DataFrame) -> pd.Index:
    return pd.Index(X["school_id"].unique(), name="school_id")


def _zscore(values: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Standardised values; ``NaN`` where the value or the assessment's statistics are missing."""
    varying = scale > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (values - mean) / np.where(varying, scale, np.nan)
    # A constant indicator within an assessment cannot separate schools: it contributes 0.
    z = np.where(varying, z, 0.0)
    return np.where(np.isnan(values) | np.isnan(mean), np.nan, z)


def assessment_scores(indicators: pd.DataFrame, year: int, params: dict) -> pd.DataFrame:
    """Reliable results of ``year`` in the configured grades with a standardised ``score`` each.

    Columns: school_id, procedure, grade, subject, feature (key like ``VPR_6_math``),
    participants, share_fail, share_quality, mean_score, score.
    """
    return QualityIndex.from_params(params, year=year)._fit_standardisation(indicators)


def feature_keys(frame: pd.DataFrame) -> pd.Series:
    return (frame["procedure"].astype(str) + "_" + frame["grade"].astype(str) + "_"
            + frame["subject"].astype(str))


def feature_label(key: str) -> str:
    """«ВПР, 6 класс, математика» for ``VPR_6_math``."""
    proc, grade, subject = key.split("_", 2)
    return assessment_label(proc, int(grade), subject)


def _feature_order(keys) -> list[str]:
    def rank(key: str):
        proc, grade, subject = key.split("_", 2)
        return (PROCEDURES.index(proc) if proc in PROCEDURES else 99, int(grade),
                SUBJECTS.index(subject) if subject in SUBJECTS else 99)
    return sorted(keys, key=rank)


def quality_index(indicators: pd.DataFrame, year: int, params: dict,
                  scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Quality index per school present in ``indicators`` (any year); columns QUALITY_COLUMNS.

    :class:`QualityIndex` fitted and applied on the same rows; ``scores``
    (:func:`assessment_scores` of the same rows, computed once by a run) are used as given.
    """
    p = params["quality"]
    if p["grouping"] not in GROUPINGS:
        raise UserError(unknown_grouping_message(p["grouping"]))
    model = QualityIndex.from_params(params, year=year)
    if scores is None:
        scores = model._fit_standardisation(indicators)
    schools = _schools(indicators)
    model._fit_scale(scores, schools)
    return model._table(scores, schools)


def quality_features(indicators: pd.DataFrame, year: int, params: dict,
                     scores: pd.DataFrame | None = None,
                     features: list[str] | None = None) -> pd.DataFrame:
    """School × assessment matrix of assessment scores for clustering (index school_id).

    Only schools with at least ``quality.min_assessments`` reliable assessments, and only
    assessments that at least ``quality.feature_min_coverage`` of those schools have — or,
    given ``features`` (the assessments of a reference clustering), exactly those. Missing
    rule: an assessment a school does not have takes the school's own mean score over the
    assessments it has, so a gap neither raises nor lowers its profile (the school is placed by
    what it did take).
    """
    p = params["quality"]
    scores = assessment_scores(indicators, year, params) if scores is None else scores
    wide = scores.pivot_table(index="school_id", columns="feature", values="score",
                              aggfunc="mean")
    wide = wide[wide.notna().sum(axis=1) >= p["min_assessments"]]
    if features is None:
        wide = wide.loc[:, wide.notna().mean() >= p["feature_min_coverage"]]
        wide = wide[_feature_order(wide.columns)]
    else:
        wide = wide.reindex(columns=features)
    wide = wide[wide.notna().any(axis=1)]
    values = wide.to_numpy(float)
    filled = np.where(np.isnan(values), wide.mean(axis=1).to_numpy()[:, None], values)
    return pd.DataFrame(filled, index=wide.index, columns=list(wide.columns))
