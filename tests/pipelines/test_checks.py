"""Every table asset carries a blocking catalog check, evaluated in the asset's own step, and
its materializations the column schema and row count of the file written."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl
import pytest

from outcomes import catalog, stages
from outcomes.stages import StageRecord
from pipelines.checks import CHECK_NAME, catalog_check_result
from pipelines.definitions import defs
from pipelines.ingest.assets import ingest
from pipelines.resources import OutcomesWorkspace, PseudonymKey
from pipelines.scoring.assets import scored_responses
from pipelines.validation.assets import validate

PROJECT = "stamtafel"
PER_PROJECT_TABLES = [t for t in catalog.TABLES.values() if t.per_project]


@pytest.fixture(scope="module")
def graph():
    return defs.resolve_asset_graph()


def test_every_table_asset_has_a_blocking_catalog_check(graph) -> None:
    # every asset computed with polars writes a warehouse table
    tables = {
        key.to_user_string()
        for key in graph.get_all_asset_keys()
        if "polars" in graph.get(key).kinds
    }
    assert tables == set(catalog.TABLES)
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    for table in tables:
        assert (table, CHECK_NAME) in checks, table
        spec = graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey(table), CHECK_NAME))
        assert spec.blocking, table
        assert spec.description and table in spec.description
    # the check is part of the asset's own step, not a step of its own
    assert not defs.asset_checks


def test_per_project_tables_are_the_partitioned_assets(graph) -> None:
    for table in catalog.TABLES.values():
        partitioned = graph.get(dg.AssetKey(table.name)).partitions_def is not None
        assert partitioned == table.per_project, table.name


@pytest.fixture(scope="module")
def checked(small_demo: Path) -> dg.ExecuteInProcessResult:
    """Return one project's ingest → validate → score run with the catalog checks."""
    key = "test-key-for-the-dagster-layer-0123456789abcdef"
    with pytest.MonkeyPatch.context() as patch, dg.instance_for_test() as instance:
        patch.setenv("OUTCOMES_PSEUDONYM_KEY", key)
        result = dg.materialize(
            [ingest, validate, scored_responses],
            partition_key=PROJECT,
            instance=instance,
            resources={
                "outcomes": OutcomesWorkspace(home=str(small_demo)),
                "pseudonym": PseudonymKey(),
            },
        )
    return result


def test_the_checks_pass_on_a_project_run(checked: dg.ExecuteInProcessResult) -> None:
    assert checked.success
    evaluations = {
        e.asset_key.to_user_string(): e
        for e in checked.get_asset_check_evaluations()
        if e.check_name == CHECK_NAME
    }
    assert set(evaluations) == {t.name for t in PER_PROJECT_TABLES}
    for name, evaluation in evaluations.items():
        assert evaluation.passed, (name, evaluation.metadata)
    # every number of a per-project check is named by its project: one plot line per project
    for evaluation in checked.get_asset_check_evaluations():
        assert evaluation.metadata["project"].value == PROJECT, evaluation.check_name
        numbers = [
            key
            for key, value in evaluation.metadata.items()
            if isinstance(value, (dg.IntMetadataValue, dg.FloatMetadataValue))
        ]
        assert numbers and all(k.endswith(f" ({PROJECT})") for k in numbers), numbers


def test_a_failed_check_fails_the_step_and_blocks_downstream(
    checked: dg.ExecuteInProcessResult,
    small_demo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "workspace"
    shutil.copytree(small_demo, home)
    validate_stage = stages.validate_stage

    def validate_and_break(*args: Any, **kwargs: Any) -> tuple[StageRecord, StageRecord]:
        valid, quarantined = validate_stage(*args, **kwargs)
        path = valid.paths["valid"]
        pl.read_parquet(path).with_columns(pl.lit("unknown").alias("gender")).write_parquet(path)
        return valid, quarantined

    monkeypatch.setattr(stages, "validate_stage", validate_and_break)
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [validate, scored_responses],
            partition_key=PROJECT,
            instance=instance,
            resources={"outcomes": OutcomesWorkspace(home=str(home))},
            raise_on_error=False,
        )
    assert not result.success
    evaluations = {
        e.asset_key.to_user_string(): e
        for e in result.get_asset_check_evaluations()
        if e.check_name == CHECK_NAME
    }
    assert evaluations["quarantined_responses"].passed
    broken = evaluations["valid_responses"]
    assert not broken.passed
    assert any(k.startswith("gender") for k in broken.metadata["failing_checks"].value)
    assert [e.step_key for e in result.get_step_failure_events()] == ["validate"]
    assert not result.asset_materializations_for_node(stages.SCORED)


def test_materializations_carry_column_schema_and_row_count(
    checked: dg.ExecuteInProcessResult, small_demo: Path
) -> None:
    materialized = {
        m.asset_key.to_user_string(): m for m in checked.get_asset_materialization_events()
    }
    for table in PER_PROJECT_TABLES:
        metadata = materialized[table.name].materialization.metadata
        frame = pl.read_parquet(small_demo / "warehouse" / table.name / f"{PROJECT}.parquet")
        assert metadata["dagster/row_count"].value == frame.height, table.name
        schema = metadata["dagster/column_schema"].value
        assert [c.name for c in schema.columns] == frame.columns, table.name
        declared = {c.name: c for c in table.columns()}
        for column in schema.columns:
            assert column.type == declared[column.name].type_name, (table.name, column.name)
            assert column.description == declared[column.name].en
        if table.primary_key:
            assert schema.constraints.other == [f"primary key: {', '.join(table.primary_key)}"]


def test_a_broken_file_fails_the_check_and_names_the_column(
    checked: dg.ExecuteInProcessResult, small_demo: Path, tmp_path: Path
) -> None:
    home = tmp_path / "workspace"
    source = small_demo / "warehouse" / "valid_responses" / f"{PROJECT}.parquet"
    target = home / "warehouse" / "valid_responses" / f"{PROJECT}.parquet"
    target.parent.mkdir(parents=True)
    frame = pl.read_parquet(source)
    frame.with_columns(pl.lit("unknown").alias("gender")).write_parquet(target)
    result = catalog_check_result("valid_responses", target, PROJECT)
    assert not result.passed
    assert result.severity == dg.AssetCheckSeverity.ERROR
    assert result.metadata["project"].value == PROJECT
    # numbers are named by project, so the UI plots each project on its own line
    assert f"rows ({PROJECT})" in result.metadata and "rows" not in result.metadata
    assert any(k.startswith("gender") for k in result.metadata["failing_checks"].value)


def test_a_missing_table_fails_the_check(tmp_path: Path) -> None:
    result = catalog_check_result(
        "outcome_panel", tmp_path / "workspace" / "warehouse" / "outcome_panel.parquet"
    )
    assert not result.passed
    assert result.severity == dg.AssetCheckSeverity.ERROR
    assert "materialize outcome_panel" in result.metadata["error"].value
