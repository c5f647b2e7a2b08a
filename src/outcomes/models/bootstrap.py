"""The parametric bootstrap in batches: many simulated responses refitted at once.

What belongs here: drawing the y-dependent cross products of many simulated data sets at the
participants' level, evaluating the profiled deviance of all of them at shared values of θ with
a few matrix products, and the Newton step from those evaluations that gives each replicate's
refit. What does not: which term is tested and what is reported (``power.py``, ``matthew.py``).

**Why it is exact in distribution.** For a design whose random part is one grouping factor,
the profiled deviance depends on y only through Zᵢᵀyᵢ per participant, Xᵀy and yᵀy
(``fast.py``). Write Xᵢ = ZᵢCᵢ + Eᵢ with Cᵢ = (ZᵢᵀZᵢ)⁺ZᵢᵀXᵢ and Eᵢ ⟂ Zᵢ. Under the model
y = Xβ + Zb + ε,

    vᵢ = Zᵢᵀyᵢ = ZᵢᵀXᵢβ + wᵢ,   wᵢ ~ N(0, σ²(ZᵢᵀZᵢΛΛᵀZᵢᵀZᵢ + ZᵢᵀZᵢ)),
    Xᵀy = Σ Cᵢᵀvᵢ + EᵀEβ + u,   u = Σ Eᵢᵀεᵢ ~ N(0, σ²EᵀE),
    yᵀy = Σ vᵢᵀ(ZᵢᵀZᵢ)⁺vᵢ + βᵀEᵀEβ + 2βᵀu + uᵀ(EᵀE)⁺u + σ²χ²(N − Σ rank ZᵢᵀZᵢ − rank E),

all independent across participants and of each other where not linked by a shared symbol.
So a replicate costs q normal draws per participant, not one per row and q per participant.

**Why it is fast.** At one θ, with Wᵢ = ΛMᵢ⁻¹Λᵀ, a replicate's deviance needs Σ vᵢᵀWᵢvᵢ and
Xᵀy − Σ XᵢᵀZᵢWᵢvᵢ. For a block of replicates whose vᵢ stand as columns of V (qN × B) and whose
products vᵢₐvᵢ_b stand in Q, both are one matrix product each for every θ of a shared design at
once; XᵀX − Σ XᵢᵀZᵢWᵢZᵢᵀXᵢ and Σ log|Mᵢ| do not depend on y and are computed once per θ.

**The refit.** Each replicate's deviance is evaluated at the original θ̂ and at a design of
points around it (θ̂ ± hⱼeⱼ and θ̂ + hⱼeⱼ + hₖeₖ, with h one standard error of θ̂); the quadratic
through those points gives each replicate's gradient and Hessian, and one Newton step gives its
θ̂*, where β̂*, the deviance and the standard errors are read from the same quadratic. This is
the k-step bootstrap with k = 1 (Davidson & MacKinnon 1999, "Bootstrap testing in nonlinear
models", Int. Econ. Rev. 40(2):487–508; Andrews 2002, "Higher-order improvements of a
computationally attractive k-step bootstrap for extremum estimators", Econometrica
70(1):119–162): the step's error in θ̂* is of the order of the square of θ̂*'s own sampling
error, far below it. A replicate whose step leaves the design (more than two steps hⱼ from θ̂),
crosses a bound or meets a Hessian that is not positive definite is refitted exactly
(``refit.Refitter``) from the same cross products.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from outcomes.models import fast
from outcomes.models.result import SINGULAR_TOLERANCE

#: Replicates handled in one block: V and Q then hold (q + q(q+1)/2)·N·64 numbers.
BLOCK_SIZE = 64

#: A replicate whose Newton step is longer than this many design steps hⱼ in some direction is
#: refitted to convergence (the quadratic through the design is not trusted that far out).
MAX_STEPS = 4.0


@dataclass(frozen=True)
class Design:
    """The parts of the sufficient statistics that do not depend on y, and the projections the
    participant-level simulation needs (see the module docstring)."""

    stats: fast.SufficientStatistics
    ztx: np.ndarray  # (N, q, p) ZᵢᵀXᵢ, contiguous
    ztz_pinv: np.ndarray  # (N, q, q) (ZᵢᵀZᵢ)⁺
    c_rows: np.ndarray  # (q·N, p): row a·N + i is row a of Cᵢ
    e_cross: np.ndarray  # EᵀE (p, p)
    e_cross_pinv: np.ndarray
    e_factor: np.ndarray  # F with FFᵀ = EᵀE
    chi2_df: int

    @property
    def p(self) -> int:
        return self.stats.p

    @property
    def q(self) -> int:
        return self.stats.q

    @property
    def n_groups(self) -> int:
        return self.stats.n_groups

    @property
    def xtx(self) -> np.ndarray:
        return self.stats.cross[: self.p, : self.p]


def _pinv_rank(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the pseudo-inverse and rank of each symmetric block (N, q, q)."""
    values, vectors = np.linalg.eigh(blocks)
    scale = np.maximum(values[:, -1:], np.finfo(float).tiny)
    keep = values > 1e-10 * scale
    inverse_values = np.where(keep, 1.0 / np.where(keep, values, 1.0), 0.0)
    pinv = np.einsum("nab,nb,ncb->nac", vectors, inverse_values, vectors)
    return pinv, keep.sum(axis=1)


