"""The parametric bootstrap in blocks (``outcomes.models.bootstrap``) against its definition:
participant-level draws with the moments of row-level ones, one-step refits that agree with
refits to convergence, and a null-model p-value equal to the one full refits give."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from outcomes.models import bootstrap, fast
from outcomes.models.m1 import m1_formula, prepare_m1_panel
from outcomes.models.power import (
    BLOCK_REFITS_FROM,
    LRT_MARGIN,
    FittedDesign,
    fitted_design,
)
from outcomes.models.refit import Refitter
from outcomes.models.simulate import simulate_m1_panel

TERM = "years:network_size_bl_c"


def _matthew_model(n: int, seed: int, **panel: object) -> FittedDesign:
    frame, _, with_project = prepare_m1_panel(
        simulate_m1_panel(n, seed=seed, dropout=0.2, irregular=True, projects=("a", "b", "c"),
                          **panel)  # type: ignore[arg-type]
    )  # fmt: skip
    formula = m1_formula("wellbeing", "network_size_bl", with_project=with_project)
    return fitted_design(formula, frame, term=TERM)


@pytest.fixture(scope="module")
def large() -> FittedDesign:
    """A Matthew model on as many participants as the blocks start from."""
    return _matthew_model(BLOCK_REFITS_FROM, seed=3)


@pytest.fixture(scope="module")
def with_time_varying() -> FittedDesign:
    """A model with a column outside the span of each participant's Zᵢ (so Eᵢ ≠ 0) and
    participants seen once (ZᵢᵀZᵢ of rank 1)."""
    frame, _, _ = prepare_m1_panel(
        simulate_m1_panel(300, seed=5, dropout=0.3, irregular=True, single_share=0.1)
    )
    rng = np.random.default_rng(0)
    frame = frame.with_columns(season=pl.Series(rng.normal(size=frame.height)))
    return fitted_design("wellbeing ~ years * network_size_bl_c + season", frame, term=TERM)


def test_cross_products_decompose_as_the_design_says(with_time_varying: FittedDesign) -> None:
    """For a response drawn row by row, Xᵀy = Σ CᵢᵀZᵢᵀyᵢ + Σ Eᵢᵀyᵢ and yᵀy − Σ vᵢᵀ(ZᵢᵀZᵢ)⁺vᵢ
    is the squared residual of y on each participant's Zᵢ: the identities the draws rest on."""
    model = with_time_varying
    design = bootstrap.design(model._statistics)
    assert design.e_factor.shape[1] == 1  # the time-varying column
    y = model.simulate(np.random.default_rng(1))
    statistics = fast.with_response(
        model._statistics, model.design.X, y, model.design.Z, model.design.groups
    )
    v = statistics.ztxy[:, :, design.p].T.reshape(-1)
    q, n = design.q, design.n_groups
    Z, X, groups = model.design.Z, model.design.X, model.design.groups
    # residual of y and of X on each participant's Zᵢ, by least squares per participant
    y_residual = np.empty_like(y)
    x_residual = np.empty_like(X)
    for i in range(n):
        rows = groups == i
        projection = Z[rows] @ np.linalg.pinv(Z[rows])
        y_residual[rows] = y[rows] - projection @ y[rows]
        x_residual[rows] = X[rows] - projection @ X[rows]
    np.testing.assert_allclose(design.c_rows.T @ v + x_residual.T @ y, X.T @ y, rtol=1e-9)
    np.testing.assert_allclose(x_residual.T @ x_residual, design.e_cross, atol=1e-8)
    projected = bootstrap._weights_column(design.ztz_pinv, q) @ bootstrap._products(
        v[:, None], n, q
    )
    np.testing.assert_allclose(y @ y - projected[0], y_residual @ y_residual, rtol=1e-9)
    assert (
        design.chi2_df
        == y.size - int(sum(np.linalg.matrix_rank(Z[groups == i]) for i in range(n))) - 1
    )


def test_draws_have_the_moments_of_the_model(with_time_varying: FittedDesign) -> None:
    """The mean of Xᵀy is XᵀXβ and that of yᵀy is βᵀXᵀXβ + σ²(tr ZΛΛᵀZᵀ + N), within four
    Monte Carlo standard errors over 4,000 draws."""
    model = with_time_varying
    design = bootstrap.design(model._statistics)
    fit = model.reml
    simulation = bootstrap.Simulation(design, fit.beta, fit.lam, fit.sigma2)
    xty_parts, yty_parts, v_parts = [], [], []
    for seed in range(8):  # a block's arrays are reused by the next: copy them
        block = simulation.block(500, np.random.default_rng(seed))
        xty_parts.append(block.xty.copy())
        yty_parts.append(block.yty.copy())
        v_parts.append(block.v.copy())
    xty = np.concatenate(xty_parts, axis=1)
    yty = np.concatenate(yty_parts)
    xtx = design.xtx
    Z = model.design.Z
    expected_yty = fit.beta @ xtx @ fit.beta + fit.sigma2 * (
        np.einsum("nq,qr,nr->", Z, fit.lam @ fit.lam.T, Z) + Z.shape[0]
    )
    assert abs(yty.mean() - expected_yty) < 4.0 * yty.std() / np.sqrt(yty.size)
    error = xty.mean(axis=1) - xtx @ fit.beta
    assert np.all(np.abs(error) < 4.0 * xty.std(axis=1) / np.sqrt(yty.size))
    # a draw's Zᵢᵀyᵢ has the covariance σ²(ZᵢᵀZᵢΛΛᵀZᵢᵀZᵢ + ZᵢᵀZᵢ) of the model
    v = np.concatenate(v_parts, axis=1)
    first = v[[0, design.n_groups]]  # participant 0, both rows of Zᵢᵀyᵢ
    ztz = design.stats.ztz[0]
    expected = fit.sigma2 * (ztz @ fit.lam @ fit.lam.T @ ztz + ztz)
    np.testing.assert_allclose(np.cov(first), expected, rtol=0.1, atol=0.05 * expected.max())


