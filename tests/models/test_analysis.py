"""Tests of the whole analysis: demo acceptance, pooled results, written files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from outcomes.models.analysis import analyse, write_analysis
from outcomes.models.meta import pool_effects
from outcomes.models.simulate import simulate_m1_panel


@pytest.fixture(scope="module")
def demo_panel() -> pl.DataFrame:
    """The outcome panel built from the demo's true simulated responses (no export defects)."""
    from outcomes.demo import simulate_panel
    from outcomes.instruments import score_responses
    from outcomes.panel import build_panel
    from outcomes.specs import load_specs

    simulated = simulate_panel()
    scored = {}
    for project, spec in load_specs().items():
        part = simulated.filter(pl.col("project") == project).rename({"study_id": "participant_id"})
        scored[project] = score_responses(part.drop("wellbeing"), spec)
    return build_panel(scored).frame


def test_demo_finds_the_planted_matthew_effect_only_in_netwerkcoach(
    demo_panel: pl.DataFrame,
) -> None:
    result = analyse(demo_panel, outcomes=("wellbeing",), moderators=("network_size_bl",),
                     n_boot=0, growth=False, attrition=False)  # fmt: skip
    # per-project tests are exploratory: no verdict, but what their t interval says
    verdicts = {r["project"]: r["satterthwaite_verdict"] for r in result.matthew["results"]}
    assert all(r["verdict"] is None for r in result.matthew["results"] if r["project"] != "all")
    assert verdicts["netwerkcoach"] == "matthew"
    for project in ("stamtafel", "kwartiertafel", "samen-oplopen", "tijdvoorelkaar"):
        assert verdicts[project] == "no_evidence", project
    netwerkcoach = next(r for r in result.matthew["results"] if r["project"] == "netwerkcoach")
    assert netwerkcoach["ci_low"] < 0.6 < netwerkcoach["ci_high"]  # the planted value


def test_pooled_results_match_pool_effects() -> None:
    panel = simulate_m1_panel(360, seed=9, projects=("a", "b", "c", "d"), matthew=0.2)
    result = analyse(panel, moderators=("network_size_bl",), n_boot=0,
                     primary_instruments=dict.fromkeys("abcd", "mhi5"))  # fmt: skip
    rows = [r for r in result.project_effects["projects"] if r["outcome"] == "wellbeing"]
    assert [r["project"] for r in rows] == ["a", "b", "c", "d"]
    entries = {p["parameter"]: p for p in result.pooled["results"]}
    for parameter, estimate, se in (("slope", "slope", "slope_se"),
                                    ("interaction", "estimate", "se")):  # fmt: skip
        y = [r[estimate] for r in rows]
        v = [r[se] ** 2 for r in rows]
        reml = pool_effects(y, v, method="REML", labels=["a", "b", "c", "d"])
        dl = pool_effects(y, v, method="DL", labels=["a", "b", "c", "d"])
        entry = entries[parameter]
        assert entry["outcome"] == "wellbeing"
        assert entry["method"] == "REML"
        assert entry["estimate"] == pytest.approx(reml.estimate)
        assert entry["tau2"] == pytest.approx(reml.tau2)
        assert entry["i2"] == pytest.approx(reml.i2)
        assert entry["pi_low"] == pytest.approx(reml.pi_low)
        assert entry["dl"]["estimate"] == pytest.approx(dl.estimate)
        assert [s["label"] for s in entry["studies"]] == ["a", "b", "c", "d"]
    # the per-project rows are the per-project Matthew checks
    per_project = {r["project"]: r for r in result.matthew["results"] if r["project"] != "all"}
    for row in rows:
        assert row["estimate"] == per_project[row["project"]]["estimate"]
    assert result.pooled["results"][0]["parameter"] == "slope"


