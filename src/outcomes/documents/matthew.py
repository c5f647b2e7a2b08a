"""The Matthew check, ``analysis/matthew.json``: one interaction test per outcome × moderator ×
scope, the descriptive subgroup slopes, the credibility checklist and the declared primary
question (``outcomes.models.analysis.analyse``, ``outcomes.models.matthew``;
docs/architecture.md, "One declared primary test" and "Documents")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from outcomes.documents.attrition import Attrition
from outcomes.documents.codec import OPTIONAL, Document
from outcomes.documents.growth import NetworkGrowth
from outcomes.documents.model import Estimate, LeftOut, RandomEffectInterval
from outcomes.documents.sensitivity import BaselineAdjusted, MeasurementErrorCorrection


@dataclass(frozen=True)
class ProjectWeight:
    """A project and its weight (participants) in the all-project average (the keys
    ``ProjectSlope`` holds before its estimate)."""

    project: str
    n_participants: int
    weight: float


@dataclass(frozen=True)
class ProjectSlope(Estimate, ProjectWeight):
    """One project's yearly change at the mean baseline moderator and its weight (participants)
    in the all-project average, with the keys of its estimate."""


@dataclass(frozen=True)
class ModeratorPoint:
    """A baseline moderator value: at a percentile, or a fixed size when ``percentile`` is null
    (the keys ``SimpleSlope`` holds before its estimate)."""

    percentile: float | None
    moderator_value: float


@dataclass(frozen=True)
class SimpleSlope(Estimate, ModeratorPoint):
    """The model-based yearly change at one baseline moderator value, with the keys of its
    estimate."""


@dataclass(frozen=True)
class ReplicateCounts(Document):
    """Bootstrap replicates used, failed, not converged and singular, and what they were
    simulated from (the likelihood-ratio test adds its statistic and p)."""

    simulated_from: str
    used: int
    failed: int
    not_converged: int
    singular: int
    statistic: float | None = field(default=None, metadata=OPTIONAL)
    p: float | None = field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True)
class Bootstrap(Document):
    """The parametric bootstrap of one interaction test: the percentile interval's and the
    null-model likelihood-ratio test's replicates."""

    replicates: int
    interval: ReplicateCounts
    lrt: ReplicateCounts
    rule: str


@dataclass(frozen=True)
class InteractionTest(Document):
    """One Matthew check: the years × moderator interaction of one outcome in one scope (a
    project or ``all``), with Satterthwaite t, the likelihood-ratio test, the bootstrap when run,
    the MDE, the yearly change (``effect``), simple and project slopes, the role (primary or
    exploratory), the Holm-adjusted p of exploratory tests and the verdict of the primary one."""

    project: str
    outcome: str
    moderator: str
    design: str
    term: str
    formula: str
    random_structure: str
    structure_note: str | None
    singular: bool
    direction: str
    direction_note: str
    inference: str
    estimate: float | None
    se: float | None
    df: float | None
    t: float | None
    p: float | None
    ci_low: float | None
    ci_high: float | None
    estimate_per_sd: float | None
    moderator_mean: float | None
    moderator_sd: float | None
    lrt_stat: float | None
    lrt_df: int | None
    lrt_p: float | None
    effect_term: str
    effect_estimand: str
    effect: float | None
    effect_se: float | None
    effect_df: float | None
    effect_ci_low: float | None
    effect_ci_high: float | None
    effect_p: float | None
    project_slopes: tuple[ProjectSlope, ...]
    simple_slopes: tuple[SimpleSlope, ...]
    n_participants: int
    n_observations: int
    converged: bool
    boot_ci_low: float | None
    boot_ci_high: float | None
    boot_se: float | None
    boot_lrt_p: float | None
    n_boot: int
    n_boot_converged: int
    bootstrap: Bootstrap | None
    mde80: float | None
    mde80_normal: float | None
    mde_method: str | None
    random_effects_ci: tuple[RandomEffectInterval, ...] | None
    method: str
    method_description: str
    verdict: str | None
    verdict_ci_low: float | None
    verdict_ci_high: float | None
    verdict_p: float | None
    satterthwaite_verdict: str
    bootstrap_verdict: str | None
    evidence: str | None
    role: str
    p_holm: float | None = field(default=None, metadata=OPTIONAL)
    family_size: int | None = field(default=None, metadata=OPTIONAL)
    baseline_adjusted: BaselineAdjusted | None = field(default=None, metadata=OPTIONAL)
    baseline_adjusted_note: str | None = field(default=None, metadata=OPTIONAL)
    measurement_error: MeasurementErrorCorrection | None = field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True)
