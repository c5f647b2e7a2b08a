"""The notebooks' descriptive summaries and figures (outcomes.notebook_figures)."""

from __future__ import annotations

import math

import matplotlib
import polars as pl
import pytest
from scipy import stats

from outcomes import notebook as nb
from outcomes.catalog.vocabulary import NETWORK_GROUPS

matplotlib.use("Agg")


def panel() -> pl.DataFrame:
    rows = []
    values = {("a", "small"): [40.0, 50.0, 60.0], ("a", "large"): [70.0, 80.0]}
    for (project, group), wellbeing in values.items():
        for i, value in enumerate(wellbeing):
            rows.append(
                {
                    "project": project,
                    "participant_id": f"{group}{i}",
                    "network_group": group,
                    "wave": 0,
                    "wellbeing": value,
                }
            )
    rows.append(
        {
            "project": "b",
            "participant_id": "x",
            "network_group": "medium",
            "wave": 1,
            "wellbeing": 55.0,
        }
    )
    rows.append(
        {"project": "b", "participant_id": "y", "network_group": None, "wave": 1, "wellbeing": 99.0}
    )
    return pl.DataFrame(rows)


def test_mean_by_wave_gives_the_t_interval_per_cell() -> None:
    summary = nb.mean_by_wave(panel(), "wellbeing")
    small = summary.filter(pl.col("network_group") == "small").row(0, named=True)
    assert (small["n"], small["mean"], small["sd"]) == (3, 50.0, 10.0)
    half = stats.t.ppf(0.975, 2) * 10.0 / math.sqrt(3)
    assert small["ci_low"] == pytest.approx(50.0 - half)
    assert small["ci_high"] == pytest.approx(50.0 + half)
    assert small["small_cell"] is True


def test_mean_by_wave_leaves_out_rows_without_group_and_has_no_interval_for_one_person() -> None:
    summary = nb.mean_by_wave(panel(), "wellbeing")
    assert summary.height == 3
    single = summary.filter(pl.col("project") == "b").row(0, named=True)
    assert (single["n"], single["mean"], single["ci_low"]) == (1, 55.0, None)


def test_group_styles_differ_in_line_and_marker_so_greyscale_keeps_groups_apart() -> None:
    assert list(nb.GROUP_STYLES) == list(NETWORK_GROUPS)
    assert len({s.linestyle for s in nb.GROUP_STYLES.values()}) == len(NETWORK_GROUPS)
    assert len({s.marker for s in nb.GROUP_STYLES.values()}) == len(NETWORK_GROUPS)


def test_plot_by_wave_draws_one_panel_per_project_and_one_line_per_group() -> None:
    fig = nb.plot_by_wave(nb.mean_by_wave(panel(), "wellbeing"), "wellbeing", "Wellbeing")
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["a", "b"]
    labels = axes[0].get_legend_handles_labels()[1]
    assert labels == ["small", "large"]
    legend = axes[-1].get_legend()
    assert legend is not None and legend.get_title().get_text() == "network at baseline"


def test_plot_retention_draws_the_share_retained_in_percent() -> None:
    attrition = pl.DataFrame(
        {
            "project": ["a", "a", "a", "a"],
            "network_group": ["small", "small", "large", None],
            "wave": [0, 1, 0, 0],
            "retained": [1.0, 0.5, 1.0, 1.0],
        }
    )
    fig = nb.plot_retention(attrition)
    (ax,) = fig.axes
    small = next(line for line in ax.get_lines() if line.get_label() == "small")
    assert list(small.get_ydata()) == [100.0, 50.0]
    assert ax.get_ylim() == (0.0, 105.0)
