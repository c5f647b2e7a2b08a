"""The fast engine: profiled (RE)ML deviance of a linear mixed model with one grouping factor.

What belongs here: the per-participant sufficient statistics and the profiled deviance with its
analytic gradient over θ. The model is lme4's (Bates, Mächler,
Bolker & Walker 2015, "Fitting linear mixed-effects models using lme4", J. Stat. Softw. 67(1), §3)
for one grouping factor with q correlated random terms (random intercept and slopes):

    y = Xβ + Zb + ε,   b_i ~ N(0, σ²ΛΛ'),   ε ~ N(0, σ²I),

with Λ the lower-triangular relative covariance factor whose column-major lower triangle is θ.
For each participant i, Mᵢ = Λ'ZᵢᵀZᵢΛ + I and Wᵢ = ΛMᵢ⁻¹Λ'. Every quantity of the profiled
deviance is a weighted sum over participants of products precomputed once:

    A = XᵀX − Σ XᵢᵀZᵢWᵢZᵢᵀXᵢ,   b = Xᵀy − Σ XᵢᵀZᵢWᵢZᵢᵀyᵢ,   β̂ = A⁻¹b,
    r² = yᵀy − Σ yᵢᵀZᵢWᵢZᵢᵀyᵢ − β̂ᵀb,
    ML:   d(θ) = Σ log|Mᵢ| + n(1 + log(2πr²/n)),
    REML: d(θ) = Σ log|Mᵢ| + log|A| + (n−p)(1 + log(2πr²/(n−p))).

Per-participant blocks are arrays of shape (groups, q, q) (for q = 2 their three distinct
elements as separate arrays, with closed-form 2×2 inverse and determinant); there is no loop over
participants. The (p+1)×(p+1) sums are matrix products of the (groups, p+1) rows of Zᵢᵀ[Xᵢ yᵢ].
The gradient is taken with respect to G = ΛΛ' and then chained to θ:

    ∂d/∂G = Σ Tᵢ − Σ Nᵢ(ZᵢᵀXᵢA⁻¹XᵢᵀZᵢ [REML only] + (df/r²)ZᵢᵀeᵢeᵢᵀZᵢ)Nᵢᵀ,
    Nᵢ = I − ZᵢᵀZᵢWᵢ,  Tᵢ = NᵢZᵢᵀZᵢ,  eᵢ = yᵢ − Xᵢβ̂,   ∂d/∂Λ = 2(∂d/∂G)Λ.

What does not belong here: starting values and the bounded minimisation over θ
(``optimiser.py``), formulas and result objects (``formula.py``, ``result.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
import scipy.sparse

LOG_2PI = math.log(2.0 * math.pi)


@dataclass(frozen=True)
class SufficientStatistics:
    """Per-participant cross products of one model, computed once per fit.

    ``cross`` is [X y]ᵀ[X y]; ``ztz`` (groups, q, q) holds ZᵢᵀZᵢ; ``ztxy`` (groups, q, p+1)
    holds Zᵢᵀ[Xᵢ yᵢ] and ``zt_rows[a]`` its row a as a contiguous (groups, p+1) array, so that
    Σ Zᵢᵀ[Xᵢ yᵢ]ᵀ Wᵢ Zᵢᵀ[Xᵢ yᵢ] is q² scaled copies and q matrix products.
    """

    n: int
    p: int
    q: int
    n_groups: int
    cross: np.ndarray
    ztz: np.ndarray
    ztxy: np.ndarray
    zt_rows: tuple[np.ndarray, ...]
    group_sizes: np.ndarray


@dataclass(frozen=True)
class Centring:
    """Centred design X̃ = XT, ỹ = y − ȳ and the map back: β = T(β̃ + ȳ·e_k), Cov β = T Cov β̃ Tᵀ.

    Centring the outcome and the non-intercept columns leaves the model (and both deviances,
    since |T| = 1) unchanged but removes the cancellation in yᵀy − Σ… and XᵀX − Σ… that
    otherwise leaves the deviance with noise near 1e-11 relative on large panels.
    """

    X: np.ndarray
    y: np.ndarray
    transform: np.ndarray
    offset: np.ndarray

    def beta(self, beta_centred: np.ndarray) -> np.ndarray:
        """Return β on the original columns."""
        return self.transform @ (beta_centred + self.offset)

    def covariance(self, cov_centred: np.ndarray) -> np.ndarray:
        """Return Cov β on the original columns."""
        return self.transform @ cov_centred @ self.transform.T


def centre(X: np.ndarray, y: np.ndarray) -> Centring:
    """Return the :class:`Centring` of (X, y) when X has an intercept column, else the identity."""
    p = X.shape[1]
    intercept = [j for j in range(p) if np.all(X[:, j] == 1.0)]
    if not intercept or X.shape[0] == 0:
        return Centring(X=X, y=y, transform=np.eye(p), offset=np.zeros(p))
    k = intercept[0]
    means = X.mean(axis=0)
    means[k] = 0.0
    transform = np.eye(p)
    transform[k, :] -= means
    offset = np.zeros(p)
    y_mean = float(y.mean())
    offset[k] = y_mean
    return Centring(X=X - means, y=y - y_mean, transform=transform, offset=offset)


def sufficient_statistics(
    X: np.ndarray, y: np.ndarray, Z: np.ndarray, groups: np.ndarray, n_groups: int
) -> SufficientStatistics:
    """Return the :class:`SufficientStatistics` of data (X, y, Z) grouped by integer ``groups``."""
    n, p = X.shape
    q = Z.shape[1]
    XY = np.empty((n, p + 1))
    XY[:, :p] = X
    XY[:, p] = y
    cross = XY.T @ XY
    indicator = scipy.sparse.csr_matrix((np.ones(n), (groups, np.arange(n))), shape=(n_groups, n))
    rows = np.concatenate(
        [
            (Z[:, :, None] * Z[:, None, :]).reshape(n, q * q),
            (Z[:, :, None] * XY[:, None, :]).reshape(n, q * (p + 1)),
        ],
        axis=1,
    )
    summed = np.asarray(indicator @ rows)
    ztz = np.ascontiguousarray(summed[:, : q * q].reshape(n_groups, q, q))
    ztxy = np.ascontiguousarray(summed[:, q * q :].reshape(n_groups, q, p + 1))
    zt_rows = tuple(np.ascontiguousarray(ztxy[:, a, :]) for a in range(q))
    group_sizes = np.bincount(groups, minlength=n_groups)
    return SufficientStatistics(
        n=n,
        p=p,
        q=q,
        n_groups=n_groups,
        cross=cross,
        ztz=ztz,
        ztxy=ztxy,
        zt_rows=zt_rows,
        group_sizes=group_sizes,
    )


def with_response(
    stats: SufficientStatistics, X: np.ndarray, y: np.ndarray, Z: np.ndarray, groups: np.ndarray
) -> SufficientStatistics:
    """Return the :class:`SufficientStatistics` of the same design (X, Z, groups) with response
    ``y``: XᵀX and ZᵢᵀZᵢ are kept, only Xᵀy, yᵀy and Zᵢᵀyᵢ are recomputed (what a parametric
    bootstrap refit needs)."""
    p, q = stats.p, stats.q
    cross = stats.cross.copy()
    xty = X.T @ y
    cross[:p, p] = xty
    cross[p, :p] = xty
    cross[p, p] = float(y @ y)
    ztxy = stats.ztxy.copy()
    for a in range(q):
        ztxy[:, a, p] = np.bincount(groups, weights=Z[:, a] * y, minlength=stats.n_groups)
    return SufficientStatistics(
        n=stats.n,
        p=p,
        q=q,
        n_groups=stats.n_groups,
        cross=cross,
        ztz=stats.ztz,
        ztxy=ztxy,
        zt_rows=tuple(np.ascontiguousarray(ztxy[:, a, :]) for a in range(q)),
        group_sizes=stats.group_sizes,
    )


def without_column(stats: SufficientStatistics, k: int) -> SufficientStatistics:
    """Return the :class:`SufficientStatistics` of the design without column k of X."""
    keep = np.delete(np.arange(stats.p + 1), k)
    ztxy = np.ascontiguousarray(stats.ztxy[:, :, keep])
    return SufficientStatistics(
        n=stats.n,
        p=stats.p - 1,
        q=stats.q,
        n_groups=stats.n_groups,
        cross=stats.cross[np.ix_(keep, keep)],
        ztz=stats.ztz,
        ztxy=ztxy,
        zt_rows=tuple(np.ascontiguousarray(ztxy[:, a, :]) for a in range(stats.q)),
        group_sizes=stats.group_sizes,
    )


def theta_index(q: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the (row, column) positions in Λ of θ's elements, column-major as lme4 orders them."""
    rows = [r for c in range(q) for r in range(c, q)]
    cols = [c for c in range(q) for _ in range(c, q)]
    return np.array(rows), np.array(cols)


