"""Random-effects meta-regression: does a project-level moderator explain differences in effect?

What belongs here: :func:`meta_regression`, a mixed-effects meta-regression yᵢ = xᵢᵀβ + uᵢ + eᵢ,
uᵢ ~ N(0, τ²), eᵢ ~ N(0, vᵢ), with τ² by REML (Fisher scoring, as metafor's
``rma(yi, vi, mods = ~ moderator, method = "REML")``) and β by weighted least squares with weights
1/(vᵢ + τ̂²); the Knapp–Hartung covariance s²·(XᵀWX)⁻¹, t tests on k − p df and the omnibus F test
of the moderator terms on (m, k − p) df (metafor's ``test = "knha"``, untruncated); the test of
residual heterogeneity Q_E; residual τ², I² and H²; and R², the share of τ² of the intercept-only
model the moderator accounts for. :func:`categorical_design` builds the treatment-coded design
of a categorical moderator as R's ``model.matrix(~ factor)`` does (first level the reference).

Formulas follow Viechtbauer (2010), J. Stat. Softw. 36(3), and Knapp & Hartung (2003), Stat. Med.
22:2693; tests/models/data/r/meta_regression.R checks them against metafor 3.8. Where it is used:
the synthesis by intervention type (docs/architecture.md, "Pooling across projects"). What does
not belong here: pooling without moderators (``meta.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

from outcomes.models.meta import MetaAnalysisError, pool_effects


@dataclass(frozen=True)
class Coefficient:
    """One model coefficient with its Knapp–Hartung SE, t on ``df`` and t interval."""

    name: str
    estimate: float
    se: float
    t: float
    df: int
    p: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class MetaRegression:
    """A fitted meta-regression (:func:`meta_regression`).

    ``f``/``f_df1``/``f_df2``/``f_p`` are the omnibus test of every coefficient but the
    intercept (metafor's ``QM`` and ``QMp`` under ``test = "knha"``); ``qe``/``qe_df``/``qe_p``
    the test of residual heterogeneity; ``tau2`` the residual τ² with ``tau2_se``; ``r2`` the
    percentage of the intercept-only model's τ² accounted for (``None`` when that τ² is 0, as
    there is nothing to account for); ``i2`` and ``h2`` the residual I² and H².
    """

    k: int
    p: int
    coefficients: tuple[Coefficient, ...]
    f: float
    f_df1: int
    f_df2: int
    f_p: float
    qe: float
    qe_df: int
    qe_p: float
    tau2: float
    tau2_se: float
    tau2_intercept_only: float
    r2: float | None
    i2: float
    h2: float
    s2: float
    iterations: int

    def to_dict(self) -> dict[str, Any]:
        """Return the result as plain JSON values (coefficients as a list of objects)."""
        return asdict(self)


def categorical_design(
    levels: Sequence[str], order: Sequence[str] | None = None
) -> tuple[np.ndarray, list[str]]:
    """Return the treatment-coded design matrix of a categorical moderator and its column names
    (``"intercept"``, then one indicator per level other than the reference), as R's
    ``model.matrix(~ factor(levels))``. The reference is the first level in ``order`` (default:
    sorted, as R sorts factor levels) that occurs in ``levels``."""
    present = set(levels)
    ordered = [level for level in (order if order is not None else sorted(present))
               if level in present]  # fmt: skip
    missing = present - set(ordered)
    if missing:
        raise MetaAnalysisError(f"levels {sorted(missing)} are not in the given order {order}")
    columns = [np.ones(len(levels))]
    names = ["intercept"]
    for level in ordered[1:]:
        columns.append(np.array([1.0 if value == level else 0.0 for value in levels]))
        names.append(level)
    return np.column_stack(columns), names


def _projection(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (P, (XᵀWX)⁻¹) with P = W − WX(XᵀWX)⁻¹XᵀW."""
    xtwx_inv = np.linalg.inv(x.T @ (w[:, None] * x))
    wx = w[:, None] * x
    return np.diag(w) - wx @ xtwx_inv @ wx.T, xtwx_inv


def _reml_tau2(
    y: np.ndarray, v: np.ndarray, x: np.ndarray, start: float, *, tolerance: float = 1e-12,
    max_iter: int = 1000,
) -> tuple[float, float, int]:  # fmt: skip
    """Return (τ̂², SE(τ̂²), iterations): Fisher scoring on the REML likelihood,
    τ² ← τ² + (yᵀPPy − tr P)/tr(PP), truncated at 0 (metafor's algorithm); SE = √(2/tr(PP))."""
    tau2 = max(start, 0.0)
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007
        p_matrix, _ = _projection(x, 1.0 / (v + tau2))
        py = p_matrix @ y
        step = (float(py @ py) - float(np.trace(p_matrix))) / float(np.sum(p_matrix * p_matrix))
        updated = max(tau2 + step, 0.0)
        converged = abs(updated - tau2) < tolerance
        tau2 = updated
        if converged:
            break
    p_matrix, _ = _projection(x, 1.0 / (v + tau2))
    return tau2, math.sqrt(2.0 / float(np.sum(p_matrix * p_matrix))), iterations


