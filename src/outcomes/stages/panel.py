"""The panel stage: every project's ``scored_responses`` → ``outcome_panel`` and ``attrition``."""

from __future__ import annotations

import os
from typing import Any

import polars as pl

from outcomes import atomic
from outcomes.specs import ProjectSpec
from outcomes.stages.lineage import ATTRITION, PANEL, SCORED, StageFiles, StageInputMissing, stage
from outcomes.stages.records import StageRecord, preview_markdown


def panel_config_from_env() -> Any:
    """Return the panel configuration; ``OUTCOMES_NETWORK_CUTOFFS="5,12"`` sets the upper
    bounds of the small and medium network groups (default: tertiles of the pooled baseline;
    README.md, "Configuration")."""
    from outcomes.panel import PanelConfig, PanelError

    configured = os.environ.get("OUTCOMES_NETWORK_CUTOFFS", "").strip()
    if not configured:
        return PanelConfig()
    try:
        lower, upper = (float(part) for part in configured.split(","))
    except ValueError:
        raise PanelError(
            f"OUTCOMES_NETWORK_CUTOFFS={configured!r}: expected two numbers like '5,12' "
            "(upper bounds of the small and medium network groups)"
        ) from None
    if not lower < upper:
        raise PanelError(
            f"OUTCOMES_NETWORK_CUTOFFS={configured!r}: the first cut-off must be below the second"
        )
    return PanelConfig(network_cutoffs=(lower, upper))


@stage(reads=(SCORED,), writes=(PANEL, ATTRITION))
def panel_stage(
    files: StageFiles, specs: dict[str, ProjectSpec], config: Any = None
) -> tuple[StageRecord, StageRecord]:
    """Build ``outcome_panel`` (with the codebook and the DuckDB views) and ``attrition`` from
    every project's scored responses; return their records (README.md, "What is where")."""
    from outcomes.catalog import instruments_in_use
    from outcomes.codebook import build_codebook
    from outcomes.panel import attrition_table, build_panel
    from outcomes.warehouse import refresh_views

    scored = {
        project: files.table(SCORED, project)
        for project in specs
        if files.input(SCORED, project=project).exists()
    }
    if not scored:
        raise StageInputMissing("no project has scored responses yet; run the project steps first")
    used = instruments_in_use(specs[project] for project in scored)
    panel = build_panel(scored, config or panel_config_from_env(), used)
    path = atomic.write_parquet(files.output(PANEL), panel.frame)
    codebook_path = atomic.write_text(
        files.output(PANEL, "codebook"),
        build_codebook({project: specs[project] for project in sorted(scored)}),
    )
    attrition = attrition_table(panel.frame)
    attrition_path = atomic.write_parquet(files.output(ATTRITION), attrition)
    duckdb_path = refresh_views(files.workspace)
    participants = panel.frame.select(pl.col("project"), pl.col("participant_id")).unique()
    panel_record = StageRecord(
        PANEL,
        rows=panel.frame.height,
        paths={"panel": path, "duckdb": duckdb_path, "codebook": codebook_path},
        metadata={
            "participants": participants.height,
            "projects": sorted(scored),
            "network_cutoffs": list(panel.network_cutoffs),
            "cutoff_source": panel.cutoff_source,
            "notes": panel.notes,
        },
    )
    attrition_record = StageRecord(
        ATTRITION,
        rows=attrition.height,
        paths={"attrition": attrition_path},
        metadata={"preview": preview_markdown(attrition, rows=15)},
    )
    return panel_record, attrition_record
