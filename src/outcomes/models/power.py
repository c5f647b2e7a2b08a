"""Simulation from a fitted mixed model: parametric bootstrap, warm-started refits, power.

What belongs here: :class:`FittedDesign` (one model's design matrices with its REML fit and the
ML fits with and without a tested term, all on the fast engine's profiled deviance), drawing
responses from the fitted model (lme4's ``simulate``/``bootMer(type = "parametric")``), refitting
them warm-started at θ̂, and the minimal detectable effect from those draws. What does not: which
models are fitted and how results are reported (``matthew.py``, ``analysis.py``).

Refits use Newton steps on θ with the Hessian of the profiled deviance at the original θ̂
(finite differences of the analytic gradient); a replicate that does not converge in a few steps,
or whose θ̂ sits on a bound, falls back to the engine's bounded optimiser. The minimal detectable
effect uses that in a linear mixed model θ̂ is unchanged when Xγ is added to y while β̂ moves by
exactly γ: the simulated estimates centred at the fitted value, with their standard errors, give
the power of the Wald test for every true value of the term at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl
from scipy import stats

from outcomes.models import fast
from outcomes.models.formula import Design, ModelInputError, build_design

Z_975 = float(stats.norm.ppf(0.975))


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


def _fit(design_x: np.ndarray, design: Design, y: np.ndarray, *, reml: bool,
         start: np.ndarray | None) -> FastFit:  # fmt: skip
    statistics = fast.sufficient_statistics(design_x, y, design.Z, design.groups, design.n_groups)
    deviance = fast.ProfiledDeviance(statistics, reml=reml)
    fitted = fast.optimise(deviance, start_theta=start)
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


@dataclass
class Draws:
    """Simulated refits of one term: estimates, SEs, how many converged."""

    term: str
    fitted: float
    estimates: np.ndarray
    ses: np.ndarray
    n_converged: int
    n_fallback: int = 0

    @property
    def n(self) -> int:
        return int(self.estimates.size)

    def percentile_ci(self, level: float = 0.95) -> tuple[float, float]:
        """Return the percentile interval of the simulated estimates (lme4's
        ``confint(bootMer(...), type = "perc")``)."""
        alpha = (1.0 - level) / 2.0
        low, high = np.quantile(self.estimates, [alpha, 1.0 - alpha])
        return float(low), float(high)


@dataclass
class FittedDesign:
    """A mixed model's design with its REML fit, ready for ML tests and simulation.

    Built by :func:`fitted_design`. ``reml`` is the REML fit of the full model; ``term`` the
    tested fixed effect (e.g. ``years:network_size_bl_c``) and ``index`` its column in X.
    """

    design: Design
    formula: str
    term: str
    index: int
    reml: FastFit

    @cached_property
    def _statistics(self) -> fast.SufficientStatistics:
        """The sufficient statistics of the observed data; refits replace only the y parts."""
        design = self.design
        return fast.sufficient_statistics(
            design.X, design.y, design.Z, design.groups, design.n_groups
        )

    @cached_property
    def _mean(self) -> np.ndarray:
        """Xβ̂ of the REML fit, the mean every simulation starts from."""
        return self.design.X @ self.reml.beta

    @property
    def n_observations(self) -> int:
        return int(self.design.y.size)

    @property
    def n_participants(self) -> int:
        return self.design.n_groups

    def coefficient(self, name: str) -> dict[str, float]:
        """Return estimate, se, Wald 95% CI, z and p of fixed effect ``name`` (REML fit)."""
        k = self.design.fixed_names.index(name)
        estimate = float(self.reml.beta[k])
        se = float(self.reml.se[k])
        z = estimate / se if se > 0 else float("nan")
        return {
            "estimate": estimate,
            "se": se,
            "ci_low": estimate - Z_975 * se,
            "ci_high": estimate + Z_975 * se,
            "z": z,
            "p": float(2.0 * stats.norm.sf(abs(z))) if math.isfinite(z) else float("nan"),
        }

    def likelihood_ratio(self) -> dict[str, float]:
        """Return the likelihood-ratio test of ``term`` from ML fits of the model with and
        without it (lme4's ``anova(m0, m1)`` on ML refits): statistic, df = 1, p (χ²₁), and
        both log-likelihoods."""
        x = self.design.X
        full = _fit(x, self.design, self.design.y, reml=False, start=self.reml.theta)
        reduced_x = np.delete(x, self.index, axis=1)
        reduced = _fit(reduced_x, self.design, self.design.y, reml=False, start=full.theta)
        statistic = max(0.0, 2.0 * (full.loglik - reduced.loglik))
        return {
            "lrt_stat": statistic,
            "lrt_df": 1,
            "lrt_p": float(stats.chi2.sf(statistic, 1)),
            "loglik_ml": full.loglik,
            "loglik_ml_without": reduced.loglik,
        }

    def simulate(self, rng: np.random.Generator) -> np.ndarray:
        """Return one response vector drawn from the fitted model: Xβ̂ + Zbᵢ + ε with
        bᵢ ~ N(0, σ̂²ΛΛ') and ε ~ N(0, σ̂²) (lme4's ``simulate``)."""
        design = self.design
        sigma = math.sqrt(self.reml.sigma2)
        q = design.Z.shape[1]
        b = sigma * (rng.standard_normal((design.n_groups, q)) @ self.reml.lam.T)
        return (
            self._mean
            + np.einsum("nq,nq->n", design.Z, b[design.groups])
            + rng.normal(0.0, sigma, size=design.y.size)
        )

    @cached_property
    def _hessian_inverse(self) -> np.ndarray | None:
        """The inverse Hessian of the REML deviance at θ̂ (central differences of the analytic
        gradient), or None when θ̂ is on a bound or the Hessian is not positive."""
        theta = self.reml.theta
        lower = fast.theta_lower_bounds(self.design.Z.shape[1])
        if np.any(theta - lower < 1e-3):
            return None
        deviance = fast.ProfiledDeviance(self._statistics, reml=True)
        k = theta.size
        hessian = np.empty((k, k))
        for j in range(k):
            h = 1e-4 * max(1.0, abs(theta[j]))
            up, down = theta.copy(), theta.copy()
            up[j] += h
            down[j] -= h
            hessian[:, j] = (deviance(up)[1] - deviance(down)[1]) / (2.0 * h)
        hessian = 0.5 * (hessian + hessian.T)
        if np.any(np.linalg.eigvalsh(hessian) <= 0):
            return None
        return np.linalg.inv(hessian)

    def refit(self, y: np.ndarray, *, max_steps: int = 12) -> tuple[np.ndarray, np.ndarray, bool,
                                                                    bool]:  # fmt: skip
        """Return (β̂, SEs, converged, fell back) of the REML refit of the model to ``y``,
        warm-started at the original θ̂."""
        design = self.design
        statistics = fast.with_response(self._statistics, design.X, y, design.Z, design.groups)
        deviance = fast.ProfiledDeviance(statistics, reml=True)
        inverse = self._hessian_inverse
        theta = self.reml.theta.copy()
        converged = False
        if inverse is not None:
            # BFGS started from the original fit's inverse Hessian, with backtracking
            lower = fast.theta_lower_bounds(self.design.Z.shape[1])
            h = inverse.copy()
            value, gradient = deviance(theta)
            for _ in range(max_steps):
                step = h @ gradient
                # Newton decrement: the deviance is within about this of its minimum
                if float(gradient @ step) < 1e-7:
                    converged = True
                    break
                scale = 1.0
                while True:
                    trial = theta - scale * step
                    if np.all(trial >= lower + 1e-6):
                        trial_value, trial_gradient = deviance(trial)
                        if trial_value <= value - 1e-4 * scale * float(gradient @ step):
                            break
                    scale *= 0.5
                    if scale < 1e-3:
                        break
                if scale < 1e-3:
                    break
                s = trial - theta
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
            fitted = fast.optimise(deviance, start_theta=self.reml.theta)
            solution = fitted.solution
            converged = fitted.converged
        cov = solution.sigma2 * solution.a_inverse
        return solution.beta, np.sqrt(np.clip(np.diagonal(cov), 0.0, None)), converged, fallback

    def draws(self, n: int, seed: int | np.random.SeedSequence) -> Draws:
        """Return ``n`` parametric-bootstrap refits of ``term`` (simulated from the REML fit,
        refitted by REML warm-started at θ̂); the same seed gives the same draws."""
        rng = np.random.default_rng(seed)
        estimates = np.empty(n)
        ses = np.empty(n)
        n_converged = 0
        n_fallback = 0
        for r in range(n):
            beta, se, converged, fallback = self.refit(self.simulate(rng))
            estimates[r] = beta[self.index]
            ses[r] = se[self.index]
            n_converged += int(converged)
            n_fallback += int(fallback)
        return Draws(
            term=self.term,
            fitted=float(self.reml.beta[self.index]),
            estimates=estimates,
            ses=ses,
            n_converged=n_converged,
            n_fallback=n_fallback,
        )


def fitted_design(
    formula: str, frame: pl.DataFrame, *, term: str, group: str = "participant_id",
    random: str = "1 + years",
) -> FittedDesign:  # fmt: skip
    """Build the design of ``formula`` on ``frame`` and fit it by REML on the fast engine;
    return the :class:`FittedDesign` for tests of fixed effect ``term``."""
    design = build_design(formula, frame, group=group, random=random)
    if term not in design.fixed_names:
        raise ModelInputError(
            f"the term {term!r} is not in the model {formula!r} "
            f"(terms: {', '.join(design.fixed_names)})"
        )
    if design.y.size <= design.X.shape[1]:
        raise ModelInputError(
            f"{design.y.size} complete row(s) cannot estimate {design.X.shape[1]} fixed effects"
        )
    reml = _fit(design.X, design, design.y, reml=True, start=None)
    return FittedDesign(
        design=design,
        formula=formula,
        term=term,
        index=design.fixed_names.index(term),
        reml=reml,
    )


def power_at(effect: float, centred: np.ndarray, ses: np.ndarray, alpha: float = 0.05) -> float:
    """Return the share of simulated two-sided Wald tests at level ``alpha`` that reject when
    the true value is ``effect``: mean(|centred + effect| / se > z₁₋α/₂)."""
    z = float(stats.norm.ppf(1.0 - alpha / 2.0))
    return float(np.mean(np.abs(centred + effect) / ses > z))


def minimal_detectable_effect(
    draws: Draws, *, power: float = 0.8, alpha: float = 0.05
) -> float | None:
    """Return the smallest positive true value of the term that the Wald test at ``alpha``
    detects with probability ``power``, from simulated refits (see the module docstring).

    None when fewer than 20 draws are available.
    """
    if draws.n < 20:
        return None
    centred = draws.estimates - draws.fitted
    ses = draws.ses
    high = float((Z_975 + 4.0) * np.max(ses) + np.max(np.abs(centred)))
    if power_at(high, centred, ses, alpha) < power:
        return None
    low = 0.0
    for _ in range(60):
        middle = 0.5 * (low + high)
        if power_at(middle, centred, ses, alpha) >= power:
            high = middle
        else:
            low = middle
    return high


def normal_mde(se: float, *, power: float = 0.8, alpha: float = 0.05) -> float:
    """Return (z₁₋α/₂ + z_power)·SE, the large-sample minimal detectable effect."""
    return float((stats.norm.ppf(1.0 - alpha / 2.0) + stats.norm.ppf(power)) * se)
