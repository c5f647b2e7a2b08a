"""Jobs: per-project runs, the cross-project run, the per-project report run, and the refresh
of one project.

Dagster runs one partition set per job, so a full materialization is three steps: ``project_job``
for every project partition, ``synthesis_job`` once, ``report_job`` for every project partition
(``pipelines.runner`` does exactly that; the UI's *Materialize all* launches the same as a
backfill). ``refresh_project`` is one run for one project partition: it observes the project's
exports, runs its steps, then the cross-project assets and the project's report
(docs/architecture.md, "Freshness and automation").
"""

import dagster as dg

from pipelines.sources import LANDING_EXPORTS

#: The stages ``project_job`` runs for one project.
PROJECT_GROUPS = ("ingest", "validation", "scoring")

project_job = dg.define_asset_job(
    "project_job",
    selection=dg.AssetSelection.groups(*PROJECT_GROUPS),
    description="Ingest, validate and score one project's exports.",
)

synthesis_job = dg.define_asset_job(
    "synthesis_job",
    selection=dg.AssetSelection.groups("panel", "analysis")
    | dg.AssetSelection.assets("report_tables", "synthesis_report"),
    description="Build the panel, fit the models, protect the report tables and render the "
    "synthesis report from every project's scored responses.",
)

report_job = dg.define_asset_job(
    "report_job",
    selection=dg.AssetSelection.assets("funder_report"),
    description="Render one project's funder report.",
)

refresh_project = dg.define_asset_job(
    "refresh_project",
    selection=dg.AssetSelection.assets(LANDING_EXPORTS).downstream(),
    description="Refresh one project end to end: observe its exports in `landing/<project>/`, "
    "ingest, validate and score them, rebuild the panel, models, report tables and synthesis "
    "report, and render the project's funder report. Launch it with the project as partition; "
    "the other projects' funder reports are then stale until their own refresh or report run.",
)
