"""Result indicators per school × year × assessment (SPEC §4.1).

An *assessment* is one procedure + grade + subject. Shares are of the participants:
``share_fail`` (did not pass the minimum threshold / mark «2»), ``share_success``
(успеваемость, mark ≥ 3), ``share_quality`` (качество знаний, marks 4–5), ``share_high``
(top marks: ``n_high`` when given, else mark «5»). A group is ``reliable`` when it has at least
``indicators.min_participants`` participants; unreliable groups are kept and flagged, not hidden.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from shnor.io.contract import assessment_label

ASSESSMENT = ["procedure", "grade", "subject"]
KEY = ["year", "school_id", *ASSESSMENT]
REGION_TOTAL = "Регион, всего"  # the region's row in a table by municipality


def compute_indicators(results: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Indicators for every row of the canonical ``results`` table (same rows, same order)."""
    r = results
    n = r["participants"].astype(float).where(lambda s: s > 0)
    share_fail = r["n_fail"] / n
    quality = (r["n_mark4"] + r["n_mark5"]) / n
    high = r["n_high"].where(r["n_high"].notna(), r["n_mark5"]) / n
    out = pd.DataFrame({
        **{c: r[c] for c in KEY},
        "participants": r["participants"],
        "n_fail": r["n_fail"],
        "share_fail": share_fail,
        "share_success": 1.0 - share_fail,
        "share_quality": quality,
        "share_high": high,
        "mean_score": r["mean_score"],
        "reliable": r["participants"] >= params["indicators"]["min_participants"],
    })
    return out.reset_index(drop=True)


def rows_of_years(ind: pd.DataFrame, keep: pd.Series) -> pd.DataFrame:
    """The rows of ``ind`` where the boolean ``keep`` holds, numbered from 0 as
    :func:`compute_indicators` numbers them (no copy when every row is kept)."""
    return ind if keep.all() else ind[keep].reset_index(drop=True)


def isin(values: pd.Series, members) -> np.ndarray:
    """``values.isin(members)`` as a boolean array; for text columns through Arrow (pandas
    converts every member to a Python object first, which is slow with many members)."""
    array = values.array
    members = pd.Index(members)
    if (isinstance(array, pd.arrays.ArrowStringArray)
            and pd.api.types.infer_dtype(members, skipna=True) in ("string", "empty")):
        value_set = pa.array(pd.array(members.unique(), dtype="str"))
        return pc.is_in(pa.array(array), value_set=value_set).to_numpy(zero_copy_only=False)
    return values.isin(members).to_numpy()


def weighted_sums(ind: pd.DataFrame) -> dict[str, pd.Series]:
    """Participant-weighted sums behind the regional means (NaN shares carry no weight)."""
    n = ind["participants"]
    return {
        "w_fail": ind["share_fail"] * n,
        "w_quality": ind["share_quality"] * n,
        "w_score": ind["mean_score"] * n,
        "n_fail_known": n.where(ind["share_fail"].notna(), 0),
        "n_quality_known": n.where(ind["share_quality"].notna(), 0),
        "n_score_known": n.where(ind["mean_score"].notna(), 0),
    }


def weighted_means(sums) -> dict:
    """share_fail, share_quality, mean_score from the weighted sums (a known weight of 0 → NaN)."""
    return {
        "share_fail": sums["w_fail"] / sums["n_fail_known"].replace(0, np.nan),
        "share_quality": sums["w_quality"] / sums["n_quality_known"].replace(0, np.nan),
        "mean_score": sums["w_score"] / sums["n_score_known"].replace(0, np.nan),
    }


class GroupKey:
    """Integer codes of the combinations of some columns, in the order of
    ``groupby(columns, sort=True, dropna=False)`` (each column sorted, NaN last). Grouping on the
    code gives the same groups with the same rows in the same order, so the same sums; grouping
    on text columns of millions of rows is what costs time at national size."""

    def __init__(self, factors: dict[str, tuple[np.ndarray, pd.Index]]):
        self.factors = factors  # column -> (codes per row, sorted uniques)
        self.code = np.zeros(len(next(iter(factors.values()))[0]), np.int64)
        for codes, uniques in factors.values():
            self.code = self.code * max(len(uniques), 1) + codes

    @classmethod
    def of(cls, frame: pd.DataFrame, columns: list[str]) -> GroupKey:
        return cls({c: frame[c].factorize(sort=True, use_na_sentinel=False) for c in columns})

    def decode(self, code: np.ndarray) -> pd.DataFrame:
        """The column values of codes."""
        cols = {}
        for name, (_, uniques) in reversed(self.factors.items()):
            code, part = np.divmod(code, max(len(uniques), 1))
            cols[name] = uniques.take(part)
        return pd.DataFrame({name: cols[name] for name in self.factors})


