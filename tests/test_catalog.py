"""The catalog declares every warehouse table the demo writes, and its schemas hold them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandera.errors as pa_errors
import polars as pl
import pytest

from outcomes import catalog
from outcomes.catalog.listing import BEGIN, END, markdown_listing
from outcomes.codebook import build_codebook
from outcomes.instruments import INSTRUMENTS, Instrument
from outcomes.specs import ProjectSpec, load_specs
from outcomes.validation import responses_schema, table_schema
from outcomes.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
demo = pytest.mark.xdist_group("demo")


def _files(workspace: Workspace) -> dict[tuple[str, str | None], Path]:
    """Return (table, project or None) → parquet file, for every file in the warehouse."""
    found: dict[tuple[str, str | None], Path] = {}
    for path in sorted(workspace.warehouse.rglob("*.parquet")):
        if path.parent == workspace.warehouse:
            found[(path.stem, None)] = path
        else:
            found[(path.parent.name, path.stem)] = path
    return found


def _spec(project: str | None) -> ProjectSpec | None:
    return load_specs()[project] if project is not None else None


def _in_use() -> dict[str, Instrument]:
    """Return the instruments the demo's projects use: the panel carries their scores."""
    return catalog.instruments_in_use(load_specs().values())


@demo
def test_the_catalog_covers_every_parquet_file_of_the_demo(demo_workspace: Workspace) -> None:
    files = _files(demo_workspace)
    assert files, "the demo wrote no warehouse table"
    written = {table for table, _ in files}
    assert written == set(catalog.TABLES)
    for table, project in files:
        assert catalog.table(table).per_project == (project is not None), table


@demo
def test_every_column_of_the_demo_files_is_declared_with_its_type(
    demo_workspace: Workspace,
) -> None:
    for (name, project), path in _files(demo_workspace).items():
        written = pl.read_parquet_schema(path)
        columns = catalog.table(name).columns(_spec(project), _in_use())
        declared = {c.name: c.dtype for c in columns}
        assert list(written) == list(declared), (name, project)
        for column, dtype in written.items():
            assert dtype == declared[column], (name, project, column)


@demo
def test_every_demo_file_passes_its_schema(demo_workspace: Workspace) -> None:
    for (name, project), path in _files(demo_workspace).items():
        schema = table_schema(name, _spec(project), _in_use())
        schema.validate(pl.read_parquet(path), lazy=True)


def _broken(frame: pl.DataFrame, column: str, value: object) -> pl.DataFrame:
    """Return ``frame`` with ``value`` in the first row of ``column`` (type kept)."""
    dtype = frame.schema[column]
    first = pl.int_range(pl.len()) == 0
    return frame.with_columns(
        pl.when(first).then(pl.lit(value, dtype=dtype)).otherwise(pl.col(column)).alias(column)
    )


BAD_VALUES = [
    ("raw_responses", "format", "pdf"),
    ("raw_responses", "source_sha256", None),
    ("responses", "source_row", 0),
    ("responses", "project", None),
    ("valid_responses", "gender", "unknown"),
    ("valid_responses", "mhi5_1", 7.0),
    ("valid_responses", "participant_id", None),
    ("quarantined_responses", "message", ""),
    ("scored_responses", "wellbeing", 101.0),
    ("scored_responses", "mhi5", -1.0),
    ("outcome_panel", "network_group", "tiny"),
    ("outcome_panel", "status", "lost"),
    ("outcome_panel", "network_diversity_bl", 6.0),
    ("attrition", "retained", 1.5),
]


@demo
@pytest.mark.parametrize(("name", "column", "value"), BAD_VALUES)
def test_a_schema_rejects_a_bad_value(
    demo_workspace: Workspace, name: str, column: str, value: object
) -> None:
    project = "netwerkcoach" if catalog.table(name).per_project else None
    frame = pl.read_parquet(demo_workspace.table(name, project))
    schema = table_schema(name, _spec(project))
    with pytest.raises(pa_errors.SchemaErrors) as caught:
        schema.validate(_broken(frame, column, value), lazy=True)
    assert column in caught.value.failure_cases["column"].to_list()


@demo
def test_a_schema_rejects_a_duplicate_key_and_an_undeclared_column(
    demo_workspace: Workspace,
) -> None:
    frame = pl.read_parquet(demo_workspace.table("outcome_panel"))
    schema = table_schema("outcome_panel")
    with pytest.raises(pa_errors.SchemaErrors):
        schema.validate(pl.concat([frame, frame.head(1)]), lazy=True)
    with pytest.raises(pa_errors.SchemaErrors):
        schema.validate(frame.with_columns(pl.lit("x").alias("email")), lazy=True)


