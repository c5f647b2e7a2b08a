"""The typed documents against what the pipeline really writes (docs/architecture.md,
"Documents")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from outcomes.atomic import write_json
from outcomes.documents import (
    DOCUMENTS,
    ArchiveIndex,
    DocumentError,
    MatthewDocument,
    ModelResult,
    PooledDocument,
    ReportTables,
    ValidationSummary,
    checked,
)
from outcomes.documents.reference import BEGIN, END, documents_markdown
from outcomes.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]


def _written(workspace: Workspace) -> dict[Path, type]:
    """Return every document file of ``workspace`` with its declaration."""
    found: dict[Path, type] = {}
    for kind in DOCUMENTS:
        found.update(
            {
                path: kind
                for path in sorted(workspace.home.glob(kind.file.replace("<project>", "*")))
            }
        )
    return found


def test_every_document_of_the_demo_round_trips_byte_identically(
    demo_workspace: Workspace, tmp_path: Path
) -> None:
    written = _written(demo_workspace)
    kinds = set(written.values())
    assert kinds == set(DOCUMENTS), f"no file in the demo for {set(DOCUMENTS) - kinds}"
    for path, kind in written.items():
        document = kind.from_json(json.loads(path.read_text(encoding="utf-8")))
        again = write_json(tmp_path / path.name, document.to_json())
        assert again.read_bytes() == path.read_bytes(), path


def test_the_demo_writes_no_undeclared_json_document(demo_workspace: Workspace) -> None:
    declared = set(_written(demo_workspace))
    analysis = set(demo_workspace.analysis.glob("*.json"))
    validation = set(demo_workspace.validation.glob("*.json"))
    tables = set((demo_workspace.home / "reports" / "tables").glob("*.json"))
    archive = set(demo_workspace.archive.glob("*.json"))
    assert tables and archive
    assert analysis | validation | tables | archive <= declared


def _model(demo_workspace: Workspace) -> dict:
    return json.loads((demo_workspace.analysis / "model.json").read_text(encoding="utf-8"))


def test_a_missing_key_names_the_document_and_the_key(demo_workspace: Workspace) -> None:
    data = _model(demo_workspace)
    del data["fixed_effects"]["years"]["se"]
    with pytest.raises(DocumentError, match=r"analysis/model\.json\.fixed_effects\.years.*'se'"):
        checked(ModelResult, data)


def test_an_undeclared_key_names_the_document_and_the_key(demo_workspace: Workspace) -> None:
    data = json.loads((demo_workspace.validation / "stamtafel.json").read_text(encoding="utf-8"))
    data["per_rule"] = data.pop("rows_by_rule")
    with pytest.raises(DocumentError, match=r"validation/<project>\.json: key 'per_rule'"):
        ValidationSummary.from_json(data)


def test_a_value_of_the_wrong_kind_names_the_document_and_the_key(
    demo_workspace: Workspace,
) -> None:
    data = json.loads((demo_workspace.analysis / "matthew.json").read_text(encoding="utf-8"))
    data["results"][0]["n_participants"] = "many"
    with pytest.raises(
        DocumentError, match=r"analysis/matthew\.json\.results\[0\]\.n_participants: expected"
    ):
        MatthewDocument.from_json(data)


def test_a_pooled_entry_without_parameter_is_refused(demo_workspace: Workspace) -> None:
    data = json.loads((demo_workspace.analysis / "pooled.json").read_text(encoding="utf-8"))
    del data["results"][0]["parameter"]
    with pytest.raises(DocumentError, match=r"results\[0\].*'parameter'.*missing"):
        PooledDocument.from_json(data)


def test_an_optional_key_keeps_its_absence_and_its_null() -> None:
    row = {"network_group": "small", "participants": 3, "completers": 2, "dropouts": 1,
           "baseline_only": 0, "share_not_completed": 1 / 3}  # fmt: skip
    from outcomes.documents.attrition import DropoutRow

    assert DropoutRow.from_json(row).to_json() == row
    assert DropoutRow.from_json({**row, "project": None}).to_json() == {**row, "project": None}


def test_architecture_lists_every_document_as_declared() -> None:
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert BEGIN in text and END in text, "docs/architecture.md lacks the Documents section"
    start = text.index(BEGIN)
    written = text[start : text.index(END, start) + len(END)]
    assert written == documents_markdown(), (
        "docs/architecture.md's Documents section differs from the declarations; regenerate it "
        "with outcomes.documents.reference.documents_markdown()"
    )


def _tables(demo_workspace: Workspace, report: str) -> dict:
    path = demo_workspace.home / "reports" / "tables" / f"{report}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_report_tables_read_typed_with_empty_parts_as_none(demo_workspace: Workspace) -> None:
    project = ReportTables.from_json(_tables(demo_workspace, "stamtafel"))
    synthesis = ReportTables.from_json(_tables(demo_workspace, "synthesis"))
    assert project.kind == "project" and project.quality is not None and project.projects is None
    assert synthesis.kind == "synthesis" and synthesis.quality is None
    assert synthesis.projects is not None and synthesis.pooled
    assert synthesis.to_json()["quality"] == {} and project.to_json()["projects"] == {}


def test_a_report_table_that_differs_from_its_declaration_fails_when_written(
    demo_workspace: Workspace,
) -> None:
    data = _tables(demo_workspace, "stamtafel")
    del data["participation"]["groups"]
    with pytest.raises(
        DocumentError, match=r"reports/tables/<project>\.json\.participation.*'groups'"
    ):
        checked(ReportTables, data)
    data = _tables(demo_workspace, "synthesis")
    data["matthew_by_project"][0]["verdict"] = 1
    with pytest.raises(DocumentError, match=r"matthew_by_project\[0\]\.verdict: expected"):
        checked(ReportTables, data)


def test_the_archive_index_is_one_object_keyed_by_export(demo_workspace: Workspace) -> None:
    data = json.loads((demo_workspace.archive / "index.json").read_text(encoding="utf-8"))
    index = ArchiveIndex.from_json(data)
    assert set(index.exports) == set(data) and all("/" in key for key in index.exports)
    assert index.to_json() == data
    first = next(iter(data))
    data[first][0]["size"] = "big"
    with pytest.raises(DocumentError, match=r"archive/index\.json\..*\[0\]\.size: expected"):
        checked(ArchiveIndex, data)
