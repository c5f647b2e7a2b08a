"""Tests of dropout by network group and the completers-only sensitivity analysis."""

from __future__ import annotations

import polars as pl
import pytest

from outcomes.models.attrition import attrition_analysis, dropout_by_group
from outcomes.models.simulate import simulate_m1_panel


def _panel() -> pl.DataFrame:
    panel = simulate_m1_panel(200, seed=3, dropout=0.3, projects=("a", "b"))
    last = panel.group_by("project").agg(pl.col("wave").max().alias("last"))
    status = (
        panel.group_by("project", "participant_id")
        .agg(pl.col("wave").max().alias("max_wave"), pl.len().alias("n"))
        .join(last, on="project")
        .select("participant_id", pl.when(pl.col("n") == 1).then(pl.lit("baseline_only"))
                .when(pl.col("max_wave") == pl.col("last")).then(pl.lit("completer"))
                .otherwise(pl.lit("dropout")).alias("status"))
    )  # fmt: skip
    group = (
        pl.when(pl.col("network_size_bl") <= 4)
        .then(pl.lit("small"))
        .when(pl.col("network_size_bl") <= 7)
        .then(pl.lit("medium"))
        .otherwise(pl.lit("large"))
    )
    return panel.join(status, on="participant_id").with_columns(group.alias("network_group"))


def test_dropout_counts_by_group() -> None:
    panel = _panel()
    result = dropout_by_group(panel)
    people = panel.unique("participant_id")
    for row in result["overall"]:
        mine = people.filter(pl.col("network_group") == row["network_group"])
        assert row["participants"] == mine.height
        assert row["completers"] == (mine["status"] == "completer").sum()
        assert row["dropouts"] == (mine["status"] == "dropout").sum()
        assert row["baseline_only"] == (mine["status"] == "baseline_only").sum()
        assert row["share_not_completed"] == pytest.approx(1 - row["completers"] / mine.height)
    assert [r["network_group"] for r in result["overall"]] == ["small", "medium", "large"]
    assert sum(r["participants"] for r in result["by_project"]) == people.height
    assert 0 <= result["test"]["p"] <= 1


def test_completers_sensitivity() -> None:
    panel = _panel()
    result = attrition_analysis(panel)
    scopes = [s["project"] for s in result["sensitivity"]]
    assert scopes == ["all", "a", "b"]
    overall = result["sensitivity"][0]
    completers = panel.filter(pl.col("status") == "completer")["participant_id"].n_unique()
    assert overall["completers_only"]["n_participants"] == completers
    assert overall["all_available"]["n_participants"] == panel["participant_id"].n_unique()
    assert overall["difference"] == pytest.approx(
        overall["completers_only"]["estimate"] - overall["all_available"]["estimate"]
    )
