"""The Dagster code location of Outcomes: loads the stages' definitions and merges them."""

from __future__ import annotations

import dagster as dg

from pipelines.analysis import assets as analysis
from pipelines.ingest import assets as ingest
from pipelines.ingest.sensors import build_landing_sensor
from pipelines.jobs import project_job, report_job, synthesis_job
from pipelines.panel import assets as panel
from pipelines.reports import assets as reports
from pipelines.resources import default_resources
from pipelines.scoring import assets as scoring
from pipelines.validation import assets as validation

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([ingest, validation, scoring, panel, analysis, reports]),
    asset_checks=dg.load_asset_checks_from_modules([ingest, validation, scoring, panel, analysis, reports]),
    jobs=[project_job, synthesis_job, report_job],
    sensors=[build_landing_sensor(project_job)],
    resources=default_resources(),
)
