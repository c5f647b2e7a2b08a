"""The fitted mixed model: ``analysis/model.json`` (M1 on all projects) and each entry of
``project_effects.json``'s ``models`` (``outcomes.models.result.MixedResult.to_dict``,
``outcomes.models.m1.model_document``; docs/architecture.md, "Documents")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from outcomes.documents.codec import OPTIONAL, Document


@dataclass(frozen=True)
class LeftOut(Document):
    """A project the models left out, and why: ``reason`` is ``no_wellbeing_values`` (no
    participant has a wellbeing value) or, in a project's report, ``no_primary_wellbeing`` (its
    spec names no primary wellbeing measure); ``note`` says it in words (docs/architecture.md,
    "Specs without instruments and single measurements")."""

    project: str
    reason: str
    note: str


@dataclass(frozen=True)
class Estimate(Document):
    """One fixed effect or linear contrast with Satterthwaite inference: estimate, SE, df, t,
    p and the 95% interval (None where not finite)."""

    estimate: float | None
    se: float | None
    df: float | None
    t: float | None
    p: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class Estimand:
    """What a yearly change estimates and the participants (nⱼ) per project it weights by
    (the keys ``YearlyChange`` holds before its estimate)."""

    estimand: str
    weights: dict[str, int]


@dataclass(frozen=True)
class YearlyChange(Estimate, Estimand):
    """The yearly change at the mean baseline moderator: the participant-weighted average of
    the project slopes (``weights`` holds nⱼ) or β_years, with the keys of its estimate."""


@dataclass(frozen=True)
class RandomEffects(Document):
    """Random-intercept and slope variances, their correlation and the residual variance."""

    intercept_var: float | None
    slope_var: float | None
    corr: float | None
    residual_var: float | None


@dataclass(frozen=True)
class RandomCovariance(Document):
    """The random-effect covariance matrix and the names of its rows."""

    terms: tuple[str, ...]
    matrix: tuple[tuple[float | None, ...], ...]


@dataclass(frozen=True)
class Optimizer(Document):
    """What the optimizer reports: method, θ, iterations, gradient, message, objective."""

    method: str
    theta: tuple[float, ...]
    iterations: int
    evaluations: int
    converged: bool
    gradient: tuple[float, ...]
    max_abs_gradient: float
    message: str
    objective: float


@dataclass(frozen=True)
class RandomEffectInterval(Document):
    """The profile-likelihood 95% interval of one variance parameter
    (``outcomes.models.profile.ProfileInterval``)."""

    parameter: str
    estimate: float
    ci_low: float | None
    ci_high: float | None
    method: str
    note: str | None


@dataclass(frozen=True)
class FittedModel(Document):
    """One fitted linear mixed model (``MixedResult.to_dict``): each entry of
    ``project_effects.json``'s ``models``."""

    engine: str
    formula: str
    random: str
    random_structure: str
    structure_note: str | None
    inference: str
    reml: bool
    n_observations: int
    n_participants: int
    n_dropped: int
    fixed_effects: dict[str, Estimate]
    random_effects: RandomEffects
    random_covariance: RandomCovariance
    loglik: float | None
    deviance: float | None
    aic: float | None
    bic: float | None
    converged: bool
    singular: bool
    seconds: float
    optimizer: Optimizer
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class ModelResult(FittedModel):
    """M1 on all projects, ``analysis/model.json``: the fitted model with the all-project
    yearly change, the model name, the moderator with its mean and the profile intervals of the
    random effects (with a note when they are not computed)."""

    file: ClassVar[str] = "analysis/model.json"

    yearly_change: YearlyChange
    model: str
    moderator: str
    moderator_mean: float | None
    random_effects_ci: tuple[RandomEffectInterval, ...]
    random_effects_ci_note: str | None
    left_out: tuple[LeftOut, ...] | None = field(default=None, metadata=OPTIONAL)
