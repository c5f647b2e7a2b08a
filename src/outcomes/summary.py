"""The summary table printed at the end of ``outcomes run`` and ``outcomes demo``."""

from __future__ import annotations

from pathlib import Path

from outcomes import documents
from outcomes.documents import MatthewDocument, ValidationSummary
from outcomes.stages.lineage import FUNDER_REPORT, SYNTHESIS_REPORT, asset_path
from outcomes.workspace import Workspace


def _shown(path: Path) -> str:
    return str(path) if path.exists() else "-"


def run_summary_table(workspace: Workspace, lang: str) -> str:
    """Return a plain-text table: rows per project, quarantined, the Matthew verdict on the
    primary question (wellbeing by baseline network size), and the report in ``lang``, the
    language the run wrote its reports in (README.md, "What is where"); reports in another
    language left in the workspace by an earlier run are not listed. Reads
    ``validation/<project>.json`` and ``analysis/matthew.json`` as typed documents
    (docs/architecture.md, "Documents")."""
    matthew_path = workspace.analysis / "matthew.json"
    results = documents.read(MatthewDocument, matthew_path).results if matthew_path.exists() else ()
    verdicts = {
        r.project: r.verdict
        for r in results
        if r.outcome == "wellbeing" and r.moderator == "network_size_bl"
    }
    lines = [f"{'project':<16}{'rows':>7}{'valid':>7}{'quarant.':>9}  {'verdict':<12} report"]
    for summary_path in sorted(workspace.validation.glob("*.json")):
        project = summary_path.stem
        summary = documents.read(ValidationSummary, summary_path)
        report = asset_path(workspace, FUNDER_REPORT, project=project, lang=lang)
        lines.append(
            f"{project:<16}{summary.rows_read:>7}{summary.rows_valid:>7}"
            f"{summary.rows_quarantined:>9}  {verdicts.get(project) or '-':<12} "
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
