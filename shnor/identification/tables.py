"""The identification of a year (SPEC §4.2, output contract ``identification.csv``): every table
the identification report, the workbook and monitoring read, from the decisions, the ИСБШ and
the quality groups.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from shnor.identification.certainty import borderline, certainty_table
from shnor.identification.decisions import Decisions, grid_years
from shnor.identification.flags import FLAGS, IDENTIFICATION_COLUMNS, year_flags
from shnor.identification.official import official_comparison
from shnor.identification.table1 import UNKNOWN, YES, evidence
from shnor.indicators import compute_indicators
from shnor.quality.index import quality_index


def identification_tables(dataset, year: int, params: dict, decisions: Decisions,
                          isbsh: pd.DataFrame, quality: pd.DataFrame | None = None
                          ) -> dict[str, pd.DataFrame]:
    """All tables of the identification of ``year`` (one row per school where per school).

    ``decisions`` cover ``year`` and its lookback (:func:`~.decisions.decide_years`);
    ``isbsh``, ``quality``: the ИСБШ and quality tables of ``year``
    (:func:`shnor.social.isbsh.fit_isbsh`, :meth:`shnor.quality.index.QualityIndex.transform`;
    ``quality`` defaults to :func:`fitted_quality`, the index fitted on the dataset's results of
    ``year``, as :class:`shnor.analysis.run.Run` does without a reference). Keys:
    ``identification`` (the SPEC output contract) and, prefixed ``identification_``: flags
    (the same with details: ШНСУ, escalation, ИСБШ, quality group, type of table 7, support
    table, previous-year list, status), reasons (the groups behind each flag), municipalities
    (counts and shares), list_sizes (per year), dynamics (changes against the previous year), official
    (comparison with the official lists), undecided (what could not be decided and why),
    borderline (decisions whose certainty is «на границе»; :mod:`.certainty`, from the groups
    in the rule that the decisions keep).
    """
    year = int(year)
    d = decisions.d
    ev = decisions.evidence(year, params)
    if quality is None:
        quality = fitted_quality(dataset, year, params)
    flags = year_flags(dataset, d, ev, isbsh, year, params, quality,
                       certainty_of(decisions.rule_groups, d, year, params))
    return {
        "identification": flags[IDENTIFICATION_COLUMNS].copy(),
        "identification_flags": flags,
        "identification_reasons": ev,
        "identification_municipalities": municipality_counts(flags),
        "identification_list_sizes": list_sizes(
            d[d.index.get_level_values("year").isin(grid_years(year, params))]),
        "identification_dynamics": flags[["school_id", "name", "municipality", "low_results_prev",
                                          "low_results", "list_change", "status"]].copy(),
        "identification_official": official_comparison(flags, dataset.lists, year, params),
        "identification_undecided": flags.loc[flags["status"] != "", [
            "school_id", "name", "municipality", *FLAGS, "status"]].reset_index(drop=True),
        "identification_borderline": borderline_schools(flags, params),
    }


def certainty_of(groups: pd.DataFrame, d: pd.DataFrame, year: int, params: dict) -> pd.DataFrame:
    """:func:`~.certainty.certainty_table` of ``year`` from the decisions ``d``."""
    low = d.xs(int(year), level="year")["low"]
    return certainty_table(groups, low, int(year), params)


BORDERLINE_COLUMNS = ["school_id", "name", "municipality", "low_results",
                      "low_results_certainty", "reasons"]


def borderline_schools(flags: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Schools whose decision of the list is «на границе» (certainty in
    ``low_results.certainty.border``), listed ones first, then by certainty."""
    f = flags[borderline(flags["low_results_certainty"], params).to_numpy()]
    f = f.sort_values(["low_results", "low_results_certainty", "school_id"],
                      ascending=[False, True, True], kind="stable")
    return f[BORDERLINE_COLUMNS].reset_index(drop=True)