@demo
def test_responses_hold_rows_as_delivered_and_validation_enforces_the_rules(
    demo_workspace: Workspace,
) -> None:
    spec = load_specs()["netwerkcoach"]
    frame = pl.read_parquet(demo_workspace.table("responses", spec.id))
    delivered = _broken(_broken(frame, "mhi5_1", 9.0), "participant_id", None)
    table_schema("responses", spec).validate(delivered, lazy=True)
    for schema in (responses_schema(spec), table_schema("valid_responses", spec)):
        with pytest.raises(pa_errors.SchemaErrors):
            schema.validate(delivered.drop("ingest_issues", strict=False), lazy=True)


def test_item_and_score_constraints_come_from_the_instrument_definitions() -> None:
    columns = {c.name: c for c in catalog.table("outcome_panel").columns()}
    items = {c.name: c for c in catalog.table("responses").columns()}
    for instrument in INSTRUMENTS.values():
        low, high = instrument.item_range()
        for item in instrument.items:
            ranges = [c for c in items[item.column].constraints if isinstance(c, catalog.Range)]
            assert (ranges[0].low, ranges[0].high) == (low, high), item.column
            codes = [c for c in items[item.column].constraints if isinstance(c, catalog.OneOf)]
            assert [set(c.values) for c in codes] == (
                [{float(code) for code in instrument.codes}] if instrument.options else []
            )
        for score in instrument.scores:
            column = columns[score.column]
            assert column.dtype == score.dtype(), score.column
            assert column.en == score.label_en and column.nl == score.label_nl
            bounds = [(c.low, c.high) for c in column.constraints if isinstance(c, catalog.Range)]
            expected = [] if score.dtype == pl.Boolean else [(score.minimum, score.maximum)]
            assert bounds == expected, score.column
    size = INSTRUMENTS["network_map"].score_by_column("network_size")
    schema = table_schema("outcome_panel")
    bounds = schema.columns["network_size_bl"].checks[0].statistics
    assert (bounds["min_value"], bounds["max_value"]) == (size.minimum, size.maximum)


def test_day_dependent_bounds_follow_the_day() -> None:
    spec = load_specs()["netwerkcoach"]
    schema = table_schema("valid_responses", spec, today=dt.date(2024, 1, 1))
    assert schema.columns["assessed_on"].checks[0].statistics["max_value"] == dt.date(2024, 1, 1)
    assert schema.columns["birth_year"].checks[0].statistics["max_value"] == 2024


def test_a_per_project_table_without_a_spec_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"scored_responses.*project's spec"):
        table_schema("scored_responses")
    with pytest.raises(catalog.CatalogError, match="'panel' is not a warehouse table"):
        catalog.table("panel")


def test_every_table_declares_descriptions_and_a_known_primary_key() -> None:
    for table in catalog.TABLES.values():
        assert len(table.en) > 40 and len(table.nl) > 40, table.name
        names = {c.name for c in table.columns()}
        assert set(table.primary_key) <= names, table.name
        for column in table.declared:
            assert column.en and column.nl and column.en != column.nl, (table.name, column.name)


def test_the_column_schema_description_marks_undeclared_columns() -> None:
    table = catalog.table("attrition")
    described = catalog.describe(table, ["project", "retained", "surprise"], lang="nl")
    assert described.primary_key == ("project", "network_group", "wave")
    project, retained, surprise = described.columns
    assert (project.type, project.nullable) == ("String", False)
    assert retained.constraints == ("0 ≤ value ≤ 1",)
    assert retained.description == catalog.FIELDS["retained"].nl
    assert surprise.type == "undeclared"


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_codebook_lists_the_catalog_descriptions(lang: str) -> None:
    text = build_codebook(load_specs(), lang)
    for column in catalog.table("outcome_panel").declared:
        row = rf"^\| `{column.name}` \| {re.escape(column.type_name)} \| (.*) \|$"
        found = re.search(row, text, flags=re.MULTILINE)
        assert found, column.name
        assert found.group(1) == column.description(lang).replace("|", "\\|")


def test_the_architecture_document_lists_the_catalog() -> None:
    document = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    start, end = document.index(BEGIN), document.index(END) + len(END)
    assert document[start:end] == markdown_listing(), (
        "docs/architecture.md: replace the catalog listing with "
        "outcomes.catalog.listing.markdown_listing()"
    )
