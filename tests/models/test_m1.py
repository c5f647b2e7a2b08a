"""M1 on the outcome panel and ``model.json`` (docs/architecture.md, "Models" and "What the analysis
writes")."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from outcomes.models import ModelInputError, analyse_panel, fit_m1, fit_mixed, prepare_m1_panel
from outcomes.models.simulate import simulate_m1_panel

M1_TERMS = ["Intercept", "years", "network_size_bl_c", "years:network_size_bl_c"]


def test_fit_m1_single_project_drops_project_term() -> None:
    panel = simulate_m1_panel(300, seed=11)
    result = fit_m1(panel)
    assert result.fixed_effects["term"].to_list() == M1_TERMS
    assert result.formula == "wellbeing ~ years * network_size_bl_c"
    assert result.n_participants == 300
    assert result.n_observations == panel.height
    # the simulated Matthew effect is 0.15 per year per network member
    matthew = result.fixed["years:network_size_bl_c"]
    assert matthew["ci_low"] < 0.15 < matthew["ci_high"]


def test_fit_m1_several_projects_and_centring() -> None:
    panel = simulate_m1_panel(200, seed=12, projects=("netwerkcoach", "stamtafel", "kwartiertafel"))
    result = fit_m1(panel)
    # each project keeps its own yearly change: the interaction is estimated within projects
    assert [t for t in result.fixed if t.startswith("project")] == [
        "project[T.netwerkcoach]",
        "project[T.stamtafel]",
        "project[T.netwerkcoach]:years",
        "project[T.stamtafel]:years",
    ]
    assert result.formula.endswith("+ project * years")
    # centring over participants: the intercept is the mean baseline wellbeing at mean network
    per_participant = panel.group_by("participant_id").agg(pl.col("network_size_bl").first())
    mean = per_participant["network_size_bl"].mean()
    manual = panel.with_columns(
        (pl.col("months_since_baseline") / 12).alias("years"),
        (pl.col("network_size_bl") - mean).alias("network_size_bl_c"),
    )
    direct = fit_mixed(
        "wellbeing ~ years * network_size_bl_c + project * years", manual, group="participant_id"
    )
    np.testing.assert_allclose(
        result.fixed_effects["estimate"].to_numpy(), direct.fixed_effects["estimate"].to_numpy()
    )


def test_rows_with_missing_values_are_dropped_and_counted() -> None:
    panel = simulate_m1_panel(120, seed=13)
    holes = panel.with_columns(
        pl.when(pl.int_range(pl.len()) % 10 == 3)
        .then(None)
        .otherwise(pl.col("wellbeing"))
        .alias("wellbeing")
    )
    result = fit_m1(holes)
    expected = holes["wellbeing"].null_count()
    assert result.n_dropped == expected
    assert result.n_observations == panel.height - expected
    assert any("dropped" in w for w in result.warnings)


def test_analyse_panel_writes_model_json(tmp_path: Path) -> None:
    panel = simulate_m1_panel(150, seed=14, projects=("netwerkcoach", "stamtafel"))
    written = analyse_panel(panel, tmp_path)
    assert written == {"model": tmp_path / "model.json"}
    document = json.loads((tmp_path / "model.json").read_text())
    for key in (
        "engine",
        "formula",
        "n_observations",
        "n_participants",
        "fixed_effects",
        "random_effects",
        "loglik",
        "aic",
        "bic",
        "converged",
        "singular",
        "seconds",
        "optimizer",
        "warnings",
    ):
        assert key in document, key
    assert document["engine"] == "fast"
    assert set(M1_TERMS) <= set(document["fixed_effects"])
    effect = document["fixed_effects"]["years:network_size_bl_c"]
    assert set(effect) >= {"estimate", "se", "df", "t", "p", "ci_low", "ci_high"}
    assert document["inference"].startswith("Satterthwaite")
    assert effect["ci_low"] < effect["estimate"] < effect["ci_high"]
    assert set(document["random_effects"]) == {
        "intercept_var",
        "slope_var",
        "corr",
        "residual_var",
    }
    assert document["converged"] is True
    assert math.isfinite(document["loglik"])
    assert (
        len(document["optimizer"]["theta"])
        == {"correlated": 3, "uncorrelated": 3, "intercept": 1}[document["random_structure"]]
    )
    assert document["n_participants"] == 150


def test_analyse_panel_names_missing_columns(tmp_path: Path) -> None:
    panel = simulate_m1_panel(20, seed=15).drop("network_size_bl", "months_since_baseline")
    with pytest.raises(ModelInputError, match=r"months_since_baseline, network_size_bl"):
        analyse_panel(panel, tmp_path)
    assert not (tmp_path / "model.json").exists()


def test_fit_mixed_reports_missing_columns_and_bad_engine() -> None:
    panel = simulate_m1_panel(20, seed=16)
    with pytest.raises(ModelInputError, match="years"):
        fit_mixed("wellbeing ~ years", panel, group="participant_id")
    with pytest.raises(ModelInputError, match="engine"):
        fit_mixed("wellbeing ~ wave", panel, group="participant_id", random="1", engine="lme4")


def test_singular_fit_is_refitted_with_a_simpler_random_part() -> None:
    # no slope variance simulated: with this seed the ML optimum has |corr| = 1 (Λ₂₂ = 0)
    panel = simulate_m1_panel(150, seed=17, slope_sd=0.0, corr=0.0, waves=6, residual_sd=3.0)
    frame, _, _ = prepare_m1_panel(panel)
    correlated = fit_mixed("wellbeing ~ years * network_size_bl_c", frame,
                           group="participant_id", reml=False)  # fmt: skip
    assert correlated.singular
    assert correlated.optimizer.theta[2] == 0.0
    assert correlated.singular_message is not None
    assert "perfectly correlated" in correlated.singular_message
    assert "still valid" not in correlated.singular_message
    result = fit_m1(panel, reml=False)
    # uncorrelated terms are singular too (no slope variance), so the intercept alone is left
    assert result.random_structure == "intercept"
    assert not result.singular
    assert result.structure_note is not None
    assert "uncorrelated" in result.structure_note
    assert result.structure_note in result.warnings
    document = result.to_dict()
    assert document["random"] == "(1 | participant_id)"
    assert document["structure_note"] == result.structure_note
