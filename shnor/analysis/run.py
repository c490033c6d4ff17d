"""One dataset × report year × parameters, every step computed once.

A :class:`Run` computes each step on first use and keeps it: the indicators of all results
rows, the yearly decisions of the lists, the quality index and the ИСБШ of each year, and the
tables of the four reports. The reports, the school cards, the workbook and the notebooks all
read the same run, so ИСБШ (say) is fitted once and the identification and the differentiation
see the same index.
"""

from __future__ import annotations

import dataclasses
from functools import cached_property

import pandas as pd

from shnor import __version__
from shnor.analysis.differentiation import (
    Clusters,
    ValueAddedFit,
    cluster_schools,
    differentiation_tables,
    value_added_of,
)
from shnor.analysis.given import cluster_note, given_groups, with_given
from shnor.analysis.overview import overview_tables
from shnor.analysis.reference import SECTIONS, Reference
from shnor.comparison.funnel import funnel_table
from shnor.comparison.partners import free_schools, partners_table
from shnor.config import load_config
from shnor.errors import UserError
from shnor.frames import join_texts
from shnor.identification.decisions import Decisions, decide_years
from shnor.identification.tables import identification_tables, identify_years
from shnor.indicators import compute_indicators
from shnor.monitoring.lists import stack_lists
from shnor.monitoring.tables import monitoring_tables
from shnor.quality.index import QualityIndex
from shnor.social.isbsh import GROUPINGS, ISBSHIndex, fit_isbsh, unknown_grouping_message
from shnor.value_added import VA_COLUMNS

