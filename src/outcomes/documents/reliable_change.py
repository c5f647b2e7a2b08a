"""Reliable change, ``analysis/reliable_change.json`` (``outcomes.models.reliable_change``;
docs/architecture.md, "Reliable change" and "Documents")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from outcomes.documents.codec import Document


@dataclass(frozen=True)
class Band(Document):
    """One side of an instrument's clinical cut-off: its labels and its band of scores
    (``lower`` <= score <= ``upper``, or < ``upper`` when not ``upper_inclusive``)."""

    label_en: str
    label_nl: str
    lower: float
    upper: float
    upper_inclusive: bool


@dataclass(frozen=True)
class ReliableChangeInstrument(Document):
    """The numbers of one instrument's reliable change index: the score, its direction, the
    reliability (``kind`` alpha or test-retest) and its source, the SD used (``sd_basis``
    ``normative`` or ``baseline_sample``, then ``sd_n`` participants' baseline scores; ``sd``
    null when fewer than two), S_diff = SD·√2·√(1 − r), the smallest reliable difference
    1.96·S_diff and the two sides of the cut-off (null when the instrument declares no
    two-sided cut-off, so nobody counts as recovered)."""

    instrument: str
    score: str
    higher_is_better: bool
    coefficient: float
    kind: str
    reliability_source: str
    sd: float | None
    sd_basis: str
    sd_n: int | None
    s_diff: float | None
    reliable_difference: float | None
    dysfunctional: Band | None
    functional: Band | None


@dataclass(frozen=True)
class ClassCounts(Document):
    """Participants of one row (``network_group`` ``all`` or a network group) by class, with
    the shares in percent (null without participants)."""

    network_group: str
    n: int
    recovered: int
    improved: int
    unchanged: int
    deteriorated: int
    pct_recovered: float | None
    pct_improved: float | None
    pct_unchanged: float | None
    pct_deteriorated: float | None


@dataclass(frozen=True)
class ProjectChange(Document):
    """One assessed project: its primary instrument and its class counts, first over all its
    participants, then per network group."""

    project: str
    instrument: str
    rows: tuple[ClassCounts, ...]


@dataclass(frozen=True)
class PooledChange(Document):
    """The class counts over every assessed project (``projects``, with ``instruments``)."""

    projects: tuple[str, ...]
    instruments: tuple[str, ...]
    rows: tuple[ClassCounts, ...]


@dataclass(frozen=True)
class NotAssessed(Document):
    """A project without reliable change, and why: ``reason`` ``no_reliability`` (its
    primary instrument declares no published reliability), ``no_primary_wellbeing`` or
    ``no_spec``; ``instrument`` is the primary instrument when there is one."""

    project: str
    instrument: str | None
    reason: str
    note: str


@dataclass(frozen=True)
class ReliableChangeDocument(Document):
    """``analysis/reliable_change.json``: change from baseline to the last measurement of each
    project's primary wellbeing score classed as recovered, improved, unchanged or
    deteriorated by the reliable change index at ±``critical_value`` (Jacobson & Truax 1991):
    per instrument, per project, pooled over the assessed projects, and the projects not
    assessed."""

    file: ClassVar[str] = "analysis/reliable_change.json"

    critical_value: float
    instruments: tuple[ReliableChangeInstrument, ...]
    projects: tuple[ProjectChange, ...]
    pooled: PooledChange
    not_assessed: tuple[NotAssessed, ...]

    def project(self, project: str) -> ProjectChange | None:
        """Return the entry of ``project``, None when it was not assessed."""
        return next((p for p in self.projects if p.project == project), None)

    def instrument(self, key: str) -> ReliableChangeInstrument | None:
        """Return the numbers of instrument ``key``, None when no project used it."""
        return next((i for i in self.instruments if i.instrument == key), None)
