"""The figures of the reports (shnor.reporting.figures) draw from the report tables."""

import matplotlib.pyplot as plt

from shnor.reporting.figures import plot_overall_dynamics, plot_targets


def test_monitoring_figures(monitoring):
    fig = plot_targets(monitoring["monitoring_targets"])
    assert fig.axes
    assert plot_overall_dynamics(monitoring["monitoring_overall"]).axes
    plt.close("all")