class Subgroup(Document):
    """The descriptive yearly change of one network group (never a verdict)."""

    project: str
    outcome: str
    network_group: str
    slope: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n_participants: int
    direction: str
    formula: str


@dataclass(frozen=True)
class ChecklistItem(Document):
    """One criterion of the credibility checklist with its answer and reason."""

    item: str
    answer: str
    reason: str


@dataclass(frozen=True)
class PrimaryQuestion(Document):
    """The declared primary test: outcome, moderator, scope and verdict method."""

    outcome: str
    moderator: str
    scope: str
    method: str
    method_description: str
    robustness: str | None


@dataclass(frozen=True)
class Multiplicity(Document):
    """Whether a primary test ran, the number of exploratory tests and their adjustment."""

    primary: bool
    exploratory_tests: int
    adjustment: str


@dataclass(frozen=True)
class Skipped(Document):
    """A scope, outcome or moderator that was not tested, and why."""

    project: str
    outcome: str
    moderator: str | None
    reason: str


@dataclass(frozen=True)
class Settings(Document):
    """The settings of the analysis: bootstrap replicates, seed, MDE, outcomes, moderators and
    the simple-slope points."""

    n_boot: int
    seed: int
    mde: bool
    n_power: int
    outcomes: tuple[str, ...]
    moderators: tuple[str, ...]
    simple_slope_percentiles: tuple[float, ...]
    simple_slope_sizes: tuple[float, ...]


@dataclass(frozen=True)
class MatthewDocument(Document):
    """``analysis/matthew.json``: every interaction test, the subgroup slopes, the checklist,
    the primary question, multiplicity, skipped tests, settings and the rules in words; the
    library's whole analysis adds attrition and network growth."""

    file: ClassVar[str] = "analysis/matthew.json"

    project: str
    results: tuple[InteractionTest, ...]
    subgroups: tuple[Subgroup, ...]
    checklist: tuple[ChecklistItem, ...]
    primary: PrimaryQuestion
    multiplicity: Multiplicity
    skipped: tuple[Skipped, ...]
    settings: Settings
    verdict_rule: str
    direction: str
    controlled_designs: str
    seconds: float
    attrition: Attrition | None = field(default=None, metadata=OPTIONAL)
    network_growth: NetworkGrowth | None = field(default=None, metadata=OPTIONAL)
    left_out: tuple[LeftOut, ...] | None = field(default=None, metadata=OPTIONAL)

    def scope(self, project: str) -> MatthewScope:
        """Return the tests and subgroup slopes of one scope (a project id or ``all``) with the
        primary question and multiplicity of the whole analysis: what a report of that scope
        reads."""
        return MatthewScope(
            project=project,
            results=tuple(r for r in self.results if r.project == project),
            subgroups=tuple(s for s in self.subgroups if s.project == project),
            primary=self.primary,
            multiplicity=self.multiplicity,
        )


@dataclass(frozen=True)
class MatthewScope(Document):
    """The part of ``matthew.json`` one report reads: the tests and subgroup slopes of one scope,
    with the primary question and multiplicity of the whole analysis (not written on its own)."""

    project: str
    results: tuple[InteractionTest, ...]
    subgroups: tuple[Subgroup, ...]
    primary: PrimaryQuestion
    multiplicity: Multiplicity
