"""The sensitivity checks beside the declared Matthew test in ``analysis/matthew.json``: the
baseline-adjusted model (regression to the mean) and the interaction corrected for measurement
error in network size (``outcomes.models.baseline_adjusted``; docs/architecture.md,
"Regression to the mean", "Measurement error in network size" and "Documents")."""

from __future__ import annotations

from dataclasses import dataclass

from outcomes.documents.codec import Document
from outcomes.documents.model import Estimate


@dataclass(frozen=True)
class BaselineAdjustedModel:
    """The keys ``BaselineAdjusted`` holds before its estimate: the model's formula, the term
    tested and its inference."""

    formula: str
    term: str
    inference: str


@dataclass(frozen=True)
class BaselineAdjusted(Estimate, BaselineAdjustedModel):
    """The Matthew term of the baseline-adjusted model: change from baseline per year regressed
    on the centred moderator and the centred baseline outcome, with its inference and
    reference."""

    n_participants: int
    n_observations: int
    reference: str


@dataclass(frozen=True)
class MeasurementErrorCorrection(Document):
    """The primary interaction divided by the attenuation λ implied by the configured
    reliability of network size (regression calibration): estimate, se and the verdict's
    interval scaled alike, the verdict's p unchanged."""

    reliability: float
    attenuation: float
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None
    method: str