def design(stats: fast.SufficientStatistics) -> Design:
    """Return the :class:`Design` of the observed data's sufficient statistics."""
    p, q, n = stats.p, stats.q, stats.n_groups
    ztx = np.ascontiguousarray(stats.ztxy[:, :, :p])
    ztz_pinv, ranks = _pinv_rank(stats.ztz)
    c = ztz_pinv @ ztx  # (N, q, p)
    c_rows = np.ascontiguousarray(c.transpose(1, 0, 2).reshape(q * n, p))
    e_cross = stats.cross[:p, :p] - np.einsum("nap,naq->pq", ztx, c)
    e_cross = 0.5 * (e_cross + e_cross.T)
    values, vectors = np.linalg.eigh(e_cross)
    tolerance = 1e-9 * max(float(np.abs(np.diagonal(stats.cross[:p, :p])).max(initial=0.0)), 1.0)
    keep = values > tolerance
    e_factor = vectors[:, keep] * np.sqrt(values[keep])
    e_cross_pinv = (vectors[:, keep] / values[keep]) @ vectors[:, keep].T
    return Design(
        stats=stats,
        ztx=ztx,
        ztz_pinv=ztz_pinv,
        c_rows=c_rows,
        e_cross=np.where(np.abs(e_cross) > tolerance, e_cross, 0.0),
        e_cross_pinv=e_cross_pinv,
        e_factor=e_factor,
        chi2_df=int(stats.n - ranks.sum() - keep.sum()),
    )


def _psd_factor(blocks: np.ndarray) -> np.ndarray:
    """Return lower-triangular Fᵢ with FᵢFᵢᵀ = Kᵢ for positive semi-definite blocks (N, q, q)."""
    q = blocks.shape[1]
    factor = np.zeros_like(blocks)
    scale = np.maximum(np.einsum("nii->n", blocks), np.finfo(float).tiny)
    for j in range(q):
        pivot = blocks[:, j, j] - np.einsum("nk,nk->n", factor[:, j, :j], factor[:, j, :j])
        ok = pivot > 1e-12 * scale
        root = np.sqrt(np.where(ok, pivot, 1.0))
        factor[:, j, j] = np.where(ok, root, 0.0)
        for i in range(j + 1, q):
            off = blocks[:, i, j] - np.einsum("nk,nk->n", factor[:, i, :j], factor[:, j, :j])
            factor[:, i, j] = np.where(ok, off / root, 0.0)
    return factor


