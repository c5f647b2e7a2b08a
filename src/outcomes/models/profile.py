"""Profile-likelihood confidence intervals of the variance parameters of a linear mixed model.

What belongs here: :func:`profile_intervals`, the profile intervals of the random-effect
standard deviations, their correlations and the residual SD of a model with one grouping factor
fitted by the fast engine (``fast.py``), as lme4's ``confint(m, method = "profile")`` computes
them (Bates, Mächler, Bolker & Walker 2015, "Fitting linear mixed-effects models using lme4",
J. Stat. Softw. 67(1), §5.1; lme4's ``profile.merMod`` documentation): the profile of each
parameter, the search for the ends of its interval and the minimisation at each profile point.
What does not: the criterion and its gradient (``profile_criterion.py``), the coordinates the
minimisation runs in (``profile_coordinates.py``), the bounded quadratic-model step
(``quadratic.py``), fitting (``fit.py``, ``optimiser.py``) and the Wald intervals of the fixed
effects (``result.py``).

The parameters are lme4's ``.sig01, .sig02, …, .sigma`` on the standard-deviation/correlation
scale, φ = (σ₁, ρ₂₁, …, σ₂, …, σ), in θ's column-major order followed by the residual SD σ. They
map to lme4's (θ, σ) by Λ = chol(Σ/σ²), Σ = D R D the random-effect covariance (D = diag(σⱼ),
R the correlations). With σ not profiled out the criterion is

    d(θ, σ) = Σ log|Mᵢ| [+ log|A| for REML] + df·log(2πσ²) + r²(θ)/σ²,

df = n − p (REML) or n (ML), in the notation of ``fast.py``. For each parameter φₖ, the profile
d̃(φₖ) = min d over the other parameters with φₖ fixed, and the signed root deviance
ζ(φₖ) = sign(φₖ − φ̂ₖ)·√(d̃(φₖ) − d̂); the interval is where |ζ| ≤ Φ⁻¹(1 − α/2) (1.96 at 95%,
a rise of 3.84 in the deviance). Each end is found by scipy's ``brentq`` on ζ after bracketing
by steps outward (Newton steps on ζ, whose slope d̃′(φₖ)/(2ζ) the gradient gives for free at
each profile point), each profile point by a bounded quasi-Newton minimisation with the analytic
gradient, warm-started on the line through the neighbouring points. The minimisation runs in
Cholesky coordinates of the random-effect covariance chosen so that φₖ is one of them
(``profile_coordinates.py``), where the boundaries (an SD of 0, a correlation of ±1) are simple
bounds. An SD whose profile stays below the cutoff down to 0 gets the lower limit 0, a correlation
whose profile stays below it up to ±1 the limit ±1, as lme4 reports them; the interval's
``note`` says so.

lme4 (1.1-31 and later) refits a REML fit by ML before profiling (``refitML`` in its
``devfun2``; lme4 issues #325 and #838), so its profile intervals are those of the ML criterion
for every fit. ``profile_intervals(…, reml=False)`` reproduces them; ``reml=True`` profiles the
REML criterion, whose intervals are centred on the REML estimates.

Cost: each evaluation of the criterion and its gradient is one vectorised pass over the
participants' sufficient statistics (``Profiler.evaluations`` counts them). Two correlated
random terms take about 85–110 evaluations for all four intervals on regular data and up to
about 200 near a singular fit: 0.3–0.8 s on 10,000 participants.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.optimize
from scipy import stats as scipy_stats

from outcomes.models import fast, optimiser
from outcomes.models.formula import Design
from outcomes.models.profile_coordinates import CoordinateSystem, step_scale
from outcomes.models.profile_criterion import Criterion
from outcomes.models.quadratic import box_newton_step, conditional_variance

# quasi-Newton stops when the decrease its quadratic model predicts falls below this (deviance
# units; ζ at the cutoff then errs by < 1e-8) or below _NOISE of the deviance: its rounding
# noise is about 1e-14 of its size (a few 1e-9 for 10,000 participants)
_DECREASE_TOLERANCE = 1e-8
_NOISE = 1e-13
_MAX_NEWTON_ITERATIONS = 60
_MAX_BRACKET_STEPS = 40


@dataclass(frozen=True)
class ProfileInterval:
    """The profile-likelihood interval of one variance parameter.

    ``parameter`` is ``sd_<term>``, ``cor_<term>.<term>`` (named from the design's
    ``random_names``; lme4's ``.sig01, .sig02, …``) or ``sigma`` (the residual SD);
    ``estimate`` is its value at the optimum of the profiled criterion, ``method`` names it
    (``"profile (REML)"`` or ``"profile (ML)"``). ``ci_low``/``ci_high`` are None only where
    the profile never reaches the cutoff (a parameter the data do not bound); ``note`` says when
    an end sits on the parameter's boundary (0, ±1) or is missing.
    """

    parameter: str
    estimate: float
    ci_low: float | None
    ci_high: float | None
    method: str
    note: str | None

    def as_dict(self) -> dict[str, object]:
        """Return the fields by name, as ``model.json`` writes them."""
        return dataclasses.asdict(self)


@dataclass
class _ProfilePoint:
    """The minimum of the criterion with parameter k fixed at t: the coordinates there (in
    ``system``; None for the fit itself), a square factor ``chol`` of Σ in the design's order
    of the terms and σ, the deviance, its slope d̃′(t) (the partial derivative in φₖ at the
    constrained minimum) and the quasi-Newton Hessian over the free coordinates."""

    t: float
    system: CoordinateSystem | None
    x: np.ndarray
    chol: np.ndarray
    sigma: float
    deviance: float
    slope: float
    hessian: np.ndarray


@dataclass
class _Track:
    """One parameter's profile: its kind, estimate, coordinate systems and points so far."""

    k: int
    kind: str
    centre: float
    systems: dict[str, CoordinateSystem]
    points: list[_ProfilePoint]


class Profiler:
    """Profiles of the variance parameters of one model (see the module docstring).

    ``Profiler(design, reml=…, theta_hat=…)`` fits the model with the fast engine unless
    ``theta_hat`` (lme4's θ at the optimum of the same criterion) is given; ``intervals(level)``
    returns the :class:`ProfileInterval` list. ``evaluations`` counts the criterion evaluations
    since construction (each one vectorised pass over all participants' sufficient
    statistics), ``fit_evaluations`` those of the fit, ``seconds`` the time spent profiling.
    """

    def __init__(
        self, design: Design, *, reml: bool = True, theta_hat: np.ndarray | None = None
    ) -> None:
        q = design.Z.shape[1]
        if design.y.size <= design.X.shape[1]:
            raise ValueError(
                f"{design.y.size} observation(s) cannot estimate {design.X.shape[1]} fixed effects"
            )
        centring = fast.centre(design.X, design.y)
        stats = fast.sufficient_statistics(
            centring.X, centring.y, design.Z, design.groups, design.n_groups
        )
        self.design = design
        self.reml = reml
        self.q = q
        self.criterion = Criterion(stats, reml=reml)
        self.rows, self.cols = fast.theta_index(q)
        self.n_theta = len(self.rows)
        self.m = self.n_theta + 1
        names = design.random_names
        self.names = [
            f"sd_{names[r]}" if r == c else f"cor_{names[c]}.{names[r]}"
            for r, c in zip(self.rows, self.cols, strict=True)
        ] + ["sigma"]
        self.fit_evaluations = 0
        if theta_hat is None:
            deviance = fast.ProfiledDeviance(stats, reml=reml)
            fitted = optimiser.optimise(deviance)
            theta = fitted.solution.theta
            self.fit_evaluations = fitted.evaluations
        else:
            theta = np.asarray(theta_hat, dtype=float)
            if theta.shape != (self.n_theta,):
                raise ValueError(f"theta_hat must have {self.n_theta} elements for {q} terms")
        started = time.perf_counter()
        lam = fast.theta_to_lambda(theta, q)
        parts = self.criterion(lam)
        if parts is None:
            raise ValueError("the criterion is not finite at theta_hat")
        self.sigma_hat = math.sqrt(parts[1] / self.criterion.df)
        self.chol_hat = self.sigma_hat * lam
        # polish the optimum in σ's coordinates (L itself); they serve σ's profile after
        self.sigma_system = self._make_system("sigma", np.arange(q), polar=False)
        polished = self._minimise(
            self.sigma_system, self.sigma_system.x_hat, None, self.sigma_system.hessian
        )
        self.chol_hat, self.sigma_hat = self.sigma_system.cholesky(polished.x)
        self.sigma_system.x_hat = polished.x
        self.d_hat = polished.deviance
        self.seconds = time.perf_counter() - started

    @property
    def evaluations(self) -> int:
        return self.criterion.evaluations

    # --- coordinates -------------------------------------------------------------------------

    def _make_system(self, kind: str, order: np.ndarray, *, polar: bool) -> CoordinateSystem:
        """Return the :class:`CoordinateSystem` of ``kind`` at the current optimum, with the
        finite-difference Hessian of the criterion there."""
        q = self.q
        diagonal = self.rows == self.cols
        lower = np.append(np.where(diagonal, 0.0, -np.inf), 1e-8 * self.sigma_hat)
        upper = np.full(self.m, np.inf)
        covariance = self.chol_hat @ self.chol_hat.T
        spread = math.sqrt(max(float(np.max(np.diagonal(covariance), initial=0.0)), 0.0))
        scale = np.full(self.m, max(self.sigma_hat, spread))
        if polar:
            lower[1], upper[1], scale[1] = -1.0, 1.0, 1.0
        if kind == "sigma":
            fixed = self.m - 1
        elif kind == "cor":
            fixed = 1
        else:
            fixed = q if polar else 0
        system = CoordinateSystem(
            kind=kind,
            order=order,
            polar=polar,
            fixed=fixed,
            lower=lower,
            upper=upper,
            scale=scale,
            x_hat=np.zeros(self.m),
            hessian=np.zeros((self.m, self.m)),
        )
        system.x_hat = system.coordinates(self.chol_hat, self.sigma_hat)
        system.hessian = self._fd_hessian(system, system.x_hat)
        return system

    def _value(self, system: CoordinateSystem, x: np.ndarray) -> tuple[float, np.ndarray]:
        """Return d and ∂d/∂x at x (+∞ and zeros where the criterion is not defined)."""
        q = self.q
        chol, sigma = system.cholesky(x)
        lam = chol / sigma
        parts = self.criterion(lam)
        if parts is None:
            return math.inf, np.zeros(self.m)
        value, r2, d_value, d_r2 = parts
        df = self.criterion.df
        deviance = value + df * (fast.LOG_2PI + 2.0 * math.log(sigma)) + r2 / sigma**2
        d_lam = d_value + d_r2 / sigma**2
        # ∂d/∂L in the system's order of the terms
        d_chol = d_lam[system.order] / sigma
        gradient = np.empty(self.m)
        gradient[: self.n_theta] = d_chol[self.rows, self.cols]
        if system.polar:
            rho, radius = float(x[1]), float(x[q])
            root = math.sqrt(max(1.0 - rho * rho, 0.0))
            g10, g11 = float(d_chol[1, 0]), float(d_chol[1, 1])
            gradient[1] = radius * (g10 - g11 * rho / max(root, 1e-12))
            gradient[q] = g10 * rho + g11 * root
        gradient[-1] = 2.0 * df / sigma - 2.0 * r2 / sigma**3 - float(np.sum(d_lam * lam)) / sigma
        return deviance, gradient

    def _fd_hessian(self, system: CoordinateSystem, x: np.ndarray) -> np.ndarray:
        """Return the Hessian of d at x by forward differences of the analytic gradient (steps
        into the parameter space where x sits on a bound)."""
        _, gradient = self._value(system, x)
        hessian = np.empty((self.m, self.m))
        for i in range(self.m):
            step = 1e-5 * system.scale[i]
            if x[i] + step > system.upper[i]:
                step = -step
            shifted = x.copy()
            shifted[i] += step
            _, moved = self._value(system, shifted)
            hessian[:, i] = (moved - gradient) / step
        return 0.5 * (hessian + hessian.T)

    # --- minimisation with one parameter fixed -----------------------------------------------

    def _minimise(
        self, system: CoordinateSystem, x0: np.ndarray, fixed: int | None, hessian: np.ndarray
    ) -> _ProfilePoint:
        """Return the minimum of d over the coordinates other than ``fixed`` (all if None), from
        ``x0``: quasi-Newton steps that minimise the quadratic model (``hessian`` over the free
        coordinates, updated by BFGS) within the bounds, with Armijo backtracking."""
        lower, upper = system.lower, system.upper
        free = np.ones(self.m, dtype=bool)
        if fixed is not None:
            free[fixed] = False
        x = np.clip(x0, lower, upper)
        if fixed is not None:
            x[fixed] = x0[fixed]
        h = hessian.copy()
        f, g = self._value(system, x)
        index = np.flatnonzero(free)
        for _ in range(_MAX_NEWTON_ITERATIONS):
            if not math.isfinite(f):
                break
            step = np.zeros(self.m)
            step[index] = box_newton_step(
                h, g[index], lower[index] - x[index], upper[index] - x[index]
            )
            decrease = -float(g @ step + 0.5 * step[index] @ h @ step[index])
            noise = _NOISE * abs(f)
            if decrease < max(_DECREASE_TOLERANCE, noise):
                break
            alpha = 1.0
            accepted = False
            while alpha > 1e-6:
                trial = np.clip(x + alpha * step, lower, upper)
                f_trial, g_trial = self._value(system, trial)
                if f_trial <= f + 1e-4 * float(g @ (trial - x)) + noise:
                    accepted = True
                    break
                alpha *= 0.5 if math.isfinite(f_trial) else 0.1
            if not accepted:
                break
            s = (trial - x)[free]
            y = (g_trial - g)[free]
            sy = float(s @ y)
            if sy > 1e-12 * float(np.linalg.norm(s) * np.linalg.norm(y)):
                hs = h @ s
                h = h - np.outer(hs, hs) / float(s @ hs) + np.outer(y, y) / sy
            x, f, g = trial, f_trial, g_trial
        chol, sigma = system.cholesky(x)
        return _ProfilePoint(
            t=float(x[fixed]) if fixed is not None else math.nan,
            system=system,
            x=x,
            chol=chol,
            sigma=sigma,
            deviance=f,
            slope=float(g[fixed]) if fixed is not None else 0.0,
            hessian=h,
        )

    # --- one parameter's profile -------------------------------------------------------------

    def _track(self, k: int) -> _Track:
        """Return the empty profile of parameter k (lme4's order) with its estimate."""
        centre_point = _ProfilePoint(
            t=math.nan,
            system=None,
            x=np.zeros(0),
            chol=self.chol_hat,
            sigma=self.sigma_hat,
            deviance=self.d_hat,
            slope=0.0,
            hessian=np.zeros((0, 0)),
        )
        if k == self.m - 1:
            kind = "sigma"
            systems = {"plain": self.sigma_system}
        else:
            kind = "sd" if self.rows[k] == self.cols[k] else "cor"
            systems = {}
        centre = self.sigma_hat if kind == "sigma" else self._estimate(k)
        centre_point.t = centre
        return _Track(k=k, kind=kind, centre=centre, systems=systems, points=[centre_point])

    def _estimate(self, k: int) -> float:
        """Return parameter k (an SD or a correlation) at the optimum."""
        covariance = self.chol_hat @ self.chol_hat.T
        r, c = int(self.rows[k]), int(self.cols[k])
        if r == c:
            return math.sqrt(max(float(covariance[r, r]), 0.0))
        denominator = math.sqrt(max(float(covariance[r, r] * covariance[c, c]), 0.0))
        if denominator == 0.0:
            return 0.0
        return float(np.clip(covariance[r, c] / denominator, -1.0, 1.0))

    def _system_at(self, track: _Track, t: float) -> CoordinateSystem:
        """Return the coordinate system for the profile point at φₖ = t, made on first use:
        for an SD the polar one below half its estimate (or when it is estimated at 0), where
        its term's correlations are barely determined, else the plain one."""
        q, k = self.q, track.k
        if track.kind == "sigma":
            return track.systems["plain"]
        if track.kind == "cor":
            name, polar = "polar", True
            r, c = int(self.rows[k]), int(self.cols[k])
            order = [c, r]
        else:
            j = int(self.rows[k])
            others = [i for i in range(q) if i != j]
            polar = bool(others) and (track.centre <= 0.0 or t < 0.5 * track.centre)
            name = "polar" if polar else "plain"
            order = [others[0], j] if polar else [j]
        if name not in track.systems:
            rest = [i for i in range(q) if i not in order]
            track.systems[name] = self._make_system(track.kind, np.array(order + rest), polar=polar)
        return track.systems[name]

    def _profile(self, k: int, level: float) -> ProfileInterval:
        z = float(scipy_stats.norm.ppf(0.5 + level / 2.0))
        track = self._track(k)
        ends: list[float | None] = []
        notes: list[str] = []
        for direction in (-1.0, 1.0):
            end, note = self._crossing(track, direction, z)
            ends.append(end)
            if note:
                notes.append(note)
        lowest = min(point.deviance for point in track.points)
        if lowest < self.d_hat - 1e-6:
            notes.append(
                f"the profile met a deviance {self.d_hat - lowest:.3g} below the fit's: the fit "
                "is not at the optimum and the interval is not reliable"
            )
        return ProfileInterval(
            parameter=self.names[k],
            estimate=track.centre,
            ci_low=ends[0],
            ci_high=ends[1],
            method="profile (REML)" if self.reml else "profile (ML)",
            note="; ".join(notes) if notes else None,
        )

    def _point(self, track: _Track, t: float) -> _ProfilePoint:
        """Return the profile point at φₖ = t, warm-started on the line through its neighbours
        (from the estimate along the trace slope −H₋ₖ₋ₖ⁻¹H₋ₖₖ of the fit's Hessian)."""
        for point in track.points:
            if point.t == t:
                return point
        system = self._system_at(track, t)
        k = system.fixed
        free = np.arange(self.m) != k

        def at(point: _ProfilePoint) -> np.ndarray:
            if point.system is system:
                return point.x
            if point.system is None:
                return system.x_hat
            return system.coordinates(point.chol, point.sigma)

        ordered = sorted(track.points, key=lambda p: p.t)
        below = [p for p in ordered if p.t < t]
        above = [p for p in ordered if p.t > t]
        if below and above:
            left, right = below[-1], above[0]
            weight = (t - left.t) / (right.t - left.t)
            start = (1.0 - weight) * at(left) + weight * at(right)
            nearest = left if weight < 0.5 else right
        else:
            if below:
                nearest = below[-1]
                inner = below[-2] if len(below) > 1 else None
            else:
                nearest = above[0]
                inner = above[1] if len(above) > 1 else None
            start = at(nearest).copy()
            if inner is None or nearest.system is None:
                h_free = system.hessian[np.ix_(free, free)]
                trace = -np.linalg.lstsq(h_free, system.hessian[free, k], rcond=None)[0]
                start[free] += trace * (t - nearest.t)
            else:
                start += (at(nearest) - at(inner)) * (t - nearest.t) / (nearest.t - inner.t)
        start[k] = t
        if nearest.system is system:
            hessian = nearest.hessian
        else:
            hessian = system.hessian[np.ix_(free, free)]
        point = self._minimise(system, start, k, hessian)
        point.t = t
        track.points.append(point)
        return point

    def _zeta(self, point: _ProfilePoint, centre: float) -> float:
        rise = point.deviance - self.d_hat
        if not math.isfinite(rise):
            return math.copysign(1e6, point.t - centre)
        return math.copysign(math.sqrt(max(rise, 0.0)), point.t - centre)

    def _crossing(
        self, track: _Track, direction: float, z: float
    ) -> tuple[float | None, str | None]:
        """Return (one end of the interval, note): bracket ζ(φₖ) = ±z by steps outward, on the
        log scale for SDs and atanh scale for correlations, then solve with ``brentq``."""
        kind = track.kind
        centre = track.centre
        target = direction * z
        side = "lower" if direction < 0 else "upper"
        if kind == "sd" and direction < 0 and centre <= 0.0:
            return 0.0, "estimate at the boundary 0, lower limit 0 (lme4 reports 0)"
        if kind == "cor" and direction * centre >= 1.0 - 1e-12:
            return direction, f"estimate at the boundary {direction:+.0f}"
        forward, backward, derivative = step_scale(kind)
        first_system = self._system_at(track, centre)
        variance = conditional_variance(first_system.hessian, first_system.fixed)
        se = math.sqrt(variance) if math.isfinite(variance) else math.nan
        if centre > 0 or kind == "cor":
            se_u = se * derivative(centre) if math.isfinite(se) else 0.5
            step = direction * z * min(max(se_u, 1e-3), 3.0)
            u = forward(centre) + step
        else:  # an SD estimated at 0: first step from its Wald-type width
            first = z * se if math.isfinite(se) else 0.1 * self.sigma_hat
            u = forward(max(first, 1e-3 * self.sigma_hat))
            step = 1.0
        previous_t = centre
        bracket: tuple[float, float] | None = None
        for _ in range(_MAX_BRACKET_STEPS):
            t = backward(u)
            at_bound = False
            if kind == "sd" and direction < 0 and t < 1e-3 * centre:
                t, at_bound = 0.0, True
            if kind == "cor" and abs(t) >= 1.0 - 1e-3:
                t, at_bound = direction, True
            if not math.isfinite(t) or t > 1e12 * max(centre, self.sigma_hat):
                break
            point = self._point(track, t)
            zeta = self._zeta(point, centre)
            if direction * zeta >= z:
                bracket = (previous_t, t)
                break
            if at_bound:
                bound_value = 0.0 if kind == "sd" else direction
                return bound_value, (
                    f"{side} limit {bound_value:g}: the profile stays within the cutoff up to the "
                    f"boundary (lme4 reports {bound_value:g})"
                )
            # dζ/du = d̃′(t)/(2ζ)·dt/du, positive where the profile is monotone
            du = derivative(t)
            slope_u = point.slope / (2.0 * zeta) / du if zeta != 0 and du > 0 else 0.0
            if direction * zeta > 0 and slope_u > 0:
                newton = (target - zeta) / slope_u
                proposal = 1.1 * newton + direction * 0.02 * abs(step)
                size = min(max(abs(proposal), 0.05 * abs(step)), 3.0 * abs(step))
            else:
                size = 2.0 * abs(step)
            step = direction * size
            previous_t = t
            u = u + step
        if bracket is None:
            return None, f"{side} limit not found: the profile does not reach the cutoff"

        def shifted(t: float) -> float:
            return self._zeta(self._point(track, t), centre) - target

        low, high = sorted(bracket)
        scale = 1.0 if kind == "cor" else max(abs(centre), self.sigma_hat)
        root = scipy.optimize.brentq(shifted, low, high, xtol=1e-9 * scale, rtol=1e-7)
        return float(root), None

    # --- all profiles ------------------------------------------------------------------------

    def intervals(self, level: float = 0.95) -> list[ProfileInterval]:
        """Return the :class:`ProfileInterval` of every variance parameter in lme4's order
        (``.sig01, .sig02, …, .sigma``) at confidence ``level``."""
        if not 0.0 < level < 1.0:
            raise ValueError(f"level must be between 0 and 1, got {level}")
        started = time.perf_counter()
        result = [self._profile(k, level) for k in range(self.m)]
        self.seconds += time.perf_counter() - started
        return result


def profile_intervals(
    design: Design,
    *,
    reml: bool = True,
    theta_hat: np.ndarray | None = None,
    level: float = 0.95,
) -> list[ProfileInterval]:
    """Return profile-likelihood intervals of the random-effect SDs, their correlations and the
    residual SD of the model in ``design`` (one grouping factor), in lme4's order.

    One :class:`ProfileInterval` per parameter: ``sd_<term>`` and ``cor_<term>.<term>`` in θ's
    column-major order (lme4's ``.sig01, .sig02, …``), then ``sigma``. The profiled criterion is
    REML when ``reml`` (intervals centred on the REML estimates) and ML otherwise; lme4's
    ``confint(m, method = "profile")`` profiles ML for REML fits too (it refits by ML), so
    ``reml=False`` reproduces its intervals for any lmer fit of the same model. ``theta_hat``
    (lme4's θ at the optimum of that criterion) skips the fit. Method: Bates et al. (2015),
    J. Stat. Softw. 67(1), §5.1, and lme4's ``profile.merMod``; see the module docstring.
    """
    return Profiler(design, reml=reml, theta_hat=theta_hat).intervals(level)
