"""Archive and ingest_project: immutable copies, versions per file name, provenance."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest

from outcomes.ingest import ExportError, ingest_project
from outcomes.ingest.archive import archive_export, export_versions, read_index
from outcomes.workspace import Workspace

from .conftest import KEY, fake_registry, make_spec

T0 = "ID,Meting,Datum,V1,V2,V3,Vrienden\nP1,Nulmeting,01-02-2024,1,2,3,4\nP2,Nulmeting,,2,2,2,1\n"
T1 = "ID,Meting,Datum,V1,V2,V3,Vrienden\nP1,Vervolg,01-08-2024,3,3,3,6\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = Workspace(tmp_path / "ws").ensure()
    (ws.project_landing("testproj")).mkdir(parents=True)
    return ws


def land(ws: Workspace, name: str, text: str) -> Path:
    path = ws.project_landing("testproj") / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(directory).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != ".index.lock"
    }


def test_archive_copy_is_read_only_and_content_addressed(workspace: Workspace) -> None:
    path = land(workspace, "t0.csv", T0)
    entry = archive_export(path, workspace, "testproj")
    digest = hashlib.sha256(T0.encode()).hexdigest()
    assert entry.sha256 == digest and entry.version == 1 and entry.new
    assert entry.path == workspace.archive / f"{digest}.csv"
    assert entry.path.read_bytes() == path.read_bytes()
    assert stat.S_IMODE(entry.path.stat().st_mode) == 0o444


def test_reingest_changes_nothing_and_new_content_is_a_new_version(workspace: Workspace) -> None:
    spec = make_spec()
    land(workspace, "t0.csv", T0)
    land(workspace, "t1.csv", T1)
    landing_before = snapshot(workspace.landing)
    first = ingest_project(spec, workspace, KEY, registry=fake_registry())
    archive_before = snapshot(workspace.archive)
    second = ingest_project(spec, workspace, KEY, registry=fake_registry())
    assert snapshot(workspace.archive) == archive_before
    assert snapshot(workspace.landing) == landing_before
    assert second.responses.equals(first.responses)
    assert [f.new_version for f in second.files] == [False, False]

    changed = T0 + "P3,Nulmeting,,1,1,1,1\n"
    land(workspace, "t0.csv", changed)
    third = ingest_project(spec, workspace, KEY, registry=fake_registry())
    versions = export_versions(workspace, "testproj", "t0.csv")
    assert [v.version for v in versions] == [1, 2]
    assert all((workspace.archive / v.file).is_file() for v in versions)
    info = third.files[0]
    assert (info.name, info.version, info.new_version) == ("t0.csv", 2, True)
    # only the newest version of t0.csv (the one in landing) contributes rows
    t0_rows = third.responses.filter(third.responses["source_file"] == "t0.csv")
    assert t0_rows.height == 3
    assert set(t0_rows["source_sha256"]) == {hashlib.sha256(changed.encode()).hexdigest()}
    index = json.loads((workspace.archive / "index.json").read_text())
    assert set(index) == {"testproj/t0.csv", "testproj/t1.csv"}
    assert read_index(workspace).to_json() == index


def test_ingest_project_provenance_and_summary(workspace: Workspace) -> None:
    land(workspace, "t0.csv", T0)
    land(workspace, "t1.csv", T1)
    result = ingest_project(make_spec(), workspace, KEY, registry=fake_registry())
    frame = result.responses
    assert frame.height == 3 == result.summary["rows_read"] == result.summary["rows_out"]
    assert frame.select("source_file", "source_row").rows() == [
        ("t0.csv", 2),
        ("t0.csv", 3),
        ("t1.csv", 2),
    ]
    assert (
        frame.select(["source_file", "source_sha256", "source_row"])
        .null_count()
        .sum_horizontal()[0]
        == 0
    )
    assert frame["wave"].to_list() == [0, 0, 1]
    assert result.summary["participants"] == 2
    assert "mood_1" in result.summary["columns_mapped"]
    assert [f.rows_read for f in result.files] == [2, 1]


def test_no_exports_is_an_error(workspace: Workspace) -> None:
    with pytest.raises(ExportError, match=r"landing/testproj/: no export files matching"):
        ingest_project(make_spec(), workspace, KEY, registry=fake_registry())


def test_redcap_dictionary_is_not_an_export(workspace: Workspace) -> None:
    land(workspace, "records.csv", "record_id,datum,m1\n1,2024-01-01,1\n")
    land(
        workspace,
        "proj_DataDictionary.csv",
        '"Variable / Field Name","Form Name","Field Type","Field Label",'
        '"Choices, Calculations, OR Slider Labels","Identifier?"\n'
        'record_id,f,text,ID,,\ndatum,f,text,Datum,,\nm1,f,radio,M1,"1, Nooit | 2, Soms",\n',
    )
    spec = make_spec(
        export={"format": "redcap", "pattern": "*.csv"},
        participant_id="record_id",
        wave={"date_order": True},
        assessed_on="datum",
        columns={"m1": "mood_1"},
        instruments=["mood"],
    )
    result = ingest_project(spec, workspace, KEY, registry=fake_registry())
    assert [f.name for f in result.files] == ["records.csv"]
    assert result.responses["mood_1"].to_list() == [1.0]
