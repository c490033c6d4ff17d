"""How much the differentiation hinges on its cut-offs (issue 4, item 6).

Each typology boundary is moved one group down and up, and k is changed by one; the schools
whose type or cluster changes are counted and listed. For another k, clusters are matched to
the base clusters by the Hungarian assignment on centroids; a school changes cluster when its new
cluster is matched to a different base cluster or to none (k grew).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from shnor.quality.clustering import IROClustering, match_clusters
from shnor.school_typology import DEFAULT_BOUNDS, typology

BOUND_LABELS = {
    "isbsh_low_max": "верхняя граница низкого ИСБШ",
    "quality_low_max": "верхняя граница низкого качества",
    "isbsh_high_min": "нижняя граница высокого ИСБШ",
    "quality_high_min": "нижняя граница высокого качества",
}
SUMMARY_COLUMNS = ["scenario", "changed", "share_changed", "ari"]
SCHOOL_COLUMNS = ["school_id", "type_changes", "cluster_changes", "scenarios"]


def typology_scenarios(frame: pd.DataFrame, bounds: dict) -> dict[str, np.ndarray]:
    """Scenario name → boolean array: did the school's type change when one boundary moved by
    one group. ``frame`` has isbsh_group and quality_group."""
    b = {**DEFAULT_BOUNDS, **bounds}
    base = typology(frame["isbsh_group"], frame["quality_group"], b).to_numpy()
    known = pd.notna(base)
    out = {}
    for key, label in BOUND_LABELS.items():
        for shift in (-1, 1):
            moved = typology(frame["isbsh_group"], frame["quality_group"],
                             {**b, key: b[key] + shift}).to_numpy()
            out[f"{label}: {b[key]} → {b[key] + shift}"] = known & (moved != base)
    return out


def cluster_scenarios(X: pd.DataFrame, base: IROClustering) -> dict[str, tuple[np.ndarray, float]]:
    """Scenario name → (changed flags per row of ``X``, ARI with the base partition) for k ± 1."""
    out = {}
    k = base.n_clusters
    for other in (k - 1, k + 1):
        if other < 2 or other >= len(X):
            continue
        m = IROClustering(other, n_init=base.n_init, random_state=base.random_state).fit(X)
        mapping = match_clusters(base.cluster_centers_, m.cluster_centers_)["previous_cluster"]
        mapped = mapping.to_numpy(dtype=float, na_value=np.nan)[m.labels_ - 1]
        out[f"число кластеров: {k} → {other}"] = (mapped != base.labels_,
                                                  adjusted_rand_score(base.labels_, m.labels_))
    return out


def sensitivity(frame: pd.DataFrame, bounds: dict, X: pd.DataFrame | None = None,
                base: IROClustering | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Summary per scenario and the unstable schools.

    ``frame``: school_id, isbsh_group, quality_group (one row per school); ``X`` (index
    school_id) and ``base``: the clustering features and fitted model, when clustering ran.
    Returns (summary with SUMMARY_COLUMNS, schools that change in at least one scenario with
    SCHOOL_COLUMNS; ``scenarios`` lists them).
    """
    rows, flags = [], []
    classified = int(typology(frame["isbsh_group"], frame["quality_group"], bounds).notna().sum())
    for name, changed in typology_scenarios(frame, bounds).items():
        rows.append({"scenario": name, "changed": int(changed.sum()),
                     "share_changed": changed.sum() / classified if classified else np.nan,
                     "ari": np.nan})
        flags.append((name, "type", frame["school_id"].to_numpy(), changed))
    if X is not None and base is not None:
        for name, (changed, ari) in cluster_scenarios(X, base).items():
            rows.append({"scenario": name, "changed": int(changed.sum()),
                         "share_changed": changed.mean(), "ari": ari})
            flags.append((name, "cluster", X.index.to_numpy(), changed))
    summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    ids = pd.Index(np.concatenate([sid[changed] for _, _, sid, changed in flags]
                                  or [np.array([], dtype=object)])).unique()
    if ids.empty:
        return summary, pd.DataFrame(columns=SCHOOL_COLUMNS).astype(
            {"type_changes": int, "cluster_changes": int})
    # Per school, scenario by scenario in order (a handful of scenarios, no loop over schools).
    counts = {"type": np.zeros(len(ids), np.int64), "cluster": np.zeros(len(ids), np.int64)}
    text = pd.Series("", index=ids, dtype=object)
    for name, kind, sid, changed in flags:
        hit = ids.isin(sid[changed])
        counts[kind] += hit
        text = text + np.where(hit & (text != ""), "; ", "") + np.where(hit, name, "")
    schools = pd.DataFrame({"school_id": ids, "type_changes": counts["type"],
                            "cluster_changes": counts["cluster"],
                            "scenarios": text.to_numpy().astype(str)})
    schools = schools.sort_values(["type_changes", "cluster_changes", "school_id"],
                                  ascending=[False, False, True], ignore_index=True)
    return summary, schools[SCHOOL_COLUMNS]