@dataclass(frozen=True)
class Block:
    """The y-dependent cross products of B simulated responses: ``v`` (q·N, B) with row a·N + i
    holding Zᵢᵀyᵢ's element a, ``products`` Q (:func:`_products`), ``xty`` (p, B) and
    ``yty`` (B,)."""

    v: np.ndarray
    products: np.ndarray
    xty: np.ndarray
    yty: np.ndarray

    @property
    def size(self) -> int:
        return int(self.yty.size)

    def statistics(self, d: Design, b: int) -> fast.SufficientStatistics:
        """Return the full :class:`fast.SufficientStatistics` of replicate ``b`` (for an exact
        refit)."""
        s = d.stats
        p, q, n = s.p, s.q, s.n_groups
        cross = s.cross.copy()
        cross[:p, p] = cross[p, :p] = self.xty[:, b]
        cross[p, p] = self.yty[b]
        ztxy = s.ztxy.copy()
        ztxy[:, :, p] = self.v[:, b].reshape(q, n).T
        return fast.SufficientStatistics(
            n=s.n, p=p, q=q, n_groups=n, cross=cross, ztz=s.ztz, ztxy=ztxy,
            zt_rows=tuple(np.ascontiguousarray(ztxy[:, a, :]) for a in range(q)),
            group_sizes=s.group_sizes,
        )  # fmt: skip


