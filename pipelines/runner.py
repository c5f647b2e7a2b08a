"""Materialize everything in-process against the local Dagster instance.

Used by ``outcomes run`` and ``outcomes demo``: one run per project partition (ingest, validate,
score), then one run for the cross-project assets (panel, models, reports). Runs land in the
instance under ``DAGSTER_HOME``, so the Dagster UI shows them afterwards. Each run carries the
runner's process id, so that a run this process leaves unfinished (killed) is ended at the next
start, and SIGINT or SIGTERM ends the current run before the runner stops (``pipelines.runs``;
docs/architecture.md, "Runs that never hang").

Which instance: ``OUTCOMES_INSTANCE`` names a profile — ``local`` (the repo's ``dagster.yaml``,
SQLite under ``DAGSTER_HOME``; the default) or ``team`` (``deploy/dagster.team.yaml``, Postgres
with credentials from ``DAGSTER_PG_*``). See docs/deployment.md.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg

from outcomes.errors import ConfigurationError
from outcomes.ingest import export_files
from outcomes.progress import reporting, stderr_reporter
from pipelines.resources import OutcomesWorkspace, PseudonymKey, project_specs
from pipelines.runs import (
    RunInterrupted,
    SignalWatch,
    end_abandoned_runs,
    end_interrupted_runs,
    launcher_tags,
    stop_on_signals,
)

REPO_ROOT = Path(__file__).resolve().parents[1]


#: Instance profiles (``OUTCOMES_INSTANCE``): the dagster.yaml each one copies into DAGSTER_HOME.
INSTANCE_PROFILES = {
    "local": REPO_ROOT / "dagster.yaml",
    "team": REPO_ROOT / "deploy" / "dagster.team.yaml",
}


class InstanceProfileError(ConfigurationError, ValueError):
    """``OUTCOMES_INSTANCE`` names no known profile (the message lists the known ones)."""


def instance_profile_source(profile: str) -> Path:
    """Return the dagster.yaml of instance profile ``profile`` (``local`` or ``team``)."""
    source = INSTANCE_PROFILES.get(profile.strip().lower())
    if source is None:
        raise InstanceProfileError(
            f"OUTCOMES_INSTANCE={profile!r} is not an instance profile; use one of "
            + ", ".join(sorted(INSTANCE_PROFILES))
        )
    return source


def prepare_instance_home() -> Path:
    """Return ``DAGSTER_HOME`` (default ``./.dagster``), holding the instance's dagster.yaml.

    With ``OUTCOMES_INSTANCE`` set, that profile's file is copied in (replacing another
    profile's); without it, the repo's dagster.yaml is copied only when none is there yet, so a
    hand-made dagster.yaml stays in charge.
    """
    home = Path(os.environ.get("DAGSTER_HOME") or REPO_ROOT / ".dagster").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    profile = os.environ.get("OUTCOMES_INSTANCE", "").strip()
    if profile:
        source = instance_profile_source(profile)
        if not config.exists() or config.read_bytes() != source.read_bytes():
            _install(source, config)
    else:
        source = INSTANCE_PROFILES["local"]
        if not config.exists() and source.exists():
            _install(source, config)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def _install(source: Path, config: Path) -> None:
    """Copy ``source`` to ``config`` atomically: a run starting at the same moment in another
    process reads the old file or the new one, never half of it."""
    temporary = config.with_name(f".dagster.yaml.{os.getpid()}.tmp")
    shutil.copyfile(source, temporary)
    os.replace(temporary, config)


@dataclass
class RunSummary:
    """What a full materialization did; ``interrupted`` when SIGINT or SIGTERM stopped it."""

    succeeded: bool
    seconds: float
    failure: str | None = None
    interrupted: bool = False


#: The runner prints its own progress; Dagster's console log would bury it.
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def _describe_failure(result: dg.ExecuteInProcessResult) -> str:
    """Return one line saying why ``result`` failed: a failed check with its figures, or the
    last line of the failed step's error."""
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if getattr(evaluation, "passed", True) is False:
                details = {
                    k: getattr(v, "value", v)
                    for k, v in evaluation.metadata.items()
                    if not isinstance(getattr(v, "value", v), (dict, list))
                }
                figures = ", ".join(f"{k}={v}" for k, v in details.items())
                return (
                    f"check {evaluation.check_name} failed on "
                    f"{evaluation.asset_key.to_user_string()}"
                    + (f" ({figures})" if figures else "")
                )
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data is not None:
            error = event.step_failure_data.error
            while (
                error is not None
                and error.cause is not None
                and "dagster" in error.cls_name.lower()
            ):
                error = error.cause
            message = error.message.strip().splitlines()[0] if error else "unknown error"
            return f"{event.step_key}: {message}"
    return "the run failed"


