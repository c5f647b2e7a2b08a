"""SQL access for analysts: ``warehouse/warehouse.duckdb`` with one view per materialized table.

Views read the parquet files in place (partitioned assets as one view over all their
partitions), so the database file is small and always shows the latest materialization. It is
rebuilt atomically after the panel is written.
"""

from __future__ import annotations

from pathlib import Path

from outcomes import atomic
from outcomes.workspace import Workspace

DATABASE = "warehouse.duckdb"


def table_sources(workspace: Workspace) -> dict[str, str]:
    """Return view name → parquet glob for every table now in the warehouse."""
    sources: dict[str, str] = {}
    for path in sorted(workspace.warehouse.iterdir()) if workspace.warehouse.exists() else []:
        if path.is_dir() and any(path.glob("*.parquet")):
            sources[path.name] = str(path / "*.parquet")
        elif path.suffix == ".parquet":
            sources[path.stem] = str(path)
    return sources


def _views_of(database: Path) -> dict[str, str] | None:
    """Return view name → parquet source of an existing database, or None if unreadable."""
    import duckdb

    try:
        with duckdb.connect(str(database), read_only=True) as connection:
            rows = connection.execute(
                "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
    except duckdb.Error:
        return None
    views: dict[str, str] = {}
    for name, sql in rows:
        start = sql.find("read_parquet('") + len("read_parquet('")
        end = sql.find("'", start)
        views[name] = sql[start:end].replace("''", "'")
    return views


def refresh_views(workspace: Workspace) -> Path:
    """(Re)build ``warehouse.duckdb`` with a view per table; return its path."""
    import duckdb

    target = workspace.warehouse / DATABASE
    sources = table_sources(workspace)
    if target.exists() and _views_of(target) == sources:
        return target  # unchanged: keep the file (and its bytes) as it is

    def build(temporary: Path) -> None:
        temporary.unlink(missing_ok=True)
        with duckdb.connect(str(temporary)) as connection:
            for name, source in sources.items():
                quoted = source.replace("'", "''")
                connection.execute(
                    f"CREATE VIEW \"{name}\" AS SELECT * FROM read_parquet('{quoted}', "
                    "union_by_name = true)"
                )

    return atomic.write_with(target, build)
