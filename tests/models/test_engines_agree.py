"""The fast engine and statsmodels' MixedLM agree on generated panels of several shapes.

Tolerances of issue 6: fixed effects 1e-6 relative, SEs and variance components 1e-3, log-
likelihoods 1e-4 absolute. Where the optimum is on the boundary the fast engine's likelihood
must be at least as high as statsmodels'.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from outcomes.models import MixedResult, fit_mixed
from outcomes.models.simulate import simulate_m1_panel

FORMULA = "wellbeing ~ years * network_size_bl_c + project"

SHAPES = {
    "balanced": {"seed": 1},
    "unbalanced": {"seed": 2, "dropout": 0.5},
    "irregular_timing": {"seed": 3, "irregular": True, "dropout": 0.3},
    "single_observations": {"seed": 4, "single_share": 0.3, "dropout": 0.2},
    "near_zero_slope_variance": {"seed": 5, "slope_sd": 0.05, "dropout": 0.2},
}


def _prepared(**shape: object) -> pl.DataFrame:
    panel = simulate_m1_panel(
        100,
        projects=("netwerkcoach", "stamtafel", "kwartiertafel"),
        **shape,  # type: ignore[arg-type]
    )
    mean = (
        panel.group_by("participant_id")
        .agg(pl.col("network_size_bl").first())["network_size_bl"]
        .mean()
    )
    return panel.with_columns(
        (pl.col("months_since_baseline") / 12).alias("years"),
        (pl.col("network_size_bl") - mean).alias("network_size_bl_c"),
    )


def _assert_agree(fast: MixedResult, reference: MixedResult) -> None:
    assert fast.fixed_effects["term"].to_list() == reference.fixed_effects["term"].to_list()
    assert fast.n_observations == reference.n_observations
    assert fast.loglik >= reference.loglik - 1e-6
    assert fast.loglik == pytest.approx(reference.loglik, abs=1e-4)
    np.testing.assert_allclose(
        fast.fixed_effects["estimate"].to_numpy(),
        reference.fixed_effects["estimate"].to_numpy(),
        rtol=1e-6,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        fast.fixed_effects["se"].to_numpy(), reference.fixed_effects["se"].to_numpy(), rtol=1e-3
    )
    scale = float(np.max(np.abs(reference.random_cov)))
    np.testing.assert_allclose(fast.random_cov, reference.random_cov, rtol=1e-3, atol=1e-3 * scale)
    assert fast.residual_var == pytest.approx(reference.residual_var, rel=1e-3)


CASES = [(shape, True) for shape in SHAPES] + [
    ("unbalanced", False),
    ("near_zero_slope_variance", False),
]


@pytest.mark.parametrize(("shape", "reml"), CASES)
def test_engines_agree_on_generated_panels(shape: str, reml: bool) -> None:
    panel = _prepared(**SHAPES[shape])
    fast = fit_mixed(FORMULA, panel, group="participant_id", reml=reml, engine="fast")
    reference = fit_mixed(FORMULA, panel, group="participant_id", reml=reml, engine="statsmodels")
    assert fast.converged
    assert fast.engine == "fast"
    assert reference.engine == "statsmodels"
    _assert_agree(fast, reference)
    assert "project[T.netwerkcoach]" in fast.fixed or "project[T.stamtafel]" in fast.fixed
    assert "years:network_size_bl_c" in fast.fixed
