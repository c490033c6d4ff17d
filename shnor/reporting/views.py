"""What the reports show: selections of rows and columns of the computed tables for display,
and the coloured matrices (seed 000 table 7, the risk-factor matrix) as the reader sees them.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from shnor.indicators import REGION_TOTAL
from shnor.io.contract import DIRECTION_LABELS, RISK_FACTOR_LABELS, RISK_LEVEL_LABELS
from shnor.monitoring.risk_profiles import FACTOR_COLUMNS, FACTOR_SHORT, FACTORS
from shnor.reporting.charts import LEVEL_FILLS, TYPE_COLOURS
from shnor.reporting.labels import (
    ANSWER_LABELS,
    CHANGE_LABELS,
    COMPARISON_LABELS,
    EXECUTION_LABELS,
    FLAG_LABELS,
    GROUP_LABELS,
    LEVEL_LABELS,
    ROADMAP_LEVEL_LABELS,
    STAFF_CHECK_LABELS,
    SUPPORT_TABLE_TITLES,
    TARGET_RESULT_LABELS,
    TYPE_PLURALS,
    header,
    label_frame,
    yes_no,
)
from shnor.school_typology import MAX_LABELS, type_grid
from shnor.verdicts import WITHIN

# Identification -------------------------------------------------------------------------------

LIST_COLUMNS = ["school_id", "name", "municipality", "reasons"]


def school_list(flags: pd.DataFrame, flag: str) -> pd.DataFrame:
    """Schools with ``flag`` set (low_results, risk_zone, shnsu, persistent, escalation), for
    display: code, name, municipality, reasons."""
    return flags.loc[flags[flag].fillna(False).astype(bool), LIST_COLUMNS].reset_index(drop=True)


# Seed 000 tables 1–3: each school with its groups of table 7 and the reasons.
SUPPORT_COLUMNS = ["school_id", "name", "municipality", "isbsh", "isbsh_group", "quality_group",
                   "typology", "reasons"]


def support_list(flags: pd.DataFrame, table: int) -> pd.DataFrame:
    """Schools in seed 000's ``table`` (1, 2 or 3) of the support programme, for display: code,
    name, municipality, ИСБШ and its group, quality group, type, reasons (they name the lists;
    by municipality, then code)."""
    f = flags[flags["support_table"].eq(int(table)).fillna(False).astype(bool)]
    return (f[SUPPORT_COLUMNS].sort_values(["municipality", "school_id"])
            .reset_index(drop=True))


def support_tables(flags: pd.DataFrame) -> pd.DataFrame:
    """All schools of seed 000's tables 1–3 in one table (table, then municipality, code), with
    the title of the table in ``support_title`` and the lists in ``support_lists`` (for the
    workbook)."""
    f = flags[flags["support_table"].notna()]
    f = f.sort_values(["support_table", "municipality", "school_id"]).reset_index(drop=True)
    out = f[["support_table", *SUPPORT_COLUMNS[:-1], "support_lists", "reasons"]].copy()
    out.insert(1, "support_title", out["support_table"].astype("int64").map(SUPPORT_TABLE_TITLES))
    return out


PARTNER_VIEW_COLUMNS = ["school_id", "name", "rank", "partner_id", "partner_name",
                        "partner_municipality", "reason"]


def partner_suggestions(partners: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """``partners`` with the name of the listed school (for display: the listed school, its
    suggestions in order, the reason of each; a school without one has its reason alone)."""
    names = flags.set_index("school_id")["name"]
    return partners.assign(name=partners["school_id"].map(names).to_numpy())


def borderline_counts(borderline: pd.DataFrame) -> tuple[int, int]:
    """Listed and not listed schools «на границе» (``identification_borderline``)."""
    on = borderline["low_results"].fillna(False).astype(bool)
    return int(on.sum()), int((~on).sum())


def funnel_outliers(funnel: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """Groups above the upper 99.8 % limit of their funnel, with the school's name."""
    f = funnel[funnel["above_998"].astype(bool)]
    names = flags.set_index("school_id")["name"]
    return (f.assign(name=f["school_id"].map(names).to_numpy())
            .sort_values(["assessment", "share_fail"], ascending=[True, False])
            .reset_index(drop=True))


def funnel_points(funnel: pd.DataFrame) -> pd.DataFrame:
    """One school's funnel points: its share of «2» beside the region's and the limits."""
    return funnel[["assessment", "participants", "share_fail", "share_region", "upper_95",
                   "upper_998", "above_998"]].reset_index(drop=True)


def changed_schools(flags: pd.DataFrame) -> pd.DataFrame:
    """Schools that entered or left the list, with the change in Russian."""
    f = flags[flags["list_change"].isin(["entered", "left"])]
    out = f[["school_id", "name", "municipality", "list_change", "reasons"]].copy()
    out["list_change"] = out["list_change"].map(CHANGE_LABELS)
    return out.sort_values(["list_change", "municipality", "school_id"]).reset_index(drop=True)


