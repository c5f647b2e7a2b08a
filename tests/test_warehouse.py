"""The DuckDB views over the warehouse's parquet files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from outcomes import atomic
from outcomes.warehouse import refresh_views
from outcomes.workspace import Workspace


def test_views_cover_partitioned_and_plain_tables(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path).ensure()
    atomic.write_parquet(workspace.table("responses", "a"), pl.DataFrame({"x": [1, 2]}))
    atomic.write_parquet(workspace.table("responses", "b"), pl.DataFrame({"x": [3]}))
    atomic.write_parquet(workspace.table("outcome_panel"), pl.DataFrame({"wellbeing": [60.0]}))
    path = refresh_views(workspace)
    with duckdb.connect(str(path), read_only=True) as connection:
        assert connection.execute("SELECT sum(x) FROM responses").fetchone() == (6,)
        assert connection.execute("SELECT wellbeing FROM outcome_panel").fetchone() == (60.0,)
    # rebuilt, not appended: a second refresh still has one view per table
    refresh_views(workspace)
    with duckdb.connect(str(path), read_only=True) as connection:
        views = connection.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
    assert sorted(v for (v,) in views) == ["outcome_panel", "responses"]


def test_unchanged_views_keep_the_file_and_new_tables_are_added(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path).ensure()
    atomic.write_parquet(workspace.table("outcome_panel"), pl.DataFrame({"wellbeing": [60.0]}))
    path = refresh_views(workspace)
    first = path.read_bytes()
    assert refresh_views(workspace).read_bytes() == first
    atomic.write_parquet(workspace.table("attrition"), pl.DataFrame({"retained": [0.5]}))
    refresh_views(workspace)
    with duckdb.connect(str(path), read_only=True) as connection:
        assert connection.execute("SELECT retained FROM attrition").fetchone() == (0.5,)
