"""The dropout tipping point of the Matthew check: how much worse must dropouts have done?

What belongs here: multiple imputation of the follow-up measurements dropouts missed under the
fitted mixed model (missing at random), the delta adjustment of those imputations, Rubin's rules
with the Barnard–Rubin degrees of freedom, and the search for the δ at which the verdict of the
Matthew check changes (docs/architecture.md, "Dropout tipping point"). What does not: the
descriptive completers-only comparison (``attrition.py``), the report sentences
(``reports/tipping_point_text.py``).

The rules:

- Who and what is imputed: every participant with status ``dropout`` or ``baseline_only``, at
  each wave of his project after his last measured wave, at the project's median time since
  baseline of that wave.
- How (proper imputation, Rubin 1987; Carpenter & Kenward 2013, "Multiple imputation and its
  application", ch. 9): for each of M imputations β* is drawn from N(β̂, Cov(β̂)) of the REML fit,
  each participant's random effects from their conditional distribution given his measurements
  and β*, bᵢ | yᵢ ~ N(WᵢZᵢᵀ(yᵢ − Xᵢβ*), σ̂²Wᵢ) with Wᵢ = Λ(ΛᵀZᵢᵀZᵢΛ + I)⁻¹Λᵀ, and each imputed
  value gets residual noise N(0, σ̂²). θ̂ and σ̂ are held at their estimates.
- The delta adjustment (Carpenter, Roger & Kenward 2013, J. Biopharm. Stat. 23:1352): δ
  wellbeing points are added to every imputed value of the dropouts that the parametrisation
  names — ``all_groups`` (the same δ for every dropout) or ``small_group`` (dropouts of the
  small-network group only; the Matthew verdict is about differential change). δ < 0 means
  dropouts did worse than similar participants who stayed.
- Each completed data set is refitted with the model of the Matthew check (REML, warm-started at
  θ̂, ``refit.Refitter``); the interaction is pooled by Rubin's rules with the Barnard–Rubin
  degrees of freedom (Barnard & Rubin 1999, Biometrika 86:948; mice's ``pool``), the
  complete-data df being the Satterthwaite df of the fit to the measured data. The verdict is
  ``matthew.verdict_for`` on the pooled t(df) 95% interval.
- The tipping δ: from δ = 0 outwards in both directions, δ on a grid of ``step`` points up to
  ± ``limit``; between the last grid point with the verdict of δ = 0 and the first without it,
  bisection to ``tolerance``. The same imputations serve every δ, so the pooled result moves
  smoothly with δ.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from outcomes import progress
from outcomes.catalog.vocabulary import NETWORK_GROUPS
from outcomes.models import fast
from outcomes.models.config import AnalysisConfig, load_analysis_config
from outcomes.models.formula import Design, ModelInputError, build_design
from outcomes.models.matthew import (
    analysed_column,
    interaction_formula,
    is_controlled,
    prepare_scope,
    verdict_for,
)
from outcomes.models.power import FittedDesign, fitted_design
from outcomes.models.refit import Refitter, fit_design

#: Imputations per completed-data analysis.
DEFAULT_IMPUTATIONS = 20
#: δ is scanned from −LIMIT to +LIMIT wellbeing points (0–100 scale) ...
DEFAULT_LIMIT = 20.0
#: ... on a grid of this step, then bisected to :data:`DEFAULT_TOLERANCE` points.
DEFAULT_STEP = 5.0
DEFAULT_TOLERANCE = 0.05

#: Statuses whose missed follow-up measurements are imputed (``panel.py``).
DROPOUT_STATUSES = ("dropout", "baseline_only")

#: The network group the ``small_group`` parametrisation shifts.
SMALL_GROUP = NETWORK_GROUPS[0]

#: Which dropouts get the shift δ, by parametrisation.
PARAMETRISATIONS = {
    "all_groups": "the same δ for the dropouts of every network group",
    "small_group": f"δ for the dropouts of the {SMALL_GROUP}-network group only, 0 for the others",
}


@dataclass(frozen=True)
class Pooled:
    """One quantity pooled over M completed data sets by Rubin's rules: the mean estimate, the
    within-, between- and total variance, the Barnard–Rubin df, the t(df) 95% interval, the
    relative increase in variance (riv), the fraction of missing information (fmi) and the
    number of imputations used."""

    estimate: float
    within: float
    between: float
    total: float
    df: float
    ci_low: float
    ci_high: float
    riv: float
    fmi: float
    m: int

    @property
    def se(self) -> float:
        return math.sqrt(self.total)


def barnard_rubin_df(m: int, between: float, total: float, dfcom: float) -> float:
    """Return the Barnard–Rubin (1999) degrees of freedom of a pooled scalar, as mice's
    ``barnard.rubin``: λ = (1 + 1/m)B/T (at least 1e-4), ν_old = (m − 1)/λ²,
    ν_obs = (ν_com + 1)/(ν_com + 3)·ν_com·(1 − λ), ν = ν_old·ν_obs/(ν_old + ν_obs); ν_old when
    ν_com is infinite."""
    lam = max((1.0 + 1.0 / m) * between / total, 1e-4) if total > 0 else 1e-4
    old = (m - 1) / lam**2
    if math.isinf(dfcom):
        return old
    observed = (dfcom + 1.0) / (dfcom + 3.0) * dfcom * (1.0 - lam)
    return old * observed / (old + observed)


def rubin_pool(
    estimates: Sequence[float], variances: Sequence[float], dfcom: float = math.inf
) -> Pooled:
    """Return the :class:`Pooled` scalar of M estimates with their complete-data variances by
    Rubin's rules (Rubin 1987, "Multiple imputation for nonresponse in surveys", §3.1): Q̄ the
    mean, Ū the mean variance, B the variance between estimates, T = Ū + (1 + 1/M)B, df by
    :func:`barnard_rubin_df` with complete-data df ``dfcom`` (mice's ``pool``)."""
    q = np.asarray(estimates, dtype=float)
    u = np.asarray(variances, dtype=float)
    m = int(q.size)
    if m < 2:
        raise ModelInputError(f"Rubin's rules need at least 2 imputations, got {m}")
    estimate = float(q.mean())
    within = float(u.mean())
    between = float(q.var(ddof=1))
    total = within + (1.0 + 1.0 / m) * between
    df = barnard_rubin_df(m, between, total, dfcom)
    half = float(stats.t.ppf(0.975, df)) * math.sqrt(total)
    riv = (1.0 + 1.0 / m) * between / within if within > 0 else math.inf
    fmi = (riv + 2.0 / (df + 3.0)) / (riv + 1.0)
    return Pooled(estimate, within, between, total, df, estimate - half, estimate + half,
                  riv, fmi, m)  # fmt: skip


@dataclass
class Completed:
    """The completed-data design of one scope: the measured rows of the Matthew check's fit
    followed by the rows to impute (``imputed``), with which imputed rows each parametrisation
    shifts (``shifted``) and the M imputed response vectors (``responses``)."""

    design: Design
    imputed: np.ndarray
    shifted: dict[str, np.ndarray]
    responses: np.ndarray
    n_dropouts: int


def missing_follow_ups(frame: pl.DataFrame, column: str, keep: Sequence[str]) -> pl.DataFrame:
    """Return one row per follow-up measurement a dropout missed: participants with a status in
    :data:`DROPOUT_STATUSES`, each wave of their project after their last wave with ``column``,
    ``years`` the project's median of that wave among measured rows; the participant-level
    columns ``keep`` copied from the participant's measured rows and ``column`` 0.0."""
    measured = frame.filter(pl.col(column).is_not_null() & pl.col("years").is_not_null())
    typical = measured.group_by("project", "wave").agg(pl.col("years").median())
    people = measured.group_by("participant_id", maintain_order=True).agg(
        pl.col("wave").max().alias("_last_wave"),
        pl.col("status").first(),
        *[pl.col(c).first() for c in keep if c not in ("participant_id",)],
    )
    dropouts = people.filter(pl.col("status").is_in(DROPOUT_STATUSES))
    return (
        dropouts.join(typical, on="project", how="inner")
        .filter(pl.col("wave") > pl.col("_last_wave"))
        .sort("participant_id", "wave")
        .with_columns(pl.lit(0.0).alias(column))
        .drop("_last_wave")
    )


def _group_factors(w: np.ndarray) -> np.ndarray:
    """Return a lower-triangular Lᵢ with LᵢLᵢᵀ = Wᵢ for every participant (zero columns where
    Wᵢ is singular, ``fast.lower_cholesky``)."""
    return np.stack([fast.lower_cholesky(block) for block in w])


def impute(
    model: FittedDesign, design: Design, imputed: np.ndarray, m: int,
    seed: np.random.SeedSequence,
) -> np.ndarray:  # fmt: skip
    """Return M response vectors of the completed ``design``: its measured rows as measured,
    its ``imputed`` rows drawn from the fitted ``model`` (β* from its sampling distribution,
    random effects from their conditional distribution given the measurements and β*, residual
    noise; see the module docstring). Row k of ``design`` that is not imputed is row k of
    ``model.design``."""
    observed = model.design
    statistics = fast.sufficient_statistics(
        observed.X, observed.y, observed.Z, observed.groups, observed.n_groups
    )
    solution = fast.ProfiledDeviance(statistics, reml=True).solve(model.reml.theta)
    sigma = math.sqrt(solution.sigma2)
    beta_factor = fast.lower_cholesky(model.reml.cov)
    w_factor = _group_factors(solution.w)
    x_new = design.X[imputed]
    z_new = design.Z[imputed]
    g_new = design.groups[imputed]
    q = observed.Z.shape[1]
    responses = np.empty((m, design.y.size))
    for row, child in enumerate(seed.spawn(m)):
        rng = np.random.default_rng(child)
        beta = model.reml.beta + beta_factor @ rng.standard_normal(beta_factor.shape[0])
        residual = observed.y - observed.X @ beta
        ztr = np.stack(
            [np.bincount(observed.groups, weights=observed.Z[:, a] * residual,
                         minlength=observed.n_groups) for a in range(q)],
            axis=1,
        )  # fmt: skip
        mean = np.einsum("gab,gb->ga", solution.w, ztr)
        b = mean + sigma * np.einsum(
            "gab,gb->ga", w_factor, rng.standard_normal((observed.n_groups, q))
        )
        drawn = x_new @ beta + np.einsum("nq,nq->n", z_new, b[g_new])
        drawn += rng.normal(0.0, sigma, size=drawn.size)
        y = design.y.copy()
        y[imputed] = drawn
        responses[row] = y
    return responses


@dataclass
class TippingScope:
    """The tipping-point analysis of one scope: the Matthew check's fit to the measured data,
    its completed-data design with M imputations, and the refitter of the completed data.
    Built by :func:`tipping_scope`; :meth:`pooled` gives the pooled interaction at one δ."""

    project: str
    term: str
    model: FittedDesign
    completed: Completed
    dfcom: float
    refitter: Refitter
    cache: dict[tuple[str, float], Pooled] = field(default_factory=dict)
    failed: int = 0

    def pooled(self, delta: float, parametrisation: str) -> Pooled:
        """Return the interaction pooled over the M completed data sets with δ added to the
        imputed values of the dropouts ``parametrisation`` names."""
        key = ("", 0.0) if delta == 0.0 else (parametrisation, delta)
        if key in self.cache:
            return self.cache[key]
        completed = self.completed
        shift = delta * completed.shifted[parametrisation]
        index = self.model.index
        estimates, variances = [], []
        for y in completed.responses:
            try:
                found = self.refitter(y + shift)
            except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                self.failed += 1
                continue
            if not found.converged or not np.isfinite(found.beta[index]):
                self.failed += 1
                continue
            estimates.append(float(found.beta[index]))
            variances.append(float(found.se[index]) ** 2)
        result = rubin_pool(estimates, variances, self.dfcom)
        self.cache[key] = result
        return result


def _refitter(model: FittedDesign, design: Design, responses: np.ndarray) -> Refitter:
    """Return the :class:`Refitter` of the completed ``design`` warm-started at the REML fit of
    the first imputation whose θ̂ is off its bounds (Newton steps need the Hessian there; a
    refitter without one refits every data set by the bounded optimiser), else of the first."""
    first: Refitter | None = None
    for y in responses:
        start = replace(design, y=y)
        fit = fit_design(design.X, start, y, reml=True, start=model.reml.theta,
                         uncorrelated=model.uncorrelated)  # fmt: skip
        refitter = Refitter(design.X, start, fit, reml=True, free=model.free)
        if refitter.inverse_hessian is not None:
            return refitter
        first = first or refitter
    assert first is not None
    return first


def tipping_scope(
    frame: pl.DataFrame, *, project: str, outcome: str = "wellbeing",
    moderator: str = "network_size_bl", m: int = DEFAULT_IMPUTATIONS,
    seed: np.random.SeedSequence,
) -> TippingScope:  # fmt: skip
    """Return the :class:`TippingScope` of one scope's panel ``frame``: the Matthew check's model
    (``matthew.interaction_formula``, the singular-fit rule of ``power.fitted_design``) fitted
    to the measured data, the dropouts' missed follow-ups (:func:`missing_follow_ups`) and M
    imputations of them (:func:`impute`). Raises :class:`ModelInputError` when no dropout
    missed a follow-up."""
    controlled = False if project == "all" else is_controlled(frame)
    prepared, _, with_project = prepare_scope(frame, outcome, moderator, controlled=controlled)
    if "project" not in prepared.columns:
        prepared = prepared.with_columns(pl.lit(project).alias("project"))
    column = analysed_column(outcome)
    formula, term, _ = interaction_formula(
        column, moderator, with_project=with_project, controlled=controlled
    )
    model = fitted_design(formula, prepared, term=term)
    random = "1" if model.random_structure == "intercept" else "1 + years"
    centred = f"{moderator}_c"
    levels = [centred, "project", "network_group", *(["treated"] if controlled else [])]
    needed = ["participant_id", "years", column, *levels]
    measured = prepared.filter(
        pl.all_horizontal([pl.col(c).is_not_null() for c in needed if c != "network_group"])
    )
    missed = missing_follow_ups(measured, column, ["participant_id", *levels])
    if missed.is_empty():
        raise ModelInputError(f"{project}: no dropout missed a follow-up measurement")
    columns = [*needed, "_imputed"]
    combined = pl.concat(
        [
            measured.with_columns(pl.lit(False).alias("_imputed")).select(columns),
            missed.with_columns(pl.lit(True).alias("_imputed")).select(columns),
        ],
        how="vertical_relaxed",
    )
    design = build_design(formula, combined, group="participant_id", random=random)
    observed = model.design
    n_measured = measured.height
    if (
        design.fixed_names != observed.fixed_names
        or design.group_labels != observed.group_labels
        or not np.array_equal(design.y[:n_measured], observed.y)
    ):
        raise ModelInputError(
            f"{project}: the completed data do not extend the measured data of the model"
        )
    imputed = combined.get_column("_imputed").to_numpy().astype(bool)
    small = combined.get_column("network_group").to_numpy() == SMALL_GROUP
    shifted = {
        "all_groups": imputed.astype(float),
        "small_group": (imputed & small).astype(float),
    }
    responses = impute(model, design, imputed, m, seed)
    refitter = _refitter(model, design, responses)
    completed = Completed(
        design=design,
        imputed=imputed,
        shifted=shifted,
        responses=responses,
        n_dropouts=int(missed.get_column("participant_id").n_unique()),
    )
    dfcom = float(model.coefficient(term)["df"])
    return TippingScope(project, term, model, completed, dfcom, refitter)


def _point(delta: float, pooled: Pooled) -> dict[str, Any]:
    return {
        "delta": delta, "estimate": pooled.estimate, "se": pooled.se, "df": pooled.df,
        "ci_low": pooled.ci_low, "ci_high": pooled.ci_high,
        "verdict": verdict_for(pooled.ci_low, pooled.ci_high), "riv": pooled.riv,
        "fmi": pooled.fmi, "imputations_used": pooled.m,
    }  # fmt: skip


def scan(
    scope: TippingScope, parametrisation: str, *, limit: float = DEFAULT_LIMIT,
    step: float = DEFAULT_STEP, tolerance: float = DEFAULT_TOLERANCE,
) -> dict[str, Any]:  # fmt: skip
    """Return the δ scan of one parametrisation: every δ evaluated (the grid and the bisection
    points, sorted), the verdict at δ = 0 and, in each direction, the tipping δ (the δ nearest
    0 found with another verdict, within ``tolerance`` of the change; None when the verdict
    holds up to ± ``limit``) and the verdict it changes to."""
    points = {0.0: _point(0.0, scope.pooled(0.0, parametrisation))}
    reference = points[0.0]["verdict"]

    def verdict(delta: float) -> str:
        if delta not in points:
            points[delta] = _point(delta, scope.pooled(delta, parametrisation))
        return str(points[delta]["verdict"])

    found: dict[str, tuple[float | None, str | None]] = {}
    steps = round(limit / step)
    for name, sign in (("below", -1.0), ("above", 1.0)):
        inside, changed = 0.0, None
        for k in range(1, steps + 1):
            delta = sign * k * step
            if verdict(delta) != reference:
                changed = delta
                break
            inside = delta
        if changed is None:
            found[name] = (None, None)
            continue
        while abs(changed - inside) > tolerance:
            middle = 0.5 * (inside + changed)
            if verdict(middle) == reference:
                inside = middle
            else:
                changed = middle
        found[name] = (changed, verdict(changed))
    return {
        "parametrisation": parametrisation,
        "shifted": PARAMETRISATIONS[parametrisation],
        "verdict_at_zero": reference,
        "tipping_below": found["below"][0],
        "verdict_below": found["below"][1],
        "tipping_above": found["above"][0],
        "verdict_above": found["above"][1],
        "holds": found["below"][0] is None and found["above"][0] is None,
        "grid": [points[d] for d in sorted(points)],
    }


def scope_seed(seed: int, project: str) -> np.random.SeedSequence:
    """Return the imputations' seed of one scope: depends only on the analysis seed and the
    scope, so adding a project leaves the others' imputations as they were."""
    return np.random.SeedSequence([seed, zlib.crc32(f"tipping_point|{project}".encode())])


def tipping_point_result(
    frame: pl.DataFrame, *, project: str, seed: int, outcome: str = "wellbeing",
    moderator: str = "network_size_bl", m: int = DEFAULT_IMPUTATIONS,
    limit: float = DEFAULT_LIMIT, step: float = DEFAULT_STEP,
    tolerance: float = DEFAULT_TOLERANCE,
    parametrisations: Sequence[str] = tuple(PARAMETRISATIONS),
) -> dict[str, Any]:  # fmt: skip
    """Return the tipping-point analysis of one scope: the interaction of the fit to the
    measured data, the dropouts and measurements imputed, and one :func:`scan` per
    parametrisation (docs/architecture.md, "Dropout tipping point")."""
    scope = tipping_scope(frame, project=project, outcome=outcome, moderator=moderator, m=m,
                          seed=scope_seed(seed, project))  # fmt: skip
    measured = scope.model.coefficient(scope.term)
    scans = [scan(scope, name, limit=limit, step=step, tolerance=tolerance)
             for name in parametrisations]  # fmt: skip
    return {
        "project": project,
        "outcome": outcome,
        "moderator": moderator,
        "term": scope.term,
        "n_participants": scope.model.n_participants,
        "n_dropouts": scope.completed.n_dropouts,
        "n_imputed": int(scope.completed.imputed.sum()),
        "measured": {
            **{k: measured[k] for k in ("estimate", "se", "df", "ci_low", "ci_high")},
            "verdict": verdict_for(measured["ci_low"], measured["ci_high"]),
        },
        "failed_refits": scope.failed,
        "scans": scans,
    }


#: What ``tipping_point.json`` says the analysis is (docs/architecture.md, "Dropout tipping
#: point").
METHOD = (
    "Delta-adjusted multiple imputation (Carpenter, Roger & Kenward 2013): the follow-up "
    "measurements dropouts missed (status dropout or baseline_only; each wave of the project "
    "after the participant's last measured wave, at the project's median time since baseline) "
    "are imputed M times under the fitted mixed model of the Matthew check (missing at random): "
    "fixed effects drawn from their sampling distribution, each participant's random effects "
    "from their conditional distribution given his measurements, plus residual noise. δ "
    "points are added to the imputed values of the dropouts the parametrisation names "
    "(all_groups: every dropout; small_group: dropouts of the small-network group only); "
    "δ < 0 means dropouts did worse than similar participants who stayed. Each completed data "
    "set is refitted (REML) and the interaction pooled by Rubin's rules with Barnard–Rubin df "
    "(complete-data df: the Satterthwaite df of the fit to the measured data); the verdict is "
    "read from the pooled t(df) 95% interval. The tipping δ is the δ nearest 0 at which the "
    "verdict of δ = 0 changes: a grid of grid_step points up to ± delta_limit, then bisection "
    "to the tolerance."
)


def tipping_point_analysis(
    panel: pl.DataFrame, *, config: AnalysisConfig | None = None, m: int = DEFAULT_IMPUTATIONS,
    limit: float = DEFAULT_LIMIT, step: float = DEFAULT_STEP,
    tolerance: float = DEFAULT_TOLERANCE,
) -> dict[str, Any]:  # fmt: skip
    """Return ``tipping_point.json``: the tipping-point analysis of the declared primary
    question (``config``, default ``data_schemas/analysis.yaml``) over all projects and within
    each project with enough participants (the scopes of ``analysis.matthew_results``), seeded
    from the configuration's analysis seed; scopes without a dropout who missed a follow-up, or
    where the model cannot be fitted, are listed under ``skipped`` (docs/architecture.md,
    "Dropout tipping point")."""
    from outcomes.models.analysis import (
        _intervention_rows,
        is_primary,
        measured_panel,
        projects_with,
    )

    config = load_analysis_config() if config is None else config
    outcome, moderator = config.primary.outcome, config.primary.moderator
    seed = config.robustness.seed
    panel, _ = measured_panel(panel)
    projects = projects_with(panel, outcome)
    scopes: list[tuple[str, pl.DataFrame]] = []
    if len(projects) >= 2:
        scopes.append(("all", _intervention_rows(panel).filter(pl.col("project").is_in(projects))))
    scopes += [(p, panel.filter(pl.col("project") == p)) for p in projects]
    results, skipped = [], []
    for number, (project, frame) in enumerate(scopes, start=1):
        progress.note(f"tipping point {outcome} × {moderator}, scope {project} "
                      f"({number}/{len(scopes)})")  # fmt: skip
        try:
            result = tipping_point_result(
                frame, project=project, seed=seed, outcome=outcome, moderator=moderator, m=m,
                limit=limit, step=step, tolerance=tolerance,
            )  # fmt: skip
        except ModelInputError as error:
            skipped.append({"project": project, "reason": str(error)})
            continue
        primary = is_primary(config, outcome, moderator, project)
        results.append({**result, "role": "primary" if primary else "exploratory"})
    return {
        "method": METHOD,
        "imputations": m,
        "seed": seed,
        "delta_limit": limit,
        "grid_step": step,
        "tolerance": tolerance,
        "parametrisations": dict(PARAMETRISATIONS),
        "scopes": results,
        "skipped": skipped,
    }
