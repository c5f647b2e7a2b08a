"""Atomic file writes: a reader sees the old file or the whole new one, never a partial file.

Every file the pipeline writes (parquet, JSON, CSV, PDF) goes through these helpers: the content
is written to a temporary file in the same directory, flushed to disk, then renamed over the
target (``os.replace`` is atomic on POSIX within one file system).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it over ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_bytes(target: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically and return the target path."""
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)
    return Path(target)


def write_text(target: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``target`` atomically and return the target path."""
    return write_bytes(target, text.encode(encoding))


def write_json(target: str | os.PathLike[str], data: Any) -> Path:
    """Write ``data`` as indented, key-sorted JSON (stable bytes for equal data)."""
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    return write_text(target, text)


def write_parquet(target: str | os.PathLike[str], frame: pl.DataFrame) -> Path:
    """Write ``frame`` as parquet atomically; equal frames give byte-identical files.

    zstd at level 1: files within a few percent of the default level 3, written about a
    fifth faster (benchmarks/ingest.py).
    """
    with atomic_path(target) as temporary:
        frame.write_parquet(temporary, compression="zstd", compression_level=1, statistics=True)
    return Path(target)


def write_with(target: str | os.PathLike[str], writer: Callable[[Path], None]) -> Path:
    """Call ``writer(temporary_path)`` and move the result over ``target`` atomically."""
    with atomic_path(target) as temporary:
        writer(temporary)
    return Path(target)