def meta_regression(
    estimates: Sequence[float] | np.ndarray,
    variances: Sequence[float] | np.ndarray,
    design: np.ndarray,
    names: Sequence[str],
    *,
    level: float = 0.95,
) -> MetaRegression:
    """Return the REML meta-regression of ``estimates`` (sampling ``variances``) on ``design``
    (k × p, the first column the intercept; :func:`categorical_design`) with Knapp–Hartung
    inference, as metafor's ``rma(yi, vi, mods = ~ moderator, method = "REML", test = "knha")``
    (Viechtbauer 2010; Knapp & Hartung 2003).

    Raises :class:`~outcomes.models.meta.MetaAnalysisError` when the design has no residual
    degrees of freedom (k ≤ p), is not of full rank, or the inputs are not finite/positive."""
    y = np.asarray(estimates, dtype=float)
    v = np.asarray(variances, dtype=float)
    x = np.asarray(design, dtype=float)
    k = y.size
    if x.ndim != 2 or x.shape[0] != k or v.shape != y.shape:
        raise MetaAnalysisError(
            f"estimates ({k}), variances ({v.size}) and design rows ({x.shape[0]}) must agree"
        )
    p = x.shape[1]
    if len(names) != p:
        raise MetaAnalysisError(f"{len(names)} names for {p} design columns")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v))) or np.any(v <= 0):
        raise MetaAnalysisError("estimates must be finite and sampling variances positive")
    if k <= p:
        raise MetaAnalysisError(
            f"{k} estimates for {p} coefficients: a meta-regression needs more estimates than "
            "coefficients"
        )
    if np.linalg.matrix_rank(x) < p:
        raise MetaAnalysisError("the design matrix is not of full rank")
    if not 0.0 < level < 1.0:
        raise MetaAnalysisError(f"level must lie between 0 and 1, got {level!r}")

    # residual heterogeneity under the fixed-effects weights, and metafor's starting value
    p_fixed, _ = _projection(x, 1.0 / v)
    qe = float(y @ p_fixed @ y)
    qe_df = k - p
    typical = qe_df / float(np.trace(p_fixed))
    start = max(0.0, (qe - qe_df) / float(np.trace(p_fixed)))
    tau2, tau2_se, iterations = _reml_tau2(y, v, x, start)

    w = 1.0 / (v + tau2)
    _, xtwx_inv = _projection(x, w)
    beta = xtwx_inv @ (x.T @ (w * y))
    residual = y - x @ beta
    rss = float(np.sum(w * residual**2))
    s2 = rss / qe_df if rss > np.finfo(float).eps else 0.0
    covariance = s2 * xtwx_inv
    se = np.sqrt(np.diag(covariance))
    crit = float(stats.t.ppf(1 - (1 - level) / 2, qe_df))
    coefficients = []
    for index, name in enumerate(names):
        b, s = float(beta[index]), float(se[index])
        t_value = b / s if s > 0 else math.copysign(math.inf, b) if b else math.nan
        coefficients.append(
            Coefficient(
                name=str(name), estimate=b, se=s, t=t_value, df=qe_df,
                p=float(2 * stats.t.sf(abs(t_value), qe_df)),
                ci_low=b - crit * s, ci_high=b + crit * s,
            )
        )  # fmt: skip

    m = p - 1
    if m > 0:
        b_m = beta[1:]
        f = float(b_m @ np.linalg.solve(covariance[1:, 1:], b_m)) / m
        f_p = float(stats.f.sf(f, m, qe_df))
    else:
        f, f_p = math.nan, math.nan

    tau2_null = pool_effects(y, v, method="REML", knapp_hartung=False).tau2
    r2 = None if tau2_null <= 0 else max(0.0, 100.0 * (tau2_null - tau2) / tau2_null)
    return MetaRegression(
        k=k, p=p, coefficients=tuple(coefficients), f=f, f_df1=m, f_df2=qe_df, f_p=f_p,
        qe=qe, qe_df=qe_df, qe_p=float(stats.chi2.sf(qe, qe_df)), tau2=tau2, tau2_se=tau2_se,
        tau2_intercept_only=tau2_null, r2=r2, i2=100.0 * tau2 / (tau2 + typical),
        h2=(tau2 + typical) / typical, s2=s2, iterations=iterations,
    )  # fmt: skip
