"""The validation stage: ``responses`` → ``valid_responses`` and ``quarantined_responses``."""

from __future__ import annotations

import polars as pl

from outcomes import atomic
from outcomes.specs import ProjectSpec
from outcomes.stages.lineage import (
    QUARANTINED,
    RAW_RESPONSES,
    RESPONSES,
    VALID,
    StageFiles,
    stage,
)
from outcomes.stages.records import PROBLEM_RECORDS, StageRecord


@stage(reads=(RESPONSES, RAW_RESPONSES), writes=(VALID, QUARANTINED))
def validate_stage(
    files: StageFiles, spec: ProjectSpec, lang: str = "nl"
) -> tuple[StageRecord, StageRecord]:
    """Validate ``responses[project]``; write ``valid_responses``, ``quarantined_responses``,
    ``validation/<project>.json`` and ``quarantine/<project>.csv``.

    Returns the records of the valid and the quarantined table; the valid record carries the
    reconciliation (rows read per file as ``raw_responses`` counted them) and quarantine-share
    check results (README.md, "For data managers").
    """
    from outcomes.validation import (
        check_quarantine_share,
        reconcile,
        validate_responses,
        write_quarantine_csv,
        write_validation_json,
    )

    responses = files.table(RESPONSES, spec.id)
    result = validate_responses(responses, spec, lang=lang)
    valid_path = atomic.write_parquet(files.output(VALID, project=spec.id), result.valid)
    quarantine_path = atomic.write_parquet(
        files.output(QUARANTINED, project=spec.id), result.quarantine
    )
    json_path = files.output(VALID, "validation", project=spec.id)
    write_validation_json(result.summary, json_path)
    csv_path = files.output(QUARANTINED, "csv", project=spec.id)
    write_quarantine_csv(result.quarantine, csv_path)
    summary = result.summary
    valid = StageRecord(
        VALID,
        spec.id,
        rows=result.valid.height,
        paths={"valid": valid_path, "validation": json_path},
        metadata={
            "rows_read": summary["rows_read"],
            "rows_valid": summary["rows_valid"],
            "rows_quarantined": summary["rows_quarantined"],
        },
        checks={
            "reconciliation": reconcile(summary, read_counts=_rows_read_per_file(files, spec.id)),
            "quarantine_share": check_quarantine_share(summary),
        },
    )
    per_rule = summary.get("rules", {})
    quarantined = StageRecord(
        QUARANTINED,
        spec.id,
        rows=result.quarantine.height,
        unit=PROBLEM_RECORDS,
        paths={"quarantine": quarantine_path, "csv": csv_path},
        metadata={
            "problem_records": result.quarantine.height,
            "rows_quarantined": summary["rows_quarantined"],
            "problems_per_rule": "\n".join(f"- {k}: {v}" for k, v in sorted(per_rule.items()))
            or "none",
        },
    )
    return valid, quarantined


def _rows_read_per_file(files: StageFiles, project: str) -> dict[str, int] | None:
    """Return rows read per export file as ingest counted them (``raw_responses``)."""
    path = files.input(RAW_RESPONSES, project=project)
    if not path.exists():
        return None
    inventory = pl.read_parquet(path)
    return dict(zip(inventory["source_file"], inventory["rows_read"], strict=True))
