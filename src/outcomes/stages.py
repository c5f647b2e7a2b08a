"""Pipeline stages as plain functions over the workspace.

Each function here is one step of DESIGN.md's data flow: it reads its inputs from the workspace,
calls the library (ingest, validation, instruments, panel, models, reports), writes its outputs
atomically, and returns a small record of what it did (row counts, paths, verdicts) that the
Dagster layer turns into metadata and the command line into progress lines. No Dagster here:
``pipelines/`` wires these functions into assets; the CLI and tests call them directly.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from outcomes import atomic, markdown
from outcomes.ingest.spec import ProjectSpec
from outcomes.workspace import Workspace

#: Asset names (DESIGN.md), also the warehouse file names.
RAW_RESPONSES = "raw_responses"
RESPONSES = "responses"
QUARANTINED = "quarantined_responses"
VALID = "valid_responses"
SCORED = "scored_responses"
PANEL = "outcome_panel"
ATTRITION = "attrition"
REPORT_TABLES = "report_tables"


class StageInputMissing(FileNotFoundError):
    """A stage's input has not been materialized yet (the message says which and how)."""


@dataclass
class StageRecord:
    """What one stage did: numbers for metadata and progress lines, and the files it wrote."""

    name: str
    partition: str | None = None
    rows: int | None = None
    paths: dict[str, Path] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, tuple[bool, dict[str, Any]]] = field(default_factory=dict)

    def summary(self) -> str:
        where = f"[{self.partition}]" if self.partition else ""
        rows = f" {self.rows} rows" if self.rows is not None else ""
        return f"{self.name}{where}:{rows}"


def read_table(workspace: Workspace, name: str, partition: str | None = None) -> pl.DataFrame:
    """Return the materialized table ``name`` (one partition) from the warehouse."""
    path = workspace.table(name, partition)
    if not path.exists():
        which = f"{name}[{partition}]" if partition else name
        raise StageInputMissing(
            f"{which} has not been materialized yet ({path} is missing); "
            "run `outcomes run` or materialize it in the Dagster UI first"
        )
    return pl.read_parquet(path)


def read_json(path: Path) -> Any:
    """Return the parsed JSON in ``path``; a clear error when the stage has not run."""
    if not path.exists():
        raise StageInputMissing(f"{path} is missing; materialize the step that writes it first")
    return json.loads(path.read_text(encoding="utf-8"))


def preview_markdown(
    frame: pl.DataFrame, columns: Sequence[str] | None = None, rows: int = 5
) -> str:
    """Return a small markdown table of ``frame`` (identifier-free columns only)."""
    shown = frame.select(list(columns)) if columns else frame
    shown = shown.head(rows)
    header = "| " + " | ".join(shown.columns) + " |"
    rule = "|" + "---|" * len(shown.columns)
    lines = [header, rule]
    for row in shown.iter_rows():
        cells = ["" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v)) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- ingest


