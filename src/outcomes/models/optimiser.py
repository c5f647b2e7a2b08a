"""The fast engine's optimiser: starting values of θ and the bounded minimisation of the deviance.

What belongs here: :func:`optimise`, which minimises the profiled (RE)ML deviance of ``fast.py``
over θ by L-BFGS-B with Λ's diagonal bounded at 0 (lme4's ``lower``; Bates, Mächler, Bolker &
Walker 2015, J. Stat. Softw. 67(1), §4, "Nonlinear optimization module") and returns a
:class:`FastFit`; its starting values (:func:`default_start`, lme4's Λ = I, and
:func:`moment_start`, a method-of-moments θ from per-participant least squares); and
:func:`projected_gradient`, the convergence measure at a bound. What does not: the deviance, its
gradient and the sufficient statistics (``fast.py``), refits warm-started at θ̂ (``refit.py``)
and packing a fit into a result (``fit.py``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.optimize

from outcomes.models.fast import (
    ProfiledDeviance,
    ProfiledSolution,
    SufficientStatistics,
    theta_index,
    theta_lower_bounds,
)


@dataclass
class FastFit:
    """Outcome of :func:`optimise`: the solution at θ̂ and the optimiser's state."""

    solution: ProfiledSolution
    gradient: np.ndarray
    iterations: int
    evaluations: int
    converged: bool
    message: str
    seconds: float


def default_start(q: int) -> np.ndarray:
    """Return lme4's default starting θ: Λ = I (random SDs equal to the residual SD)."""
    rows, cols = theta_index(q)
    return np.where(rows == cols, 1.0, 0.0)


def moment_start(stats: SufficientStatistics) -> np.ndarray:
    """Return a method-of-moments starting θ from per-participant least squares.

    Residuals of the ordinary least-squares fit are regressed on Zᵢ within each participant
    with more observations than random terms; the spread of those coefficients minus their
    average sampling variance σ̂²(ZᵢᵀZᵢ)⁻¹ estimates σ²ΛΛᵀ. Falls back to
    :func:`default_start` when too few participants allow it. The diagonal is kept at ≥ 0.05
    so that the optimiser starts inside the parameter space.
    """
    q, p = stats.q, stats.p
    fallback = default_start(q)
    try:
        beta = np.linalg.solve(stats.cross[:p, :p], stats.cross[:p, p]) if p else np.zeros(0)
    except np.linalg.LinAlgError:
        return fallback
    v = np.append(-beta, 1.0)
    zte = stats.ztxy @ v
    det = np.linalg.det(stats.ztz)
    scale = np.einsum("gii->g", stats.ztz) ** q
    eligible = (stats.group_sizes > q) & (det > 1e-8 * np.maximum(scale, 1e-300))
    n_eligible = int(eligible.sum())
    if n_eligible < max(5, 2 * q):
        return fallback
    ztz_inverse = np.linalg.inv(stats.ztz[eligible])
    coefficients = np.einsum("gab,gb->ga", ztz_inverse, zte[eligible])
    residual_ss = float(v @ stats.cross @ v) - float(np.sum(zte[eligible] * coefficients))
    df = stats.n - q * n_eligible - p
    if df <= 0 or residual_ss <= 0:
        return fallback
    sigma2 = residual_ss / df
    centred = coefficients - coefficients.mean(axis=0)
    g_hat = centred.T @ centred / (n_eligible - 1) - sigma2 * ztz_inverse.mean(axis=0)
    g_hat = 0.5 * (g_hat + g_hat.T) / sigma2
    values, vectors = np.linalg.eigh(g_hat)
    if not np.all(np.isfinite(values)):
        return fallback
    floor = 1e-3 * max(float(values.max()), 1e-6)
    g_hat = (vectors * np.maximum(values, floor)) @ vectors.T
    lam = np.linalg.cholesky(g_hat)
    lam[np.diag_indices(q)] = np.maximum(np.diagonal(lam), 0.05)
    rows, cols = theta_index(q)
    return lam[rows, cols]


