"""The coordinates the profiles are taken in, and the scales their steps are taken on.

What belongs here: :class:`CoordinateSystem`, coordinates of the random-effect covariance and
the residual SD in which the parameter being profiled (an SD, a correlation or σ) is one
coordinate and the boundaries of the parameter space (an SD of 0, a correlation of ±1) are simple
bounds, with the maps between them and a factor of Σ; and :func:`step_scale`, the log and atanh
scales on which the profiles are bracketed (lme4's ``profile.merMod`` steps on the same scales;
Bates, Mächler, Bolker & Walker 2015, J. Stat. Softw. 67(1), §5.1). What does not: the
criterion (``profile_criterion.py``), its gradient in these coordinates and the profiles
themselves (``profile.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from outcomes.models import fast


@dataclass
class CoordinateSystem:
    """Coordinates x of (Σ, σ) in which one parameter is a coordinate of its own.

    x holds the column-major lower triangle of L, the Cholesky factor of the random-effect
    covariance Σ (outcome units; Λ = L/σ) with the random terms reordered by ``order``, then σ.
    With ``polar``, L's second row is written (L₁₀, L₁₁) = s·(ρ, √(1−ρ²)), ρ stored where L₁₀
    was and s (that term's SD) where L₁₁ was. An SD is L₀₀ with its term first, or s in the
    polar form with its term second; a correlation is ρ with its two terms first; σ is σ.
    Zero variances and perfect correlations are then simple bounds (L's diagonal ≥ 0,
    s ≥ 0, −1 ≤ ρ ≤ 1). Where an SD is small the correlations of its term are barely
    determined and the deviance is close to flat along a circle in plain Cholesky coordinates
    but along a line in polar ones; elsewhere the plain ones keep the deviance closer to
    quadratic, so an SD's profile uses both (``Profiler._system_at`` in ``profile.py``).
    ``fixed`` is the coordinate of the profiled parameter, ``lower``/``upper`` the bounds,
    ``scale`` the size of finite-difference steps, ``x_hat`` the optimum and ``hessian`` the
    criterion's Hessian there.
    """

    kind: str
    order: np.ndarray
    polar: bool
    fixed: int
    lower: np.ndarray
    upper: np.ndarray
    scale: np.ndarray
    x_hat: np.ndarray
    hessian: np.ndarray
    #: θ's (row, column) positions in L, column-major as lme4 orders them
    rows: np.ndarray = field(init=False, repr=False)
    cols: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.rows, self.cols = fast.theta_index(self.order.size)

    def coordinates(self, chol: np.ndarray, sigma: float) -> np.ndarray:
        """Return the coordinates of Σ = chol·chol' (design order of the terms) and σ."""
        covariance = chol @ chol.T
        order = self.order
        factor = fast.lower_cholesky(covariance[np.ix_(order, order)])
        x = np.append(factor[self.rows, self.cols], sigma)
        if self.polar:
            radius = math.hypot(factor[1, 0], factor[1, 1])
            x[1] = factor[1, 0] / radius if radius > 0 else 0.0
            x[order.size] = radius
        return np.clip(x, self.lower, self.upper)

    def cholesky(self, x: np.ndarray) -> tuple[np.ndarray, float]:
        """Return (a square factor of Σ in the design's order of the terms, σ) at x."""
        q = self.order.size
        factor = np.zeros((q, q))
        factor[self.rows, self.cols] = x[: self.rows.size]
        if self.polar:
            rho, radius = float(x[1]), float(x[q])
            factor[1, 0] = radius * rho
            factor[1, 1] = radius * math.sqrt(max(1.0 - rho * rho, 0.0))
        original = np.empty((q, q))
        original[self.order] = factor
        return original, float(x[-1])


def step_scale(
    kind: str,
) -> tuple[Callable[[float], float], Callable[[float], float], Callable[[float], float]]:
    """Return (u(t), t(u), du/dt) of the scale on which steps are taken: log for SDs, atanh for
    correlations."""
    if kind == "cor":
        return (
            lambda t: math.atanh(max(min(t, 1.0 - 1e-15), -1.0 + 1e-15)),
            math.tanh,
            lambda t: 1.0 / max(1.0 - t * t, 1e-300),
        )
    return (
        lambda t: math.log(t),
        lambda u: math.exp(u) if u < 700 else math.inf,
        lambda t: 1.0 / t if t > 0 else math.inf,
    )
