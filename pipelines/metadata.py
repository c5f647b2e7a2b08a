"""Turn a stage record of the library into Dagster materialization metadata and check results.

Belongs here: how numbers, tables, files and figures of a :class:`StageRecord` appear in the
Dagster UI — a warehouse table with its column schema from the catalog and its row count — and
the check results a materialization carries: the stage's own checks and, for a warehouse table,
its ``catalog_schema`` check (``pipelines/checks.py``). Does not belong here: computing any of
those numbers (``outcomes.stages``).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl

from outcomes import catalog
from outcomes.stages import StageRecord
from pipelines.checks import catalog_check_result

#: Figures larger than this are linked by path only; metadata lives in the event log.
MAX_FIGURE_BYTES = 256_000

_IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


def figure_markdown(title: str, image: bytes, mime: str = "image/svg+xml") -> dg.MetadataValue:
    """Return markdown that shows ``image`` inline in the Dagster UI (a base64 data URI)."""
    encoded = base64.b64encode(image).decode("ascii")
    return dg.MetadataValue.md(f"**{title}**\n\n![{title}](data:{mime};base64,{encoded})")


def figure_metadata(name: str, path: Path) -> dict[str, Any]:
    """Return metadata for a figure file: the path, and the image itself when it is small."""
    path = Path(path)
    metadata: dict[str, Any] = {f"path_{name}": dg.MetadataValue.path(str(path))}
    mime = _IMAGE_TYPES.get(path.suffix.lower())
    if mime and path.exists() and path.stat().st_size <= MAX_FIGURE_BYTES:
        title = name.replace("_", " ")
        metadata[f"figure_{name}"] = figure_markdown(title, path.read_bytes(), mime)
    return metadata


def column_schema(description: catalog.TableDescription) -> dg.TableSchema:
    """Return the Dagster ``TableSchema`` of a catalog table description: each column with its
    type, description, nullability, uniqueness and constraints, and the primary key."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=column.name,
                type=column.type,
                description=column.description,
                constraints=dg.TableColumnConstraints(
                    nullable=column.nullable,
                    unique=column.unique,
                    other=list(column.constraints),
                ),
            )
            for column in description.columns
        ],
        constraints=dg.TableConstraints(
            other=[f"primary key: {', '.join(description.primary_key)}"]
            if description.primary_key
            else []
        ),
    )


def table_metadata(table: str, path: Path) -> dict[str, Any]:
    """Return the standard metadata of warehouse table ``table`` written to ``path``:
    ``dagster/column_schema`` (the file's columns as the catalog declares them,
    docs/architecture.md "Catalog") and ``dagster/row_count`` (rows in the file)."""
    entry = catalog.table(table)
    present = pl.read_parquet_schema(path)
    rows = pl.scan_parquet(path).select(pl.len()).collect().item()
    description = catalog.describe(entry, list(present))
    return {
        "dagster/column_schema": dg.MetadataValue.table_schema(column_schema(description)),
        "dagster/row_count": dg.MetadataValue.int(int(rows)),
    }


def table_path(record: StageRecord) -> Path | None:
    """Return the warehouse file of ``record`` when the stage wrote a catalog table: the
    parquet path named after the table (``<table>.parquet`` or ``<table>/<project>.parquet``)."""
    if record.name not in catalog.TABLES:
        return None
    for path in map(Path, record.paths.values()):
        if path.suffix == ".parquet" and record.name in (path.stem, path.parent.name):
            return path
    return None


def to_metadata(record: StageRecord) -> dict[str, Any]:
    """Return Dagster metadata values for ``record``: the row count, a path per file written
    (figures also shown inline), markdown for tables and lists, JSON for mappings, and for a
    warehouse table its column schema and the rows in the file (:func:`table_metadata`)."""
    metadata: dict[str, Any] = {}
    if record.rows is not None:
        metadata["dagster/row_count"] = dg.MetadataValue.int(record.rows)
    table = table_path(record)
    if table is not None and table.exists():
        metadata.update(table_metadata(record.name, table))
    for name, path in record.paths.items():
        if Path(path).suffix.lower() in _IMAGE_TYPES:
            metadata.update(figure_metadata(name, Path(path)))
        else:
            metadata[f"path_{name}"] = dg.MetadataValue.path(str(Path(path)))
    for name, value in record.metadata.items():
        if isinstance(value, str) and (value.startswith("|") or "\n" in value):
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


def _check_metadata(details: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: dg.MetadataValue.json(v) if isinstance(v, (dict, list)) else v
        for k, v in details.items()
    }


def to_check_results(record: StageRecord, asset_key: dg.AssetKey) -> list[dg.AssetCheckResult]:
    """Return one check result per check the stage evaluated and, when the stage wrote a
    warehouse table, the result of its ``catalog_schema`` check on the file written
    (:func:`pipelines.checks.catalog_check_result`; docs/architecture.md, "Catalog")."""
    results = [
        dg.AssetCheckResult(
            asset_key=asset_key,
            check_name=name,
            passed=bool(passed),
            severity=dg.AssetCheckSeverity.ERROR,
            metadata=_check_metadata(details),
        )
        for name, (passed, details) in record.checks.items()
    ]
    if record.name in catalog.TABLES:
        results.append(catalog_check_result(record.name, table_path(record), record.partition))
    return results


def materialize_result(record: StageRecord, asset_key: dg.AssetKey) -> dg.MaterializeResult:
    """Return the ``MaterializeResult`` of ``record`` for ``asset_key``: its metadata
    (:func:`to_metadata`) and its check results (:func:`to_check_results`)."""
    return dg.MaterializeResult(
        asset_key=asset_key,
        metadata=to_metadata(record),
        check_results=to_check_results(record, asset_key),
    )