def materialize_all(
    *,
    home: str | None = None,
    lang: str = "nl",
    engine: str = "auto",
    allow_generate_key: bool = False,
    progress: Callable[[str], None] = print,
) -> RunSummary:
    """Materialize every asset for what is in ``landing/``; return what happened."""
    try:
        prepare_instance_home()
    except InstanceProfileError as error:
        return RunSummary(succeeded=False, seconds=0.0, failure=str(error))
    resources = {
        "outcomes": OutcomesWorkspace(
            home=home or os.environ.get("OUTCOMES_HOME", "workspace"), lang=lang, engine=engine
        ),
        "pseudonym": PseudonymKey(allow_generate=allow_generate_key),
    }
    started = time.perf_counter()
    summary = RunSummary(succeeded=True, seconds=0.0)
    # the steps' progress lines (bootstrap, tipping point) also reach a terminal
    with (
        dg.DagsterInstance.get() as instance,
        stop_on_signals() as signals,
        reporting(stderr_reporter()),
    ):
        try:
            _materialize_delivered(instance, resources, summary, progress, signals)
        except RunInterrupted as interruption:
            ended = end_interrupted_runs(instance, interruption)
            summary.succeeded = False
            summary.interrupted = True
            summary.failure = f"stopped by {interruption.reason}" + (
                f"; {', '.join(ended)} marked failed in the Dagster instance" if ended else ""
            )
    summary.seconds = time.perf_counter() - started
    return summary


def _materialize_delivered(
    instance: dg.DagsterInstance,
    resources: dict[str, Any],
    summary: RunSummary,
    progress: Callable[[str], None],
    signals: SignalWatch,
) -> None:
    """Run every job for the projects with exports in ``landing/``, recording into ``summary``;
    raise :class:`RunInterrupted` when SIGINT or SIGTERM stops a run."""
    # before any run starts: a run a killed runner left "Started" would hold the queue
    for line in end_abandoned_runs(instance):
        progress(f"  ! {line}")
    workspace = resources["outcomes"].workspace()
    delivered = [
        project
        for project, spec in project_specs().items()
        if export_files(spec, workspace.project_landing(project))
    ]
    if not delivered:
        summary.succeeded = False
        summary.failure = f"no exports in {workspace.landing}/<project>/ for any project spec"
        return
    # loading the code location ends abandoned runs too, but only logs them: import it after
    # they were reported above
    from pipelines.definitions import defs

    def run(job_name: str, partition: str | None = None) -> bool:
        job = defs.resolve_job_def(job_name)
        result = job.execute_in_process(
            partition_key=partition,
            instance=instance,
            resources=resources,
            run_config=QUIET,
            tags=launcher_tags(),
            raise_on_error=False,
        )
        _record(result, summary, progress)
        # Dagster ends a run a signal reaches as failed; one that reaches it after the last
        # step is dropped, and the run succeeds: stop before the next run either way
        if _was_interrupted(result):
            raise RunInterrupted(signals.signal_name(), run=result.dagster_run)
        if signals.signal_name() is not None:
            raise RunInterrupted(signals.signal_name())
        if not result.success:
            summary.succeeded = False
            where = f"{partition}: " if partition else ""
            summary.failure = where + _describe_failure(result)
        return result.success

    # one run per project, then the cross-project run, then one report run per project
    _ = (
        all(run("project_job", project) for project in delivered)
        and run("synthesis_job")
        and all(run("report_job", project) for project in delivered)
    )


def _was_interrupted(result: dg.ExecuteInProcessResult) -> bool:
    """Return whether ``result``'s run ended because SIGINT or SIGTERM reached it (Dagster ends
    such a run itself, as failed by an unexpected termination)."""
    for event in result.all_events:
        if event.event_type_value == "PIPELINE_FAILURE":
            reason = getattr(event.event_specific_data, "failure_reason", None)
            return getattr(reason, "value", reason) == "UNEXPECTED_TERMINATION"
    return False


def _record(
    result: dg.ExecuteInProcessResult, summary: RunSummary, progress: Callable[[str], None]
) -> None:
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        key = materialization.asset_key.to_user_string()
        partition = materialization.partition
        metadata = {k: getattr(v, "value", v) for k, v in materialization.metadata.items()}
        rows = metadata.get("dagster/row_count")
        records = metadata.get("problem_records")  # quarantined_responses: one per problem
        where = f"[{partition}]" if partition else ""
        if records is not None:
            count = f"  {records} problem records"
        else:
            count = f"  {rows} rows" if rows is not None else ""
        progress(f"  ✓ {key}{where}{count}")
