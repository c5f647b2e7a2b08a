"""The quadratic model of a criterion at a point: its step within bounds and its variances.

What belongs here: :func:`box_newton_step`, the step that minimises the quadratic model
g'd + ½d'Hd within simple bounds (a primal active-set method; Nocedal & Wright 2006, "Numerical
Optimization", 2nd ed., §16.5), and :func:`conditional_variance`, the variance of one parameter
that the model implies when the criterion is −2 log L. What does not: the criteria and their
gradients (``fast.py``, ``profile_criterion.py``) and the minimisation that takes these steps
(``profile.py``).
"""

from __future__ import annotations

import math

import numpy as np


def box_newton_step(
    hessian: np.ndarray, gradient: np.ndarray, low: np.ndarray, high: np.ndarray
) -> np.ndarray:
    """Return the step d minimising g'd + ½d'Hd subject to low ≤ d ≤ high (low ≤ 0 ≤ high), by a
    primal active-set method; H's eigenvalues are floored at 1e-8 of the largest so that the
    model is convex where a finite-difference or BFGS Hessian is not positive definite."""
    values, vectors = np.linalg.eigh(0.5 * (hessian + hessian.T))
    floor = max(1e-8 * float(np.max(np.abs(values), initial=0.0)), 1e-12)
    h = (vectors * np.maximum(np.abs(values), floor)) @ vectors.T
    n = gradient.size
    d = np.zeros(n)
    bound = np.zeros(n, dtype=bool)
    for _ in range(4 * n + 4):
        free = ~bound
        target = d.copy()
        if free.any():
            rhs = -(gradient[free] + h[np.ix_(free, bound)] @ d[bound])
            target[free] = np.linalg.solve(h[np.ix_(free, free)], rhs)
        move = target - d
        with np.errstate(divide="ignore", invalid="ignore"):
            limit = np.where(
                move < 0, (low - d) / move, np.where(move > 0, (high - d) / move, np.inf)
            )
        blocking = free & (limit < 1.0)
        if blocking.any():
            i = int(np.flatnonzero(blocking)[np.argmin(limit[blocking])])
            d = d + max(float(limit[i]), 0.0) * move
            d[i] = low[i] if move[i] < 0 else high[i]
            bound[i] = True
            continue
        d = target
        slope = gradient + h @ d
        wrong = bound & (((d <= low) & (slope < 0)) | ((d >= high) & (slope > 0)))
        if not wrong.any():
            break
        bound[int(np.argmax(np.where(wrong, np.abs(slope), -1.0)))] = False
    return d


def conditional_variance(hessian: np.ndarray, k: int) -> float:
    """Return (H⁻¹)ₖₖ·2, the quadratic approximation's variance of φₖ (d is −2 log L), or NaN."""
    try:
        inverse = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        return math.nan
    value = 2.0 * float(inverse[k, k])
    return value if math.isfinite(value) and value > 0 else math.nan
