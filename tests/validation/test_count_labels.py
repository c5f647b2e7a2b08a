"""Counts that say what they count: rows of the exports, or problem records of
``quarantined_responses`` (one per problem), labelled the same way in the run summary, the stage
records, the validation JSON and the quarantine table (docs/architecture.md, "Progress and
counts")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from outcomes import documents
from outcomes.documents import ValidationSummary
from outcomes.stages.lineage import RESPONSES, asset_path
from outcomes.stages.records import PROBLEM_RECORDS, ROWS, StageRecord
from outcomes.stages.validation import validate_stage
from outcomes.summary import COUNT_COLUMNS, run_summary_table
from outcomes.workspace import Workspace

from .helpers import INSTRUMENTS, TODAY, clean_responses, make_spec


@pytest.fixture
def validated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Workspace, StageRecord, StageRecord]]:
    """A workspace whose one project has a row with two problems (two problem records),
    validated by the validation stage against the test instruments."""
    from outcomes import validation

    rules = validation.validate_responses
    monkeypatch.setattr(
        validation,
        "validate_responses",
        lambda frame, spec, lang: rules(
            frame, spec, instruments=INSTRUMENTS, today=TODAY, lang=lang
        ),
    )
    workspace = Workspace(tmp_path / "ws").ensure()
    spec = make_spec()
    broken = (pl.col("source_row") == 3) & (pl.col("source_file") == "t2.csv")
    responses = clean_responses().with_columns(
        pl.when(broken).then(-3.0).otherwise(pl.col("net_friends")).alias("net_friends"),
        pl.when(broken).then(pl.lit("élève")).otherwise(pl.col("gender")).alias("gender"),
    )
    path = asset_path(workspace, RESPONSES, project=spec.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    responses.write_parquet(path)
    valid, quarantined = validate_stage(workspace, spec)
    yield workspace, valid, quarantined


def test_counts_say_rows_or_problem_records_everywhere(
    validated: tuple[Workspace, StageRecord, StageRecord],
) -> None:
    workspace, valid, quarantined = validated
    project = valid.partition
    summary = documents.read(ValidationSummary, workspace.validation / f"{project}.json")
    table = pl.read_parquet(quarantined.paths["quarantine"])
    records = table.height
    rows = table.select("source_file", "source_row").unique().height
    assert records > rows == summary.rows_quarantined  # one row, two problems
    assert sum(summary.rules.values()) == records

    assert (valid.unit, quarantined.unit) == (ROWS, PROBLEM_RECORDS)
    assert quarantined.summary().endswith(f" {records} problem records")
    assert valid.summary().endswith(f" {summary.rows_valid} rows")
    assert quarantined.metadata["problem_records"] == records
    assert quarantined.metadata["rows_quarantined"] == summary.rows_quarantined

    text = run_summary_table(workspace, "en").splitlines()
    header, line = text[0], next(x for x in text if x.startswith(str(project)))
    labels = [name for name, _ in COUNT_COLUMNS]
    assert labels == ["rows read", "rows valid", "rows quarantined", "problem records"]
    assert [header.index(label) for label in labels] == sorted(header.index(x) for x in labels)
    shown = [int(x) for x in line.split()[1:5]]
    assert shown == [summary.rows_read, summary.rows_valid, summary.rows_quarantined, records]
