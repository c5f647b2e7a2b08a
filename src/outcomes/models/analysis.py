"""The whole analysis of an outcome panel: M1, the Matthew check, pooling, attrition, growth.

What belongs here: choosing outcomes, moderators and scopes (all projects in one model with a
project term, and each project), running the Matthew check on each, collecting the per-project
effects and pooling them by random-effects meta-analysis (REML and DerSimonian–Laird), and writing
``model.json``, ``matthew.json``, ``project_effects.json`` and ``pooled.json``
(docs/architecture.md, "What the analysis writes"). The statistics themselves are in ``matthew.py``,
``power.py``, ``meta.py``, ``attrition.py`` and ``growth.py``.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from outcomes import progress
from outcomes.atomic import write_json
from outcomes.documents import (
    MatthewDocument,
    ModelResult,
    PooledDocument,
    ProjectEffects,
    checked,
)
from outcomes.models import m1
from outcomes.models.attrition import attrition_analysis
from outcomes.models.baseline_adjusted import primary_sensitivity
from outcomes.models.config import (
    AnalysisConfig,
    Exploratory,
    PrimaryQuestion,
    load_analysis_config,
)
from outcomes.models.formula import ModelInputError
from outcomes.models.growth import network_growth
from outcomes.models.m1 import PANEL_COLUMNS, fit_m1
from outcomes.models.matthew import (
    METHOD_NAMES,
    holm,
    interaction_test,
    is_controlled,
    treated_indicator,
)
from outcomes.models.meta import MetaAnalysisError, pool_effects
from outcomes.models.pooling_metric import metric_of_effects, pooled_metric_parts, primary_measures
from outcomes.models.subgroups import credibility_checklist, subgroup_slopes

#: Outcomes analysed by default, when present (``mhi5`` is left out: it is ``wellbeing`` in the
#: demo projects; network scores are moderators and the subject of ``network_growth``).
DEFAULT_OUTCOMES = Exploratory().outcomes
DEFAULT_MODERATORS = Exploratory().moderators
PRIMARY_OUTCOME = PrimaryQuestion().outcome
PRIMARY_MODERATOR = PrimaryQuestion().moderator
#: A project enters a scope when this many participants have the outcome at two waves or more.
MIN_PARTICIPANTS = 10
#: ``reason`` of a project the models leave out because none of its rows has a wellbeing value.
NO_WELLBEING_VALUES = "no_wellbeing_values"


@dataclass
class AnalysisResult:
    """Everything :func:`analyse` computed; the dicts are the JSON files' content."""

    model: dict[str, Any]
    matthew: dict[str, Any]
    pooled: dict[str, Any]
    project_effects: dict[str, Any]
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def outcome_present(panel: pl.DataFrame, column: str) -> bool:
    return column in panel.columns and panel.get_column(column).drop_nulls().len() > 0


def left_out_projects(panel: pl.DataFrame) -> list[dict[str, str]]:
    """Return ``{project, reason, note}`` of every project in ``panel`` without one wellbeing
    value, sorted by project: a spec without a primary wellbeing measure (registration data, a
    questionnaire without a standard instrument), or one nobody answered. The models leave these
    projects out and the analysis documents list them under ``left_out`` (docs/architecture.md,
    "Specs without instruments and single measurements")."""
    if "project" not in panel.columns or "wellbeing" not in panel.columns:
        return []
    measured = panel.group_by("project").agg(pl.col("wellbeing").is_not_null().any().alias("m"))
    missing = sorted(measured.filter(~pl.col("m")).get_column("project").to_list())
    return [
        {
            "project": project,
            "reason": NO_WELLBEING_VALUES,
            "note": f"project {project!r} has no wellbeing values (its spec names no primary "
            "wellbeing measure, or no participant answered it); the models leave it out",
        }
        for project in missing
    ]


