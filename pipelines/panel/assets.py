"""Assets ``outcome_panel`` and ``attrition``, each with its blocking ``catalog_schema`` check
(``pipelines/checks.py``)."""

from collections.abc import Iterator

import dagster as dg

from outcomes import stages
from pipelines.checks import catalog_check_specs
from pipelines.lineage import reports_progress, stage_spec
from pipelines.metadata import materialize_result
from pipelines.resources import OutcomesWorkspace, project_specs

GROUP = "panel"
PANEL = dg.AssetKey(stages.PANEL)


@dg.multi_asset(
    specs=[
        stage_spec(
            stages.panel_stage,
            stages.PANEL,
            group_name=GROUP,
            kinds={"polars", "parquet", "duckdb"},
            description=(
                "All projects in one long table, one row per participant per measurement "
                "(wave 0 is the baseline): months since baseline, every instrument score, "
                "wellbeing on 0–100, the baseline network size and network group "
                "(small/medium/large), age, gender and whether the participant stayed or "
                "dropped out. The input of every model; also queryable in warehouse.duckdb."
            ),
        ),
        stage_spec(
            stages.panel_stage,
            stages.ATTRITION,
            group_name=GROUP,
            kinds={"polars", "parquet"},
            description="How many participants were measured at each wave, per project and "
            "network group, and the share still taking part since baseline: who drops out.",
        ),
    ],
    check_specs=catalog_check_specs(*stages.panel_stage.io.writes),
    can_subset=False,
)
@reports_progress
def outcome_panel(outcomes: OutcomesWorkspace) -> Iterator[dg.MaterializeResult]:
    panel, attrition = stages.panel_stage(outcomes.workspace(), project_specs())
    yield materialize_result(panel, PANEL)
    yield materialize_result(attrition, dg.AssetKey(stages.ATTRITION))
