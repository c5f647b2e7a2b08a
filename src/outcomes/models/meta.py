"""Random-effects meta-analysis: pooling one effect (e.g. the Matthew term) across projects.

What belongs here: :func:`pool_effects`, the inverse-variance fixed-effect model and the
random-effects model with τ² by DerSimonian–Laird or REML (Fisher scoring, as metafor's
``rma(method = "REML")``), optionally with the Knapp–Hartung adjustment; heterogeneity (Q, I²,
H²), the prediction interval and forest-plot rows. Formulas follow Viechtbauer (2010),
"Conducting meta-analyses in R with the metafor package", J. Stat. Softw. 36(3), and
DerSimonian & Laird (1986); Knapp & Hartung (2003). What does not: fitting per-project models.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

METHODS = ("REML", "DL", "FE")


class MetaAnalysisError(ValueError):
    """Effects cannot be pooled as given (too few, negative variances, unequal lengths)."""


@dataclass
class PooledResult:
    """A pooled effect with heterogeneity statistics.

    ``statistic`` is z, or t with ``df`` degrees of freedom under Knapp–Hartung. ``tau2_se`` is
    the SE of τ̂² from the Fisher information (REML only, metafor's ``se.tau2``). ``i2`` and ``h2``
    are percentages/ratios as metafor reports them; ``weights`` are percentages.
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
    pi_low: float
    pi_high: float
    weights: list[float]
    labels: list[str]
    forest: pl.DataFrame = field(repr=False)
    iterations: int = 0

    @property
    def z(self) -> float | None:
        return None if self.knapp_hartung else self.statistic

    @property
    def t(self) -> float | None:
        return self.statistic if self.knapp_hartung else None

    def to_dict(self) -> dict[str, Any]:
        """Return the plain-JSON shape of the pooled result (``pooled.json``)."""
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
            "tau": math.sqrt(self.tau2),
            "i2": self.i2,
            "h2": self.h2,
            "q": self.q,
            "q_df": self.q_df,
            "q_p": self.q_p,
            "pi_low": self.pi_low,
            "pi_high": self.pi_high,
            "studies": self.forest.to_dicts(),
        }


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
    knapp_hartung: bool = False,
    labels: Sequence[str] | None = None,
    level: float = 0.95,
) -> PooledResult:
    """Pool per-study ``estimates`` with sampling ``variances`` and return the
    :class:`PooledResult`.

    ``method``: ``"FE"`` (inverse-variance fixed effect), ``"DL"`` (DerSimonian–Laird τ²) or
    ``"REML"``. With ``knapp_hartung`` the SE is rescaled by the weighted residual variance and
    tests and intervals use t with k − 1 df (metafor's ``test = "knha"``). The prediction
    interval is estimate ± crit·√(SE² + τ²). I² = τ²/(τ² + s²) with s² the typical sampling
    variance (Higgins & Thompson 2002, metafor's definition); for FE, I² = (Q − df)/Q.
    """
    if method not in METHODS:
        raise MetaAnalysisError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
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
    if knapp_hartung and k < 2:
        raise MetaAnalysisError("the Knapp–Hartung adjustment needs at least two studies")

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
        se = math.sqrt(float(np.sum(w * (y - estimate) ** 2)) / (df * float(w.sum())))
        crit = float(stats.t.ppf(1 - alpha / 2, df))
        statistic = estimate / se
        p = float(2 * stats.t.sf(abs(statistic), df))
    else:
        crit = float(stats.norm.ppf(1 - alpha / 2))
        statistic = estimate / se
        p = float(2 * stats.norm.sf(abs(statistic)))

    if method == "FE":
        i2 = 100.0 * max(0.0, (q - q_df) / q) if q > 0 else 0.0
        h2 = q / q_df if q_df > 0 else float("nan")
    else:
        typical = q_df * sum_w / (sum_w**2 - float(np.sum(w_fixed**2))) if k > 1 else v[0]
        i2 = 100.0 * tau2 / (tau2 + typical)
        h2 = (tau2 + typical) / typical
    pi_half = crit * math.sqrt(se**2 + tau2)
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
        pi_low=estimate - pi_half,
        pi_high=estimate + pi_half,
        weights=weights,
        labels=names,
        forest=forest,
        iterations=iterations,
    )
