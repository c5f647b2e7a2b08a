"""The summary table printed at the end of ``outcomes run`` and ``outcomes demo``."""

from __future__ import annotations

import json
from pathlib import Path

from outcomes.stages.lineage import FUNDER_REPORT, SYNTHESIS_REPORT, asset_path
from outcomes.workspace import Workspace


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _shown(path: Path) -> str:
    return str(path) if path.exists() else "-"


def run_summary_table(workspace: Workspace, lang: str) -> str:
    """Return a plain-text table: rows per project, quarantined, the Matthew verdict on the
    primary question (wellbeing by baseline network size), and the report in ``lang``, the
    language the run wrote its reports in (README.md, "What is where"); reports in another
    language left in the workspace by an earlier run are not listed."""
    matthew = _load(workspace.analysis / "matthew.json")
    verdicts = {
        r.get("project"): r.get("verdict")
        for r in matthew.get("results", [])
        if r.get("outcome", "wellbeing") == "wellbeing"
        and r.get("moderator", "network_size_bl") == "network_size_bl"
    }
    lines = [f"{'project':<16}{'rows':>7}{'valid':>7}{'quarant.':>9}  {'verdict':<12} report"]
    for summary_path in sorted(workspace.validation.glob("*.json")):
        project = summary_path.stem
        summary = _load(summary_path)
        report = asset_path(workspace, FUNDER_REPORT, project=project, lang=lang)
        lines.append(
            f"{project:<16}{summary.get('rows_read', 0):>7}{summary.get('rows_valid', 0):>7}"
            f"{summary.get('rows_quarantined', 0):>9}  {verdicts.get(project) or '-':<12} "
            f"{_shown(report)}"
        )
    synthesis = asset_path(workspace, SYNTHESIS_REPORT, lang=lang)
    lines.append(
        f"{'all projects':<16}{'':>7}{'':>7}{'':>9}  {verdicts.get('all') or '-':<12} "
        f"{_shown(synthesis)}"
    )
    lines.append("")
    lines.append(f"panel:   {workspace.table('outcome_panel')}")
    lines.append(f"models:  {workspace.analysis / 'model.json'}")
    lines.append(f"reports: {workspace.reports}")
    return "\n".join(lines)
