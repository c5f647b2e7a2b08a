"""The declared analysis is configuration: defaults, a mistake named by file and key, and the
verdict taken from the declared method."""

from __future__ import annotations

from pathlib import Path

import pytest

from outcomes.models.config import AnalysisConfigError, load_analysis_config
from outcomes.models.matthew import holm, interaction_test
from outcomes.models.simulate import simulate_m1_panel


def test_repository_configuration_declares_the_default_primary_test() -> None:
    config = load_analysis_config()
    assert (config.primary.outcome, config.primary.moderator, config.primary.scope) == (
        "wellbeing", "network_size_bl", "all"
    )  # fmt: skip
    assert config.primary.method == "satterthwaite"
    assert config.simple_slopes.percentiles == (10.0, 50.0, 90.0)


def test_a_mistake_names_the_file_and_the_key(tmp_path: Path) -> None:
    path = tmp_path / "analysis.yaml"
    path.write_text("primary:\n  method: wald\n")
    with pytest.raises(AnalysisConfigError, match=r"analysis.yaml: key 'primary.method'"):
        load_analysis_config(path)
    with pytest.raises(AnalysisConfigError, match="not found"):
        load_analysis_config(tmp_path / "missing.yaml")


def test_verdict_comes_from_the_declared_method() -> None:
    panel = simulate_m1_panel(150, seed=4, projects=("a", "b"))
    kwargs = dict(outcome="wellbeing", moderator="network_size_bl", project="all", n_boot=40,
                  seed=3, mde=False)  # fmt: skip
    by_t, _ = interaction_test(panel, method="satterthwaite", **kwargs)  # type: ignore[arg-type]
    by_boot, _ = interaction_test(panel, method="bootstrap", **kwargs)  # type: ignore[arg-type]
    assert (by_t["verdict_ci_low"], by_t["verdict_p"]) == (by_t["ci_low"], by_t["p"])
    assert (by_boot["verdict_ci_low"], by_boot["verdict_p"]) == (
        by_boot["boot_ci_low"], by_boot["boot_lrt_p"]
    )  # fmt: skip
    assert by_boot["verdict"] == by_boot["bootstrap_verdict"]
    with pytest.raises(ValueError, match="no bootstrap replicates"):
        interaction_test(panel, method="bootstrap", **{**kwargs, "n_boot": 0})  # type: ignore[arg-type]


def test_holm_matches_r_p_adjust() -> None:
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, None, 0.9]) == [pytest.approx(1.0), None, pytest.approx(1.0)]