def ingest_stage(
    workspace: Workspace, spec: ProjectSpec, key: bytes
) -> tuple[StageRecord, StageRecord]:
    """Archive the project's exports and write ``raw_responses`` and ``responses`` for it.

    ``raw_responses`` is the inventory of export file versions (name, sha256, archived copy,
    rows read): the raw rows themselves hold identifiers and never enter the warehouse.
    ``responses`` is the canonical, pseudonymised frame (see ``outcomes.ingest``).
    """
    from outcomes.ingest import ingest_project

    result = ingest_project(spec, workspace, key)
    inventory = pl.DataFrame(
        [
            {
                "project": spec.id,
                "source_file": f.name,
                "source_sha256": f.sha256,
                "format": f.format,
                "archived_as": f.archived.name if f.archived else None,
                "version": f.version,
                "rows_read": f.rows_read,
                "unmapped_columns": ", ".join(f.unmapped),
            }
            for f in result.files
        ],
        schema={
            "project": pl.Utf8,
            "source_file": pl.Utf8,
            "source_sha256": pl.Utf8,
            "format": pl.Utf8,
            "archived_as": pl.Utf8,
            "version": pl.Int64,
            "rows_read": pl.Int64,
            "unmapped_columns": pl.Utf8,
        },
    )
    raw_path = atomic.write_parquet(workspace.table(RAW_RESPONSES, spec.id), inventory)
    responses_path = atomic.write_parquet(workspace.table(RESPONSES, spec.id), result.responses)
    raw = StageRecord(
        RAW_RESPONSES,
        spec.id,
        rows=int(inventory["rows_read"].sum()),
        paths={"inventory": raw_path},
        metadata={
            "files": inventory.height,
            "file_versions": preview_markdown(
                inventory, ["source_file", "source_sha256", "rows_read"], rows=20
            ),
        },
    )
    preview_columns = [
        c
        for c in ("participant_id", "wave", "assessed_on", "site", "source_file", "source_row")
        if c in result.responses.columns
    ]
    responses = StageRecord(
        RESPONSES,
        spec.id,
        rows=result.responses.height,
        paths={"responses": responses_path},
        metadata={
            "columns_mapped": len(spec.columns),
            "unmapped_columns": sorted({c for f in result.files for c in f.unmapped}),
            "preview": preview_markdown(result.responses, preview_columns),
        },
    )
    return raw, responses


# --------------------------------------------------------------------------- validation


def validate_stage(
    workspace: Workspace, spec: ProjectSpec, lang: str = "nl"
) -> tuple[StageRecord, StageRecord]:
    """Validate ``responses[project]``; write ``valid_responses``, ``quarantined_responses``,
    ``validation/<project>.json`` and ``quarantine/<project>.csv``.

    Returns the records of the valid and the quarantined table; the valid record carries the
    reconciliation and quarantine-share check results.
    """
    from outcomes.validation import (
        check_quarantine_share,
        reconcile,
        validate_responses,
        write_quarantine_csv,
        write_validation_json,
    )

    responses = read_table(workspace, RESPONSES, spec.id)
    result = validate_responses(responses, spec, lang=lang)
    valid_path = atomic.write_parquet(workspace.table(VALID, spec.id), result.valid)
    quarantine_path = atomic.write_parquet(workspace.table(QUARANTINED, spec.id), result.quarantine)
    json_path = workspace.validation / f"{spec.id}.json"
    write_validation_json(result.summary, json_path)
    csv_path = workspace.quarantine / f"{spec.id}.csv"
    write_quarantine_csv(result.quarantine, csv_path)
    summary = result.summary
    valid = StageRecord(
        VALID,
        spec.id,
        rows=result.valid.height,
        paths={"valid": valid_path, "validation": json_path},
        metadata={
            "rows_read": summary["rows_read"],
            "rows_valid": summary["rows_valid"],
            "rows_quarantined": summary["rows_quarantined"],
        },
        checks={
            "reconciliation": reconcile(
                summary, read_counts=_rows_read_per_file(workspace, spec.id)
            ),
            "quarantine_share": check_quarantine_share(summary),
        },
    )
    per_rule = summary.get("rules", {})
    quarantined = StageRecord(
        QUARANTINED,
        spec.id,
        rows=result.quarantine.height,
        paths={"quarantine": quarantine_path, "csv": csv_path},
        metadata={
            "rows_quarantined": summary["rows_quarantined"],
            "problems_per_rule": "\n".join(f"- {k}: {v}" for k, v in sorted(per_rule.items()))
            or "none",
        },
    )
    return valid, quarantined


def _rows_read_per_file(workspace: Workspace, project: str) -> dict[str, int] | None:
    """Return rows read per export file as ingest counted them (``raw_responses``)."""
    path = workspace.table(RAW_RESPONSES, project)
    if not path.exists():
        return None
    inventory = pl.read_parquet(path)
    return dict(zip(inventory["source_file"], inventory["rows_read"], strict=True))


# --------------------------------------------------------------------------- scoring


