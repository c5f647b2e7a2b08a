"""The criterion the profiles minimise: the (RE)ML deviance with σ not profiled out.

What belongs here: :class:`Criterion`, the pieces V(Λ) = Σ log|Mᵢ| [+ log|A| for REML] and r²(Λ)
of d(θ, σ) = V + df·log(2πσ²) + r²/σ² with their analytic gradients over Λ, from the fast
engine's sufficient statistics (Bates, Mächler, Bolker & Walker 2015, "Fitting linear
mixed-effects models using lme4", J. Stat. Softw. 67(1), §3 and §5.1), and
:func:`stack_product`, the stacked 2×2 products it is built from. What does not: the profiled
deviance d(θ) that fitting minimises (``fast.py``), the coordinates the profiles are taken in
(``profile_coordinates.py``) and the profiles themselves (``profile.py``).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg

from outcomes.models import fast


class Criterion:
    """The pieces V(Λ) = Σ log|Mᵢ| [+ log|A| for REML] and r²(Λ) of the criterion
    d = V + df·log(2πσ²) + r²/σ², with their gradients over Λ, from the fast engine's
    sufficient statistics (all participants at once, no loop over them; ``fast.py`` returns
    only their profiled combination V + df·log r²). ``evaluations`` counts calls.

    With G = ΛΛ', Nᵢ = I − ZᵢᵀZᵢWᵢ and eᵢ = yᵢ − Xᵢβ̂ (``fast.py``'s notation):
    ∂Σlog|Mᵢ|/∂G = Σ NᵢZᵢᵀZᵢ, ∂log|A|/∂G = −Σ NᵢZᵢᵀXᵢA⁻¹XᵢᵀZᵢNᵢᵀ, ∂r²/∂G = −Σ NᵢZᵢᵀeᵢeᵢᵀZᵢNᵢᵀ,
    and ∂/∂Λ = 2(∂/∂G)Λ. Λ may be any square factor of G.
    """

    def __init__(self, stats: fast.SufficientStatistics, *, reml: bool) -> None:
        self.stats = stats
        self.reml = reml
        self.df = stats.n - stats.p if reml else stats.n
        self.evaluations = 0
        g, q, p = stats.n_groups, stats.q, stats.p
        self._flat = stats.ztxy.reshape(g * q, p + 1)
        self._ztz_flat = stats.ztz.reshape(g, q * q)
        self._ztz_sum = stats.ztz.sum(axis=0)
        self._ztx = np.ascontiguousarray(stats.ztxy[:, :, :p])
        self._identity = np.eye(q)

    def __call__(self, lam: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray] | None:
        """Return (V, r², ∂V/∂Λ, ∂r²/∂Λ) at the relative covariance factor Λ, or None where Mᵢ
        or A is not numerically positive definite (far out in Λ)."""
        self.evaluations += 1
        s = self.stats
        g, q, p = s.n_groups, s.q, s.p
        # row-major flattening: flat(BᵀXC) = flat(X) @ kron(B, C)
        m = (self._ztz_flat @ np.kron(lam, lam)).reshape(g, q, q) + self._identity
        try:
            with np.errstate(all="ignore"):
                m_inverse, logdet_m = fast.spd_inverse_logdet(m)
        except np.linalg.LinAlgError:
            return None
        if not np.all(np.isfinite(logdet_m)):
            return None
        w = (m_inverse.reshape(g, q * q) @ np.kron(lam.T, lam.T)).reshape(g, q, q)
        wz = stack_product(w, s.ztxy)
        weighted = self._flat.T @ wz.reshape(g * q, p + 1)
        augmented = s.cross - 0.5 * (weighted + weighted.T)
        if p:
            try:
                chol = scipy.linalg.cho_factor(augmented[:p, :p], lower=True, check_finite=False)
            except np.linalg.LinAlgError:
                return None
            if not np.all(np.isfinite(chol[0])):
                return None
            beta = scipy.linalg.cho_solve(chol, augmented[:p, p], check_finite=False)
            logdet_a = 2.0 * float(np.log(np.diagonal(chol[0])).sum())
        else:
            beta = np.zeros(0)
            logdet_a = 0.0
        r2 = max(float(augmented[p, p] - beta @ augmented[:p, p]), np.finfo(float).tiny)
        value = float(logdet_m.sum()) + (logdet_a if self.reml else 0.0)
        if not (math.isfinite(value) and math.isfinite(r2)):
            return None
        ztz_w = stack_product(s.ztz, w)
        n_matrix = self._identity - ztz_w
        d_value = self._ztz_sum - stack_product(ztz_w, s.ztz).sum(axis=0)
        residual = (s.ztxy @ np.append(-beta, 1.0))[:, None, :]
        projected = (n_matrix * residual).sum(axis=2)
        d_r2 = -(projected.T @ projected)
        if self.reml and p:
            # Σ NᵢZᵢᵀXᵢA⁻¹XᵢᵀZᵢNᵢᵀ from the (qp × qp) cross product of the rows of NᵢZᵢᵀXᵢ
            nx = stack_product(n_matrix, self._ztx).reshape(g, q * p)
            cross = (nx.T @ nx).reshape(q, p, q, p)
            a_inverse = scipy.linalg.cho_solve(chol, np.eye(p), check_finite=False)
            d_value -= np.einsum("aibj,ij->ab", cross, a_inverse)
        d_value = 0.5 * (d_value + d_value.T)
        d_r2 = 0.5 * (d_r2 + d_r2.T)
        return value, r2, 2.0 * d_value @ lam, 2.0 * d_r2 @ lam


def stack_product(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Return the products leftᵢ @ rightᵢ of two stacks (groups, q, ·) as q broadcast
    multiply-adds: numpy's stacked matmul is several times slower on 2×2 blocks."""
    out = left[:, :, 0, None] * right[:, None, 0, :]
    for c in range(1, left.shape[2]):
        out += left[:, :, c, None] * right[:, None, c, :]
    return out
