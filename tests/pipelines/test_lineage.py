"""Lineage by construction: what Dagster knows of each asset's inputs is what its stage reads.

Every stage declares the assets it reads and writes (``outcomes.stages.lineage``); the stage
code reaches files only through that declaration, and ``pipelines/`` derives every asset's
dependencies from it. These tests hold the three together.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import dagster as dg
import pytest

from outcomes import stages
from outcomes.stages import (
    FUNDER_REPORT,
    MATTHEW_EFFECT,
    PANEL,
    PROJECT_EFFECTS,
    REPORT_TABLES,
    SCORED,
    WELLBEING_MODEL,
    StageInputMissing,
    UndeclaredAsset,
    stage,
)
from outcomes.workspace import Workspace
from pipelines.definitions import defs
from pipelines.sources import LANDING_EXPORTS

REPO = Path(__file__).resolve().parents[2]
STAGE_MODULES = REPO / "src" / "outcomes" / "stages"


@pytest.fixture(scope="module")
def specs() -> dict[str, dg.AssetSpec]:
    """The specs of the assets the stages write (not the observed exports they start from)."""
    return {
        spec.key.to_user_string(): spec
        for spec in defs.resolve_all_asset_specs()
        if spec.key != LANDING_EXPORTS
    }


def test_the_definitions_hold_every_declared_asset_and_nothing_else(specs) -> None:
    assert set(specs) == set(stages.ASSETS)
    assert set(stages.writers(stages.STAGES)) == set(stages.ASSETS)


def _expected_upstream(name: str) -> set[str]:
    """What its stage reads; for a per-project asset that reads only all-project assets, also
    the per-project inputs of those (``pipelines.lineage.carried_project_inputs``)."""
    lineage = stages.lineage()
    reads = set(lineage[name])
    if stages.per_project(name) and not any(stages.per_project(r) for r in reads):
        reads |= {inner for r in reads for inner in lineage[r] if stages.per_project(inner)}
    return reads


def test_every_asset_depends_on_exactly_what_its_stage_reads(specs) -> None:
    graph = defs.resolve_asset_graph()
    for name, spec in specs.items():
        declared = {dg.AssetKey(asset) for asset in _expected_upstream(name)}
        # a stage that reads no asset reads its project's exports
        expected = declared or {LANDING_EXPORTS}
        assert {dep.asset_key for dep in spec.deps} == expected, name
        assert graph.get(spec.key).parent_keys == expected, name
        if name != FUNDER_REPORT:
            assert declared == {dg.AssetKey(a) for a in stages.lineage()[name]}, name


def test_a_project_report_also_follows_the_project_inputs_of_its_report_tables(specs) -> None:
    assert stages.lineage()[FUNDER_REPORT] == (REPORT_TABLES,)
    assert {dep.asset_key.to_user_string() for dep in specs[FUNDER_REPORT].deps} == {
        REPORT_TABLES,
        stages.VALID,
        stages.RAW_RESPONSES,
    }


def test_exactly_the_per_project_assets_are_partitioned(specs) -> None:
    graph = defs.resolve_asset_graph()
    for name, spec in specs.items():
        assert (graph.get(spec.key).partitions_def is not None) == stages.per_project(name), name


def test_the_inputs_of_the_report_tables_and_the_matthew_check(specs) -> None:
    def upstream(name: str) -> set[str]:
        return {dep.asset_key.to_user_string() for dep in specs[name].deps}

    assert PROJECT_EFFECTS in upstream(REPORT_TABLES)
    assert "network_growth" not in upstream(REPORT_TABLES)
    assert "attrition_sensitivity" not in upstream(REPORT_TABLES)
    assert upstream(MATTHEW_EFFECT) == {PANEL}


def test_each_asset_is_in_the_group_of_its_stage_module(specs) -> None:
    writers = stages.writers(stages.STAGES)
    for name, spec in specs.items():
        assert spec.group_name == writers[name].group, name


def test_a_stage_reading_an_asset_it_did_not_declare_fails(tmp_path: Path) -> None:
    @stage(reads=(PANEL,), writes=(WELLBEING_MODEL,))
    def sneaky_stage(files: stages.StageFiles) -> object:
        return files.table(SCORED, "netwerkcoach")

    with pytest.raises(UndeclaredAsset, match=r"'sneaky' reads 'scored_responses'.*declare"):
        sneaky_stage(Workspace(tmp_path))

    files = sneaky_stage.io.files(Workspace(tmp_path))
    with pytest.raises(UndeclaredAsset, match="writes 'outcome_panel' but does not declare"):
        files.output(PANEL)
    with pytest.raises(StageInputMissing, match="outcome_panel has not been materialized"):
        files.table(PANEL)


def test_a_declaration_names_only_assets(tmp_path: Path) -> None:
    with pytest.raises(UndeclaredAsset, match=r"'outcome_pannel'.*not assets"):
        stage(reads=("outcome_pannel",), writes=(WELLBEING_MODEL,))(lambda files: None)
    with pytest.raises(ValueError, match="both reads and writes outcome_panel"):
        stage(reads=(PANEL,), writes=(PANEL,))(lambda files: None)
    with pytest.raises(UndeclaredAsset, match="has no file 'csv'"):
        stages.asset_path(Workspace(tmp_path), PANEL, "csv")


def test_asset_files_are_where_the_workspace_puts_them(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    assert stages.asset_path(workspace, SCORED, project="p") == workspace.table(SCORED, "p")
    assert stages.asset_path(workspace, PANEL) == workspace.table(PANEL)
    assert stages.asset_path(workspace, MATTHEW_EFFECT) == workspace.analysis / "matthew.json"
    assert stages.asset_path(workspace, stages.VALID, "validation", project="p") == (
        workspace.validation / "p.json"
    )
    assert stages.asset_path(workspace, REPORT_TABLES, report="p") == (
        workspace.reports / "tables" / "p.json"
    )


def _reaches_into_a_workspace(node: ast.AST) -> bool:
    """Whether ``node`` is ``workspace.<anything>`` or ``<x>.workspace.<anything>``."""
    if not isinstance(node, ast.Attribute):
        return False
    inner = node.value
    return (isinstance(inner, ast.Name) and inner.id == "workspace") or (
        isinstance(inner, ast.Attribute) and inner.attr == "workspace"
    )


def test_stage_code_reaches_asset_files_only_through_its_declaration() -> None:
    for sneaking in ("workspace.table(SCORED)", "files.workspace.analysis / 'model.json'"):
        assert any(_reaches_into_a_workspace(n) for n in ast.walk(ast.parse(sneaking)))
    modules = sorted(p for p in STAGE_MODULES.glob("*.py") if p.name != "lineage.py")
    assert {p.stem for p in modules} >= {"ingest", "validation", "scoring", "panel", "analysis",
                                          "reports"}  # fmt: skip
    found = [
        f"{path.name}:{node.lineno}"
        for path in modules
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if _reaches_into_a_workspace(node)
    ]
    assert not found, "stage code reaches workspace files around its declaration: " + ", ".join(
        found
    )


def test_the_flowchart_in_the_architecture_document_is_generated_from_the_declarations() -> None:
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("\n## Stages and lineage\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```mermaid\n(.*?)\n```", section, re.DOTALL)
    assert block is not None, "docs/architecture.md, 'Stages and lineage', has no mermaid block"
    assert block.group(1) == stages.lineage_flowchart(), (
        "regenerate the block with: uv run python -c "
        "'from outcomes.stages import lineage_flowchart; print(lineage_flowchart())'"
    )
