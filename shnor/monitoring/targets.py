"""Programme targets compared (seed 000 §5 table 12 «целевое значение»; seed 003 «дорожная
карта»: «+10 %», «на 7 %», «не менее 30 %»…).

Each ``programme`` row with a ``target`` is compared with its ``value``: ``result`` is
``met`` / ``not_met`` / ``no_data`` (words in :mod:`shnor.reporting.labels`). A target is a level
(``value`` ≥ or ≤ ``target``) or, when ``baseline_year`` is given, a change from the indicator's
value in that year: ``unit`` «%» = per cent of the baseline value, «п.п.» = percentage points.
The trend is the least-squares slope of the indicator over its years up to the row's year; the
projection carries it to ``target_year``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MET, NOT_MET, NO_DATA = "met", "not_met", "no_data"
TARGET_COLUMNS = ["year", "indicator", "value", "direction", "target_given", "unit",
                  "baseline_year", "baseline_value", "target", "target_year", "gap", "result",
                  "trend", "projected", "on_course", "status"]


def _col(p: pd.DataFrame, c: str, numeric: bool = True) -> pd.Series:
    if c not in p:
        return pd.Series(np.nan if numeric else None, index=p.index,
                         dtype="float64" if numeric else "object")
    return pd.to_numeric(p[c], errors="coerce").astype("float64") if numeric else p[c]


def _reached(value: float, target: float, direction: str) -> bool:
    return value >= target if direction == "ge" else value <= target


def target_table(programme: pd.DataFrame | None) -> pd.DataFrame:
    """One row per programme row with a target: TARGET_COLUMNS.

    ``gap``: what is still missing towards the target in the target's direction (target − value
    for ≥, value − target for ≤; ≤ 0 when met). ``trend``: change of the value per year;
    ``projected``: value at ``target_year`` on that trend; ``on_course``: the projection reaches
    the target (<NA> without a target year, a trend or when the year is past). ``status``:
    why a result is ``no_data`` (Russian, as the programme table's status).
    """
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c in TARGET_COLUMNS})
    if programme is None or programme.empty or "target" not in programme:
        return _types(empty)
    p = programme.copy()
    p["value"] = _col(p, "value")
    p["target_given"] = _col(p, "target")
    p["direction"] = _col(p, "direction", numeric=False)
    p["unit"] = _col(p, "unit", numeric=False)
    p["baseline_year"] = _col(p, "baseline_year")
    p["target_year"] = _col(p, "target_year")
    values = p.set_index(["indicator", "year"])["value"]
    rows = []
    for r in p[p["target_given"].notna()].itertuples(index=False):
        status, target, base = "", r.target_given, np.nan
        if pd.notna(r.baseline_year):
            base = values.get((r.indicator, int(r.baseline_year)), np.nan)
            if pd.isna(base):
                status = f"нет значения показателя за базовый год {int(r.baseline_year)}"
            else:
                step = base * r.target_given / 100 if r.unit == "%" else r.target_given
                target = base + step if r.direction == "ge" else base - step
        if r.direction not in ("ge", "le"):
            status = "не указано направление цели (≥ или ≤)"
        elif pd.isna(r.value) and not status:
            status = "нет значения показателя"
        hist = p[(p["indicator"] == r.indicator) & (p["year"] <= r.year) & p["value"].notna()]
        trend = (float(np.polyfit(hist["year"].astype(float), hist["value"], 1)[0])
                 if hist["year"].nunique() >= 2 else np.nan)
        ok = not status and pd.notna(target)
        gap = ((target - r.value) if r.direction == "ge" else (r.value - target)) if ok else np.nan
        result = (MET if _reached(r.value, target, r.direction) else NOT_MET) if ok else NO_DATA
        projected, on_course = np.nan, pd.NA
        if ok and pd.notna(r.target_year) and pd.notna(trend) and r.target_year > r.year:
            projected = r.value + trend * (r.target_year - r.year)
            on_course = bool(_reached(projected, target, r.direction))
        rows.append({"year": int(r.year), "indicator": r.indicator, "value": r.value,
                     "direction": r.direction if r.direction in ("ge", "le") else "",
                     "target_given": r.target_given, "unit": r.unit if pd.notna(r.unit) else "",
                     "baseline_year": r.baseline_year, "baseline_value": base,
                     "target": target if ok else (target if pd.notna(target) else np.nan),
                     "target_year": r.target_year, "gap": gap, "result": result,
                     "trend": trend, "projected": projected, "on_course": on_course,
                     "status": status})
    out = pd.DataFrame(rows, columns=TARGET_COLUMNS) if rows else empty
    return _types(out).sort_values(["year"], kind="stable").reset_index(drop=True)


def _types(out: pd.DataFrame) -> pd.DataFrame:
    floats = ["value", "target_given", "baseline_year", "baseline_value", "target",
              "target_year", "gap", "trend", "projected"]
    out = out.astype({c: "float64" for c in floats})
    out["year"] = out["year"].astype("int64")
    for c in ("indicator", "direction", "unit", "result", "status"):
        out[c] = out[c].astype("str")
    out["on_course"] = out["on_course"].astype("boolean")
    for c in ("baseline_year", "target_year"):
        out[c] = out[c].astype("Int64")
    return out


def target_summary(targets: pd.DataFrame) -> pd.DataFrame:
    """Per year: targets, met, not met, no data, on course (columns year, targets, met,
    not_met, no_data, on_course)."""
    g = targets.groupby("year")
    out = pd.DataFrame({
        "targets": g.size(),
        "met": g["result"].apply(lambda s: int((s == MET).sum())),
        "not_met": g["result"].apply(lambda s: int((s == NOT_MET).sum())),
        "no_data": g["result"].apply(lambda s: int((s == NO_DATA).sum())),
        "on_course": g["on_course"].apply(lambda s: int(s.fillna(False).sum())),
    }).reset_index()
    return out.astype({c: "int64" for c in out.columns})
