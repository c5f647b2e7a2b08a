"""The ``report_tables`` step: everything a report shows, computed from the data and protected.

What belongs here: :func:`build_report_tables`, which fills the typed
:class:`~outcomes.documents.ReportTables` document (the pipeline stores it as JSON; the renderer
needs nothing else) from the outcome panel, ``model.json``, ``matthew.json``, the validation
summary, the export file list and ``pooled.json`` (docs/architecture.md, "Documents"), with data
quality, provenance, instruments and the record of every hidden cell. Every person count and
every mean is already passed through :mod:`outcomes.reports.disclosure` by the modules that
compute the tables:
``panel_tables.py`` (participation and means per wave), ``analysis_tables.py`` (M1 and the
Matthew test) and ``synthesis_tables.py`` (pooled estimates, projects, the Matthew grid).
What does not belong here: wording and number formatting (``labels.py``, ``*_text.py``), figures
(``figures.py``), typst (``render.py``), and fitting or pooling models (``outcomes.models``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from importlib import metadata
from typing import Any

import polars as pl

from outcomes.documents import (
    FittedModel,
    LeftOut,
    MatthewScope,
    PooledDocument,
    ReportTables,
    ValidationSummary,
)
from outcomes.documents.reliable_change import ReliableChangeDocument
from outcomes.errors import OutcomesError
from outcomes.reports.analysis_tables import matthew_summary, model_summary
from outcomes.reports.disclosure import DEFAULT_THRESHOLD
from outcomes.reports.panel_tables import (
    OUTCOME_CANDIDATES,
    composition_table,
    outcome_tables,
    participation_table,
    wave_table,
)
from outcomes.reports.reliable_change_tables import shown_reliable_change
from outcomes.reports.synthesis_tables import matthew_grid, shown_pooled, synthesis_projects
from outcomes.reports.type_synthesis_text import pooled_metric_tables


class ReportDataError(OutcomesError, ValueError):
    """The inputs of a report are unusable; the message says which input and what is missing."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def software_version() -> str:
    """Return the version of the ``outcomes`` package (``outcomes.__version__`` or metadata)."""
    import outcomes

    version = getattr(outcomes, "__version__", None)
    if isinstance(version, str):
        return version
    try:
        return metadata.version("outcomes")
    except metadata.PackageNotFoundError:
        return "unknown"


def _require(panel: pl.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in panel.columns]
    if missing:
        raise ReportDataError(
            f"outcome panel lacks column(s) {missing}; expected the canonical panel columns "
            '(docs/architecture.md, "Canonical panel columns")'
        )


def _quality(validation: ValidationSummary | None) -> dict[str, Any]:
    """Return rows received, valid and quarantined with the quarantined rows per rule (export
    rows, exact; ``rows_by_rule`` of the validation summary)."""
    if validation is None:
        return {}
    received = validation.rows_read
    share = None
    if received:
        share = 100.0 * float(validation.rows_quarantined) / float(received)
    rules = [{"rule": rule, "count": count} for rule, count in validation.rows_by_rule.items()]
    return {
        "rows_received": received,
        "rows_valid": validation.rows_valid,
        "rows_quarantined": validation.rows_quarantined,
        "quarantine_share": share,
        "rules": sorted(rules, key=lambda r: (-r["count"], r["rule"])),
    }


