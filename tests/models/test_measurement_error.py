"""The Matthew interaction corrected for measurement error in network size (regression
calibration, docs/architecture.md, "Measurement error in network size") recovers a known
interaction on data simulated with a known reliability."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from outcomes.models.baseline_adjusted import (
    measurement_error_correction,
    moderator_attenuation,
    primary_sensitivity,
)
from outcomes.models.config import AnalysisConfig, AnalysisConfigError, load_analysis_config
from outcomes.models.formula import ModelInputError
from outcomes.models.matthew import interaction_test

TRUE_INTERACTION = 0.4
RELIABILITY = 0.6
#: project → (participants, mean true network size); the means differ, so the reliability
#: within projects is below the overall one
PROJECTS = {"a": (200, 5.0), "b": (200, 9.0), "c": (200, 13.0)}
TRUE_SD = 3.0


def simulated_panel(rng: np.random.Generator) -> pl.DataFrame:
    """Return a three-wave panel whose observed baseline network size is the true size plus
    error with reliability :data:`RELIABILITY` over all participants."""
    means = np.array([m for _, m in PROJECTS.values()])
    total_var = TRUE_SD**2 + means.var()
    error_sd = np.sqrt(total_var * (1 - RELIABILITY) / RELIABILITY)
    rows = []
    for project, (n, mean) in PROJECTS.items():
        for i in range(n):
            true = rng.normal(mean, TRUE_SD)
            observed = true + rng.normal(0, error_sd)
            start, slope = rng.normal(50, 8), rng.normal(2.0, 0.5)
            for wave in range(3):
                years = 0.5 * wave
                change = (slope + TRUE_INTERACTION * (true - mean)) * years
                rows.append({"participant_id": f"{project}{i}", "project": project, "wave": wave,
                             "months_since_baseline": 12 * years, "network_size_bl": observed,
                             "wellbeing": start + change + rng.normal(0, 2)})  # fmt: skip
    return pl.DataFrame(rows)


def test_correction_recovers_the_true_interaction_over_replications() -> None:
    rng = np.random.default_rng(20260301)
    naive, corrected, covered = [], [], 0
    for _ in range(20):
        panel = simulated_panel(rng)
        row, _ = interaction_test(panel, outcome="wellbeing", moderator="network_size_bl",
                                  project="all", n_boot=0, mde=False, controlled=False)  # fmt: skip
        fixed = measurement_error_correction(panel, row, RELIABILITY)
        naive.append(row["estimate"])
        corrected.append(fixed["estimate"])
        covered += fixed["ci_low"] <= TRUE_INTERACTION <= fixed["ci_high"]
        assert fixed["p"] == row["verdict_p"]
        assert fixed["attenuation"] < RELIABILITY  # within projects less true variance
    # the naive interaction is attenuated; the corrected one is on target within 0.05
    # (about 3 Monte Carlo standard errors)
    assert np.mean(naive) < 0.75 * TRUE_INTERACTION
    assert np.mean(corrected) == pytest.approx(TRUE_INTERACTION, abs=0.05)
    assert covered >= 16


def test_attenuation_with_one_project_is_the_reliability() -> None:
    values = np.random.default_rng(1).normal(8, 3, size=200)
    assert moderator_attenuation(values, None, 0.8) == pytest.approx(0.8)
    assert moderator_attenuation(values, np.array(["x"] * 200), 0.8) == pytest.approx(0.8)


def test_attenuation_within_projects() -> None:
    # two projects at 0 and 10, each with variance 1: total variance ≈ 26, error variance
    # (1 − 0.9)·26 ≈ 2.6 exceeds the within-project variance 1
    values = np.concatenate([np.array([-1.0, 1.0] * 50), np.array([9.0, 11.0] * 50)])
    projects = np.array(["a"] * 100 + ["b"] * 100)
    with pytest.raises(ModelInputError, match="no true variance within projects"):
        moderator_attenuation(values, projects, 0.9)
    total = values.var(ddof=1)
    within = 200.0 / 198.0
    expected = (within - 0.99 * 0.0 - (1 - 0.99) * total) / within
    assert moderator_attenuation(values, projects, 0.99) == pytest.approx(expected)


def test_reliability_is_an_optional_key_of_the_analysis_configuration(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert AnalysisConfig().network_size_reliability is None
    path = tmp_path / "analysis.yaml"
    path.write_text("network_size_reliability: 0.8\n")
    assert load_analysis_config(path).network_size_reliability == 0.8
    path.write_text("network_size_reliability: 1.5\n")
    with pytest.raises(AnalysisConfigError, match="network_size_reliability"):
        load_analysis_config(path)


def test_primary_sensitivity_adds_the_correction_only_when_configured() -> None:
    panel = simulated_panel(np.random.default_rng(3))
    row, _ = interaction_test(panel, outcome="wellbeing", moderator="network_size_bl",
                              project="all", n_boot=0, mde=False, controlled=False)  # fmt: skip
    plain = primary_sensitivity(panel, row, AnalysisConfig())
    assert "measurement_error" not in plain
    assert plain["baseline_adjusted"]["n_participants"] == 600
    with_reliability = primary_sensitivity(
        panel, row, AnalysisConfig(network_size_reliability=RELIABILITY)
    )
    correction = with_reliability["measurement_error"]
    assert correction["estimate"] == pytest.approx(row["estimate"] / correction["attenuation"])
    assert correction["ci_high"] - correction["ci_low"] == pytest.approx(
        (row["ci_high"] - row["ci_low"]) / correction["attenuation"]
    )
