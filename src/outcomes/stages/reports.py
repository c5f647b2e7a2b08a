"""The report stages: results → disclosure-controlled ``report_tables`` → the PDF reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from outcomes import atomic, documents
from outcomes.documents import (
    LeftOut,
    MatthewDocument,
    ModelResult,
    PooledDocument,
    ProjectEffects,
    ReliableChangeDocument,
    ReportTables,
    TippingPoint,
    ValidationSummary,
    checked,
)
from outcomes.specs import ProjectSpec
from outcomes.stages.lineage import (
    FUNDER_REPORT,
    MATTHEW_EFFECT,
    PANEL,
    POOLED_EFFECT,
    PROJECT_EFFECTS,
    RAW_RESPONSES,
    RELIABLE_CHANGE,
    REPORT_TABLES,
    SYNTHESIS,
    SYNTHESIS_REPORT,
    TIPPING_POINT,
    VALID,
    WELLBEING_MODEL,
    StageFiles,
    StageInputMissing,
    stage,
)
from outcomes.stages.records import StageRecord
from outcomes.workspace import Workspace


def _files_of(files: StageFiles, project: str) -> list[dict[str, Any]]:
    """Return the export file versions of ``project`` (``raw_responses``) for the provenance
    section; none when the project has not been ingested."""
    path = files.input(RAW_RESPONSES, project=project)
    if not path.exists():
        return []
    inventory = pl.read_parquet(path)
    return [
        {"file": row["source_file"], "sha256": row["source_sha256"], "rows": row["rows_read"]}
        for row in inventory.iter_rows(named=True)
    ]


def _validation_of(files: StageFiles, project: str) -> ValidationSummary | None:
    """Return ``validation/<project>.json`` (part of ``valid_responses``) as its typed document
    (docs/architecture.md, "Documents"), or None when the project has not been validated."""
    path = files.input(VALID, "validation", project=project)
    if not path.exists():
        return None
    data = files.json(VALID, "validation", project=project)
    return ValidationSummary.from_json(data, where=str(path))


def _left_out(matthew: MatthewDocument, specs: dict[str, ProjectSpec]) -> list[LeftOut]:
    """Return the projects the models left out (``matthew.json``'s ``left_out``), the reason
    ``no_primary_wellbeing`` where the project's spec names no primary wellbeing measure
    (docs/architecture.md, "Specs without instruments and single measurements")."""
    entries = []
    for entry in matthew.left_out or ():
        spec = specs.get(entry.project)
        if spec is not None and spec.primary_wellbeing is None:
            entry = LeftOut(
                project=entry.project,
                reason="no_primary_wellbeing",
                note=f"project {entry.project!r}: its spec names no primary_wellbeing "
                "instrument; the models leave it out",
            )
        entries.append(entry)
    return entries


def _reliable_change_of(files: StageFiles) -> ReliableChangeDocument | None:
    """Return ``analysis/reliable_change.json`` as its typed document, or None when the
    ``reliable_change`` asset has not been materialized (the reports then leave it out;
    docs/architecture.md, "Reliable change")."""
    if not files.input(RELIABLE_CHANGE).exists():
        return None
    return ReliableChangeDocument.from_json(files.json(RELIABLE_CHANGE))


def _tipping_point_of(files: StageFiles) -> TippingPoint | None:
    """Return ``analysis/tipping_point.json`` as its typed document, or None when the
    ``tipping_point`` asset has not been materialized (the reports then leave it out;
    docs/architecture.md, "Dropout tipping point")."""
    if not files.input(TIPPING_POINT).exists():
        return None
    return TippingPoint.from_json(files.json(TIPPING_POINT))


@stage(
    reads=(PANEL, WELLBEING_MODEL, MATTHEW_EFFECT, PROJECT_EFFECTS, POOLED_EFFECT, VALID,
           RAW_RESPONSES, RELIABLE_CHANGE, TIPPING_POINT),
    writes=(REPORT_TABLES,),
)  # fmt: skip
def report_tables_stage(
    files: StageFiles, specs: dict[str, ProjectSpec], threshold: int = 10
) -> StageRecord:
    """Build the disclosure-controlled tables of every report (``report_tables``) and return
    their record.

    Everything a funder sees passes through here: counts below ``threshold`` become "<10",
    means and percentages on small bases are withheld (``outcomes.reports.disclosure``; README.md,
    "For researchers: the Dagster UI").
    """
    from outcomes.reports.tables import build_report_tables
    from outcomes.reports.tipping_point_text import with_tipping_point

    panel = files.table(PANEL)
    model = ModelResult.from_json(files.json(WELLBEING_MODEL))
    matthew = MatthewDocument.from_json(files.json(MATTHEW_EFFECT))
    effects = ProjectEffects.from_json(files.json(PROJECT_EFFECTS))
    pooled = PooledDocument.from_json(files.json(POOLED_EFFECT))
    reliable_change = _reliable_change_of(files)
    tipping = _tipping_point_of(files)
    names = {pid: spec.name for pid, spec in specs.items()}
    left_out = _left_out(matthew, specs)
    written: dict[str, Path] = {}
    projects = [p for p in sorted(panel["project"].unique().to_list()) if p in specs]
    for project in projects:
        tables = build_report_tables(
            panel,
            effects.models.get(project),
            matthew.scope(project),
            _validation_of(files, project),
            _files_of(files, project),
            project=project,
            threshold=threshold,
            project_name=names[project],
            organisation=specs[project].organisation,
            instruments=specs[project].instruments,
            primary_wellbeing=specs[project].primary_wellbeing,
            left_out=left_out,
            reliable_change=reliable_change,
        )
        tables = with_tipping_point(tables, tipping, project)
        written[project] = atomic.write_json(
            files.output(REPORT_TABLES, report=project), checked(ReportTables, tables.to_json())
        )
    synthesis = build_report_tables(
        panel,
        model,
        matthew.scope("all"),
        None,
        [f for p in projects for f in _files_of(files, p)],
        project=None,
        threshold=threshold,
        project_names=names,
        pooled=pooled,
        matthew_by_project={p: matthew.scope(p) for p in projects},
        left_out=left_out,
        reliable_change=reliable_change,
    )
    synthesis = with_tipping_point(synthesis, tipping, "all")
    written[SYNTHESIS] = atomic.write_json(
        files.output(REPORT_TABLES, report=SYNTHESIS), checked(ReportTables, synthesis.to_json())
    )
    return StageRecord(
        REPORT_TABLES,
        rows=len(written),
        paths=written,
        metadata={"threshold": threshold, "reports": sorted(written)},
    )


def _load_tables(files: StageFiles, name: str) -> ReportTables:
    """Return ``reports/tables/<name>.json`` as its typed document; :class:`StageInputMissing`
    when ``report_tables`` has not been materialized (docs/architecture.md, "Documents")."""
    path = files.input(REPORT_TABLES, report=name)
    if not path.exists():
        raise StageInputMissing(
            f"{path} is missing; materialize {REPORT_TABLES} (the step that writes it) first"
        )
    return documents.read(ReportTables, path)


@stage(reads=(REPORT_TABLES,), writes=(FUNDER_REPORT,))
def funder_report_stage(files: StageFiles, project: str, lang: str = "nl") -> StageRecord:
    """Render ``reports/<project>.<lang>.pdf`` from the project's report tables; return its
    record with the page count (README.md, "What is where")."""
    from outcomes.reports import render_project_report

    info = render_project_report(
        _load_tables(files, project),
        files.output(FUNDER_REPORT, project=project, lang=lang),
        lang=lang,
    )
    return StageRecord(
        FUNDER_REPORT,
        project,
        paths={"pdf": info.path, **{p.stem: p for p in info.figures}},
        metadata={"pages": info.pages, "language": lang},
    )


@stage(reads=(REPORT_TABLES,), writes=(SYNTHESIS_REPORT,))
def synthesis_report_stage(files: StageFiles, lang: str = "nl") -> StageRecord:
    """Render ``reports/synthesis.<lang>.pdf`` from the synthesis report tables; return its
    record with the page count (README.md, "What is where")."""
    from outcomes.reports import render_synthesis_report

    info = render_synthesis_report(
        _load_tables(files, SYNTHESIS), files.output(SYNTHESIS_REPORT, lang=lang), lang=lang
    )
    return StageRecord(
        SYNTHESIS_REPORT,
        paths={"pdf": info.path, **{p.stem: p for p in info.figures}},
        metadata={"pages": info.pages, "language": lang},
    )


def report_stage(workspace: Workspace, lang: str = "nl") -> list[StageRecord]:
    """Render every report from materialized results (``outcomes report``); return the records
    of the report tables and of every report (README.md, "The command line")."""
    from outcomes.specs import load_specs

    specs = load_specs()
    tables = report_tables_stage(workspace, specs)
    records = [tables]
    for name in sorted(tables.paths):
        if name != SYNTHESIS:
            records.append(funder_report_stage(workspace, name, lang))
    records.append(synthesis_report_stage(workspace, lang))
    return records
