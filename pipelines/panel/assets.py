"""Assets ``outcome_panel`` and ``attrition``."""


from collections.abc import Iterator

import dagster as dg

from outcomes import stages
from pipelines.metadata import materialize_result
from pipelines.resources import OutcomesWorkspace, project_specs

GROUP = "panel"


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            stages.PANEL,
            group_name=GROUP,
            kinds={"polars", "parquet", "duckdb"},
            deps=[stages.SCORED],
            description=(
                "All projects in one long table: participant × wave, months since baseline, "
                "scores, wellbeing on 0–100, baseline network size and network group "
                "(small/medium/large), age, gender and attrition status."
            ),
        ),
        dg.AssetSpec(
            stages.ATTRITION,
            group_name=GROUP,
            kinds={"polars"},
            deps=[stages.PANEL],
            description="Participants per project × network group × wave and the share "
            "retained since baseline.",
        ),
    ],
    can_subset=False,
)
def outcome_panel(outcomes: OutcomesWorkspace) -> Iterator[dg.MaterializeResult]:
    panel, attrition = stages.panel_stage(outcomes.workspace(), project_specs())
    yield materialize_result(panel, dg.AssetKey(stages.PANEL))
    yield materialize_result(attrition, dg.AssetKey(stages.ATTRITION))
