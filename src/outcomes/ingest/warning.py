"""Warnings about an export file as a whole, as ingest found them.

A warning changes no row (a row's own problems are its ``ingest_issues``) but tells the data
manager something to look at: a column that looks like a direct identifier and was dropped, a
file name that gives no wave, instrument items no column is mapped to, an encoding the spec got
wrong. Ingest words warnings in English; ``outcomes validate`` prints them in the user's
language where ``outcomes.validation.messages`` words their ``kind`` (docs/architecture.md,
"Ingest and errors").
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IngestWarning:
    """One warning about one export file.

    ``text`` is the English sentence, starting with the file name; ``kind`` names the message
    that words it in other languages (None: English only); ``fields`` holds the values that
    message fills in besides ``file``.
    """

    file: str
    text: str
    kind: str | None = None
    fields: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        """Return the English sentence."""
        return self.text
