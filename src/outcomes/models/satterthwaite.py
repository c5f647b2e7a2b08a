"""Small-sample inference for fixed effects: Satterthwaite degrees of freedom, as lmerTest.

What belongs here: the asymptotic covariance of the variance parameters (θ, σ) of a fitted model
and the Satterthwaite degrees of freedom, t statistic, p-value and t interval of any contrast
L'β (one coefficient, the all-project yearly change, a slope at a given network size). What does
not: fitting (``fast.py``) and which contrasts are reported (``contrasts.py``, ``matthew.py``).

The method is lmerTest's (Kuznetsova, Brockhoff & Christensen 2017, "lmerTest package: tests in
linear mixed effects models", J. Stat. Softw. 82(13), §3.2; Satterthwaite 1946; Giesbrecht &
Burns 1985). With φ = (θ, σ) the variance parameters, C(φ) = σ²A(θ)⁻¹ the covariance of β̂ and
H the Hessian of the deviance d(θ, σ) (REML or ML, as fitted) at φ̂:

    Var(L'β̂) = L'CL,   gₖ = L'(∂C/∂φₖ)L,   V(φ̂) = 2H⁻¹,   df = 2(L'CL)² / (gᵀVg),

and t = L'β̂ / √(L'CL) is referred to t(df). H comes from central differences of the analytic
gradient of d(θ, σ); ∂C/∂θₖ from central differences of A(θ)⁻¹ and ∂C/∂σ = 2σA⁻¹. Each costs one
pass over the per-participant sufficient statistics, so the degrees of freedom cost a dozen
deviance evaluations whatever the data size: unlike emmeans (which falls back to asymptotic df
above 3,000 observations) nothing caps the data. As in lmerTest, V is the pseudo-inverse over
the positive eigenvalues of H when the fit sits on a boundary (a singular fit).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from outcomes.models import fast

#: Relative size below which an eigenvalue of H is taken as zero (lmerTest's tolerance is 1e-8
#: on the absolute scale; relative to the largest eigenvalue is scale-free).
EIGEN_TOLERANCE = 1e-8


@dataclass(frozen=True)
class Contrast:
    """One contrast L'β with its small-sample inference (lmerTest's ``contest1D``)."""

    estimate: float
    se: float
    df: float
    t: float
    p: float
    ci_low: float
    ci_high: float

    def as_dict(self) -> dict[str, float]:
        """Return estimate, se, df, t, p, ci_low and ci_high by name (as the JSON documents
        write them)."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Satterthwaite:
    """What the Satterthwaite degrees of freedom need of one fit, on the original columns of X.

    ``beta`` and ``cov`` are β̂ and C = σ̂²A⁻¹; ``jacobian`` (k, p, p) holds ∂C/∂φₖ for
    φ = (θ, σ); ``varpar_cov`` is V = 2H⁻¹ (k, k).
    """

    beta: np.ndarray
    cov: np.ndarray
    jacobian: np.ndarray
    varpar_cov: np.ndarray

    def df(self, contrast: np.ndarray) -> float:
        """Return the Satterthwaite degrees of freedom of L'β̂ (∞ when L'CL does not depend
        on the variance parameters)."""
        weights = np.asarray(contrast, dtype=float)
        variance = float(weights @ self.cov @ weights)
        gradient = np.einsum("i,kij,j->k", weights, self.jacobian, weights)
        denominator = float(gradient @ self.varpar_cov @ gradient)
        if denominator <= 0.0 or not math.isfinite(denominator):
            return math.inf
        return 2.0 * variance * variance / denominator

    def contrast(self, contrast: np.ndarray, *, level: float = 0.95) -> Contrast:
        """Return the :class:`Contrast` L'β̂ with SE, Satterthwaite df, t, p and t interval."""
        weights = np.asarray(contrast, dtype=float)
        estimate = float(weights @ self.beta)
        se = math.sqrt(max(float(weights @ self.cov @ weights), 0.0))
        df = self.df(weights)
        t = estimate / se if se > 0 else math.nan
        critical = (
            float(stats.t.ppf(0.5 + level / 2.0, df))
            if math.isfinite(df)
            else float(stats.norm.ppf(0.5 + level / 2.0))
        )
        p = float(2.0 * stats.t.sf(abs(t), df)) if math.isfinite(t) else math.nan
        return Contrast(
            estimate=estimate,
            se=se,
            df=df,
            t=t,
            p=p,
            ci_low=estimate - critical * se,
            ci_high=estimate + critical * se,
        )

    def coefficients(self) -> list[Contrast]:
        """Return the :class:`Contrast` of every single coefficient, in X's column order."""
        return [self.contrast(row) for row in np.eye(self.beta.size)]


