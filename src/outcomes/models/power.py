"""Simulation from a fitted mixed model: parametric bootstrap, warm-started refits, power.

What belongs here: :class:`FittedDesign` (one model's design matrices with its REML fit and the
ML fits with and without a tested term, all on the fast engine's profiled deviance), drawing
responses from the fitted model (lme4's ``simulate``/``bootMer(type = "parametric")``) or from the
model without the tested term (pbkrtest's ``PBmodcomp``), refitting them warm-started at θ̂
(``refit.py``), the singular-fit rule, and the minimal detectable effect from those draws. What
does not: which models are fitted and how results are reported (``matthew.py``, ``analysis.py``).

Refits use Newton steps on θ with the Hessian of the profiled deviance at the original θ̂
(finite differences of the analytic gradient); a replicate that does not converge in a few steps,
or whose θ̂ sits on a bound, falls back to the engine's bounded optimiser. From
:data:`BLOCK_REFITS_FROM` participants on, replicates are drawn and refitted in blocks by one
Newton step (``bootstrap.py``; docs/architecture.md, "Models"). The minimal detectable
effect uses that in a linear mixed model θ̂ is unchanged when Xγ is added to y while β̂ moves by
exactly γ: the simulated estimates centred at the fitted value, with their standard errors, give
the power of the Wald test for every true value of the term at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import polars as pl
from scipy import stats

from outcomes import progress
from outcomes.models import bootstrap, fast
from outcomes.models.formula import Design, ModelInputError, build_design
from outcomes.models.refit import FastFit, Refitter, fit_design
from outcomes.models.result import is_singular
from outcomes.models.satterthwaite import Satterthwaite, satterthwaite

Z_975 = float(stats.norm.ppf(0.975))

#: From this many participants on, bootstrap replicates are refitted in blocks by one Newton step
#: from θ̂ (``bootstrap.py``); below it every replicate is refitted to convergence, which is cheap
#: there, while the one-step error, which shrinks as the panel grows, is not yet negligible.
BLOCK_REFITS_FROM = 2000

#: A null-model replicate whose one-step likelihood-ratio statistic lies within this of the
#: observed one is refitted to convergence, so that the p-value counts exceedances exactly as full
#: refits would (the one-step statistic is within 0.05 of the converged one from
#: :data:`BLOCK_REFITS_FROM` participants on; ``tests/models/test_bootstrap.py``).
LRT_MARGIN = 0.1


@dataclass
class Draws:
    """Parametric-bootstrap refits of one term simulated from the fitted model.

    ``estimates`` and ``ses`` hold the usable replicates only; ``n_failed`` replicates raised
    (a refit that could not be computed), ``n_not_converged`` did not converge — both are left
    out and counted; ``n_singular`` usable replicates have a random-effect variance at 0 (kept,
    as lme4's ``bootMer`` keeps them, and counted).
    """

    term: str
    fitted: float
    estimates: np.ndarray
    ses: np.ndarray
    n_requested: int
    n_failed: int = 0
    n_not_converged: int = 0
    n_singular: int = 0
    n_fallback: int = 0

    @property
    def n(self) -> int:
        """Return the number of usable replicates."""
        return int(self.estimates.size)

    @property
    def n_converged(self) -> int:
        return self.n

    def percentile_ci(self, level: float = 0.95) -> tuple[float, float]:
        """Return the percentile interval of the simulated estimates (lme4's
        ``confint(bootMer(...), type = "perc")``)."""
        alpha = (1.0 - level) / 2.0
        low, high = np.quantile(self.estimates, [alpha, 1.0 - alpha])
        return float(low), float(high)


@dataclass(frozen=True)
class NullLikelihoodRatio:
    """The parametric-bootstrap likelihood-ratio test of one term (pbkrtest's ``PBmodcomp``):
    data simulated from the ML fit of the model without the term, both models refitted by ML.

    ``p`` = (1 + #{LRT* ≥ LRT}) / (1 + usable replicates) (Halekoh & Højsgaard 2014,
    J. Stat. Softw. 59(9), §3). Failed and non-converged replicates are counted and left out;
    singular ones are kept and counted.
    """

    statistic: float
    p: float
    n_requested: int
    n_used: int
    n_failed: int
    n_not_converged: int
    n_singular: int


@dataclass
class _Tally:
    """The usable values of simulated replicates (with their standard errors where there are
    any) and the counts of replicates left out (failed, not converged), kept singular, or
    refitted by the bounded optimiser after the warm-started Newton steps (``fallback``)."""

    values: list[float] = field(default_factory=list)
    ses: list[float] = field(default_factory=list)
    failed: int = 0
    not_converged: int = 0
    singular: int = 0
    fallback: int = 0

    def add(self, value: float, se: float | None, singular: bool | np.bool_) -> None:
        self.values.append(value)
        if se is not None:
            self.ses.append(se)
        self.singular += int(singular)

    def null_likelihood_ratio(self, observed: float, n: int) -> NullLikelihoodRatio:
        """Return the :class:`NullLikelihoodRatio` of the statistics in ``values``."""
        simulated = np.array(self.values)
        exceed = int(np.sum(simulated >= observed - 1e-10 * max(1.0, observed)))
        return NullLikelihoodRatio(
            statistic=observed,
            p=(1.0 + exceed) / (1.0 + simulated.size),
            n_requested=n,
            n_used=int(simulated.size),
            n_failed=self.failed,
            n_not_converged=self.not_converged,
            n_singular=self.singular,
        )


@dataclass
class FittedDesign:
    """A mixed model's design with its REML fit, ready for ML tests and simulation.

    Built by :func:`fitted_design`. ``reml`` is the REML fit of the full model; ``term`` the
    tested fixed effect (e.g. ``years:network_size_bl_c``) and ``index`` its column in X.
    ``random_structure`` is ``correlated``, ``uncorrelated`` or ``intercept`` (see
    :func:`fitted_design` for the rule that chooses it).
    """

    design: Design
    formula: str
    term: str
    index: int
    reml: FastFit
    random_structure: str = "correlated"
    structure_note: str | None = None

    @property
    def free(self) -> np.ndarray:
        """Return which elements of θ are estimated (off-diagonal ones are held at 0 in an
        uncorrelated random part)."""
        rows, cols = fast.theta_index(self.design.Z.shape[1])
        if self.random_structure == "uncorrelated":
            return rows == cols
        return np.ones(rows.size, dtype=bool)

    @property
    def uncorrelated(self) -> bool:
        return self.random_structure == "uncorrelated"

    @cached_property
    def _statistics(self) -> fast.SufficientStatistics:
        """The sufficient statistics of the observed data; refits replace only the y parts."""
        design = self.design
        return fast.sufficient_statistics(
            design.X, design.y, design.Z, design.groups, design.n_groups
        )

    @cached_property
    def satterthwaite(self) -> Satterthwaite:
        """The small-sample inference of the REML fit (``satterthwaite.py``)."""
        deviance = fast.ProfiledDeviance(self._statistics, reml=True)
        return satterthwaite(deviance, self.reml.theta, beta=self.reml.beta, free=self.free)

    @cached_property
    def _mean(self) -> np.ndarray:
        """Xβ̂ of the REML fit, the mean every simulation starts from."""
        return self.design.X @ self.reml.beta

    @property
    def n_observations(self) -> int:
        return int(self.design.y.size)

    @property
    def n_participants(self) -> int:
        return self.design.n_groups

    @property
    def singular(self) -> bool:
        return is_singular(self.reml.lam)

    def weights(self, name: str) -> np.ndarray:
        """Return the contrast vector that picks fixed effect ``name``."""
        weights = np.zeros(len(self.design.fixed_names))
        weights[self.design.fixed_names.index(name)] = 1.0
        return weights

    def contrast(self, weights: np.ndarray) -> dict[str, float]:
        """Return estimate, se, df, t, p and the t(df) 95% interval of L'β (Satterthwaite)."""
        return self.satterthwaite.contrast(weights).as_dict()

    def coefficient(self, name: str) -> dict[str, float]:
        """Return estimate, se, df, t, p and the t(df) 95% interval of fixed effect ``name``
        (REML fit, Satterthwaite degrees of freedom as lmerTest)."""
        return self.contrast(self.weights(name))

    @cached_property
    def _ml(self) -> tuple[FastFit, FastFit, np.ndarray]:
        """The ML fits with and without ``term`` and the X without it."""
        x = self.design.X
        full = fit_design(x, self.design, self.design.y, reml=False, start=self.reml.theta,
                    uncorrelated=self.uncorrelated)  # fmt: skip
        reduced_x = np.delete(x, self.index, axis=1)
        reduced = fit_design(reduced_x, self.design, self.design.y, reml=False, start=full.theta,
                       uncorrelated=self.uncorrelated)  # fmt: skip
        return full, reduced, reduced_x

    def likelihood_ratio(self) -> dict[str, float]:
        """Return the likelihood-ratio test of ``term`` from ML fits of the model with and
        without it (lme4's ``anova(m0, m1)`` on ML refits): statistic, df = 1, p (χ²₁), and
        both log-likelihoods."""
        full, reduced, _ = self._ml
        statistic = max(0.0, 2.0 * (full.loglik - reduced.loglik))
        return {
            "lrt_stat": statistic,
            "lrt_df": 1,
            "lrt_p": float(stats.chi2.sf(statistic, 1)),
            "loglik_ml": full.loglik,
            "loglik_ml_without": reduced.loglik,
        }

    def _noise(self, fit: FastFit, rng: np.random.Generator) -> np.ndarray:
        """Return Zb + ε with b ~ N(0, σ̂²ΛΛ') and ε ~ N(0, σ̂²) of ``fit``."""
        design = self.design
        sigma = math.sqrt(fit.sigma2)
        q = design.Z.shape[1]
        b = sigma * (rng.standard_normal((design.n_groups, q)) @ fit.lam.T)
        return np.einsum("nq,nq->n", design.Z, b[design.groups]) + rng.normal(
            0.0, sigma, size=design.y.size
        )

    def simulate(self, rng: np.random.Generator) -> np.ndarray:
        """Return one response vector drawn from the fitted model: Xβ̂ + Zbᵢ + ε with
        bᵢ ~ N(0, σ̂²ΛΛ') and ε ~ N(0, σ̂²) (lme4's ``simulate``)."""
        return self._mean + self._noise(self.reml, rng)

    @cached_property
    def _refitter(self) -> Refitter:
        return Refitter(self.design.X, self.design, self.reml, reml=True, free=self.free)

    def refit(self, y: np.ndarray, *, max_steps: int = 12) -> tuple[np.ndarray, np.ndarray, bool,
                                                                    bool]:  # fmt: skip
        """Return (β̂, SEs, converged, fell back) of the REML refit of the model to ``y``,
        warm-started at the original θ̂."""
        found = self._refitter(y, max_steps=max_steps)
        return found.beta, found.se, found.converged, found.fallback

    def draws(self, n: int, seed: int | np.random.SeedSequence) -> Draws:
        """Return ``n`` parametric-bootstrap refits of ``term`` (simulated from the REML fit,
        refitted by REML warm-started at θ̂); the same seed gives the same draws, bit for bit.
        Failed and non-converged replicates are counted and left out
        (:class:`Draws`). From :data:`BLOCK_REFITS_FROM` participants on the replicates are
        drawn and refitted in blocks (:meth:`_draws_in_blocks`)."""
        if self._in_blocks(self._refitter):
            return self._draws_in_blocks(n, seed)
        rng = np.random.default_rng(seed)
        design = self.design
        tally = _Tally()
        with progress.task(self._progress_label("bootstrap"), n, "replicates") as task:
            for _ in range(n):
                y = self.simulate(rng)
                statistics = fast.with_response(
                    self._statistics, design.X, y, design.Z, design.groups
                )
                self._refit_draw(self._refitter, statistics, tally)
                task.advance()
        return self._draws_from(tally, n)

    def _progress_label(self, kind: str) -> str:
        """Return the label of a bootstrap's progress lines: ``kind`` and the tested term."""
        return f"{kind} {self.term}"

    def _refit_draw(
        self, refitter: Refitter, statistics: fast.SufficientStatistics, tally: _Tally
    ) -> None:
        """Refit one simulated response to convergence and add its estimate (or its failure)
        to ``tally``."""
        try:
            found = refitter.refit_statistics(statistics)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            tally.failed += 1
            return
        tally.fallback += int(found.fallback)
        if not found.converged or not np.isfinite(found.beta[self.index]):
            tally.not_converged += 1
            return
        tally.add(float(found.beta[self.index]), float(found.se[self.index]), found.singular)

    def _draws_from(self, tally: _Tally, n: int) -> Draws:
        return Draws(
            term=self.term,
            fitted=float(self.reml.beta[self.index]),
            estimates=np.array(tally.values),
            ses=np.array(tally.ses),
            n_requested=n,
            n_failed=tally.failed,
            n_not_converged=tally.not_converged,
            n_singular=tally.singular,
            n_fallback=tally.fallback,
        )

    def null_likelihood_ratio(
        self, n: int, seed: int | np.random.SeedSequence
    ) -> NullLikelihoodRatio:
        """Return the :class:`NullLikelihoodRatio` of ``term`` from ``n`` data sets simulated
        under the ML fit without it (pbkrtest's ``PBmodcomp``). Since the statistic does not
        change when Xβ of the null model is added to y, each data set is Zb + ε alone; the
        model without the term uses the same cross products less the term's column."""
        full, reduced, reduced_x = self._ml
        observed = max(0.0, 2.0 * (full.loglik - reduced.loglik))
        refit_full = Refitter(self.design.X, self.design, full, reml=False, free=self.free)
        refit_reduced = Refitter(reduced_x, self.design, reduced, reml=False, free=self.free)
        if self._in_blocks(refit_reduced):
            return self._null_in_blocks(n, seed, observed, refit_full, refit_reduced)
        design = self.design
        rng = np.random.default_rng(seed)
        tally = _Tally()
        with progress.task(self._progress_label("null-model bootstrap"), n, "replicates") as task:
            for _ in range(n):
                y = self._noise(reduced, rng)
                drawn = fast.with_response(self._statistics, design.X, y, design.Z, design.groups)
                self._refit_null(refit_full, refit_reduced, drawn, tally)
                task.advance()
        return tally.null_likelihood_ratio(observed, n)

    def _refit_null(
        self,
        refit_full: Refitter,
        refit_reduced: Refitter,
        drawn: fast.SufficientStatistics,
        tally: _Tally,
    ) -> None:
        """Refit one null-model response with and without the term to convergence and add
        the likelihood-ratio statistic (or the failure) to ``tally``."""
        try:
            with_term = refit_full.refit_statistics(drawn)
            without = refit_reduced.refit_statistics(fast.without_column(drawn, self.index))
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            tally.failed += 1
            return
        if not (with_term.converged and without.converged):
            tally.not_converged += 1
            return
        statistic = max(0.0, 2.0 * (with_term.loglik - without.loglik))
        tally.add(statistic, None, with_term.singular or without.singular)

    def _in_blocks(self, refitter: Refitter) -> bool:
        """Return whether bootstrap replicates are refitted in blocks: :data:`BLOCK_REFITS_FROM`
        participants or more, a positive-definite Hessian at θ̂ and every estimated diagonal
        element of Λ at least three standard errors above its bound at 0."""
        se = refitter.standard_errors()
        if self.n_participants < BLOCK_REFITS_FROM or se is None:
            return False
        rows, cols = fast.theta_index(self.design.Z.shape[1])
        free = self.free
        diagonal = (rows == cols)[free]
        return bool(np.all(refitter.fit.theta[free][diagonal] >= 3.0 * se[diagonal]))

    def _block_refitter(
        self, refitter: Refitter, models: list[bootstrap.Model]
    ) -> bootstrap.BlockRefitter:
        """Return the :class:`bootstrap.BlockRefitter` of ``models`` whose Newton steps start
        at the θ̂ of ``refitter``'s fit, with design steps of one standard error."""
        design = self._block_design
        se = refitter.standard_errors()
        assert se is not None
        scale = bootstrap.Scale.around(refitter.fit.theta, self.free, se, design.q)
        return bootstrap.BlockRefitter(design, scale, models)

    @cached_property
    def _block_design(self) -> bootstrap.Design:
        return bootstrap.design(self._statistics)

    @staticmethod
    def _block_seeds(
        n: int, seed: int | np.random.SeedSequence
    ) -> list[tuple[int, np.random.Generator]]:
        """Return (size, generator) of each block of ``n`` replicates."""
        sequence = (
            seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        )
        sizes = bootstrap.block_sizes(n)
        children = sequence.spawn(len(sizes))
        return [
            (size, np.random.default_rng(child))
            for size, child in zip(sizes, children, strict=True)
        ]

    def _draws_in_blocks(self, n: int, seed: int | np.random.SeedSequence) -> Draws:
        """Return :meth:`draws` computed in blocks: responses drawn at the participants' level
        and refitted by one Newton step from θ̂ (``bootstrap.py``); a replicate the step cannot
        refit is refitted to convergence from its own cross products."""
        refitter = self._refitter
        design = self._block_design
        block_refitter = self._block_refitter(
            refitter, [bootstrap.Model(keep=np.arange(design.p), reml=True)]
        )
        simulation = bootstrap.Simulation(design, self.reml.beta, self.reml.lam, self.reml.sigma2)
        q = design.q
        tally = _Tally()
        with progress.task(self._progress_label("bootstrap"), n, "replicates") as task:
            for size, rng in self._block_seeds(n, seed):
                block = simulation.block(size, rng)
                (found,) = block_refitter.refit(block)
                flags = bootstrap.singular_thetas(found.theta, q)
                for b in range(size):
                    if found.exact[b]:
                        self._refit_draw(refitter, block.statistics(design, b), tally)
                    else:
                        tally.add(
                            float(found.beta[self.index, b]),
                            float(found.se[self.index, b]),
                            flags[b],
                        )
                task.advance(size)
        return self._draws_from(tally, n)

    def _null_in_blocks(
        self,
        n: int,
        seed: int | np.random.SeedSequence,
        observed: float,
        refit_full: Refitter,
        refit_reduced: Refitter,
    ) -> NullLikelihoodRatio:
        """Return :meth:`null_likelihood_ratio` computed in blocks (``bootstrap.py``): both ML
        fits of every replicate by one Newton step from the null model's θ̂; a replicate the
        step cannot refit, or whose statistic lies within :data:`LRT_MARGIN` of the observed
        one, is refitted to convergence."""
        design = self._block_design
        reduced_columns = np.delete(np.arange(design.p), self.index)
        block_refitter = self._block_refitter(
            refit_reduced,
            [
                bootstrap.Model(keep=np.arange(design.p), reml=False),
                bootstrap.Model(keep=reduced_columns, reml=False),
            ],
        )
        reduced = refit_reduced.fit
        simulation = bootstrap.Simulation(design, np.zeros(design.p), reduced.lam, reduced.sigma2)
        q = design.q
        tally = _Tally()
        with progress.task(self._progress_label("null-model bootstrap"), n, "replicates") as task:
            for size, rng in self._block_seeds(n, seed):
                block = simulation.block(size, rng)
                with_term, without = block_refitter.refit(block)
                statistic = np.maximum(0.0, without.deviance - with_term.deviance)
                flags = bootstrap.singular_thetas(with_term.theta, q) | bootstrap.singular_thetas(
                    without.theta, q
                )
                exact = (
                    with_term.exact | without.exact | (np.abs(statistic - observed) < LRT_MARGIN)
                )
                for b in range(size):
                    if exact[b]:
                        drawn = block.statistics(design, b)
                        self._refit_null(refit_full, refit_reduced, drawn, tally)
                    else:
                        tally.add(float(statistic[b]), None, flags[b])
                task.advance(size)
        return tally.null_likelihood_ratio(observed, n)


#: Random parts tried in turn when a fit is singular (lme4's advice, Bates, Kliegl, Vasishth &
#: Baayen 2015, "Parsimonious mixed models", arXiv:1506.04967; Matuschek et al. 2017, J. Mem.
#: Lang. 94:305): correlated intercept and slope, then uncorrelated, then the intercept alone.
RANDOM_STRUCTURES = ("correlated", "uncorrelated", "intercept")


def fitted_design(
    formula: str, frame: pl.DataFrame, *, term: str, group: str = "participant_id",
    random: str = "1 + years", simplify_singular: bool = True,
) -> FittedDesign:  # fmt: skip
    """Build the design of ``formula`` on ``frame`` and fit it by REML on the fast engine;
    return the :class:`FittedDesign` for tests of fixed effect ``term``.

    With ``simplify_singular`` a singular fit (a random-effect variance at 0 or a correlation
    of ±1, lme4's ``isSingular``) is refitted with a simpler random part, in the order of
    :data:`RANDOM_STRUCTURES`, until one is not singular (or the intercept alone is reached);
    ``random_structure`` and ``structure_note`` record what was done.
    """
    design = build_design(formula, frame, group=group, random=random)
    if term not in design.fixed_names:
        raise ModelInputError(
            f"the term {term!r} is not in the model {formula!r} "
            f"(terms: {', '.join(design.fixed_names)})"
        )
    if design.y.size <= design.X.shape[1]:
        raise ModelInputError(
            f"{design.y.size} complete row(s) cannot estimate {design.X.shape[1]} fixed effects"
        )
    reml = fit_design(design.X, design, design.y, reml=True, start=None)
    structure = "correlated"
    notes: list[str] = []
    if simplify_singular and design.Z.shape[1] > 1 and is_singular(reml.lam):
        notes.append(f"the fit with correlated random terms ({random} | {group}) was singular")
        reml = fit_design(design.X, design, design.y, reml=True, start=None, uncorrelated=True)
        structure = "uncorrelated"
        if is_singular(reml.lam):
            notes.append(f"so was the fit with uncorrelated terms ({random} || {group})")
            design = build_design(formula, frame, group=group, random="1")
            reml = fit_design(design.X, design, design.y, reml=True, start=None)
            structure = "intercept"
            notes.append(f"the model was refitted with a random intercept alone (1 | {group})")
        else:
            notes.append(f"the model was refitted with uncorrelated terms ({random} || {group})")
    return FittedDesign(
        design=design,
        formula=formula,
        term=term,
        index=design.fixed_names.index(term),
        reml=reml,
        random_structure=structure,
        structure_note="; ".join(notes) + "." if notes else None,
    )


def power_at(effect: float, centred: np.ndarray, ses: np.ndarray, alpha: float = 0.05) -> float:
    """Return the share of simulated two-sided Wald tests at level ``alpha`` that reject when
    the true value is ``effect``: mean(|centred + effect| / se > z₁₋α/₂)."""
    z = float(stats.norm.ppf(1.0 - alpha / 2.0))
    return float(np.mean(np.abs(centred + effect) / ses > z))


def minimal_detectable_effect(
    draws: Draws, *, power: float = 0.8, alpha: float = 0.05
) -> float | None:
    """Return the smallest positive true value of the term that the Wald test at ``alpha``
    detects with probability ``power``, from simulated refits (see the module docstring).

    None when fewer than 20 draws are available.
    """
    if draws.n < 20:
        return None
    centred = draws.estimates - draws.fitted
    ses = draws.ses
    high = float((Z_975 + 4.0) * np.max(ses) + np.max(np.abs(centred)))
    if power_at(high, centred, ses, alpha) < power:
        return None
    low = 0.0
    for _ in range(60):
        middle = 0.5 * (low + high)
        if power_at(middle, centred, ses, alpha) >= power:
            high = middle
        else:
            low = middle
    return high


def normal_mde(se: float, *, power: float = 0.8, alpha: float = 0.05) -> float:
    """Return (z₁₋α/₂ + z_power)·SE, the large-sample minimal detectable effect."""
    return float((stats.norm.ppf(1.0 - alpha / 2.0) + stats.norm.ppf(power)) * se)
