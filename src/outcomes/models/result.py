"""Result objects of mixed-model fits, shared by both engines.

What belongs here: :class:`MixedResult` (fixed effects with Wald intervals, variance components,
likelihood, information criteria, the optimiser's state, the singular-fit verdict) and its
``model.json`` shape (docs/architecture.md, "What the analysis writes"). What does not: any fitting.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

Z_975 = float(stats.norm.ppf(0.975))

#: How fixed effects are tested: lmerTest's Satterthwaite t (Kuznetsova et al. 2017).
SATTERTHWAITE = "Satterthwaite degrees of freedom, t tests and t(df) 95% intervals (as lmerTest)"

# lme4's isSingular() tolerance on the diagonal of Λ
SINGULAR_TOLERANCE = 1e-4


@dataclass
class OptimizerState:
    """The optimiser's state at the end of a fit (θ, iterations, convergence, gradient)."""

    method: str
    theta: list[float]
    iterations: int
    evaluations: int
    converged: bool
    gradient: list[float]
    message: str
    objective: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "theta": self.theta,
            "iterations": self.iterations,
            "evaluations": self.evaluations,
            "converged": self.converged,
            "gradient": self.gradient,
            "max_abs_gradient": max((abs(g) for g in self.gradient), default=0.0),
            "message": self.message,
            "objective": self.objective,
        }


