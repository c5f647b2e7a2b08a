"""The periodic re-run and the automation conditions that keep the assets fresh.

Belongs here: the schedule, the automation conditions of the assets, the sensor that evaluates
them, and the note on every asset page of what would refresh it. All are off by default (a
researcher switches them on in the UI under Automation). The schedule re-materializes
everything from what is in ``landing/`` for a fixed reporting rhythm; the automation conditions
carry a changed export through its project's steps, the synthesis and the reports
(docs/architecture.md, "Freshness and automation").
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import dagster as dg

# not exported by dagster; tests/pipelines/test_freshness.py pins its use
from dagster._core.scheduler.instigation import InstigatorStatus

from pipelines.jobs import PROJECT_GROUPS
from pipelines.partitions import PROJECTS
from pipelines.sources import LANDING_EXPORTS

#: Every Monday at 06:00, Amsterdam time: results are fresh when the week starts.
CRON = "0 6 * * 1"
TIMEZONE = "Europe/Amsterdam"

#: Dagster's run queue starts higher priorities first, so the project runs finish before the
#: synthesis starts and the synthesis before the project reports (one run at a time).
PRIORITY = {"project": "2", "synthesis": "1", "report": "0"}


def materialize_all_job() -> dg.UnresolvedAssetJobDefinition:
    """Return the job holding every asset. A run of it selects one project's steps, the
    synthesis, or one project's report; the UI's *Materialize all* runs the whole graph as
    a backfill, which orders partitioned and unpartitioned assets by their dependencies."""
    return dg.define_asset_job(
        "materialize_all",
        selection=dg.AssetSelection.all(),
        description="Every asset of the pipeline, for the weekly re-run (one run per project, "
        "the synthesis, one report run per project).",
    )


def build_rerun_schedule(
    job: dg.UnresolvedAssetJobDefinition,
    assets: Sequence[dg.AssetsDefinition],
    stages: Sequence[dg.UnresolvedAssetJobDefinition],
) -> dg.ScheduleDefinition:
    """Return the weekly schedule on ``job`` (stopped by default).

    ``stages`` are the per-project job, the synthesis job and the per-project report job, in
    that order; each tick requests, for each stage, one run per project partition (per-project
    stages) or one run (the synthesis), selecting that stage's assets.
    """
    project_stage, synthesis_stage, report_stage = stages
    selected = {
        stage.name: sorted(stage.selection.resolve(assets), key=lambda k: k.to_user_string())
        for stage in stages
    }

    @dg.schedule(
        name="weekly_rerun",
        cron_schedule=CRON,
        execution_timezone=TIMEZONE,
        job=job,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Re-runs every project's ingest, validation and scoring, then the panel, "
        "models and synthesis, then each project's funder report. Off by default.",
    )
    def weekly_rerun(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        tick = context.scheduled_execution_time.strftime("%Y-%m-%dT%H:%M")
        projects = PROJECTS.get_partition_keys()

        def per_project(stage: dg.UnresolvedAssetJobDefinition, priority: str) -> list:
            return [
                dg.RunRequest(
                    run_key=f"{tick}:{stage.name}:{project}",
                    partition_key=project,
                    asset_selection=selected[stage.name],
                    tags={"dagster/priority": priority, "outcomes/stage": stage.name},
                )
                for project in projects
            ]

        synthesis = dg.RunRequest(
            run_key=f"{tick}:{synthesis_stage.name}",
            asset_selection=selected[synthesis_stage.name],
            tags={"dagster/priority": PRIORITY["synthesis"], "outcomes/stage": "synthesis_job"},
        )
        return [
            *per_project(project_stage, PRIORITY["project"]),
            synthesis,
            *per_project(report_stage, PRIORITY["report"]),
        ]

    return weekly_rerun


#: The automation sensor: it evaluates every asset's automation condition on each tick.
AUTOMATION_SENSOR = "freshness_sensor"

#: How often the automation sensor observes ``landing/`` (when it is on).
OBSERVE_CRON = "*/15 * * * *"


def automation_condition(key: dg.AssetKey, deps: set[dg.AssetKey]) -> dg.AutomationCondition:
    """Return the automation condition of asset ``key`` with dependencies ``deps``.

    ``landing_exports`` is observed every 15 minutes; an asset reading it (ingest) runs when
    the observed data version of its project's exports changed (or when it is missing); every
    other asset runs when a dependency was updated (``AutomationCondition.eager``: not while a
    dependency is missing or in progress).
    """
    if key == LANDING_EXPORTS:
        return dg.AutomationCondition.cron_tick_passed(OBSERVE_CRON, TIMEZONE).with_label(
            "observe landing/ every 15 minutes"
        )
    if LANDING_EXPORTS not in deps:
        return dg.AutomationCondition.eager()
    condition = dg.AutomationCondition
    exports_changed = condition.any_deps_match(condition.data_version_changed())
    return (
        (
            condition.newly_missing() | exports_changed.with_label("exports changed")
        ).since_last_handled()
        & ~condition.any_deps_in_progress()
        & ~condition.in_progress()
    ).with_label("eager on changed exports")


def build_automation_sensor() -> dg.AutomationConditionSensorDefinition:
    """Return the sensor that evaluates the automation conditions of every asset, stopped by
    default."""
    return dg.AutomationConditionSensorDefinition(
        AUTOMATION_SENSOR,
        target=dg.AssetSelection.all() | dg.AssetSelection.assets(LANDING_EXPORTS),
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Keeps the assets fresh: observes `landing/` every 15 minutes, ingests a "
        "project whose exports changed, and carries it through validation, scoring, the "
        "panel, the models, the synthesis and the reports. Off by default.",
    )


#: The schedule and sensors an asset page names.
TRIGGERS = (AUTOMATION_SENSOR, "weekly_rerun", "landing_sensor")


def trigger_defaults(defs: dg.Definitions) -> dict[str, bool]:
    """Return whether each of :data:`TRIGGERS` is on by default, as ``defs`` declares it."""
    declared = {
        **{s.name: s.default_status == dg.DefaultSensorStatus.RUNNING for s in defs.sensors or []},
        **{
            s.name: s.default_status == dg.DefaultScheduleStatus.RUNNING
            for s in defs.schedules or []
            if isinstance(s, dg.ScheduleDefinition)
        },
    }
    return {name: declared[name] for name in TRIGGERS}


def trigger_status(
    stored: Mapping[str, InstigatorStatus], defaults: Mapping[str, bool]
) -> dict[str, bool]:
    """Return whether each trigger of ``defaults`` is on, given the ``stored`` status of the
    instance's schedules and sensors: a switch flipped in the UI is stored as running or
    stopped; without one the trigger keeps its default (Dagster's ``DECLARED_IN_CODE``)."""
    status = {}
    for name, default in defaults.items():
        stored_status = stored.get(name)
        if stored_status in (InstigatorStatus.RUNNING, InstigatorStatus.AUTOMATICALLY_RUNNING):
            status[name] = True
        elif stored_status == InstigatorStatus.STOPPED:
            status[name] = False
        else:
            status[name] = default
    return status


def stored_trigger_status(
    instance: dg.DagsterInstance | None,
) -> dict[str, InstigatorStatus] | None:
    """Return the stored status of every schedule and sensor of ``instance``, read as the code
    location loads (``pipelines.runs.instance_at_load``); None without an instance or when it
    cannot be read (the asset pages then show the defaults only)."""
    if instance is None:
        return None
    try:
        return {state.name: state.status for state in instance.all_instigator_state()}
    except Exception:  # the UI reports an unreachable instance itself
        return None


def refreshed_by(
    key: dg.AssetKey,
    group: str | None,
    defaults: Mapping[str, bool],
    status: Mapping[str, bool] | None = None,
) -> str:
    """Return markdown for asset ``key``'s page: what would refresh it, whether each trigger
    is on by default (``defaults``) and, when ``status`` is known (:func:`trigger_status`),
    whether it was on when the code location loaded (the UI dates this table by that load)."""

    def state(name: str) -> str:
        default = "on" if defaults[name] else "off"
        if status is None:
            return f"{default} by default"
        return f"**{'on' if status[name] else 'off'}** ({default} by default)"

    rows = [
        f"| `{AUTOMATION_SENSOR}` (sensor) | {state(AUTOMATION_SENSOR)} | "
        + (
            "observes `landing/` every 15 minutes"
            if key == LANDING_EXPORTS
            else "runs this asset when what it reads was updated"
        )
        + " |"
    ]
    if key != LANDING_EXPORTS:
        rows.append(
            f"| `weekly_rerun` (schedule) | {state('weekly_rerun')} | re-runs it Mondays 06:00 "
            f"{TIMEZONE} |"
        )
    if group in PROJECT_GROUPS and key != LANDING_EXPORTS:
        rows.append(
            f"| `landing_sensor` (sensor) | {state('landing_sensor')} | runs `project_job` for "
            "a project when one of its exports is new or changed |"
        )
    rows.append(
        "| `refresh_project` (job) | launch by hand | refreshes one project from its exports "
        "to its report and the synthesis |"
    )
    header = "Status" if status is None else "Status at load"
    return f"| Refreshed by | {header} | What it does |\n|---|---|---|\n" + "\n".join(rows)


def with_automation(
    defs: dg.Definitions, stored: Mapping[str, InstigatorStatus] | None = None
) -> dg.Definitions:
    """Return ``defs`` with every asset's :func:`automation_condition` and, in its metadata
    (``refreshed_by``), what would refresh it and whether that is on (:func:`refreshed_by`;
    ``stored``: the instance's schedule and sensor status, :func:`stored_trigger_status`)."""
    defaults = trigger_defaults(defs)
    status = trigger_status(stored, defaults) if stored is not None else None

    def apply(spec: dg.AssetSpec) -> dg.AssetSpec:
        deps = {dep.asset_key for dep in spec.deps}
        note = refreshed_by(spec.key, spec.group_name, defaults, status)
        return spec.replace_attributes(
            automation_condition=automation_condition(spec.key, deps)
        ).merge_attributes(metadata={"refreshed_by": dg.MetadataValue.md(note)})

    with warnings.catch_warnings():
        # map_asset_specs is marked preview in Dagster 1.13; tests pin its behaviour here.
        warnings.simplefilter("ignore", category=dg.PreviewWarning)
        return defs.map_asset_specs(func=apply)
