"""Ingest a project's exports: archive, read, map, combine — and the check before hand-over.

``ingest_project(spec, workspace, key)`` reads every export in ``landing/<project>/`` that
matches the spec's pattern (a REDCap data dictionary is a codebook, not an export), archives
each on first sight (``outcomes.ingest.archive``), maps it onto the canonical columns and
returns the project's ``responses`` frame with per-file information and a summary.
``ingest_files(paths, spec, key)`` (``ingest_file`` for one) does the same for the given files
without touching any workspace (``outcomes validate``). Problems with a file raise
:class:`ExportError`; one project's bad export never affects another project's run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from outcomes.errors import worded
from outcomes.ingest.archive import archive_export, sha256_of
from outcomes.ingest.canonical import (
    MappedExport,
    combine_exports,
    participants_of,
    to_canonical,
)
from outcomes.ingest.readers import ExportError, RawExport, read_export
from outcomes.ingest.warning import IngestWarning
from outcomes.specs import ProjectSpec
from outcomes.workspace import Workspace

if TYPE_CHECKING:
    from outcomes.instruments.base import Instrument

_DICTIONARY_PATTERNS = ("*DataDictionary*", "*data_dictionary*", "*datadictionary*")


@dataclass
class FileInfo:
    """What ingest learned about one export file."""

    name: str
    sha256: str
    format: str
    rows_read: int
    archived: Path | None = None
    version: int | None = None
    new_version: bool = False
    codebook: dict[str, dict[str, Any]] = field(default_factory=dict)
    mapped: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    identifier_like: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    warnings: list[IngestWarning] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (paths as text)."""
        return {
            "name": self.name,
            "sha256": self.sha256,
            "format": self.format,
            "rows_read": self.rows_read,
            "archived": str(self.archived) if self.archived else None,
            "version": self.version,
            "new_version": self.new_version,
            "codebook": self.codebook,
            "mapped": self.mapped,
            "unmapped": self.unmapped,
            "identifier_like": self.identifier_like,
            "dropped": self.dropped,
            "warnings": [str(w) for w in self.warnings],
            "encoding": self.encoding,
            "delimiter": self.delimiter,
        }


@dataclass
class IngestResult:
    """The canonical ``responses`` of a project (or one file), per-file info and a summary.

    ``participants`` has one row per participant: ``participant_id`` (pseudonym), ``raw_id``
    (the export's own study ID) and ``rows``. It is held in memory only — for the
    near-duplicate check and for ``outcomes validate``, which shows a data manager the IDs of
    their own export — and never written to the workspace (README.md, "Privacy").
    """

    responses: pl.DataFrame
    files: list[FileInfo]
    summary: dict[str, Any]
    participants: pl.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def warnings(self) -> list[IngestWarning]:
        """Return the warnings about every file, file by file (see
        :class:`~outcomes.ingest.warning.IngestWarning`); ``str()`` of each is its English
        text, as in the summary's ``warnings``."""
        return [w for f in self.files for w in f.warnings]


def export_files(spec: ProjectSpec, landing: Path) -> list[Path]:
    """Return the export files of ``spec`` in ``landing`` (sorted by relative name).

    Hidden files and REDCap data dictionaries (the spec's ``data_dictionary`` glob or the
    default ``*DataDictionary*`` names) are not exports.
    """
    if not landing.is_dir():
        return []
    dictionary = (
        (spec.export.data_dictionary,) if spec.export.data_dictionary else _DICTIONARY_PATTERNS
    )
    skip = {p for pattern in dictionary for p in landing.glob(pattern)}
    found = [
        p
        for p in landing.glob(spec.export.pattern)
        if p.is_file()
        and p not in skip
        and not any(part.startswith(".") for part in p.relative_to(landing).parts)
    ]
    return sorted(found, key=lambda p: p.relative_to(landing).as_posix())


def _map_file(
    path: Path,
    name: str,
    sha: str,
    spec: ProjectSpec,
    key: bytes,
    registry: Mapping[str, Instrument] | None,
) -> tuple[RawExport, MappedExport]:
    raw = read_export(path, spec)
    mapped = to_canonical(raw, spec, key, source_file=name, source_sha256=sha, registry=registry)
    return raw, mapped


def _combined(
    spec: ProjectSpec, files: list[FileInfo], mapped_exports: list[MappedExport]
) -> IngestResult:
    """Return the ingest result of the mapped exports of ``files``: one responses frame, the
    files and the summary (participants counted across files)."""
    responses = combine_exports(mapped_exports, spec)
    participants = participants_of(mapped_exports)
    summary = summarise(spec, responses, files, participants.height)
    return IngestResult(responses, files, summary, participants)


