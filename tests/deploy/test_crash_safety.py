"""Crash safety and idempotence: a run killed with SIGKILL mid-materialization leaves no partial
file, a rerun gives outputs byte-identical to an uninterrupted run, and materializing twice
changes nothing (re-ingesting an unchanged export adds no archive version).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("postgres")]

OUTCOMES = Path(sys.executable).parent / "outcomes"


class Reader(threading.Thread):
    """Reads every output file of a workspace over and over while a run writes them, and
    records any file that is not whole under its final name."""

    def __init__(self, workspace: Path, support: ModuleType) -> None:
        super().__init__(daemon=True)
        self.workspace = workspace
        self.support = support
        self.halt = threading.Event()
        self.reads = 0
        self.errors: list[str] = []

    def run(self) -> None:
        while not self.halt.is_set():
            for path in self.support.outputs(self.workspace):
                try:
                    self.support.check_complete(path)
                    self.reads += 1
                except FileNotFoundError:
                    continue
                except Exception as error:
                    self.errors.append(f"{path.relative_to(self.workspace)}: {error!r}")
            self.halt.wait(0.1)

    def stop(self) -> Reader:
        self.halt.set()
        self.join(timeout=30)
        return self


def test_sigkill_mid_run_then_rerun_gives_the_uninterrupted_outputs(
    sqlite_reference: Any,
    demo_landing: Path,
    support: ModuleType,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    import dagster as dg

    setup = support.new_setup(tmp_path_factory.mktemp("killed"), demo_landing, "local")
    workspace = setup.workspace
    reader = Reader(workspace, support)
    reader.start()
    process = subprocess.Popen(
        [str(OUTCOMES), "run", "--home", str(workspace)],
        env=setup.process_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while not [p for p in (workspace / "warehouse").rglob("*.parquet") if p.is_file()]:
            if process.poll() is not None:
                pytest.fail(f"the run ended before it could be killed: {process.stderr.read()!r}")
            assert time.monotonic() < deadline, "no warehouse file appeared in time"
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == -signal.SIGKILL
    reader.stop()

    # after the kill: whatever exists under a final name is whole; the run was cut short
    after_kill = support.outputs(workspace)
    for path in after_kill:
        support.check_complete(path)
    assert not list((workspace / "reports").glob("*.pdf")), "the run was not interrupted"
    leftovers = [p for p in workspace.rglob("*") if support.is_temporary(p)]
    with setup.activated(), setup.instance() as instance:
        (killed,) = instance.get_run_records()
        assert killed.dagster_run.status == dg.DagsterRunStatus.STARTED  # died, never finished

    # the rerun completes and reproduces the uninterrupted run byte for byte
    rereader = Reader(workspace, support)
    rereader.start()
    summary = setup.materialize()
    rereader.stop()
    assert summary.succeeded, summary.failure
    compared = support.assert_same_outputs(workspace, sqlite_reference.setup.workspace)
    assert any(name.endswith(".pdf") for name in compared["identical"]), "no PDFs compared"
    assert reader.errors == [] and rereader.errors == [], reader.errors + rereader.errors
    assert reader.reads + rereader.reads > 0
    support.record_figures(
        "kill_and_rerun",
        {
            "killed_after_files": len(after_kill),
            "temporary_files_left_by_the_kill": len(leftovers),
            "files_byte_identical_to_uninterrupted_run": len(compared["identical"]),
            "files_differing_only_in_fit_timings": compared["timings"],
            "files_differing_only_in_workspace_path_or_dates": compared["workspace_specific"],
            "concurrent_reads_all_whole": reader.reads + rereader.reads,
            "rerun_seconds": round(summary.seconds, 1),
        },
    )


def test_materializing_twice_gives_identical_files_and_no_new_archive_version(
    sqlite_reference: Any, support: ModuleType, tmp_path: Path
) -> None:
    import polars as pl

    setup = sqlite_reference.setup
    workspace = setup.workspace
    first = tmp_path / "first"
    shutil.copytree(workspace, first, symlinks=True)
    archived = sorted(p.name for p in (workspace / "archive").iterdir())

    summary = setup.materialize()
    assert summary.succeeded, summary.failure
    sqlite_reference.warm_seconds = summary.seconds
    compared = support.assert_same_outputs(workspace, first)
    identical = compared["identical"]
    # the same workspace: even the archive index is byte-identical; warehouse.duckdb holds only
    # views over the parquet files and DuckDB never writes the same bytes twice (views compared)
    assert compared["workspace_specific"] in ([], ["warehouse/warehouse.duckdb"])
    assert "archive/index.json" in identical
    for kind in ("warehouse/", "validation/", "quarantine/", "reports/tables/"):
        assert any(name.startswith(kind) for name in identical), f"nothing in {kind} compared"
    assert sum(name.endswith(".pdf") for name in identical) == 6, "PDFs not all identical"
    assert sum(name.endswith(".parquet") for name in identical) >= 5 * 5 + 2

    # re-ingesting the unchanged exports: no new archive file, no new version
    assert sorted(p.name for p in (workspace / "archive").iterdir()) == archived
    index = json.loads((workspace / "archive" / "index.json").read_text())
    assert index and all(len(versions) == 1 for versions in index.values())
    inventory = pl.concat(
        [pl.read_parquet(p) for p in (workspace / "warehouse" / "raw_responses").glob("*.parquet")]
    )
    assert inventory["version"].to_list() == [1] * inventory.height
    support.record_figures(
        "idempotence",
        {
            "second_sqlite_run_seconds": round(summary.seconds, 1),
            "files_byte_identical": len(identical),
            "files_differing_only_in_fit_timings": compared["timings"],
            "files_compared_by_content": compared["workspace_specific"],
            "archive_versions": sum(len(v) for v in index.values()),
        },
    )
