"""Assets ``valid_responses[project]`` and ``quarantined_responses[project]`` with their checks."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from outcomes import documents, stages
from outcomes.validation import rule_label
from pipelines.checks import catalog_check_specs, project_check_spec
from pipelines.lineage import reports_progress, stage_spec
from pipelines.metadata import materialize_result
from pipelines.partitions import PROJECTS
from pipelines.resources import OutcomesWorkspace, project_specs

GROUP = "validation"
VALID = dg.AssetKey(stages.VALID)
QUARANTINED = dg.AssetKey(stages.QUARANTINED)


def quarantine_by_rule(validation_json: Path, lang: str = "en") -> dict[str, dg.MetadataValue]:
    """Return metadata with the quarantined rows per rule, from ``validation/<project>.json``:
    a table with each rule's label (``outcomes.validation.rule_label``), the counts as JSON,
    and the rows valid and quarantined as whole numbers the UI can plot over materializations
    (docs/architecture.md, "Documents" and "Results in the UI")."""
    summary = documents.read(documents.ValidationSummary, validation_json)
    by_rule = summary.rows_by_rule
    records = [
        dg.TableRecord({"rule": rule, "meaning": rule_label(rule, lang), "rows": count})
        for rule, count in sorted(by_rule.items(), key=lambda item: (-item[1], item[0]))
    ]
    schema = dg.TableSchema(
        columns=[
            dg.TableColumn("rule", "string", description="identifier of the broken rule"),
            dg.TableColumn("meaning", "string", description="what the rule checks"),
            dg.TableColumn("rows", "int", description="rows quarantined by the rule"),
        ]
    )
    return {
        "quarantined_by_rule": dg.MetadataValue.table(records, schema=schema),
        "rows_by_rule": dg.MetadataValue.json(by_rule),
        "quarantined_share": dg.MetadataValue.float(float(summary.quarantined_share)),
        "rows_valid": dg.MetadataValue.int(summary.rows_valid),
        "rows_quarantined": dg.MetadataValue.int(summary.rows_quarantined),
    }


@dg.multi_asset(
    specs=[
        stage_spec(
            stages.validate_stage,
            stages.VALID,
            group_name=GROUP,
            kinds={"polars", "pandera", "parquet"},
            description=(
                "The questionnaires that passed every check: answer codes and score ranges from "
                "the instrument definitions (pandera schema), plus checks across rows "
                "(duplicate submissions, dates before baseline, follow-up without baseline, "
                "waves out of order). Only these rows are scored and modelled."
            ),
        ),
        stage_spec(
            stages.validate_stage,
            stages.QUARANTINED,
            group_name=GROUP,
            kinds={"polars", "csv"},
            description=(
                "The rows set aside, one record per broken rule, with the file, row, column, "
                "value and a message a project's data manager understands; also written to "
                "`quarantine/<project>.csv` to open in Excel and fix at the source."
            ),
        ),
    ],
    check_specs=[
        *catalog_check_specs(*stages.validate_stage.io.writes),
        project_check_spec(
            "reconciliation",
            stages.VALID,
            blocking=True,
            description="Nothing is lost: for every export file, rows read = rows valid + rows "
            "quarantined.",
        ),
        project_check_spec(
            "quarantine_share",
            stages.VALID,
            blocking=True,
            description="The share of quarantined rows stays below the project spec's "
            "threshold (default 5%), so models never run silently on a broken export.",
        ),
    ],
    partitions_def=PROJECTS,
    can_subset=False,
)
@reports_progress
def validate(
    context: dg.AssetExecutionContext, outcomes: OutcomesWorkspace
) -> Iterator[dg.MaterializeResult]:
    spec = project_specs()[context.partition_key]
    valid, quarantined = stages.validate_stage(outcomes.workspace(), spec, lang=outcomes.lang)
    by_rule = quarantine_by_rule(valid.paths["validation"], lang=outcomes.lang)
    yield materialize_result(valid, VALID)
    result = materialize_result(quarantined, QUARANTINED)
    yield dg.MaterializeResult(
        asset_key=QUARANTINED,
        metadata={**(result.metadata or {}), **by_rule},
        check_results=result.check_results,
    )