def _files(files: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    entries = []
    for f in files or []:
        name, sha = f["file"], f.get("sha256")
        entries.append({"file": str(name), "sha256": None if sha is None else str(sha)})
    return sorted(entries, key=lambda e: e["file"])


def _dates(panel: pl.DataFrame) -> tuple[str | None, str]:
    """Return the date of the data (latest assessment) and the report timestamp derived from it.

    The timestamp is midnight UTC of the data date, so identical data give identical reports.
    """
    latest = None
    if "assessed_on" in panel.columns and panel["assessed_on"].drop_nulls().len():
        latest = panel["assessed_on"].drop_nulls().max()
    if isinstance(latest, dt.datetime):
        latest = latest.date()
    if not isinstance(latest, dt.date):
        return None, dt.datetime(1980, 1, 1, tzinfo=dt.UTC).isoformat()
    stamp = dt.datetime(latest.year, latest.month, latest.day, tzinfo=dt.UTC)
    return latest.isoformat(), stamp.isoformat()


def build_report_tables(
    panel: pl.DataFrame,
    model: FittedModel | None,
    matthew: MatthewScope | None,
    validation: ValidationSummary | None,
    files: Sequence[Mapping[str, Any]] | None,
    *,
    project: str | None,
    threshold: int = DEFAULT_THRESHOLD,
    project_name: str | None = None,
    organisation: str | None = None,
    project_names: Mapping[str, str] | None = None,
    pooled: PooledDocument | None = None,
    matthew_by_project: Mapping[str, MatthewScope] | None = None,
    instruments: Sequence[str] | None = None,
    primary_wellbeing: str | None = None,
    left_out: Sequence[LeftOut] = (),
    reliable_change: ReliableChangeDocument | None = None,
) -> ReportTables:
    """Return the disclosure-controlled tables of one project's report, or of the synthesis, as
    the typed ``reports/tables/<project>.json`` document (docs/architecture.md, "Documents").

    ``panel`` is the outcome panel (all projects or one); with ``project`` set the panel is
    filtered to that project and a project report's tables are built; with ``project=None`` the
    synthesis tables are built (``pooled``: pooled.json; ``matthew_by_project``: matthew.json's
    scope of each project id). ``model`` is model.json (synthesis) or the project's entry of
    project_effects.json, ``matthew`` matthew.json's scope of the report, ``validation``
    ``validation/<project>.json`` (docs/architecture.md, "Documents"); ``files`` lists the
    export files as ``{"file", "sha256"}``. ``project_name``/``project_names`` give display
    names (from the project spec); the id is used when absent. ``instruments`` and
    ``primary_wellbeing`` (the spec's keys) name the questionnaires in the methods text, from
    the instrument registry. ``left_out`` lists the projects the models left out (the analysis
    documents' ``left_out``): a project report keeps its own entry, the synthesis every one.

    Raises :class:`ReportDataError` when the panel lacks canonical columns or the project, and
    :class:`~outcomes.documents.DocumentError` when the tables do not match their declaration.
    """
    _require(panel, ["participant_id", "project", "wave", "wellbeing", "network_group"])
    names = dict(project_names or {})
    if project is not None:
        panel = panel.filter(pl.col("project") == project)
        if panel.height == 0:
            raise ReportDataError(f"outcome panel has no rows for project {project!r}")
        names.setdefault(project, project_name or project)
    panel = panel.sort("project", "participant_id", "wave")
    data_date, stamp = _dates(panel)
    waves = wave_table(panel)
    tables: dict[str, Any] = {
        "kind": "project" if project is not None else "synthesis",
        "project": project,
        "project_name": names.get(project, project) if project is not None else "",
        "organisation": organisation,
        "threshold": threshold,
        "data_date": data_date,
        "report_timestamp": stamp,
        "software_version": software_version(),
        "waves": waves,
        "participation": participation_table(panel, waves, threshold),
        "composition": {},
        "outcomes": {},
        "model": model_summary(model),
        "matthew": matthew_summary(matthew, threshold),
        "quality": _quality(validation),
        "provenance": {"files": _files(files), "software_version": software_version(),
                       "data_date": data_date, "report_timestamp": stamp},
        "projects": {},
        "pooled": [],
        "matthew_by_project": [],
    }  # fmt: skip
    for family, candidates in OUTCOME_CANDIDATES.items():
        column = next(
            (c for c in candidates if c in panel.columns and panel[c].drop_nulls().len()), None
        )
        if column is not None:
            tables["outcomes"][family] = outcome_tables(panel, column, waves, threshold)
    if project is not None:
        first = waves[0]["wave"] if waves else 0
        baseline = panel.filter(pl.col("wave") == first)
        if "gender" in panel.columns:
            tables["composition"]["gender"] = composition_table(
                baseline, "gender", ("female", "male", "other"), threshold
            )
        if "site" in panel.columns and baseline["site"].n_unique() > 1:
            tables["composition"]["site"] = composition_table(baseline, "site", (), threshold)
    else:
        shown = shown_pooled(pooled)
        tables["pooled"] = [entry.to_json() for entry in shown]
        tables.update(pooled_metric_tables(pooled))
        tables["projects"] = synthesis_projects(panel, names, shown, threshold)
        tables["matthew_by_project"] = matthew_grid(matthew, matthew_by_project, names)
    tables["instruments"] = _instrument_entries(instruments or [], primary_wellbeing)
    shown_left_out = [e.to_json() for e in left_out if project is None or e.project == project]
    if shown_left_out:
        tables["left_out"] = shown_left_out
    shown_change = shown_reliable_change(reliable_change, project, threshold)
    if shown_change is not None:
        tables["reliable_change"] = shown_change
    tables["suppressed"] = _suppression_record(tables)
    return ReportTables.from_json(_jsonable(tables))


def _instrument_entries(keys: Sequence[str], primary: str | None) -> list[dict[str, Any]]:
    """Return name (en/nl), citation and primary flag of each instrument key, from the registry."""
    from outcomes.instruments import INSTRUMENTS

    entries = []
    for key in keys:
        instrument = INSTRUMENTS.get(key)
        if instrument is None:
            raise ReportDataError(
                f"unknown instrument {key!r}; expected one of {sorted(INSTRUMENTS)}"
            )
        entries.append(
            {
                "key": key,
                "name_en": instrument.name,
                "name_nl": instrument.name_nl or instrument.name,
                "citation": instrument.citation,
                "primary": key == primary,
            }
        )
    return entries


def _suppression_record(tables: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return every hidden cell of the report (``tables``: the report tables as JSON data) as
    ``{table, row, column, reason}``."""
    matthew = tables["matthew"]
    named: list[tuple[str, dict[str, Any] | None]] = [
        ("participation", tables["participation"]),
        *[(f"composition.{k}", v) for k, v in sorted(tables["composition"].items())],
        *[
            (f"outcomes.{family}.{part}", outcome[part])
            for family, outcome in sorted(tables["outcomes"].items())
            for part in ("overall", "by_group")
        ],
        ("matthew.subgroups", matthew["subgroups"] if matthew else None),
        ("projects", tables["projects"]),
        ("reliable_change", (tables.get("reliable_change") or {}).get("table")),
    ]
    record = []
    for name, table in named:
        for cell in (table or {}).get("suppressed", []):
            record.append({"table": name, **cell})
    return record
