"""What a stage returns: a small record of what it did, and the previews it shows.

The Dagster layer turns a :class:`StageRecord` into materialization metadata and check results,
the command line into progress lines (docs/architecture.md, "Stages and lineage"). A count says
what it counts: :data:`ROWS` of an export, or :data:`PROBLEM_RECORDS`, the entries of
``quarantined_responses``, one per problem found, so a row with two problems is two records
(docs/architecture.md, "Progress and counts").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

#: What a table of rows counts: rows of the exports (``responses``, ``valid_responses`` …).
ROWS = "rows"

#: What ``quarantined_responses`` counts: one record per problem, several for a row with
#: several problems.
PROBLEM_RECORDS = "problem records"


@dataclass
class StageRecord:
    """What one stage did: numbers for metadata and progress lines, and the files it wrote.

    ``rows`` is the number of entries in the table written and ``unit`` what one entry is:
    :data:`ROWS` or :data:`PROBLEM_RECORDS`."""

    name: str
    partition: str | None = None
    rows: int | None = None
    paths: dict[str, Path] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, tuple[bool, dict[str, Any]]] = field(default_factory=dict)
    unit: str = ROWS

    def summary(self) -> str:
        """Return one progress line: the asset, its partition and the entries written in their
        unit (``24 problem records``, ``532 rows``)."""
        where = f"[{self.partition}]" if self.partition else ""
        rows = f" {self.rows} {self.unit}" if self.rows is not None else ""
        return f"{self.name}{where}:{rows}"


def preview_markdown(
    frame: pl.DataFrame, columns: Sequence[str] | None = None, rows: int = 5
) -> str:
    """Return a small markdown table of ``frame`` (identifier-free columns only)."""
    shown = frame.select(list(columns)) if columns else frame
    shown = shown.head(rows)
    header = "| " + " | ".join(shown.columns) + " |"
    rule = "|" + "---|" * len(shown.columns)
    lines = [header, rule]
    for row in shown.iter_rows():
        cells = ["" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v)) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