def measured_panel(panel: pl.DataFrame) -> tuple[pl.DataFrame, list[dict[str, str]]]:
    """Return ``panel`` without the projects of :func:`left_out_projects`, and those projects.

    Raises :class:`ModelInputError` naming every project when none has a wellbeing value."""
    left_out = left_out_projects(panel)
    if not left_out:
        return panel, []
    names = [entry["project"] for entry in left_out]
    kept = panel.filter(~pl.col("project").is_in(names))
    if kept.is_empty():
        raise ModelInputError(
            "no project has wellbeing values, so there is nothing to model: "
            + "; ".join(entry["note"] for entry in left_out)
        )
    return kept, left_out


def projects_with(panel: pl.DataFrame, outcome: str) -> list[str]:
    """Return the projects where at least ``MIN_PARTICIPANTS`` participants have ``outcome``
    at two or more waves."""
    if "project" not in panel.columns:
        return ["all"]
    counts = (
        panel.filter(pl.col(outcome).is_not_null())
        .group_by("project", "participant_id", maintain_order=True)
        .len()
        .filter(pl.col("len") >= 2)
        .group_by("project", maintain_order=True)
        .len()
        .filter(pl.col("len") >= MIN_PARTICIPANTS)
    )
    return sorted(counts.get_column("project").to_list())


def _seed(seed: int, *key: str) -> np.random.SeedSequence:
    """Return a seed for one analysis that depends only on ``seed`` and its key (so adding an
    outcome does not change the draws of another)."""
    return np.random.SeedSequence([seed, zlib.crc32("|".join(key).encode())])


def _intervention_rows(panel: pl.DataFrame) -> pl.DataFrame:
    """Return ``panel`` without the control arm of controlled projects (the pooled model
    compares change within the intervention arm across projects)."""
    if "arm" not in panel.columns or panel.get_column("arm").drop_nulls().is_empty():
        return panel
    parts = []
    for _, part in panel.group_by("project", maintain_order=True):
        if is_controlled(part):
            coding = treated_indicator(part.get_column("arm").to_list())
            part = part.filter(pl.col("arm").is_in([a for a, v in coding.items() if v == 1.0]))
        parts.append(part)
    return pl.concat(parts)


def _pool(rows: list[dict[str, Any]], outcome: str, parameter: str,
          estimate: str, se: str) -> dict[str, Any] | None:  # fmt: skip
    usable = [r for r in rows if r.get(estimate) is not None and r.get(se)]
    if len(usable) < 2:
        return None
    labels = [r["project"] for r in usable]
    y = [r[estimate] for r in usable]
    v = [r[se] ** 2 for r in usable]
    try:
        reml = pool_effects(y, v, method="REML", labels=labels)
        dl = pool_effects(y, v, method="DL", labels=labels)
    except MetaAnalysisError:
        return None
    estimands = sorted({r.get("estimand", "") for r in usable})
    entry = {
        "outcome": outcome,
        "parameter": parameter,
        **reml.to_dict(),
        "dl": dl.to_dict(),
        "estimands": estimands,
    }
    if len(estimands) > 1:
        entry["note"] = (
            "projects contribute different estimands (change within the intervention group "
            "and arm × time differences of controlled designs); read the pooled value with care"
        )
    return entry


def pooled_from_effects(effects: dict[str, Any]) -> dict[str, Any]:
    """Return ``pooled.json``: per outcome the per-project slope and interaction pooled by
    random-effects meta-analysis, τ² by REML (with DerSimonian–Laird under ``dl``), with I²,
    the prediction interval and forest-plot rows (``studies``); the projects the effects left
    out stay listed under ``left_out``."""
    results = []
    rows = effects["projects"]
    seen = list(dict.fromkeys(r["outcome"] for r in rows))
    outcomes = sorted(seen, key=lambda o: (o != PRIMARY_OUTCOME, seen.index(o)))
    metric = metric_of_effects(effects, PRIMARY_OUTCOME)
    for outcome in outcomes:
        of_outcome = [r for r in rows if r["outcome"] == outcome]
        if outcome == PRIMARY_OUTCOME and metric is not None:
            of_outcome = metric.rows(of_outcome)  # one metric when pooling
        for parameter, estimate, se in (("slope", "slope", "slope_se"),
                                        ("interaction", "estimate", "se")):  # fmt: skip
            entry = _pool(of_outcome, outcome, parameter, estimate, se)
            if entry is not None:
                results.append(entry)
    pooled = {
        "results": results,
        "moderator": effects.get("moderator", PRIMARY_MODERATOR),
        "method_note": "random-effects meta-analysis; τ² by REML (Fisher scoring, as metafor) "
        "and by DerSimonian–Laird under 'dl'; Knapp–Hartung t intervals with k − 1 df "
        "(metafor's test = 'knha'); Q-profile interval for τ²; prediction interval "
        "estimate ± t(k − 2)·√(SE² + τ²), none below 3 projects; I² is not labelled below 5 "
        "projects",
    }
    if effects.get("left_out"):
        pooled["left_out"] = effects["left_out"]
    pooled.update(pooled_metric_parts(effects, metric, PRIMARY_OUTCOME))
    return pooled


