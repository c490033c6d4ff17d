"""Every matplotlib figure of the reports: each function takes a table the methods computed and
returns the figure (or axes). The shared style and palette are in :mod:`.charts`.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from shnor.analysis.overview import sorted_by_assessment
from shnor.indicators import ASSESSMENT
from shnor.io.contract import assessment_label
from shnor.monitoring.programme import LEVEL_LABELS
from shnor.reporting import charts
from shnor.reporting.charts import LOW, PALETTE, REGION, TYPE_COLOURS, percent_axis
from shnor.reporting.labels import GROUP_LABELS, TYPE_PLURALS
from shnor.school_typology import TYPES, type_grid
from shnor.verdicts import ABOVE, BELOW, WITHIN

# Overview -------------------------------------------------------------------------------------

MAX_BARS = 40  # municipalities a bar chart shows; a region of more shows its largest / most listed


def _bars_title(title: str, shown: int, total: int, which: str) -> str:
    return title if shown == total else (f"{title}: {shown} из {total} ({which}; все — в "
                                         "таблице и в книге Excel)")


def plot_schools_by_municipality(municipalities: pd.DataFrame, max_bars: int = MAX_BARS):
    """Horizontal stacked bars: schools per municipality by school type (the ``max_bars``
    largest municipalities when there are more)."""
    pivot = (municipalities.groupby(["municipality", "school_type"], dropna=False)["schools"]
             .sum().unstack(fill_value=0))
    total = len(pivot)
    pivot = pivot.loc[pivot.sum(axis=1).sort_values().index[-max_bars:]]
    height = max(3.0, 0.28 * len(pivot) + 1.2)
    fig, ax = plt.subplots(figsize=(9.0, height))
    pivot.plot.barh(stacked=True, ax=ax, width=0.8)
    ax.set_xlabel("Число школ")
    ax.set_ylabel("")
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.legend(title="Тип школы", bbox_to_anchor=(1.01, 1), loc="upper left")
    ax.set_title(_bars_title("Школы по муниципалитетам и типам", len(pivot), total,
                             "самые крупные"))
    return fig


def plot_fail_distributions(indicators: pd.DataFrame, year: int, cut: float | None = None,
                            columns: int = 4):
    """Histograms of share_fail per assessment in ``year`` (reliable groups), with the cut."""
    d = indicators[(indicators["year"] == year) & indicators["reliable"].astype(bool)
                   & indicators["share_fail"].notna()]
    keys = sorted_by_assessment(d[ASSESSMENT].drop_duplicates(), [])
    n = max(len(keys), 1)
    rows = math.ceil(n / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(11.0, 2.3 * rows + 0.6), squeeze=False,
                             sharex=True)
    bins = np.linspace(0, 1, 21)
    for ax, (_, key) in zip(axes.flat, keys.iterrows()):
        s = d[(d["procedure"] == key["procedure"]) & (d["grade"] == key["grade"])
              & (d["subject"] == key["subject"])]["share_fail"]
        ax.hist(s, bins=bins, color="#0072B2", alpha=0.85)
        if cut is not None:
            ax.axvline(cut, color=LOW, linestyle="--", linewidth=1.2)
            share = float((s >= cut).mean()) if len(s) else float("nan")
            ax.text(0.98, 0.92, f"≥ {cut:.0%}: {share:.0%}".replace(".", ","),
                    transform=ax.transAxes, ha="right", va="top", fontsize=8, color=LOW)
        ax.set_title(assessment_label(key["procedure"], key["grade"], key["subject"])
                     .replace(" класс, ", " кл., "), fontsize=9)
        percent_axis(ax, "x")
    for ax in list(axes.flat)[len(keys):]:
        ax.set_visible(False)
    fig.supxlabel("Доля не преодолевших минимальный порог")
    fig.supylabel("Число школ")
    fig.tight_layout()
    return fig


# Identification -------------------------------------------------------------------------------

def plot_municipality_counts(municipalities: pd.DataFrame, max_bars: int = MAX_BARS):
    """Horizontal bars: share of schools on the low-results list and in the risk zone per
    municipality, with the regional share as a line (the ``max_bars`` municipalities with
    the most listed schools when there are more)."""
    m = municipalities[municipalities["municipality"] != "Всего"]
    total = len(m)
    if total > max_bars:
        m = m.sort_values(["low_results", "risk_zone"], kind="stable").iloc[-max_bars:]
    m = m.sort_values("share_low_results")
    region = municipalities.loc[municipalities["municipality"] == "Всего", "share_low_results"]
    fig, ax = plt.subplots(figsize=(9.0, max(3.0, 0.32 * len(m) + 1.2)))
    y = np.arange(len(m))
    ax.barh(y - 0.2, m["share_low_results"], height=0.4, color=LOW, label="Низкие результаты")
    ax.barh(y + 0.2, m["share_risk_zone"], height=0.4, color=PALETTE[1], label="Зона риска")
    if len(region):
        ax.axvline(float(region.iloc[0]), color=REGION, linestyle="--",
                   label="Низкие результаты, регион")
    ax.set_yticks(y, m["municipality"])
    percent_axis(ax, "x")
    ax.set_xlabel("Доля школ муниципалитета")
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right")
    ax.set_title(_bars_title("Школы в списках по муниципалитетам", len(m), total,
                             "больше всего школ в списках"))
    fig.tight_layout()
    return fig


def plot_funnels(funnel: pd.DataFrame, columns: int = 4, max_names: int = 3):
    """Funnel plots (SPEC §4.10): per assessment of the low-results rule, each school's share
    of «2» against its participants, the region's share and its 95 % and 99.8 % binomial
    limits (``identification_funnel``); the schools farthest above the 99.8 % limit named."""
    labels = list(pd.unique(funnel["assessment"]))
    n = max(len(labels), 1)
    rows = math.ceil(n / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(11.0, 2.5 * rows + 0.8), squeeze=False)
    for ax, label in zip(axes.flat, labels):
        f = funnel[funnel["assessment"] == label].sort_values("participants")
        above = f["above_998"].astype(bool)
        ax.scatter(f.loc[~above, "participants"], f.loc[~above, "share_fail"], s=6,
                   color=PALETTE[0], alpha=0.6, linewidths=0)
        ax.scatter(f.loc[above, "participants"], f.loc[above, "share_fail"], s=9, color=LOW,
                   linewidths=0)
        ax.plot(f["participants"], f["share_region"], color=REGION, linewidth=1)
        for col, style in (("upper_95", "--"), ("lower_95", "--"), ("upper_998", ":"),
                           ("lower_998", ":")):
            ax.plot(f["participants"], f[col], color=REGION, linestyle=style, linewidth=0.9)
        top = f[above].assign(gap=f["share_fail"] - f["upper_998"]).nlargest(max_names, "gap")
        for r in top.itertuples():
            ax.annotate(str(r.school_id), (r.participants, r.share_fail), fontsize=6,
                        xytext=(2, 2), textcoords="offset points", color=LOW)
        ax.set_title(label.replace(" класс, ", " кл., "), fontsize=9)
        ax.set_ylim(0, 1)
        percent_axis(ax, "y")
    for ax in list(axes.flat)[len(labels):]:
        ax.set_visible(False)
    fig.supxlabel("Участников в школе")
    fig.supylabel("Доля не преодолевших порог")
    fig.suptitle("Доля «2» и число участников: линия — регион, пунктир — 95 %, точки — 99,8 %",
                 fontsize=10)
    fig.tight_layout()
    return fig


# Differentiation ------------------------------------------------------------------------------

def plot_distributions(detail: pd.DataFrame, params: dict, axes=None):
    """Histograms of ИСБШ and of the quality index with the edges of the band groups."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for ax, col, section, title in zip(axes, ["isbsh", "quality_index"], ["isbsh", "quality"],
                                       ["ИСБШ", "Индекс качества"]):
        values = detail[col].dropna()
        ax.hist(values, bins=30, color="#0072B2", alpha=0.8)
        p = params[section]
        if p["grouping"] == "bands":
            centre = (p["n_groups"] + 1) // 2
            steps = np.arange(1, p["n_groups"]) - centre + 0.5
            for e in p["mean"] + p["sd"] * p["band_sd"] * steps:
                ax.axvline(e, color="grey", lw=0.6, ls=":")
        ax.set_title(f"{title}: школ {len(values)}")
        ax.set_xlabel("значение (пунктир — границы групп)")
    axes[0].set_ylabel("Число школ")
    return axes