def _a_inverse(deviance: fast.ProfiledDeviance, theta: np.ndarray) -> np.ndarray:
    return deviance.solve(theta).a_inverse


def _step(value: float) -> float:
    return 1e-4 * max(1.0, abs(value))


def varpar_hessian(
    deviance: fast.ProfiledDeviance, theta: np.ndarray, sigma: float, free: np.ndarray
) -> np.ndarray:
    """Return H, the Hessian of d(θ, σ) (``fast.ProfiledDeviance.varpar_deviance``) at (θ, σ)
    over the free elements of θ and σ, from central differences of its analytic gradient,
    symmetrised."""
    point = np.append(np.asarray(theta, dtype=float), sigma)
    varying = np.append(free, True)
    columns = np.flatnonzero(varying)
    hessian = np.empty((columns.size, columns.size))
    for out, j in enumerate(columns):
        h = _step(point[j])
        up, down = point.copy(), point.copy()
        up[j] += h
        down[j] -= h
        gradient_up = deviance.varpar_deviance(up[:-1], float(up[-1]))[1]
        gradient_down = deviance.varpar_deviance(down[:-1], float(down[-1]))[1]
        hessian[:, out] = ((gradient_up - gradient_down) / (2.0 * h))[varying]
    return 0.5 * (hessian + hessian.T)


def positive_inverse(hessian: np.ndarray) -> np.ndarray:
    """Return the inverse of H over its positive eigenvalues (the inverse when H is positive
    definite), as lmerTest does for fits on a boundary."""
    values, vectors = np.linalg.eigh(hessian)
    largest = float(np.max(np.abs(values))) if values.size else 0.0
    keep = values > EIGEN_TOLERANCE * max(largest, 1.0)
    return (vectors[:, keep] / values[keep]) @ vectors[:, keep].T


def satterthwaite(
    deviance: fast.ProfiledDeviance,
    theta: np.ndarray,
    *,
    beta: np.ndarray,
    transform: np.ndarray | None = None,
    free: np.ndarray | None = None,
) -> Satterthwaite:
    """Return the :class:`Satterthwaite` of a fit at θ̂ on ``deviance``'s statistics.

    ``beta`` is β̂ on the original columns; ``transform`` is T of ``fast.Centring`` when the
    statistics are of the centred design (Cov β = T Cov β̃ Tᵀ), else None. σ̂² = r²/df at θ̂.
    ``free`` marks the elements of θ the model estimates (all by default; the off-diagonal
    ones are held at 0 in an uncorrelated random part and are no variance parameter).
    """
    theta = np.asarray(theta, dtype=float)
    free_mask = np.ones(theta.size, dtype=bool) if free is None else np.asarray(free, dtype=bool)
    solution = deviance.solve(theta)
    sigma = math.sqrt(solution.sigma2)
    p = solution.a_inverse.shape[0]
    t_matrix = np.eye(p) if transform is None else transform
    indices = np.flatnonzero(free_mask)
    jacobian = np.empty((indices.size + 1, p, p))
    for out, j in enumerate(indices):
        h = _step(theta[j])
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        derivative = (_a_inverse(deviance, up) - _a_inverse(deviance, down)) / (2.0 * h)
        jacobian[out] = solution.sigma2 * (t_matrix @ derivative @ t_matrix.T)
    jacobian[-1] = 2.0 * sigma * (t_matrix @ solution.a_inverse @ t_matrix.T)
    cov = solution.sigma2 * (t_matrix @ solution.a_inverse @ t_matrix.T)
    hessian = varpar_hessian(deviance, theta, sigma, free_mask)
    return Satterthwaite(
        beta=np.asarray(beta, dtype=float),
        cov=cov,
        jacobian=jacobian,
        varpar_cov=2.0 * positive_inverse(hessian),
    )
