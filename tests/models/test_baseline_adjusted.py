"""The baseline-adjusted Matthew model (regression to the mean; docs/architecture.md,
"Regression to the mean") agrees with lme4/lmerTest and R's ``lm`` on the same panel.

The R script and its output are fixtures (``data/r/baseline_adjusted.R``,
``baseline_adjusted_results.json``); the tests do not need R."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from outcomes.models.baseline_adjusted import baseline_adjusted
from outcomes.models.formula import ModelInputError

R_DATA = Path(__file__).resolve().parent / "data" / "r"
R = json.loads((R_DATA / "baseline_adjusted_results.json").read_text())


@pytest.fixture(scope="module")
def panel() -> pl.DataFrame:
    return pl.read_csv(R_DATA / "inference_panel.csv").drop("years", "network_size_bl_c")


def _assert_matches(result: dict, expected: dict) -> None:  # type: ignore[type-arg]
    assert result["estimate"] == pytest.approx(expected["estimate"], rel=1e-5)
    assert result["se"] == pytest.approx(expected["se"], rel=1e-4)
    assert result["df"] == pytest.approx(expected["df"], rel=1e-3)
    assert result["t"] == pytest.approx(expected["t"], rel=1e-4)
    assert result["p"] == pytest.approx(expected["p"], rel=1e-3)
    assert result["n_participants"] == expected["n_participants"]
    assert result["n_observations"] == expected["n_observations"]
    from scipy import stats

    half = stats.t.ppf(0.975, expected["df"]) * expected["se"]
    assert result["ci_low"] == pytest.approx(expected["estimate"] - half, rel=1e-3)
    assert result["ci_high"] == pytest.approx(expected["estimate"] + half, rel=1e-3)


def test_every_follow_up_wave_matches_lmertest(panel: pl.DataFrame) -> None:
    result = baseline_adjusted(panel, outcome="wellbeing", moderator="network_size_bl")
    assert result["formula"] == (
        "change_per_year ~ network_size_bl_c + wellbeing_bl_c + project + (1 | participant_id)"
    )
    assert result["inference"].startswith("Satterthwaite")
    _assert_matches(result, R["mixed"])


def test_one_follow_up_per_participant_matches_lm(panel: pl.DataFrame) -> None:
    result = baseline_adjusted(
        panel.filter(pl.col("wave") <= 1), outcome="wellbeing", moderator="network_size_bl"
    )
    assert "(1 | participant_id)" not in result["formula"]
    _assert_matches(result, R["ols"])


def test_adjustment_removes_a_matthew_term_carried_by_baseline_wellbeing() -> None:
    # change depends on baseline wellbeing alone (low starters gain most), and larger networks
    # start higher: unadjusted change falls with network size, the adjusted term is about 0
    rng = np.random.default_rng(5)
    rows = []
    for i in range(600):
        network = float(rng.poisson(8))
        start = 50.0 + 2.0 * (network - 8.0) + rng.normal(0, 8)
        follow = start - 0.5 * (start - 50.0) + rng.normal(0, 4)
        for wave, (months, value) in enumerate(((0.0, start), (12.0, follow))):
            rows.append({"participant_id": f"p{i}", "wave": wave, "months_since_baseline": months,
                         "network_size_bl": network, "wellbeing": value})  # fmt: skip
    frame = pl.DataFrame(rows)
    change = frame.pivot("wave", index=["participant_id", "network_size_bl"], values="wellbeing")
    naive = np.polyfit(change["network_size_bl"], change["1"] - change["0"], 1)[0]
    adjusted = baseline_adjusted(frame, outcome="wellbeing", moderator="network_size_bl")
    assert naive < -0.7
    assert adjusted["ci_low"] < 0 < adjusted["ci_high"]
    assert abs(adjusted["estimate"]) < 0.2


def test_no_follow_up_is_an_error_a_user_can_act_on(panel: pl.DataFrame) -> None:
    with pytest.raises(ModelInputError, match="both at baseline"):
        baseline_adjusted(
            panel.filter(pl.col("wave") == 0), outcome="wellbeing", moderator="network_size_bl"
        )
