"""Refitting one mixed model to new responses on the fast engine, warm-started at θ̂.

What belongs here: :class:`FastFit` (one fit's β̂, covariance, θ̂, σ̂², log-likelihood),
:func:`fit_design` (a REML or ML fit of a design's columns), and :class:`Refitter`, which refits a
model to a simulated response from that response's cross products alone (MixedModels.jl's
``refit!``). What does not: drawing the responses and what the refits are for (``power.py``,
``bootstrap.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from outcomes.models import fast, optimiser
from outcomes.models.formula import Design
from outcomes.models.result import is_singular


@dataclass
class FastFit:
    """One fit on the fast engine: β̂, its covariance, θ̂, σ̂², log-likelihood, convergence."""

    beta: np.ndarray
    cov: np.ndarray
    theta: np.ndarray
    sigma2: float
    loglik: float
    converged: bool
    lam: np.ndarray

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.clip(np.diagonal(self.cov), 0.0, None))


def fit_design(design_x: np.ndarray, design: Design, y: np.ndarray, *, reml: bool,
               start: np.ndarray | None, uncorrelated: bool = False) -> FastFit:  # fmt: skip
    """Return the REML or ML :class:`FastFit` of ``y`` on the columns ``design_x`` with the random
    part of ``design``, started at θ = ``start`` (moment start when None)."""
    statistics = fast.sufficient_statistics(design_x, y, design.Z, design.groups, design.n_groups)
    deviance = fast.ProfiledDeviance(statistics, reml=reml)
    fitted = optimiser.optimise(deviance, start_theta=start, uncorrelated=uncorrelated)
    solution = fitted.solution
    return FastFit(
        beta=solution.beta,
        cov=solution.sigma2 * solution.a_inverse,
        theta=solution.theta,
        sigma2=solution.sigma2,
        loglik=-0.5 * solution.deviance,
        converged=fitted.converged,
        lam=solution.lam,
    )


@dataclass(frozen=True)
class Refit:
    """One refit of a simulated response: β̂, SEs, log-likelihood and its bookkeeping."""

    beta: np.ndarray
    se: np.ndarray
    loglik: float
    converged: bool
    singular: bool
    fallback: bool


class Refitter:
    """Refits one model (X, Z, REML or ML) to new responses, warm-started at θ̂.

    Only what depends on y is recomputed (``fast.with_response``); BFGS starts from the
    original fit's inverse Hessian with backtracking and falls back to the bounded optimiser
    when it does not converge in a few steps or θ̂ is on a bound (MixedModels.jl's ``refit!``).
    ``free`` marks the elements of θ the model estimates (uncorrelated random parts hold the
    off-diagonal ones at 0).
    """

    def __init__(self, X: np.ndarray, design: Design, fit: FastFit, *, reml: bool,
                 free: np.ndarray) -> None:  # fmt: skip
        self.X = X
        self.design = design
        self.fit = fit
        self.reml = reml
        self.free = free
        self.statistics = fast.sufficient_statistics(
            X, design.y, design.Z, design.groups, design.n_groups
        )
        self._inverse = self._hessian_inverse()

    @property
    def inverse_hessian(self) -> np.ndarray | None:
        """The inverse Hessian over the free θ of the deviance at θ̂, or None when θ̂ is on a
        bound or the Hessian is not positive definite."""
        return self._inverse

    def standard_errors(self) -> np.ndarray | None:
        """Return the large-sample standard errors of the free θ̂ (√ of the diagonal of 2H⁻¹,
        the deviance being −2 log L), or None without an inverse Hessian."""
        if self._inverse is None:
            return None
        return np.sqrt(2.0 * np.diagonal(self._inverse))

    def _hessian_inverse(self) -> np.ndarray | None:
        """The inverse Hessian over the free θ of the deviance at θ̂ (central differences of the
        analytic gradient), or None when θ̂ is on a bound or the Hessian is not positive."""
        theta = self.fit.theta
        lower = fast.theta_lower_bounds(self.design.Z.shape[1])
        free = np.flatnonzero(self.free)
        if np.any((theta - lower)[free] < 1e-3):
            return None
        deviance = fast.ProfiledDeviance(self.statistics, reml=self.reml)
        hessian = np.empty((free.size, free.size))
        for out, j in enumerate(free):
            h = 1e-4 * max(1.0, abs(theta[j]))
            up, down = theta.copy(), theta.copy()
            up[j] += h
            down[j] -= h
            hessian[:, out] = (deviance(up)[1] - deviance(down)[1])[free] / (2.0 * h)
        hessian = 0.5 * (hessian + hessian.T)
        if np.any(np.linalg.eigvalsh(hessian) <= 0):
            return None
        return np.linalg.inv(hessian)

    def __call__(self, y: np.ndarray, *, max_steps: int = 12) -> Refit:
        """Return the :class:`Refit` of the model to response ``y``."""
        design = self.design
        statistics = fast.with_response(self.statistics, self.X, y, design.Z, design.groups)
        return self.refit_statistics(statistics, max_steps=max_steps)

    def refit_statistics(
        self, statistics: fast.SufficientStatistics, *, max_steps: int = 12
    ) -> Refit:
        """Return the :class:`Refit` of the model to the response whose cross products
        ``statistics`` holds (``fast.with_response``)."""
        design = self.design
        deviance = fast.ProfiledDeviance(statistics, reml=self.reml)
        free = np.flatnonzero(self.free)
        theta = self.fit.theta.copy()
        converged = False
        if self._inverse is not None:
            lower = fast.theta_lower_bounds(design.Z.shape[1])
            h = self._inverse.copy()
            value, full_gradient = deviance(theta)
            gradient = full_gradient[free]
            for _ in range(max_steps):
                step = h @ gradient
                # Newton decrement: the deviance is within about this of its minimum
                if float(gradient @ step) < 1e-7:
                    converged = True
                    break
                scale = 1.0
                while True:
                    trial = theta.copy()
                    trial[free] -= scale * step
                    if np.all(trial[free] >= lower[free] + 1e-6):
                        trial_value, trial_full = deviance(trial)
                        if trial_value <= value - 1e-4 * scale * float(gradient @ step):
                            break
                    scale *= 0.5
                    if scale < 1e-3:
                        break
                if scale < 1e-3:
                    break
                trial_gradient = trial_full[free]
                s = (trial - theta)[free]
                g_change = trial_gradient - gradient
                curvature = float(s @ g_change)
                if curvature > 1e-12:
                    rho = 1.0 / curvature
                    eye = np.eye(s.size)
                    h = (eye - rho * np.outer(s, g_change)) @ h @ (
                        eye - rho * np.outer(g_change, s)
                    ) + rho * np.outer(s, s)
                theta, value, gradient = trial, trial_value, trial_gradient
        fallback = False
        if converged:
            solution = deviance.solve(theta)
        else:
            fallback = True
            fitted = optimiser.optimise(
                deviance,
                start_theta=self.fit.theta,
                uncorrelated=not bool(np.all(self.free)),
            )
            solution = fitted.solution
            converged = fitted.converged
        cov = solution.sigma2 * solution.a_inverse
        singular = is_singular(solution.lam)
        return Refit(
            beta=solution.beta,
            se=np.sqrt(np.clip(np.diagonal(cov), 0.0, None)),
            loglik=-0.5 * solution.deviance,
            converged=bool(converged),
            singular=singular,
            fallback=fallback,
        )
