"""The main job end to end on the demo data: exports → warehouse → models → PDFs."""

from __future__ import annotations

import hashlib
import json

import polars as pl
import pytest

from outcomes.workspace import Workspace

pytestmark = [pytest.mark.xdist_group("demo"), pytest.mark.slow]

PROJECTS = ("kwartiertafel", "netwerkcoach", "samen-oplopen", "stamtafel", "tijdvoorelkaar")


def test_demo_writes_reports_model_and_warehouse(demo_workspace: Workspace) -> None:
    for project in PROJECTS:
        pdf = demo_workspace.reports / f"{project}.nl.pdf"
        assert pdf.read_bytes().startswith(b"%PDF"), pdf
        for table in ("responses", "valid_responses", "scored_responses"):
            assert demo_workspace.table(table, project).exists()
        summary = json.loads((demo_workspace.validation / f"{project}.json").read_text())
        assert summary["rows_read"] == summary["rows_valid"] + summary["rows_quarantined"]
        assert (demo_workspace.quarantine / f"{project}.csv").exists()
    assert (demo_workspace.reports / "synthesis.nl.pdf").read_bytes().startswith(b"%PDF")
    model = json.loads((demo_workspace.analysis / "model.json").read_text())
    assert model["converged"]
    assert set(model["fixed_effects"]) >= {
        "Intercept",
        "years",
        "network_size_bl_c",
        "years:network_size_bl_c",
    }
    assert (demo_workspace.warehouse / "warehouse.duckdb").exists()
    assert "network_size_bl" in (demo_workspace.warehouse / "codebook.md").read_text()


def test_panel_holds_every_project_and_no_identifier(demo_workspace: Workspace) -> None:
    panel = pl.read_parquet(demo_workspace.table("outcome_panel"))
    assert sorted(panel["project"].unique().to_list()) == list(PROJECTS)
    assert (
        panel.select(pl.struct("project", "participant_id", "wave").is_duplicated().any()).item()
        is False
    )
    assert panel["participant_id"].str.starts_with("p").all()
    for table in ("responses", "valid_responses", "scored_responses"):
        for project in PROJECTS:
            frame = pl.read_parquet(demo_workspace.table(table, project))
            lowered = {c.lower() for c in frame.columns}
            assert not lowered & {
                "email",
                "ipaddress",
                "ipaddr",
                "recipientemail",
                "naam",
                "telefoon",
            }
            text = frame.select(pl.col(pl.Utf8)).write_csv()
            assert "@" not in text


def test_planted_matthew_effect_is_found(demo_workspace: Workspace) -> None:
    matthew = json.loads((demo_workspace.analysis / "matthew.json").read_text())
    primary = {
        r["project"]: r["verdict"] if r["role"] == "primary" else r["satterthwaite_verdict"]
        for r in matthew["results"]
        if r["outcome"] == "wellbeing" and r["moderator"] == "network_size_bl"
    }
    assert primary["netwerkcoach"] == "matthew"
    others = {project: primary[project] for project in PROJECTS if project != "netwerkcoach"}
    assert set(others.values()) == {"no_evidence"}, others


def test_second_run_changes_nothing(demo_workspace: Workspace) -> None:
    """Running the demo again gives the same results and does not duplicate data."""
    from pipelines.cli import main

    def without_timings(value: object) -> object:
        if isinstance(value, dict):
            return {k: without_timings(v) for k, v in value.items() if k != "seconds"}
        if isinstance(value, list):
            return [without_timings(v) for v in value]
        return value

    def digests() -> dict[str, str]:
        found = {
            str(p.relative_to(demo_workspace.home)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(demo_workspace.warehouse.rglob("*.parquet"))
        }
        for path in sorted(demo_workspace.analysis.glob("*.json")):
            content = json.dumps(without_timings(json.loads(path.read_text())), sort_keys=True)
            found[path.name] = hashlib.sha256(content.encode()).hexdigest()
        return found

    before = digests()
    archived = sorted(p.name for p in demo_workspace.archive.iterdir())
    assert main(["demo", "--home", str(demo_workspace.home)]) == 0
    after = digests()
    assert after == before
    assert sorted(p.name for p in demo_workspace.archive.iterdir()) == archived
