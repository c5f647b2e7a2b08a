"""The report tables, ``reports/tables/<project>.json`` and ``reports/tables/synthesis.json``
(``outcomes.reports.tables.build_report_tables``): everything a report shows, already passed
through disclosure control (``outcomes.reports.disclosure``; docs/architecture.md, "Documents")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from outcomes.documents.codec import EMPTY, OPTIONAL, Document
from outcomes.documents.matthew import InteractionTest
from outcomes.documents.model import LeftOut
from outcomes.documents.pooled import PooledResult, TypeSynthesis
from outcomes.documents.reliable_change import NotAssessed, ReliableChangeInstrument
from outcomes.documents.tipping_point import ShownTippingPoint


@dataclass(frozen=True)
class HiddenCell(Document):
    """One hidden cell of a protected table: its 0-based row, its column and why
    (``small_count``, ``complementary``, ``small_base`` or ``hidden_numerator``)."""

    row: int
    column: str
    reason: str


@dataclass(frozen=True)
class ShownTable(Document):
    """A disclosure-controlled table (``ProtectedTable.to_dict``): its columns, every cell as the
    report shows it (``"<10"``, ``"x"`` or ``"–"`` where hidden), the same cells as values
    (hidden cells null), the hidden cells and the threshold."""

    columns: tuple[str, ...]
    display: tuple[tuple[str, ...], ...]
    values: tuple[tuple[str | float | None, ...], ...]
    suppressed: tuple[HiddenCell, ...]
    threshold: int


@dataclass(frozen=True)
class Participation(ShownTable):
    """Participants per wave and network group with retention against baseline; ``groups``
    lists the network groups present, in report order."""

    groups: tuple[str, ...]


@dataclass(frozen=True)
class OutcomeTables(Document):
    """Means with 95% intervals of one outcome's panel ``column`` per wave, overall and per
    network group."""

    column: str
    overall: ShownTable
    by_group: ShownTable


@dataclass(frozen=True)
class Wave(Document):
    """One wave and its median months since baseline (rounded; null without dates)."""

    wave: int
    months: int | None


@dataclass(frozen=True)
class ShownEstimate(Document):
    """An estimate a report shows with its standard error, 95% interval and p; the yearly
    change of ``model.json`` adds its ``estimand``."""

    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None
    estimand: str | None = field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True)
class ModelSummary(Document):
    """The numbers of M1 a report shows: the yearly change (``slope``) and the Matthew
    interaction (null when the model lacks the term)."""

    engine: str
    formula: str
    n_observations: int
    n_participants: int
    converged: bool
    singular: bool
    slope: ShownEstimate | None
    interaction: ShownEstimate | None


@dataclass(frozen=True)
class ShownSimpleSlope(Document):
    """A model-based yearly change at a fixed baseline network size a report shows."""

    percentile: float | None
    moderator_value: float
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None


@dataclass(frozen=True)
class MatthewSummary(Document):
    """The Matthew test a report describes (``primary``: the declared primary test, else the
    scope's wellbeing × baseline network size row), every result of the scope, the protected
    network-group slopes, the number of exploratory tests and the simple slopes shown."""

    project: str
    primary: InteractionTest | None
    results: tuple[InteractionTest, ...]
    subgroups: ShownTable | None
    exploratory_tests: int
    simple_slopes: tuple[ShownSimpleSlope, ...]


@dataclass(frozen=True)
class RuleRows(Document):
    """Export rows quarantined by one validation rule."""

    rule: str
    count: int


@dataclass(frozen=True)
class Quality(Document):
    """Export rows received, valid and quarantined (the share in percent, null without rows)
    and the quarantined rows per rule, most first."""

    rows_received: int
    rows_valid: int
    rows_quarantined: int
    quarantine_share: float | None
    rules: tuple[RuleRows, ...]


@dataclass(frozen=True)
class ExportFile(Document):
    """An export file read, by name, with its SHA-256."""

    #: the key ``file`` (an instance field here, not the class's file name)
    file: str = field()  # type: ignore[misc]
    sha256: str | None


@dataclass(frozen=True)
class Provenance(Document):
    """The export files read, the software version, the data date and the report timestamp."""

    files: tuple[ExportFile, ...]
    software_version: str
    data_date: str | None
    report_timestamp: str


@dataclass(frozen=True)
class MatthewGridEntry(Document):
    """One project × outcome Matthew result for the primary moderator in the synthesis grid
    (``project`` is ``all`` for the all-project model)."""

    project: str
    name: str
    outcome: str
    moderator: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None
    verdict: str | None
    role: str
    p_holm: float | None
    family_size: int | None
    evidence: str | None
    verdict_ci_low: float | None
    verdict_ci_high: float | None
    verdict_p: float | None
    design: str | None = field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True)
class SuppressedCell(Document):
    """One hidden cell of the report: the table it is in, its row, its column and why."""

    table: str
    row: int
    column: str
    reason: str


@dataclass(frozen=True)
class InstrumentEntry(Document):
    """A questionnaire the methods text names: registry key, names (en/nl), citation and
    whether it measures the primary wellbeing outcome."""

    key: str
    name_en: str
    name_nl: str
    citation: str
    primary: bool


@dataclass(frozen=True)
class ShownReliableChange(Document):
    """Reliable change as a report shows it (docs/architecture.md, "Reliable change"): the
    instruments' reliable change numbers, the protected table of the four classes per network
    group with a last ``total`` row (null when nobody could be classed), whether anyone can
    count as recovered, and the projects not assessed."""

    instruments: tuple[ReliableChangeInstrument, ...]
    table: ShownTable | None
    recovered_possible: bool
    not_assessed: tuple[NotAssessed, ...]


@dataclass(frozen=True)
class ReportTables(Document):
    """``reports/tables/<project>.json`` (``kind`` ``project``) and
    ``reports/tables/synthesis.json`` (``kind`` ``synthesis``, ``project`` null): everything one
    report shows. A project report has composition and quality and no projects, pooled
    estimates or Matthew grid; the synthesis the other way round. ``model``, ``matthew``,
    ``quality`` and ``projects`` are ``{}`` when the report has none. Dates are ISO strings.
    ``left_out`` (absent when none) lists the projects the models left out: a project report its
    own, the synthesis every one."""

    file: ClassVar[str] = "reports/tables/<project>.json"

    kind: str
    project: str | None
    project_name: str
    organisation: str | None
    threshold: int
    data_date: str | None
    report_timestamp: str
    software_version: str
    waves: tuple[Wave, ...]
    participation: Participation
    composition: dict[str, ShownTable]
    outcomes: dict[str, OutcomeTables]
    model: ModelSummary | None = field(metadata=EMPTY)
    matthew: MatthewSummary | None = field(metadata=EMPTY)
    quality: Quality | None = field(metadata=EMPTY)
    provenance: Provenance
    projects: ShownTable | None = field(metadata=EMPTY)
    pooled: tuple[PooledResult, ...]
    matthew_by_project: tuple[MatthewGridEntry, ...]
    suppressed: tuple[SuppressedCell, ...]
    instruments: tuple[InstrumentEntry, ...]
    left_out: tuple[LeftOut, ...] | None = field(default=None, metadata=OPTIONAL)
    pooled_metric: str | None = field(default=None, metadata=OPTIONAL)
    intervention_type: TypeSynthesis | None = field(default=None, metadata=OPTIONAL)
    reliable_change: ShownReliableChange | None = field(default=None, metadata=OPTIONAL)
    tipping_point: ShownTippingPoint | None = field(default=None, metadata=OPTIONAL)
