"""Attrition, ``analysis/attrition.json`` (``outcomes.models.attrition``;
docs/architecture.md, "Documents")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from outcomes.documents.codec import OPTIONAL, Document


@dataclass(frozen=True)
class DropoutRow(Document):
    """Participants, completers, dropouts and baseline-only participants of one network group
    (of one project in ``by_project``)."""

    network_group: str
    participants: int
    completers: int
    dropouts: int
    baseline_only: int
    share_not_completed: float
    project: str | None = field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True)
class DropoutTest(Document):
    """The χ² test of completed against not completed by network group."""

    chi2: float
    df: int
    p: float
    what: str


@dataclass(frozen=True)
class Dropout(Document):
    """Dropout by network group, overall and per project, with its χ² test (null with fewer
    than two groups)."""

    overall: tuple[DropoutRow, ...]
    test: DropoutTest | None
    by_project: tuple[DropoutRow, ...] | None = field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True)
class SensitivityFit(Document):
    """The interaction of one fit of the descriptive completers-only comparison."""

    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None
    verdict: str
    n_participants: int


@dataclass(frozen=True)
class Sensitivity(Document):
    """M1's interaction on all available data and on completers only, in one scope
    (descriptive: completers only is valid only when dropout is completely at random)."""

    project: str
    outcome: str
    moderator: str
    all_available: SensitivityFit
    completers_only: SensitivityFit
    difference: float | None
    same_verdict: bool


@dataclass(frozen=True)
class Attrition(Document):
    """``analysis/attrition.json``: dropout by network group and the descriptive
    completers-only comparison of the Matthew check (``sensitivity``); the sensitivity analysis
    under dropout is ``analysis/tipping_point.json``."""

    file: ClassVar[str] = "analysis/attrition.json"

    dropout: Dropout
    sensitivity: tuple[Sensitivity, ...]
    note: str
