"""Network growth, ``analysis/network_growth.json`` (``outcomes.models.growth``;
docs/architecture.md, "Documents")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from outcomes.documents.codec import OPTIONAL, Document


@dataclass(frozen=True)
class Coefficient(Document):
    """One OLS coefficient with its t test and 95% interval."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    t: float
    p: float


@dataclass(frozen=True)
class GrowthModel(Document):
    """The OLS of follow-up network size on baseline size, project and years."""

    coefficients: dict[str, Coefficient]
    df_residual: int
    r2: float
    residual_sd: float
    n: int


@dataclass(frozen=True)
class ChangeOnBaseline(Document):
    """The baseline coefficient − 1: the naive change-score slope."""

    estimate: float
    ci_low: float
    ci_high: float
    note: str


@dataclass(frozen=True)
class MeanGrowth(Document):
    """The unadjusted mean change from baseline to the last follow-up."""

    estimate: float
    note: str


@dataclass(frozen=True)
class GroupGrowth(Document):
    """Baseline, follow-up and change of one network group (descriptive)."""

    network_group: str
    n_participants: int
    mean_baseline: float | None
    mean_follow_up: float | None
    mean_change: float | None


@dataclass(frozen=True)
class Caveat(Document):
    """The regression-to-the-mean caveat in Dutch and English."""

    nl: str
    en: str


@dataclass(frozen=True)
class NetworkGrowth(Document):
    """``analysis/network_growth.json``: the baseline-adjusted growth model, the change-score
    slope, the mean growth, growth by network group and the caveat; with fewer than 5
    participants followed up, no model and a note."""

    file: ClassVar[str] = "analysis/network_growth.json"

    formula: str
    outcome: str
    caveat: Caveat
    n_participants: int
    model: GrowthModel | None
    by_group: tuple[GroupGrowth, ...]
    change_on_baseline: ChangeOnBaseline | None = field(default=None, metadata=OPTIONAL)
    mean_growth: MeanGrowth | None = field(default=None, metadata=OPTIONAL)
    note: str | None = field(default=None, metadata=OPTIONAL)
