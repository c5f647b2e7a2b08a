"""The export archive: an immutable, content-addressed copy of every export ever ingested.

``archive/<sha256>.<ext>`` holds each distinct file content once, read-only (mode 0444).
``archive/index.json`` maps ``<project>/<file name>`` to its versions in order of first sight
(declared as :class:`outcomes.documents.ArchiveIndex`; docs/architecture.md, "Documents").

Rules:
- ingesting the same file again changes nothing (neither the copy nor the index);
- a changed file under the same name becomes the next version; every version is kept;
- ``responses`` are built from what is in ``landing/`` now, so when a file name has several
  versions only the newest delivery (the one in landing) contributes rows; older versions stay
  in the archive for audit and re-runs;
- files in ``landing/`` are only read, never modified.

The index is updated under an exclusive lock so that projects ingested in parallel do not lose
each other's entries.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from outcomes import documents
from outcomes.atomic import write_json, write_with
from outcomes.documents import ArchivedVersion, ArchiveIndex, checked
from outcomes.workspace import Workspace

INDEX_NAME = "index.json"


@dataclass(frozen=True)
class ArchivedExport:
    """Where one export's content lives in the archive and which version of its name it is."""

    name: str
    sha256: str
    path: Path
    version: int
    new: bool


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    """Return the hex SHA-256 of the file at ``path`` (read in chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def archive_name(sha256: str, source: Path) -> str:
    """Return ``<sha256>.<ext>`` for an export (extension lower-cased, ``dat`` when none)."""
    ext = source.suffix.lower().lstrip(".") or "dat"
    return f"{sha256}.{ext}"


@contextmanager
def _locked(archive: Path) -> Iterator[None]:
    archive.mkdir(parents=True, exist_ok=True)
    with open(archive / ".index.lock", "a+") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)


def read_index(workspace: Workspace) -> ArchiveIndex:
    """Return the archive index ``archive/index.json`` as its typed document (no exports when
    nothing was archived yet); raises :class:`~outcomes.documents.DocumentError` when the file
    does not match its declaration (docs/architecture.md, "Documents")."""
    path = workspace.archive / INDEX_NAME
    if not path.is_file():
        return ArchiveIndex(exports={})
    return documents.read(ArchiveIndex, path)


def archive_export(
    path: Path, workspace: Workspace, project: str, *, name: str | None = None
) -> ArchivedExport:
    """Copy ``path`` into the archive on first sight and return its archive entry.

    ``name`` is the file's name relative to ``landing/<project>/`` (default: its file name).
    The same content under the same name is recognised and changes nothing; new content under
    a known name becomes the next version.
    """
    name = name or path.name
    sha = sha256_of(path)
    target = workspace.archive / archive_name(sha, path)
    key = f"{project}/{name}"
    with _locked(workspace.archive):
        if not target.exists():
            write_with(target, lambda temporary: _copy(path, temporary))
            os.chmod(target, 0o444)
        index = read_index(workspace)
        versions = index.exports.get(key, ())
        for entry in versions:
            if entry.sha256 == sha:
                return ArchivedExport(name, sha, target, entry.version, new=False)
        version = len(versions) + 1
        added = ArchivedVersion(
            version=version,
            sha256=sha,
            file=target.name,
            size=path.stat().st_size,
            first_seen=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        updated = ArchiveIndex(exports={**index.exports, key: (*versions, added)})
        write_json(workspace.archive / INDEX_NAME, checked(ArchiveIndex, updated.to_json()))
    return ArchivedExport(name, sha, target, version, new=True)


def export_versions(workspace: Workspace, project: str, name: str) -> tuple[ArchivedVersion, ...]:
    """Return every archived version of ``landing/<project>/<name>``, oldest first."""
    return read_index(workspace).exports.get(f"{project}/{name}", ())
