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
from collections.abc import Sequence

import dagster as dg

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


def refreshed_by(key: dg.AssetKey, group: str | None) -> str:
    """Return markdown for asset ``key``'s page: what would refresh it and whether that is on
    by default (every trigger here is off until switched on under *Automation*)."""
    rows = [
        f"| `{AUTOMATION_SENSOR}` (sensor) | off by default | "
        + (
            "observes `landing/` every 15 minutes"
            if key == LANDING_EXPORTS
            else "runs this asset when what it reads was updated"
        )
        + " |"
    ]
    if key != LANDING_EXPORTS:
        rows.append(
            f"| `weekly_rerun` (schedule) | off by default | re-runs it Mondays 06:00 {TIMEZONE} |"
        )
    if group in PROJECT_GROUPS and key != LANDING_EXPORTS:
        rows.append(
            "| `landing_sensor` (sensor) | off by default | runs `project_job` for a project "
            "when one of its exports is new or changed |"
        )
    rows.append(
        "| `refresh_project` (job) | launch by hand | refreshes one project from its exports "
        "to its report and the synthesis |"
    )
    return "| Refreshed by | Default status | What it does |\n|---|---|---|\n" + "\n".join(rows)


def with_automation(defs: dg.Definitions) -> dg.Definitions:
    """Return ``defs`` with every asset's :func:`automation_condition` and, in its metadata
    (``refreshed_by``), what would refresh it (:func:`refreshed_by`)."""

    def apply(spec: dg.AssetSpec) -> dg.AssetSpec:
        deps = {dep.asset_key for dep in spec.deps}
        return spec.replace_attributes(
            automation_condition=automation_condition(spec.key, deps)
        ).merge_attributes(
            metadata={"refreshed_by": dg.MetadataValue.md(refreshed_by(spec.key, spec.group_name))}
        )

    with warnings.catch_warnings():
        # map_asset_specs is marked preview in Dagster 1.13; tests pin its behaviour here.
        warnings.simplefilter("ignore", category=dg.PreviewWarning)
        return defs.map_asset_specs(func=apply)
