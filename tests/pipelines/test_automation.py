"""The landing-folder sensor and the weekly re-run schedule."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import dagster as dg
import pytest

from pipelines.definitions import defs
from pipelines.partitions import PROJECTS


@pytest.fixture
def landing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return landing/ of an empty temporary workspace that ``OUTCOMES_HOME`` points at."""
    monkeypatch.setenv("OUTCOMES_HOME", str(tmp_path / "workspace"))
    folder = tmp_path / "workspace" / "landing"
    folder.mkdir(parents=True)
    return folder


def _tick(cursor: str | None) -> dg.SensorResult:
    sensor = defs.resolve_sensor_def("landing_sensor")
    context = dg.build_sensor_context(cursor=cursor, repository_def=defs.get_repository_def())
    return sensor.evaluate_tick(context)


def test_sensor_requests_one_run_per_new_or_changed_export(landing: Path) -> None:
    export = landing / "netwerkcoach" / "NEN_T0_baseline.csv"
    export.parent.mkdir()

    first = _tick(None)
    assert first.run_requests == []

    export.write_text("ExternalReference,Q2\nA1,1\n", encoding="utf-8")
    arrived = _tick(first.cursor)
    assert len(arrived.run_requests) == 1
    request = arrived.run_requests[0]
    assert request.partition_key == "netwerkcoach"
    assert request.job_name in (None, "project_job")
    assert set(json.loads(arrived.cursor)) == {"netwerkcoach/NEN_T0_baseline.csv"}

    again = _tick(arrived.cursor)
    assert again.run_requests == []

    export.write_text("ExternalReference,Q2\nA1,2\n", encoding="utf-8")
    changed = _tick(again.cursor)
    assert [r.partition_key for r in changed.run_requests] == ["netwerkcoach"]
    assert changed.run_requests[0].run_key != request.run_key


def test_sensor_ignores_files_outside_the_spec_pattern(landing: Path) -> None:
    folder = landing / "netwerkcoach"
    folder.mkdir()
    (folder / "notes.txt").write_text("not an export", encoding="utf-8")
    (landing / "unknown-project").mkdir()
    (landing / "unknown-project" / "NEN_T0.csv").write_text("x", encoding="utf-8")
    assert _tick(None).run_requests == []


def test_schedule_is_off_and_requests_project_runs_then_the_synthesis() -> None:
    schedule = defs.resolve_schedule_def("weekly_rerun")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.job_name == "materialize_all"
    when = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
    context = dg.build_schedule_context(
        scheduled_execution_time=when, repository_def=defs.get_repository_def()
    )
    requests = schedule.evaluate_tick(context).run_requests
    assert requests is not None
    projects = PROJECTS.get_partition_keys()
    stages = [r.tags["outcomes/stage"] for r in requests]
    assert stages == ["project_job"] * len(projects) + ["synthesis_job"] + ["report_job"] * len(
        projects
    )
    project_runs = requests[: len(projects)]
    assert [r.partition_key for r in project_runs] == projects
    selected = {key.to_user_string() for key in project_runs[0].asset_selection or []}
    assert selected == {
        "raw_responses",
        "responses",
        "valid_responses",
        "quarantined_responses",
        "scored_responses",
    }
    synthesis = requests[len(projects)]
    assert synthesis.partition_key is None
    synthesis_assets = {key.to_user_string() for key in synthesis.asset_selection or []}
    assert {"outcome_panel", "wellbeing_model", "synthesis_report"} <= synthesis_assets
    assert "funder_report" not in synthesis_assets
    # The run queue starts higher priorities first: projects, then synthesis, then reports.
    priorities = [int(r.tags["dagster/priority"]) for r in requests]
    assert priorities == sorted(priorities, reverse=True)
    assert len({r.run_key for r in requests}) == len(requests)
