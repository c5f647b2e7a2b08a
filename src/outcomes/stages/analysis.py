"""The analysis stages: the outcome panel → the models, the Matthew check, pooling, network
growth and the attrition sensitivity analysis, each written to ``analysis/`` (docs/architecture.md,
"Models")."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import polars as pl

from outcomes import atomic, markdown
from outcomes.documents import (
    Attrition,
    MatthewDocument,
    ModelResult,
    NetworkGrowth,
    PooledDocument,
    ProjectEffects,
    checked,
)
from outcomes.specs import ProjectSpec
from outcomes.stages.lineage import (
    ATTRITION_SENSITIVITY,
    MATTHEW_EFFECT,
    NETWORK_GROWTH,
    PANEL,
    POOLED_EFFECT,
    PROJECT_EFFECTS,
    RELIABLE_CHANGE,
    TIPPING_POINT,
    WELLBEING_MODEL,
    StageFiles,
    stage,
)
from outcomes.stages.records import StageRecord, preview_markdown


@stage(reads=(PANEL,), writes=(WELLBEING_MODEL,))
def wellbeing_model_stage(files: StageFiles, engine: str = "auto") -> StageRecord:
    """Fit M1 on the whole panel, write ``analysis/model.json`` and return its record with the
    convergence check (docs/architecture.md, "M1 and the Matthew check"). Projects without a
    wellbeing value are left out and listed under ``left_out`` (docs/architecture.md, "Specs
    without instruments and single measurements")."""
    from outcomes.models.analysis import measured_panel
    from outcomes.models.m1 import model_document

    panel, left_out = measured_panel(files.table(PANEL))
    model = model_document(panel, engine=engine)
    if left_out:
        model["left_out"] = left_out
    path = atomic.write_json(files.output(WELLBEING_MODEL), checked(ModelResult, model))
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
        WELLBEING_MODEL,
        rows=model["n_observations"],
        paths={"model": path},
        metadata={
            "engine": model["engine"],
            "participants": model["n_participants"],
            "coefficients": table,
            "converged": model["converged"],
            "singular": model["singular"],
            "seconds": model["seconds"],
            **_left_out_metadata(left_out),
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


def bootstrap_replicates() -> int:
    """Return the pipeline's bootstrap replicates: ``OUTCOMES_BOOTSTRAP`` or 200 (README.md,
    "Configuration")."""
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


def _left_out_metadata(left_out: list[dict[str, str]]) -> dict[str, Any]:
    """Return the record metadata naming the projects the models left out (none: empty)."""
    return {"left_out": {e["project"]: e["note"] for e in left_out}} if left_out else {}


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


@stage(reads=(PANEL,), writes=(PROJECT_EFFECTS,))
def project_effects_stage(
    files: StageFiles, engine: str = "auto", specs: Mapping[str, ProjectSpec] | None = None
) -> StageRecord:
    """Fit the Matthew check within each project (wellbeing and the other outcomes present,
    baseline network size; Satterthwaite t and likelihood-ratio tests) and M1 per project; write
    ``analysis/project_effects.json`` (per-project slopes and interactions, the inputs of the
    meta-analysis) and return its record (docs/architecture.md, "M1 and the Matthew check").
    Projects without a wellbeing value are left out and listed under ``left_out``; ``measures``
    holds each project's primary instrument, baseline SD and intervention type from ``specs``
    (default: ``load_specs()``; docs/architecture.md, "Pooling across projects")."""
    from outcomes.models.analysis import (
        DEFAULT_OUTCOMES,
        PRIMARY_MODERATOR,
        assign_roles,
        effects_from_results,
        matthew_results,
        measured_panel,
        outcome_present,
        project_models,
    )
    from outcomes.models.config import load_analysis_config

    panel, left_out = measured_panel(files.table(PANEL))
    outcomes = [o for o in DEFAULT_OUTCOMES if outcome_present(panel, o)]
    config = load_analysis_config()
    results = matthew_results(
        panel, outcomes=outcomes, moderators=[PRIMARY_MODERATOR], config=config, n_boot=0,
        seed=0, mde=False,
    )  # fmt: skip
    assign_roles(results, config)
    rows = effects_from_results(results)
    projects = sorted(panel["project"].unique().to_list())
    effects: dict[str, Any] = {
        "moderator": PRIMARY_MODERATOR,
        "projects": rows,
        "models": project_models(panel, projects, engine),
        "measures": _measures(panel, specs),
    }
    if left_out:
        effects["left_out"] = left_out
    path = atomic.write_json(files.output(PROJECT_EFFECTS), checked(ProjectEffects, effects))
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
        PROJECT_EFFECTS,
        rows=len(rows),
        paths={"project_effects": path},
        metadata={
            "effects": table,
            "interactions": {r["project"]: round(r["estimate"], 3) for r in wellbeing},
            "slopes": {r["project"]: round(r["slope"], 3) for r in wellbeing},
            **_left_out_metadata(left_out),
        },
    )


def _measures(panel: pl.DataFrame, specs: Mapping[str, ProjectSpec] | None) -> dict[str, Any]:
    """Return each project's primary measure for pooling from the panel and the specs (default:
    ``load_specs()``; ``outcomes.models.pooling_metric.primary_measures``)."""
    from outcomes.models.pooling_metric import primary_measures, spec_inputs
    from outcomes.specs import load_specs

    return primary_measures(panel, **spec_inputs(load_specs() if specs is None else specs))


@stage(reads=(PANEL,), writes=(MATTHEW_EFFECT,))
def matthew_stage(
    files: StageFiles, n_boot: int | None = None, specs: Mapping[str, ProjectSpec] | None = None
) -> StageRecord:
    """Run the whole Matthew analysis on the panel (``outcomes.models.analysis.analyse``) and
    write ``analysis/matthew.json``: interactions per outcome × moderator × scope with
    Satterthwaite t, LRT and bootstrap intervals, the primary verdict, Holm p, MDE, subgroup
    slopes, the credibility checklist, attrition and network growth. The bootstrap covers the
    declared primary test with ``n_boot`` replicates (default :func:`bootstrap_replicates`).
    Returns the record with the verdict and the result tables (docs/architecture.md, "One
    declared primary test"). ``specs`` (default: ``load_specs()``) give the pooling metric of
    the heterogeneity the credibility checklist reads (docs/architecture.md, "Pooling across
    projects")."""
    from outcomes.models.analysis import PRIMARY_MODERATOR, PRIMARY_OUTCOME, analyse
    from outcomes.models.pooling_metric import spec_inputs
    from outcomes.specs import load_specs

    panel = files.table(PANEL)
    inputs = spec_inputs(load_specs() if specs is None else specs)
    replicates = bootstrap_replicates() if n_boot is None else n_boot
    result = analyse(
        panel,
        n_boot=replicates,
        growth=False,
        attrition=False,
        models=False,
        primary_instruments=inputs["primary_instruments"],
        intervention_types=inputs["intervention_types"],
    )
    matthew = result.matthew
    path = atomic.write_json(files.output(MATTHEW_EFFECT), checked(MatthewDocument, matthew))
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
        MATTHEW_EFFECT,
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
            **_left_out_metadata(matthew.get("left_out", [])),
        },
    )


