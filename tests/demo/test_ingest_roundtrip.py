"""The demo exports go through the real ingest with their specs, and the defects a reader can
see (unknown labels, malformed dates, mistyped IDs) come out exactly where the truth says."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from outcomes.demo import PROJECT_IDS, DemoTruth
from outcomes.ingest.project import ingest_project
from outcomes.specs import default_specs_dir, load_spec
from outcomes.workspace import Workspace

RULE_OF_KIND = {
    "unknown_label": "unknown_label",
    "malformed_date": "bad_date",
    "mistyped_id": "participant_id_near_duplicate",
}


@pytest.mark.parametrize("project", PROJECT_IDS)
def test_ingest_maps_everything_and_finds_the_planted_defects(
    project: str, demo_home: Path, truth: DemoTruth, tmp_path: Path
) -> None:
    # a private workspace: ingest archives the exports it reads
    workspace = Workspace(tmp_path).ensure()
    landing = workspace.project_landing(project)
    landing.mkdir(parents=True)
    for name in truth.projects[project]["files"]:
        (landing / name).write_bytes((demo_home / "landing" / project / name).read_bytes())
    spec = load_spec(default_specs_dir() / f"{project}.yaml")
    result = ingest_project(spec, workspace, b"demo-test-key-0123456789abcdef01")
    t = truth.projects[project]
    assert result.responses.height == t["n_rows"]
    assert result.summary["unmapped"] == {}
    assert result.summary["identifier_like_dropped"] == {}
    assert result.responses["wave"].null_count() == 0
    assert result.responses["wave"].max() == len(t["waves"]) - 1
    issues = (
        result.responses.select("source_file", "source_row", "ingest_issues")
        .explode("ingest_issues")
        .drop_nulls("ingest_issues")
        .unnest("ingest_issues")
    )
    found = {
        (f, r, rule) for f, r, rule in issues.select("source_file", "source_row", "rule").rows()
    }
    planted = {
        (d["file"], d["row"], RULE_OF_KIND[d["kind"]])
        for d in t["defects"]
        if d["kind"] in RULE_OF_KIND
    }
    assert planted == found


def _ingest(project: str, demo_home: Path, truth: DemoTruth, home: Path) -> pl.DataFrame:
    workspace = Workspace(home).ensure()
    landing = workspace.project_landing(project)
    landing.mkdir(parents=True)
    for name in truth.projects[project]["files"]:
        (landing / name).write_bytes((demo_home / "landing" / project / name).read_bytes())
    spec = load_spec(default_specs_dir() / f"{project}.yaml")
    return ingest_project(spec, workspace, b"demo-test-key-0123456789abcdef01").responses


@pytest.mark.parametrize(
    "project",
    ["netwerkcoach", "samen-oplopen", "tijdvoorelkaar"],
)
def test_incomplete_submissions_are_marked(
    project: str, demo_home: Path, truth: DemoTruth, tmp_path: Path
) -> None:
    responses = _ingest(project, demo_home, truth, tmp_path)
    completed = responses.sort("source_file", "source_row")["completed"]
    assert completed.dtype == pl.Boolean
    assert 0 < (~completed).sum() < 0.1 * responses.height
