"""Pipeline stages as plain functions over the workspace, one module per stage.

Each stage is one step of the data flow (docs/architecture.md, "Stages and lineage"): it reads the
assets its declaration names, calls the library (ingest, validation, instruments, panel, models,
reports), writes its outputs atomically, and returns a small record of what it did (row counts,
paths, verdicts) that the Dagster layer turns into metadata and the command line into progress
lines. No Dagster here: ``pipelines/`` wires these functions into assets and derives every
asset's dependencies from :data:`STAGES`; the CLI and tests call them directly.
"""

from __future__ import annotations

from typing import Any

from outcomes.stages.analysis import (
    DEFAULT_PIPELINE_BOOTSTRAP,
    attrition_analysis_stage,
    bootstrap_replicates,
    matthew_stage,
    network_growth_stage,
    pooled_stage,
    project_effects_stage,
    reliable_change_stage,
    tipping_point_stage,
    wellbeing_model_stage,
)
from outcomes.stages.ingest import ingest_stage
from outcomes.stages.lineage import (
    ASSET_FILES,
    ASSETS,
    ATTRITION,
    ATTRITION_JSON,
    ATTRITION_SENSITIVITY,
    FUNDER_REPORT,
    MATTHEW_EFFECT,
    MATTHEW_JSON,
    MODEL_JSON,
    NETWORK_GROWTH,
    NETWORK_GROWTH_JSON,
    PANEL,
    POOLED_EFFECT,
    POOLED_JSON,
    PROJECT_EFFECTS,
    PROJECT_EFFECTS_JSON,
    QUARANTINED,
    RAW_RESPONSES,
    RELIABLE_CHANGE,
    RELIABLE_CHANGE_JSON,
    REPORT_TABLES,
    RESPONSES,
    SCORED,
    SYNTHESIS,
    SYNTHESIS_REPORT,
    TIPPING_POINT,
    TIPPING_POINT_JSON,
    VALID,
    WELLBEING_MODEL,
    Stage,
    StageFiles,
    StageInputMissing,
    StageIO,
    UndeclaredAsset,
    asset_path,
    mermaid_flowchart,
    per_project,
    stage,
    upstream,
    writers,
)
from outcomes.stages.panel import panel_config_from_env, panel_stage
from outcomes.stages.records import StageRecord, preview_markdown
from outcomes.stages.reports import (
    funder_report_stage,
    report_stage,
    report_tables_stage,
    synthesis_report_stage,
)
from outcomes.stages.scoring import score_stage
from outcomes.stages.validation import validate_stage

#: Every stage, in the order of the data flow; each asset is written by exactly one of them.
STAGES: tuple[Stage[..., Any], ...] = (
    ingest_stage,
    validate_stage,
    score_stage,
    panel_stage,
    wellbeing_model_stage,
    project_effects_stage,
    matthew_stage,
    pooled_stage,
    network_growth_stage,
    attrition_analysis_stage,
    reliable_change_stage,
    tipping_point_stage,
    report_tables_stage,
    funder_report_stage,
    synthesis_report_stage,
)


def lineage() -> dict[str, tuple[str, ...]]:
    """Return asset name → the assets it is made from: what the stage that writes it reads
    (docs/architecture.md, "Stages and lineage")."""
    return upstream(STAGES)


def lineage_flowchart() -> str:
    """Return the Mermaid flowchart of every asset and its inputs that docs/architecture.md
    shows under "Stages and lineage"."""
    return mermaid_flowchart(STAGES)


__all__ = [
    "ASSETS",
    "ASSET_FILES",
    "ATTRITION",
    "ATTRITION_JSON",
    "ATTRITION_SENSITIVITY",
    "DEFAULT_PIPELINE_BOOTSTRAP",
    "FUNDER_REPORT",
    "MATTHEW_EFFECT",
    "MATTHEW_JSON",
    "MODEL_JSON",
    "NETWORK_GROWTH",
    "NETWORK_GROWTH_JSON",
    "PANEL",
    "POOLED_EFFECT",
    "POOLED_JSON",
    "PROJECT_EFFECTS",
    "PROJECT_EFFECTS_JSON",
    "QUARANTINED",
    "RAW_RESPONSES",
    "RELIABLE_CHANGE",
    "RELIABLE_CHANGE_JSON",
    "REPORT_TABLES",
    "RESPONSES",
    "SCORED",
    "STAGES",
    "SYNTHESIS",
    "SYNTHESIS_REPORT",
    "TIPPING_POINT",
    "TIPPING_POINT_JSON",
    "VALID",
    "WELLBEING_MODEL",
    "Stage",
    "StageFiles",
    "StageIO",
    "StageInputMissing",
    "StageRecord",
    "UndeclaredAsset",
    "asset_path",
    "attrition_analysis_stage",
    "bootstrap_replicates",
    "funder_report_stage",
    "ingest_stage",
    "lineage",
    "lineage_flowchart",
    "matthew_stage",
    "mermaid_flowchart",
    "network_growth_stage",
    "panel_config_from_env",
    "panel_stage",
    "per_project",
    "pooled_stage",
    "preview_markdown",
    "project_effects_stage",
    "reliable_change_stage",
    "report_stage",
    "report_tables_stage",
    "score_stage",
    "stage",
    "synthesis_report_stage",
    "tipping_point_stage",
    "upstream",
    "validate_stage",
    "wellbeing_model_stage",
    "writers",
]
