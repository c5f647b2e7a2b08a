"""Turn a stage record of the library into Dagster materialization metadata and check results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg

from outcomes.stages import StageRecord


def to_metadata(record: StageRecord) -> dict[str, Any]:
    """Return Dagster metadata values for ``record`` (markdown for tables, paths for files)."""
    metadata: dict[str, Any] = {}
    if record.rows is not None:
        metadata["dagster/row_count"] = dg.MetadataValue.int(record.rows)
    for name, path in record.paths.items():
        metadata[f"path_{name}"] = dg.MetadataValue.path(str(Path(path)))
    for name, value in record.metadata.items():
        if isinstance(value, str) and value.startswith("|"):
            metadata[name] = dg.MetadataValue.md(value)
        elif isinstance(value, str) and "\n" in value:
            metadata[name] = dg.MetadataValue.md(value)
        elif isinstance(value, (dict, list)):
            metadata[name] = dg.MetadataValue.json(value)
        elif isinstance(value, bool):
            metadata[name] = dg.MetadataValue.bool(value)
        elif isinstance(value, int):
            metadata[name] = dg.MetadataValue.int(value)
        elif isinstance(value, float):
            metadata[name] = dg.MetadataValue.float(value)
        else:
            metadata[name] = dg.MetadataValue.text(str(value))
    return metadata


def to_check_results(record: StageRecord, asset_key: dg.AssetKey) -> list[dg.AssetCheckResult]:
    """Return one check result per check the stage evaluated."""
    results = []
    for name, (passed, details) in record.checks.items():
        results.append(
            dg.AssetCheckResult(
                asset_key=asset_key,
                check_name=name,
                passed=bool(passed),
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={k: dg.MetadataValue.json(v) if isinstance(v, (dict, list)) else v
                          for k, v in details.items()},
            )
        )
    return results


def materialize_result(record: StageRecord, asset_key: dg.AssetKey) -> dg.MaterializeResult:
    """Return the ``MaterializeResult`` of ``record`` for ``asset_key``."""
    return dg.MaterializeResult(
        asset_key=asset_key,
        metadata=to_metadata(record),
        check_results=to_check_results(record, asset_key),
    )
