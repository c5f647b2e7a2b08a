"""Jobs: per-project runs, the cross-project run, and the per-project report run.

Dagster runs one partition set per job, so a full materialization is three steps: ``project_job``
for every project partition, ``synthesis_job`` once, ``report_job`` for every project partition
(``pipelines.runner`` does exactly that; the UI's *Materialize all* launches the same as a
backfill).
"""

import dagster as dg

project_job = dg.define_asset_job(
    "project_job",
    selection=dg.AssetSelection.groups("ingest", "validation", "scoring"),
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