REPORTS = ("overview", "identification", "differentiation", "comparison", "monitoring")


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

    def __init__(self, dataset, year: int, params: dict | None = None,
                 reference: Reference | None = None):
        self.dataset = dataset
        self.year = int(year)
        self.params = load_config() if params is None else params
        self.reference_given = reference
        # sections of the user's parameters that the reference's replaced (for a warning)
        self.replaced_sections: list[str] = []
        if reference is not None:
            self.params, self.replaced_sections = reference.apply_to(self.params)
        if self.year not in dataset.years:
            years = ", ".join(map(str, dataset.years)) or "нет ни одного"
            raise UserError(f"В наборе данных «{dataset.name}» нет результатов за {self.year} "
                            f"год. Годы с результатами: {years}.")
        self._quality: dict[int, tuple[tuple[pd.DataFrame, pd.DataFrame], QualityIndex]] = {}
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
        return self._quality_step(year)[0]

    def quality_model(self, year: int) -> QualityIndex:
        """The quality index of ``year``: fitted on these schools or the reference's."""
        return self._quality_step(year)[1]

    def _quality_step(self, year: int
                      ) -> tuple[tuple[pd.DataFrame, pd.DataFrame], QualityIndex]:
        if year not in self._quality:
            grouping = self.params["quality"]["grouping"]
            if grouping not in GROUPINGS:
                raise UserError(unknown_grouping_message(grouping))
            rows = self.indicators[self.indicators["year"] == year]
            if self.reference_given is None:
                model = QualityIndex.from_params(self.params, year=year).fit(rows)
            else:
                model = self.reference_given.quality_for(year)
            table = with_given(model.transform(rows), self._given(year), "quality_group",
                               "quality_level", "quality_status",
                               self.params["quality"]["level_upper_groups"])
            self._quality[year] = (model.scores(rows), table), model
        return self._quality[year]

    def isbsh(self, year: int) -> tuple[pd.DataFrame, ISBSHIndex | None]:
        """The ИСБШ table of ``year`` and the index (``None`` when not computed): fitted on
        these schools or the reference's."""
        if year not in self._isbsh:
            quality = None
            fitted = None if self.reference_given is None else self.reference_given.isbsh
            if self.params["isbsh"]["weighting"] == "regression" and fitted is None:
                quality = self.quality(year)[1].set_index("school_id")["quality_index"]
            table, model = fit_isbsh(self.dataset.social, year, self.params, quality,
                                     fitted=fitted)
            table = with_given(table, self._given(year), "isbsh_group", "isbsh_level",
                               "isbsh_status", self.params["isbsh"]["level_upper_groups"])
            self._isbsh[year] = table, model
        return self._isbsh[year]

    def _given(self, year: int) -> pd.DataFrame:
        """The groups the ИРО gave for ``year`` (table ``reference_groups``), by school_id."""
        return given_groups(self.dataset.reference_groups, year)

    @cached_property
    def clusters(self) -> Clusters:
        """The ИРО clusters of the report year (fitted here or the reference's)."""
        scores, _ = self.quality(self.year)
        ref = self.reference_given
        if ref is not None and ref.clustering is None:
            return Clusters(None, pd.DataFrame(), pd.Series(dtype="Int64"),
                            "кластер не определён: в эталоне нет кластеризации", True)
        clusters = cluster_schools(self.indicators, self.year, self.params, scores,
                                   reference=None if ref is None else ref.clustering)
        given = self._given(self.year)["cluster"].dropna()
        if len(given):  # the ИРО's numbering, as given; computed clusters fill the gaps
            labels = clusters.labels.reindex(clusters.labels.index.union(given.index))
            labels.loc[given.index] = given.astype("Int64")
            clusters = dataclasses.replace(clusters, labels=labels.astype("Int64"))
        return clusters

    @cached_property
    def value_added(self) -> ValueAddedFit:
        """Value-added of the report year (fitted here or the reference's model)."""
        scores, quality = self.quality(self.year)
        ref = self.reference_given
        if ref is not None and ref.value_added is None:
            return ValueAddedFit(None, pd.DataFrame(columns=VA_COLUMNS),
                                 pd.DataFrame(columns=["term", "coef", "se"]),
                                 "добавленная ценность не рассчитана: в эталоне нет её модели")
        return value_added_of(self.dataset, self.year, self.params, quality,
                              self.isbsh(self.year)[1], scores,
                              reference=None if ref is None else ref.value_added)

    def reference(self) -> Reference:
        """The scale this run placed its schools on: the given reference, or the one it fitted
        (``reference.json`` of the report folder)."""
        if self.reference_given is not None:
            return self.reference_given
        return Reference(
            year=self.year, profile=self.params.get("profile", ""), dataset=self.dataset.name,
            params={s: self.params[s] for s in SECTIONS}, isbsh=self.isbsh(self.year)[1],
            quality=self.quality_model(self.year), clustering=self.clusters.model,
            value_added=self.value_added.model, input_hashes=self.dataset.input_hashes,
            shnor_version=__version__, schools=len(self.dataset.schools))

    # Report tables ----------------------------------------------------------------------------

    @cached_property
    def overview(self) -> dict[str, pd.DataFrame]:
        return overview_tables(self.dataset, self.year, self.params, self.indicators)

    @cached_property
    def identification(self) -> dict[str, pd.DataFrame]:
        return identification_tables(self.dataset, self.year, self.params, self.decisions,
                                     self.isbsh(self.year)[0], self.quality(self.year)[1])

    @cached_property
    def comparison(self) -> dict[str, pd.DataFrame]:
        """Fair comparison (SPEC §4.10): the suggested partner schools of the listed schools
        (``partners``) and the funnel plots of the identification report
        (``identification_funnel``)."""
        flags = self.identification["identification_flags"].set_index("school_id")
        listed = (flags["low_results"].fillna(False).astype(bool)
                  | flags["risk_zone"].fillna(False).astype(bool))
        n_years = int(self.params["comparison"]["partners"]["lists_years"])
        free = free_schools(self.decisions.d, self.dataset.lists, self.year, n_years)
        diff = self.differentiation["differentiation"][
            ["school_id", "isbsh", "isbsh_group", "effectiveness_level", "value_added"]]
        why = self.value_added.reason
        return {"partners": partners_table(self.dataset.schools, listed, free, diff, self.year,
                                           self.params, why_none=why),
                "identification_funnel": funnel_table(self.decisions.rule_groups, self.year)}

    @cached_property
    def differentiation(self) -> dict[str, pd.DataFrame]:
        scores, quality = self.quality(self.year)
        isbsh, model = self.isbsh(self.year)
        tables = differentiation_tables(self.dataset, self.year, self.params, self.indicators,
                                        scores, quality, isbsh, model, self.clusters,
                                        self.value_added)
        note = cluster_note(self._given(self.year))
        for name in ("differentiation", "diff_schools"):
            frame = tables[name]
            extra = frame["school_id"].map(note).astype(object).fillna("")
            frame["status"] = join_texts([frame["status"], extra]).to_numpy()
        ref = self.reference_given
        if ref is not None:
            text = (f"ИСБШ, индекс и группы качества, кластеры, типология и добавленная "
                    f"ценность — на шкале эталона «{ref.dataset}» за {ref.year} год "
                    f"({ref.schools} школ), а не на школах этого набора.")
            note = pd.DataFrame([("Шкала", text)], columns=["topic", "note"])
            tables["diff_notes"] = pd.concat([note, tables["diff_notes"]], ignore_index=True)
        return tables

    @cached_property
    def monitoring(self) -> dict[str, pd.DataFrame]:
        others = [y for y in self.dataset.years if y != self.year]
        by_year = identify_years(self.dataset, others, self.params, self.decisions,
                                 lambda y: self.isbsh(y)[0], lambda y: self.quality(y)[1])
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
