"""The JSON documents the pipeline writes, declared as frozen dataclasses.

One module per document family; each top-level class names its file (``file``) and reads and
writes itself with ``from_json`` / ``to_json`` (:mod:`outcomes.documents.codec`). Writers pass
what they write through :func:`checked`, so a document that does not match its declaration
fails when it is written; readers use the typed documents (docs/architecture.md, "Documents").
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TypeVar

from outcomes.documents.archive import ArchivedVersion, ArchiveIndex
from outcomes.documents.attrition import Attrition
from outcomes.documents.codec import Document, DocumentError, declared_keys
from outcomes.documents.effects import ProjectEffect, ProjectEffects
from outcomes.documents.growth import NetworkGrowth
from outcomes.documents.matthew import InteractionTest, MatthewDocument, MatthewScope, Subgroup
from outcomes.documents.model import Estimate, FittedModel, LeftOut, ModelResult, YearlyChange
from outcomes.documents.pooled import (
    MetaAnalysis,
    PooledDocument,
    PooledResult,
    Study,
    TypeSynthesis,
)
from outcomes.documents.reliable_change import ReliableChangeDocument
from outcomes.documents.report_tables import (
    MatthewGridEntry,
    MatthewSummary,
    ModelSummary,
    OutcomeTables,
    Participation,
    ReportTables,
    ShownEstimate,
    ShownTable,
)
from outcomes.documents.tipping_point import TippingPoint
from outcomes.documents.validation import FileCounts, ValidationSummary

#: Every document the pipeline writes, in the order docs/architecture.md lists them.
DOCUMENTS: tuple[type[Document], ...] = (
    ArchiveIndex,
    ValidationSummary,
    ModelResult,
    ProjectEffects,
    MatthewDocument,
    PooledDocument,
    NetworkGrowth,
    Attrition,
    TippingPoint,
    ReliableChangeDocument,
    ReportTables,
)

#: The documents under ``analysis/`` by file name.
ANALYSIS_DOCUMENTS: dict[str, type[Document]] = {
    Path(kind.file).name: kind for kind in DOCUMENTS if kind.file.startswith("analysis/")
}

D = TypeVar("D", bound=Document)


def checked(kind: type[Document], data: Any) -> dict[str, Any]:
    """Return ``data`` read as a ``kind`` document and written back to plain JSON data; raises
    :class:`DocumentError` naming the document and the key when ``data`` does not match the
    declaration (docs/architecture.md, "Documents")."""
    return kind.from_json(data).to_json()


def read(kind: type[D], path: str | os.PathLike[str]) -> D:
    """Return the ``kind`` document stored at ``path``; raises :class:`DocumentError` naming the
    file and the key when it does not match the declaration."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return kind.from_json(data, where=str(path))


__all__ = [
    "ANALYSIS_DOCUMENTS",
    "DOCUMENTS",
    "ArchiveIndex",
    "ArchivedVersion",
    "Attrition",
    "Document",
    "DocumentError",
    "Estimate",
    "FileCounts",
    "FittedModel",
    "InteractionTest",
    "LeftOut",
    "MatthewDocument",
    "MatthewGridEntry",
    "MatthewScope",
    "MatthewSummary",
    "MetaAnalysis",
    "ModelResult",
    "ModelSummary",
    "NetworkGrowth",
    "OutcomeTables",
    "Participation",
    "PooledDocument",
    "PooledResult",
    "ProjectEffect",
    "ProjectEffects",
    "ReliableChangeDocument",
    "ReportTables",
    "ShownEstimate",
    "ShownTable",
    "Study",
    "Subgroup",
    "TippingPoint",
    "TypeSynthesis",
    "ValidationSummary",
    "YearlyChange",
    "checked",
    "declared_keys",
    "read",
]
