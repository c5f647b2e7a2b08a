"""Report figures: deterministic SVG, accessible styles, labels in the report language."""

from __future__ import annotations

import dataclasses

import pytest

from outcomes.reports import figures
from outcomes.reports.tables import build_report_tables


@pytest.fixture(scope="module")
def tables(panel, model, matthew, validation, files, names):
    return build_report_tables(
        panel, model, matthew, validation, files, project="netwerkcoach",
        project_name=names["netwerkcoach"],
    )  # fmt: skip


def test_svg_bytes_are_identical_across_runs(tables, pooled, names):
    assert figures.trajectory_figure(tables, "nl") == figures.trajectory_figure(tables, "nl")
    assert figures.matthew_figure(tables, "en") == figures.matthew_figure(tables, "en")
    assert figures.forest_figure(pooled, names, "nl") == figures.forest_figure(pooled, names, "nl")
    svg = figures.trajectory_figure(tables, "nl").decode()
    assert "<dc:date>" not in svg


def test_groups_differ_in_colour_marker_and_line_style():
    styles = list(figures.GROUP_STYLE.values())
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
                 "#000000"}  # fmt: skip
    assert all(style["color"] in okabe_ito for style in styles)
    for key in ("color", "marker", "linestyle"):
        assert len({str(style[key]) for style in styles}) == len(styles)


def test_labels_follow_the_report_language(tables):
    # Text is drawn as paths, so compare the languages through their different outputs and
    # the axis words chosen for them.
    assert figures.trajectory_figure(tables, "nl") != figures.trajectory_figure(tables, "en")
    assert figures.axis_label("wellbeing", "nl") == "0–100, hoger is beter"
    assert figures.axis_label("wellbeing", "en") == "0–100, higher is better"


def test_withheld_subgroup_is_not_plotted(tables):
    subgroups = tables.matthew.subgroups
    values = [list(row) for row in subgroups.values]
    display = [list(row) for row in subgroups.display]
    values[0][subgroups.columns.index("slope")] = None
    display[0][subgroups.columns.index("n_participants")] = "<10"
    hidden = dataclasses.replace(
        subgroups,
        values=tuple(tuple(row) for row in values),
        display=tuple(tuple(row) for row in display),
    )
    withheld = dataclasses.replace(
        tables, matthew=dataclasses.replace(tables.matthew, subgroups=hidden)
    )
    assert figures.matthew_figure(withheld, "nl") != figures.matthew_figure(tables, "nl")