@dataclass
class MixedResult:
    """A fitted linear mixed model with one grouping factor.

    ``fixed_effects`` is a polars frame (term, estimate, se, df, t, p, ci_low, ci_high) with
    Satterthwaite degrees of freedom and t(df) 95% intervals (``inference`` names the method);
    ``fixed`` gives the same rows by term name. ``random_cov`` is the covariance matrix
    of the random effects (in the outcome's units) over ``random_terms``; ``random_effects`` gives
    intercept_var, slope_var (the first non-intercept term), corr and residual_var. ``loglik`` is
    on lme4's scale: −½ REML criterion for REML fits, −½ deviance for ML fits (``deviance``).
    """

    engine: str
    formula: str
    random: str
    group: str
    reml: bool
    fixed_effects: pl.DataFrame
    cov_fixed: np.ndarray
    random_terms: list[str]
    random_cov: np.ndarray
    residual_var: float
    loglik: float
    deviance: float
    aic: float
    bic: float
    n_observations: int
    n_participants: int
    n_dropped: int
    optimizer: OptimizerState
    singular: bool
    singular_message: str | None
    warnings: list[str]
    seconds: float
    blups: pl.DataFrame | None = None
    theta: np.ndarray = field(default_factory=lambda: np.zeros(0))
    inference: str = SATTERTHWAITE
    random_structure: str = "correlated"
    structure_note: str | None = None
    #: the small-sample inference of the fit, for contrasts (``satterthwaite.Satterthwaite``)
    small_sample: Any = field(default=None, repr=False)

    def contrast(self, weights: dict[str, float]) -> dict[str, float]:
        """Return estimate, se, df, t, p and the t(df) 95% interval of Σ weights[term]·β_term
        (Satterthwaite, as lmerTest's ``contest``)."""
        if self.small_sample is None:
            raise ValueError("this fit has no small-sample inference")
        names = self.fixed_effects["term"].to_list()
        vector = np.zeros(len(names))
        for term, weight in weights.items():
            vector[names.index(term)] = weight
        return self.small_sample.contrast(vector).as_dict()

    @property
    def converged(self) -> bool:
        return self.optimizer.converged

    @property
    def fixed(self) -> dict[str, dict[str, float]]:
        """Return the fixed effects by term: {term: {estimate, se, df, t, p, ci_low, ci_high}}."""
        return {
            row["term"]: {k: v for k, v in row.items() if k != "term"}
            for row in self.fixed_effects.iter_rows(named=True)
        }

    @property
    def params(self) -> dict[str, float]:
        """Return the fixed-effect estimates by term."""
        return dict(zip(self.fixed_effects["term"], self.fixed_effects["estimate"], strict=True))

    @property
    def random_effects(self) -> dict[str, float | None]:
        """Return {intercept_var, slope_var, corr, residual_var} (None where a term is absent)."""
        terms = self.random_terms
        intercept = terms.index("Intercept") if "Intercept" in terms else None
        slopes = [i for i, t in enumerate(terms) if t != "Intercept"]
        slope = slopes[0] if slopes else None
        cov = self.random_cov
        intercept_var = float(cov[intercept, intercept]) if intercept is not None else None
        slope_var = float(cov[slope, slope]) if slope is not None else None
        corr: float | None = None
        if intercept is not None and slope is not None:
            corr = _correlation(cov, intercept, slope)
        elif len(terms) >= 2:
            corr = _correlation(cov, 0, 1)
        return {
            "intercept_var": intercept_var,
            "slope_var": slope_var,
            "corr": corr,
            "residual_var": float(self.residual_var),
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the ``model.json`` shape (docs/architecture.md, "What the analysis writes"; plain
        JSON types only)."""
        fixed = {
            term: {
                k: _clean(values[k])
                for k in ("estimate", "se", "df", "t", "p", "ci_low", "ci_high")
            }
            for term, values in self.fixed.items()
        }
        return {
            "engine": self.engine,
            "formula": self.formula,
            "random": f"({self.random} {'||' if self.random_structure == 'uncorrelated' else '|'} "
            f"{self.group})",
            "random_structure": self.random_structure,
            "structure_note": self.structure_note,
            "inference": self.inference,
            "reml": self.reml,
            "n_observations": self.n_observations,
            "n_participants": self.n_participants,
            "n_dropped": self.n_dropped,
            "fixed_effects": fixed,
            "random_effects": {k: _clean(v) for k, v in self.random_effects.items()},
            "random_covariance": {
                "terms": list(self.random_terms),
                "matrix": [[_clean(float(x)) for x in row] for row in self.random_cov],
            },
            "loglik": _clean(self.loglik),
            "deviance": _clean(self.deviance),
            "aic": _clean(self.aic),
            "bic": _clean(self.bic),
            "converged": self.converged,
            "singular": self.singular,
            "seconds": round(self.seconds, 4),
            "optimizer": self.optimizer.to_dict(),
            "warnings": list(self.warnings),
        }

    def to_json(self) -> str:
        """Return :meth:`to_dict` as indented, key-sorted JSON."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)


def _correlation(cov: np.ndarray, i: int, j: int) -> float | None:
    denominator = math.sqrt(max(cov[i, i], 0.0) * max(cov[j, j], 0.0))
    if denominator == 0.0:
        return None
    return float(np.clip(cov[i, j] / denominator, -1.0, 1.0))


def _clean(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def fixed_effects_frame(
    names: list[str], beta: np.ndarray, cov: np.ndarray, df: np.ndarray | None = None
) -> pl.DataFrame:
    """Return term, estimate, se, df, t, p, ci_low, ci_high of the fixed effects.

    With ``df`` (Satterthwaite degrees of freedom, ``satterthwaite.py``) p and the 95% interval
    come from t(df), as lmerTest's ``summary`` and ``contest``; without it (or where df is
    infinite) from the normal distribution, as lme4's ``confint(method = "Wald")``.
    """
    se = np.sqrt(np.clip(np.diagonal(cov), 0.0, None)) if len(names) else np.zeros(0)
    dof = np.full(len(names), np.inf) if df is None else np.asarray(df, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, beta / se, np.nan)
    finite = np.isfinite(dof)
    safe = np.where(finite, dof, 1.0)
    p = np.where(finite, 2.0 * stats.t.sf(np.abs(t), safe), 2.0 * stats.norm.sf(np.abs(t)))
    critical = np.where(finite, stats.t.ppf(0.975, safe), Z_975)
    return pl.DataFrame(
        {
            "term": names,
            "estimate": beta.astype(float),
            "se": se,
            "df": dof,
            "t": t,
            "p": p,
            "ci_low": beta - critical * se,
            "ci_high": beta + critical * se,
        },
        schema={
            "term": pl.String,
            "estimate": pl.Float64,
            "se": pl.Float64,
            "df": pl.Float64,
            "t": pl.Float64,
            "p": pl.Float64,
            "ci_low": pl.Float64,
            "ci_high": pl.Float64,
        },
    )


def is_singular(lam: np.ndarray) -> bool:
    """Return whether a diagonal element of Λ is below lme4's ``isSingular`` tolerance (1e-4):
    a random-effect variance at zero or two random effects perfectly correlated."""
    return bool(lam.size) and bool(np.any(np.diagonal(lam) < SINGULAR_TOLERANCE))


def singular_verdict(
    theta: np.ndarray, lam: np.ndarray, random_terms: list[str]
) -> tuple[bool, str | None]:
    """Return (singular, plain-language message) following lme4's ``isSingular``: a fit is
    singular when a diagonal element of Λ is below 1e-4, i.e. a random-effect variance is zero
    or two random effects are perfectly correlated."""
    if not is_singular(lam):
        return False, None
    relative = lam @ lam.T
    zero_var = [
        random_terms[i] for i in range(len(random_terms)) if relative[i, i] < SINGULAR_TOLERANCE**2
    ]
    if zero_var:
        what = (
            "the variance of the random "
            + " and ".join(repr(t) for t in zero_var)
            + " is estimated at (almost) zero"
        )
    else:
        what = "two random effects are estimated as (almost) perfectly correlated (|corr| = 1)"
    message = (
        f"Singular fit: {what}. The data do not support this random-effects structure and its "
        "variance components cannot be interpreted; M1 and the Matthew check refit such a "
        "model with uncorrelated random terms, then with a random intercept alone."
    )
    return True, message


def information_criteria(loglik: float, n_parameters: int, n: int) -> tuple[float, float]:
    """Return (AIC, BIC) as lme4 computes them from logLik (REML or ML) with df = p + θ + 1."""
    return -2.0 * loglik + 2.0 * n_parameters, -2.0 * loglik + math.log(n) * n_parameters
