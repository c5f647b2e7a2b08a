"""Runs that never hang: a killed ``outcomes run`` leaves no run "Started" that blocks the queue.

The slow tests start ``outcomes run`` on a small workspace, stop it mid-run (SIGTERM, SIGKILL),
and then launch a run the way the UI does: queued, and started by ``dagster-daemon`` under the
repo's dagster.yaml (QueuedRunCoordinator, one run at a time).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.test_utils import create_run_for_test

from pipelines.definitions import defs
from pipelines.runs import (
    HOST_TAG,
    PID_TAG,
    PROCESS_START_TAG,
    WATCH_SENSOR,
    end_abandoned_runs,
    launcher_is_gone,
    launcher_tags,
)

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TEST_KEY = "5f" * 32
PROJECT = "netwerkcoach"


def _dead_pid() -> int:
    """Return the id of a process that has just exited."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_launcher_is_gone_only_when_its_process_on_this_host_no_longer_exists() -> None:
    own = launcher_tags()
    assert own[PID_TAG] == str(os.getpid()) and own[HOST_TAG] == socket.gethostname()
    assert not launcher_is_gone(own)
    assert launcher_is_gone({**own, PID_TAG: str(_dead_pid())})
    # the same pid, but another process than the one that started the run
    if PROCESS_START_TAG in own:
        assert launcher_is_gone({**own, PROCESS_START_TAG: "1"})
    # runs of another machine and runs the UI launched (no launcher tags) are never judged
    assert not launcher_is_gone({**own, PID_TAG: str(_dead_pid()), HOST_TAG: "elsewhere"})
    assert not launcher_is_gone({})


def test_abandoned_runs_are_marked_failed_and_live_or_finished_ones_are_left() -> None:
    dead = {**launcher_tags(), PID_TAG: str(_dead_pid())}
    with dg.instance_for_test() as instance:
        abandoned = create_run_for_test(instance, status=dg.DagsterRunStatus.STARTED, tags=dead)
        queued = create_run_for_test(instance, status=dg.DagsterRunStatus.NOT_STARTED, tags=dead)
        alive = create_run_for_test(
            instance, status=dg.DagsterRunStatus.STARTED, tags=launcher_tags()
        )
        from_ui = create_run_for_test(instance, status=dg.DagsterRunStatus.STARTED)
        done = create_run_for_test(instance, status=dg.DagsterRunStatus.SUCCESS, tags=dead)

        lines = end_abandoned_runs(instance)

        assert len(lines) == 2 and all("no longer exists" in line for line in lines)
        status = {r.run_id: r.status for r in instance.get_runs()}
        assert status[abandoned.run_id] == status[queued.run_id] == dg.DagsterRunStatus.FAILURE
        assert status[alive.run_id] == status[from_ui.run_id] == dg.DagsterRunStatus.STARTED
        assert status[done.run_id] == dg.DagsterRunStatus.SUCCESS
        (failure,) = instance.all_logs(abandoned.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
        assert f"pid {dead[PID_TAG]}" in (failure.message or "")
        assert end_abandoned_runs(instance) == []  # nothing left to end


# ---- a real `outcomes run`, stopped mid-run ------------------------------------------------


def test_the_sensor_ends_abandoned_runs_while_the_daemon_runs() -> None:
    """``abandoned_runs`` is on by default, launches nothing, and ends a run whose process is
    gone at its next tick."""
    sensor = defs.resolve_sensor_def(WATCH_SENSOR)
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.minimum_interval_seconds == 30
    assert not sensor.targets
    with dg.instance_for_test() as instance:
        dead = {**launcher_tags(), PID_TAG: str(_dead_pid())}
        abandoned = create_run_for_test(instance, status=dg.DagsterRunStatus.STARTED, tags=dead)
        live = create_run_for_test(
            instance, status=dg.DagsterRunStatus.STARTED, tags=launcher_tags()
        )
        tick = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        assert tick.run_requests == []
        assert "no longer exists: marked failed" in (tick.skip_message or "")
        status = {r.run_id: r.status for r in instance.get_runs()}
        assert status[abandoned.run_id] == dg.DagsterRunStatus.FAILURE
        assert status[live.run_id] == dg.DagsterRunStatus.STARTED
        quiet = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        assert quiet.skip_message == "no run was left unfinished by its process"


@pytest.fixture
def setup(small_demo: Path, tmp_path: Path) -> dict[str, str]:
    """Return the environment of a one-project workspace with its own instance (repo's yaml)."""
    dagster_home = tmp_path / "dagster"
    dagster_home.mkdir()
    shutil.copyfile(REPO / "dagster.yaml", dagster_home / "dagster.yaml")
    shutil.copytree(small_demo / "landing" / PROJECT, tmp_path / "workspace" / "landing" / PROJECT)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DAGSTER_", "OUTCOMES_")) and k != "PYTEST_XDIST_WORKER"
    }
    env.update(
        DAGSTER_HOME=str(dagster_home),
        OUTCOMES_HOME=str(tmp_path / "workspace"),
        OUTCOMES_PSEUDONYM_KEY=TEST_KEY,
        PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "src")]),
    )
    return env