def identify_years(dataset, years, params: dict, decisions: Decisions,
                   isbsh_of: Callable[[int], pd.DataFrame],
                   quality_of: Callable[[int], pd.DataFrame] | None = None
                   ) -> dict[int, pd.DataFrame]:
    """The ``identification`` table of each of ``years`` (year → table), all from
    ``decisions`` (which must cover them: :meth:`Decisions.covers`). ``isbsh_of(year)`` gives
    the ИСБШ table of a year, ``quality_of(year)`` its quality table (default:
    :func:`fitted_quality` of each year). Monitoring needs the list of every year."""
    years = sorted({int(y) for y in years})
    if quality_of is None:
        ind = compute_indicators(dataset.results, params)

        def quality_of(y: int) -> pd.DataFrame | None:
            return fitted_quality(dataset, y, params, ind)
    # the evidence of a year reads the groups of that year and the years of the rule before it:
    # split once by year instead of filtering all groups for every year
    n = int(params["low_results"]["consecutive_years"])
    by_year = dict(tuple(decisions.groups.groupby("year", sort=False)))
    rose = dict(tuple(decisions.rose.groupby("year", sort=False)))
    out = {}
    for y in years:
        near = [by_year[k] for k in range(y - n + 1, y + 1) if k in by_year]
        ev = evidence(pd.concat(near) if near else decisions.groups.iloc[:0], decisions.d,
                      rose.get(y, decisions.rose.iloc[:0]), y, params)
        out[y] = year_flags(dataset, decisions.d, ev, isbsh_of(y), y, params, quality_of(y),
                            certainty_of(decisions.rule_groups, decisions.d, y, params)
                            )[IDENTIFICATION_COLUMNS].copy()
    return out


def fitted_quality(dataset, year: int, params: dict,
                   ind: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """The quality table of ``year`` (school_id, quality_index, quality_group, quality_level,
    quality_status) from the index fitted on the dataset's results of that year — what
    :class:`shnor.analysis.run.Run` computes without a reference or given groups. ``ind``: the
    indicators of all results rows (computed when omitted). ``None`` for a year without
    results (no school has a quality group then)."""
    if ind is None:
        ind = compute_indicators(dataset.results, params)
    rows = ind[ind["year"] == int(year)]
    if rows.empty:
        return None
    return quality_index(rows, int(year), params)


def municipality_counts(flags: pd.DataFrame) -> pd.DataFrame:
    """Schools and flagged schools per municipality, with a «Всего» row for the region;
    ``support_1`` … ``support_3``: schools in seed 000's tables 1–3 of the support programme."""
    cols = ["low_results", "risk_zone", "unfavourable", "shnsu", "persistent"]
    f = flags[["municipality", *cols]].copy()
    f["undecided"] = flags["low_results"].isna()
    f[cols] = f[cols].fillna(False).astype(bool)
    support = [f"support_{n}" for n in (1, 2, 3)]
    for n, c in zip((1, 2, 3), support):
        f[c] = flags["support_table"].eq(n).fillna(False).astype(bool)
    by = f.groupby("municipality", sort=True)
    out = by[[*cols, "undecided", *support]].sum()
    out.insert(0, "schools", by.size())
    total = out.sum().to_frame().T
    total.index = pd.Index(["Всего"], name="municipality")
    out = pd.concat([out, total]).astype("int64")
    out["share_low_results"] = out["low_results"] / out["schools"]
    out["share_risk_zone"] = out["risk_zone"] / out["schools"]
    return out.reset_index()


def list_sizes(d: pd.DataFrame) -> pd.DataFrame:
    """Per year of the report: schools on the low-results list, in the risk zone, undecided."""
    low, risk = d["low"], d["risk"]
    out = pd.DataFrame({
        "low_results": low.eq(YES).groupby(level="year").sum(),
        "risk_zone": risk.eq(YES).groupby(level="year").sum(),
        "undecided": low.eq(UNKNOWN).groupby(level="year").sum(),
        "schools": low.groupby(level="year").size(),
    })
    out.index = out.index.astype(str)  # a label in tables, not a number to format as «2 024»
    return out.reset_index()
