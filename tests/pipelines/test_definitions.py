"""The code location loads, and every asset says what it is, who owns it and how it is cut."""

from __future__ import annotations

import dagster as dg
import pytest

from pipelines.definitions import defs
from pipelines.owners import OwnersConfigError, load_owners
from pipelines.partitions import PROJECTS

DEMO_PROJECTS = {"netwerkcoach", "stamtafel", "kwartiertafel", "samen-oplopen", "tijdvoorelkaar"}
PER_PROJECT = {
    "landing_exports",
    "raw_responses",
    "responses",
    "valid_responses",
    "quarantined_responses",
    "scored_responses",
    "funder_report",
}
STAGE_GROUPS = {"ingest", "validation", "scoring", "panel", "analysis", "reports"}


@pytest.fixture(scope="module")
def graph():
    return defs.resolve_asset_graph()


def test_definitions_load_with_every_design_asset(graph) -> None:
    dg.Definitions.validate_loadable(defs)
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    expected = PER_PROJECT | {
        "outcome_panel",
        "attrition",
        "wellbeing_model",
        "project_effects",
        "matthew_effect",
        "pooled_effect",
        "report_tables",
        "synthesis_report",
    }
    assert expected <= keys


def test_every_asset_has_group_description_kinds_and_owners(graph) -> None:
    owners = load_owners()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        name = key.to_user_string()
        assert node.group_name in STAGE_GROUPS, name
        assert node.description and len(node.description) > 40, name
        assert node.kinds, name
        assert node.owners == owners[node.group_name], name


def test_kinds_name_the_tools(graph) -> None:
    kinds = {key.to_user_string(): graph.get(key).kinds for key in graph.get_all_asset_keys()}
    assert "polars" in kinds["valid_responses"]
    assert "statsmodels" in kinds["wellbeing_model"]
    assert "pdf" in kinds["funder_report"]
    assert "pdf" in kinds["synthesis_report"]


def test_per_project_assets_are_partitioned_by_the_demo_projects(graph) -> None:
    assert set(PROJECTS.get_partition_keys()) == DEMO_PROJECTS
    for key in graph.get_all_asset_keys():
        partitions = graph.get(key).partitions_def
        if key.to_user_string() in PER_PROJECT:
            assert partitions is not None, key
            assert set(partitions.get_partition_keys()) == DEMO_PROJECTS
        else:
            assert partitions is None, key


def test_checks_guard_validation_models_and_panel(graph) -> None:
    checks = {
        (check.asset_key.to_user_string(), check.name): check for check in graph.asset_check_keys
    }
    assert ("valid_responses", "reconciliation") in checks
    assert ("valid_responses", "quarantine_share") in checks
    assert ("wellbeing_model", "converged") in checks
    assert ("outcome_panel", "catalog_schema") in checks
    assert not [check for check in checks if check[1] == "panel_schema"]
    specs = {name: graph.get_check_spec(check) for name, check in checks.items()}
    for blocking in (
        ("valid_responses", "reconciliation"),
        ("valid_responses", "quarantine_share"),
        ("wellbeing_model", "converged"),
        ("outcome_panel", "catalog_schema"),
    ):
        assert specs[blocking].blocking, blocking
        assert specs[blocking].description, blocking


def test_jobs_sensor_and_schedule_are_defined() -> None:
    for name in ("project_job", "synthesis_job", "report_job", "materialize_all"):
        assert defs.resolve_job_def(name) is not None
    everything = defs.resolve_job_def("materialize_all")
    graph = defs.resolve_asset_graph()
    assert everything.asset_layer.executable_asset_keys == graph.materializable_asset_keys
    sensor = defs.resolve_sensor_def("landing_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    schedule = defs.resolve_schedule_def("weekly_rerun")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


def test_owners_file_errors_name_the_stage(tmp_path) -> None:
    path = tmp_path / "owners.yaml"
    path.write_text("ingest: [not an owner]\n", encoding="utf-8")
    with pytest.raises(OwnersConfigError, match=r"owners.yaml: stage 'ingest'.*not an owner"):
        load_owners(path)
    path.write_text("- team:research\n", encoding="utf-8")
    with pytest.raises(OwnersConfigError, match="mapping"):
        load_owners(path)
    with pytest.raises(OwnersConfigError, match="not found"):
        load_owners(tmp_path / "missing.yaml")


def test_owners_come_from_the_configured_file(tmp_path, monkeypatch) -> None:
    from pipelines.owners import owners_file, with_owners

    path = tmp_path / "owners.yaml"
    path.write_text("panel: [panel.lead@example.org]\n", encoding="utf-8")
    monkeypatch.setenv("OUTCOMES_OWNERS", str(path))
    assert owners_file() == path
    remapped = with_owners(defs, load_owners()).resolve_asset_graph()
    assert remapped.get(dg.AssetKey("outcome_panel")).owners == ["panel.lead@example.org"]
