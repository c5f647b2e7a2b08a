"""What the Dagster UI shows: typed headline numbers, result tables with a schema, column
schemas on table assets, and checks of per-project assets evaluated per project."""

from __future__ import annotations

import time
from pathlib import Path

import dagster as dg
import pytest

from outcomes import catalog, markdown, stages
from pipelines.analysis.assets import matthew_effect, pooled_effect, project_effects
from pipelines.ingest.assets import ingest
from pipelines.metadata import markdown_table
from pipelines.panel.assets import outcome_panel
from pipelines.partitions import PROJECTS
from pipelines.resources import OutcomesWorkspace, PseudonymKey
from pipelines.scoring.assets import scored_responses
from pipelines.validation.assets import validate

KEY = "test-key-for-the-dagster-layer-0123456789abcdef"


@pytest.fixture(scope="module")
def runs(small_demo: Path) -> dict[str, list[dg.ExecuteInProcessResult]]:
    """Return the runs of every project's ingest → score and of the panel and analysis assets
    on the small demo (no bootstrap), by ``"projects"`` and ``"analysis"``."""
    resources = {"outcomes": OutcomesWorkspace(home=str(small_demo)), "pseudonym": PseudonymKey()}
    started = time.perf_counter()
    with pytest.MonkeyPatch.context() as patch, dg.instance_for_test() as instance:
        patch.setenv("OUTCOMES_PSEUDONYM_KEY", KEY)
        patch.setenv("OUTCOMES_BOOTSTRAP", "0")
        projects = [
            dg.materialize(
                [ingest, validate, scored_responses],
                partition_key=project,
                instance=instance,
                resources=resources,
                raise_on_error=False,  # the small demo breaks one project's quarantine share
            )
            for project in PROJECTS.get_partition_keys()
        ]
        analysis = dg.materialize(
            [outcome_panel, project_effects, matthew_effect, pooled_effect],
            instance=instance,
            resources=resources,
        )
    print(f"ui metadata runs: {time.perf_counter() - started:.1f} s")
    return {"projects": projects, "analysis": [analysis]}


def _materializations(
    results: list[dg.ExecuteInProcessResult],
) -> dict[str, dg.AssetMaterialization]:
    return {
        m.asset_key.to_user_string(): m.materialization
        for result in results
        for m in result.get_asset_materialization_events()
    }


def test_matthew_effect_shows_the_primary_test_as_typed_numbers(runs) -> None:
    metadata = _materializations(runs["analysis"])[stages.MATTHEW_EFFECT].metadata
    for key in ("primary_estimate", "primary_ci_low", "primary_ci_high", "primary_p", "mde"):
        assert isinstance(metadata[key], dg.FloatMetadataValue), key
    low, estimate, high = (
        metadata[k].value for k in ("primary_ci_low", "primary_estimate", "primary_ci_high")
    )
    assert low < estimate < high
    # shown as the reports show them: three decimals; p with three significant digits
    assert all(round(v, 3) == v for v in (low, estimate, high))
    assert 0 < metadata["primary_p"].value <= 1
    assert float(f"{metadata['primary_p'].value:.3g}") == metadata["primary_p"].value
    # the headline comes before the long tables in the UI's list
    keys = list(metadata)
    assert keys.index("primary_estimate") < keys.index("primary_results")
    assert isinstance(metadata["verdict"], dg.TextMetadataValue)
    assert metadata["verdict"].value in {"matthew", "no_evidence", "reverse"}
    assert metadata["method"].value == "satterthwaite"
    # the result tables are Dagster tables with a schema, every column shown
    table = metadata["primary_results"]
    assert isinstance(table, dg.TableMetadataValue)
    columns = {c.name: c.type for c in table.schema.columns}
    assert {"estimate", "p", "verdict"} <= set(columns)
    assert columns["estimate"] == "float"
    assert table.records[0].data["verdict"] == metadata["verdict"].value
    # run time stays, next to the estimates
    assert isinstance(metadata["seconds"], dg.FloatMetadataValue)


