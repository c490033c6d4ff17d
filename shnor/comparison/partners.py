"""Suggested partner schools (SPEC §4.10, item 4; seed 000: agreements on cooperation with
«школами со стабильными и высокими результатами обучения», curators from them; seed 004: a
partner school fixed for each school of the programme; seed 001: school «лидеры»).

For every school on the low-results list or in the risk zone of the year, up to
``comparison.partners.max_partners`` schools that

- work in a similar social context: ИСБШ group differing by at most
  ``comparison.partners.isbsh_group_distance``;
- do better than expected: effectiveness level (value-added, EVAAS) in
  ``comparison.partners.effectiveness_levels``;
- are on no list this year or the years before (``comparison.partners.lists_years`` years in
  all): neither low results nor the risk zone (both decided), nor an official list;

the same municipality first (``basis`` = ``municipality``), then the same locality type in other
municipalities (``locality``; any other municipality when localities are not given: ``region``);
inside each, the nearest ИСБШ first, then the higher level and value-added. A suggestion, not a
decision: a school without a suggestion has one row without a partner and the reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.identification.table1 import NO

PARTNER_COLUMNS = ["school_id", "partner_id", "rank", "basis", "partner_name",
                   "partner_municipality", "isbsh", "partner_isbsh", "isbsh_group",
                   "partner_isbsh_group", "partner_effectiveness_level", "partner_value_added",
                   "reason"]
BASIS_TEXT = {"municipality": "тот же муниципалитет",
              "locality": "тот же тип местности, другой муниципалитет",
              "region": "другой муниципалитет"}
LOCALITY_ADJ = {"urban": "городская", "rural": "сельская"}


def _num(v, fmt: str = "{:.1f}") -> str:
    return fmt.format(v).replace(".", ",").replace("-", "−")


def free_schools(d: pd.DataFrame, lists: pd.DataFrame | None, year: int, n_years: int
                 ) -> pd.Index:
    """School ids on no list in ``year`` and the ``n_years`` − 1 years before: low results and
    risk zone decided «нет» (``d``: codes by year × school_id) and on no official list."""
    years = list(range(int(year) - int(n_years) + 1, int(year) + 1))
    part = d[d.index.get_level_values("year").isin(years)]
    clear = ((part["low"] == NO) & (part["risk"] == NO)).groupby(level="school_id").agg(
        ["all", "size"])
    ok = clear.index[clear["all"] & (clear["size"] == len(years))]
    if lists is not None and len(lists):
        official = lists.loc[lists["year"].isin(years), "school_id"].astype(str)
        ok = ok[~ok.isin(official)]
    return pd.Index(ok.astype(str), name="school_id")


def _nearest_pairs(have: pd.DataFrame, cand: pd.DataFrame, k: int, dist: int
                   ) -> tuple[list[int], list[int]]:
    """Row positions (in ``have``, in ``cand``) of the pairs that can be among a school's
    ``k`` partners: for each school, in each tier (its municipality; then the other
    municipalities of its type of locality or of unknown locality), the candidates within
    ``dist`` ISBSH groups nearest to it by ISBSH — until ``k`` are found, and every one as
    near as the k-th (ties are decided by the full order later). A cross join of every
    listed school with every candidate of its groups is quadratic: at 40,000 schools it needs
    tens of gigabytes."""
    c_isbsh = cand["partner_isbsh"].to_numpy(dtype=float)
    c_group = cand["partner_isbsh_group"].to_numpy(dtype="int64")
    c_muni = cand["partner_municipality"].to_numpy(dtype=object)
    c_loc = cand["partner_locality"].to_numpy(dtype=object)
    c_known = pd.notna(c_loc)
    order = np.argsort(c_isbsh, kind="stable")
    pools: dict = {}

    def pool(key) -> tuple[np.ndarray, np.ndarray]:
        """Candidate positions of a tier sorted by ISBSH, and their ISBSH."""
        if key not in pools:
            kind, value = key
            if kind == "municipality":
                keep = c_muni[order] == value
            elif value is None:
                keep = np.ones(len(order), bool)
            else:
                keep = ~c_known[order] | (c_loc[order] == value)
            idx = order[keep]
            pools[key] = idx, c_isbsh[idx]
        return pools[key]

    left, right = [], []
    h_isbsh = have["isbsh"].to_numpy(dtype=float)
    h_group = have["isbsh_group"].to_numpy(dtype="int64")
    h_muni = have["municipality"].to_numpy(dtype=object)
    h_loc = have["locality"].to_numpy(dtype=object)
    for i in range(len(have)):
        x, g, m = h_isbsh[i], h_group[i], h_muni[i]
        loc = h_loc[i] if pd.notna(h_loc[i]) else None
        for key, same_muni in ((("municipality", m), True), (("locality", loc), False)):
            idx, values = pool(key)
            found: list[float] = []
            lo = hi = int(np.searchsorted(values, x)) if not np.isnan(x) else 0
            while lo > 0 or hi < len(idx):
                # the nearer of the two next candidates
                take_lo = hi >= len(idx) or (lo > 0 and abs(values[lo - 1] - x)
                                             <= abs(values[hi] - x))
                j = lo - 1 if take_lo else hi
                gap = abs(values[j] - x)
                if len(found) >= k and not gap <= found[k - 1]:
                    break
                lo, hi = (lo - 1, hi) if take_lo else (lo, hi + 1)
                c = idx[j]
                if abs(c_group[c] - g) > dist or (not same_muni and c_muni[c] == m):
                    continue
                found.append(gap)
                left.append(i)
                right.append(c)
    return left, right


def partners_table(schools: pd.DataFrame, listed: pd.Series, free: pd.Index,
                   diff: pd.DataFrame, year: int, params: dict, why_none: str = ""
                   ) -> pd.DataFrame:
    """Suggested partners (columns :data:`PARTNER_COLUMNS`) for the schools with ``listed``
    (a boolean by school_id: on the low-results list or in the risk zone). ``schools``: the
    schools table (school_id, name, municipality, optional locality); ``free``: the ids on no
    list (:func:`free_schools`); ``diff``: school_id, isbsh, isbsh_group, effectiveness_level,
    value_added; ``why_none``: why no school has a level (value-added not computed)."""
    p = params["comparison"]["partners"]
    k = int(p["max_partners"])
    dist = int(p["isbsh_group_distance"])
    levels = [int(v) for v in p["effectiveness_levels"]]
    n_years = int(p["lists_years"])
    base = schools[[c for c in ("school_id", "name", "municipality", "locality")
                    if c in schools]].astype({"school_id": str})
    if "locality" not in base:
        base["locality"] = None
    frame = base.merge(diff.astype({"school_id": str}), on="school_id", how="left")
    frame["isbsh_group"] = frame["isbsh_group"].astype("Int64")
    frame["effectiveness_level"] = frame["effectiveness_level"].astype("Int64")
    on = listed.reindex(frame["school_id"]).fillna(False).astype(bool).to_numpy()
    need = frame[on]
    cand = frame[frame["school_id"].isin(free) & frame["isbsh_group"].notna()
                 & frame["effectiveness_level"].isin(levels)]
    cand = cand.rename(columns={c: f"partner_{c}" for c in cand.columns})
    cand = cand.rename(columns={"partner_school_id": "partner_id"})
    have = need[need["isbsh_group"].notna()]
    left_rows, right_rows = _nearest_pairs(have, cand, k, dist)
    pairs = pd.concat([have.iloc[left_rows].reset_index(drop=True),
                       cand.iloc[right_rows].reset_index(drop=True)], axis=1)
    first = f"{year - n_years + 1}–{year}" if n_years > 1 else f"{year}"
    if len(pairs):
        same_muni = pairs["municipality"] == pairs["partner_municipality"]
        loc_known = pairs["locality"].notna() & pairs["partner_locality"].notna()
        same_loc = loc_known & (pairs["locality"] == pairs["partner_locality"])
        pairs["basis"] = np.select([same_muni, same_loc, ~loc_known], ["municipality", "locality",
                                                                     "region"], "")
        pairs = pairs[pairs["basis"] != ""].copy()
        pairs["_tier"] = np.where(pairs["basis"] == "municipality", 0, 1)
        pairs["_gap"] = (pairs["isbsh"] - pairs["partner_isbsh"]).abs()
        pairs = pairs.sort_values(
            ["school_id", "_tier", "_gap", "partner_effectiveness_level", "partner_value_added",
             "partner_id"], ascending=[True, True, True, False, False, True], kind="stable")
        pairs = pairs.groupby("school_id", sort=False).head(k).copy()
        pairs["rank"] = pairs.groupby("school_id").cumcount() + 1
        where = pairs["basis"].map(BASIS_TEXT)
        adj = pairs["partner_locality"].map(LOCALITY_ADJ)
        where = where.where(~((pairs["basis"] == "locality") & adj.notna()),
                            "тот же тип местности (" + adj.fillna("") + " школа), другой "
                            "муниципалитет")
        pairs["reason"] = (
            where + "; ИСБШ " + pairs["isbsh"].map(_num) + " и "
            + pairs["partner_isbsh"].map(_num) + " (группы " + pairs["isbsh_group"].astype(str)
            + " и " + pairs["partner_isbsh_group"].astype(str) + "); уровень эффективности "
            + pairs["partner_effectiveness_level"].astype(str) + " (добавленная ценность "
            + pairs["partner_value_added"].map(lambda v: _num(v, "{:+.2f}")) + "); не в списках "
            + first + " гг.")
    else:
        pairs = pd.DataFrame(columns=[*PARTNER_COLUMNS, "name", "municipality"])
    found = set(pairs["school_id"])
    none = need[~need["school_id"].isin(found)].copy()
    if len(none):
        levels_text = "–".join(str(v) for v in (min(levels), max(levels))) if levels else "—"
        reason = np.where(
            none["isbsh_group"].isna(), "подбор не выполнен: у школы нет группы ИСБШ",
            np.where(cand.empty, "подбор не выполнен: "
                     + (why_none or f"нет школ с уровнем эффективности {levels_text} вне "
                                    f"списков {first} гг."),
                     f"нет школ с уровнем эффективности {levels_text} вне списков {first} гг. "
                     f"с группой ИСБШ, отличающейся не больше чем на {dist}, в том же "
                     "муниципалитете или в школах того же типа местности"))
        none = none.assign(partner_id=pd.NA, rank=pd.NA, basis="", reason=reason)
        pairs = pd.concat([pairs, none], ignore_index=True)
    out = pairs.reindex(columns=PARTNER_COLUMNS)
    out["rank"] = out["rank"].astype("Int64")
    for c in ("isbsh_group", "partner_isbsh_group", "partner_effectiveness_level"):
        out[c] = out[c].astype("Int64")
    for c in ("isbsh", "partner_isbsh", "partner_value_added"):
        out[c] = out[c].astype(float)
    for c in ("partner_id", "partner_name", "partner_municipality", "basis", "reason"):
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    order = np.lexsort([out["rank"].fillna(0).to_numpy(), out["school_id"].astype(str).to_numpy()])
    return out.iloc[order].reset_index(drop=True)