def plot_typology_matrix(matrix: pd.DataFrame, bounds: dict | None = None, ax=None):
    """Draw :func:`typology_matrix` as a coloured grid like seed 000 table 7; returns the axes."""
    n = len(matrix) - 1
    grid = type_grid(n, bounds)
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 7))
    for r in range(n):
        for c in range(n):
            ax.add_patch(plt.Rectangle((c, r), 1, 1, facecolor="#" + TYPE_COLOURS[grid.iat[r, c]],
                                       edgecolor="white", alpha=0.85))
            text = matrix.iat[r, c + 1]
            if text:
                ax.text(c + 0.5, r + 0.5, text.replace(", ", "\n") if len(text) > 8 else text,
                        ha="center", va="center", fontsize=7 if len(text) > 8 else 9)
    ax.set_xlim(0, n)
    ax.set_ylim(n, 0)
    ax.set_xticks(np.arange(n) + 0.5, [str(g) for g in range(1, n + 1)])
    ax.set_yticks(np.arange(n) + 0.5, [str(g) for g in range(1, n + 1)])
    ax.set_xlabel("Группа качества")
    ax.set_ylabel("Группа ИСБШ")
    ax.legend(handles=[Patch(facecolor="#" + TYPE_COLOURS[t], label=TYPE_PLURALS[t])
                       for t in TYPES], loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title("ИСБШ × качество подготовки (как таблица 7)")
    return ax


def plot_profiles(profiles: pd.DataFrame, ax=None):
    """Centroid profile lines across assessments (``profiles``: cluster, label, value)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 5))
    labels = list(dict.fromkeys(profiles["label"]))
    for cluster, d in profiles.groupby("cluster"):
        d = d.set_index("label").reindex(labels)
        ax.plot(range(len(labels)), d["value"], marker="o", label=f"Кластер {cluster}")
    ax.axhline(0, color="grey", lw=0.8, ls="--")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_ylabel("Стандартизированный результат (0 — среднее по региону)")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))  # clear of the lines
    ax.set_title("Профили кластеров по оценочным процедурам")
    return ax


def plot_diagnostics(diag: pd.DataFrame, chosen_k: int, axes=None):
    """Elbow (inertia) and silhouette by k, the chosen k marked."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.5))
    for ax, col, title in zip(axes, ["inertia", "silhouette"],
                              ["Сумма квадратов внутри кластеров", "Силуэт"]):
        ax.plot(diag["k"], diag[col], marker="o")
        ax.axvline(chosen_k, color="red", ls="--", lw=1)
        ax.set_xlabel("Число кластеров k")
        ax.set_title(title)
    return axes


def plot_value_added(frame: pd.DataFrame, label: str = "school_id", ax=None, max_labels: int = 30):
    """Quality index against ИСБШ with a fitted line; schools above/below expectation coloured and
    labelled (at most ``max_labels`` of the largest deviations). ``frame``: isbsh,
    quality_index, value_added, verdict and ``label``."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 6))
    d = frame.dropna(subset=["isbsh", "quality_index"])
    colours = {WITHIN: "#BFBFBF", ABOVE: "#2E75B6", BELOW: "#C00000"}
    for verdict, colour in colours.items():
        part = d[d["verdict"] == verdict]
        ax.scatter(part["isbsh"], part["quality_index"], s=14, color=colour, label=verdict,
                   alpha=0.8)
    if len(d) > 2 and d["isbsh"].std() > 0:
        slope, intercept = np.polyfit(d["isbsh"], d["quality_index"], 1)
        xs = np.linspace(d["isbsh"].min(), d["isbsh"].max(), 50)
        ax.plot(xs, intercept + slope * xs, color="black", lw=1, label="линия тренда")
    flagged = d[d["verdict"] != WITHIN]
    flagged = flagged.reindex(flagged["value_added"].abs().sort_values(ascending=False).index)
    for _, r in flagged.head(max_labels).iterrows():
        ax.annotate(str(r[label]), (r["isbsh"], r["quality_index"]), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("ИСБШ")
    ax.set_ylabel("Индекс качества")
    ax.legend(frameon=False)
    ax.set_title("Качество подготовки и социальный контекст")
    return ax


# Monitoring -----------------------------------------------------------------------------------

def plot_value_added_intervals(frame: pd.DataFrame, ax=None):
    """Each school's value-added with its interval against its participants (log scale): the
    reader sees the interval narrow as the school grows. ``frame``: participants, value_added,
    value_added_low, value_added_high, verdict."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 5))
    d = frame.dropna(subset=["participants", "value_added"])
    for verdict, colour in {WITHIN: "#BFBFBF", ABOVE: "#2E75B6", BELOW: "#C00000"}.items():
        part = d[d["verdict"] == verdict]
        ax.errorbar(part["participants"], part["value_added"],
                    yerr=[part["value_added"] - part["value_added_low"],
                          part["value_added_high"] - part["value_added"]],
                    fmt="o", ms=3, lw=0.6, color=colour, alpha=0.7, label=verdict)
    ax.axhline(0, color="black", lw=1)
    ax.set_xscale("log")
    ax.set_xlabel("Участников в процедурах индекса (логарифмическая шкала)")
    ax.set_ylabel("Добавленная ценность, пункты индекса качества")
    ax.legend(frameon=False)
    ax.set_title("Добавленная ценность школы и её 95-процентный интервал")
    return ax


def plot_targets(targets: pd.DataFrame, ax=None):
    """List size per year against the path target and the yearly target."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.8))
    x = targets["year"].astype(str)
    ax.bar(x, targets["schools"].fillna(0), color=charts.LOW, width=0.5, label="школ в списке")
    ax.plot(x, targets["target_path"], marker="o", color=charts.REGION,
            label="цель (плановая траектория)")
    ax.plot(x, targets["yearly_target"], ls="", marker="_", markersize=18,
            color=charts.PALETTE[2], label="ежегодное сокращение")
    ax.set_ylabel("школ")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title("Размер списка и целевые значения")
    return ax.figure


def plot_overall_dynamics(overall: pd.DataFrame, measure: str = "share_fail", ax=None):
    """One line per group (region, list of the year, programme cohort) over the years."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.8))
    colours = {"region": charts.REGION, "list": charts.LOW, "programme": charts.PALETTE[0]}
    for group, g in overall.groupby("group", sort=False):
        ax.plot(g["year"].astype(str), g[measure], marker="o", color=colours[group],
                label=GROUP_LABELS[group])
    charts.percent_axis(ax)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title({"share_fail": "Доля не преодолевших порог",
                  "share_quality": "Качество знаний"}[measure])
    return ax.figure


def plot_programme(summary: pd.DataFrame, params: dict, ax=None):
    """Total points per year as bars over the effectiveness-level bands."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    levels = sorted(params["monitoring"]["programme"]["levels"].items(), key=lambda kv: kv[1])
    top = float(max(summary["max_points"].max(), summary["total_points"].max()))
    colours = ["#F4B6B6", "#FFE699", "#D9EAD3", "#93C47D"]
    for i, (name, lower) in enumerate(levels):
        upper = levels[i + 1][1] if i + 1 < len(levels) else top
        ax.axhspan(lower, upper, color=colours[i % len(colours)], alpha=0.5, lw=0)
        ax.text(1.01, (lower + upper) / 2, LEVEL_LABELS.get(name, name), va="center",
                fontsize=8, transform=ax.get_yaxis_transform())
    years = summary["year"].astype(str)
    ax.bar(years, summary["total_points"].fillna(0), color="#3C78D8", width=0.5)
    for x, v in zip(years, summary["total_points"]):
        ax.text(x, (0 if pd.isna(v) else v) + top * 0.01, "—" if pd.isna(v) else f"{v:g}",
                ha="center", va="bottom", fontsize=9)
    ax.set_ylim(0, top)
    ax.set_ylabel("баллы")
    ax.set_title("Эффективность муниципальной программы")
    return ax.figure
