"""Report figures as deterministic SVG: trajectories per wave, the Matthew figure, the forest plot.

Belongs here: drawing from the disclosure-controlled :class:`ReportTables`, in one
accessible style — the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), which
colour-blind readers can tell apart, plus a distinct marker and line style per group so the
figures also read in greyscale — with axis labels in the report's language. Output is SVG text
with text drawn as paths, no date and a fixed hash salt, so identical inputs give identical bytes.
Does not belong here: computing or protecting numbers (``tables.py`` and the ``*_tables.py``
modules), layout (templates).
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from typing import Any, cast

import matplotlib

matplotlib.use("Agg")

from matplotlib import rc_context
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from outcomes.documents import PooledResult, ReportTables, ShownTable
from outcomes.documents.report_tables import Wave
from outcomes.language import format_number, word
from outcomes.reports.labels import axis_label, group_label, outcome_label, wave_label
from outcomes.reports.synthesis_text import pooled_kind

#: Okabe–Ito colours per network group, with a marker and line style each for greyscale.
GROUP_STYLE: dict[str, dict[str, Any]] = {
    "small": {"color": "#D55E00", "marker": "o", "linestyle": "-"},
    "medium": {"color": "#56B4E9", "marker": "s", "linestyle": "--"},
    "large": {"color": "#0072B2", "marker": "^", "linestyle": ":"},
}
NEUTRAL = "#000000"
GRID = "#D9D9D9"

RC: dict[str, Any] = {
    "svg.hashsalt": "outcomes-report",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "axes.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "legend.frameon": False,
    "path.simplify": False,
}

WIDTH_IN = 6.3


def _svg(figure: Figure) -> bytes:
    FigureCanvasSVG(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "outcomes"})
    return buffer.getvalue()


def _decimal_formatter(lang: str, decimals: int | None = None) -> FuncFormatter:
    def fmt(value: float, _position: int | None) -> str:
        places = decimals
        if places is None:
            places = 0 if float(value).is_integer() else (1 if abs(value * 10 % 1) < 1e-9 else 2)
        return format_number(value, places, lang)

    return FuncFormatter(fmt)


def _rows(table: ShownTable) -> list[dict[str, Any]]:
    """Return the values of a protected table's rows keyed by column (hidden cells null)."""
    return [dict(zip(table.columns, row, strict=True)) for row in table.values]


def _tick(wave: Wave, lang: str) -> str:
    """Return a wave's tick: ``Start`` at baseline, else the months (the axis names the unit)."""
    if wave.wave == 0 or wave.months is None:
        return wave_label(wave.wave, wave.months, lang)
    return str(wave.months)


def plotted_families(tables: ReportTables) -> list[str]:
    """Return the outcome families with at least one visible group mean (those are plotted)."""
    families = []
    for family in ("wellbeing", "loneliness", "network"):
        outcome = tables.outcomes.get(family)
        if outcome is not None and any(r["mean"] is not None for r in _rows(outcome.by_group)):
            families.append(family)
    return families


def trajectory_figure(tables: ReportTables, lang: str) -> bytes:
    """Return an SVG of wellbeing, loneliness and network size per wave by network group.

    Points are means with 95% CI bars; a group's point is missing where its base is below the
    disclosure threshold (the tables hold null there).
    """
    families = plotted_families(tables)
    waves = tables.waves
    positions = {w.wave: (w.months if w.months is not None else w.wave) for w in waves}
    with rc_context(cast(Any, RC)):
        figure = Figure(figsize=(WIDTH_IN, 2.75), layout="constrained")
        axes_list = figure.subplots(1, max(1, len(families)), squeeze=False)[0]
        span = max(positions.values()) - min(positions.values()) if positions else 1
        offset = 0.018 * (span or 1)
        handles = {}
        for axes, family in zip(axes_list, families, strict=False):
            outcome = tables.outcomes[family]
            column = outcome.column
            rows = _rows(outcome.by_group)
            groups = [g for g in GROUP_STYLE if any(r["network_group"] == g for r in rows)]
            for index, group in enumerate(groups):
                style = GROUP_STYLE[group]
                points = [r for r in rows if r["network_group"] == group and r["mean"] is not None]
                shift = (index - (len(groups) - 1) / 2) * offset
                xs = [positions[r["wave"]] + shift for r in points]
                ys = [r["mean"] for r in points]
                low = [r["mean"] - r["ci_low"] if r["ci_low"] is not None else 0.0 for r in points]
                high = [
                    r["ci_high"] - r["mean"] if r["ci_high"] is not None else 0.0 for r in points
                ]
                container = axes.errorbar(
                    xs,
                    ys,
                    yerr=[low, high],
                    color=style["color"],
                    marker=style["marker"],
                    linestyle=style["linestyle"],
                    markersize=4.5,
                    linewidth=1.4,
                    elinewidth=0.9,
                    capsize=2.5,
                    label=group_label(group, lang),
                )
                handles[group] = container
            axes.set_title(outcome_label(column, lang), loc="left", fontweight="bold")
            axes.set_ylabel(axis_label(column, lang))
            axes.set_xticks(list(positions.values()))
            axes.set_xticklabels([_tick(w, lang) for w in waves])
            if any(w.months is not None for w in waves):
                axes.set_xlabel(word("months_axis", lang))
            axes.yaxis.set_major_formatter(_decimal_formatter(lang))
            axes.grid(axis="y", color=GRID, linewidth=0.6)
            axes.set_axisbelow(True)
            margin = 0.12 * (span or 1)
            if positions:
                axes.set_xlim(min(positions.values()) - margin, max(positions.values()) + margin)
        for axes in axes_list[len(families) :]:
            axes.set_visible(False)
        ordered = [handles[g] for g in GROUP_STYLE if g in handles]
        if ordered:
            figure.legend(
                handles=ordered,
                labels=[group_label(g, lang) for g in GROUP_STYLE if g in handles],
                loc="outside lower center",
                ncols=len(ordered),
            )
        return _svg(figure)


