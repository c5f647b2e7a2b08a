"""Descriptive summaries and figures for the analysts' notebooks (``notebooks/``).

Means per wave with confidence intervals by project × network group, and their figures: one
panel per project, one line per baseline network group, drawn so that the groups stay apart in
greyscale (line style and marker, not only colour). Re-exported by ``outcomes.notebook``; the
notebooks call them as ``nb.mean_by_wave`` and so on (README.md, "Notebooks").

These are for the research team: cells with fewer than :data:`SMALL_CELL` participants are kept
and flagged, never suppressed; funder reports apply disclosure control
(``outcomes.reports.disclosure``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from scipy import stats

from outcomes.catalog.vocabulary import NETWORK_GROUPS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: a cell (project × network group × wave) with fewer participants is flagged ``small_cell``
SMALL_CELL = 10


@dataclass(frozen=True)
class GroupStyle:
    """How one network group is drawn: colour, marker and line style (readable in greyscale)."""

    colour: str
    marker: str
    linestyle: str


#: the drawing style of each network group, smallest network first
GROUP_STYLES: dict[str, GroupStyle] = dict(
    zip(
        NETWORK_GROUPS,
        (
            GroupStyle("#C44E52", "o", "-"),
            GroupStyle("#8172B2", "s", "--"),
            GroupStyle("#4C72B0", "^", ":"),
        ),
        strict=True,
    )
)


def mean_by_wave(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Return per project × network group × wave the participants ``n``, the ``mean`` and
    ``sd`` of ``column`` and its t-based 95% interval (``ci_low``, ``ci_high``), with
    ``small_cell`` true below :data:`SMALL_CELL` participants.

    Rows without a value or without a network group are left out. A cell of one participant has
    no interval (null), since its SD is undefined.
    """
    summary = (
        frame.filter(pl.col(column).is_not_null() & pl.col("network_group").is_not_null())
        .group_by("project", "network_group", "wave")
        .agg(
            pl.len().alias("n"),
            pl.col(column).cast(pl.Float64).mean().alias("mean"),
            pl.col(column).cast(pl.Float64).std().alias("sd"),
        )
        .sort("project", "network_group", "wave")
    )
    n = summary["n"].to_numpy().astype(float)
    t = stats.t.ppf(0.975, np.maximum(n - 1.0, 1.0))
    sd = summary["sd"].cast(pl.Float64).to_numpy()
    half = pl.Series("half", sd / np.sqrt(n) * t, dtype=pl.Float64).fill_nan(None)
    return summary.with_columns(
        (pl.col("mean") - half).alias("ci_low"),
        (pl.col("mean") + half).alias("ci_high"),
        (pl.col("n") < SMALL_CELL).alias("small_cell"),
    )


def _project_axes(projects: list[str], height: float) -> tuple[Figure, list[Axes]]:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        1, len(projects), figsize=(3.2 * len(projects), height), sharey=True, squeeze=False
    )
    return fig, list(axes[0])


def _legend(fig: Figure, axes: list[Axes]) -> None:
    axes[-1].legend(
        title="network at baseline", fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0)
    )
    fig.tight_layout()


def plot_by_wave(summary: pl.DataFrame, ylabel: str, title: str) -> Figure:
    """Return a figure of :func:`mean_by_wave`'s ``summary``: one panel per project, the mean
    per wave with its 95% interval, one line per network group (:data:`GROUP_STYLES`), groups
    nudged apart on the wave axis so the intervals do not overlap."""
    projects = summary["project"].unique().sort().to_list()
    fig, axes = _project_axes(projects, 3.4)
    offsets = np.linspace(-0.08, 0.08, len(NETWORK_GROUPS))
    for ax, project in zip(axes, projects, strict=True):
        for offset, group in zip(offsets, NETWORK_GROUPS, strict=True):
            part = summary.filter(
                (pl.col("project") == project) & (pl.col("network_group") == group)
            )
            if part.is_empty():
                continue
            style = GROUP_STYLES[group]
            y = part["mean"].to_numpy()
            low = np.nan_to_num(y - part["ci_low"].cast(pl.Float64).to_numpy())
            high = np.nan_to_num(part["ci_high"].cast(pl.Float64).to_numpy() - y)
            ax.errorbar(
                part["wave"].to_numpy() + offset,
                y,
                yerr=[low, high],
                marker=style.marker,
                linestyle=style.linestyle,
                capsize=3,
                color=style.colour,
                label=group,
            )
        ax.set_title(project, fontsize=10)
        ax.set_xlabel("wave")
        ax.set_xticks(sorted(summary.filter(pl.col("project") == project)["wave"].unique()))
    axes[0].set_ylabel(ylabel)
    fig.suptitle(title)
    _legend(fig, axes)
    return fig


def plot_retention(attrition: pl.DataFrame) -> Figure:
    """Return a figure of the ``attrition`` table: per project, the share of each baseline
    network group still measured at each wave (``retained``, in %)."""
    attrition = attrition.filter(pl.col("network_group").is_not_null())
    projects = attrition["project"].unique().sort().to_list()
    fig, axes = _project_axes(projects, 3.2)
    for ax, project in zip(axes, projects, strict=True):
        for group in NETWORK_GROUPS:
            part = attrition.filter(
                (pl.col("project") == project) & (pl.col("network_group") == group)
            ).sort("wave")
            if part.is_empty():
                continue
            style = GROUP_STYLES[group]
            ax.plot(
                part["wave"],
                part["retained"] * 100,
                marker=style.marker,
                linestyle=style.linestyle,
                color=style.colour,
                label=group,
            )
        ax.set_title(project, fontsize=10)
        ax.set_xlabel("wave")
        ax.set_ylim(0, 105)
    axes[0].set_ylabel("% of baseline still measured")
    fig.suptitle("Retention by baseline network group")
    _legend(fig, axes)
    return fig
