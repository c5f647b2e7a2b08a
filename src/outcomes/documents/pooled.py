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
class TypeEstimate(Document):
    """One row of the synthesis by intervention type: the type's projects and yearly change,
    REML pooled (``source`` ``pooled``) or the one project's own (``single``)."""

    intervention_type: str
    projects: tuple[str, ...]
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    source: str


@dataclass(frozen=True)
class RegressionCoefficient(Document):
    """A meta-regression coefficient with its Knapp–Hartung SE, t on ``df`` and t interval."""

    name: str
    estimate: float
    se: float
    t: float
    df: int
    p: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class TypeRegression(Document):
    """The meta-regression on intervention type (``outcomes.models.meta_regression``): the
    coefficients against the ``reference`` type, the omnibus F test, residual heterogeneity
    (Q_E, τ², I², H²) and R²."""

    reference: str
    k: int
    p: int
    coefficients: tuple[RegressionCoefficient, ...]
    f: float
    f_df1: int
    f_df2: int
    f_p: float
    qe: float
    qe_df: int
    qe_p: float
    tau2: float
    tau2_se: float
    tau2_intercept_only: float
    r2: float | None
    i2: float
    h2: float


@dataclass(frozen=True)
class TypeSynthesis(Document):
    """The yearly change by intervention type (``outcomes.models.type_synthesis``): which
    ``analysis`` the ``rule`` chose, the table per type, the meta-regression (none for the
    descriptive table) and the projects without a type."""

    analysis: str
    outcome: str
    parameter: str
    metric: str
    rule: str
    types: tuple[TypeEstimate, ...]
    meta_regression: TypeRegression | None
    untyped: tuple[str, ...]


@dataclass(frozen=True)
class PooledDocument(Document):
    """``analysis/pooled.json``: the pooled results, the moderator and the method in words, the
    metric the primary outcome is pooled on with why, and the synthesis by intervention type."""

    file: ClassVar[str] = "analysis/pooled.json"

    results: tuple[PooledResult, ...]
    moderator: str
    method_note: str
    left_out: tuple[LeftOut, ...] | None = field(default=None, metadata=OPTIONAL)
    metric: str | None = field(default=None, metadata=OPTIONAL)
    metric_note: str | None = field(default=None, metadata=OPTIONAL)
    intervention_type: TypeSynthesis | None = field(default=None, metadata=OPTIONAL)
