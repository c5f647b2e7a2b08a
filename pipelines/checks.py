"""A blocking schema check on every warehouse table, generated from the catalog.

Belongs here: :func:`catalog_check`, the one factory that turns a table of the catalog
(``outcomes.catalog``) into a blocking Dagster asset check — read the materialized parquet file
(one project's partition for a per-project table) and validate it against the table's pandera
schema (``outcomes.validation.table_schema``) — and :func:`catalog_checks`, one per table.
A failed check stops every downstream step of the run and says which columns broke which
constraint (docs/architecture.md, "Catalog"). Does not belong here: the schemas themselves.
"""

import dagster as dg
import polars as pl

from outcomes import catalog
from outcomes.validation import table_schema
from pipelines.metadata import schema_check_result
from pipelines.resources import OutcomesWorkspace, project_specs

#: Name of the check on every table asset.
CHECK_NAME = "catalog_schema"


def _missing(key: dg.AssetKey, message: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=CHECK_NAME,
        passed=False,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"error": dg.MetadataValue.text(message)},
    )


def catalog_check(table: catalog.Table) -> dg.AssetChecksDefinition:
    """Return the blocking check of ``table``'s asset (same name as the table).

    The check reads ``warehouse/<table>.parquet`` — for a per-project table
    ``<table>/<project>.parquet`` of the run's project, or of every project materialized when
    the check runs on its own — and validates it against the catalog: every column with its
    type, nullability, allowed values and ranges, the primary key unique and no undeclared
    column. It fails, with severity ERROR, when the file is missing or breaks the schema (for
    several projects: the first project that breaks it, named in the metadata).
    """
    key = dg.AssetKey(table.name)

    @dg.asset_check(
        asset=key,
        name=CHECK_NAME,
        blocking=True,
        description=(
            f"{table.name} matches its declaration in the catalog: every column with its type, "
            "nullability, allowed values and ranges"
            + (", the primary key unique" if table.primary_key else "")
            + " and no undeclared column."
        ),
    )
    def check(
        context: dg.AssetCheckExecutionContext, outcomes: OutcomesWorkspace
    ) -> dg.AssetCheckResult:
        workspace = outcomes.workspace()
        if not table.per_project:
            path = workspace.table(table.name)
            if not path.exists():
                return _missing(key, f"{path} is missing: materialize {table.name} first")
            return schema_check_result(pl.read_parquet(path), table_schema(table), key, CHECK_NAME)
        specs = project_specs()
        if context.has_partition_key:
            projects = [context.partition_key]
        else:
            projects = [p for p in sorted(specs) if workspace.table(table.name, p).exists()]
        results = []
        for project in projects:
            path = workspace.table(table.name, project)
            if not path.exists():
                return _missing(key, f"{path} is missing: materialize {table.name} first")
            schema = table_schema(table, specs[project] if table.needs_spec else None)
            result = schema_check_result(pl.read_parquet(path), schema, key, CHECK_NAME)
            if not result.passed:
                return dg.AssetCheckResult(
                    asset_key=key,
                    check_name=CHECK_NAME,
                    passed=False,
                    severity=dg.AssetCheckSeverity.ERROR,
                    metadata={**result.metadata, "project": dg.MetadataValue.text(project)},
                )
            results.append(result)
        if not results:
            return _missing(key, f"no project has materialized {table.name} yet")
        return dg.AssetCheckResult(
            asset_key=key,
            check_name=CHECK_NAME,
            passed=True,
            metadata={
                "rows": sum(r.metadata["rows"].value for r in results),
                "columns_checked": results[0].metadata["columns_checked"],
                "projects": dg.MetadataValue.text(", ".join(projects)),
            },
        )

    return check


def catalog_checks() -> list[dg.AssetChecksDefinition]:
    """Return the blocking catalog check of every warehouse table (:func:`catalog_check`)."""
    return [catalog_check(table) for table in catalog.TABLES.values()]