def matthew_figure(tables: ReportTables, lang: str) -> bytes:
    """Return an SVG of the yearly change in wellbeing per network group with 95% CIs.

    Groups withheld by disclosure control are named on the axis and marked ``<10``.
    """
    subgroups = tables.matthew.subgroups if tables.matthew is not None else None
    rows = _rows(subgroups) if subgroups is not None else []
    rows = [r for r in rows if r["outcome"] == "wellbeing"]
    display = (
        {
            (row[0], row[1]): dict(zip(subgroups.columns, row, strict=True))
            for row in subgroups.display
        }
        if subgroups is not None
        else {}
    )
    with rc_context(cast(Any, RC)):
        figure = Figure(figsize=(WIDTH_IN * 0.62, 2.4), layout="constrained")
        axes = figure.subplots()
        labels = []
        for index, row in enumerate(rows):
            group = row["network_group"]
            style = GROUP_STYLE.get(group, {"color": NEUTRAL, "marker": "o"})
            labels.append(group_label(group, lang).replace(" ", "\n", 1))
            if row["slope"] is None:
                shown = display.get(("wellbeing", group), {}).get("n_participants", "")
                axes.annotate(
                    f"n {shown}",
                    (index, 0),
                    ha="center",
                    va="bottom",
                    xytext=(0, 4),
                    textcoords="offset points",
                    color="#555555",
                )
                continue
            axes.errorbar(
                [index],
                [row["slope"]],
                yerr=[[row["slope"] - row["ci_low"]], [row["ci_high"] - row["slope"]]],
                color=style["color"],
                marker=style["marker"],
                markersize=6,
                elinewidth=1.4,
                capsize=4,
                linestyle="none",
            )
        axes.axhline(0, color="#555555", linewidth=0.8, linestyle=(0, (1, 2)))
        axes.set_xticks(range(len(rows)))
        axes.set_xticklabels(labels)
        axes.set_xlim(-0.6, len(rows) - 0.4)
        axes.set_ylabel(word("slope", lang)[:1].upper() + word("slope", lang)[1:])
        axes.yaxis.set_major_formatter(_decimal_formatter(lang))
        axes.grid(axis="y", color=GRID, linewidth=0.6)
        axes.set_axisbelow(True)
        return _svg(figure)


def forest_figure(pooled: PooledResult, names: Mapping[str, str], lang: str) -> bytes:
    """Return an SVG forest plot: one row per project (square sized by weight, 95% CI), the
    pooled estimate as a diamond and its 95% prediction interval as a thin line."""
    studies = pooled.studies
    n = len(studies)
    with rc_context(cast(Any, RC)):
        figure = Figure(figsize=(WIDTH_IN, 0.36 * (n + 2) + 0.7), layout="constrained")
        axes = figure.subplots()
        labels: list[tuple[float, str]] = []
        for index, study in enumerate(studies):
            y = n - index + 1
            weight = float(study.weight)
            axes.plot([study.ci_low, study.ci_high], [y, y], color=NEUTRAL, linewidth=1.1)
            axes.plot(
                [study.estimate],
                [y],
                marker="s",
                color="#0072B2",
                markersize=4 + 10 * math.sqrt(max(weight, 0.0) / 100.0),
                linestyle="none",
            )
            labels.append((y, names.get(study.label, study.label)))
        y0 = 0.6
        est, low, high = pooled.estimate, pooled.ci_low, pooled.ci_high
        axes.fill(
            [low, est, high, est], [y0, y0 + 0.28, y0, y0 - 0.28], color="#E69F00",
            edgecolor=NEUTRAL, linewidth=0.8,
        )  # fmt: skip
        if pooled.pi_low is not None and pooled.pi_high is not None:
            axes.plot(
                [pooled.pi_low, pooled.pi_high], [y0 - 0.42, y0 - 0.42], color=NEUTRAL,
                linewidth=0.8, linestyle=(0, (3, 2)),
            )  # fmt: skip
        labels.append((y0, word("all_projects", lang)[:1].upper() + word("all_projects", lang)[1:]))
        axes.axvline(0, color="#555555", linewidth=0.8, linestyle=(0, (1, 2)))
        axes.set_yticks([y for y, _ in labels])
        axes.set_yticklabels([label for _, label in labels])
        axes.set_ylim(-0.1, n + 1.7)
        axes.spines["left"].set_visible(False)
        axes.tick_params(axis="y", length=0)
        xmin = min([low, *[s.ci_low for s in studies], pooled.pi_low or low, 0.0])
        xmax = max([high, *[s.ci_high for s in studies], pooled.pi_high or high, 0.0])
        pad = 0.06 * (xmax - xmin or 1.0)
        axes.set_xlim(xmin - pad, xmax + pad)
        axes.xaxis.set_major_formatter(_decimal_formatter(lang))
        if pooled_kind(pooled) == "interaction":
            axes.set_xlabel(word("axis_interaction", lang))
        else:
            axes.set_xlabel(word("slope", lang)[:1].upper() + word("slope", lang)[1:])
        return _svg(figure)