def projected_gradient(theta: np.ndarray, gradient: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """Return the gradient with components that push θ below a bound it sits on set to 0."""
    at_bound = (theta <= lower + 1e-10) & (gradient > 0)
    return np.where(at_bound, 0.0, gradient)


def optimise(
    deviance: ProfiledDeviance,
    *,
    start_theta: np.ndarray | None = None,
    gradient_tolerance: float = 1e-6,
    max_iterations: int = 500,
    uncorrelated: bool = False,
) -> FastFit:
    """Minimise the profiled deviance over θ by L-BFGS-B with Λ's diagonal bounded at 0.

    Returns the :class:`FastFit` at θ̂. Convergence means the projected gradient is below
    ``gradient_tolerance`` relative to max(1, |d|/n) or L-BFGS-B reported success in a run
    that met no point where the deviance is +∞ (such a run is restarted from where it stopped).
    ``uncorrelated`` holds Λ's off-diagonal elements at 0: independent random terms, lme4's
    ``(1 + years || participant_id)``.
    """
    started = time.perf_counter()
    q = deviance.stats.q
    lower = theta_lower_bounds(q)
    rows, cols = theta_index(q)
    held = (rows != cols) if uncorrelated else np.zeros(lower.size, dtype=bool)
    if start_theta is None:
        theta0 = moment_start(deviance.stats)
    else:
        theta0 = np.asarray(start_theta, dtype=float)
    if theta0.shape != lower.shape:
        raise ValueError(f"start_theta must have {lower.size} elements for {q} random terms")
    theta0 = np.where(held, 0.0, np.maximum(theta0, lower))
    lower = np.where(held, 0.0, lower)
    bounds = [
        (0.0, 0.0) if fixed else (None if np.isinf(lo) else lo, None)
        for lo, fixed in zip(lower, held, strict=True)
    ]
    options = {"maxiter": max_iterations, "ftol": 1e-12, "gtol": gradient_tolerance}

    def minimise(start: np.ndarray) -> tuple[scipy.optimize.OptimizeResult, bool]:
        """Run L-BFGS-B from ``start``; return its result and whether no point was +∞."""
        failures = deviance.failures
        found = scipy.optimize.minimize(
            deviance, start, jac=True, method="L-BFGS-B", bounds=bounds, options=options
        )
        return found, deviance.failures == failures

    result, clean = minimise(theta0)
    iterations = int(result.nit)
    # a line search that ran into +∞ (see ProfiledDeviance) can stop L-BFGS-B early with a
    # "success" message: start again from where it stopped, with fresh curvature memory
    for _ in range(5):
        if clean:
            break
        result, clean = minimise(result.x)
        iterations += int(result.nit)
    # L-BFGS-B's first steps can run onto a bound where the profiled deviance has a local
    # minimum; a boundary optimum is accepted only when no interior point along the zeroed
    # directions does better (lme4's bobyqa takes small steps and rarely meets this).
    on_bound = (lower == 0) & (result.x < 1e-6) & ~held
    if np.any(on_bound):
        best_value, best_theta = float(result.fun), result.x.copy()
        for k in np.flatnonzero(on_bound):
            # with Λ[j, j] = 0 the signs of Λ[r, j], r > j, do not matter, but move off the
            # bound they set the sign of the correlation: try both
            below = (cols == cols[k]) & (rows > rows[k]) & ~held
            for step in (1e-3, 0.02, 0.1, 0.3, 1.0):
                for sign in (1.0, -1.0):
                    trial = result.x.copy()
                    trial[k] = step
                    trial[below] *= sign
                    value = deviance.deviance(trial)
                    if value < best_value - 1e-9:
                        best_value, best_theta = value, trial
        if not np.array_equal(best_theta, result.x):
            retry, retry_clean = minimise(best_theta)
            iterations += int(retry.nit)
            if retry.fun < result.fun:
                result, clean = retry, retry_clean
    theta = np.maximum(result.x, lower)
    # components on the bound are exactly at it, as lme4 reports boundary fits
    theta = np.where((lower == 0) & (theta < 1e-10), 0.0, theta)
    value, gradient = deviance(theta)
    projected = np.where(held, 0.0, projected_gradient(theta, gradient, lower))
    scale = max(1.0, abs(value) / max(deviance.stats.n, 1))
    small_gradient = bool(
        np.max(np.abs(projected), initial=0.0) <= 1e3 * gradient_tolerance * scale
    )
    converged = (bool(result.success) and clean) or small_gradient
    solution = deviance.solve(theta)
    return FastFit(
        solution=solution,
        gradient=projected,
        iterations=iterations,
        evaluations=deviance.evaluations,
        converged=converged,
        message=str(result.message),
        seconds=time.perf_counter() - started,
    )