def official_comparison(official: pd.DataFrame) -> pd.DataFrame:
    """``identification_official`` with the comparison in words."""
    return official.assign(comparison=official["comparison"].map(COMPARISON_LABELS))


# Overview -------------------------------------------------------------------------------------

def municipality_table(municipalities: pd.DataFrame) -> pd.DataFrame:
    """Municipality × school type counts with a total column, largest municipality first."""
    wide = (municipalities.groupby(["municipality", "school_type"], dropna=False)["schools"]
            .sum().unstack(fill_value=0))
    wide["Всего"] = wide.sum(axis=1)
    wide = wide.sort_values(["Всего"], ascending=False, kind="stable")
    return wide.reset_index()


def participation_table(participation: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per assessment in ``year``: schools, participants, gaps and regional shares."""
    part = participation[participation["year"] == year]
    return part[["assessment", "schools", "participants", "unreliable", "no_fail_count",
                 "no_marks", "share_fail", "share_quality", "mean_score"]]


def participation_pivot(participation: pd.DataFrame, value: str = "participants") -> pd.DataFrame:
    """Assessment × year table of ``value`` (participants or schools)."""
    order = participation.drop_duplicates("assessment")["assessment"]
    wide = participation.pivot(index="assessment", columns="year", values=value)
    wide = wide.reindex(order).reset_index()
    wide.columns = [str(c) for c in wide.columns]
    return wide


def schools_without_data(schools: pd.DataFrame) -> pd.DataFrame:
    """Schools with no results for the year or without a social passport."""
    missing = schools[(schools["assessments"] == 0) | ~schools["has_social"].astype(bool)]
    return missing[["school_id", "name", "municipality", "status"]]


# Differentiation ------------------------------------------------------------------------------

def type_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """``diff_type_counts`` with the name of each group of schools (plural, as seed 000)."""
    return counts.assign(group=counts["typology"].map(TYPE_PLURALS))


def effectiveness_counts(va: pd.DataFrame) -> pd.DataFrame:
    """Schools per effectiveness level 5 … 1 (SAS EVAAS) of ``diff_value_added``."""
    counts = va["effectiveness_level"].value_counts().reindex([5, 4, 3, 2, 1], fill_value=0)
    return pd.DataFrame({"effectiveness_level": counts.index, "n_schools": counts.to_numpy(),
                         "share": counts.to_numpy() / max(int(counts.sum()), 1)})


def value_added_flagged(va: pd.DataFrame) -> pd.DataFrame:
    """Schools above or below expectation, from the lowest value-added to the highest."""
    return va[va["verdict"] != WITHIN].sort_values("value_added")


# Monitoring -----------------------------------------------------------------------------------

def list_sizes(sizes: pd.DataFrame) -> pd.DataFrame:
    """``monitoring_sizes`` with the name of each list."""
    return sizes.assign(label=sizes["list"].map(FLAG_LABELS))


def group_results(dynamics: pd.DataFrame) -> pd.DataFrame:
    """``monitoring_dynamics`` or ``monitoring_overall`` with the name of each group."""
    return dynamics.assign(group_label=dynamics["group"].map(GROUP_LABELS))


def programme_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """``programme_targets`` with the result, the direction and «on course» in words."""
    return targets.assign(
        result=targets["result"].map(TARGET_RESULT_LABELS),
        direction=targets["direction"].map(DIRECTION_LABELS).fillna(""),
        on_course=yes_no(targets["on_course"]))


def calendar(entries: pd.DataFrame) -> pd.DataFrame:
    """``monitoring_calendar`` with the answer in words («нужна таблица «staff»» for
    ``needs_table:staff``)."""
    kind = entries["answer"].str.split(":", n=1).str[0]
    table = entries["answer"].str.split(":", n=1).str[1].fillna("")
    words = kind.map(ANSWER_LABELS).fillna(entries["answer"])
    return entries.assign(answer=words.where(table == "", words + " «" + table + "»"))


def region_named(frame: pd.DataFrame) -> pd.DataFrame:
    """A table by municipality whose region row (no municipality) is named as such."""
    return frame.assign(municipality=frame["municipality"].fillna(REGION_TOTAL))


def staff_check(check: pd.DataFrame) -> pd.DataFrame:
    """``staff_check`` with the finding and the declared significance in words."""
    return check.assign(check=check["check"].map(STAFF_CHECK_LABELS),
                        declared=check["declared"].map(RISK_LEVEL_LABELS))


def roadmap_measures(measures: pd.DataFrame) -> pd.DataFrame:
    """``roadmap_measures`` or ``roadmap_overdue`` with the execution in words."""
    return measures.assign(execution=measures["execution"].map(EXECUTION_LABELS))


def roadmap_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """``roadmap_summary`` with the level and the thresholds met in words."""
    return summary.assign(level=summary["level"].map(ROADMAP_LEVEL_LABELS),
                          meets_min=yes_no(summary["meets_min"]),
                          meets_min_alt=yes_no(summary["meets_min_alt"]))


# Seed 000 table 7 -----------------------------------------------------------------------------

def matrix_for_excel(matrix: pd.DataFrame, max_labels: int = MAX_LABELS) -> pd.DataFrame:
    """:func:`typology_matrix` for the workbook: group numbers, totals and counts as numbers (so
    Excel can sum them), lists of school codes as text (codes keep their leading zeros), empty
    cells empty."""
    def number(v: str):
        return None if v == "" else int(v)

    out = matrix.astype(object).where(matrix != "", None)
    counts = int(matrix.iloc[-1, -1] or 0) > max_labels  # the cells hold counts, not codes
    for column in matrix.columns[1:] if counts else ["Итого ОО"]:
        out[column] = pd.Series([number(v) for v in matrix[column]], index=out.index,
                                dtype=object)
    out.iloc[-1, 1:] = [number(v) for v in matrix.iloc[-1, 1:]]
    out.iloc[:-1, 0] = [int(v) for v in matrix.iloc[:-1, 0]]
    return out


def typology_fills(matrix: pd.DataFrame, bounds: dict | None = None) -> pd.DataFrame:
    """Cell colours (hex or None) for :func:`typology_matrix`: each group cell by its type."""
    n = len(matrix) - 1
    grid = type_grid(n, bounds)
    values = np.full(matrix.shape, None, dtype=object)
    values[:n, 1:n + 1] = grid.map(TYPE_COLOURS.get).to_numpy()
    return pd.DataFrame(values, index=matrix.index, columns=matrix.columns)


# Risk profiles --------------------------------------------------------------------------------

def risk_fills(matrix: pd.DataFrame) -> pd.DataFrame:
    """Cell colours for :func:`risk_matrix` (same shape), for ``Sheet.cell_fills``."""
    fills = pd.DataFrame(None, index=matrix.index, columns=matrix.columns, dtype="object")
    for col in FACTOR_COLUMNS:
        fills[col] = matrix[col].map(LEVEL_FILLS).astype("object")
    return fills.where(fills.notna(), None)


def matrix_for_display(matrix: pd.DataFrame) -> pd.DataFrame:
    """Russian headers and level labels for reports and Excel (no level: an empty cell)."""
    labels = {**LEVEL_LABELS, "": ""}
    out = matrix.copy()
    for col in FACTOR_COLUMNS:
        out[col] = out[col].map(labels)
    return label_frame(out, table="risk_matrix")


def risk_matrix_html(matrix: pd.DataFrame, max_rows: int | None = None) -> str:
    """The coloured school × factor matrix as an HTML table (cheap for 100+ schools, crisp).

    Cells carry the level label on the level's colour; school names are escaped. ``max_rows``:
    the page's budget (``publication.page_rows``); the schools with the most factors of high
    significance are shown first then, and a note says where the whole matrix is.
    """
    total = len(matrix)
    if max_rows is not None and total > max_rows:
        matrix = matrix.iloc[np.argsort(-matrix["n_high"].to_numpy(), kind="stable")[:max_rows]]
    head = "".join(f"<th>{html.escape(header(c))}</th>" for c in ("school_id", "name"))
    head += "".join(f'<th title="{html.escape(RISK_FACTOR_LABELS[f])}">'
                    f"{html.escape(FACTOR_SHORT[f])}</th>" for f in FACTORS)
    rows = []
    for r in matrix.itertuples(index=False):
        cells = "".join(
            f'<td style="background:#{LEVEL_FILLS[v]}">{LEVEL_LABELS[v]}</td>' if v in LEVEL_FILLS
            else "<td></td>" for v in (getattr(r, c) for c in FACTOR_COLUMNS))
        rows.append(f"<tr><td>{html.escape(str(r.school_id))}</td>"
                    f"<td>{html.escape(str(r.name))}</td>{cells}</tr>")
    legend = " ".join(f'<span style="background:#{fill};padding:0 6px">{LEVEL_LABELS[k]}</span>'
                      for k, fill in LEVEL_FILLS.items())
    return (f'<div class="shnor-table-wrap"><table class="shnor-table shnor-risk">'
            f"<thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
            f'<p class="shnor-note">Значимость фактора: {legend}</p>'
            + (f'<p class="shnor-note">Показаны {len(matrix)} из {total} школ, больше всего '
               "факторов высокой значимости — первыми; вся матрица — в книге Excel (лист "
               "«Факторы риска») и в tables/risk_matrix.csv.</p>" if len(matrix) < total else ""))
