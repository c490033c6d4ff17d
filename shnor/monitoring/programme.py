"""Municipal programme indicators: points, totals and the effectiveness level (seed 000, §5).

Seed 000 scores each indicator of its programme every year by three criteria (0–2, 2–6 or 2–7
points), adds the points up and reads the effectiveness level off the total: 95–135 высокий,
53–94 средний, 12–52 удовлетворительный, 0–11 критический. The optional ``programme`` table
(year, indicator, value, points, target, max_points) carries those points; here they are checked
against the allowed range, summed per year and classified. The maximum total is a parameter:
the seed's 135 does not follow from its own rules (see docs/methodology.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LEVEL_LABELS = {
    "high": "высокий",
    "medium": "средний",
    "satisfactory": "удовлетворительный",
    "critical": "критический",
}
NO_SCORE = "нет оценки"

SCORE_COLUMNS = ["year", "indicator", "value", "points", "target", "status"]
SUMMARY_COLUMNS = ["year", "total_points", "max_points", "level", "indicators_scored",
                   "max_points_by_rules", "status"]


def effectiveness_level(total: float, params: dict) -> str:
    """The level whose lower bound (``monitoring.programme.levels``) the total reaches."""
    if pd.isna(total):
        return NO_SCORE
    bounds = sorted(params["monitoring"]["programme"]["levels"].items(), key=lambda kv: -kv[1])
    for name, lower in bounds:
        if total >= lower:
            return LEVEL_LABELS.get(name, name)
    return LEVEL_LABELS.get(bounds[-1][0], bounds[-1][0])


def programme_scores(programme: pd.DataFrame | None, params: dict) -> pd.DataFrame:
    """Indicator rows with the points that count: SCORE_COLUMNS, ``points`` NaN when not counted.

    Points outside 0…max (the row's ``max_points`` when given, else
    ``monitoring.programme.indicator_max_points``) are not counted; ``status`` says why.
    """
    if programme is None or programme.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
            SCORE_COLUMNS, ["int64", "str", "float64", "float64", "float64", "str"])})
    p = programme.copy()
    default_max = float(params["monitoring"]["programme"]["indicator_max_points"])
    row_max = _column(p, "max_points").fillna(default_max)
    points = _column(p, "points")
    out_of_range = points.notna() & ((points < 0) | (points > row_max))
    status = np.select(
        [points.isna(), out_of_range],
        ["нет баллов", "баллы вне диапазона 0–" + row_max.map("{:g}".format) + ": не учтены"],
        default="",
    )
    out = pd.DataFrame({
        "year": p["year"].astype("int64"),
        "indicator": p["indicator"].astype("str"),
        "value": _column(p, "value"),
        "points": points.where(~out_of_range),
        "target": _column(p, "target"),
        "status": pd.Series(status, index=p.index, dtype="str"),
    })
    return out.sort_values(["year"], kind="stable").reset_index(drop=True)


def programme_summary(scores: pd.DataFrame, params: dict) -> pd.DataFrame:
    """One row per year of the programme table: total, maximum, level and what was not counted.

    ``max_points`` is ``monitoring.programme.max_points`` (seed 000: 135); when it is null, the
    maximum by the rules is used: indicators × ``indicator_max_points``.
    """
    cfg = params["monitoring"]["programme"]
    rows = []
    for year, g in scores.groupby("year", sort=True):
        scored = g["points"].notna()
        total = float(g.loc[scored, "points"].sum()) if scored.any() else np.nan
        by_rules = float(len(g) * cfg["indicator_max_points"])
        maximum = float(cfg["max_points"]) if cfg["max_points"] is not None else by_rules
        notes = [f"{row.indicator.split('.')[0]}: {row.status}"
                 for row in g[g["status"] != ""].itertuples()]
        rows.append({
            "year": int(year), "total_points": total, "max_points": maximum,
            "level": effectiveness_level(total, params), "indicators_scored": int(scored.sum()),
            "max_points_by_rules": by_rules, "status": "; ".join(notes),
        })
    out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    return out.astype({"year": "int64", "total_points": "float64", "max_points": "float64",
                       "level": "str", "indicators_scored": "int64",
                       "max_points_by_rules": "float64", "status": "str"})


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return pd.to_numeric(frame[name], errors="coerce").astype("float64")
    return pd.Series(np.nan, index=frame.index, dtype="float64")


