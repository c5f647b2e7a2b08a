"""The reliable change part of the report tables: the four classes per network group, protected.

Belongs here: turning ``analysis/reliable_change.json`` into the ``reliable_change`` entry of a
report's tables (a project report: its own project; the synthesis: the pooled counts over every
assessed project), with every count and share passed through :mod:`outcomes.reports.disclosure`
(docs/architecture.md, "Reliable change"). The table's rows are the network groups and a last
``total`` row holding their sums, its columns the classes and ``n``, their row total, so a single
hidden cell in a row or a column is covered by complementary suppression.
Does not belong here: the classification (``outcomes.models.reliable_change``), wording
(``reliable_change_text.py``) or the figure (``reliable_change_figure.py``).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from outcomes.documents.reliable_change import ClassCounts, ReliableChangeDocument
from outcomes.models.reliable_change import CLASSES
from outcomes.reports.disclosure import DEFAULT_THRESHOLD, protect_table

#: The name of the last row of the table, the sum of the network-group rows.
TOTAL = "total"


def shown_reliable_change(
    document: ReliableChangeDocument | None,
    project: str | None,
    threshold: int = DEFAULT_THRESHOLD,
) -> dict[str, Any] | None:
    """Return the ``reliable_change`` entry of a report's tables as JSON data, or None without
    the document.

    With ``project`` the project's own counts (no table when it was not assessed; its entry
    under ``not_assessed`` then says why), with ``project=None`` the pooled counts of the
    synthesis and every project not assessed. Counts below ``threshold`` are hidden, shares on
    small bases withheld (``outcomes.reports.disclosure.protect_table``).
    """
    if document is None:
        return None
    if project is not None:
        entry = document.project(project)
        rows = entry.rows if entry is not None else ()
        keys = [entry.instrument] if entry is not None else []
        not_assessed = [n for n in document.not_assessed if n.project == project]
    else:
        rows = document.pooled.rows
        keys = list(document.pooled.instruments)
        not_assessed = list(document.not_assessed)
    instruments = [i for i in document.instruments if i.instrument in keys]
    table = _protected(rows, threshold) if rows and rows[0].n > 0 else None
    return {
        "instruments": [i.to_json() for i in instruments],
        "table": table,
        "recovered_possible": any(i.functional is not None for i in instruments),
        "not_assessed": [n.to_json() for n in not_assessed],
    }


def _protected(rows: tuple[ClassCounts, ...], threshold: int) -> dict[str, Any]:
    """Return the protected table of the network-group rows and their ``total`` row (the
    document's ``all`` row), as ``ProtectedTable.to_dict`` writes it."""
    groups = [r for r in rows if r.network_group != "all"]
    total = next(r for r in rows if r.network_group == "all")
    records = [_record(r, r.network_group) for r in groups] + [_record(total, TOTAL)]
    frame = pl.DataFrame(
        records,
        schema={"network_group": pl.String, "n": pl.Int64}
        | {c: pl.Int64 for c in CLASSES}
        | {f"pct_{c}": pl.Float64 for c in CLASSES},
        orient="row",
    )
    protected = protect_table(
        frame,
        list(CLASSES),
        total_column="n",
        total_row=True,
        percent_columns={f"pct_{c}": (c, "n") for c in CLASSES},
        threshold=threshold,
    )
    return protected.to_dict()


def _record(row: ClassCounts, name: str) -> list[Any]:
    return [
        name,
        row.n,
        *[getattr(row, c) for c in CLASSES],
        *[getattr(row, f"pct_{c}") for c in CLASSES],
    ]