def effects_from_results(
    results: Sequence[dict[str, Any]], *, moderator: str = PRIMARY_MODERATOR
) -> list[dict[str, Any]]:
    """Return the per-project effect rows (slope and interaction with SEs) of the primary
    moderator from Matthew-check results."""
    rows = []
    for r in results:
        if r["project"] == "all" or r["moderator"] != moderator:
            continue
        rows.append(
            {
                **{k: r[k] for k in ("project", "outcome", "moderator", "estimate", "se",
                                     "ci_low", "ci_high", "df", "p", "p_holm", "role",
                                     "verdict", "lrt_p", "boot_ci_low",
                                     "boot_ci_high", "mde80", "n_participants",
                                     "n_observations", "converged", "design", "direction")},
                "slope": r["effect"],
                "slope_se": r["effect_se"],
                "slope_ci_low": r["effect_ci_low"],
                "slope_ci_high": r["effect_ci_high"],
                "slope_df": r["effect_df"],
                "estimand": (
                    "arm × time difference" if r["design"] == "controlled"
                    else "change per year"
                ),
            }
        )  # fmt: skip
    return rows


def project_models(panel: pl.DataFrame, projects: list[str], engine: str) -> dict[str, Any]:
    models = {}
    for project in projects:
        try:
            models[project] = fit_m1(panel.filter(pl.col("project") == project),
                                     engine=engine).to_dict()  # fmt: skip
        except ModelInputError:
            continue
    return models


def is_primary(config: AnalysisConfig, outcome: str, moderator: str, scope: str) -> bool:
    """Return whether the test of ``outcome`` × ``moderator`` in ``scope`` is the declared
    primary test."""
    primary = config.primary
    return (outcome, moderator, scope) == (primary.outcome, primary.moderator, primary.scope)


def assign_roles(rows: list[dict[str, Any]], config: AnalysisConfig) -> dict[str, Any]:
    """Mark each row ``primary`` or ``exploratory`` and return the multiplicity summary.

    The primary row keeps its verdict. Every other outcome × moderator × scope test is one
    family of exploratory tests: its p is Holm-adjusted over the family (``p_holm``; Holm 1979,
    Scand. J. Stat. 6:65), and it carries no verdict (``verdict`` is None) — an exploratory
    result is reported with its estimate, interval and both p-values only.
    """
    for row in rows:
        declared = is_primary(config, row["outcome"], row["moderator"], row["project"])
        row["role"] = "primary" if declared else "exploratory"
    exploratory = [r for r in rows if r["role"] == "exploratory"]
    adjusted = holm([r["p"] for r in exploratory])
    for row, p in zip(exploratory, adjusted, strict=True):
        row["p_holm"] = p
        row["family_size"] = len(exploratory)
        row["verdict"] = None
    return {
        "primary": any(r["role"] == "primary" for r in rows),
        "exploratory_tests": len(exploratory),
        "adjustment": "Holm (1979) over all exploratory outcome × moderator × scope tests",
    }


