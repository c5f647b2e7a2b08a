"""Atomic writes: the target holds the old or the whole new content, never a partial file."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from outcomes import atomic


def test_write_json_is_stable_and_sorted(tmp_path: Path) -> None:
    target = tmp_path / "a" / "model.json"
    atomic.write_json(target, {"b": 1, "a": [1.5, "x"]})
    first = target.read_bytes()
    atomic.write_json(target, {"a": [1.5, "x"], "b": 1})
    assert target.read_bytes() == first
    assert json.loads(first) == {"a": [1.5, "x"], "b": 1}


def test_failed_write_keeps_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")

    def broken(path: Path) -> None:
        path.write_bytes(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic.write_with(target, broken)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_parquet_bytes_identical_for_equal_frames(tmp_path: Path) -> None:
    frame = pl.DataFrame({"participant_id": ["p1", "p2"], "wellbeing": [60.0, 72.5]})
    a = atomic.write_parquet(tmp_path / "a.parquet", frame)
    b = atomic.write_parquet(tmp_path / "b.parquet", frame.clone())
    assert a.read_bytes() == b.read_bytes()
    assert pl.read_parquet(a).equals(frame)
