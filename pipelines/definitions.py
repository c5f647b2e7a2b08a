"""The Dagster code location of Outcomes: loads the stages' definitions and merges them.

Loading it also ends the runs a killed ``outcomes run`` left unfinished, so that the queue of
``dagster dev`` and the daemon does not wait for them (docs/architecture.md, "Runs that never
hang").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

from pipelines.analysis import assets as analysis
from pipelines.ingest import assets as ingest
from pipelines.ingest.sensors import build_landing_sensor
from pipelines.jobs import project_job, refresh_project, report_job, synthesis_job
from pipelines.owners import load_owners, with_owners
from pipelines.panel import assets as panel
from pipelines.reports import assets as reports
from pipelines.resources import default_resources
from pipelines.runs import (
    build_abandoned_runs_sensor,
    end_abandoned_runs_at_load,
    instance_at_load,
)
from pipelines.schedules import (
    build_automation_sensor,
    build_rerun_schedule,
    materialize_all_job,
    stored_trigger_status,
    with_automation,
)
from pipelines.scoring import assets as scoring
from pipelines.sources import landing_exports
from pipelines.validation import assets as validation

if TYPE_CHECKING:
    from dagster._core.scheduler.instigation import InstigatorStatus

STAGES = [ingest, validation, scoring, panel, analysis, reports]

assets = dg.load_assets_from_modules(STAGES)
everything = materialize_all_job()


def _at_load() -> dict[str, InstigatorStatus] | None:
    """End the abandoned runs and return the stored schedule and sensor status, through one
    instance opened as the code location loads (without one: nothing ended, the defaults)."""
    with instance_at_load() as instance:
        end_abandoned_runs_at_load(instance)
        return stored_trigger_status(instance)


defs = with_owners(
    with_automation(
        dg.Definitions(
            assets=[landing_exports, *assets],
            asset_checks=dg.load_asset_checks_from_modules(STAGES),
            jobs=[project_job, synthesis_job, report_job, refresh_project, everything],
            schedules=[
                build_rerun_schedule(everything, assets, [project_job, synthesis_job, report_job])
            ],
            sensors=[
                build_landing_sensor(project_job),
                build_automation_sensor(),
                build_abandoned_runs_sensor(),
            ],
            resources=default_resources(),
            # A step is shorter than starting a Python process for it; the runs of a backfill
            # already run side by side, so each run executes its steps in one process.
            executor=dg.in_process_executor,
        ),
        _at_load(),
    ),
    load_owners(),
)
