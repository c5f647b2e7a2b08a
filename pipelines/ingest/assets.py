"""Assets ``raw_responses[project]`` and ``responses[project]``, each with its blocking
``catalog_schema`` check."""

from collections.abc import Iterator

import dagster as dg

from outcomes import stages
from pipelines.checks import catalog_check_specs
from pipelines.lineage import reports_progress, stage_spec
from pipelines.metadata import materialize_result
from pipelines.partitions import PROJECTS
from pipelines.resources import OutcomesWorkspace, PseudonymKey, project_specs

GROUP = "ingest"


@dg.multi_asset(
    specs=[
        stage_spec(
            stages.ingest_stage,
            stages.RAW_RESPONSES,
            group_name=GROUP,
            kinds={"polars", "parquet"},
            description=(
                "The export files a project delivered in `landing/<project>/`, each version "
                "copied read-only into `archive/`: one row per file version with its SHA-256 "
                "and the rows read. The raw rows hold names and e-mail addresses, so they never "
                "enter the warehouse."
            ),
        ),
        stage_spec(
            stages.ingest_stage,
            stages.RESPONSES,
            group_name=GROUP,
            kinds={"polars", "parquet"},
            description=(
                "Every submitted questionnaire in the same columns for all projects: answers "
                "coded as in the published instruments, participant numbers replaced by "
                "pseudonyms, names, e-mail, phone, IP address and free text removed, and on "
                "every row the file, file hash and row it came from."
            ),
        ),
    ],
    check_specs=catalog_check_specs(*stages.ingest_stage.io.writes),
    partitions_def=PROJECTS,
    can_subset=False,
)
@reports_progress
def ingest(
    context: dg.AssetExecutionContext, outcomes: OutcomesWorkspace, pseudonym: PseudonymKey
) -> Iterator[dg.MaterializeResult]:
    spec = project_specs()[context.partition_key]
    raw, responses = stages.ingest_stage(outcomes.workspace(), spec, pseudonym.key())
    yield materialize_result(raw, dg.AssetKey(stages.RAW_RESPONSES))
    yield materialize_result(responses, dg.AssetKey(stages.RESPONSES))