def regional_benchmarks(ind: pd.DataFrame, schools: pd.DataFrame,
                        region_only: bool = False) -> pd.DataFrame:
    """Participant-weighted regional and municipal means per year × assessment.

    Returns one row per year × assessment × municipality plus rows with ``municipality`` = NaN
    for the whole region; columns share_fail, share_quality, mean_score, participants, schools.
    ``region_only`` returns the regional rows alone (``schools`` is then not read).
    """
    # Groups and distinct schools on integer codes, municipalities looked up once per school.
    codes, ids = ind["school_id"].factorize()
    d = pd.DataFrame({**weighted_sums(ind), "participants": ind["participants"]})
    sums = ["w_fail", "w_quality", "w_score", "n_fail_known", "n_quality_known",
            "n_score_known", "participants"]
    factors = {c: ind[c].factorize(sort=True, use_na_sentinel=False)
               for c in ["year", *ASSESSMENT]}

    def agg(key: GroupKey) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Sums per group, the group of each row, the key code of each group."""
        grouped = d.groupby(key.code)
        g = grouped[sums].sum(min_count=1)
        return (pd.concat([key.decode(g.index.to_numpy()), g.reset_index(drop=True)], axis=1),
                grouped.ngroup().to_numpy(), g.index.to_numpy())

    out, group, region_code = agg(GroupKey(factors))
    # the distinct year × assessment × school pairs (a municipality is one per school, so the
    # same pairs give the distinct schools of the municipal groups)
    pairs = _distinct_pairs(group[codes >= 0], len(out), codes[codes >= 0], len(ids))
    n_ids = max(len(ids), 1)
    out["schools"] = np.bincount(pairs // n_ids, minlength=len(out)).astype("int64")
    out = out.assign(municipality=np.nan)
    if not region_only:
        lookup = schools.set_index("school_id")["municipality"]
        per_id = pd.concat([lookup.reindex(ids), pd.Series([np.nan], dtype=lookup.dtype)],
                           ignore_index=True)  # the last entry: rows without an id
        m_codes, m_uniques = per_id.factorize(sort=True, use_na_sentinel=False)
        muni = GroupKey({**factors, "municipality": (m_codes[codes], m_uniques)})
        by_muni, _, muni_code = agg(muni)
        m_code = region_code[pairs // n_ids] * max(len(m_uniques), 1) + m_codes[pairs % n_ids]
        by_muni["schools"] = np.bincount(np.searchsorted(muni_code, m_code),
                                         minlength=len(by_muni)).astype("int64")
        out = pd.concat([by_muni, out], ignore_index=True)
    out = out.assign(**weighted_means(out))
    return out[["year", *ASSESSMENT, "municipality", "share_fail", "share_quality",
                "mean_score", "participants", "schools"]]


def _distinct_pairs(group: np.ndarray, n_groups: int, codes: np.ndarray, n_codes: int
                    ) -> np.ndarray:
    """The distinct ``group × n_codes + code`` pairs, ascending (a bitmap when it is small:
    hashing millions of pairs is slower)."""
    n_codes = max(n_codes, 1)
    pair = group.astype(np.int64) * n_codes + codes
    if n_groups * n_codes > 2**27:
        return np.sort(pd.unique(pair))
    seen = np.zeros(n_groups * n_codes, bool)
    seen[pair] = True
    return np.flatnonzero(seen)


def regional_means(ind: pd.DataFrame) -> pd.DataFrame:
    """For every row of ``ind`` (same index): the regional share_fail, share_quality and
    mean_score of its year × assessment, as in the regional rows of :func:`regional_benchmarks`."""
    grouped = pd.DataFrame(weighted_sums(ind)).groupby(GroupKey.of(ind, ["year", *ASSESSMENT]).code)
    means = weighted_means(grouped.sum(min_count=1))  # per group, then spread to the rows
    at = grouped.ngroup().to_numpy()
    return pd.DataFrame({c: m.to_numpy()[at] for c, m in means.items()}, index=ind.index)


def school_year_summary(ind: pd.DataFrame) -> pd.DataFrame:
    """School × year aggregates across assessments (participant-weighted), reliable groups only.

    Columns: year, school_id, assessments (reliable ones), participants, share_fail,
    share_quality, mean_fail_gap (mean over assessments of share_fail minus the regional share;
    the regional share is over all groups, reliable or not).
    """
    reliable = ind["reliable"].to_numpy(dtype=bool)
    d = ind.loc[reliable, ["year", "school_id", "participants", "share_fail", "share_quality"]]
    d = d.assign(
        w_fail=d["share_fail"] * d["participants"],
        w_quality=d["share_quality"] * d["participants"],
        n_fail_known=d["participants"].where(d["share_fail"].notna(), 0),
        n_quality_known=d["participants"].where(d["share_quality"].notna(), 0),
        fail_gap=d["share_fail"] - regional_means(ind)["share_fail"].to_numpy()[reliable],
    )
    key = GroupKey.of(d, ["year", "school_id"])
    g = d.groupby(key.code)
    out = pd.DataFrame({
        "assessments": g.size(),
        "participants": g["participants"].sum(),
        "share_fail": g["w_fail"].sum(min_count=1) / g["n_fail_known"].sum().replace(0, np.nan),
        "share_quality": g["w_quality"].sum(min_count=1)
        / g["n_quality_known"].sum().replace(0, np.nan),
        "mean_fail_gap": g["fail_gap"].mean(),
    })
    return pd.concat([key.decode(out.index.to_numpy()), out.reset_index(drop=True)], axis=1)


def assessment_labels(frame: pd.DataFrame) -> pd.Series:
    """:func:`assessment_label` of every row, formatted once per distinct assessment."""
    grouped = frame.groupby(ASSESSMENT, sort=False, dropna=False)
    labels = pd.array([assessment_label(*key) for key in grouped.size().index], dtype="str")
    return pd.Series(labels.take(grouped.ngroup().to_numpy()), index=frame.index)