def _converged(refitter: Refitter, statistics: fast.SufficientStatistics, index: int | None = None
               ) -> float:  # fmt: skip
    found = refitter.refit_statistics(
        statistics if index is None else fast.without_column(statistics, index)
    )
    assert found.converged
    return found.loglik


def test_one_step_refits_agree_with_converged_refits(large: FittedDesign) -> None:
    """β̂* within 0.02 standard errors and its standard error within 2% of the refit to
    convergence of the same simulated data, for every replicate the step refits."""
    model = large
    assert model._in_blocks(model._refitter)
    design = model._block_design
    block_refitter = model._block_refitter(
        model._refitter, [bootstrap.Model(keep=np.arange(design.p), reml=True)]
    )
    simulation = bootstrap.Simulation(design, model.reml.beta, model.reml.lam, model.reml.sigma2)
    block = simulation.block(64, np.random.default_rng(11))
    (found,) = block_refitter.refit(block)
    assert found.exact.sum() <= 3
    se = model.reml.se[model.index]
    for b in np.flatnonzero(~found.exact):
        converged = model._refitter.refit_statistics(block.statistics(design, b))
        assert abs(found.beta[model.index, b] - converged.beta[model.index]) < 0.02 * se
        assert found.se[model.index, b] == pytest.approx(converged.se[model.index], rel=0.02)


def test_null_model_p_value_equals_that_of_converged_refits(large: FittedDesign) -> None:
    """The likelihood-ratio statistics of the one-step refits are within :data:`LRT_MARGIN`
    of the converged ones, so the p-value in blocks counts the same exceedances."""
    model = large
    full, reduced, reduced_x = model._ml
    refit_full = Refitter(model.design.X, model.design, full, reml=False, free=model.free)
    refit_reduced = Refitter(reduced_x, model.design, reduced, reml=False, free=model.free)
    observed = max(0.0, 2.0 * (full.loglik - reduced.loglik))
    found = model._null_in_blocks(128, 7, observed, refit_full, refit_reduced)
    assert found.n_used == 128
    design = model._block_design
    block_refitter = model._block_refitter(
        refit_reduced,
        [
            bootstrap.Model(keep=np.arange(design.p), reml=False),
            bootstrap.Model(keep=np.delete(np.arange(design.p), model.index), reml=False),
        ],
    )
    simulation = bootstrap.Simulation(design, np.zeros(design.p), reduced.lam, reduced.sigma2)
    converged = []
    for size, rng in model._block_seeds(128, 7):
        block = simulation.block(size, rng)
        with_term, without = block_refitter.refit(block)
        for b in range(size):
            drawn = block.statistics(design, b)
            statistic = 2.0 * (
                _converged(refit_full, drawn) - _converged(refit_reduced, drawn, model.index)
            )
            converged.append(max(0.0, statistic))
            if not (with_term.exact[b] or without.exact[b]):
                one_step = max(0.0, without.deviance[b] - with_term.deviance[b])
                assert abs(one_step - converged[-1]) < LRT_MARGIN
    exceed = sum(value >= observed - 1e-10 * max(1.0, observed) for value in converged)
    assert found.p == (1 + exceed) / (1 + len(converged))


def test_percentile_interval_matches_converged_refits(large: FittedDesign) -> None:
    """The percentile interval of the draws in blocks is within 0.02 standard errors of the
    interval from refitting the same simulated data to convergence."""
    model = large
    draws = model.draws(192, 21)
    assert draws.n == 192
    design = model._block_design
    simulation = bootstrap.Simulation(design, model.reml.beta, model.reml.lam, model.reml.sigma2)
    estimates = []
    for size, rng in model._block_seeds(192, 21):
        block = simulation.block(size, rng)
        for b in range(size):
            found = model._refitter.refit_statistics(block.statistics(design, b))
            estimates.append(found.beta[model.index])
    low, high = np.quantile(estimates, [0.025, 0.975])
    se = model.reml.se[model.index]
    assert draws.percentile_ci() == pytest.approx((low, high), abs=0.02 * se)


def test_small_panels_and_fits_near_a_bound_refit_every_replicate() -> None:
    """Below :data:`BLOCK_REFITS_FROM` participants, and when a random-effect SD is within three
    standard errors of 0, every replicate is refitted to convergence."""
    small = _matthew_model(400, seed=3)
    assert not small._in_blocks(small._refitter)
    flat = _matthew_model(BLOCK_REFITS_FROM, seed=4, slope_sd=0.1)
    assert not flat._in_blocks(flat._refitter)
