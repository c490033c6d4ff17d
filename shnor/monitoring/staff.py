"""Staff (optional table ``staff``, «Кадры»): shares of teachers per school and municipality,
the thresholds of seed 003's staff analysis, and the staff deficit checked against the declared
risk profile (factor 2 «Дефицит педагогических кадров», seed 000 tables 4–6).

Seed 003 («Качественный анализ кадрового состава»): «более 28% пенсионного возраста и только
4,6% молодых специалистов»; «имеют менее 35% педагогов с высшей квалификационной категорией»;
«более 60% учителей имеют высшую квалификационную категорию» — ``monitoring.staff``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.frames import id_sort_column
from shnor.io.contract import STAFF_COUNTS

SHARES = {"share_highest": "highest_category", "share_first": "first_category",
          "share_young": "under_35", "share_pensioners": "pensioners",
          "share_research": "research_leaders", "share_experimental": "experimental",
          "share_sharing": "sharing_experience", "share_contests": "contest_participants"}
FLAGS = ("highest_low", "highest_high", "pensioners_high", "young_low", "vacancy_deficit")
UNDECLARED, UNCONFIRMED = "undeclared", "unconfirmed"


def _shares(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    teachers = out["teachers"].replace(0, np.nan)
    for share, count in SHARES.items():
        out[share] = out[count] / teachers if count in out else np.nan
    both = out.get("highest_category", np.nan) + out.get("first_category", np.nan)
    out["share_qualified"] = both / teachers
    if "vacancies" in out:
        posts = (out["teachers"] + out["vacancies"]).replace(0, np.nan)
        out["share_vacant"] = out["vacancies"] / posts
    else:
        out["share_vacant"] = np.nan
    return out


def _flags(out: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    def flag(mask: pd.Series, given: pd.Series) -> pd.Series:
        return mask.astype("boolean").where(given.notna())

    out["highest_low"] = flag(out["share_highest"] < cfg["highest_low"], out["share_highest"])
    out["highest_high"] = flag(out["share_highest"] > cfg["highest_high"], out["share_highest"])
    out["pensioners_high"] = flag(out["share_pensioners"] > cfg["pensioners_high"],
                                  out["share_pensioners"])
    out["young_low"] = flag(out["share_young"] < cfg["young_low"], out["share_young"])
    out["vacancy_deficit"] = flag(out["share_vacant"] >= cfg["vacancy_deficit"],
                                  out["share_vacant"])
    return out


def staff_schools(staff: pd.DataFrame | None, schools: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Per year × school: the counts, the shares (of teachers; ``share_vacant`` of the posts =
    teachers + vacancies) and the threshold flags (<NA> where the count is not given)."""
    cols = ["year", "school_id", "name", "municipality", "teachers", *STAFF_COUNTS,
            *SHARES, "share_qualified", "share_vacant", *FLAGS]
    if staff is None or staff.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols}).astype(
            {"year": "int64", "school_id": "str", "name": "str", "municipality": "str"})
    out = staff.reindex(columns=["year", "school_id", "teachers", *STAFF_COUNTS]).copy()
    info = schools.set_index("school_id")
    out.insert(2, "name", out["school_id"].map(info["name"]).astype(object).fillna("").astype("str"))
    out.insert(3, "municipality",
               out["school_id"].map(info["municipality"]).astype(object).fillna("").astype("str"))
    out = _flags(_shares(out), params["monitoring"]["staff"])
    return out[cols].sort_values(["year", "school_id"], key=id_sort_column).reset_index(drop=True)


def staff_municipalities(per_school: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Per year × municipality (and the region, municipality «»): summed counts, their shares,
    the threshold flags of the totals and how many schools fall under each threshold
    (``schools_highest_low`` …) with their share of the schools with data."""
    counts = ["teachers", *STAFF_COUNTS]
    if per_school.empty:
        return pd.DataFrame(columns=["year", "municipality", "schools", *counts])
    marks = per_school.assign(
        **{f"schools_{f}": per_school[f].fillna(False).astype("int64") for f in FLAGS},
        **{f"given_{f}": per_school[f].notna().astype("int64") for f in FLAGS})
    parts = []
    for keys in (["year", "municipality"], ["year"]):  # municipalities, then the region
        by = marks.groupby(keys, sort=True)
        part = by.size().rename("schools").to_frame().join(by[counts].sum(min_count=1))
        for f in FLAGS:
            part[f"schools_{f}"] = by[f"schools_{f}"].sum()
            given = by[f"given_{f}"].sum()
            part[f"share_schools_{f}"] = (part[f"schools_{f}"] / given.where(given > 0)
                                          ).astype("float64")
        part = part.reset_index()
        if "municipality" not in part:
            part.insert(1, "municipality", "")
        parts.append(part)
    out = _flags(_shares(pd.concat(parts, ignore_index=True)), params["monitoring"]["staff"])
    return out.sort_values(["year", "municipality"]).reset_index(drop=True)


def staff_risk_check(per_school: pd.DataFrame, profiles: pd.DataFrame | None, year: int,
                     params: dict) -> pd.DataFrame:
    """Schools whose vacancies disagree with the declared factor 2 (staff deficit).

    ``undeclared``: the vacancy share reaches ``monitoring.staff.vacancy_deficit`` but the profile
    gives factor 2 a level of ``no_deficit_levels``; ``unconfirmed``: factor 2 is high but no post
    is vacant. Staff of ``year`` against the profile of the same year (else the latest earlier).
    Columns: year, school_id, name, share_vacant, vacancies, teachers, declared (level), check.
    """
    cols = ["year", "profile_year", "school_id", "name", "vacancies", "teachers",
            "share_vacant", "declared", "check"]
    s = per_school[per_school["year"] == year]
    if profiles is None or profiles.empty or s.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    earlier = sorted(y for y in profiles["year"].unique() if y <= year)
    if not earlier:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    p_year = int(earlier[-1])
    cfg = params["monitoring"]
    factor = cfg["risk_profiles"]["staff_factor"]
    p = profiles[(profiles["year"] == p_year) & (profiles["factor"] == factor)]
    declared = p.groupby("school_id")["level"].agg(lambda x: x.iloc[0] if x.nunique() == 1
                                                   else None)
    s = s.assign(declared=s["school_id"].map(declared), profile_year=p_year)
    s = s[s["declared"].notna()]
    undeclared = s["vacancy_deficit"].fillna(False) & s["declared"].isin(
        cfg["staff"]["no_deficit_levels"])
    unconfirmed = (s["declared"] == "high") & (s["vacancies"] == 0)
    out = s[undeclared | unconfirmed].assign(
        check=np.where(undeclared[undeclared | unconfirmed], UNDECLARED, UNCONFIRMED))
    return out[cols].astype({"year": "int64", "profile_year": "int64", "school_id": "str",
                             "name": "str", "declared": "str", "check": "str"}) \
        .reset_index(drop=True)
