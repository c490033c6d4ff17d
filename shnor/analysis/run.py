"""One dataset × report year × parameters, every step computed once.

A :class:`Run` computes each step on first use and keeps it: the indicators of all results
rows, the yearly decisions of the lists, the quality index and the ИСБШ of each year, and the
tables of the four reports. The reports, the school cards, the workbook and the notebooks all
read the same run, so ИСБШ (say) is fitted once and the identification and the differentiation
see the same index.
"""

from __future__ import annotations

from functools import cached_property

import pandas as pd

from shnor.analysis.differentiation import differentiation_tables
from shnor.analysis.overview import overview_tables
from shnor.config import load_config
from shnor.errors import UserError
from shnor.identification.decisions import Decisions, decide_years
from shnor.identification.tables import identification_tables, identify_years
from shnor.indicators import compute_indicators
from shnor.monitoring.lists import stack_lists
from shnor.monitoring.tables import monitoring_tables
from shnor.quality.index import assessment_scores, quality_index
from shnor.social.isbsh import ISBSHIndex, fit_isbsh

REPORTS = ("overview", "identification", "differentiation", "monitoring")


class Run:
    """The computation of one report year.

    Parameters
    ----------
    dataset : shnor.io.dataset.Dataset
        A validated dataset (:func:`shnor.io.loading.load_dataset`).
    year : int
        The report year; it must have results.
    params : dict, optional
        Methodology parameters (:func:`shnor.config.load_config`); the defaults when omitted.

    Examples
    --------
    >>> from shnor.io.loading import load_dataset
    >>> run = Run(load_dataset("data/raw/demo"), 2024)          # doctest: +SKIP
    >>> run.identification["identification"].shape[0] == len(run.dataset.schools)  # doctest: +SKIP
    True
    """

    def __init__(self, dataset, year: int, params: dict | None = None):
        self.dataset = dataset
        self.year = int(year)
        self.params = load_config() if params is None else params
        if self.year not in dataset.years:
            years = ", ".join(map(str, dataset.years)) or "нет ни одного"
            raise UserError(f"В наборе данных «{dataset.name}» нет результатов за {self.year} "
                            f"год. Годы с результатами: {years}.")
        self._quality: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}
        self._isbsh: dict[int, tuple[pd.DataFrame, ISBSHIndex | None]] = {}

    # Steps ------------------------------------------------------------------------------------

    @cached_property
    def indicators(self) -> pd.DataFrame:
        """:func:`~shnor.indicators.compute_indicators` of every results row."""
        return compute_indicators(self.dataset.results, self.params)

    @cached_property
    def decisions(self) -> Decisions:
        """The decisions of every year of the data (and of the years their rules look back on)."""
        return decide_years(self.dataset, max(self.dataset.years), self.params, self.indicators)

    def quality(self, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The assessment scores and the quality index of ``year``."""
        if year not in self._quality:
            ind = self.indicators
            rows = ind[ind["year"] == year]
            scores = assessment_scores(rows, year, self.params)
            self._quality[year] = scores, quality_index(rows, year, self.params, scores)
        return self._quality[year]

    def isbsh(self, year: int) -> tuple[pd.DataFrame, ISBSHIndex | None]:
        """The ИСБШ table of ``year`` and the fitted index (``None`` when not computed)."""
        if year not in self._isbsh:
            quality = None
            if self.params["isbsh"]["weighting"] == "regression":
                quality = self.quality(year)[1].set_index("school_id")["quality_index"]
            self._isbsh[year] = fit_isbsh(self.dataset.social, year, self.params, quality)
        return self._isbsh[year]

    # Report tables ----------------------------------------------------------------------------

    @cached_property
    def overview(self) -> dict[str, pd.DataFrame]:
        return overview_tables(self.dataset, self.year, self.params, self.indicators)

    @cached_property
    def identification(self) -> dict[str, pd.DataFrame]:
        return identification_tables(self.dataset, self.year, self.params, self.decisions,
                                     self.isbsh(self.year)[0])

    @cached_property
    def differentiation(self) -> dict[str, pd.DataFrame]:
        scores, quality = self.quality(self.year)
        isbsh, model = self.isbsh(self.year)
        return differentiation_tables(self.dataset, self.year, self.params, self.indicators,
                                      scores, quality, isbsh, model)

    @cached_property
    def monitoring(self) -> dict[str, pd.DataFrame]:
        others = [y for y in self.dataset.years if y != self.year]
        by_year = identify_years(self.dataset, others, self.params, self.decisions,
                                 lambda y: self.isbsh(y)[0])
        by_year[self.year] = self.identification["identification"]
        return monitoring_tables(self.dataset, self.year, self.params, self.indicators,
                                 stack_lists(by_year),
                                 self.differentiation["differentiation"])

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of every report (names are unique across the reports)."""
        out: dict[str, pd.DataFrame] = {}
        for report in REPORTS:
            produced = getattr(self, report)
            clash = sorted(set(produced) & set(out))
            if clash:
                raise RuntimeError(f"report {report!r} repeats table names {clash}")
            out.update(produced)
        return out


def identify(dataset, year: int, params: dict | None = None) -> pd.DataFrame:
    """The identification table of the SPEC output contract: one row per school of the dataset."""
    return Run(dataset, year, params).identification["identification"]


def differentiate(dataset, year: int, params: dict | None = None) -> pd.DataFrame:
    """The ``differentiation.csv`` table: one row per school of ``dataset.schools``."""
    return Run(dataset, year, params).differentiation["differentiation"]