def matthew_results(
    panel: pl.DataFrame,
    *,
    outcomes: Sequence[str],
    moderators: Sequence[str],
    config: AnalysisConfig,
    n_boot: int,
    seed: int,
    mde: bool,
    n_power: int = 0,
    skipped: list[dict[str, Any]] | None = None,
    model: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Return the Matthew-check rows of every outcome × moderator × scope.

    The parametric bootstrap (``n_boot`` replicates: percentile interval and null-model
    likelihood-ratio test) and the simulated MDE are run for the primary test only; the
    exploratory ones get Satterthwaite t, the asymptotic likelihood-ratio test and a
    normal-approximation MDE. The verdict of the primary test comes from its declared method.
    Scopes without enough data, or where the model cannot be fitted (one participant per
    project, a moderator without variance), are left out and listed in ``skipped`` with the
    reason, and the other scopes still run. ``model`` is ``model.json`` of the same panel: when
    the primary test's model is that fit, its profile intervals are taken from there.
    """
    skipped = [] if skipped is None else skipped
    pooled_panel = _intervention_rows(panel) if "project" in panel.columns else panel
    rows = []
    for outcome in outcomes:
        projects = projects_with(panel, outcome)
        if "project" in panel.columns:
            for project in sorted(set(panel.get_column("project").drop_nulls()) - set(projects)):
                skipped.append(
                    {"project": project, "outcome": outcome, "moderator": None,
                     "reason": f"fewer than {MIN_PARTICIPANTS} participants have {outcome} at "
                     "two waves or more"}
                )  # fmt: skip
        scopes: list[tuple[str, pl.DataFrame]] = []
        if len(projects) >= 2 or "project" not in panel.columns:
            scopes.append(("all", pooled_panel.filter(pl.col("project").is_in(projects))
                           if "project" in panel.columns else panel))  # fmt: skip
        for project in projects if "project" in panel.columns else []:
            scopes.append((project, panel.filter(pl.col("project") == project)))
        tests = [(moderator, scope, frame) for moderator in moderators for scope, frame in scopes]
        for number, (moderator, scope, frame) in enumerate(tests, start=1):
            primary = is_primary(config, outcome, moderator, scope)
            progress.note(
                f"Matthew check {outcome} × {moderator}, scope {scope}"
                f"{' (primary)' if primary else ''} ({number}/{len(tests)})"
            )
            if frame.get_column(moderator).drop_nulls().n_unique() < 2:
                skipped.append(
                    {"project": scope, "outcome": outcome, "moderator": moderator,
                     "reason": f"{moderator} does not vary among the participants"}
                )  # fmt: skip
                continue
            try:
                result, _ = interaction_test(
                    frame,
                    outcome=outcome,
                    moderator=moderator,
                    project=scope,
                    n_boot=n_boot if primary else 0,
                    seed=_seed(seed, outcome, moderator, scope),
                    mde=mde,
                    n_power=n_power if primary else 0,
                    controlled=False if scope == "all" else None,
                    method=config.primary.method if primary else "satterthwaite",
                    percentiles=config.simple_slopes.percentiles,
                    sizes=config.simple_slopes.sizes,
                    profile=primary,
                    fitted_before=model if primary else None,
                )
            except ModelInputError as error:
                skipped.append(
                    {"project": scope, "outcome": outcome, "moderator": moderator,
                     "reason": str(error)}
                )  # fmt: skip
                continue
            rows.append(result)
    return rows


def analyse(
    panel: pl.DataFrame,
    *,
    outcomes: Sequence[str] | None = None,
    moderators: Sequence[str] | None = None,
    config: AnalysisConfig | None = None,
    n_boot: int | None = None,
    seed: int | None = None,
    engine: str = "auto",
    mde: bool = True,
    n_power: int = 0,
    growth: bool = True,
    attrition: bool = True,
    models: bool = True,
    primary_instruments: Mapping[str, str | None] | None = None,
    intervention_types: Mapping[str, str | None] | None = None,
) -> AnalysisResult:
    """Return the whole analysis of ``panel`` (see the module docstring).

    ``config`` declares the primary test, its method, the bootstrap and the simple slopes
    (default: :func:`~outcomes.models.config.load_analysis_config`). ``outcomes`` and
    ``moderators`` default to the configuration's exploratory ones present in the panel.
    ``n_boot`` parametric-bootstrap replicates of the primary test (default: the
    configuration's; 0: Satterthwaite and asymptotic LRT only); ``seed`` makes them
    reproducible, bit for bit. ``engine`` fits
    model.json's M1 (the Matthew checks and their refits use the fast engine). ``mde`` adds the
    minimal detectable interaction at 80% power from simulations of the fitted model.
    ``models=False`` skips model.json's M1 and the per-project M1 documents (``model`` and
    ``project_effects["models"]`` stay empty), e.g. when a pipeline step writes them. Projects
    without a wellbeing value are left out of every model and listed under ``left_out``
    (:func:`measured_panel`); attrition and network growth still see them.
    ``primary_instruments`` and ``intervention_types`` (project → the spec's
    ``primary_wellbeing`` and ``intervention_type``) decide the pooling metric and the synthesis
    by type (``outcomes.models.pooling_metric``); a project without them is pooled as a
    standardised effect and has no type.
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    missing = [c for c in PANEL_COLUMNS if c not in panel.columns]
    if missing:
        raise ModelInputError(
            "the panel lacks column(s): " + ", ".join(missing)
            + " (the analysis needs participant_id, months_since_baseline, network_size_bl "
            "and wellbeing, and project when there are several projects)"
        )  # fmt: skip
    if "project" not in panel.columns:
        panel = panel.with_columns(pl.lit("all").alias("project"))
    whole = panel
    panel, left_out = measured_panel(panel)
    config = config or load_analysis_config()
    n_boot = config.robustness.bootstrap_replicates if n_boot is None else n_boot
    seed = config.robustness.seed if seed is None else seed
    wanted = list(outcomes or config.exploratory.outcomes)
    if config.primary.outcome not in wanted:
        wanted.insert(0, config.primary.outcome)
    chosen = [o for o in wanted if outcome_present(panel, o)]
    if outcomes and len(chosen) < len(wanted):
        absent = [o for o in wanted if o not in chosen]
        raise ModelInputError(f"the panel has no values of outcome(s): {', '.join(absent)}")
    wanted_moderators = list(moderators or config.exploratory.moderators)
    if config.primary.moderator not in wanted_moderators:
        wanted_moderators.insert(0, config.primary.moderator)
    used_moderators = [m for m in wanted_moderators if outcome_present(panel, m)]

    step = time.perf_counter()
    if models:
        progress.note("M1 on the pooled panel")
    model = m1.model_document(panel, engine=engine) if models else {}
    timings["model"] = time.perf_counter() - step

    step = time.perf_counter()
    skipped: list[dict[str, Any]] = []
    results = matthew_results(
        panel, outcomes=chosen, moderators=used_moderators, config=config, n_boot=n_boot,
        seed=seed, mde=mde, n_power=n_power, skipped=skipped, model=model,
    )  # fmt: skip
    multiplicity = assign_roles(results, config)
    for row in (r for r in results if r["role"] == "primary"):  # sensitivity checks
        in_scope = panel.filter(pl.col("project").is_in(projects_with(panel, row["outcome"])))
        scoped = (_intervention_rows(in_scope) if row["project"] == "all"
                  else panel.filter(pl.col("project") == row["project"]))  # fmt: skip
        row.update(primary_sensitivity(scoped, row, config))
    timings["matthew"] = time.perf_counter() - step

    step = time.perf_counter()
    subgroups: list[dict[str, Any]] = []
    if "network_group" in panel.columns:
        progress.note("subgroup slopes")
        for outcome in chosen:
            projects = projects_with(panel, outcome)
            scopes = (["all"] if len(projects) >= 2 else []) + projects
            for scope in scopes:
                frame = (
                    _intervention_rows(panel.filter(pl.col("project").is_in(projects)))
                    if scope == "all" else panel.filter(pl.col("project") == scope)
                )  # fmt: skip
                try:
                    subgroups += subgroup_slopes(frame, outcome=outcome, project=scope)
                except ModelInputError:
                    continue
    timings["subgroups"] = time.perf_counter() - step

    step = time.perf_counter()
    projects = sorted(panel.get_column("project").unique().to_list())
    progress.note("project effects and pooling")
    effects = {
        "moderator": PRIMARY_MODERATOR,
        "projects": effects_from_results(results),
        "models": project_models(panel, projects, engine) if models and len(projects) > 1 else {},
        "measures": primary_measures(panel, primary_instruments, intervention_types),
    }
    pooled = pooled_from_effects(effects)
    timings["pooling"] = time.perf_counter() - step

    heterogeneity = next(
        (p["q_p"] for p in pooled["results"]
         if p["outcome"] == PRIMARY_OUTCOME and p["parameter"] == "interaction"),
        None,
    )  # fmt: skip
    matthew: dict[str, Any] = {
        "project": "all",
        "results": results,
        "subgroups": subgroups,
        "checklist": credibility_checklist(
            results, primary_outcome=config.primary.outcome,
            primary_moderator=config.primary.moderator, heterogeneity_p=heterogeneity,
        ),
        "primary": {
            "outcome": config.primary.outcome, "moderator": config.primary.moderator,
            "scope": config.primary.scope, "method": config.primary.method,
            "method_description": METHOD_NAMES[config.primary.method],
            "robustness": "parametric bootstrap: percentile interval and null-model "
            "likelihood-ratio test" if n_boot else None,
        },
        "multiplicity": multiplicity,
        "skipped": skipped,
        "settings": {
            "n_boot": n_boot, "seed": seed, "mde": mde, "n_power": n_power,
            "outcomes": chosen, "moderators": used_moderators,
            "simple_slope_percentiles": list(config.simple_slopes.percentiles),
            "simple_slope_sizes": list(config.simple_slopes.sizes),
        },
        "verdict_rule": "only the declared primary test has a verdict: matthew when the 95% "
        "interval of its declared method lies above 0, reverse when below, no_evidence "
        "otherwise; 'evidence' is borderline when the parametric bootstrap disagrees about "
        "zero. Every other test is exploratory (Holm-adjusted p, no verdict). Subgroup slopes "
        "are descriptive and never give a verdict.",
        "direction": "a positive interaction always means: a larger baseline network goes with "
        "a larger improvement (scores where higher is worse, like loneliness, are flipped)",
        "controlled_designs": "in projects with an arm column the effect is the arm × time "
        "difference and the Matthew check the years × arm × moderator interaction; the "
        "pooled ('all') model uses the intervention arm only",
    }  # fmt: skip
    if attrition and "status" in whole.columns and "network_group" in whole.columns:
        step = time.perf_counter()
        matthew["attrition"] = attrition_analysis(whole)
        timings["attrition"] = time.perf_counter() - step
    if (
        growth
        and outcome_present(whole, "network_size")
        and outcome_present(whole, "network_size_bl")
    ):
        step = time.perf_counter()
        matthew["network_growth"] = network_growth(whole)
        timings["growth"] = time.perf_counter() - step
    if left_out:
        for document in (model, matthew, effects, pooled):
            if document:
                document["left_out"] = left_out
    seconds = time.perf_counter() - started
    matthew["seconds"] = round(seconds, 3)
    return AnalysisResult(
        model=model, matthew=matthew, pooled=pooled, project_effects=effects,
        seconds=seconds, timings=timings,
    )  # fmt: skip


def write_analysis(panel: pl.DataFrame, out_dir: Path | str, **options: Any) -> dict[str, Path]:
    """Run :func:`analyse` with ``options`` and write ``model.json``, ``matthew.json``,
    ``project_effects.json`` and ``pooled.json`` to ``out_dir`` atomically; return their paths
    by name (model, matthew, project_effects, pooled)."""
    result = analyse(panel, **options)
    out = Path(out_dir)
    return {
        "model": write_json(out / "model.json", checked(ModelResult, result.model)),
        "matthew": write_json(out / "matthew.json", checked(MatthewDocument, result.matthew)),
        "project_effects": write_json(
            out / "project_effects.json", checked(ProjectEffects, result.project_effects)
        ),
        "pooled": write_json(out / "pooled.json", checked(PooledDocument, result.pooled)),
    }
