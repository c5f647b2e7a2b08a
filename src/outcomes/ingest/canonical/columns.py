"""The canonical responses frame: its columns in order and the ingest issues of a row.

Every row carries ``ingest_issues``: a list of (column, value, rule, message) for the values ingest
could not map; validation quarantines such rows (docs/architecture.md, "Ingest and errors").
"""

from __future__ import annotations

import polars as pl

from outcomes import catalog
from outcomes.specs import CANONICAL_META_COLUMNS

ISSUE_DTYPE = pl.Struct(
    {"column": pl.String, "value": pl.String, "rule": pl.String, "message": pl.String}
)
ISSUES_DTYPE = pl.List(ISSUE_DTYPE)

#: canonical meta columns in the frame's order (items follow, then provenance and the issues)
META_COLUMNS = catalog.RESPONSE_META_COLUMNS
PROVENANCE_COLUMNS = (*catalog.PROVENANCE_COLUMNS, "ingest_issues")
#: canonical targets a spec's ``columns`` may use besides instrument items
MAPPABLE_META = tuple(c for c in CANONICAL_META_COLUMNS if c != "participant_id")


def row_issue(column: str, rule: str, message: str) -> pl.Expr:
    """Return an ingest issue on ``column`` that names no value (the row lacks one)."""
    return pl.struct(
        pl.lit(column, dtype=pl.String).alias("column"),
        pl.lit(None, dtype=pl.String).alias("value"),
        pl.lit(rule, dtype=pl.String).alias("rule"),
        pl.lit(message, dtype=pl.String).alias("message"),
    )


def append_issue(frame: pl.DataFrame, condition: pl.Expr, issue: pl.Expr) -> pl.DataFrame:
    """Return ``frame`` with ``issue`` added to the ``ingest_issues`` of the rows where
    ``condition`` holds."""
    return frame.with_columns(
        pl.when(condition)
        .then(pl.col("ingest_issues").list.concat(pl.concat_list(issue)))
        .otherwise(pl.col("ingest_issues"))
        .alias("ingest_issues")
    )
