"""A blocking schema check on every warehouse table, generated from the catalog.

Belongs here: :func:`catalog_check_specs`, the blocking ``catalog_schema`` check every table
asset declares, and :func:`catalog_check_result`, its result — the file the asset's step just
wrote (one project's file for a per-project table) validated against the table's pandera schema
(``outcomes.validation.table_schema``) by :func:`schema_check_result`. The check runs inside the
asset's own step (``pipelines.metadata.materialize_result`` attaches it), so it adds no step to
a run; a failed check fails that step, which stops every downstream step, and says which
columns broke which constraint (docs/architecture.md, "Catalog"). Does not belong here: the
schemas themselves.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import pandera.errors as pa_errors
import polars as pl

from outcomes import catalog, markdown
from outcomes.stages import per_project
from outcomes.validation import table_schema
from pipelines.partitions import PROJECTS
from pipelines.resources import project_specs

#: Name of the check on every table asset.
CHECK_NAME = "catalog_schema"

#: Pandera failure cases of these columns are counted, never shown (pseudonyms stay out of
#: the event log even though they are not direct identifiers).
_HIDDEN_CASE_COLUMNS = frozenset({"participant_id"})


def catalog_check_specs(*assets: str) -> list[dg.AssetCheckSpec]:
    """Return the blocking ``catalog_schema`` check spec of each of ``assets`` that is a table
    of the catalog (``outcomes.catalog.TABLES``), in the order given; none for other assets.

    The check passes when the asset's file matches the table's declaration: every column with
    its type, nullability, allowed values and ranges, the primary key unique and no undeclared
    column (docs/architecture.md, "Catalog").
    """
    specs = []
    for name in assets:
        table = catalog.TABLES.get(name)
        if table is None:
            continue
        specs.append(
            project_check_spec(
                CHECK_NAME,
                name,
                blocking=True,
                description=(
                    f"{name} matches its declaration in the catalog: every column with its "
                    "type, nullability, allowed values and ranges"
                    + (", the primary key unique" if table.primary_key else "")
                    + " and no undeclared column."
                ),
            )
        )
    return specs


def project_check_spec(name: str, asset: str, **kwargs: Any) -> dg.AssetCheckSpec:
    """Return the spec of check ``name`` on ``asset``; ``kwargs`` go to ``dg.AssetCheckSpec``.

    The check of a per-project asset (``outcomes.stages.per_project``) is partitioned by
    project like the asset, so each evaluation carries its project and the UI shows the
    result, and plots its numbers, per project (docs/architecture.md, "Results in the UI").
    """
    if not per_project(asset):
        return dg.AssetCheckSpec(name, asset=asset, **kwargs)
    with warnings.catch_warnings():
        # partitioned checks are a preview feature of Dagster 1.13; the warning is expected
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return dg.AssetCheckSpec(name, asset=asset, partitions_def=PROJECTS, **kwargs)


def per_project_numbers(metadata: Mapping[str, Any], project: str | None) -> dict[str, Any]:
    """Return ``metadata`` of a check on ``project``'s partition with every number named
    ``<key> (<project>)``, so that the UI plots each project's numbers on their own line
    instead of one line zig-zagging across projects; unchanged without a project."""
    if project is None:
        return dict(metadata)

    def number(value: Any) -> bool:
        if isinstance(value, (dg.IntMetadataValue, dg.FloatMetadataValue)):
            return True
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    return {(f"{k} ({project})" if number(v) else k): v for k, v in metadata.items()}


def catalog_check_result(
    table: str, path: Path | None, project: str | None = None
) -> dg.AssetCheckResult:
    """Return the ``catalog_schema`` result of warehouse table ``table`` written to ``path``
    (for a per-project table, ``project``'s file).

    Validates the file against ``table_schema`` (a table whose columns follow a project's
    instruments with that project's spec) and fails, with severity ERROR, when the file is
    missing or breaks the schema, listing the failing columns and constraints
    (:func:`schema_check_result`; docs/architecture.md, "Catalog").
    """
    key = dg.AssetKey(table)
    entry = catalog.table(table)
    if path is None or not Path(path).exists():
        where = f"{path} is missing" if path is not None else "no file was written"
        return dg.AssetCheckResult(
            asset_key=key,
            check_name=CHECK_NAME,
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"error": dg.MetadataValue.text(f"{where}: materialize {table} to write it")},
        )
    specs = project_specs()
    frame = pl.read_parquet(path)
    spec = specs[project] if entry.needs_spec and project is not None else None
    used = None
    if project is None and "project" in frame.columns:
        # a table over all projects (the panel) carries the scores of the instruments they use
        projects = frame.get_column("project").unique().to_list()
        used = catalog.instruments_in_use(specs[p] for p in projects if p in specs)
    schema = table_schema(entry, spec, instruments=used)
    result = schema_check_result(frame, schema, key, CHECK_NAME)
    if project is None:
        return result
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=CHECK_NAME,
        passed=result.passed,
        severity=result.severity,
        metadata=per_project_numbers(
            {**result.metadata, "project": dg.MetadataValue.text(project)}, project
        ),
    )


def schema_check_result(
    frame: pl.DataFrame,
    schema: Any,
    asset_key: dg.AssetKey,
    check_name: str = "schema",
    examples: int = 5,
) -> dg.AssetCheckResult:
    """Return the result of validating ``frame`` against the pandera ``schema``.

    On failure the metadata lists each failing column and check with the number of failing
    cases and a few example values (pudl's ``asset_check_from_schema`` habit), so a researcher
    sees what broke without opening the data.
    """
    try:
        schema.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as error:
        cases = error.failure_cases
        if not isinstance(cases, pl.DataFrame):
            cases = pl.from_pandas(cases)
        summary = (
            cases.with_columns(pl.col("failure_case").cast(pl.Utf8))
            .group_by(["schema_context", "column", "check"], maintain_order=True)
            .agg(
                pl.len().alias("cases"),
                pl.col("failure_case").drop_nulls().unique(maintain_order=True).head(examples),
            )
        )
        rows: list[list[object]] = []
        failing: dict[str, int] = {}
        for row in summary.iter_rows(named=True):
            # Frame-level cases (uniqueness, missing columns) quote whole rows, pseudonyms
            # included, so only column-level values are shown.
            hidden = (
                row["schema_context"] != "Column" and row["check"] != "column_in_dataframe"
            ) or row["column"] in _HIDDEN_CASE_COLUMNS
            shown = "(hidden)" if hidden else ", ".join(str(v) for v in row["failure_case"])
            rows.append([row["column"], row["check"], row["cases"], shown])
            failing[f"{row['column']}: {row['check']}"] = int(row["cases"])
        return dg.AssetCheckResult(
            asset_key=asset_key,
            check_name=check_name,
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "failing_checks": dg.MetadataValue.json(failing),
                "failures": dg.MetadataValue.md(
                    markdown.table(["column", "check", "cases", "examples"], rows)
                ),
                "rows": frame.height,
            },
        )
    except pa_errors.SchemaError as error:  # raised despite lazy=True for frame-level errors
        return dg.AssetCheckResult(
            asset_key=asset_key,
            check_name=check_name,
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"error": dg.MetadataValue.text(str(error)), "rows": frame.height},
        )
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=check_name,
        passed=True,
        metadata={"rows": frame.height, "columns_checked": len(schema.columns)},
    )
