"""The team profile on a real PostgreSQL server: the demo pipeline, its run history, and two
projects materialized at the same time by two processes.

The server is Debian's ``postgresql`` package, started on 127.0.0.1 for the session
(``postgres_server`` in conftest.py) and stopped afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("postgres")]

REPO = Path(__file__).resolve().parents[2]
RUN_PARTITION = Path(__file__).resolve().parent / "run_partition.py"
#: The two projects the concurrency test materializes at once (the two largest demo exports).
CONCURRENT = ("netwerkcoach", "tijdvoorelkaar")


@dataclass
class PostgresRun:
    setup: Any
    seconds: float
    files: dict[str, str]


@pytest.fixture(scope="module")
def postgres_run(
    postgres_server: Any,
    demo_landing: Path,
    sqlite_reference: Any,
    support: ModuleType,
    tmp_path_factory: pytest.TempPathFactory,
) -> PostgresRun:
    """Materialize the demo on the team profile (after the SQLite reference, same process)."""
    setup = support.new_setup(
        tmp_path_factory.mktemp("postgres-run"), demo_landing, "team", postgres_server.environment()
    )
    started = time.perf_counter()
    summary = setup.materialize()
    seconds = time.perf_counter() - started
    assert summary.succeeded, f"run on the team profile failed: {summary.failure}"
    return PostgresRun(setup, seconds, support.snapshot(setup.workspace))


def _assets() -> tuple[list[Any], list[Any]]:
    """Return the partitioned and the unpartitioned keys of the code location's materializable
    assets (the observed exports, ``landing_exports``, are observed, never materialized)."""
    from pipelines.definitions import defs

    materializable = defs.resolve_asset_graph().materializable_asset_keys
    specs = [s for s in defs.resolve_all_asset_specs() if s.key in materializable]
    return (
        [s.key for s in specs if s.partitions_def is not None],
        [s.key for s in specs if s.partitions_def is None],
    )


def test_demo_run_on_postgres_is_recorded_in_dagster(
    postgres_run: PostgresRun, sqlite_reference: Any, demo_landing: Path, support: ModuleType
) -> None:
    import dagster as dg

    projects = sorted(p.name for p in demo_landing.iterdir() if p.is_dir())
    assert len(projects) == 5
    # the instance changes where Dagster keeps its records, never what the pipeline writes
    compared = support.assert_same_outputs(
        postgres_run.setup.workspace, sqlite_reference.setup.workspace
    )
    assert any(name.endswith(".pdf") for name in compared["identical"]), "no PDFs compared"

    partitioned, unpartitioned = _assets()
    setup = postgres_run.setup
    with setup.activated(), setup.instance() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        records = instance.get_run_records()
        statuses = Counter(r.dagster_run.status for r in records)
        assert statuses == {dg.DagsterRunStatus.SUCCESS: 2 * len(projects) + 1}
        jobs = Counter(r.dagster_run.job_name for r in records)
        assert jobs == {
            "project_job": len(projects),
            "report_job": len(projects),
            "synthesis_job": 1,
        }
        run_partitions = sorted(
            r.dagster_run.tags.get("dagster/partition")
            for r in records
            if r.dagster_run.job_name == "project_job"
        )
        assert run_partitions == projects
        for key in partitioned:
            assert instance.get_materialized_partitions(key) == set(projects), key
            events = instance.fetch_materializations(key, limit=100).records
            assert len(events) == len(projects), key
        for key in unpartitioned:
            assert instance.get_latest_materialization_event(key) is not None, key
        durations = {
            f"{r.dagster_run.job_name}[{r.dagster_run.tags.get('dagster/partition', '')}]": round(
                (r.end_time or 0) - (r.start_time or 0), 2
            )
            for r in records
        }

    warm = sqlite_reference.warm_seconds
    support.record_figures(
        "demo_run",
        {
            "participants": support.PARTICIPANTS,
            "sqlite_first_run_seconds": round(sqlite_reference.seconds, 1),
            "sqlite_warm_run_seconds": warm and round(warm, 1),
            "postgres_seconds": round(postgres_run.seconds, 1),
            "postgres_over_sqlite": round(
                postgres_run.seconds / (warm or sqlite_reference.seconds), 2
            ),
            "files_byte_identical_to_sqlite_run": len(compared["identical"]),
            "files_differing_only_in_fit_timings": compared["timings"],
            "postgres_run_seconds": durations,
        },
    )


def _start(setup: Any, project: str, folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            str(RUN_PARTITION),
            "project_job",
            project,
            "--ready",
            str(folder / f"{project}.ready"),
            "--go",
            str(folder / "go"),
        ],
        env=setup.process_environment(),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_projects_materialized_at_once_both_succeed(
    postgres_run: PostgresRun, support: ModuleType, tmp_path: Path
) -> None:
    import dagster as dg

    setup = postgres_run.setup
    processes = {project: _start(setup, project, tmp_path) for project in CONCURRENT}
    try:
        deadline = time.monotonic() + 240
        while not all((tmp_path / f"{p}.ready").exists() for p in CONCURRENT):
            for project, process in processes.items():
                if process.poll() is not None:
                    pytest.fail(f"{project} run ended before it started: {process.stderr.read()}")
            assert time.monotonic() < deadline, "the run processes did not get ready in time"
            time.sleep(0.1)
        (tmp_path / "go").touch()
        results = {}
        for project, process in processes.items():
            out, err = process.communicate(timeout=240)
            assert process.returncode == 0, f"{project}: {err[-3000:]}"
            results[project] = json.loads(out.strip().splitlines()[-1])
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()

    assert all(r["success"] and r["run_storage"] == "PostgresRunStorage" for r in results.values())
    overlap = min(r["finished"] for r in results.values()) - max(
        r["started"] for r in results.values()
    )
    assert overlap > 0, f"the two runs did not run at the same time: {results}"
    # correct outputs: the second materialization rewrote both projects' files byte for byte
    # and left everything else alone (re-ingesting unchanged exports archives nothing new)
    after = support.snapshot(setup.workspace)
    assert sorted(after) == sorted(postgres_run.files)
    rewritten = [p for p in after if any(p.endswith(f"/{c}.parquet") for c in CONCURRENT)]
    assert len(rewritten) == 2 * 5  # five per-project tables for each of the two projects
    changed = [p for p in after if after[p] != postgres_run.files[p]]
    assert changed == []

    with setup.activated(), setup.instance() as instance:
        records = {
            r.dagster_run.run_id: r
            for r in instance.get_run_records(
                dg.RunsFilter(run_ids=[r["run_id"] for r in results.values()])
            )
        }
        assert all(r.dagster_run.status == dg.DagsterRunStatus.SUCCESS for r in records.values())
        windows = [(r.start_time or 0, r.end_time or 0) for r in records.values()]
        assert max(s for s, _ in windows) < min(e for _, e in windows), "runs did not overlap"
        sequential = {
            r.dagster_run.tags["dagster/partition"]: (r.end_time or 0) - (r.start_time or 0)
            for r in instance.get_run_records(
                dg.RunsFilter(job_name="project_job", tags={"dagster/partition": list(CONCURRENT)})
            )
            if r.dagster_run.run_id not in records
        }

    wall = max(r["finished"] for r in results.values()) - min(
        r["started"] for r in results.values()
    )
    support.record_figures(
        "concurrency",
        {
            "projects": list(CONCURRENT),
            "concurrent_seconds": {
                p: round(r["finished"] - r["started"], 2) for p, r in results.items()
            },
            "concurrent_wall_seconds": round(wall, 2),
            "overlap_seconds": round(overlap, 2),
            "same_runs_sequential_seconds": {p: round(s, 2) for p, s in sequential.items()},
            "sequential_sum_seconds": round(sum(sequential.values()), 2),
        },
    )
