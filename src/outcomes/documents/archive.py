"""The export archive's index, ``archive/index.json`` (``outcomes.ingest.archive``;
docs/architecture.md, "Documents")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from outcomes.documents.codec import Document


@dataclass(frozen=True)
class ArchivedVersion(Document):
    """One version of an export file name: its number (1 for the first delivery), the SHA-256
    of its content, its read-only copy ``<sha256>.<ext>`` in ``archive/``, its size in bytes and
    when it was first seen (ISO 8601, UTC)."""

    version: int
    sha256: str
    #: the key ``file`` (an instance field here, not the class's file name)
    file: str = field()  # type: ignore[misc]
    size: int
    first_seen: str


@dataclass(frozen=True)
class ArchiveIndex(Document):
    """``archive/index.json``: one JSON object mapping ``<project>/<file name>`` to the versions
    of that file, oldest first."""

    file: ClassVar[str] = "archive/index.json"
    root: ClassVar[str] = "exports"

    exports: dict[str, tuple[ArchivedVersion, ...]]
