"""Per-project effects, ``analysis/project_effects.json``: the inputs of the meta-analysis
(``outcomes.models.analysis.effects_from_results``, ``project_models``; docs/architecture.md,
"Documents")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from outcomes.documents.codec import OPTIONAL, Document
from outcomes.documents.model import FittedModel, LeftOut


@dataclass(frozen=True)
class ProjectEffect(Document):
    """One project's Matthew interaction and yearly change (``slope``) of one outcome, with
    their SEs, intervals and the test's role."""

    project: str
    outcome: str
    moderator: str
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    df: float | None
    p: float | None
    p_holm: float | None
    role: str
    verdict: str | None
    lrt_p: float | None
    boot_ci_low: float | None
    boot_ci_high: float | None
    mde80: float | None
    n_participants: int
    n_observations: int
    converged: bool
    design: str
    direction: str
    slope: float | None
    slope_se: float | None
    slope_ci_low: float | None
    slope_ci_high: float | None
    slope_df: float | None
    estimand: str


@dataclass(frozen=True)
class PrimaryMeasure(Document):
    """A project's primary measure for pooling (``outcomes.models.pooling_metric``): the
    instrument its spec names, how many of its points one ``wellbeing`` point is, the baseline
    SD of ``wellbeing`` and the spec's intervention type."""

    instrument: str | None
    points_per_wellbeing_point: float | None
    baseline_sd: float | None
    intervention_type: str | None


@dataclass(frozen=True)
class ProjectEffects(Document):
    """``analysis/project_effects.json``: the moderator, the per-project effect rows and M1
    fitted within each project (none when the analysis ran without them)."""

    file: ClassVar[str] = "analysis/project_effects.json"

    moderator: str
    projects: tuple[ProjectEffect, ...]
    models: dict[str, FittedModel]
    left_out: tuple[LeftOut, ...] | None = field(default=None, metadata=OPTIONAL)
    measures: dict[str, PrimaryMeasure] | None = field(default=None, metadata=OPTIONAL)
