"""End to end: the five demo projects' exports through their specs into canonical responses."""

from __future__ import annotations

import json

import polars as pl
import pytest

from outcomes.demo import write_demo
from outcomes.ingest import ingest_project, load_specs, read_export
from outcomes.ingest.canonical import META_COLUMNS, PROVENANCE_COLUMNS, instrument_registry
from outcomes.workspace import Workspace

from .conftest import KEY

#: planted defect kind (demo truth) → the ingest issue rule that must flag that row
DEFECT_RULES = {
    "mistyped_id": "participant_id_near_duplicate",
    "unknown_label": "unknown_label",
    "malformed_date": "bad_date",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, dict]:
    home = tmp_path_factory.mktemp("demo")
    write_demo(home, n_participants=200)
    truth = json.loads((home / "demo" / "truth.json").read_text())
    return Workspace(home).ensure(), truth


@pytest.mark.parametrize(
    "project", ["netwerkcoach", "stamtafel", "kwartiertafel", "samen-oplopen", "tijdvoorelkaar"]
)
def test_demo_project_ingests_completely_and_safely(
    demo: tuple[Workspace, dict], project: str
) -> None:
    workspace, truth = demo
    spec = load_specs()[project]
    result = ingest_project(spec, workspace, KEY)
    frame = result.responses
    expected = truth["projects"][project]

    # rows in = rows out, and every row carries provenance
    assert frame.height == result.summary["rows_read"] == expected["n_rows"]
    assert sorted(frame["source_file"].unique()) == sorted(expected["files"])
    provenance = frame.select("source_file", "source_sha256", "source_row")
    assert provenance.null_count().sum_horizontal()[0] == 0
    assert frame.select("source_file", "source_row").is_unique().all()

    # exactly the contract's columns: no identifier, free-text or raw column survives
    registry = instrument_registry()
    items = [c for key in spec.instruments for c in registry[key].item_columns]
    assert frame.columns == [*META_COLUMNS, *items, *PROVENANCE_COLUMNS]
    assert frame["participant_id"].str.contains(r"^p[0-9a-f]{64}$").all()
    assert set(frame["project"]) == {project}
    assert result.summary["unmapped"] == {}

    # identifier values of the exports appear nowhere in the output
    landing = workspace.project_landing(project)
    secrets: set[str] = set()
    for info in result.files:
        raw = read_export(landing / info.name, spec)
        for column in [*spec.identifiers, *spec.free_text, spec.participant_id]:
            resolved = raw.resolve(column)
            if resolved is not None:
                values = raw.frame[resolved].drop_nulls().cast(pl.String)
                secrets |= {v for v in values.to_list() if len(v.strip()) > 3}
    text = json.dumps(frame.to_dicts(), default=str)
    leaked = sorted(s for s in secrets if s in text)
    assert leaked == []

    # the planted defects ingest can see are flagged on exactly their rows
    issues = (
        frame.select("source_file", "source_row", "ingest_issues")
        .explode("ingest_issues")
        .drop_nulls("ingest_issues")
        .select("source_file", "source_row", pl.col("ingest_issues").struct.field("rule"))
    )
    found = set(issues.rows())
    planted = {
        (d["file"], d["row"], DEFECT_RULES[d["kind"]])
        for d in expected["defects"]
        if d["kind"] in DEFECT_RULES
    }
    assert found == planted


def test_reingesting_the_demo_changes_nothing(demo: tuple[Workspace, dict]) -> None:
    workspace, _ = demo
    spec = load_specs()["stamtafel"]
    first = ingest_project(spec, workspace, KEY)
    index = (workspace.archive / "index.json").read_bytes()
    second = ingest_project(spec, workspace, KEY)
    assert second.responses.equals(first.responses)
    assert (workspace.archive / "index.json").read_bytes() == index
    assert all(not f.new_version for f in second.files)


def test_specs_dir_has_the_five_demo_projects() -> None:
    assert set(load_specs()) == {
        "netwerkcoach",
        "stamtafel",
        "kwartiertafel",
        "samen-oplopen",
        "tijdvoorelkaar",
    }
