"""Pooling across projects, ``analysis/pooled.json`` (``outcomes.models.meta``,
``outcomes.models.analysis.pooled_from_effects``; docs/architecture.md, "Pooling across
projects" and "Documents")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from outcomes.documents.codec import OPTIONAL, Document
from outcomes.documents.model import LeftOut


@dataclass(frozen=True)
class Study(Document):
    """One forest-plot row: a project's estimate, 95% interval and weight."""

    label: str
    estimate: float
    ci_low: float
    ci_high: float
    weight: float


@dataclass(frozen=True)
class MetaAnalysis(Document):
    """One random-effects meta-analysis (``MetaResult.to_dict``): the pooled estimate with its
    interval, τ² and its interval, I², H², Q, the prediction interval and the forest rows."""

    method: str
    knapp_hartung: bool
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    z: float | None
    t: float | None
    df: int | None
    p: float
    tau2: float
    tau2_se: float | None
    tau: float
    tau2_ci_low: float | None
    tau2_ci_high: float | None
    tau2_ci_low_at_limit: bool
    tau2_ci_high_at_limit: bool
    tau_ci_low: float | None
    tau_ci_high: float | None
    i2: float
    i2_ci_low: float | None
    i2_ci_high: float | None
    i2_label: str | None
    h2: float
    h2_ci_low: float | None
    h2_ci_high: float | None
    q: float
    q_df: int
    q_p: float | None
    pi_low: float | None
    pi_high: float | None
    pi_df: int | None
    pi_method: str
    studies: tuple[Study, ...]


@dataclass(frozen=True)
class PooledResult(MetaAnalysis):
    """The REML pooling of one ``parameter`` (``slope`` or ``interaction``) of one outcome, with
    DerSimonian–Laird under ``dl``, the estimands the projects contribute and a note when they
    differ."""

    outcome: str
    parameter: str
    dl: MetaAnalysis
    estimands: tuple[str, ...]
    note: str | None = field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True)
class PooledDocument(Document):
    """``analysis/pooled.json``: the pooled results, the moderator and the method in words."""

    file: ClassVar[str] = "analysis/pooled.json"

    results: tuple[PooledResult, ...]
    moderator: str
    method_note: str
    left_out: tuple[LeftOut, ...] | None = field(default=None, metadata=OPTIONAL)
