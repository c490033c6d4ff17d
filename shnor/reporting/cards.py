"""One school's card (SPEC §5): what it shows, filtered from the report tables.

The tables themselves (``card_profile``, ``card_history``, ``card_overall``, ``risk_matrix``)
are computed once for all schools by :mod:`shnor.monitoring.cards`; a card only selects its school's
rows, so hundreds of cards cost little each.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from shnor.errors import UserError
from shnor.frames import id_sort_key
from shnor.monitoring.cards import card_school_ids
from shnor.monitoring.lists import FLAGS
from shnor.monitoring.risk_profiles import FACTOR_COLUMNS, FACTOR_SHORT
from shnor.reporting import charts
from shnor.reporting.labels import (
    CHANGE_LABELS,
    FLAG_LABELS,
    LEVEL_LABELS,
    NO_LEVEL,
    UNDECIDED,
    YES_NO,
    header,
)


def card_data(ctx, school_id: str | None = None) -> dict:
    """What one school card shows, filtered from the report tables (cheap: no computation).

    ``school_id`` None = the first school that gets a card. Keys: school (one row of
    ``card_profile`` as a dict), facts (two-column table «Показатель» / «Значение»),
    overall (rows of ``card_overall``), history (assessment × year shares «2» of the school
    with the region's in the last year), risk (factor / level table, empty without a profile).
    """
    if school_id is None:
        prof = ctx.table("card_profile")
        ids = card_school_ids({"card_profile": prof}) or sorted(prof["school_id"], key=id_sort_key)
        school_id = ids[0]
    match = ctx.school_rows("card_profile", school_id)
    if match.empty:
        raise UserError(f"Школы с кодом «{school_id}» нет в наборе данных.")
    school = match.iloc[0].to_dict()
    sid = school["school_id"]
    names = ctx.table_names() if hasattr(ctx, "table_names") else []
    factor, level = header("factor"), header("level")
    risk = pd.DataFrame(columns=[factor, level])
    mrow = ctx.school_rows("risk_matrix", sid)
    if len(mrow):
        risk = pd.DataFrame({factor: [FACTOR_SHORT[i + 1] for i in range(10)],
                             level: [LEVEL_LABELS.get(mrow.iloc[0][c], NO_LEVEL)
                                     for c in FACTOR_COLUMNS]})
    partners = (ctx.school_rows("partners", sid) if "partners" in names
                else pd.DataFrame(columns=["rank", "partner_id", "partner_name", "reason"]))
    funnel = (ctx.school_rows("identification_funnel", sid) if "identification_funnel" in names
              else pd.DataFrame(columns=["assessment", "participants", "share_fail",
                                         "share_region", "upper_95", "upper_998", "above_998"]))
    return {"school": school, "facts": card_facts(school),
            "overall": ctx.school_rows("card_overall", sid),
            "history": _history(ctx.school_rows("card_history", sid)), "risk": risk,
            "partners": partners.reset_index(drop=True),
            "funnel": funnel.reset_index(drop=True)}


def _history(hist: pd.DataFrame) -> pd.DataFrame:
    """Assessment × year shares «2» of one school (assessments in table order), and the
    region's share in the last year."""
    assessments = hist["assessment"].tolist()
    labels = list(dict.fromkeys(assessments))
    rows = dict(zip(labels, range(len(labels))))
    at = [rows[a] for a in assessments]
    year_of = hist["year"].to_numpy()
    years = sorted(set(year_of.tolist()))
    grid = np.full((len(labels), len(years)), np.nan)
    grid[at, np.searchsorted(years, year_of)] = hist["share_fail"].to_numpy(dtype=float,
                                                                           na_value=np.nan)
    columns = {"assessment": pd.Series(labels, dtype=hist["assessment"].dtype)}
    columns.update((str(y), grid[:, k]) for k, y in enumerate(years))
    if len(hist):  # the region's share where the school has the assessment in the last year
        region = np.full(len(labels), np.nan)
        last = year_of == years[-1]
        region[np.asarray(at)[last]] = hist["share_fail_region"].to_numpy(
            dtype=float, na_value=np.nan)[last]
        columns[f"регион {years[-1]}"] = region
    return pd.DataFrame(columns)


def card_facts(s: dict) -> pd.DataFrame:
    def val(key, fmt="{}"):
        v = s.get(key)
        return "—" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v == "" \
            else fmt.format(v)

    def flag(key):
        v = s.get(key)
        return UNDECIDED if v is None or v is pd.NA else YES_NO[bool(v)]

    rows = [(f"Список: {FLAG_LABELS[f]}", flag(f)) for f in FLAGS]
    rows += [(header("years_on_list"), val("years_on_list")),
             (header("list_change"), CHANGE_LABELS.get(s.get("list_change"), val("list_change"))),
             (header("isbsh"), val("isbsh", "{:.1f}").replace(".", ",")),
             *[(header(c), val(c))
               for c in ("isbsh_group", "quality_group", "cluster", "typology")]]
    if "value_added" in s:
        rows.append((f"{header('value_added')} (95 % интервал)",
                     "—" if val("value_added") == "—" else
                     (f"{s['value_added']:+.2f} ({s['value_added_low']:+.2f} … "
                      f"{s['value_added_high']:+.2f}), SE {s['value_added_se']:.2f}")
                     .replace(".", ",")))
    if "effectiveness_level" in s:
        rows.append((header("effectiveness_level"), val("effectiveness_level")))
    if "peer_percentile" in s:
        rows.append((f"{header('peer_percentile')}, похожих школ: {val('peer_count')}",
                     val("peer_percentile", "{:.0f}")))
    if "low_results_certainty" in s:
        rows.append((header("low_results_certainty"),
                     val("low_results_certainty", "{:.2f}").replace(".", ",")))
    if "objectivity_flag" in s:
        rows.append((header("objectivity_flag"), flag("objectivity_flag")))
    if val("differentiation_status") != "—":
        rows.append((header("differentiation_status"), val("differentiation_status")))
    return pd.DataFrame(rows, columns=[header("indicator"), header("value")])


def card_chart(overall: pd.DataFrame) -> str:
    """The card's chart as inline SVG: the school's share «2» and quality by year beside the
    region's on the same assessments. ``overall`` = rows of ``card_overall`` for one school."""
    o = overall.sort_values("year")

    def values(column: str) -> list[float | None]:
        return [None if pd.isna(v) else float(v) for v in o[column]]

    lines = [
        charts.Line("доля «2» — школа", values("share_fail"), charts.LOW),
        charts.Line("доля «2» — регион", values("share_fail_region"), charts.LOW, dashed=True),
        charts.Line("качество — школа", values("share_quality"), charts.PALETTE[0]),
        charts.Line("качество — регион", values("share_quality_region"), charts.PALETTE[0],
                    dashed=True),
    ]
    return charts.share_chart_svg(o["year"].astype(str).tolist(), lines,
                                  "Результаты по годам (все процедуры)")


def card_funnel_svg(funnel: pd.DataFrame, width: int = 560, row: int = 22) -> str:
    """The school's points of the funnel plots as a small inline SVG (a matplotlib figure per
    card is too slow for hundreds of cards): per assessment, a bar from 0 to 100 % with the
    region's share (grey line), the upper 95 % and 99.8 % limits at the school's size (dashed
    and dotted) and the school's share (a dot, red above the 99.8 % limit)."""
    f = funnel.reset_index(drop=True)
    left, right, top = 190, 20, 26
    span = width - left - right
    height = top + row * len(f) + 10

    def x(v) -> float:
        return left + span * min(max(float(v), 0.0), 1.0)

    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">')
    title = (f'<text x="{left}" y="14">Доля «2» школы против границ для её числа участников'
             "</text>")
    parts = [svg, title]
    columns = ["assessment", "participants", "share_region", "upper_95", "upper_998",
               "above_998", "share_fail"]
    for i, values in enumerate(zip(*(f[c].tolist() for c in columns))):
        r = dict(zip(columns, values))
        y = top + row * i + row / 2
        label = html.escape(f"{r['assessment']} ({int(r['participants'])} уч.)")
        parts.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end">{label}</text>')
        parts.append(f'<line x1="{left}" x2="{left + span}" y1="{y}" y2="{y}" '
                     'stroke="#dddddd" stroke-width="6"/>')
        for col, dash in (("share_region", ""), ("upper_95", ' stroke-dasharray="3,2"'),
                          ("upper_998", ' stroke-dasharray="1,2"')):
            if pd.notna(r[col]):
                parts.append(f'<line x1="{x(r[col]):.1f}" x2="{x(r[col]):.1f}" y1="{y - 7}" '
                             f'y2="{y + 7}" stroke="#555555"{dash}/>')
        colour = charts.LOW if bool(r["above_998"]) else charts.PALETTE[0]
        parts.append(f'<circle cx="{x(r["share_fail"]):.1f}" cy="{y}" r="4" fill="{colour}"/>')
    parts.append("</svg>")
    return "".join(parts)