def _file_info(name: str, sha: str, raw: RawExport, mapped: MappedExport) -> FileInfo:
    return FileInfo(
        name=name,
        sha256=sha,
        format=raw.format,
        rows_read=raw.rows_read,
        codebook=raw.codebook,
        mapped=mapped.mapped,
        unmapped=mapped.unmapped,
        identifier_like=mapped.identifier_like,
        dropped=mapped.dropped,
        warnings=mapped.warnings,
        encoding=raw.encoding,
        delimiter=raw.delimiter,
    )


def summarise(
    spec: ProjectSpec,
    responses: pl.DataFrame,
    files: list[FileInfo],
    participants: int | None = None,
) -> dict[str, Any]:
    """Return the ingest summary: rows in/out, columns mapped/unmapped, issue counts by rule,
    and the warnings about the files as text.

    ``participants`` is the number of distinct participant IDs when already known (counted
    from ``responses`` otherwise)."""
    rules: Counter[str] = Counter()
    with_issues = responses.filter(pl.col("ingest_issues").list.len() > 0)
    if with_issues.height:
        exploded = with_issues.select(pl.col("ingest_issues").explode().struct.field("rule"))
        rules.update(r for r in exploded.get_column("rule").to_list() if r is not None)
    mapped = sorted({c for f in files for c in f.mapped.values()})
    return {
        "project": spec.id,
        "files": [f.name for f in files],
        "rows_read": sum(f.rows_read for f in files),
        "rows_out": responses.height,
        "participants": participants
        if participants is not None
        else responses.get_column("participant_id").drop_nulls().n_unique(),
        "columns_mapped": mapped,
        "unmapped": {f.name: f.unmapped for f in files if f.unmapped},
        "identifier_like_dropped": {f.name: f.identifier_like for f in files if f.identifier_like},
        "issues": dict(sorted(rules.items())),
        "rows_with_issues": with_issues.height,
        "warnings": [str(w) for f in files for w in f.warnings],
    }


def ingest_project(
    spec: ProjectSpec,
    workspace: Workspace,
    key: bytes,
    *,
    registry: Mapping[str, Instrument] | None = None,
) -> IngestResult:
    """Return the canonical responses of every export in ``landing/<spec.id>/``.

    Each export is archived (``archive/<sha256>.<ext>``, read-only; versions per file name in
    ``archive/index.json``) before it is read. Raises :class:`ExportError` when there is no
    export or one cannot be read as the spec describes.
    """
    landing = workspace.project_landing(spec.id)
    paths = export_files(spec, landing)
    if not paths:
        raise worded(
            ExportError, "error_no_exports_landing", project=spec.id, pattern=spec.export.pattern
        )
    files: list[FileInfo] = []
    mapped_exports: list[MappedExport] = []
    for path in paths:
        name = path.relative_to(landing).as_posix()
        archived = archive_export(path, workspace, spec.id, name=name)
        raw, mapped = _map_file(path, name, archived.sha256, spec, key, registry)
        info = _file_info(name, archived.sha256, raw, mapped)
        info.archived, info.version, info.new_version = (
            archived.path,
            archived.version,
            archived.new,
        )
        files.append(info)
        mapped_exports.append(mapped)
    return _combined(spec, files, mapped_exports)


def ingest_file(
    path: Path | str,
    spec: ProjectSpec,
    key: bytes,
    *,
    registry: Mapping[str, Instrument] | None = None,
) -> IngestResult:
    """Return the canonical responses of one export file as the pipeline would make them,
    without archiving anything (for ``outcomes validate``)."""
    return ingest_files([path], spec, key, registry=registry)


def ingest_files(
    paths: Sequence[Path | str],
    spec: ProjectSpec,
    key: bytes,
    *,
    registry: Mapping[str, Instrument] | None = None,
) -> IngestResult:
    """Return the canonical responses of export files read together, as the pipeline reads a
    project's landing folder, without archiving anything (for ``outcomes validate`` with a
    baseline and its follow-ups). Raises :class:`ExportError` for a missing file or a file
    name given twice (rows are traced by file name)."""
    exports = [Path(path) for path in paths]
    if not exports:
        raise worded(ExportError, "error_no_exports")
    repeated = sorted(name for name, n in Counter(p.name for p in exports).items() if n > 1)
    if repeated:
        raise worded(ExportError, "error_same_file_name", files=", ".join(repeated))
    files: list[FileInfo] = []
    mapped_exports: list[MappedExport] = []
    for path in exports:
        if not path.is_file():
            raise worded(ExportError, "error_file_not_found", file=str(path))
        # hashing releases the GIL, so it overlaps with parsing
        with ThreadPoolExecutor(max_workers=1) as pool:
            hashing = pool.submit(sha256_of, path)
            raw = read_export(path, spec)
            sha = hashing.result()
        mapped = to_canonical(
            raw, spec, key, source_file=path.name, source_sha256=sha, registry=registry
        )
        files.append(_file_info(path.name, sha, raw, mapped))
        mapped_exports.append(mapped)
    return _combined(spec, files, mapped_exports)
