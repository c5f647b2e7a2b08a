"""Markdown tables: the codebook, and the run metadata the Dagster UI shows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def cell(text: object) -> str:
    """Return ``text`` safe inside a markdown table cell (pipes escaped, one line)."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def table_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """Return the lines of a markdown table: header, separator, one line per row."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return lines


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Return a markdown table as one string (see :func:`table_lines`)."""
    return "\n".join(table_lines(header, rows))
