"""The periodic re-run: every project's steps, then the synthesis and the reports.

Belongs here: schedules only. The schedule is off by default (a researcher switches it on in
the UI under Automation); it re-materializes everything from what is in ``landing/``, for
projects whose exports change without a new file name or for a fixed reporting rhythm.
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from pipelines.partitions import PROJECTS

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
