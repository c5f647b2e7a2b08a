"""The summary table printed at the end of ``outcomes run`` and ``outcomes demo``.

Its counts say what they count (docs/architecture.md, "Progress and counts"): rows of the
exports read, valid and quarantined, and the problem records of ``quarantined_responses``, one
per problem, so a quarantined row with two problems is two problem records.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from outcomes import documents
from outcomes.documents import MatthewDocument, ValidationSummary
from outcomes.stages.lineage import FUNDER_REPORT, SYNTHESIS_REPORT, asset_path
from outcomes.stages.records import PROBLEM_RECORDS
from outcomes.workspace import Workspace


def _shown(path: Path) -> str:
    return str(path) if path.exists() else "-"


def problem_records(summary: ValidationSummary) -> int:
    """Return the problem records of a project's validation: the entries of its
    ``quarantined_responses``, one per problem (``rules`` counts them per rule)."""
    return sum(summary.rules.values())


#: The count columns of :func:`run_summary_table`: header and value of one project.
COUNT_COLUMNS: tuple[tuple[str, Callable[[ValidationSummary], int]], ...] = (
    ("rows read", lambda s: s.rows_read),
    ("rows valid", lambda s: s.rows_valid),
    ("rows quarantined", lambda s: s.rows_quarantined),
    (PROBLEM_RECORDS, problem_records),
)


def run_summary_table(workspace: Workspace, lang: str) -> str:
    """Return a plain-text table: per project the rows read, valid and quarantined and the
    problem records (:data:`COUNT_COLUMNS`), the Matthew verdict on the
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
    widths = [len(header) + 2 for header, _ in COUNT_COLUMNS]
    header = "".join(f"{name:>{w}}" for (name, _), w in zip(COUNT_COLUMNS, widths, strict=True))
    lines = [f"{'project':<16}{header}  {'verdict':<12} report"]
    for summary_path in sorted(workspace.validation.glob("*.json")):
        project = summary_path.stem
        summary = documents.read(ValidationSummary, summary_path)
        report = asset_path(workspace, FUNDER_REPORT, project=project, lang=lang)
        counts = "".join(
            f"{count(summary):>{w}}" for (_, count), w in zip(COUNT_COLUMNS, widths, strict=True)
        )
        lines.append(f"{project:<16}{counts}  {verdicts.get(project) or '-':<12} {_shown(report)}")
    synthesis = asset_path(workspace, SYNTHESIS_REPORT, lang=lang)
    blank = " " * sum(widths)
    lines.append(
        f"{'all projects':<16}{blank}  {verdicts.get('all') or '-':<12} {_shown(synthesis)}"
    )
    lines.append("")
    lines.append(f"panel:   {workspace.table('outcome_panel')}")
    lines.append(f"models:  {workspace.analysis / 'model.json'}")
    lines.append(f"reports: {workspace.reports}")
    return "\n".join(lines)
