"""The differentiation report (SPEC §4.3–4.7, §5.2): ИСБШ, quality index and groups, ИРО-style
clusters, typology, value-added, objectivity hints and sensitivity, computed once per run.

:func:`differentiation_tables` gives the ``differentiation.csv`` contract table and everything
the notebook and the Excel sheets need; :func:`cluster_schools` and :func:`value_added_of` are
its two fitted steps, which a run can also take from a reference population. Every school of
``dataset.schools`` appears, with a status saying what could not be computed and why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shnor.comparison.peers import similar_schools
from shnor.frames import join_texts
from shnor.indicators import isin, rows_of_years
from shnor.objectivity import objectivity_evidence
from shnor.quality.clustering import (
    IROClustering,
    bootstrap_stability,
    cluster_diagnostics,
    match_clusters,
    transition_table,
)
from shnor.quality.index import assessment_scores, feature_label, quality_features
from shnor.quality.sensitivity import sensitivity
from shnor.school_typology import TYPES, typology, typology_matrix
from shnor.social.isbsh import COMPONENT_LABELS, ISBSHIndex, isbsh_components, isbsh_shares
from shnor.value_added import VA_COLUMNS, ValueAdded
from shnor.verdicts import ABOVE, BELOW

CONTRACT_COLUMNS = ["school_id", "isbsh", "isbsh_group", "quality_index", "quality_group",
                    "cluster", "typology", "value_added", "value_added_low", "value_added_high",
                    "value_added_se", "effectiveness_level", "peer_percentile", "peer_count",
                    "objectivity_flag", "status"]


@dataclass
class Clusters:
    """The ИРО clustering of a year: the model, the features of the clustered schools, their
    labels (Int64 by school_id) and, when there is no model, why."""

    model: IROClustering | None
    X: pd.DataFrame
    labels: pd.Series
    reason: str = ""
    reference: bool = False  # the model was fitted on a reference population, not here


def _fit_clustering(X: pd.DataFrame, p: dict) -> tuple[IROClustering | None, str]:
    """Fit the ИРО clustering or say why it cannot run."""
    k = p["n_clusters"]
    if X.shape[1] == 0 or len(X) == 0:
        return None, ("кластеризация не выполнена: нет школ с достаточным числом надёжных "
                      "результатов")
    distinct = len(np.unique(X.to_numpy(), axis=0))
    if distinct < k:
        return None, (f"кластеризация не выполнена: различных профилей результатов ({distinct}) "
                      f"меньше, чем кластеров ({k})")
    return IROClustering.from_params(p).fit(X), ""


def cluster_schools(ind: pd.DataFrame, year: int, params: dict, scores: pd.DataFrame,
                    reference: IROClustering | None = None) -> Clusters:
    """The clusters of ``year``: k-means fitted on these schools, or the schools placed in the
    clusters of a ``reference`` model (its features, the same missing rule)."""
    if reference is None:
        X = quality_features(ind, year, params, scores)
        model, reason = _fit_clustering(X, params["clustering"])
        labels = model.labels_ if model is not None else []
    else:
        X = quality_features(ind, year, params, scores,
                             features=list(reference.feature_names_in_))
        model, reason = reference, ""
        labels = model.predict(X) if len(X) else []
        if not len(X):
            reason = ("кластер не определён: нет школ с результатами по оценочным процедурам "
                      "кластеризации эталона")
    index = X.index if model is not None else None
    return Clusters(model, X, pd.Series(labels, index=index, dtype="Int64"), reason,
                    reference is not None)


VA_MODEL_COLUMNS = ["term", "coef", "se", "label"]  # diff_value_added_model, fitted or not


@dataclass
class ValueAddedFit:
    """Value-added of a year: the model, the school table, the coefficients, why there is no
    model (``reason``) and why a school with a quality index and ИСБШ has no value-added
    (``reasons``, by school_id)."""

    model: ValueAdded | None
    table: pd.DataFrame
    coefs: pd.DataFrame
    reason: str = ""
    reasons: pd.Series | None = None


def value_added_of(dataset, year: int, params: dict, quality: pd.DataFrame,
                   isbsh_model: ISBSHIndex | None, scores: pd.DataFrame,
                   reference: ValueAdded | None = None) -> ValueAddedFit:
    """Value-added on the ИСБШ components: fitted on these schools or, with ``reference``, the
    schools compared with the reference population's model (its prediction, τ² and measurement
    scale). ``quality``: the quality table; ``scores``: the assessment scores of ``year`` it is
    built from (``Run.quality(year)[0]``), whose participants give each school's sampling
    variance."""
    # an empty fit has the columns of a fitted one: the report and the workbook select them
    empty = ValueAddedFit(None, pd.DataFrame(columns=VA_COLUMNS),
                          pd.DataFrame(columns=VA_MODEL_COLUMNS))
    if isbsh_model is None:
        empty.reason = "добавленная ценность не рассчитана: нет ИСБШ"
        return empty
    s = dataset.social[dataset.social["year"] == year].drop_duplicates("school_id")
    columns = list(isbsh_model.columns_ if reference is None else reference.columns_)
    shares = isbsh_shares(s.assign(**{c: np.nan for c in columns if c not in s}), columns)
    y = shares.index.to_series().map(quality.set_index("school_id")["quality_index"]).astype(float)
    complete = shares.notna().all(axis=1) & y.notna()
    if reference is None:
        usable = int(complete.sum())
        needed = max(params["value_added"]["min_schools"], len(columns) + 2)
        if usable < needed:
            empty.reason = (f"добавленная ценность не рассчитана: школ с индексом качества и "
                            f"ИСБШ {usable}, нужно не меньше {needed}")
            return empty
        try:
            model = ValueAdded.from_params(params).fit(shares[complete], y[complete],
                                                       scores=scores)
        except ValueError:  # too few of them with a sampling variance, or scores all equal
            empty.reason = (f"добавленная ценность не рассчитана: меньше {needed} школ с "
                            "индексом качества, ИСБШ и оценкой погрешности индекса качества")
            return empty
    else:
        model = reference
    variance = model.sampling_variance(scores).reindex(shares.index)
    unknown = ("добавленная ценность не рассчитана: погрешность индекса качества не оценена — "
               "в результатах нет долей отметок")
    same = ("добавленная ценность не рассчитана: в каждой оценочной процедуре все участники "
            "получили одну и ту же отметку — погрешность индекса качества не оценить")
    reasons = pd.Series(np.select([variance.isna(), variance == 0], [unknown, same], ""),
                        index=shares.index)
    reasons = reasons[complete & (reasons != "")]
    coefs = model.coef_table()
    coefs["label"] = coefs["term"].map({"const": "свободный член",
                                        "R²": "доля объяснённой дисперсии R²",
                                        "τ²": "дисперсия эффектов школ τ²",
                                        **COMPONENT_LABELS})
    coefs = coefs[VA_MODEL_COLUMNS]
    return ValueAddedFit(model, model.value_added(shares[complete], y[complete], scores=scores),
                         coefs, reasons=reasons)


def _school_frame(dataset, year: int) -> pd.DataFrame:
    cols = [c for c in ["school_id", "name", "municipality", "school_type"]
            if c in dataset.schools.columns]
    return dataset.schools[cols].reset_index(drop=True)


def differentiation_tables(dataset, year: int, params: dict, ind: pd.DataFrame,
                           scores: pd.DataFrame, quality: pd.DataFrame, isbsh: pd.DataFrame,
                           isbsh_model: ISBSHIndex | None, clusters: Clusters | None = None,
                           value_added: ValueAddedFit | None = None) -> dict[str, pd.DataFrame]:
    """All tables of the differentiation report (names start with ``diff_`` except the contract
    table ``differentiation``).

    ``ind``: the indicators of all results rows; ``scores``, ``quality``: the assessment scores
    and the quality index of ``year`` (:mod:`shnor.quality.index`); ``isbsh``, ``isbsh_model``:
    the ИСБШ table of ``year`` and the fitted index (``None`` when it could not be computed);
    ``clusters``, ``value_added``: those steps when already computed (:func:`cluster_schools`,
    :func:`value_added_of`), else they are fitted here.
    """
    p_cl = params["clustering"]
    notes: list[tuple[str, str]] = []
    schools = _school_frame(dataset, year)
    ids = schools["school_id"]
    ind = rows_of_years(ind, ind["year"].isin([year, year - 1]))
    quality = quality.set_index("school_id")
    isbsh = isbsh.drop_duplicates("school_id").set_index("school_id")
    comps = isbsh_components(dataset.social[dataset.social["year"] == year], params)
    absent = [COMPONENT_LABELS[c] for c in params["isbsh"]["components"] if c not in comps]
    if absent:
        notes.append(("ИСБШ", "В социальном паспорте нет показателей: " + ", ".join(absent)
                      + "; индекс рассчитан по остальным."))
    if isbsh_model is None:
        reason = isbsh["isbsh_status"].iloc[0] if len(isbsh) else "нет данных социального паспорта"
        reason = str(reason).removeprefix("ИСБШ не рассчитан: ").rstrip(".") or "нет данных"
        notes.append(("ИСБШ", f"ИСБШ не рассчитан ни для одной школы: {reason}."))

    # Clustering of this year and of the previous one (for matching and transitions).
    if clusters is None:
        clusters = cluster_schools(ind, year, params, scores)
    model, X, cl_reason = clusters.model, clusters.X, clusters.reason
    if cl_reason:
        notes.append(("Кластеры", cl_reason[0].upper() + cl_reason[1:] + "."))
    diag = pd.DataFrame(columns=["k", "inertia", "silhouette", "calinski_harabasz",
                                 "davies_bouldin"])
    stability = pd.DataFrame(columns=["k", "ari_mean", "ari_sd", "n_bootstrap", "schools"])
    profiles = pd.DataFrame(columns=["cluster", "feature", "label", "value"])
    matching = pd.DataFrame(columns=["cluster", "previous_cluster", "distance"])
    transitions = pd.DataFrame()
    if model is not None:
        features = list(model.feature_names_in_) if clusters.reference else list(X.columns)
        profiles = pd.DataFrame(model.cluster_centers_, columns=features,
                                index=pd.Index(range(1, model.n_clusters + 1), name="cluster"))
        profiles = profiles.reset_index().melt(id_vars="cluster", var_name="feature")
        profiles.insert(2, "label", profiles["feature"].map(feature_label))
    if clusters.reference:
        notes.append(("Кластеры", ("Кластеры, их центры и номера взяты из эталона "
                                   "(reference.json): диагностика, устойчивость и сравнение с "
                                   "прошлым годом относятся к эталонному расчёту и здесь не "
                                   "повторяются.")))
    elif model is not None:
        diag = cluster_diagnostics(X, range(p_cl["k_min"], p_cl["k_max"] + 1), p_cl["n_init"],
                                   p_cl["random_state"], p_cl["diagnostics_sample"],
                                   p_cl["silhouette_sample"])
        stability = pd.DataFrame([bootstrap_stability(
            X, model.n_clusters, p_cl["n_bootstrap"], p_cl["bootstrap_sample"], p_cl["n_init"],
            p_cl["random_state"])])
        if (year - 1) in set(ind["year"]):
            prev_scores = assessment_scores(ind, year - 1, params)
            X_prev = quality_features(ind, year - 1, params, prev_scores)
            common = [c for c in X.columns if c in X_prev.columns]
            prev_model, prev_reason = _fit_clustering(X_prev[common], p_cl) if common else (
                None, "нет общих оценочных процедур")
            if prev_model is not None:
                cur_centers = pd.DataFrame(model.cluster_centers_, columns=X.columns)[common]
                matching = match_clusters(prev_model.cluster_centers_, cur_centers)
                transitions = transition_table(
                    pd.Series(prev_model.labels_, index=X_prev.index), clusters.labels)
                transitions = transitions.reset_index().rename(
                    columns={"Кластер в прошлом году": "Кластер в прошлом году / в этом году"})
                transitions.columns.name = None
            else:
                notes.append(("Кластеры", f"Сопоставление с {year - 1} годом не выполнено: "
                              + f"{prev_reason}."))
        else:
            notes.append(("Кластеры", f"Нет результатов за {year - 1} год: переходы школ "
                          + "между кластерами не показаны."))

    # Typology.
    frame = schools[["school_id"]].copy()
    frame["isbsh"] = ids.map(isbsh["isbsh"]).astype(float)
    frame["isbsh_group"] = ids.map(isbsh["isbsh_group"]).astype("Int64")
    frame["quality_index"] = ids.map(quality["quality_index"]).astype(float)
    frame["quality_group"] = ids.map(quality["quality_group"]).astype("Int64")
    frame["cluster"] = ids.map(clusters.labels).astype("Int64")
    frame["typology"] = typology(frame["isbsh_group"], frame["quality_group"],
                                 params["typology"]).fillna("").astype(str)

    # Value-added on the ИСБШ components.
    if value_added is None:
        value_added = value_added_of(dataset, year, params, quality.reset_index(), isbsh_model,
                                     scores)
    va, va_model, va_reason = value_added.table, value_added.coefs, value_added.reason
    if va_reason:
        notes.append(("Добавленная ценность", va_reason[0].upper() + va_reason[1:] + "."))
    va_idx = va.set_index("school_id")
    for c in ["value_added", "value_added_low", "value_added_high", "value_added_se"]:
        frame[c] = ids.map(va_idx[c]).astype(float)
    frame["effectiveness_level"] = ids.map(va_idx["effectiveness_level"]).astype("Int64")
    if value_added.reasons is not None:  # the status: a school's own reason, else the fit's
        va_reason = ids.map(value_added.reasons).astype(object).fillna(va_reason).to_numpy()

    # Statistically similar schools (SPEC §4.10): the dataset's schools, on whatever scale.
    peer_in = frame[["school_id", "isbsh", "quality_index"]].copy()
    if "locality" in dataset.schools:
        peer_in["locality"] = ids.map(dataset.schools.drop_duplicates("school_id")
                                      .set_index("school_id")["locality"]).to_numpy()
    peers, peer_notes = similar_schools(peer_in, params)
    notes.extend(("Похожие школы", n) for n in peer_notes)
    frame["peer_percentile"] = peers["peer_percentile"].to_numpy()
    frame["peer_count"] = peers["peer_count"].astype("Int64").array

    evidence = objectivity_evidence(ind, scores, dataset.schools, year, params,
                                    journal=dataset.journal_comparison)
    frame["objectivity_flag"] = isin(ids, evidence["school_id"])

    frame["status"] = _status(frame, ids, quality, isbsh, dataset, year, cl_reason, va_reason)
    frame["status"] = join_texts([pd.Series(frame["status"], index=frame.index),
                                  peers["peer_status"].set_axis(frame.index)]).to_numpy()
    contract = frame[CONTRACT_COLUMNS].reset_index(drop=True)

    # Sensitivity.
    bounds = params["typology"]
    fitted_here = model is not None and not clusters.reference
    sens_summary, sens_schools = sensitivity(frame, bounds, X if fitted_here else None,
                                             model if fitted_here else None)

    detail = schools.merge(contract, on="school_id", how="left")
    detail.insert(detail.columns.get_loc("isbsh_group") + 1, "isbsh_level",
                  ids.map(isbsh["isbsh_level"]).astype(object).fillna("").astype(str).to_numpy())
    detail.insert(detail.columns.get_loc("quality_group") + 1, "quality_level",
                  ids.map(quality["quality_level"]).astype(object).fillna("").astype(str).to_numpy())
    detail["verdict"] = (ids.map(va_idx["verdict"]).astype(object).fillna("").astype(str)
                         .to_numpy())

    counts = frame["typology"].value_counts().reindex(list(TYPES), fill_value=0)
    type_counts = pd.DataFrame({"typology": list(TYPES),
                                "n_schools": counts.to_numpy(),
                                "share": counts.to_numpy() / max(int(counts.sum()), 1)})
    sizes = (frame.dropna(subset=["cluster"]).groupby("cluster")
             .agg(n_schools=("school_id", "size"), mean_quality=("quality_index", "mean"),
                  mean_isbsh=("isbsh", "mean")).reset_index())
    weights = (isbsh_model.weights_table() if isbsh_model is not None
               else pd.DataFrame(columns=["component", "label", "sign", "weight", "share_mean",
                                          "share_sd"]))
    va_table = detail[["school_id", "name", "isbsh", "quality_index"]].merge(
        va, on="school_id", how="inner")
    named = evidence.merge(schools[["school_id", "name"]], on="school_id", how="left")
    summary = summary_numbers(frame, model, stability, va, evidence)
    return {
        "differentiation": contract,
        "diff_schools": detail,
        "diff_summary": summary,
        "diff_notes": pd.DataFrame(notes, columns=["topic", "note"]),
        "diff_matrix": typology_matrix(frame.assign(label=frame["school_id"]), bounds,
                                       params["isbsh"]["n_groups"], label="label"),
        "diff_type_counts": type_counts,
        "diff_isbsh_weights": weights,
        "diff_cluster_diagnostics": diag.astype(float),
        "diff_cluster_stability": stability,
        "diff_cluster_profiles": profiles,
        "diff_cluster_sizes": sizes,
        "diff_cluster_matching": matching,
        "diff_cluster_transitions": transitions,
        "diff_value_added": va_table,
        "diff_value_added_model": va_model,
        "diff_peers": detail[["school_id", "name", "municipality", "isbsh", "quality_index",
                              "peer_count", "peer_percentile"]].assign(
            peer_isbsh_min=peers["peer_isbsh_min"].to_numpy(),
            peer_isbsh_max=peers["peer_isbsh_max"].to_numpy()),
        "diff_objectivity": named[["school_id", "name", "sign", "assessment", "evidence"]],
        "diff_sensitivity": sens_summary,
        "diff_sensitivity_schools": sens_schools.merge(schools[["school_id", "name"]],
                                                       on="school_id", how="left"),
    }


def _status(frame, ids, quality, isbsh, dataset, year, cl_reason, va_reason) -> np.ndarray:
    has_results = isin(ids, dataset.results.loc[dataset.results["year"] == year, "school_id"])
    q_status = ids.map(quality["quality_status"]).astype(object).fillna("")
    i_status = ids.map(isbsh["isbsh_status"])
    parts = [
        np.where(~has_results, f"нет результатов оценочных процедур за {year} год",
                 q_status.astype(str)),
        np.where(i_status.isna(), f"нет данных социального паспорта за {year} год",
                 i_status.astype(object).fillna("").astype(str)),
        np.where(frame["quality_index"].notna() & frame["cluster"].isna(),
                 cl_reason or "кластер не определён: мало надёжных результатов для профиля", ""),
        np.where(frame["quality_index"].notna() & frame["isbsh"].notna()
                 & frame["value_added"].isna(), va_reason, ""),
    ]
    out = join_texts(parts)
    return out.to_numpy(dtype=object).astype(str) if len(out) else np.array([], dtype=str)


def summary_numbers(frame: pd.DataFrame, model: IROClustering | None, stability: pd.DataFrame,
                    va: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """Key numbers for the report's text (item, value) from the contract table ``frame``."""
    both = frame.dropna(subset=["isbsh", "quality_index"])
    corr = both["isbsh"].corr(both["quality_index"]) if len(both) > 2 else np.nan
    rows = [
        ("schools", len(frame)),
        ("with_quality", int(frame["quality_index"].notna().sum())),
        ("with_isbsh", int(frame["isbsh"].notna().sum())),
        ("classified", int((frame["typology"] != "").sum())),
        ("clustered", int(frame["cluster"].notna().sum())),
        ("k", model.n_clusters if model is not None else np.nan),
        ("stability_ari", stability["ari_mean"].iloc[0] if len(stability) else np.nan),
        ("isbsh_quality_corr", corr),
        ("va_above", int((va["verdict"] == ABOVE).sum()) if len(va) else 0),
        ("va_below", int((va["verdict"] == BELOW).sum()) if len(va) else 0),
        ("objectivity_schools", int(evidence["school_id"].nunique())),
    ]
    return pd.DataFrame({"item": [r[0] for r in rows],
                         "value": pd.array([r[1] for r in rows], dtype=float)})


