"""The validation summary, ``validation/<project>.json`` (``outcomes.validation.rules``;
docs/architecture.md, "Documents")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from outcomes.documents.codec import Document


@dataclass(frozen=True)
class FileCounts(Document):
    """Rows read, valid and quarantined of one export file."""

    rows_read: int
    rows_valid: int
    rows_quarantined: int


@dataclass(frozen=True)
class ValidationSummary(Document):
    """The counts of one project's validation: rows read, valid and quarantined (in total and
    per export file), the quarantined share against the spec's threshold, quarantine records
    per rule (``rules``) and quarantined rows per rule (``rows_by_rule``)."""

    file: ClassVar[str] = "validation/<project>.json"

    project: str
    rows_read: int
    rows_valid: int
    rows_quarantined: int
    quarantined_share: float
    threshold: float
    passed_threshold: bool
    rules: dict[str, int]
    rows_by_rule: dict[str, int]
    files: dict[str, FileCounts]
    duplicate_policy: str
