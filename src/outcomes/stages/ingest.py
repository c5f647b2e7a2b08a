"""The ingest stage: a project's exports → ``raw_responses`` and ``responses``."""

from __future__ import annotations

import polars as pl

from outcomes import atomic
from outcomes.specs import ProjectSpec
from outcomes.stages.lineage import RAW_RESPONSES, RESPONSES, StageFiles, stage
from outcomes.stages.records import StageRecord, preview_markdown


@stage(writes=(RAW_RESPONSES, RESPONSES))
def ingest_stage(
    files: StageFiles, spec: ProjectSpec, key: bytes
) -> tuple[StageRecord, StageRecord]:
    """Archive the project's exports and write ``raw_responses`` and ``responses`` for it;
    return their records.

    ``raw_responses`` is the inventory of export file versions (name, sha256, archived copy,
    rows read): the raw rows themselves hold identifiers and never enter the warehouse.
    ``responses`` is the canonical, pseudonymised frame (see ``outcomes.ingest``; README.md,
    "Privacy").
    """
    from outcomes.ingest import ingest_project

    result = ingest_project(spec, files.workspace, key)
    inventory = pl.DataFrame(
        [
            {
                "project": spec.id,
                "source_file": f.name,
                "source_sha256": f.sha256,
                "format": f.format,
                "archived_as": f.archived.name if f.archived else None,
                "version": f.version,
                "rows_read": f.rows_read,
                "unmapped_columns": ", ".join(f.unmapped),
            }
            for f in result.files
        ],
        schema={
            "project": pl.Utf8,
            "source_file": pl.Utf8,
            "source_sha256": pl.Utf8,
            "format": pl.Utf8,
            "archived_as": pl.Utf8,
            "version": pl.Int64,
            "rows_read": pl.Int64,
            "unmapped_columns": pl.Utf8,
        },
    )
    raw_path = atomic.write_parquet(files.output(RAW_RESPONSES, project=spec.id), inventory)
    responses_path = atomic.write_parquet(
        files.output(RESPONSES, project=spec.id), result.responses
    )
    raw = StageRecord(
        RAW_RESPONSES,
        spec.id,
        rows=int(inventory["rows_read"].sum()),
        paths={"inventory": raw_path},
        metadata={
            "files": inventory.height,
            "file_versions": preview_markdown(
                inventory, ["source_file", "source_sha256", "rows_read"], rows=20
            ),
        },
    )
    preview_columns = [
        c
        for c in ("participant_id", "wave", "assessed_on", "site", "source_file", "source_row")
        if c in result.responses.columns
    ]
    responses = StageRecord(
        RESPONSES,
        spec.id,
        rows=result.responses.height,
        paths={"responses": responses_path},
        metadata={
            "columns_mapped": len(spec.columns),
            "unmapped_columns": sorted({c for f in result.files for c in f.unmapped}),
            "ingest_warnings": [str(warning) for warning in result.warnings],
            "preview": preview_markdown(result.responses, preview_columns),
        },
    )
    return raw, responses
