"""Roadmap execution (optional table ``roadmap``, «Дорожная карта»): measures done on time, late
and overdue, per municipality and per school, against the bars of the seeds (seed 004,
ожидаемые результаты: «Процент выполнения комплекса мер (не менее 95 %)»; a second bar
``done_share_min_alt``, see docs/methodology.md).

A measure is *due* when its deadline is on or before the as-of date (``monitoring.roadmap.as_of``,
default 31 December of the report year). Of the due measures: ``on_time`` — done on or before
the deadline, ``late`` — done after it, ``overdue`` — not done. A measure with state «выполнено»
and no date counts as done on time (the table does not say otherwise); ``undated`` counts them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.frames import id_sort_column

ON_TIME, LATE, OVERDUE, PENDING = "on_time", "late", "overdue", "pending"
MEASURE_COLUMNS = ["year", "measure", "school_id", "name", "municipality", "responsible",
                   "deadline", "done_date", "execution", "days_late"]
SUMMARY_COLUMNS = ["level", "municipality", "school_id", "name", "measures", "due", "on_time",
                   "late", "overdue", "pending", "undated", "share_on_time", "share_done",
                   "meets_min", "meets_min_alt"]


def as_of(year: int, params: dict) -> str:
    value = params["monitoring"]["roadmap"]["as_of"]
    return str(value) if value is not None else f"{int(year)}-12-31"


def roadmap_measures(roadmap: pd.DataFrame | None, schools: pd.DataFrame, year: int,
                     params: dict) -> pd.DataFrame:
    """Each measure with its ``execution`` (on_time / late / overdue / pending) at the as-of date.

    ``municipality`` is the school's; a measure without a school belongs to the region (empty).
    Dates are ISO text as validated (:func:`shnor.io.validation.parse_dates`).
    """
    if roadmap is None or roadmap.empty:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in MEASURE_COLUMNS})
    cut = as_of(year, params)
    r = roadmap.reindex(columns=["year", "measure", "school_id", "responsible", "deadline",
                                 "done_date", "state"]).copy()
    for c in ("school_id", "responsible", "done_date", "state"):
        r[c] = r[c].where(r[c].notna() & (r[c].astype(str) != "nan"), "").astype("str")
    info = schools.set_index("school_id")
    r["name"] = r["school_id"].map(info["name"]).astype(object).fillna("").astype("str")
    r["municipality"] = r["school_id"].map(info["municipality"]).astype(object).fillna("").astype("str")
    done = (r["done_date"] != "") & (r["done_date"] <= cut) | (r["state"] == "done")
    due = r["deadline"] <= cut
    late = done & (r["done_date"] != "") & (r["done_date"] > r["deadline"])
    r["execution"] = np.select([done & ~late, done & late, due], [ON_TIME, LATE, OVERDUE],
                               PENDING)
    # a measure done early counts even when not yet due
    r["days_late"] = np.where(
        late, (pd.to_datetime(r["done_date"].where(late, None)) - pd.to_datetime(r["deadline"]))
        .dt.days, np.where(r["execution"] == OVERDUE,
                           (pd.Timestamp(cut) - pd.to_datetime(r["deadline"])).dt.days, np.nan))
    r["undated"] = (r["state"] == "done") & (r["done_date"] == "")
    out = r[MEASURE_COLUMNS + ["undated"]].astype({"year": "int64"})
    return out.sort_values(["deadline", "school_id"], key=id_sort_column).reset_index(drop=True)


def roadmap_summary(measures: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Execution of the region (level «region»), of each municipality and of each named school.

    ``share_on_time`` = on_time / due, ``share_done`` = (on_time + late) / due (NaN when nothing
    is due); ``meets_min`` / ``meets_min_alt``: ``share_on_time`` reaches
    ``monitoring.roadmap.done_share_min`` / ``done_share_min_alt``.
    """
    cfg = params["monitoring"]["roadmap"]
    counts = {"measures": ("execution", "size"), "undated": ("undated", "sum"),
              **{k: (k, "sum") for k in (ON_TIME, LATE, OVERDUE, PENDING)}}
    if measures.empty:
        out = pd.DataFrame(columns=["level", "municipality", "school_id", "name", *counts])
    else:
        m = measures.assign(region="", undated=measures["undated"].astype(bool),
                            **{k: measures["execution"] == k
                               for k in (ON_TIME, LATE, OVERDUE, PENDING)})
        out = pd.concat([
            m.groupby("region").agg(**counts).reset_index(drop=True)
            .assign(level="region", municipality="", school_id="", name=""),
            m[m["municipality"] != ""].groupby("municipality").agg(**counts).reset_index()
            .assign(level="municipality", school_id="", name=""),
            m[m["school_id"] != ""].groupby("school_id").agg(
                municipality=("municipality", "first"), name=("name", "first"), **counts)
            .reset_index().assign(level="school"),
        ], ignore_index=True)
    out = out.astype({c: "int64" for c in ("measures", ON_TIME, LATE, OVERDUE, PENDING,
                                           "undated")})
    out["due"] = out[ON_TIME] + out[LATE] + out[OVERDUE]
    due = out["due"].where(out["due"] > 0)
    out["share_on_time"] = (out[ON_TIME] / due).astype("float64")
    out["share_done"] = ((out[ON_TIME] + out[LATE]) / due).astype("float64")
    for column, bar in (("meets_min", "done_share_min"), ("meets_min_alt", "done_share_min_alt")):
        out[column] = (out["share_on_time"] >= cfg[bar]).astype("boolean").where(due.notna())
    for c in ("level", "municipality", "school_id", "name"):
        out[c] = out[c].astype("str")
    return out[SUMMARY_COLUMNS]


def overdue_list(measures: pd.DataFrame) -> pd.DataFrame:
    """The overdue measures, the longest overdue first."""
    o = measures[measures["execution"] == OVERDUE]
    return o.sort_values("days_late", ascending=False, kind="stable").reset_index(drop=True)
