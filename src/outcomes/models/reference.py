"""The statsmodels engine: MixedLM fitted so that its answers compare with lme4's and ``fast``.

What belongs here: translating a :class:`~outcomes.models.formula.Design` into statsmodels'
``MixedLM`` (same fixed design, same random terms with a free covariance, REML or ML) and its
result into the shared :class:`~outcomes.models.result.MixedResult`. statsmodels reports the
log-likelihood on lme4's scale (−½ REML criterion for REML, −½ deviance for ML), checked against
the published sleepstudy values in the tests. It is the reference engine and the fallback for
structures the fast engine does not take.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import polars as pl
from statsmodels.regression.mixed_linear_model import MixedLM, MixedLMParams
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from outcomes.models.fast import (
    lower_cholesky,
    sufficient_statistics,
    theta_index,
    theta_to_lambda,
)
from outcomes.models.formula import Design
from outcomes.models.optimiser import moment_start
from outcomes.models.result import (
    MixedResult,
    OptimizerState,
    fixed_effects_frame,
    information_criteria,
    singular_verdict,
)


def fixed_effects_covariance(design: Design, cov_re: np.ndarray, scale: float) -> np.ndarray:
    """Return (Σ XᵢᵀVᵢ⁻¹Xᵢ)⁻¹ with Vᵢ = σ²I + ZᵢΣ_bZᵢᵀ, looping over participants.

    This is lme4's ``vcov()`` (the fixed-effects covariance given the variance components);
    statsmodels' ``cov_params()`` instead inverts the joint Hessian of all parameters, which
    for REML differs from lme4 by up to a few tenths of a percent.
    """
    order = np.argsort(design.groups, kind="stable")
    boundaries = np.flatnonzero(np.diff(design.groups[order])) + 1
    p = design.X.shape[1]
    information = np.zeros((p, p))
    for rows in np.split(order, boundaries):
        x = design.X[rows]
        z = design.Z[rows]
        v = scale * np.eye(rows.size) + z @ cov_re @ z.T
        information += x.T @ np.linalg.solve(v, x)
    return np.linalg.inv(information)


def fit_statsmodels(
    design: Design,
    *,
    formula: str,
    random: str,
    reml: bool = True,
    start_theta: np.ndarray | None = None,
    blups: bool = False,
    max_iterations: int = 2000,
    polish: bool = True,
) -> MixedResult:
    """Fit ``design`` with statsmodels' MixedLM (L-BFGS, free random covariance) and return
    the :class:`MixedResult`.

    ``start_theta`` (lme4's θ, the column-major lower triangle of Λ) sets the starting relative
    covariance ΛΛᵀ; without it the method-of-moments start of the fast engine is used.
    ``polish`` adds a BFGS run to a gradient of 1e-10 (about doubling the time) so that the
    estimates agree with lme4 to 1e-6; without it statsmodels stops near 1e-5 relative.
    """
    started = time.perf_counter()
    q = design.Z.shape[1]
    p = design.X.shape[1]
    model = MixedLM(design.y, design.X, groups=design.groups, exog_re=design.Z)
    if start_theta is None:
        stats = sufficient_statistics(design.X, design.y, design.Z, design.groups, design.n_groups)
        start_theta = moment_start(stats)
    lam0 = theta_to_lambda(np.asarray(start_theta, dtype=float), q)
    beta0 = np.linalg.lstsq(design.X, design.y, rcond=None)[0] if p else np.zeros(0)
    start = MixedLMParams.from_components(fe_params=beta0, cov_re=lam0 @ lam0.T + 1e-8 * np.eye(q))
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        result = model.fit(
            start_params=start,
            reml=reml,
            method=["lbfgs"],
            maxiter=max_iterations,
            full_output=True,
        )
        if not np.isfinite(result.llf) or np.min(np.diag(np.atleast_2d(result.cov_re))) <= 0:
            # a boundary optimum: confirm it against statsmodels' default optimiser sequence
            second = model.fit(reml=reml, full_output=True, maxiter=max_iterations)
            if np.isfinite(second.llf) and (not np.isfinite(result.llf) or second.llf > result.llf):
                result = second
    caught = [
        f"statsmodels: {record.message}"
        for record in records
        if issubclass(record.category, ConvergenceWarning | UserWarning | RuntimeWarning)
    ]
    # statsmodels' L-BFGS stops at a per-observation gradient near 1e-5; a BFGS polish to
    # 1e-10 reaches the optimum lme4 and the fast engine report (its precision-loss warning
    # at that tolerance is expected and not passed on)
    if polish and np.isfinite(result.llf):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            polished = model.fit(
                start_params=result.params_object,
                reml=reml,
                method=["bfgs"],
                gtol=1e-10,
                maxiter=max_iterations,
                full_output=True,
            )
        if np.isfinite(polished.llf) and polished.llf >= result.llf:
            result = polished
    scale = float(result.scale)
    cov_re = np.asarray(result.cov_re, dtype=float).reshape(q, q)
    lam = lower_cholesky(cov_re / scale)
    rows, cols = theta_index(q)
    theta = lam[rows, cols]
    beta = np.asarray(result.fe_params, dtype=float)
    cov_fixed = fixed_effects_covariance(design, cov_re, scale)
    loglik = float(result.llf)
    n_parameters = p + theta.size + 1
    aic, bic = information_criteria(loglik, n_parameters, design.y.size)
    singular, singular_message = singular_verdict(theta, lam, design.random_names)
    history = getattr(result, "hist", None) or [{}]
    retvals = history[-1] if isinstance(history[-1], dict) else {}
    gradient = retvals.get("gopt", np.zeros(0))
    gradient = np.atleast_1d(np.asarray(gradient, dtype=float))
    converged = bool(result.converged) or bool(gradient.size and np.max(np.abs(gradient)) < 1e-6)
    warning_list = list(dict.fromkeys(caught)) if not converged else []
    if design.n_dropped:
        warning_list.insert(
            0, f"{design.n_dropped} row(s) with a missing value in a model column were dropped"
        )
    if singular_message:
        warning_list.append(singular_message)
    if not converged:
        warning_list.append("statsmodels' optimiser did not report convergence")
    optimizer = OptimizerState(
        method="statsmodels MixedLM lbfgs",
        theta=[float(t) for t in theta],
        iterations=int(retvals.get("iterations", retvals.get("nit", 0)) or 0),
        evaluations=int(retvals.get("fcalls", retvals.get("funcalls", 0)) or 0),
        converged=converged,
        gradient=[float(g) for g in np.atleast_1d(gradient)],
        message=str(retvals.get("warnflag", "")),
        objective=-2.0 * loglik,
    )
    blup_frame = None
    if blups:
        effects = result.random_effects
        labels = [design.group_labels[int(code)] for code in effects]
        values = np.array([np.asarray(effects[code], dtype=float) for code in effects])
        blup_frame = pl.DataFrame({design.group: labels}).with_columns(
            [pl.Series(name, values[:, j]) for j, name in enumerate(design.random_names)]
        )
    return MixedResult(
        engine="statsmodels",
        formula=formula,
        random=random,
        group=design.group,
        reml=reml,
        fixed_effects=fixed_effects_frame(design.fixed_names, beta, cov_fixed),
        cov_fixed=cov_fixed,
        random_terms=list(design.random_names),
        random_cov=cov_re,
        residual_var=scale,
        loglik=loglik,
        deviance=-2.0 * loglik,
        aic=aic,
        bic=bic,
        n_observations=int(design.y.size),
        n_participants=design.n_groups,
        n_dropped=design.n_dropped,
        optimizer=optimizer,
        singular=singular,
        singular_message=singular_message,
        warnings=warning_list,
        seconds=time.perf_counter() - started,
        blups=blup_frame,
        theta=theta,
    )
