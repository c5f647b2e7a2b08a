"""Assets ``valid_responses[project]`` and ``quarantined_responses[project]`` with their checks."""


from collections.abc import Iterator

import dagster as dg

from outcomes import stages
from pipelines.metadata import materialize_result
from pipelines.partitions import PROJECTS
from pipelines.resources import OutcomesWorkspace, project_specs

GROUP = "validation"
VALID = dg.AssetKey(stages.VALID)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            stages.VALID,
            group_name=GROUP,
            kinds={"polars", "pandera"},
            deps=[stages.RESPONSES],
            description=(
                "Responses that pass every rule of the project's pandera schema (item codes and "
                "ranges from the instrument registry) and the cross-row rules (duplicates, dates "
                "before baseline, follow-up without baseline, waves out of order)."
            ),
        ),
        dg.AssetSpec(
            stages.QUARANTINED,
            group_name=GROUP,
            kinds={"polars", "csv"},
            deps=[stages.RESPONSES],
            description=(
                "Rejected rows, one record per broken rule with file, row, column, value and a "
                "message a data manager understands; also written to quarantine/<project>.csv."
            ),
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "reconciliation",
            asset=VALID,
            blocking=True,
            description="For every export file: rows read = rows valid + rows quarantined.",
        ),
        dg.AssetCheckSpec(
            "quarantine_share",
            asset=VALID,
            blocking=True,
            description="The share of quarantined rows stays below the spec's threshold "
            "(default 5%), so models never run silently on a broken export.",
        ),
    ],
    partitions_def=PROJECTS,
    can_subset=False,
)
def validate(
    context: dg.AssetExecutionContext, outcomes: OutcomesWorkspace
) -> Iterator[dg.MaterializeResult]:
    spec = project_specs()[context.partition_key]
    valid, quarantined = stages.validate_stage(outcomes.workspace(), spec, lang=outcomes.lang)
    yield materialize_result(valid, VALID)
    yield materialize_result(quarantined, dg.AssetKey(stages.QUARANTINED))