def score_stage(workspace: Workspace, spec: ProjectSpec) -> StageRecord:
    """Score the instruments of ``valid_responses[project]`` into ``scored_responses``."""
    from outcomes.instruments import score_responses

    valid = read_table(workspace, VALID, spec.id)
    scored = score_responses(valid, spec)
    path = atomic.write_parquet(workspace.table(SCORED, spec.id), scored)
    means = {
        column: round(float(value), 2)
        for column in ("wellbeing", "loneliness", "loneliness6", "network_size")
        if column in scored.columns and isinstance(value := scored[column].mean(), (int, float))
    }
    return StageRecord(
        SCORED, spec.id, rows=scored.height, paths={"scored": path}, metadata={"means": means}
    )


# --------------------------------------------------------------------------- panel


def panel_config_from_env() -> Any:
    """Return the panel configuration; ``OUTCOMES_NETWORK_CUTOFFS="5,12"`` sets the upper
    bounds of the small and medium network groups (default: tertiles of the pooled baseline)."""
    import os

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


def panel_stage(
    workspace: Workspace, specs: dict[str, ProjectSpec], config: Any = None
) -> tuple[StageRecord, StageRecord]:
    """Build ``outcome_panel`` and ``attrition`` from every project's scored responses."""
    from outcomes.panel import attrition_table, build_panel

    scored = {
        project: read_table(workspace, SCORED, project)
        for project in specs
        if workspace.table(SCORED, project).exists()
    }
    if not scored:
        raise StageInputMissing("no project has scored responses yet; run the project steps first")
    panel = build_panel(scored, config or panel_config_from_env())
    path = atomic.write_parquet(workspace.table(PANEL), panel.frame)
    from outcomes.codebook import build_codebook

    codebook_path = atomic.write_text(
        workspace.warehouse / "codebook.md",
        build_codebook({project: specs[project] for project in sorted(scored)}),
    )
    attrition = attrition_table(panel.frame)
    attrition_path = atomic.write_parquet(workspace.table(ATTRITION), attrition)
    from outcomes.warehouse import refresh_views

    duckdb_path = refresh_views(workspace)
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


# --------------------------------------------------------------------------- models

MODEL_JSON = "model.json"
MATTHEW_JSON = "matthew.json"
PROJECT_EFFECTS_JSON = "project_effects.json"
POOLED_JSON = "pooled.json"


def wellbeing_model_stage(workspace: Workspace, engine: str = "auto") -> StageRecord:
    """Fit M1 on the whole panel and write ``analysis/model.json``."""
    from outcomes.models.m1 import model_document

    panel = read_table(workspace, PANEL)
    model = model_document(panel, engine=engine)
    path = atomic.write_json(workspace.analysis / MODEL_JSON, model)
    fixed = model["fixed_effects"]
    table = markdown.table(
        ["term", "estimate", "95% CI", "p"],
        [
            [name, f"{fe['estimate']:.3f}", f"{fe['ci_low']:.3f} – {fe['ci_high']:.3f}",
             f"{fe['p']:.3g}"]
            for name, fe in fixed.items()
        ],
    )  # fmt: skip
    return StageRecord(
        "wellbeing_model",
        rows=model["n_observations"],
        paths={"model": path},
        metadata={
            "engine": model["engine"],
            "participants": model["n_participants"],
            "coefficients": table,
            "converged": model["converged"],
            "singular": model["singular"],
            "seconds": model["seconds"],
        },
        checks={
            "converged": (
                bool(model["converged"]),
                {"warnings": model.get("warnings", []), "singular": model["singular"]},
            )
        },
    )


#: Parametric-bootstrap replicates of the pipeline's primary Matthew check (wellbeing × baseline
#: network size, every scope); ``OUTCOMES_BOOTSTRAP`` overrides. 200 rather than the library's
#: 1,000 keeps the demo analysis within seconds on two cores; the other outcomes and moderators
#: get Satterthwaite t and likelihood-ratio tests and a normal-approximation MDE.
DEFAULT_PIPELINE_BOOTSTRAP = 200
NETWORK_GROWTH_JSON = "network_growth.json"
ATTRITION_JSON = "attrition.json"


