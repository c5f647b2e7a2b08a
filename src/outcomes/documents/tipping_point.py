"""The dropout tipping point, ``analysis/tipping_point.json`` (``outcomes.models.tipping_point``;
docs/architecture.md, "Dropout tipping point" and "Documents")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from outcomes.documents.codec import Document


@dataclass(frozen=True)
class ScanPoint(Document):
    """The interaction pooled by Rubin's rules at one δ: estimate, total SE, Barnard–Rubin df,
    t(df) 95% interval, verdict, relative increase in variance, fraction of missing
    information and the imputations used."""

    delta: float
    estimate: float
    se: float
    df: float
    ci_low: float
    ci_high: float
    verdict: str
    riv: float
    fmi: float
    imputations_used: int


@dataclass(frozen=True)
class DeltaScan(Document):
    """The δ scan of one parametrisation: which dropouts are shifted, the verdict at δ = 0, the
    tipping δ below and above 0 with the verdict it changes to (null when the verdict holds to
    the end of the scan), and every δ evaluated."""

    parametrisation: str
    shifted: str
    verdict_at_zero: str
    tipping_below: float | None
    verdict_below: str | None
    tipping_above: float | None
    verdict_above: str | None
    holds: bool
    grid: tuple[ScanPoint, ...]


@dataclass(frozen=True)
class MeasuredFit(Document):
    """The interaction of the Matthew check's fit to the measured data (Satterthwaite)."""

    estimate: float | None
    se: float | None
    df: float | None
    ci_low: float | None
    ci_high: float | None
    verdict: str


@dataclass(frozen=True)
class TippingScope(Document):
    """The tipping-point analysis of one scope (``all`` or a project): the tested term, the
    participants analysed, the dropouts and follow-up measurements imputed, the fit to the
    measured data, refits left out, the role of the scope's test and one scan per
    parametrisation."""

    project: str
    outcome: str
    moderator: str
    term: str
    role: str
    n_participants: int
    n_dropouts: int
    n_imputed: int
    measured: MeasuredFit
    failed_refits: int
    scans: tuple[DeltaScan, ...]


@dataclass(frozen=True)
class SkippedScope(Document):
    """A scope without a tipping-point analysis, and why."""

    project: str
    reason: str


@dataclass(frozen=True)
class TippingPoint(Document):
    """``analysis/tipping_point.json``: the delta-adjusted tipping-point analysis of the Matthew
    check under dropout (multiple imputation under the mixed model, Rubin's rules): the method,
    imputations, seed, the δ range, grid step and tolerance, the parametrisations, every scope
    analysed and those skipped."""

    file: ClassVar[str] = "analysis/tipping_point.json"

    method: str
    imputations: int
    seed: int
    delta_limit: float
    grid_step: float
    tolerance: float
    parametrisations: dict[str, str]
    scopes: tuple[TippingScope, ...]
    skipped: tuple[SkippedScope, ...]


@dataclass(frozen=True)
class ShownTippingEdge(Document):
    """The tipping δ of one parametrisation as a report shows it: below and above 0 (null when
    the verdict holds to the end of the scan)."""

    parametrisation: str
    tipping_below: float | None
    tipping_above: float | None


@dataclass(frozen=True)
class ShownTippingPoint(Document):
    """The tipping-point analysis of a report's scope (``reports/tables/<project>.json``): the
    verdict of the fit to the measured data and at δ = 0, the scanned limit, the imputations and
    the tipping δ per parametrisation."""

    project: str
    measured_verdict: str
    verdict_at_zero: str
    delta_limit: float
    imputations: int
    edges: tuple[ShownTippingEdge, ...]
