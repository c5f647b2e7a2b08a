"""Asset ``scored_responses[project]``."""

import dagster as dg

from outcomes import stages
from pipelines.lineage import stage_asset
from pipelines.metadata import to_metadata
from pipelines.partitions import PROJECTS
from pipelines.resources import OutcomesWorkspace, project_specs


@stage_asset(
    stages.score_stage,
    group_name="scoring",
    kinds={"polars", "parquet"},
    partitions_def=PROJECTS,
    description=(
        "The instrument scores of every valid questionnaire, computed by each instrument's "
        "published scoring rules (MHI-5, De Jong Gierveld loneliness, SWEMWBS, LSNS-6, the "
        "network map, the quality-of-life grade), and `wellbeing`: the project's primary "
        "wellbeing measure on a 0–100 scale, so projects can be compared."
    ),
)
def scored_responses(
    context: dg.AssetExecutionContext, outcomes: OutcomesWorkspace
) -> dg.MaterializeResult:
    spec = project_specs()[context.partition_key]
    record = stages.score_stage(outcomes.workspace(), spec)
    return dg.MaterializeResult(metadata=to_metadata(record))
