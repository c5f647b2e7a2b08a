"""Asset ``scored_responses[project]`` with its blocking ``catalog_schema`` check."""

import dagster as dg

from outcomes import stages
from pipelines.checks import catalog_check_specs
from pipelines.lineage import stage_asset
from pipelines.metadata import materialize_result
from pipelines.partitions import PROJECTS
from pipelines.resources import OutcomesWorkspace, project_specs


@stage_asset(
    stages.score_stage,
    group_name="scoring",
    kinds={"polars", "parquet"},
    partitions_def=PROJECTS,
    check_specs=catalog_check_specs(*stages.score_stage.io.writes),
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
    return materialize_result(record, dg.AssetKey(stages.SCORED))
