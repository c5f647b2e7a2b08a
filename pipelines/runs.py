"""Runs that never hang: who launched a run, ending runs whose process is gone, stopping on signals.

The Dagster instance keeps a run "Started" until the process running it reports its end. A
process that was killed never does, and the local instance's queue (one run at a time,
``dagster.yaml``) then waits for that run forever. So ``outcomes run`` tags each run it starts
with its process id and host (:func:`launcher_tags`); at every start — ``outcomes run``,
``./dev ui`` and each load of the code location — a run of this host whose process no longer
exists is reported failed with a message that says so (:func:`end_abandoned_runs`); and
SIGINT or SIGTERM ends the runner's own run before the process exits (:func:`stop_on_signals`,
:func:`end_own_runs`). Runs the UI launches are watched by Dagster's run monitoring instead
(the daemon; ``run_monitoring`` in ``dagster.yaml``), and while the daemon runs, the sensor
``abandoned_runs`` ends abandoned runs every 30 s (:func:`build_abandoned_runs_sensor`). See
docs/architecture.md, "Runs that never hang".
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import dagster as dg

#: Run tags that name the process that started a run in-process (``outcomes run``).
PID_TAG = "outcomes/pid"
HOST_TAG = "outcomes/host"
#: When that process started (``/proc/<pid>/stat``), so that a reused process id is not
#: mistaken for the launcher.
PROCESS_START_TAG = "outcomes/process_start"

#: Dagster's per-run limit of run monitoring; "0" exempts a run, whose liveness is judged by
#: its process id instead (a run monitor cannot stop an in-process run, only mark it).
MAX_RUNTIME_TAG = "dagster/max_runtime"

#: Statuses of a run that has not ended: the queue counts these against its limit.
UNFINISHED = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]

logger = logging.getLogger(__name__)


def _process_start(pid: int) -> str | None:
    """Return the start time of process ``pid`` in clock ticks since boot (``/proc/<pid>/stat``,
    field 22), or None where ``/proc`` does not tell."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may hold spaces and parentheses: fields 3… follow the last ")"
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def launcher_tags() -> dict[str, str]:
    """Return the run tags that name this process as a run's launcher (pid, host, start time)
    and exempt the run from run monitoring's maximum runtime (docs/architecture.md, "Runs that
    never hang")."""
    pid = os.getpid()
    tags = {PID_TAG: str(pid), HOST_TAG: socket.gethostname(), MAX_RUNTIME_TAG: "0"}
    started = _process_start(pid)
    if started is not None:
        tags[PROCESS_START_TAG] = started
    return tags