def theta_to_lambda(theta: np.ndarray, q: int) -> np.ndarray:
    """Return the lower-triangular relative covariance factor Λ for θ."""
    rows, cols = theta_index(q)
    lam = np.zeros((q, q))
    lam[rows, cols] = theta
    return lam


def theta_lower_bounds(q: int) -> np.ndarray:
    """Return θ's lower bounds: 0 on Λ's diagonal, −∞ elsewhere (lme4's ``lower``)."""
    rows, cols = theta_index(q)
    return np.where(rows == cols, 0.0, -np.inf)


def _dot(left: np.ndarray, right: np.ndarray) -> float:
    """Return Σ leftᵢ·rightᵢ without BLAS: threaded BLAS on these short products slows down
    badly on a busy machine, and numpy's own loop is as fast single-threaded."""
    return float(np.einsum("i,i->", left, right))


def spd_inverse_logdet(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (Mᵢ⁻¹, log|Mᵢ|) for a stack of symmetric positive-definite blocks (groups, q, q)."""
    q = m.shape[1]
    if q == 1:
        return 1.0 / m, np.log(m[:, 0, 0])
    if q == 2:
        a = m[:, 0, 0]
        b = m[:, 0, 1]
        d = m[:, 1, 1]
        det = a * d - b * b
        inverse = np.empty_like(m)
        inverse[:, 0, 0] = d / det
        inverse[:, 1, 1] = a / det
        inverse[:, 0, 1] = inverse[:, 1, 0] = -b / det
        return inverse, np.log(det)
    chol = np.linalg.cholesky(m)
    logdet = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    return np.linalg.inv(m), logdet


def lower_cholesky(matrix: np.ndarray) -> np.ndarray:
    """Return a lower-triangular L with LLᵀ = ``matrix`` for a positive semi-definite matrix,
    with a zero column where a pivot vanishes (a random effect with zero variance or perfectly
    correlated: Λ of a boundary fit); pivots count as zero below 1e-14 of the largest diagonal
    element."""
    q = matrix.shape[0]
    factor = np.zeros((q, q))
    largest = float(np.max(np.diagonal(matrix), initial=0.0))
    tolerance = 1e-14 * max(largest, np.finfo(float).tiny)
    for j in range(q):
        pivot = matrix[j, j] - factor[j, :j] @ factor[j, :j]
        if pivot <= tolerance:
            continue
        factor[j, j] = math.sqrt(pivot)
        for i in range(j + 1, q):
            factor[i, j] = (matrix[i, j] - factor[i, :j] @ factor[j, :j]) / factor[j, j]
    return factor


@dataclass
class ProfiledSolution:
    """Everything the profiled deviance determines at one θ; ``w`` is Wᵢ = ΛMᵢ⁻¹Λ'."""

    theta: np.ndarray
    lam: np.ndarray
    deviance: float
    beta: np.ndarray
    a_inverse: np.ndarray
    r2: float
    sigma2: float
    w: np.ndarray = field(repr=False)
    logdet_a: float = 0.0


class _NotPositiveDefinite(Exception):
    """A = XᵀX − Σ XᵢᵀZᵢWᵢZᵢᵀXᵢ is not numerically positive definite at this θ."""


@dataclass
class _Blocks:
    """Wᵢ's distinct elements by (a, b), a ≤ b, and Σ log|Mᵢ| at one θ."""

    lam: np.ndarray
    w: dict[tuple[int, int], np.ndarray]
    logdet_m: float


class ProfiledDeviance:
    """The profiled REML or ML deviance d(θ) of lme4 with its analytic gradient.

    Calling the object with θ returns (d(θ), ∂d/∂θ); ``solve(θ)`` returns the
    :class:`ProfiledSolution` (β̂, σ̂², A⁻¹) at θ. ``evaluations`` counts calls.

    Far out in θ (random-effect variances thousands of times the residual one) A = XᵀX − Σ…
    can lose positive definiteness to rounding although it is positive definite in exact
    arithmetic; there the call returns d = +∞ (the deviance grows without bound that way) so
    that line searches step back, and ``failures`` counts such points.
    """

    def __init__(self, stats: SufficientStatistics, *, reml: bool) -> None:
        self.stats = stats
        self.reml = reml
        self.df = stats.n - stats.p if reml else stats.n
        self.rows, self.cols = theta_index(stats.q)
        self.evaluations = 0
        self.failures = 0
        self._last: (
            tuple[bytes, tuple[_Blocks, float, np.ndarray, np.ndarray, float, float]] | None
        ) = None
        q = stats.q
        self._pairs = [(a, b) for a in range(q) for b in range(a, q)]
        if q == 2:
            self._s00 = np.ascontiguousarray(stats.ztz[:, 0, 0])
            self._s01 = np.ascontiguousarray(stats.ztz[:, 0, 1])
            self._s11 = np.ascontiguousarray(stats.ztz[:, 1, 1])
            self._sum_s = (float(self._s00.sum()), float(self._s01.sum()), float(self._s11.sum()))

    def _blocks(self, lam: np.ndarray) -> _Blocks:
        """Return Wᵢ = Λ(Λ'ZᵢᵀZᵢΛ + I)⁻¹Λ' and Σ log|Mᵢ| for all participants."""
        s = self.stats
        if s.q == 2:
            l0, l1, l2 = float(lam[0, 0]), float(lam[1, 0]), float(lam[1, 1])
            s00, s01, s11 = self._s00, self._s01, self._s11
            m00 = (l0 * l0) * s00 + (2.0 * l0 * l1) * s01 + (l1 * l1) * s11 + 1.0
            m01 = (l2 * l0) * s01 + (l2 * l1) * s11
            m11 = (l2 * l2) * s11 + 1.0
            det = m00 * m11 - m01 * m01
            # Mᵢ⁻¹ = [[m11, −m01], [−m01, m00]] / det
            i00 = m11 / det
            i01 = -m01 / det
            i11 = m00 / det
            w = {
                (0, 0): (l0 * l0) * i00,
                (0, 1): (l0 * l1) * i00 + (l0 * l2) * i01,
                (1, 1): (l1 * l1) * i00 + (2.0 * l1 * l2) * i01 + (l2 * l2) * i11,
            }
            return _Blocks(lam=lam, w=w, logdet_m=float(np.log(det).sum()))
        m = lam.T @ s.ztz @ lam + np.eye(s.q)
        m_inverse, logdet_m = spd_inverse_logdet(m)
        full = lam @ m_inverse @ lam.T
        w = {(a, b): np.ascontiguousarray(full[:, a, b]) for a, b in self._pairs}
        return _Blocks(lam=lam, w=w, logdet_m=float(logdet_m.sum()))

    def _w(self, blocks: _Blocks, a: int, b: int) -> np.ndarray:
        return blocks.w[(a, b) if a <= b else (b, a)]

    def _core(
        self, theta: np.ndarray
    ) -> tuple[_Blocks, float, np.ndarray, np.ndarray, float, float]:
        """Return (blocks, d(θ), β̂, A⁻¹, r², log|A|), reusing the last θ's (a refit's final
        ``solve`` is at the point its last step evaluated)."""
        key = np.asarray(theta, dtype=float).tobytes()
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        found = self._compute_core(theta)
        self._last = (key, found)
        return found

    def _compute_core(
        self, theta: np.ndarray
    ) -> tuple[_Blocks, float, np.ndarray, np.ndarray, float, float]:
        s = self.stats
        lam = theta_to_lambda(np.asarray(theta, dtype=float), s.q)
        blocks = self._blocks(lam)
        weighted = np.zeros_like(s.cross)
        for a in range(s.q):
            row = self._w(blocks, a, 0)[:, None] * s.zt_rows[0]
            for b in range(1, s.q):
                row += self._w(blocks, a, b)[:, None] * s.zt_rows[b]
            weighted += s.zt_rows[a].T @ row
        augmented = s.cross - 0.5 * (weighted + weighted.T)
        p = s.p
        a_matrix = augmented[:p, :p]
        b_vector = augmented[:p, p]
        if p:
            try:
                chol = scipy.linalg.cho_factor(a_matrix, lower=True, check_finite=False)
            except np.linalg.LinAlgError:
                raise _NotPositiveDefinite from None
            beta = scipy.linalg.cho_solve(chol, b_vector, check_finite=False)
            logdet_a = 2.0 * float(np.log(np.diagonal(chol[0])).sum())
            a_inverse = scipy.linalg.cho_solve(chol, np.eye(p), check_finite=False)
        else:
            beta = np.zeros(0)
            logdet_a = 0.0
            a_inverse = np.zeros((0, 0))
        r2 = float(augmented[p, p] - beta @ b_vector)
        r2 = max(r2, np.finfo(float).tiny)
        deviance = blocks.logdet_m + self.df * (1.0 + LOG_2PI + math.log(r2 / self.df))
        if self.reml:
            deviance += logdet_a
        return blocks, deviance, beta, a_inverse, r2, logdet_a

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Return (d(θ), ∂d/∂θ)."""
        self.evaluations += 1
        try:
            blocks, deviance, beta, a_inverse, r2, _ = self._core(theta)
        except _NotPositiveDefinite:
            self.failures += 1
            return math.inf, np.zeros(len(theta))
        return deviance, self._theta_gradient(blocks, beta, a_inverse, self.df / r2)

    def varpar_deviance(self, theta: np.ndarray, sigma: float) -> tuple[float, np.ndarray]:
        """Return (d(θ, σ), ∂d/∂(θ, σ)) of the deviance with σ not profiled out:

            d(θ, σ) = Σ log|Mᵢ| [+ log|A|] + df·log(2πσ²) + r²(θ)/σ²,

        df = n − p for REML and n for ML (lmerTest's ``devfun_vp``, Kuznetsova, Brockhoff &
        Christensen 2017, J. Stat. Softw. 82(13), §3; its minimum over σ is d(θ)). The θ part
        of the gradient is that of d(θ) with df/r² replaced by 1/σ²; ∂d/∂σ = 2df/σ − 2r²/σ³.
        """
        blocks, _, beta, a_inverse, r2, logdet_a = self._core(theta)
        sigma2 = sigma * sigma
        value = blocks.logdet_m + self.df * (LOG_2PI + math.log(sigma2)) + r2 / sigma2
        if self.reml:
            value += logdet_a
        gradient = np.empty(len(theta) + 1)
        gradient[:-1] = self._theta_gradient(blocks, beta, a_inverse, 1.0 / sigma2)
        gradient[-1] = 2.0 * self.df / sigma - 2.0 * r2 / (sigma2 * sigma)
        return value, gradient

    def _theta_gradient(
        self, blocks: _Blocks, beta: np.ndarray, a_inverse: np.ndarray, scale: float
    ) -> np.ndarray:
        """Return ∂/∂θ of Σ log|Mᵢ| [+ log|A|] + scale·r²(θ) (scale = df/r² gives d(θ))."""
        s = self.stats
        p = s.p
        v = np.append(-beta, 1.0)
        omega = scale * np.outer(v, v)
        if self.reml:
            omega[:p, :p] += a_inverse
        # midᵢ[a, b] = rowₐ(Zᵢᵀ[Xᵢ yᵢ]) Ω row_b(Zᵢᵀ[Xᵢ yᵢ])ᵀ
        projected = [rows @ omega for rows in s.zt_rows]
        mid = {(a, b): np.einsum("gi,gi->g", projected[a], s.zt_rows[b]) for a, b in self._pairs}
        gamma = self._gamma_2x2(blocks, mid) if s.q == 2 else self._gamma_general(blocks, mid)
        return 2.0 * (gamma @ blocks.lam)[self.rows, self.cols]

    def _gamma_2x2(self, blocks: _Blocks, mid: dict[tuple[int, int], np.ndarray]) -> np.ndarray:
        """Return ∂d/∂G = Σ (Tᵢ − NᵢmidᵢNᵢᵀ) for q = 2 in closed form."""
        s00, s01, s11 = self._s00, self._s01, self._s11
        w00, w01, w11 = blocks.w[(0, 0)], blocks.w[(0, 1)], blocks.w[(1, 1)]
        # Rᵢ = ZᵢᵀZᵢWᵢ, Nᵢ = I − Rᵢ, Tᵢ = ZᵢᵀZᵢ − RᵢZᵢᵀZᵢ
        r00 = s00 * w00 + s01 * w01
        r01 = s00 * w01 + s01 * w11
        r10 = s01 * w00 + s11 * w01
        r11 = s01 * w01 + s11 * w11
        t00 = self._sum_s[0] - (_dot(r00, s00) + _dot(r01, s01))
        t01 = self._sum_s[1] - (_dot(r00, s01) + _dot(r01, s11))
        t11 = self._sum_s[2] - (_dot(r10, s01) + _dot(r11, s11))
        n00 = 1.0 - r00
        n11 = 1.0 - r11
        n01 = -r01
        n10 = -r10
        m0, m1, m2 = mid[(0, 0)], mid[(0, 1)], mid[(1, 1)]
        row0_0 = n00 * m0 + n01 * m1
        row0_1 = n00 * m1 + n01 * m2
        row1_0 = n10 * m0 + n11 * m1
        row1_1 = n10 * m1 + n11 * m2
        g00 = t00 - (_dot(row0_0, n00) + _dot(row0_1, n01))
        g01 = t01 - (_dot(row0_0, n10) + _dot(row0_1, n11))
        g11 = t11 - (_dot(row1_0, n10) + _dot(row1_1, n11))
        return np.array([[g00, g01], [g01, g11]])

    def _gamma_general(
        self, blocks: _Blocks, mid_pairs: dict[tuple[int, int], np.ndarray]
    ) -> np.ndarray:
        """Return ∂d/∂G = Σ (Tᵢ − NᵢmidᵢNᵢᵀ) with (groups, q, q) stacks."""
        s = self.stats
        q = s.q
        w = np.empty((s.n_groups, q, q))
        mid = np.empty((s.n_groups, q, q))
        for a, b in self._pairs:
            w[:, a, b] = w[:, b, a] = blocks.w[(a, b)]
            mid[:, a, b] = mid[:, b, a] = mid_pairs[(a, b)]
        ztz_w = s.ztz @ w
        n_mat = np.eye(q) - ztz_w
        t = s.ztz - ztz_w @ s.ztz
        gamma = (t - n_mat @ mid @ n_mat.transpose(0, 2, 1)).sum(axis=0)
        return 0.5 * (gamma + gamma.T)

    def deviance(self, theta: np.ndarray) -> float:
        """Return d(θ) alone (+∞ where A is not numerically positive definite)."""
        try:
            return self._core(theta)[1]
        except _NotPositiveDefinite:
            self.failures += 1
            return math.inf

    def solve(self, theta: np.ndarray) -> ProfiledSolution:
        """Return the :class:`ProfiledSolution` at θ (β̂, A⁻¹, r², σ̂² = r²/df, Wᵢ)."""
        blocks, deviance, beta, a_inverse, r2, logdet_a = self._core(theta)
        q = self.stats.q
        w = np.empty((self.stats.n_groups, q, q))
        for a, b in self._pairs:
            w[:, a, b] = w[:, b, a] = blocks.w[(a, b)]
        return ProfiledSolution(
            theta=np.asarray(theta, dtype=float).copy(),
            lam=blocks.lam,
            deviance=deviance,
            beta=beta,
            a_inverse=a_inverse,
            r2=r2,
            sigma2=r2 / self.df,
            w=w,
            logdet_a=logdet_a,
        )