def test_pooled_effect_shows_heterogeneity_as_typed_numbers(runs) -> None:
    metadata = _materializations(runs["analysis"])[stages.POOLED_EFFECT].metadata
    for number in ("estimate", "ci_low", "ci_high", "tau2", "i2"):
        assert isinstance(metadata[f"wellbeing_slope_{number}"], dg.FloatMetadataValue), number
    assert metadata["wellbeing_slope_tau2"].value >= 0
    assert 0 <= metadata["wellbeing_slope_i2"].value <= 100
    assert "wellbeing_slope" not in metadata  # the numbers replace the JSON mapping
    assert isinstance(metadata["pooled"], dg.TableMetadataValue)


def test_validation_assets_show_rows_valid_and_quarantined(runs) -> None:
    materialized = _materializations(runs["projects"][:1])
    valid = materialized[stages.VALID].metadata
    quarantined = materialized[stages.QUARANTINED].metadata
    for metadata in (valid, quarantined):
        assert isinstance(metadata["rows_valid"], dg.IntMetadataValue)
        assert isinstance(metadata["rows_quarantined"], dg.IntMetadataValue)
    assert quarantined["problem_records"].value == quarantined["dagster/row_count"].value
    assert quarantined["problem_records"].value >= quarantined["rows_quarantined"].value
    by_rule = quarantined["quarantined_by_rule"]
    assert isinstance(by_rule, dg.TableMetadataValue)
    assert [(c.name, c.type) for c in by_rule.schema.columns] == [
        ("rule", "string"),
        ("meaning", "string"),
        ("rows", "int"),
    ]
    rows = {r.data["rule"]: r.data["rows"] for r in by_rule.records}
    assert rows == quarantined["rows_by_rule"].value


def test_every_table_asset_carries_its_column_schema(runs) -> None:
    materialized = _materializations(runs["projects"] + runs["analysis"])
    for table in catalog.TABLES:
        metadata = materialized[table].metadata
        schema = metadata["dagster/column_schema"]
        assert isinstance(schema, dg.TableSchemaMetadataValue), table
        assert schema.value.columns, table


def test_checks_of_per_project_assets_carry_their_project(runs) -> None:
    per_project = {t.name for t in catalog.TABLES.values() if t.per_project}
    shares = {}
    for project, result in zip(PROJECTS.get_partition_keys(), runs["projects"], strict=True):
        evaluations = result.get_asset_check_evaluations()
        names = {(e.asset_key.to_user_string(), e.check_name) for e in evaluations}
        assert (stages.VALID, "reconciliation") in names
        assert (stages.VALID, "catalog_schema") in names
        # a blocking check that fails stops scoring, and with it scored_responses' check
        expected = per_project if result.success else per_project - {stages.SCORED}
        assert {(t, "catalog_schema") for t in expected} <= names
        for evaluation in evaluations:
            assert evaluation.partition == project, (evaluation.check_name, project)
            if evaluation.check_name == "quarantine_share":
                shares[project] = evaluation.passed
    # every project has its own quarantine_share result, passed or not
    assert set(shares) == set(PROJECTS.get_partition_keys())
    assert not all(shares.values())  # the small demo breaks one project's threshold
    panel_checks = runs["analysis"][0].get_asset_check_evaluations()
    assert panel_checks and all(e.partition is None for e in panel_checks)


def test_markdown_tables_become_typed_tables() -> None:
    text = markdown.table(
        ["term", "n", "estimate", "note"], [["a|b", 3, "0.5", "**x**"], ["c", 4, "1e-3", ""]]
    )
    table = markdown_table(text)
    assert isinstance(table, dg.TableMetadataValue)
    assert [(c.name, c.type) for c in table.schema.columns] == [
        ("term", "string"),
        ("n", "int"),
        ("estimate", "float"),
        ("note", "string"),
    ]
    assert table.records[0].data == {"term": "a|b", "n": 3, "estimate": 0.5, "note": "x"}
    assert markdown_table("not a table") is None