def launcher_is_gone(tags: Mapping[str, str]) -> bool:
    """Return whether the run with ``tags`` was started by a process of this host that no longer
    exists. Runs without launcher tags (the UI's) and runs of other hosts are never judged gone.
    """
    if tags.get(HOST_TAG) != socket.gethostname():
        return False
    try:
        pid = int(tags[PID_TAG])
    except (KeyError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # exists, owned by someone else
    recorded = tags.get(PROCESS_START_TAG)
    current = _process_start(pid)
    return recorded is not None and current is not None and current != recorded


def describe_run(run: dg.DagsterRun) -> str:
    """Return how a run is named in messages: short id, job and partition."""
    partition = run.tags.get("dagster/partition")
    return f"run {run.run_id[:8]} ({run.job_name}" + (f" {partition})" if partition else ")")


def end_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Report every unfinished run whose launching process is gone as failed; return one line
    per run ended (docs/architecture.md, "Runs that never hang")."""
    ended = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=UNFINISHED)):
        if not launcher_is_gone(run.tags):
            continue
        current = instance.get_run_by_id(run.run_id)
        if current is None or current.status not in UNFINISHED:
            continue  # another process ended it meanwhile
        message = (
            f"The process that ran this run (pid {run.tags[PID_TAG]} on "
            f"{run.tags[HOST_TAG]}) no longer exists: it was killed or its machine stopped. "
            "Marked failed so that the queue can start new runs; materialize again to finish."
        )
        instance.report_run_failed(current, message)
        ended.append(
            f"{describe_run(run)} was left unfinished by pid {run.tags[PID_TAG]}, which no "
            "longer exists: marked failed"
        )
    return ended


def end_own_runs(instance: dg.DagsterInstance, reason: str) -> list[str]:
    """Report this process's unfinished runs as failed because of ``reason``; return how each
    run is named (:func:`describe_run`)."""
    own = launcher_tags()
    ended = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=UNFINISHED)):
        if run.tags.get(PID_TAG) != own[PID_TAG] or run.tags.get(HOST_TAG) != own[HOST_TAG]:
            continue
        instance.report_run_failed(run, f"Stopped by {reason} before it finished.")
        ended.append(describe_run(run))
    return ended


@contextmanager
def instance_at_load() -> Iterator[dg.DagsterInstance | None]:
    """Yield the instance in ``DAGSTER_HOME`` for the work done as the code location loads
    (``dagster dev``, the daemon, a code server), opened once; None without ``DAGSTER_HOME``
    or when it cannot be opened (logged: a load must not fail over this)."""
    if not os.environ.get("DAGSTER_HOME"):
        yield None
        return
    try:
        instance = dg.DagsterInstance.get()
    except Exception as error:  # the instance is unreachable: the UI will say so itself
        logger.warning("could not open the Dagster instance: %s", error)
        yield None
        return
    with instance:
        yield instance


def end_abandoned_runs_at_load(instance: dg.DagsterInstance | None) -> None:
    """End abandoned runs of ``instance`` (:func:`instance_at_load`) when the code location
    loads, logging each; never raise, since a load must not fail over this."""
    if instance is None:
        return
    try:
        for line in end_abandoned_runs(instance):
            logger.warning(line)
    except Exception as error:  # the instance is unreachable: the UI will say so itself
        logger.warning("could not check for runs left unfinished: %s", error)


class RunInterrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM reached the runner: ``signal_name`` says which, when known; ``run`` is
    the run Dagster ended for it, if any."""

    def __init__(self, signal_name: str | None = None, run: dg.DagsterRun | None = None) -> None:
        super().__init__(signal_name or "an interrupt")
        self.signal_name = signal_name
        self.run = run

    @property
    def reason(self) -> str:
        """Return the cause in words: the signal's name, when known."""
        return self.signal_name or "an interrupt (Ctrl-C or SIGTERM)"


def end_interrupted_runs(instance: dg.DagsterInstance, interruption: RunInterrupted) -> list[str]:
    """Record why the runner stopped: a note on the run Dagster ended, and this process's other
    unfinished runs reported failed; return how each run is named (:func:`describe_run`)."""
    ended = []
    if interruption.run is not None:
        instance.report_engine_event(
            f"Stopped by {interruption.reason}: the process running it was interrupted.",
            interruption.run,
        )
        ended.append(describe_run(interruption.run))
    return ended + end_own_runs(instance, interruption.reason)


class SignalWatch:
    """Which of SIGINT and SIGTERM last reached this process, whoever handled it.

    Python writes the number of every signal it handles to the wakeup file descriptor, so the
    runner learns the signal even while Dagster's own handler had it (during a run).
    """

    def __init__(self, read_end: int | None = None) -> None:
        self.read_end = read_end
        self.last: str | None = None

    def signal_name(self) -> str | None:
        """Return the name of the last SIGINT or SIGTERM received so far, or None."""
        if self.read_end is not None:
            with contextlib.suppress(BlockingIOError):
                for number in os.read(self.read_end, 512):
                    if number in (signal.SIGINT, signal.SIGTERM):
                        self.last = signal.Signals(number).name
        return self.last


@contextmanager
def stop_on_signals() -> Iterator[SignalWatch]:
    """Turn SIGINT and SIGTERM into :class:`RunInterrupted` inside the block (main thread only)
    and yield a :class:`SignalWatch`; a second signal while the first is handled is ignored.
    Dagster takes the signals over while a run executes and ends that run itself as failed."""
    if threading.current_thread() is not threading.main_thread():
        yield SignalWatch()
        return
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    os.set_blocking(write_end, False)
    watch = SignalWatch(read_end)

    def interrupt(signo: int, frame: FrameType | None) -> None:
        if watch.last is not None:
            return
        watch.last = signal.Signals(signo).name
        raise RunInterrupted(watch.last)

    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    previous_fd = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    for s in previous:
        signal.signal(s, interrupt)
    try:
        yield watch
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        signal.set_wakeup_fd(previous_fd)
        os.close(read_end)
        os.close(write_end)


#: The sensor that ends abandoned runs while the daemon runs, and how often it looks.
WATCH_SENSOR = "abandoned_runs"
WATCH_SECONDS = 30


def build_abandoned_runs_sensor() -> dg.SensorDefinition:
    """Return the sensor, running by default, that ends abandoned runs every
    :data:`WATCH_SECONDS` s while the daemon runs (``dagster dev``, ``./dev ui``), so that a
    run killed while the UI is open blocks the queue for at most that long; it launches
    nothing (docs/architecture.md, "Runs that never hang")."""

    @dg.sensor(
        name=WATCH_SENSOR,
        minimum_interval_seconds=WATCH_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            "Marks failed every unfinished run whose process (an `outcomes run` on this "
            "machine) no longer exists, so that the run queue goes on. Launches no runs."
        ),
    )
    def abandoned_runs(context: dg.SensorEvaluationContext) -> dg.SkipReason:
        ended = end_abandoned_runs(context.instance)
        for line in ended:
            context.log.warning(line)
        return dg.SkipReason("; ".join(ended) or "no run was left unfinished by its process")

    return abandoned_runs


def main() -> int:
    """End the abandoned runs of the instance in ``DAGSTER_HOME``, printing each; return 0.

    ``./dev ui`` runs this before it starts ``dagster dev``.
    """
    with dg.DagsterInstance.get() as instance:
        for line in end_abandoned_runs(instance):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