class Simulation:
    """Draws blocks of responses from the model with fixed effects ``beta``, relative covariance
    factor ``lam`` and residual variance ``sigma2`` (lme4's ``simulate``), at the participants'
    level (module docstring); what does not depend on the draws is computed once.

    The standard normal draws are taken in single precision (simulated noise needs no more; it
    halves the time of the draws) and combined in double precision. The arrays of a
    :class:`Block` are buffers that the next call to :meth:`block` overwrites: use a block
    before drawing the next.
    """

    def __init__(self, d: Design, beta: np.ndarray, lam: np.ndarray, sigma2: float) -> None:
        s = d.stats
        self.design = d
        self.sigma2 = sigma2
        self.sigma = math.sqrt(sigma2)
        self.beta = beta
        relative = lam @ lam.T
        factor = _psd_factor(s.ztz @ relative @ s.ztz + s.ztz)  # (N, q, q)
        self.mean = d.ztx @ beta  # (N, q)
        self.e_beta = d.e_cross @ beta
        self.beta_e_beta = float(beta @ self.e_beta)
        self.pinv_column = _weights_column(d.ztz_pinv, s.q)
        self.scaled_factor = [
            [np.ascontiguousarray(self.sigma * factor[:, a, c, None]) for c in range(a + 1)]
            for a in range(s.q)
        ]
        self._buffers: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}

    def _buffer(self, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return (normals, v, products, scratch) buffers for blocks of ``size``."""
        if size not in self._buffers:
            q, n = self.design.q, self.design.n_groups
            self._buffers[size] = (
                np.empty((q, n, size), dtype=np.float32),
                np.empty((q * n, size)),
                np.empty((q * (q + 1) // 2 * n, size)),
                np.empty((n, size)),
            )
        return self._buffers[size]

    def block(self, size: int, rng: np.random.Generator) -> Block:
        """Return the cross products of ``size`` responses drawn with ``rng``."""
        d = self.design
        q, n = d.q, d.n_groups
        normal, v, products, scratch = self._buffer(size)
        rng.standard_normal(out=normal, dtype=np.float32)
        for a in range(q):
            row = v[a * n : (a + 1) * n]
            np.multiply(self.scaled_factor[a][0], normal[0], out=row)
            for c in range(1, a + 1):
                np.multiply(self.scaled_factor[a][c], normal[c], out=scratch)
                row += scratch
            row += self.mean[:, a, None]
        _products(v, n, q, out=products)
        u = self.sigma * (d.e_factor @ rng.standard_normal((d.e_factor.shape[1], size)))
        xty = d.c_rows.T @ v + self.e_beta[:, None] + u
        yty = (
            self.pinv_column @ products
            + self.beta_e_beta
            + 2.0 * (self.beta @ u)
            + np.einsum("pb,pq,qb->b", u, d.e_cross_pinv, u)
        )
        if d.chi2_df > 0:
            yty += self.sigma2 * rng.chisquare(d.chi2_df, size)
        return Block(v=v, products=products, xty=xty, yty=yty)


def _pairs(q: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(q) for b in range(a, q)]


def _products(v: np.ndarray, n: int, q: int, out: np.ndarray | None = None) -> np.ndarray:
    """Return Q ((q(q+1)/2)·N, B): rows of vᵢₐvᵢ_b for a ≤ b, doubled for a < b (into
    ``out`` when given)."""
    if out is None:
        out = np.empty((len(_pairs(q)) * n, v.shape[1]))
    for k, (a, b) in enumerate(_pairs(q)):
        rows = out[k * n : (k + 1) * n]
        np.multiply(v[a * n : (a + 1) * n], v[b * n : (b + 1) * n], out=rows)
        if a != b:
            rows *= 2.0
    return out


def _weights_column(blocks: np.ndarray, q: int) -> np.ndarray:
    """Return the ((q(q+1)/2)·N,) column of Wᵢ[a, b], a ≤ b, matching :func:`_products`."""
    return np.concatenate([blocks[:, a, b] for a, b in _pairs(q)])


@dataclass(frozen=True)
class Point:
    """What the profiled deviance needs at one θ and does not get from y."""

    h_rows: np.ndarray  # (q·N, p): row a·N + i is Σ_c Wᵢ[a, c] (ZᵢᵀXᵢ)[c, :]
    w_column: np.ndarray
    a_matrix: np.ndarray
    logdet_m: float


def _point(d: Design, theta: np.ndarray) -> Point:
    s = d.stats
    q, n = s.q, s.n_groups
    lam = fast.theta_to_lambda(theta, q)
    m = lam.T @ s.ztz @ lam + np.eye(q)
    m_inverse, logdet = fast.spd_inverse_logdet(m)
    w = lam @ m_inverse @ lam.T  # (N, q, q)
    h_by_participant = w @ d.ztx  # (N, q, p)
    a_matrix = d.xtx - d.ztx.reshape(n * q, s.p).T @ h_by_participant.reshape(n * q, s.p)
    h = np.ascontiguousarray(h_by_participant.transpose(1, 0, 2)).reshape(q * n, s.p)
    return Point(
        h_rows=h,
        w_column=_weights_column(w, q),
        a_matrix=0.5 * (a_matrix + a_matrix.T),
        logdet_m=float(logdet.sum()),
    )


@dataclass(frozen=True)
class Model:
    """One model to refit: its columns of X (``keep``), REML or ML."""

    keep: np.ndarray
    reml: bool


@dataclass
class Refits:
    """Refits of one model to a block: β̂* (p, B), their standard errors, the deviance at θ̂*,
    θ̂* itself, and which replicates the Newton step could not give (``exact``: refit them)."""

    beta: np.ndarray
    se: np.ndarray
    deviance: np.ndarray
    theta: np.ndarray
    exact: np.ndarray


@dataclass(frozen=True)
class Scale:
    """The coordinates of a block's Newton step: φ = θ|θ| on Λ's diagonal (the scale of the
    variances) and φ = θ elsewhere, over the free elements of θ; ``centre`` is θ̂ and ``steps``
    the design's hⱼ in φ, one standard error of φ̂ⱼ.

    On this scale each replicate's deviance is closer to a quadratic than on θ itself, on
    log θ or on the covariance matrix ΛΛᵀ (measured on simulated panels of 2,000 and 10,000
    participants: the largest error of the null-model likelihood-ratio statistic was 4–10 times
    smaller), so one Newton step lands closer to the converged refit.
    """

    centre: np.ndarray
    free: np.ndarray
    diagonal: np.ndarray
    steps: np.ndarray

    @classmethod
    def around(cls, theta: np.ndarray, free: np.ndarray, theta_se: np.ndarray, q: int) -> Scale:
        """Return the scale around θ̂ = ``theta`` whose free elements have standard errors
        ``theta_se`` (dφ/dθ = 2|θ| on the diagonal)."""
        rows, cols = fast.theta_index(q)
        diagonal = rows == cols
        slope = np.where(diagonal, 2.0 * np.abs(theta), 1.0)[free]
        return cls(centre=theta, free=free, diagonal=diagonal, steps=slope * theta_se)

    def phi(self, theta: np.ndarray) -> np.ndarray:
        """Return φ of θ (last axis: all elements of θ)."""
        return np.where(self.diagonal, theta * np.abs(theta), theta)

    def theta(self, phi: np.ndarray) -> np.ndarray:
        """Return θ of φ (:meth:`phi` inverted)."""
        return np.where(self.diagonal, np.sign(phi) * np.sqrt(np.abs(phi)), phi)

    def points(self) -> list[np.ndarray]:
        """Return the design's θ: φ̂, φ̂ ± hⱼeⱼ and φ̂ ± (hⱼeⱼ + hₖeₖ), j < k, over the free
        elements, mapped back to θ."""
        centre = self.phi(self.centre)
        index = np.flatnonzero(self.free)
        points = [centre.copy()]
        for j, h in zip(index, self.steps, strict=True):
            for sign in (1.0, -1.0):
                point = centre.copy()
                point[j] += sign * h
                points.append(point)
        for a in range(index.size):
            for b in range(a + 1, index.size):
                for sign in (1.0, -1.0):
                    point = centre.copy()
                    point[index[a]] += sign * self.steps[a]
                    point[index[b]] += sign * self.steps[b]
                    points.append(point)
        return [self.theta(point) for point in points]


def _quadratic_model(values: np.ndarray, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (gradient (…, d), Hessian (…, d, d)) in units of θ from ``values`` (K, …) at
    :meth:`Scale.points` (K = 1 + 2d + d(d−1)): central differences, exact for a quadratic
    and free of the cubic terms."""
    d = steps.size
    centre = values[0]
    plus = values[1 : 1 + 2 * d : 2]
    minus = values[2 : 2 + 2 * d : 2]
    shape = centre.shape
    gradient = np.empty((*shape, d))
    hessian = np.empty((*shape, d, d))
    for j in range(d):
        gradient[..., j] = (plus[j] - minus[j]) / (2.0 * steps[j])
        hessian[..., j, j] = (plus[j] - 2.0 * centre + minus[j]) / steps[j] ** 2
    k = 1 + 2 * d
    for a in range(d):
        for b in range(a + 1, d):
            both = values[k] + values[k + 1]
            mixed = (both - plus[a] - minus[a] - plus[b] - minus[b] + 2.0 * centre) / (
                2.0 * steps[a] * steps[b]
            )
            hessian[..., a, b] = hessian[..., b, a] = mixed
            k += 2
    return gradient, hessian


def newton(
    deviance: np.ndarray, quantities: list[np.ndarray], scale: Scale
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], np.ndarray]:
    """Return (θ̂* (B, len θ), deviance at θ̂* (B,), each quantity (K, p, B) at θ̂*, which
    replicates to refit to convergence) from values at the design points of ``scale``.

    A replicate is refitted to convergence when its Hessian is not positive definite, its step
    leaves the design by more than :data:`MAX_STEPS` steps hⱼ, or it reaches a bound of θ."""
    steps = scale.steps
    gradient, hessian = _quadratic_model(deviance, steps)  # (B, d), (B, d, d)
    size = deviance.shape[1]
    positive = np.linalg.eigvalsh(hessian)[:, 0] > 0
    safe = np.where(positive[:, None, None], hessian, np.eye(steps.size))
    delta = -np.linalg.solve(safe, gradient[..., None])[..., 0]  # (B, d)
    phi = np.tile(scale.phi(scale.centre), (size, 1))
    phi[:, scale.free] += delta
    exact = ~positive | np.any(np.abs(delta) > MAX_STEPS * steps, axis=1)
    exact |= np.any(scale.diagonal & (phi <= 0.0), axis=1)
    value = deviance[0] + 0.5 * np.einsum("bj,bj->b", gradient, delta)
    at_step = []
    for quantity in quantities:
        q_gradient, q_hessian = _quadratic_model(quantity, steps)  # (p, B, d), (p, B, d, d)
        at_step.append(
            quantity[0]
            + np.einsum("pbj,bj->pb", q_gradient, delta)
            + 0.5 * np.einsum("bj,pbjk,bk->pb", delta, q_hessian, delta)
        )
    return scale.theta(phi), value, at_step, exact


