"""Assets ``valid_responses[project]`` and ``quarantined_responses[project]`` with their checks."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from outcomes import documents, markdown, stages
from outcomes.validation import rule_label
from pipelines.checks import catalog_check_specs
from pipelines.lineage import stage_spec
from pipelines.metadata import materialize_result
from pipelines.partitions import PROJECTS
from pipelines.resources import OutcomesWorkspace, project_specs

GROUP = "validation"
VALID = dg.AssetKey(stages.VALID)
QUARANTINED = dg.AssetKey(stages.QUARANTINED)


def quarantine_by_rule(validation_json: Path, lang: str = "en") -> dict[str, dg.MetadataValue]:
    """Return metadata with the quarantined rows per rule, from ``validation/<project>.json``:
    a markdown table with each rule's label (``outcomes.validation.rule_label``) and the counts
    as JSON, so the UI can plot them over materializations (docs/architecture.md,
    "Documents")."""
    summary = documents.read(documents.ValidationSummary, validation_json)
    by_rule = summary.rows_by_rule
    rows = [
        [rule, rule_label(rule, lang), count]
        for rule, count in sorted(by_rule.items(), key=lambda item: (-item[1], item[0]))
    ] or [["—", "no row quarantined", 0]]
    return {
        "quarantined_by_rule": dg.MetadataValue.md(
            markdown.table(["rule", "meaning", "rows"], rows)
        ),
        "rows_by_rule": dg.MetadataValue.json(by_rule),
        "quarantined_share": dg.MetadataValue.float(float(summary.quarantined_share)),
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
        dg.AssetCheckSpec(
            "reconciliation",
            asset=VALID,
            blocking=True,
            description="Nothing is lost: for every export file, rows read = rows valid + rows "
            "quarantined.",
        ),
        dg.AssetCheckSpec(
            "quarantine_share",
            asset=VALID,
            blocking=True,
            description="The share of quarantined rows stays below the project spec's "
            "threshold (default 5%), so models never run silently on a broken export.",
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
    by_rule = quarantine_by_rule(valid.paths["validation"], lang=outcomes.lang)
    yield materialize_result(valid, VALID)
    result = materialize_result(quarantined, QUARANTINED)
    yield dg.MaterializeResult(
        asset_key=QUARANTINED,
        metadata={**(result.metadata or {}), **by_rule},
        check_results=result.check_results,
    )
