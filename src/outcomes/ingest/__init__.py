"""Ingestion: one reader per export format, raw → canonical mapping, archive.

Public entry points: :func:`ingest_project` (all exports of a project in the workspace) and
:func:`ingest_file` / :func:`ingest_files` (no archive — ``outcomes validate``); all return an
:class:`IngestResult`, whose ``warnings`` say what ingest noticed about each file as a whole.
Bad exports raise :class:`ExportError` whose message names the file, and row and column where
there is one; a bad spec raises :class:`SpecError` (both ``outcomes.errors``). Project specs
themselves live in :mod:`outcomes.specs`.
"""

from __future__ import annotations

from outcomes.ingest.project import (
    FileInfo,
    IngestResult,
    export_files,
    ingest_file,
    ingest_files,
    ingest_project,
)
from outcomes.ingest.readers import ExportError, RawExport, read_export
from outcomes.ingest.warning import IngestWarning
from outcomes.specs import ProjectSpec, SpecError, load_spec, load_specs

__all__ = [
    "ExportError",
    "FileInfo",
    "IngestResult",
    "IngestWarning",
    "ProjectSpec",
    "RawExport",
    "SpecError",
    "export_files",
    "ingest_file",
    "ingest_files",
    "ingest_project",
    "load_spec",
    "load_specs",
    "read_export",
]