@stage(reads=(PROJECT_EFFECTS,), writes=(POOLED_EFFECT,))
def pooled_stage(files: StageFiles) -> StageRecord:
    """Pool the per-project slopes and interactions by random-effects meta-analysis (REML τ²,
    DerSimonian–Laird alongside), write ``analysis/pooled.json`` and return its record
    (docs/architecture.md, "Pooling across projects")."""
    from outcomes.models.analysis import pooled_from_effects

    effects = files.json(PROJECT_EFFECTS)
    pooled = pooled_from_effects(effects)
    path = atomic.write_json(files.output(POOLED_EFFECT), checked(PooledDocument, pooled))
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
        POOLED_EFFECT,
        rows=len(effects["projects"]),
        paths={"pooled": path},
        metadata={
            "pooled": table,
            "metric": pooled.get("metric_note") or "",
            "by_intervention_type": (pooled.get("intervention_type") or {}).get("analysis", ""),
        },
    )


@stage(reads=(PANEL,), writes=(NETWORK_GROWTH,))
def network_growth_stage(files: StageFiles) -> StageRecord:
    """Write ``analysis/network_growth.json``: follow-up network size by baseline size,
    baseline-adjusted (ANCOVA), with the regression-to-the-mean caveat; return its record
    (README.md, "For researchers: the Dagster UI")."""
    from outcomes.models.growth import network_growth

    panel = files.table(PANEL)
    growth = network_growth(panel)
    path = atomic.write_json(files.output(NETWORK_GROWTH), checked(NetworkGrowth, growth))
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
        NETWORK_GROWTH,
        rows=growth["n_participants"],
        paths={"network_growth": path},
        metadata=metadata,
    )