def test_write_analysis_files(tmp_path: Path) -> None:
    panel = simulate_m1_panel(150, seed=2, projects=("a", "b"))
    paths = write_analysis(panel, tmp_path, n_boot=30, seed=4)
    assert {p.name for p in paths.values()} >= {"model.json", "matthew.json", "pooled.json"}
    model = json.loads(paths["model"].read_text())
    assert "years:network_size_bl_c" in model["fixed_effects"]
    matthew = json.loads(paths["matthew"].read_text())
    keys = {"project", "outcome", "moderator", "estimate", "se", "ci_low", "ci_high", "p",
            "verdict", "lrt_p", "boot_ci_low", "boot_ci_high", "mde80"}  # fmt: skip
    assert matthew["project"] == "all"
    for row in matthew["results"]:
        assert keys <= set(row)
        if row["role"] == "primary":
            assert row["verdict"] in ("matthew", "no_evidence", "reverse")
        else:
            assert row["verdict"] is None
            assert row["p_holm"] >= row["p"]
    primary = matthew["results"][0]
    assert primary["n_boot"] == 30
    assert primary["mde80"] > 0
    pooled = json.loads(paths["pooled"].read_text())
    assert {p["parameter"] for p in pooled["results"]} == {"slope", "interaction"}


def test_pipeline_stages_use_the_analysis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from outcomes import atomic, stages
    from outcomes.workspace import Workspace

    panel = simulate_m1_panel(150, seed=8, projects=("a", "b"), dropout=0.2).with_columns(
        pl.when(pl.col("network_size_bl") <= 4).then(pl.lit("small"))
        .when(pl.col("network_size_bl") <= 7).then(pl.lit("medium"))
        .otherwise(pl.lit("large")).alias("network_group"),
        pl.lit("completer").alias("status"),
    )  # fmt: skip
    workspace = Workspace(tmp_path)
    atomic.write_parquet(workspace.table(stages.PANEL), panel)
    monkeypatch.setenv("OUTCOMES_BOOTSTRAP", "25")
    effects = stages.project_effects_stage(workspace)
    matthew = stages.matthew_stage(workspace)
    pooled = stages.pooled_stage(workspace)
    assert effects.metadata["effects"].startswith("| project |")
    assert matthew.metadata["bootstrap_replicates"] == 25
    assert "| all | wellbeing | network_size_bl |" in matthew.metadata["primary_results"]
    assert matthew.metadata["credibility_checklist"].count("\n") == 7
    written = json.loads(matthew.paths["matthew"].read_text())
    primary = next(r for r in written["results"] if r["project"] == "all")
    assert primary["n_boot"] == 25
    assert {s["network_group"] for s in written["subgroups"]} == {"small", "medium", "large"}
    assert json.loads(pooled.paths["pooled"].read_text())["results"][0]["parameter"] == "slope"
    monkeypatch.setenv("OUTCOMES_BOOTSTRAP", "many")
    with pytest.raises(ValueError, match="OUTCOMES_BOOTSTRAP"):
        stages.bootstrap_replicates()


def test_scopes_that_cannot_be_analysed_are_listed_and_the_others_run() -> None:
    from outcomes.models.simulate import simulate_m1_panel

    good = simulate_m1_panel(120, seed=41, projects=("a", "b"))
    # one wave only, and one participant per project
    one_wave = simulate_m1_panel(30, seed=42, projects=("c",)).filter(pl.col("wave") == 0)
    single = simulate_m1_panel(1, seed=43, projects=("d",))
    # a moderator without variance in one project
    flat = simulate_m1_panel(40, seed=44, projects=("e",)).with_columns(
        pl.lit(5.0).alias("network_size_bl")
    )
    panel = pl.concat([good, one_wave, single, flat.select(good.columns)])
    result = analyse(panel, outcomes=("wellbeing",), moderators=("network_size_bl",), n_boot=0,
                     growth=False, attrition=False, models=False)  # fmt: skip
    skipped = {s["project"]: s["reason"] for s in result.matthew["skipped"]}
    assert "two waves" in skipped["c"]
    assert "two waves" in skipped["d"]
    assert "does not vary" in skipped["e"]
    analysed = {r["project"] for r in result.matthew["results"]}
    assert {"all", "a", "b"} <= analysed
    assert not analysed & {"c", "d", "e"}
