"""The figures of the reports (shnor.reporting.figures) draw from the report tables."""

import matplotlib.pyplot as plt
import pandas as pd

from shnor.reporting.figures import plot_overall_dynamics, plot_targets


def test_monitoring_figures(monitoring):
    fig = plot_targets(monitoring["monitoring_targets"])
    assert fig.axes
    assert plot_overall_dynamics(monitoring["monitoring_overall"]).axes
    plt.close("all")


def test_municipality_charts_of_a_large_region_show_forty_bars():
    from shnor.reporting import figures

    n = 100
    munis = pd.DataFrame({"municipality": [f"М{i:03d}" for i in range(n)] + ["Всего"],
                          "schools": 10, "low_results": list(range(n)) + [0],
                          "risk_zone": 1, "share_low_results": [i / n for i in range(n)] + [0.5],
                          "share_risk_zone": 0.1})
    fig = figures.plot_municipality_counts(munis)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 40 and "М099" in labels and "М000" not in labels
    assert "40 из 100" in ax.get_title()
    types = pd.DataFrame({"municipality": [f"М{i:03d}" for i in range(n)], "school_type": "СОШ",
                          "schools": range(1, n + 1)})
    ax = figures.plot_schools_by_municipality(types).axes[0]
    assert len(ax.get_yticklabels()) == 40 and "40 из 100" in ax.get_title()
    plt.close("all")
