"""Freshness: code versions, the exports as an observed source, automation that is off by
default, and the job that refreshes one project (docs/architecture.md, "Freshness and
automation")."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from dagster._core.scheduler.instigation import InstigatorStatus

from outcomes import stages
from outcomes.stages import StageFiles, stage
from outcomes.workspace import Workspace
from pipelines.definitions import defs
from pipelines.lineage import code_version
from pipelines.partitions import PROJECTS
from pipelines.resources import OutcomesWorkspace, project_specs
from pipelines.runs import instance_at_load
from pipelines.schedules import (
    stored_trigger_status,
    trigger_defaults,
    trigger_status,
    with_automation,
)
from pipelines.sources import LANDING_EXPORTS, landing_data_version, landing_exports

EXPORT = "NEN_T0_baseline.csv"


@pytest.fixture(scope="module")
def graph():
    return defs.resolve_asset_graph()


def test_definitions_load() -> None:
    dg.Definitions.validate_loadable(defs)


def test_every_asset_has_a_code_version_derived_from_its_stage(graph) -> None:
    for key in graph.get_all_asset_keys():
        assert graph.get(key).code_version, key
    for declared in stages.STAGES:
        for name in declared.io.writes:
            assert graph.get(dg.AssetKey(name)).code_version == code_version(declared), name


def test_code_version_follows_the_stage_code() -> None:
    def body(files: StageFiles, factor: int) -> int:
        return factor

    def other_body(files: StageFiles, factor: int) -> int:
        return factor * 2

    writes = (stages.SCORED,)
    first = stage(writes=writes)(body)
    assert code_version(first) == code_version(stage(writes=writes)(body))
    assert code_version(first) != code_version(stage(writes=writes)(other_body))


def _observed_version(home: Path, project: str) -> str:
    observe = dg.Definitions(
        assets=[landing_exports],
        jobs=[dg.define_asset_job("observe", selection=[LANDING_EXPORTS])],
        resources={"outcomes": OutcomesWorkspace(home=str(home))},
    ).resolve_job_def("observe")
    result = observe.execute_in_process(partition_key=project)
    [observation] = [
        event.asset_observation_data.asset_observation
        for event in result.all_events
        if event.event_type_value == "ASSET_OBSERVATION"
    ]
    assert observation.asset_key == LANDING_EXPORTS
    assert observation.partition == project
    version = observation.tags["dagster/data_version"]
    assert version == landing_data_version(Workspace(home), project_specs()[project])
    return version


def test_a_changed_export_changes_the_observed_data_version(tmp_path: Path) -> None:
    home = tmp_path / "workspace"
    export = home / "landing" / "netwerkcoach" / EXPORT
    export.parent.mkdir(parents=True)
    export.write_text("ExternalReference,Q2\nA1,1\n", encoding="utf-8")
    first = _observed_version(home, "netwerkcoach")
    assert _observed_version(home, "netwerkcoach") == first

    export.write_text("ExternalReference,Q2\nA1,2\n", encoding="utf-8")
    changed = _observed_version(home, "netwerkcoach")
    assert changed != first

    (export.parent / "notes.txt").write_text("not an export", encoding="utf-8")
    assert _observed_version(home, "netwerkcoach") == changed


def test_ingest_reads_the_observed_exports_of_its_project(graph) -> None:
    source = graph.get(LANDING_EXPORTS)
    assert source.is_observable and not source.is_materializable
    assert source.partitions_def == PROJECTS
    for name in stages.ingest_stage.io.writes:
        assert graph.get(dg.AssetKey(name)).parent_keys == {LANDING_EXPORTS}


def test_automation_is_off_by_default_and_covers_every_asset(graph) -> None:
    sensor = defs.resolve_sensor_def("freshness_sensor")
    assert isinstance(sensor, dg.AutomationConditionSensorDefinition)
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    targeted = sensor.asset_selection.resolve(graph)
    assert targeted == set(graph.get_all_asset_keys())
    for key in graph.get_all_asset_keys():
        assert graph.get(key).automation_condition is not None, key
    # ingest runs on a changed data version of the exports, not on every observation
    ingest = graph.get(dg.AssetKey(stages.RESPONSES)).automation_condition
    assert "data_version_changed" in _names(ingest)
    panel = graph.get(dg.AssetKey("outcome_panel")).automation_condition
    assert panel.get_label() == "eager"
    assert "data_version_changed" not in _names(panel)


def _names(condition: dg.AutomationCondition) -> set[str]:
    return {condition.name}.union(*(_names(child) for child in condition.children))


def test_asset_pages_say_what_would_refresh_them_and_that_it_is_off(graph) -> None:
    for key in graph.get_all_asset_keys():
        note = graph.get(key).metadata["refreshed_by"].value
        assert "freshness_sensor" in note and "off by default" in note, key
    landing_sensor = "landing_sensor"
    assert landing_sensor in graph.get(dg.AssetKey(stages.SCORED)).metadata["refreshed_by"].value
    assert (
        landing_sensor not in graph.get(dg.AssetKey("funder_report")).metadata["refreshed_by"].value
    )
    assert (
        "weekly_rerun" in graph.get(dg.AssetKey("synthesis_report")).metadata["refreshed_by"].value
    )


def test_asset_pages_say_whether_each_trigger_was_on_when_the_code_location_loaded() -> None:
    defaults = trigger_defaults(defs)
    # the defaults come from the definitions: every trigger is off until switched on
    assert defaults == {"freshness_sensor": False, "weekly_rerun": False, "landing_sensor": False}
    stored = {
        "freshness_sensor": InstigatorStatus.RUNNING,  # switched on in the UI
        "weekly_rerun": InstigatorStatus.DECLARED_IN_CODE,  # never switched
        "abandoned_runs": InstigatorStatus.RUNNING,  # not a trigger of any asset
    }
    status = trigger_status(stored, defaults)
    assert status == {"freshness_sensor": True, "weekly_rerun": False, "landing_sensor": False}
    assert trigger_status({"weekly_rerun": InstigatorStatus.STOPPED}, {"weekly_rerun": True}) == {
        "weekly_rerun": False
    }
    graph = with_automation(defs, stored).resolve_asset_graph()
    note = graph.get(dg.AssetKey(stages.SCORED)).metadata["refreshed_by"].value
    assert "| Status at load |" in note
    assert "| `freshness_sensor` (sensor) | **on** (off by default) |" in note
    assert "| `weekly_rerun` (schedule) | **off** (off by default) |" in note
    assert "| `landing_sensor` (sensor) | **off** (off by default) |" in note


def test_without_an_instance_the_pages_show_the_defaults(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    with instance_at_load() as instance:
        assert stored_trigger_status(instance) is None
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with instance_at_load() as instance:
        assert stored_trigger_status(instance) == {}  # a fresh instance: nothing switched yet


def test_the_refresh_job_runs_one_project_to_its_report_and_the_synthesis(graph) -> None:
    job = defs.resolve_job_def("refresh_project")
    selected = {key.to_user_string() for key in job.asset_layer.executable_asset_keys}
    assert {
        "landing_exports",
        "raw_responses",
        "responses",
        "valid_responses",
        "scored_responses",
        "outcome_panel",
        "wellbeing_model",
        "pooled_effect",
        "report_tables",
        "funder_report",
        "synthesis_report",
    } <= selected
    assert selected == {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert job.partitions_def == PROJECTS
