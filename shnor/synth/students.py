"""Student-level results: expand school-level ``results`` into one row per student.

Regions receive per-student exports; :mod:`shnor.io.aggregate` turns them back into ``results``.
This module produces such exports from any ``results`` table (the synthetic generator uses it), so
that the aggregation can be tested and benchmarked against known school-level figures.

A student row has ``year, school_id, procedure, grade, subject, mark, score``: ``mark`` is 2–5
(nullable ``Int8``), ``score`` is the ЕГЭ test score 0–100 (``NaN`` for mark-based assessments;
primary scores of ВПР/ОГЭ are not generated because their scales change every year).

What the aggregation of the expansion reproduces (``aggregation`` parameters):

* **exactly** — ``participants``; ``n_fail``, ``n_mark3``–``n_mark5`` when all four are given;
  ``n_high`` of ЕГЭ score subjects (score ≥ ``high_score``, the rest of the group stays below it);
  ``n_fail`` of score subjects (score < ``min_score`` of the subject);
* ``mean_score`` **to its rounding** (``mean_score_decimals``): for ЕГЭ test scores are integers
  whose sum gives the mean; when no integer sum rounds to the given mean, one student of the group
  gets a fractional score. For mark-based assessments the mean follows from the mark counts and is
  reproduced when the input mean is the (rounded) mean of its marks;
* **not** reproduced: a mean outside what the counts allow (the nearest possible mean is
  generated), and counts the input leaves empty (the aggregation fills them from the generated
  marks). Rows with 0 participants produce no students and therefore no aggregated row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from shnor.config import load_config

_MARK_COUNTS = ["n_fail", "n_mark3", "n_mark4", "n_mark5"]
# Rows per Parquet part: bounds the memory of expanding one part (about 1 GB per 10 M students).
_PART_STUDENTS = 4_000_000


def expand_to_students(results: pd.DataFrame, seed: int,
                       params: dict | None = None) -> pd.DataFrame:
    """One row per student whose aggregation reproduces ``results`` (see the module docstring).

    Vectorised: students are ``np.repeat``-ed from their results row and their marks and scores
    are filled group-wise with ``np.bincount``; no Python loop over rows. Text columns are
    categorical to keep national volumes (20 M rows) small. Deterministic for a given ``seed``.
    """
    params = params or load_config()
    agg = params["aggregation"]
    rng = np.random.default_rng(seed)
    r = results.reset_index(drop=True)
    n_rows = len(r)

    n = r["participants"].fillna(0).to_numpy(dtype=float)
    if (n < 0).any() or (n != np.round(n)).any():
        raise ValueError("participants must be non-negative integers")
    n = n.astype(np.int64)
    counts = {c: r[c].to_numpy(dtype=float) for c in [*_MARK_COUNTS, "n_high"]}
    mean = r["mean_score"].to_numpy(dtype=float)
    marks_known = np.all([~np.isnan(counts[c]) for c in _MARK_COUNTS], axis=0)
    mark_sum = np.nansum([counts[c] for c in _MARK_COUNTS], axis=0)
    if (marks_known & (mark_sum != n)).any():
        raise ValueError("n_fail + n_mark3 + n_mark4 + n_mark5 must equal participants")

    score_based = _score_based(r, agg)
    min_score = r["subject"].map(agg["min_score"]).to_numpy(dtype=float)
    fail = counts["n_fail"]
    high = np.where(score_based, counts["n_high"], np.nan)
    if (np.nan_to_num(fail) + np.nan_to_num(high) > n).any():
        raise ValueError("n_fail + n_high must not exceed participants")

    g = np.repeat(np.arange(n_rows), n)
    start = np.cumsum(n) - n
    pos = np.arange(len(g)) - start[g]

    # Mark by position: «2» for the first n_fail students, then «3», «4», «5» (when all given).
    c3 = np.nan_to_num(fail) + np.nan_to_num(counts["n_mark3"])
    c4 = c3 + np.nan_to_num(counts["n_mark4"])
    known_mark = np.select([pos < np.nan_to_num(fail)[g], pos < c3[g], pos < c4[g]], [2, 3, 4], 5)

    # Bounds of each student's value: marks for mark-based assessments, test scores otherwise.
    sb = score_based[g]
    has_fail = ~np.isnan(fail)[g]
    is_fail = has_fail & (pos < np.nan_to_num(fail)[g])
    has_high = ~np.isnan(high)[g]
    is_high = has_high & (pos >= (n - np.nan_to_num(high))[g])
    mk = marks_known[g]
    m = min_score[g]
    lo = np.where(
        sb,
        np.select([is_high, is_fail, has_fail], [agg["high_score"], 0, m], 0),
        np.select([mk, is_fail, has_fail], [known_mark, 2, 3], 2),
    ).astype(float)
    hi = np.where(
        sb,
        np.select([is_high, is_fail, has_high], [agg["max_score"], m - 1, agg["high_score"] - 1],
                  agg["max_score"]),
        np.select([mk, is_fail], [known_mark, 2], 5),
    ).astype(float)
    # Mark-based means follow from the counts when all marks are given: no target to fill.
    target = np.where(~score_based & marks_known, np.nan, mean * n)
    value = _fill(g, lo, hi, target, n, score_based, agg["mean_score_decimals"], rng)

    score = np.where(sb, value, np.nan)
    # Sort scores within each group so that marks given by position follow the scores.
    si = np.flatnonzero(sb)
    score[si] = score[si][np.argsort(g[si] * 1000.0 + score[si], kind="stable")]
    mark = np.where(sb, np.where(mk, known_mark, np.nan), value)

    out = pd.DataFrame({
        "year": np.repeat(r["year"].to_numpy(dtype=np.int64), n),
        "school_id": _repeat_categorical(r["school_id"], n),
        "procedure": _repeat_categorical(r["procedure"], n),
        "grade": np.repeat(r["grade"].to_numpy(dtype=np.int64), n),
        "subject": _repeat_categorical(r["subject"], n),
        "mark": pd.array(mark, dtype="Float64").astype("Int8"),
        "score": score,
    })
    return out


def write_student_files(results: pd.DataFrame, out_dir: str | Path, seed: int,
                        params: dict | None = None) -> Path:
    """Write the students of ``results`` as hive-partitioned Parquet; return the folder.

    Layout ``<out_dir>/students/year=<YYYY>/part-<k>.parquet`` (the year lives in the folder
    name, as Spark/Hive/DuckDB expect), at most a few million students per part so that national
    volumes are expanded part by part. Deterministic for a given ``seed``.
    """
    params = params or load_config()
    root = Path(out_dir) / "students"
    for year, res in results.groupby("year", sort=True):
        folder = root / f"year={int(year)}"
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("part-*.parquet"):
            old.unlink()
        res = res.reset_index(drop=True)
        part_of_row = np.cumsum(res["participants"].fillna(0).to_numpy()) // _PART_STUDENTS
        for part, chunk in res.groupby(part_of_row, sort=True):
            state = np.random.SeedSequence([seed, int(year), int(part)]).generate_state(1)
            part_seed = int(state[0])
            students = expand_to_students(chunk, part_seed, params).drop(columns="year")
            table = pa.Table.from_pandas(students, preserve_index=False)
            pq.write_table(table, folder / f"part-{int(part)}.parquet", compression="zstd")
    return root


def _score_based(r: pd.DataFrame, agg: dict) -> np.ndarray:
    """True for rows of assessments scored 0–100 (ЕГЭ Russian, profile mathematics)."""
    pairs = {(p, s) for p, subjects in agg["score_subjects"].items() for s in subjects}
    keys = pd.MultiIndex.from_arrays([r["procedure"].astype(str), r["subject"].astype(str)])
    return np.asarray(keys.isin(list(pairs)), dtype=bool)


def _repeat_categorical(col: pd.Series, n: np.ndarray) -> pd.Categorical:
    codes, uniques = pd.factorize(col.astype(str), sort=True)
    return pd.Categorical.from_codes(np.repeat(codes, n), categories=pd.Index(uniques, dtype=str))


def _fill(g: np.ndarray, lo: np.ndarray, hi: np.ndarray, target: np.ndarray, n: np.ndarray,
          fractional: np.ndarray, decimals: int, rng: np.random.Generator) -> np.ndarray:
    """Integers in [lo, hi] per student whose group sums hit ``target`` (NaN = no target).

    Start from uniform random integers, shift each group's free students by the missing amount
    until the sum is reached (clipping at the bounds frees fewer students each round), then round
    down and give +1 to the first students of the group that have a fractional part. A group whose
    target needs a fraction to be reproduced at ``decimals`` (possible only in ``fractional``
    groups) gives the remainder to one more student.
    """
    groups = len(n)
    x = np.floor(np.minimum(lo + rng.random(len(g)) * (hi - lo + 1), hi))
    has_t = ~np.isnan(target)
    idx = np.flatnonzero(has_t[g])  # only students of groups with a target move
    if not len(idx):
        return x
    gi, loi, hii, xi = g[idx], lo[idx], hi[idx], x[idx]
    t = np.clip(np.where(has_t, target, 0.0), np.bincount(gi, loi, groups),
                np.bincount(gi, hii, groups))
    # Prefer an integer sum whenever it reproduces the rounded mean; otherwise keep the fraction.
    t_int = np.round(t)
    with np.errstate(invalid="ignore", divide="ignore"):
        same = np.round(t_int / n, decimals) == np.round(t / n, decimals)
    t = np.where(same | ~fractional, t_int, np.round(t, 6))

    for _ in range(200):
        gap = np.where(has_t, t - np.bincount(gi, xi, groups), 0.0)
        active = np.abs(gap) > 1e-9
        if not active.any():
            break
        gg = gap[gi]
        free = active[gi] & np.where(gg > 0, xi < hii, xi > loi)
        step = gap / np.maximum(np.bincount(gi, free, groups), 1)
        xi = np.clip(xi + np.where(free, step[gi], 0.0), loi, hii)

    base = np.clip(np.floor(xi + 1e-9), loi, hii)
    rest = np.where(has_t, t - np.bincount(gi, base, groups), 0.0)
    whole = np.floor(rest + 1e-6)
    frac = np.round(rest - whole, 6)
    candidate = xi - base > 1e-9
    # Rank of each candidate among the candidates of its group (students are grouped in order).
    seen = np.cumsum(candidate)
    first = np.searchsorted(gi, np.arange(groups))
    before = np.concatenate(([0], seen))[first]
    rank = seen - 1 - before[gi]
    bump = candidate & (rank < whole[gi])
    last = candidate & (rank == whole[gi])
    x[idx] = np.round(base + bump + np.where(last, frac[gi], 0.0), 6)
    return x
