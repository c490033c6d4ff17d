"""The validated dataset that every computation receives."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd


@dataclass
class Dataset:
    """A validated dataset in canonical form (see :mod:`shnor.io.contract`).

    ``schools``, ``results`` and ``social`` are always present (``social`` may be empty);
    the optional tables are ``None`` when the input does not have them.
    ``input_hashes`` maps each input file (relative name) to its SHA-256.
    ``excluded`` names optional tables that were left out because of their problems (only
    with ``load_dataset(..., exclude_invalid_optional=True)``, as ``shnor run`` does).
    """

    name: str
    path: Path
    schools: pd.DataFrame
    results: pd.DataFrame
    social: pd.DataFrame
    risk_profiles: pd.DataFrame | None = None
    programme: pd.DataFrame | None = None
    lists: pd.DataFrame | None = None
    reference_groups: pd.DataFrame | None = None
    journal_comparison: pd.DataFrame | None = None
    staff: pd.DataFrame | None = None
    roadmap: pd.DataFrame | None = None
    input_hashes: dict[str, str] = field(default_factory=dict)
    # Optional tables left out because they had problems: table -> its problems.
    excluded: dict[str, list] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        """Years with results, ascending."""
        return sorted(int(y) for y in self.results["year"].unique())

    def without_tables(self) -> Dataset:
        """The same dataset without the rows of its tables but the schools (results keep one
        row per year): for what is left of a run once everything is computed."""
        results = self.results.drop_duplicates("year")
        return replace(self, results=results, social=self.social.iloc[:0],
                       **{name: None for name in ("risk_profiles", "programme", "lists",
                                                  "reference_groups", "journal_comparison",
                                                  "staff", "roadmap")})