def bootstrap_replicates() -> int:
    """Return the pipeline's bootstrap replicates: ``OUTCOMES_BOOTSTRAP`` or 200."""
    import os

    value = os.environ.get("OUTCOMES_BOOTSTRAP", "").strip()
    if not value:
        return DEFAULT_PIPELINE_BOOTSTRAP
    try:
        replicates = int(value)
    except ValueError:
        raise ValueError(
            f"OUTCOMES_BOOTSTRAP must be a whole number of replicates (0 or more), got {value!r}"
        ) from None
    if replicates < 0:
        raise ValueError(f"OUTCOMES_BOOTSTRAP must be 0 or more, got {replicates}")
    return replicates


def _number(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1e-3 and value != 0 else f"{value:.{digits}f}"
    return str(value)


def _with_ci(
    row: dict[str, Any], estimate: str = "estimate", low: str = "ci_low", high: str = "ci_high"
) -> str:
    """Return "estimate (low – high)" of one result row, numbers as :func:`_number` writes them."""
    return f"{_number(row[estimate])} ({_number(row[low])} – {_number(row[high])})"


def _verdict_table(results: list[dict[str, Any]]) -> str:
    """Return a markdown table of Matthew-check rows: project, outcome, moderator, estimate,
    Satterthwaite t interval, df, p, Holm-adjusted p, bootstrap interval and p, and the verdict
    (the primary test only; the others read "exploratory")."""
    header = ["project", "outcome", "moderator", "estimate", "95% CI (t)", "df", "p",
              "p (Holm)", "95% CI (bootstrap)", "p (bootstrap LRT)", "verdict"]  # fmt: skip
    rows = []
    for r in results:
        boot = (
            f"{_number(r['boot_ci_low'])} – {_number(r['boot_ci_high'])}"
            if r.get("boot_ci_low") is not None
            else "–"
        )
        verdict = (
            f"**{r['verdict']}**" + (" (borderline)" if r.get("evidence") == "borderline" else "")
            if r.get("role") == "primary"
            else "exploratory"
        )
        rows.append(
            [r["project"], r["outcome"], r["moderator"], _number(r["estimate"]),
             f"{_number(r['ci_low'])} – {_number(r['ci_high'])}", _number(r.get("df"), 1),
             _number(r.get("p")), _number(r.get("p_holm")), boot, _number(r.get("boot_lrt_p")),
             verdict]
        )  # fmt: skip
    return markdown.table(header, rows)


def project_effects_stage(workspace: Workspace, engine: str = "auto") -> StageRecord:
    """Fit the Matthew check within each project (wellbeing and the other outcomes present,
    baseline network size; Satterthwaite t and likelihood-ratio tests) and M1 per project; write
    ``analysis/project_effects.json`` (per-project slopes and interactions, the inputs of the
    meta-analysis)."""
    from outcomes.models.analysis import (
        DEFAULT_OUTCOMES,
        PRIMARY_MODERATOR,
        assign_roles,
        effects_from_results,
        matthew_results,
        outcome_present,
        project_models,
    )
    from outcomes.models.config import load_analysis_config

    panel = read_table(workspace, PANEL)
    outcomes = [o for o in DEFAULT_OUTCOMES if outcome_present(panel, o)]
    config = load_analysis_config()
    results = matthew_results(
        panel, outcomes=outcomes, moderators=[PRIMARY_MODERATOR], config=config, n_boot=0,
        seed=0, mde=False,
    )  # fmt: skip
    assign_roles(results, config)
    rows = effects_from_results(results)
    projects = sorted(panel["project"].unique().to_list())
    effects = {
        "moderator": PRIMARY_MODERATOR,
        "projects": rows,
        "models": project_models(panel, projects, engine),
    }
    path = atomic.write_json(workspace.analysis / PROJECT_EFFECTS_JSON, effects)
    table = markdown.table(
        ["project", "outcome", "slope per year (95% CI)", "interaction (95% CI)", "n"],
        [
            [r["project"], r["outcome"],
             _with_ci(r, "slope", "slope_ci_low", "slope_ci_high"), _with_ci(r),
             r["n_participants"]]
            for r in rows
        ],
    )  # fmt: skip
    wellbeing = [r for r in rows if r["outcome"] == "wellbeing"]
    return StageRecord(
        "project_effects",
        rows=len(rows),
        paths={"project_effects": path},
        metadata={
            "effects": table,
            "interactions": {r["project"]: round(r["estimate"], 3) for r in wellbeing},
            "slopes": {r["project"]: round(r["slope"], 3) for r in wellbeing},
        },
    )


def matthew_stage(workspace: Workspace, n_boot: int | None = None) -> StageRecord:
    """Run the whole Matthew analysis on the panel (``outcomes.models.analysis.analyse``) and
    write ``analysis/matthew.json``: interactions per outcome × moderator × scope with
    Satterthwaite t, LRT and bootstrap intervals, the primary verdict, Holm p, MDE, subgroup
    slopes, the credibility checklist, attrition and network growth. The bootstrap covers the
    declared primary test with ``n_boot`` replicates (default :func:`bootstrap_replicates`)."""
    from outcomes.models.analysis import PRIMARY_MODERATOR, PRIMARY_OUTCOME, analyse

    panel = read_table(workspace, PANEL)
    replicates = bootstrap_replicates() if n_boot is None else n_boot
    result = analyse(
        panel,
        n_boot=replicates,
        growth=False,
        attrition=False,
        models=False,
    )
    matthew = result.matthew
    path = atomic.write_json(workspace.analysis / MATTHEW_JSON, matthew)
    results = matthew["results"]
    primary = [
        r for r in results
        if r["outcome"] == PRIMARY_OUTCOME and r["moderator"] == PRIMARY_MODERATOR
    ]  # fmt: skip
    checklist = markdown.table(
        ["criterion", "answer", "reason"],
        [[c["item"], c["answer"], c["reason"]] for c in matthew["checklist"]],
    )
    subgroups = markdown.table(
        ["project", "outcome", "network group", "slope", "95% CI", "n"],
        [
            [s["project"], s["outcome"], s["network_group"], _number(s["slope"]),
             f"{_number(s['ci_low'])} – {_number(s['ci_high'])}", s["n_participants"]]
            for s in matthew["subgroups"]
            if s["outcome"] == PRIMARY_OUTCOME
        ],
    )  # fmt: skip
    return StageRecord(
        "matthew_effect",
        rows=len(results),
        paths={"matthew": path},
        metadata={
            "verdict": next((r["verdict"] for r in results if r.get("role") == "primary"), None),
            "evidence": next((r["evidence"] for r in results if r.get("role") == "primary"), None),
            "method": matthew["primary"]["method"],
            "exploratory_tests": matthew["multiplicity"]["exploratory_tests"],
            "primary_results": _verdict_table(primary),
            "all_results": _verdict_table(results),
            "subgroup_slopes_wellbeing": subgroups,
            "credibility_checklist": checklist,
            "bootstrap_replicates": replicates,
            "seconds": round(result.seconds, 2),
        },
    )


def pooled_stage(workspace: Workspace) -> StageRecord:
    """Pool the per-project slopes and interactions by random-effects meta-analysis (REML τ²,
    DerSimonian–Laird alongside) and write ``analysis/pooled.json``."""
    from outcomes.models.analysis import pooled_from_effects

    effects = read_json(workspace.analysis / PROJECT_EFFECTS_JSON)
    pooled = pooled_from_effects(effects)
    path = atomic.write_json(workspace.analysis / POOLED_JSON, pooled)
    table = markdown.table(
        ["outcome", "parameter", "k", "estimate (REML)", "95% CI", "prediction interval", "τ²",
         "I²", "estimate (DL)"],
        [
            [p["outcome"], p["parameter"], p["k"], _number(p["estimate"]),
             f"{_number(p['ci_low'])} – {_number(p['ci_high'])}",
             f"{_number(p['pi_low'])} – {_number(p['pi_high'])}", _number(p["tau2"]),
             f"{p['i2']:.1f}%", _number(p["dl"]["estimate"])]
            for p in pooled["results"]
        ],
    )  # fmt: skip
    return StageRecord(
        "pooled_effect",
        rows=len(effects["projects"]),
        paths={"pooled": path},
        metadata={
            "pooled": table,
            **{
                f"{p['outcome']}_{p['parameter']}": {
                    "estimate": round(p["estimate"], 3),
                    "ci": [round(p["ci_low"], 3), round(p["ci_high"], 3)],
                    "i2": round(p["i2"], 3),
                }
                for p in pooled["results"]
            },
        },
    )


def network_growth_stage(workspace: Workspace) -> StageRecord:
    """Write ``analysis/network_growth.json``: follow-up network size by baseline size,
    baseline-adjusted (ANCOVA), with the regression-to-the-mean caveat."""
    from outcomes.models.growth import network_growth

    panel = read_table(workspace, PANEL)
    growth = network_growth(panel)
    path = atomic.write_json(workspace.analysis / NETWORK_GROWTH_JSON, growth)
    metadata: dict[str, Any] = {"caveat": growth["caveat"]["en"]}
    if growth.get("model"):
        coefficients = growth["model"]["coefficients"]
        metadata["coefficients"] = markdown.table(
            ["term", "estimate", "95% CI", "p"],
            [
                [name, _number(c["estimate"]),
                 f"{_number(c['ci_low'])} – {_number(c['ci_high'])}", _number(c["p"])]
                for name, c in coefficients.items()
            ],
        )  # fmt: skip
    if growth.get("by_group"):
        metadata["by_group"] = preview_markdown(pl.DataFrame(growth["by_group"]), rows=5)
    return StageRecord(
        "network_growth",
        rows=growth["n_participants"],
        paths={"network_growth": path},
        metadata=metadata,
    )


def attrition_analysis_stage(workspace: Workspace) -> StageRecord:
    """Write ``analysis/attrition.json``: dropout by network group and the completers-only
    sensitivity analysis of the Matthew check."""
    from outcomes.models.attrition import attrition_analysis

    panel = read_table(workspace, PANEL)
    analysis = attrition_analysis(panel)
    path = atomic.write_json(workspace.analysis / ATTRITION_JSON, analysis)
    sensitivity = markdown.table(
        ["project", "all data (95% CI)", "completers only (95% CI)", "same verdict"],
        [
            [s["project"], _with_ci(s["all_available"]), _with_ci(s["completers_only"]),
             s["same_verdict"]]
            for s in analysis["sensitivity"]
        ],
    )  # fmt: skip
    return StageRecord(
        "attrition_analysis",
        rows=len(analysis["dropout"]["overall"]),
        paths={"attrition_analysis": path},
        metadata={
            "dropout_by_group": preview_markdown(
                pl.DataFrame(analysis["dropout"]["overall"]), rows=5
            ),
            "sensitivity": sensitivity,
            "dropout_test": analysis["dropout"]["test"] or {},
        },
    )


# --------------------------------------------------------------------------- reports

SYNTHESIS = "synthesis"


def _project_matthew(matthew: dict[str, Any], project: str) -> dict[str, Any]:
    return {
        "project": project,
        "results": [r for r in matthew.get("results", []) if r.get("project") == project],
        "subgroups": [s for s in matthew.get("subgroups", []) if s.get("project") == project],
        "primary": matthew.get("primary"),
        "multiplicity": matthew.get("multiplicity"),
    }


def _files_of(workspace: Workspace, project: str) -> list[dict[str, Any]]:
    path = workspace.table(RAW_RESPONSES, project)
    if not path.exists():
        return []
    inventory = pl.read_parquet(path)
    return [
        {"file": row["source_file"], "sha256": row["source_sha256"], "rows": row["rows_read"]}
        for row in inventory.iter_rows(named=True)
    ]


def report_tables_path(workspace: Workspace, name: str) -> Path:
    """Return where the disclosure-controlled tables of report ``name`` are stored."""
    return workspace.reports / "tables" / f"{name}.json"


def report_tables_stage(
    workspace: Workspace, specs: dict[str, ProjectSpec], threshold: int = 10
) -> StageRecord:
    """Build the disclosure-controlled tables of every report (``report_tables``).

    Everything a funder sees passes through here: counts below ``threshold`` become "<10",
    means and percentages on small bases are withheld (``outcomes.reports.disclosure``).
    """
    from outcomes.reports.tables import build_report_tables

    panel = read_table(workspace, PANEL)
    model = read_json(workspace.analysis / MODEL_JSON)
    matthew = read_json(workspace.analysis / MATTHEW_JSON)
    effects = read_json(workspace.analysis / PROJECT_EFFECTS_JSON)
    pooled = read_json(workspace.analysis / POOLED_JSON)
    names = {pid: spec.name for pid, spec in specs.items()}
    written: dict[str, Path] = {}
    projects = [p for p in sorted(panel["project"].unique().to_list()) if p in specs]
    suppressed = 0
    for project in projects:
        validation_path = workspace.validation / f"{project}.json"
        tables = build_report_tables(
            panel,
            effects["models"].get(project),
            _project_matthew(matthew, project),
            read_json(validation_path) if validation_path.exists() else None,
            _files_of(workspace, project),
            project=project,
            threshold=threshold,
            project_name=names[project],
            organisation=specs[project].organisation,
            instruments=specs[project].instruments,
            primary_wellbeing=specs[project].primary_wellbeing,
        )
        data = tables.to_dict()
        suppressed += len(data.get("suppressed", []) or [])
        written[project] = atomic.write_json(report_tables_path(workspace, project), data)
    synthesis = build_report_tables(
        panel,
        model,
        _project_matthew(matthew, "all"),
        None,
        [f for p in projects for f in _files_of(workspace, p)],
        project=None,
        threshold=threshold,
        project_names=names,
        pooled=pooled,
        matthew_by_project={p: _project_matthew(matthew, p) for p in projects},
    )
    written[SYNTHESIS] = atomic.write_json(
        report_tables_path(workspace, SYNTHESIS), synthesis.to_dict()
    )
    return StageRecord(
        REPORT_TABLES,
        rows=len(written),
        paths=written,
        metadata={"threshold": threshold, "reports": sorted(written)},
    )


def _load_tables(workspace: Workspace, name: str) -> Any:
    from outcomes.reports.tables import ReportTables

    return ReportTables.from_dict(read_json(report_tables_path(workspace, name)))


def funder_report_stage(workspace: Workspace, project: str, lang: str = "nl") -> StageRecord:
    """Render ``reports/<project>.<lang>.pdf`` from the project's report tables."""
    from outcomes.reports import render_project_report

    info = render_project_report(
        _load_tables(workspace, project), workspace.reports / f"{project}.{lang}.pdf", lang=lang
    )
    return StageRecord(
        "funder_report",
        project,
        paths={"pdf": info.path, **{p.stem: p for p in info.figures}},
        metadata={"pages": info.pages, "language": lang},
    )


def synthesis_report_stage(workspace: Workspace, lang: str = "nl") -> StageRecord:
    """Render ``reports/synthesis.<lang>.pdf`` from the synthesis report tables."""
    from outcomes.reports import render_synthesis_report

    info = render_synthesis_report(
        _load_tables(workspace, SYNTHESIS), workspace.reports / f"{SYNTHESIS}.{lang}.pdf", lang=lang
    )
    return StageRecord(
        "synthesis_report",
        paths={"pdf": info.path, **{p.stem: p for p in info.figures}},
        metadata={"pages": info.pages, "language": lang},
    )


def report_stage(workspace: Workspace, lang: str = "nl") -> list[StageRecord]:
    """Render every report from materialized results (``outcomes report``)."""
    from outcomes.ingest.spec import load_specs

    specs = load_specs()
    tables = report_tables_stage(workspace, specs)
    records = [tables]
    for name in sorted(tables.paths):
        if name != SYNTHESIS:
            records.append(funder_report_stage(workspace, name, lang))
    records.append(synthesis_report_stage(workspace, lang))
    return records
