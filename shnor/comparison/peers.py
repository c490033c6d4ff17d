"""Statistically similar schools (SPEC §4.10, item 3; as Australia's My School compares a
school with about 60 schools of similar social background).

A school's similar schools are the ``comparison.peers.n_similar`` schools nearest to it by ИСБШ
within its locality type (``schools.locality``, urban/rural, when given and
``comparison.peers.by_locality``), the school itself left out; fewer when fewer schools have an
ИСБШ and a quality index. Its ``peer_percentile`` (0–100) is the mid-rank of its quality index
among theirs: the share of similar schools with a lower index plus half of those with the same.
Below ``comparison.peers.min_peers`` similar schools the percentile is left empty with the reason.
On a reference scale the similar schools are still the schools of the dataset.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PEER_COLUMNS = ["school_id", "peer_count", "peer_percentile", "peer_isbsh_min",
                "peer_isbsh_max", "peer_status"]
LOCALITY_WORDS = {"urban": "городские", "rural": "сельские"}


def nearest_windows(x: np.ndarray, k: int) -> np.ndarray:
    """For sorted ``x`` (one value per school), the start of the window of ``k`` + 1
    consecutive schools holding each school that has the smallest reach (distance to its
    farthest member): the school's ``k`` nearest others are that window without it."""
    n = len(x)
    i = np.arange(n)[:, None]
    start = i - np.arange(k + 1)[None, :]
    valid = (start >= 0) & (start <= n - 1 - k)
    s = np.clip(start, 0, max(n - 1 - k, 0))
    reach = np.maximum(x[i] - x[s], x[s + k] - x[i])
    reach = np.where(valid, reach, np.inf)
    return s[np.arange(n), np.argmin(reach, axis=1)]


def _pool(x: np.ndarray, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                         np.ndarray]:
    """Percentile, count, ИСБШ range of the ``k`` nearest others of each school of one pool."""
    order = np.argsort(x, kind="stable")
    xs, qs = x[order], q[order]
    n = len(xs)
    k = min(k, n - 1)
    pct = np.full(n, np.nan)
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    if k >= 1:
        start = nearest_windows(xs, k)
        window = start[:, None] + np.arange(k + 1)[None, :]
        others = window != np.arange(n)[:, None]
        members = window[others].reshape(n, k)
        peer_q = qs[members]
        own = qs[:, None]
        below = (peer_q < own).sum(axis=1)
        same = (peer_q == own).sum(axis=1)
        pct = 100.0 * (below + 0.5 * same) / k
        lo, hi = xs[members].min(axis=1), xs[members].max(axis=1)
    back = np.empty(n, dtype=np.int64)
    back[order] = np.arange(n)
    return pct[back], np.full(n, max(k, 0)), lo[back], hi[back]


def similar_schools(frame: pd.DataFrame, params: dict) -> tuple[pd.DataFrame, list[str]]:
    """Per school of ``frame`` (school_id, isbsh, quality_index, optional locality): columns
    :data:`PEER_COLUMNS`; and the notes for the report (fewer similar schools than asked…)."""
    p = params["comparison"]["peers"]
    k, k_min = int(p["n_similar"]), int(p["min_peers"])
    out = pd.DataFrame({"school_id": frame["school_id"].to_numpy()})
    out["peer_count"] = pd.array([pd.NA] * len(out), dtype="Int64")
    for c in ("peer_percentile", "peer_isbsh_min", "peer_isbsh_max"):
        out[c] = np.nan
    out["peer_status"] = ""
    usable = (frame["isbsh"].notna() & frame["quality_index"].notna()).to_numpy()
    use_loc = bool(p["by_locality"]) and "locality" in frame
    locality = (frame["locality"].astype(object).where(frame["locality"].notna(), None)
                if use_loc else pd.Series(None, index=frame.index, dtype=object)).to_numpy()
    notes: list[str] = []
    if not use_loc:
        notes.append("Тип местности школ не указан (или не учитывается): похожие школы "
                     "подобраны по ИСБШ среди всех школ.")
    x = frame["isbsh"].to_numpy(float)
    q = frame["quality_index"].to_numpy(float)
    pools = [(v, usable & (locality == v)) for v in sorted({v for v in locality if v is not None})]
    if (usable & pd.isna(locality)).any() or not pools:
        # schools without a locality type are compared with all schools
        pools.append((None, usable.copy()))
    for value, member in pools:
        idx = np.flatnonzero(member)
        if value is None:
            targets = usable & pd.isna(locality)
            pool_idx = np.flatnonzero(usable)
        else:
            targets = member
            pool_idx = idx
        if not len(pool_idx) or not targets.any():
            continue
        pct, cnt, lo, hi = _pool(x[pool_idx], q[pool_idx], k)
        sel = targets[pool_idx]
        rows = pool_idx[sel]
        out.loc[rows, "peer_count"] = cnt[sel]
        out.loc[rows, "peer_isbsh_min"] = lo[sel]
        out.loc[rows, "peer_isbsh_max"] = hi[sel]
        enough = cnt[sel] >= k_min
        out.loc[rows[enough], "peer_percentile"] = pct[sel][enough]
        where = (f"{LOCALITY_WORDS.get(value, value)} школы" if value is not None
                 else "все школы")
        n_have = int(cnt[0]) if len(cnt) else 0
        if n_have < k_min:
            out.loc[rows, "peer_status"] = (f"процентиль среди похожих школ не рассчитан: "
                                            f"похожих школ {n_have}, нужно не меньше {k_min}")
            notes.append(f"Похожие школы ({where}): в группе {n_have} школ, меньше {k_min}, — "
                         "процентиль среди похожих школ не рассчитан.")
        elif n_have < k:
            notes.append(f"Похожие школы ({where}): школ с ИСБШ и индексом качества "
                         f"{len(pool_idx)}, поэтому у каждой {n_have} похожих школ вместо {k}.")
    out.loc[~usable, "peer_status"] = ""
    return out[PEER_COLUMNS], notes
