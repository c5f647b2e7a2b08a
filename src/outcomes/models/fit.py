"""One fitting API over both engines: :func:`fit_mixed`.

What belongs here: choosing the engine, running the fast engine and packing its solution into a
:class:`~outcomes.models.result.MixedResult` (variance components, Wald tests, AIC/BIC, BLUPs,
singular-fit verdict). The statsmodels engine packs its own result in ``reference.py``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import polars as pl

from outcomes.models import fast, optimiser
from outcomes.models.formula import Design, ModelInputError, build_design
from outcomes.models.result import (
    MixedResult,
    OptimizerState,
    fixed_effects_frame,
    information_criteria,
    singular_verdict,
)
from outcomes.models.satterthwaite import Satterthwaite, satterthwaite

ENGINES = ("auto", "fast", "statsmodels")

# The fast engine keeps q(q+1)/2 products per participant; beyond this many random terms the
# statsmodels engine is used under engine="auto".
FAST_MAX_RANDOM_TERMS = 6


def fit_mixed(
    formula: str,
    data: pl.DataFrame | pd.DataFrame,
    *,
    group: str,
    random: str = "1 + years",
    reml: bool = True,
    engine: str = "auto",
    start_theta: np.ndarray | list[float] | None = None,
    blups: bool = False,
    uncorrelated: bool = False,
) -> MixedResult:
    """Fit ``formula`` with correlated random terms ``random`` by ``group`` and return the
    :class:`MixedResult`.

    The model is lme4's ``lmer(formula + (random | group), REML = reml)``. ``engine`` is
    ``"fast"`` (profiled deviance from per-participant sufficient statistics, see ``fast.py``),
    ``"statsmodels"`` (MixedLM) or ``"auto"`` (fast unless there are more than six random
    terms). ``start_theta`` warm-starts the optimiser at lme4's θ (e.g. from an earlier fit's
    ``result.theta``, for bootstraps). ``uncorrelated`` makes the random terms independent
    (lme4's ``(random || group)``, fast engine only). Rows with a missing value in a used
    column are dropped and counted in ``n_dropped``. Fixed effects carry Satterthwaite degrees
    of freedom (``satterthwaite.py``) on both engines.
    """
    if engine not in ENGINES:
        raise ModelInputError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    started = time.perf_counter()
    design = build_design(formula, data, group=group, random=random)
    if design.y.size <= design.X.shape[1]:
        raise ModelInputError(
            f"{design.y.size} complete row(s) cannot estimate {design.X.shape[1]} fixed effects"
        )
    q = design.Z.shape[1]
    chosen = engine
    if engine == "auto":
        chosen = "fast" if q <= FAST_MAX_RANDOM_TERMS or uncorrelated else "statsmodels"
    if uncorrelated and chosen == "statsmodels":
        raise ModelInputError("uncorrelated random terms are fitted by the fast engine only")
    theta0 = None if start_theta is None else np.asarray(start_theta, dtype=float)
    if chosen == "statsmodels":
        # statsmodels is imported only when used: it takes seconds to import
        from outcomes.models.reference import fit_statsmodels

        result = fit_statsmodels(
            design, formula=formula, random=random, reml=reml, start_theta=theta0, blups=blups
        )
        result.fixed_effects, result.small_sample = _with_satterthwaite(design, result, reml=reml)
    else:
        result = _fit_fast(
            design,
            formula=formula,
            random=random,
            reml=reml,
            start_theta=theta0,
            blups=blups,
            uncorrelated=uncorrelated,
        )
    result.seconds = time.perf_counter() - started
    return result


def _fit_fast(
    design: Design,
    *,
    formula: str,
    random: str,
    reml: bool,
    start_theta: np.ndarray | None,
    blups: bool,
    uncorrelated: bool = False,
) -> MixedResult:
    centring = fast.centre(design.X, design.y)
    stats = fast.sufficient_statistics(
        centring.X, centring.y, design.Z, design.groups, design.n_groups
    )
    deviance = fast.ProfiledDeviance(stats, reml=reml)
    fitted = optimiser.optimise(deviance, start_theta=start_theta, uncorrelated=uncorrelated)
    solution = fitted.solution
    sigma2 = solution.sigma2
    lam = solution.lam
    random_cov = sigma2 * (lam @ lam.T)
    cov_fixed = centring.covariance(sigma2 * solution.a_inverse)
    beta = centring.beta(solution.beta)
    rows, cols = fast.theta_index(stats.q)
    small_sample = satterthwaite(
        deviance,
        solution.theta,
        beta=beta,
        transform=centring.transform,
        free=(rows == cols) if uncorrelated else None,
    )
    df = np.array([small_sample.df(row) for row in np.eye(beta.size)])
    loglik = -0.5 * solution.deviance
    n_parameters = stats.p + solution.theta.size + 1
    aic, bic = information_criteria(loglik, n_parameters, stats.n)
    singular, singular_message = singular_verdict(solution.theta, lam, design.random_names)
    warning_list: list[str] = []
    if design.n_dropped:
        warning_list.append(
            f"{design.n_dropped} row(s) with a missing value in a model column were dropped"
        )
    if singular_message:
        warning_list.append(singular_message)
    if not fitted.converged:
        warning_list.append(
            "The optimiser did not converge (largest gradient "
            f"{np.max(np.abs(fitted.gradient)):.3g}): {fitted.message}. "
            "Estimates may be off; try start_theta from a simpler model."
        )
    optimizer = OptimizerState(
        method="L-BFGS-B on θ (profiled deviance, analytic gradient)",
        theta=[float(t) for t in solution.theta],
        iterations=fitted.iterations,
        evaluations=fitted.evaluations,
        converged=fitted.converged,
        gradient=[float(g) for g in fitted.gradient],
        message=fitted.message,
        objective=solution.deviance,
    )
    blup_frame = None
    if blups:
        blup_frame = _blups(design, stats, solution)
    return MixedResult(
        engine="fast",
        formula=formula,
        random=random,
        group=design.group,
        reml=reml,
        fixed_effects=fixed_effects_frame(design.fixed_names, beta, cov_fixed, df),
        cov_fixed=cov_fixed,
        random_terms=list(design.random_names),
        random_cov=random_cov,
        residual_var=sigma2,
        loglik=loglik,
        deviance=solution.deviance,
        aic=aic,
        bic=bic,
        n_observations=stats.n,
        n_participants=stats.n_groups,
        n_dropped=design.n_dropped,
        optimizer=optimizer,
        singular=singular,
        singular_message=singular_message,
        warnings=warning_list,
        seconds=fitted.seconds,
        blups=blup_frame,
        theta=solution.theta.copy(),
        small_sample=small_sample,
        random_structure=(
            "intercept" if stats.q == 1 else "uncorrelated" if uncorrelated else "correlated"
        ),
    )


def _with_satterthwaite(
    design: Design, result: MixedResult, *, reml: bool
) -> tuple[pl.DataFrame, Satterthwaite]:
    """Return ``result``'s fixed effects with Satterthwaite df computed on the fast engine's
    deviance at the statsmodels θ̂ (the same quantities, so both engines report the same df),
    and that inference."""
    centring = fast.centre(design.X, design.y)
    stats = fast.sufficient_statistics(
        centring.X, centring.y, design.Z, design.groups, design.n_groups
    )
    deviance = fast.ProfiledDeviance(stats, reml=reml)
    beta = result.fixed_effects["estimate"].to_numpy()
    small_sample = satterthwaite(deviance, result.theta, beta=beta, transform=centring.transform)
    df = np.array([small_sample.df(row) for row in np.eye(beta.size)])
    return fixed_effects_frame(design.fixed_names, beta, result.cov_fixed, df), small_sample


def _blups(
    design: Design, stats: fast.SufficientStatistics, solution: fast.ProfiledSolution
) -> pl.DataFrame:
    """Return the conditional modes b̂ᵢ = WᵢZᵢᵀ(yᵢ − Xᵢβ̂) per participant (lme4's ``ranef``) and
    their conditional SDs √(σ̂²·diag Wᵢ) (lme4's ``condVar``), one row per participant."""
    v = np.append(-solution.beta, 1.0)
    residual_cross = stats.ztxy @ v
    modes = np.einsum("gab,gb->ga", solution.w, residual_cross)
    cond_sd = np.sqrt(
        np.clip(np.diagonal(solution.w, axis1=1, axis2=2), 0.0, None) * solution.sigma2
    )
    columns = [pl.Series(design.group, design.group_labels, dtype=pl.String)]
    for j, name in enumerate(design.random_names):
        columns.append(pl.Series(name, modes[:, j]))
    for j, name in enumerate(design.random_names):
        columns.append(pl.Series(f"{name}_sd", cond_sd[:, j]))
    return pl.DataFrame(columns)