@dataclass(frozen=True)
class _Fixed:
    """One model at one design point: what its deviance needs that does not depend on y."""

    chol: tuple[np.ndarray, bool]
    logdet_a: float
    a_inverse_diagonal: np.ndarray


class BlockRefitter:
    """Refits models (:class:`Model`) to blocks of simulated responses by one Newton step on
    ``scale`` (module docstring). Everything that does not depend on y (Wᵢ, XᵀX − Σ…, its
    Cholesky factor and Σ log|Mᵢ| at each design point) is computed once here."""

    def __init__(self, d: Design, scale: Scale, models: list[Model]) -> None:
        self.design = d
        self.scale = scale
        self.models = models
        points = [_point(d, theta) for theta in scale.points()]
        self.logdet_m = np.array([point.logdet_m for point in points])
        self.h_stacked = np.ascontiguousarray(
            np.concatenate([point.h_rows for point in points], axis=1)
        )  # (qN, K·p)
        self.w_matrix = np.ascontiguousarray(np.stack([point.w_column for point in points]))
        self.fixed = []
        for model in models:
            per_point = []
            for point in points:
                a_matrix = point.a_matrix[np.ix_(model.keep, model.keep)]
                chol = scipy.linalg.cho_factor(a_matrix, lower=True, check_finite=False)
                inverse = scipy.linalg.cho_solve(chol, np.eye(model.keep.size), check_finite=False)
                per_point.append(
                    _Fixed(
                        chol=chol,
                        logdet_a=2.0 * float(np.log(np.diagonal(chol[0])).sum()),
                        a_inverse_diagonal=np.diagonal(inverse).copy(),
                    )
                )
            self.fixed.append(per_point)

    def _evaluate(
        self, block: Block, m: int, quadratic: np.ndarray, projected: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (deviance (K, B), β̂ (K, p, B), σ̂²·diag A⁻¹ (K, p, B)) of model ``m`` at
        every design point for every replicate."""
        model = self.models[m]
        keep = model.keep
        n = self.design.stats.n
        df = n - keep.size if model.reml else n
        k_count = len(self.fixed[m])
        deviance = np.empty((k_count, block.size))
        betas = np.empty((k_count, keep.size, block.size))
        variances = np.empty((k_count, keep.size, block.size))
        xty = block.xty[keep]
        for k, fixed in enumerate(self.fixed[m]):
            rhs = xty - projected[k][keep]
            beta = scipy.linalg.cho_solve(fixed.chol, rhs, check_finite=False)
            r2 = block.yty - quadratic[k] - np.einsum("pb,pb->b", rhs, beta)
            r2 = np.maximum(r2, np.finfo(float).tiny)
            value = self.logdet_m[k] + df * (1.0 + fast.LOG_2PI + np.log(r2 / df))
            if model.reml:
                value += fixed.logdet_a
            deviance[k] = value
            betas[k] = beta
            variances[k] = fixed.a_inverse_diagonal[:, None] * (r2 / df)[None, :]
        return deviance, betas, variances

    def refit(self, block: Block) -> list[Refits]:
        """Return the :class:`Refits` of each model to every replicate of ``block``."""
        d = self.design
        quadratic = self.w_matrix @ block.products  # (K, B)
        projected = (self.h_stacked.T @ block.v).reshape(-1, d.p, block.size)
        found = []
        for m in range(len(self.models)):
            deviance, betas, variances = self._evaluate(block, m, quadratic, projected)
            theta, value, (beta, variance), exact = newton(deviance, [betas, variances], self.scale)
            found.append(Refits(beta=beta, se=np.sqrt(np.clip(variance, 0.0, None)),
                                deviance=value, theta=theta, exact=exact))  # fmt: skip
        return found


def block_sizes(total: int, size: int = BLOCK_SIZE) -> list[int]:
    """Return block sizes that add up to ``total``."""
    return [min(size, total - start) for start in range(0, total, size)]


def singular_thetas(theta: np.ndarray, q: int) -> np.ndarray:
    """Return, per row of θ (B, len θ), whether a diagonal element of Λ is below lme4's
    ``isSingular`` tolerance (``result.SINGULAR_TOLERANCE``)."""
    rows, cols = fast.theta_index(q)
    return np.any(theta[:, rows == cols] < SINGULAR_TOLERANCE, axis=1)
