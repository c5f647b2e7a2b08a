"""Random-effects meta-analysis: pooling one effect (e.g. the Matthew term) across projects.

What belongs here: :func:`pool_effects`, which returns a :class:`PooledResult` (its
:meth:`~PooledResult.to_dict` is the ``pooled.json`` shape) for the inverse-variance
fixed-effect model and the random-effects model with τ² by DerSimonian–Laird or REML (Fisher
scoring, as metafor's ``rma(method = "REML")``):

* the pooled estimate with, by default, the Knapp–Hartung SE and t test with k − 1 df
  (Knapp & Hartung 2003, Stat. Med. 22:2693; metafor's ``test = "knha"``, untruncated), or the
  Wald z version;
* heterogeneity: Q, I², H², τ² with its Q-profile confidence interval and the implied τ, I²
  and H² intervals (Viechtbauer 2007, Stat. Med. 26:37; metafor's ``confint()``), and
  :func:`heterogeneity_label`, which does not put a word on I² below 5 projects;
* the prediction interval estimate ± t(k − 2)·√(SE² + τ²), none for k < 3 (Higgins, Thompson &
  Spiegelhalter 2009, J. R. Stat. Soc. A 172:137);
* forest-plot rows.

Formulas follow Viechtbauer (2010), "Conducting meta-analyses in R with the metafor package",
J. Stat. Softw. 36(3), and DerSimonian & Laird (1986); tests/models/data/r/metafor.R checks
them against metafor 3.8. What does not belong here: fitting per-project models.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy import optimize, stats

METHODS = ("REML", "DL", "FE")

#: ``pi_method`` values: which rule made the prediction interval
PI_T_K_MINUS_2 = "t(k-2): estimate ± t(k−2)·√(SE² + τ²), Higgins, Thompson & Spiegelhalter 2009"
PI_NONE_FEW_STUDIES = "none: fewer than 3 projects"
PI_FIXED_EFFECT = "fixed effect: τ² = 0, the prediction interval is the confidence interval"

#: fewest projects for which :func:`heterogeneity_label` puts a word on I²
LABEL_MIN_K = 5

#: metafor's ``confint()`` defaults for the Q-profile root search: ``uniroot``'s tol and maxiter
QP_TOLERANCE = float(np.finfo(float).eps) ** 0.25
QP_MAX_ITER = 1000


class MetaAnalysisError(ValueError):
    """Effects cannot be pooled as given (too few, negative variances, unequal lengths)."""


@dataclass
class PooledResult:
    """A pooled effect with heterogeneity statistics and the prediction interval.

    ``statistic`` is z, or t with ``df`` degrees of freedom under Knapp–Hartung. ``tau2_se`` is
    the SE of τ̂² from the Fisher information (REML only, metafor's ``se.tau2``). ``i2`` and ``h2``
    are percentages/ratios as metafor reports them; ``weights`` are percentages.

    ``tau2_ci_low``/``tau2_ci_high`` are the Q-profile interval of τ² (``None`` for FE and
    k = 1); τ, I² and H² intervals follow from it. Where metafor prints ``>`` the bound is the
    end of the search interval, max(100, 10·τ̂²), and ``tau2_ci_high_at_limit`` (or
    ``tau2_ci_low_at_limit``) is true. ``pi_low``/``pi_high`` are ``None`` when ``pi_method``
    says no prediction interval was made (k < 3); ``pi_df`` is the t df of the interval.
    """

    method: str
    knapp_hartung: bool
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    df: int | None
    p: float
    tau2: float
    tau2_se: float | None
    i2: float
    h2: float
    q: float
    q_df: int
    q_p: float
    pi_low: float | None
    pi_high: float | None
    pi_df: int | None
    pi_method: str
    weights: list[float]
    labels: list[str]
    forest: pl.DataFrame = field(repr=False)
    iterations: int = 0
    level: float = 0.95
    tau2_ci_low: float | None = None
    tau2_ci_high: float | None = None
    tau2_ci_low_at_limit: bool = False
    tau2_ci_high_at_limit: bool = False
    typical_variance: float | None = None

    @property
    def z(self) -> float | None:
        return None if self.knapp_hartung else self.statistic

    @property
    def t(self) -> float | None:
        return self.statistic if self.knapp_hartung else None

    @property
    def tau(self) -> float:
        return math.sqrt(self.tau2)

    @property
    def tau_ci_low(self) -> float | None:
        return None if self.tau2_ci_low is None else math.sqrt(self.tau2_ci_low)

    @property
    def tau_ci_high(self) -> float | None:
        return None if self.tau2_ci_high is None else math.sqrt(self.tau2_ci_high)

    def _i2_at(self, tau2: float | None) -> float | None:
        if tau2 is None or self.typical_variance is None:
            return None
        return 100.0 * tau2 / (self.typical_variance + tau2)

    def _h2_at(self, tau2: float | None) -> float | None:
        if tau2 is None or self.typical_variance is None:
            return None
        return tau2 / self.typical_variance + 1.0

    @property
    def i2_ci_low(self) -> float | None:
        return self._i2_at(self.tau2_ci_low)

    @property
    def i2_ci_high(self) -> float | None:
        return self._i2_at(self.tau2_ci_high)

    @property
    def h2_ci_low(self) -> float | None:
        return self._h2_at(self.tau2_ci_low)

    @property
    def h2_ci_high(self) -> float | None:
        return self._h2_at(self.tau2_ci_high)

    @property
    def i2_label(self) -> str | None:
        return heterogeneity_label(self.i2, self.k)

    def to_dict(self) -> dict[str, Any]:
        """Return the plain-JSON shape of the pooled result (``pooled.json``).

        Keys: method, knapp_hartung, k, estimate, se, ci_low, ci_high, z, t, df, p, tau2,
        tau2_se, tau, tau2_ci_low, tau2_ci_high, tau2_ci_low_at_limit, tau2_ci_high_at_limit,
        tau_ci_low, tau_ci_high, i2, i2_ci_low, i2_ci_high, i2_label, h2, h2_ci_low, h2_ci_high,
        q, q_df, q_p, pi_low, pi_high, pi_df, pi_method, studies.
        """
        return {
            "method": self.method,
            "knapp_hartung": self.knapp_hartung,
            "k": self.k,
            "estimate": self.estimate,
            "se": self.se,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "z": self.z,
            "t": self.t,
            "df": self.df,
            "p": self.p,
            "tau2": self.tau2,
            "tau2_se": self.tau2_se,
            "tau": self.tau,
            "tau2_ci_low": self.tau2_ci_low,
            "tau2_ci_high": self.tau2_ci_high,
            "tau2_ci_low_at_limit": self.tau2_ci_low_at_limit,
            "tau2_ci_high_at_limit": self.tau2_ci_high_at_limit,
            "tau_ci_low": self.tau_ci_low,
            "tau_ci_high": self.tau_ci_high,
            "i2": self.i2,
            "i2_ci_low": self.i2_ci_low,
            "i2_ci_high": self.i2_ci_high,
            "i2_label": self.i2_label,
            "h2": self.h2,
            "h2_ci_low": self.h2_ci_low,
            "h2_ci_high": self.h2_ci_high,
            "q": self.q,
            "q_df": self.q_df,
            "q_p": self.q_p,
            "pi_low": self.pi_low,
            "pi_high": self.pi_high,
            "pi_df": self.pi_df,
            "pi_method": self.pi_method,
            "studies": self.forest.to_dicts(),
        }


def heterogeneity_label(i2: float | None, k: int) -> str | None:
    """Return the word for I² (a percentage) with ``k`` projects, or ``None``.

    ``None`` when I² is missing or k < 5: I² is not labelled little/large below 5 projects, as
    its confidence interval then spans most of 0–100 % (Higgins & Thompson 2002, Stat. Med.
    21:1539; von Hippel 2015, BMC Med. Res. Methodol. 15:35, on the bias and imprecision of I²
    with few studies). Otherwise "low" (< 25), "moderate" (< 50), "substantial" (< 75) or
    "considerable" (≥ 75): the 25/50/75 % thresholds of Higgins, Thompson, Deeks & Altman
    (2003, BMJ 327:557), worded as in the Cochrane Handbook (ch. 10.10.2).
    """
    if i2 is None or k < LABEL_MIN_K or not math.isfinite(i2):
        return None
    if i2 < 25.0:
        return "low"
    if i2 < 50.0:
        return "moderate"
    if i2 < 75.0:
        return "substantial"
    return "considerable"


def _generalised_q(tau2: float, y: np.ndarray, v: np.ndarray) -> float:
    """Q(τ²) = Σ wᵢ(yᵢ − μ̂)², wᵢ = 1/(vᵢ + τ²), μ̂ the weighted mean with these weights."""
    w = 1.0 / (v + tau2)
    mu = float(np.sum(w * y) / np.sum(w))
    return float(np.sum(w * (y - mu) ** 2))


def _q_profile_tau2(
    y: np.ndarray, v: np.ndarray, tau2: float, level: float
) -> tuple[float, float, bool, bool]:
    """Return (lower, upper, lower at limit, upper at limit): the Q-profile interval of τ².

    The bounds solve Q(τ²) = χ²_{k−1}(1 − α/2) (lower) and χ²_{k−1}(α/2) (upper) on
    [0, max(100, 10·τ̂²)] by Brent's method with metafor's tolerance ε^¼ (Viechtbauer 2007).
    As metafor's ``confint()``, Q(τ²) decreasing: if Q(0) < χ²(α/2) both bounds are 0; else
    if Q(0) < χ²(1 − α/2) the lower bound is 0; a bound whose root lies beyond the search end
    is that end (flagged, metafor prints ``>``).
    """
    k = y.size
    alpha = 1.0 - level
    crit_upper = float(stats.chi2.isf(alpha / 2, k - 1))
    crit_lower = float(stats.chi2.ppf(alpha / 2, k - 1))
    tau2_min = 0.0
    tau2_max = max(100.0, 10.0 * tau2, 10.0 * tau2_min)
    q_min = _generalised_q(tau2_min, y, v)
    q_max = _generalised_q(tau2_max, y, v)

    def root(objective: float) -> float:
        return float(
            optimize.brentq(
                lambda t: _generalised_q(t, y, v) - objective,
                tau2_min,
                tau2_max,
                xtol=QP_TOLERANCE,
                maxiter=QP_MAX_ITER,
            )
        )

    low_at_limit = high_at_limit = False
    if q_min < crit_lower:
        low = high = tau2_min
    else:
        if q_max > crit_lower:
            high, high_at_limit = tau2_max, True
        else:
            high = root(crit_lower)
        if q_max > crit_upper:
            low = high = tau2_max
            low_at_limit = high_at_limit = True
        elif q_min < crit_upper:
            low = tau2_min
        else:
            low = root(crit_upper)
    return low, high, low_at_limit, high_at_limit


def _reml_tau2(
    y: np.ndarray, v: np.ndarray, start: float, *, tolerance: float = 1e-12, max_iter: int = 500
) -> tuple[float, float, int]:
    """Return (τ̂², SE(τ̂²), iterations) by Fisher scoring on the REML likelihood:
    τ² ← τ² + (yᵀPPy − tr P)/tr(PP), P = W − WJW/ΣW, truncated at 0 (metafor's algorithm);
    SE(τ̂²) = √(2/tr(PP))."""
    tau2 = max(start, 0.0)
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007
        w = 1.0 / (v + tau2)
        p_matrix = np.diag(w) - np.outer(w, w) / w.sum()
        py = p_matrix @ y
        trace_pp = float(np.sum(p_matrix * p_matrix))
        step = (float(py @ py) - float(np.trace(p_matrix))) / trace_pp
        updated = max(tau2 + step, 0.0)
        if abs(updated - tau2) < tolerance:
            tau2 = updated
            break
        tau2 = updated
    w = 1.0 / (v + tau2)
    p_matrix = np.diag(w) - np.outer(w, w) / w.sum()
    se = math.sqrt(2.0 / float(np.sum(p_matrix * p_matrix)))
    return tau2, se, iterations


def pool_effects(
    estimates: Sequence[float] | np.ndarray,
    variances: Sequence[float] | np.ndarray,
    *,
    method: str = "REML",
    knapp_hartung: bool = True,
    labels: Sequence[str] | None = None,
    level: float = 0.95,
) -> PooledResult:
    """Pool per-project ``estimates`` with sampling ``variances`` and return the
    :class:`PooledResult` (estimate, SE, CI, test, τ² with its Q-profile CI, I²/H² with CIs,
    Q, prediction interval, weights and forest rows).

    ``method``: ``"FE"`` (inverse-variance fixed effect), ``"DL"`` (DerSimonian–Laird τ²) or
    ``"REML"``.

    ``knapp_hartung`` (default true, for REML and DL): the SE is √(s²_w/Σwᵢ) with
    s²_w = Σwᵢ(yᵢ − μ̂)²/(k − 1), not truncated at 1, and the test and CI use t with k − 1 df
    (Knapp & Hartung 2003; metafor's ``test = "knha"``, which neither truncates by default).
    ``knapp_hartung=False`` gives the Wald z test. The adjustment is for random-effects
    models: with ``method="FE"`` it is ignored (z test, ``knapp_hartung`` false in the result),
    as it is with k = 1 (metafor falls back to z there as well).

    The prediction interval is estimate ± t_{k−2}(1 − α/2)·√(SE² + τ̂²) with the SE as
    reported (the Knapp–Hartung SE by default), and none (``None``) for k < 3 (Higgins,
    Thompson & Spiegelhalter 2009; metafor's ``predict(..., pi.type = "riley")`` for an
    intercept-only model). With FE, τ² = 0 and the interval is the CI (metafor's ``predict``).
    ``pi_method`` says which rule applied.

    τ²'s confidence interval is the Q-profile interval (Viechtbauer 2007; metafor's
    ``confint()``); the τ, I² and H² intervals are transformations of its bounds. I² =
    τ²/(τ² + s²) with s² the typical sampling variance (Higgins & Thompson 2002, metafor's
    definition); for FE, I² = (Q − df)/Q and there is no τ² interval. See Viechtbauer (2010)
    for all formulas.
    """
    if method not in METHODS:
        raise MetaAnalysisError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if not 0.0 < level < 1.0:
        raise MetaAnalysisError(f"level must lie between 0 and 1, got {level!r}")
    y = np.asarray(estimates, dtype=float)
    v = np.asarray(variances, dtype=float)
    if y.ndim != 1 or y.shape != v.shape:
        raise MetaAnalysisError(
            f"estimates ({y.size}) and variances ({v.size}) must be equally long lists"
        )
    k = y.size
    if k < 1:
        raise MetaAnalysisError("no estimates to pool")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v))):
        raise MetaAnalysisError("estimates and variances must be finite numbers")
    if np.any(v <= 0):
        bad = [int(i) for i in np.flatnonzero(v <= 0)]
        raise MetaAnalysisError(f"sampling variances must be positive (study index {bad})")
    names = [str(x) for x in labels] if labels is not None else [f"{i + 1}" for i in range(k)]
    if len(names) != k:
        raise MetaAnalysisError(f"{len(names)} labels for {k} estimates")
    knapp_hartung = knapp_hartung and method != "FE" and k > 1

    w_fixed = 1.0 / v
    fixed_mean = float(np.sum(w_fixed * y) / np.sum(w_fixed))
    q = float(np.sum(w_fixed * (y - fixed_mean) ** 2))
    q_df = k - 1
    q_p = float(stats.chi2.sf(q, q_df)) if q_df > 0 else float("nan")
    sum_w = float(w_fixed.sum())
    c = sum_w - float(np.sum(w_fixed**2)) / sum_w

    tau2 = 0.0
    tau2_se: float | None = None
    iterations = 0
    if method == "DL" and k > 1:
        tau2 = max(0.0, (q - q_df) / c)
    elif method == "REML" and k > 1:
        start = max(0.0, (q - q_df) / c)
        tau2, tau2_se, iterations = _reml_tau2(y, v, start)

    w = 1.0 / (v + tau2)
    estimate = float(np.sum(w * y) / np.sum(w))
    se = 1.0 / math.sqrt(float(w.sum()))
    alpha = 1.0 - level
    df: int | None = None
    if knapp_hartung:
        df = k - 1
        residual = float(np.sum(w * (y - estimate) ** 2))
        # metafor: s²_w = 0 when the weighted residual sum of squares is ≤ machine epsilon
        s2w = residual / df if residual > np.finfo(float).eps else 0.0
        se = math.sqrt(s2w / float(w.sum()))
        crit = float(stats.t.ppf(1 - alpha / 2, df))
        statistic = _ratio(estimate, se)
        p = float(2 * stats.t.sf(abs(statistic), df))
    else:
        crit = float(stats.norm.ppf(1 - alpha / 2))
        statistic = _ratio(estimate, se)
        p = float(2 * stats.norm.sf(abs(statistic)))

    typical: float | None = None
    tau2_ci: tuple[float, float, bool, bool] | None = None
    if method == "FE":
        i2 = 100.0 * max(0.0, (q - q_df) / q) if q > 0 else 0.0
        h2 = q / q_df if q_df > 0 else float("nan")
    else:
        typical = q_df * sum_w / (sum_w**2 - float(np.sum(w_fixed**2))) if k > 1 else float(v[0])
        i2 = 100.0 * tau2 / (tau2 + typical)
        h2 = (tau2 + typical) / typical
        if k > 1:
            tau2_ci = _q_profile_tau2(y, v, tau2, level)

    pi_low: float | None = None
    pi_high: float | None = None
    pi_df: int | None = None
    if method == "FE":
        pi_method = PI_FIXED_EFFECT
        pi_low, pi_high = estimate - crit * se, estimate + crit * se
    elif k < 3:
        pi_method = PI_NONE_FEW_STUDIES
    else:
        pi_method = PI_T_K_MINUS_2
        pi_df = k - 2
        pi_half = float(stats.t.ppf(1 - alpha / 2, pi_df)) * math.sqrt(se**2 + tau2)
        pi_low, pi_high = estimate - pi_half, estimate + pi_half

    weights = (100.0 * w / w.sum()).tolist()
    z975 = float(stats.norm.ppf(1 - alpha / 2))
    forest = pl.DataFrame(
        {
            "label": names,
            "estimate": y,
            "ci_low": y - z975 * np.sqrt(v),
            "ci_high": y + z975 * np.sqrt(v),
            "weight": weights,
        }
    )
    return PooledResult(
        method=method,
        knapp_hartung=knapp_hartung,
        k=k,
        estimate=estimate,
        se=se,
        ci_low=estimate - crit * se,
        ci_high=estimate + crit * se,
        statistic=statistic,
        df=df,
        p=p,
        tau2=tau2,
        tau2_se=tau2_se,
        i2=i2,
        h2=h2,
        q=q,
        q_df=q_df,
        q_p=q_p,
        pi_low=pi_low,
        pi_high=pi_high,
        pi_df=pi_df,
        pi_method=pi_method,
        weights=weights,
        labels=names,
        forest=forest,
        iterations=iterations,
        level=level,
        tau2_ci_low=None if tau2_ci is None else tau2_ci[0],
        tau2_ci_high=None if tau2_ci is None else tau2_ci[1],
        tau2_ci_low_at_limit=False if tau2_ci is None else tau2_ci[2],
        tau2_ci_high_at_limit=False if tau2_ci is None else tau2_ci[3],
        typical_variance=typical,
    )


def _ratio(estimate: float, se: float) -> float:
    """estimate/SE, as R divides: ±inf for a zero SE, NaN for 0/0."""
    if se > 0:
        return estimate / se
    if estimate == 0:
        return float("nan")
    return math.copysign(math.inf, estimate)