@contextlib.contextmanager
def instance_of(env: dict[str, str]) -> Iterator[dg.DagsterInstance]:
    """Yield the DagsterInstance in ``env``'s DAGSTER_HOME."""
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        yield instance


def stop_mid_run(env: dict[str, str], signo: signal.Signals) -> subprocess.CompletedProcess[str]:
    """Start ``outcomes run``, send ``signo`` once its first step has written a table, and
    return the finished process (stdout and stderr as text)."""
    warehouse = Path(env["OUTCOMES_HOME"]) / "warehouse"
    process = subprocess.Popen(
        [str(BIN / "outcomes"), "run"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not any(warehouse.rglob("*.parquet")):
            if process.poll() is not None:
                pytest.fail(f"outcomes run ended before it was stopped: {process.communicate()[1]}")
            assert time.monotonic() < deadline, "no table was written within 120 s"
            time.sleep(0.02)
        os.kill(process.pid, signo)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def unfinished(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    return [r for r in instance.get_runs() if not r.is_finished]


@pytest.mark.slow
@pytest.mark.xdist_group("demo")
def test_sigterm_ends_the_run_and_says_so_in_one_line(setup: dict[str, str]) -> None:
    stopped = stop_mid_run(setup, signal.SIGTERM)

    assert stopped.returncode == 130, stopped.stderr
    (line,) = stopped.stderr.strip().splitlines()
    assert line.startswith("interrupted: stopped by SIGTERM; run ")
    assert "(project_job netwerkcoach) marked failed" in line
    with instance_of(setup) as instance:
        assert unfinished(instance) == []
        (run,) = instance.get_runs()
        assert run.status == dg.DagsterRunStatus.FAILURE
        notes = [e.message for e in instance.all_logs(run.run_id)]
        assert any((m or "").startswith("Stopped by SIGTERM") for m in notes)


@pytest.mark.slow
@pytest.mark.xdist_group("demo")
def test_after_a_sigkill_a_queued_run_from_the_daemon_succeeds(
    setup: dict[str, str], tmp_path: Path
) -> None:
    started = time.monotonic()
    killed = stop_mid_run(setup, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL
    with instance_of(setup) as instance:
        (stuck,) = unfinished(instance)  # nothing could report its end
        assert stuck.status == dg.DagsterRunStatus.STARTED

    # the UI's way: the run is queued and the daemon (the repo's code location) starts it
    log = tmp_path / "daemon.log"
    with log.open("wb") as out:
        daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run"],
            cwd=REPO,
            env=setup,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        run_id = str(uuid.uuid4())
        tags = f'{{"dagster/partition": "{PROJECT}"}}'
        launch = ["job", "launch", "-j", "project_job", "--run-id", run_id, "--tags", tags]
        subprocess.run(
            [str(BIN / "dagster"), *launch],
            cwd=REPO,
            env=setup,
            check=True,
            capture_output=True,
            timeout=120,
        )
        deadline = time.monotonic() + 150
        with instance_of(setup) as instance:
            while True:
                run = instance.get_run_by_id(run_id)
                assert run is not None
                if run.is_finished:
                    break
                if time.monotonic() > deadline or daemon.poll() is not None:
                    tail = log.read_text(errors="replace").splitlines()[-20:]
                    pytest.fail(f"the queued run is still {run.status}:\n" + "\n".join(tail))
                time.sleep(0.5)
            assert run.status == dg.DagsterRunStatus.SUCCESS
            ended = instance.get_run_by_id(stuck.run_id)
            assert ended is not None and ended.status == dg.DagsterRunStatus.FAILURE
            (failure,) = instance.all_logs(stuck.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
            assert "no longer exists" in (failure.message or "")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(daemon.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            daemon.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(daemon.pid, signal.SIGKILL)
        daemon.wait()
    print(f"\nkill, queue and run: {time.monotonic() - started:.0f} s")