@stage(reads=(PANEL,), writes=(ATTRITION_SENSITIVITY,))
def attrition_analysis_stage(files: StageFiles) -> StageRecord:
    """Write ``analysis/attrition.json``: dropout by network group and the descriptive
    completers-only comparison of the Matthew check; return its record (docs/architecture.md,
    "Dropout tipping point")."""
    from outcomes.models.attrition import attrition_analysis

    panel = files.table(PANEL)
    analysis = attrition_analysis(panel)
    path = atomic.write_json(files.output(ATTRITION_SENSITIVITY), checked(Attrition, analysis))
    sensitivity = markdown.table(
        ["project", "all data (95% CI)", "completers only, descriptive (95% CI)",
         "same verdict"],
        [
            [s["project"], _with_ci(s["all_available"]), _with_ci(s["completers_only"]),
             s["same_verdict"]]
            for s in analysis["sensitivity"]
        ],
    )  # fmt: skip
    return StageRecord(
        ATTRITION_SENSITIVITY,
        rows=len(analysis["dropout"]["overall"]),
        paths={"attrition_analysis": path},
        metadata={
            "dropout_by_group": preview_markdown(
                pl.DataFrame(analysis["dropout"]["overall"]), rows=5
            ),
            "completers_only_descriptive": sensitivity,
            "dropout_test": analysis["dropout"]["test"] or {},
        },
    )


@stage(reads=(PANEL,), writes=(RELIABLE_CHANGE,))
def reliable_change_stage(
    files: StageFiles, specs: Mapping[str, ProjectSpec] | None = None
) -> StageRecord:
    """Write ``analysis/reliable_change.json``: each participant's change from baseline to the
    last measurement of the project's primary wellbeing score classed by the reliable change
    index (recovered, improved, unchanged, deteriorated) per project, per network group and
    pooled, with the projects whose instrument declares no reliability listed apart; return its
    record (docs/architecture.md, "Reliable change"). ``specs`` (default: ``load_specs()``)
    name each project's primary instrument."""
    from outcomes.documents import ReliableChangeDocument
    from outcomes.models.reliable_change import reliable_change_document
    from outcomes.specs import load_specs

    chosen = load_specs() if specs is None else specs
    panel = files.table(PANEL)
    primary = {pid: spec.primary_wellbeing for pid, spec in chosen.items()}
    document = reliable_change_document(panel, primary)
    path = atomic.write_json(
        files.output(RELIABLE_CHANGE), checked(ReliableChangeDocument, document)
    )
    rows = [(p["project"], p["rows"][0]) for p in document["projects"]]
    rows.append(("all assessed projects", document["pooled"]["rows"][0]))
    table = markdown.table(
        ["project", "n", "recovered", "improved", "unchanged", "deteriorated"],
        [[name, r["n"], r["recovered"], r["improved"], r["unchanged"], r["deteriorated"]]
         for name, r in rows],
    )  # fmt: skip
    return StageRecord(
        RELIABLE_CHANGE,
        rows=document["pooled"]["rows"][0]["n"],
        paths={"reliable_change": path},
        metadata={
            "classes": table,
            "not_assessed": {e["project"]: e["note"] for e in document["not_assessed"]},
        },
    )


@stage(reads=(PANEL,), writes=(TIPPING_POINT,))
def tipping_point_stage(files: StageFiles) -> StageRecord:
    """Write ``analysis/tipping_point.json``: the δ at which the verdict of the Matthew check
    changes when dropouts' missed follow-ups, imputed under the mixed model, are shifted by δ
    points (every dropout, or the small-network group's only); return its record with the
    tipping δ per scope and parametrisation (docs/architecture.md, "Dropout tipping point")."""
    import time

    from outcomes.documents import TippingPoint
    from outcomes.models.tipping_point import tipping_point_analysis

    started = time.perf_counter()
    document = tipping_point_analysis(files.table(PANEL))
    path = atomic.write_json(files.output(TIPPING_POINT), checked(TippingPoint, document))
    table = markdown.table(
        ["project", "role", "dropouts", "shifted", "verdict at δ = 0", "tipping δ below",
         "tipping δ above"],
        [
            [s["project"], s["role"], s["n_dropouts"], scan["parametrisation"],
             scan["verdict_at_zero"], _number(scan["tipping_below"], 2),
             _number(scan["tipping_above"], 2)]
            for s in document["scopes"]
            for scan in s["scans"]
        ],
    )  # fmt: skip
    return StageRecord(
        TIPPING_POINT,
        rows=len(document["scopes"]),
        paths={"tipping_point": path},
        metadata={
            "tipping_points": table,
            "imputations": document["imputations"],
            "skipped": {s["project"]: s["reason"] for s in document["skipped"]},
            "seconds": round(time.perf_counter() - started, 2),
        },
    )
