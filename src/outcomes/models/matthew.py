"""The Matthew-effect check: does a larger baseline network go with a larger improvement?

What belongs here: the interaction of time with a baseline moderator in M1 (Satterthwaite t,
likelihood ratio from ML fits, the parametric bootstrap's percentile interval and null-model
likelihood-ratio test, simple slopes, verdict and minimal detectable effect), the
three-way interaction for controlled designs and the direction of "better" per outcome.
Subgroup slopes by network group and the credibility checklist are in ``subgroups.py``;
orchestration over outcomes, moderators and projects in ``analysis.py``; simulation in
``power.py``.

Rules (docs/architecture.md, "Models"): the verdict of the declared primary test comes from the
95% interval of its declared method (``matthew`` above zero, ``reverse`` below, ``no_evidence``
otherwise), never from subgroup p-values (Brookes et al. 2004); the other tests are exploratory.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from outcomes.instruments import INSTRUMENTS
from outcomes.models.formula import ModelInputError
from outcomes.models.m1 import average_slope_terms, prepare_m1_panel, project_weights
from outcomes.models.power import (
    Draws,
    FittedDesign,
    fitted_design,
    minimal_detectable_effect,
    normal_mde,
)
from outcomes.models.profile import profile_intervals

VERDICTS = ("matthew", "no_evidence", "reverse")

#: Arm labels read as the control condition of a controlled design (lower-cased).
CONTROL_LABELS = frozenset(
    {"control", "controle", "controlegroep", "controls", "wachtlijst", "waitlist", "wait-list",
     "usual care", "care as usual", "cau", "gebruikelijke zorg"}
)  # fmt: skip


def verdict_for(ci_low: float, ci_high: float) -> str:
    """Return ``matthew`` when the interval lies above zero, ``reverse`` when below, else
    ``no_evidence`` (an interval touching zero is no evidence)."""
    if ci_low > 0:
        return "matthew"
    if ci_high < 0:
        return "reverse"
    return "no_evidence"


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Return Holm's step-down adjusted p-values (Holm 1979, "A simple sequentially rejective
    multiple test procedure", Scand. J. Stat. 6:65; R's ``p.adjust(method = "holm")``):
    sorted ascending, p₍ᵢ₎ × (m − i + 1), made monotone and capped at 1. Missing p-values stay
    missing and do not count in m."""
    present = [(p, i) for i, p in enumerate(p_values) if p is not None and math.isfinite(p)]
    m = len(present)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(sorted(present)):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    return adjusted


def higher_is_better(outcome: str) -> bool:
    """Return whether a higher ``outcome`` score means better (from the instrument registry;
    ``wellbeing`` is higher-is-better by construction). Raises :class:`ModelInputError` for a
    score without a direction (counts, flags)."""
    if outcome == "wellbeing":
        return True
    for instrument in INSTRUMENTS.values():
        for score in instrument.scores:
            if score.column == outcome:
                if score.higher_is_better is None:
                    raise ModelInputError(
                        f"the score {outcome!r} has no direction of 'better' (a count or flag); "
                        "it cannot be an outcome of the Matthew check"
                    )
                return bool(score.higher_is_better)
    raise ModelInputError(f"{outcome!r} is not a score of any registered instrument")


def analysed_column(outcome: str) -> str:
    """Return the column the model fits: the outcome itself, or ``<outcome>_better`` (the
    score times −1) when a higher score is worse, so a positive slope is an improvement."""
    return outcome if higher_is_better(outcome) else f"{outcome}_better"


def direction_note(outcome: str) -> str:
    """Return one sentence saying how the outcome's direction was handled."""
    if higher_is_better(outcome):
        return (
            f"higher {outcome} is better; a positive interaction means a larger baseline "
            "network goes with a larger improvement"
        )
    return (
        f"higher {outcome} is worse, so the model is fitted to −{outcome} ({outcome}_better); "
        "a positive interaction means a larger baseline network goes with a larger decrease "
        f"of {outcome}"
    )


def with_direction(panel: pl.DataFrame, outcome: str) -> pl.DataFrame:
    """Return ``panel`` with the analysed column of ``outcome`` (see :func:`analysed_column`)."""
    column = analysed_column(outcome)
    if column == outcome:
        return panel
    return panel.with_columns((-pl.col(outcome).cast(pl.Float64)).alias(column))


def treated_indicator(arms: Sequence[str | None]) -> dict[str, float]:
    """Return arm → 1.0 (intervention) / 0.0 (control) for a project's two arms.

    The control arm is the one with a control-like label (``control``, ``controle``,
    ``wachtlijst``, ``care as usual``, …). Raises :class:`ModelInputError` otherwise.
    """
    labels = sorted({a for a in arms if a is not None})
    if len(labels) != 2:
        raise ModelInputError(
            f"a controlled design needs exactly two arms, found {labels or 'none'}"
        )
    control = [a for a in labels if a.strip().lower() in CONTROL_LABELS]
    if len(control) != 1:
        raise ModelInputError(
            f"cannot tell which of the arms {labels} is the control group; name it one of "
            + ", ".join(sorted(CONTROL_LABELS))
        )
    return {a: (0.0 if a == control[0] else 1.0) for a in labels}


def is_controlled(frame: pl.DataFrame) -> bool:
    """Return whether ``frame`` has two arms (a controlled design)."""
    return "arm" in frame.columns and frame.get_column("arm").drop_nulls().n_unique() >= 2


def interaction_formula(
    column: str, moderator: str, *, with_project: bool, controlled: bool
) -> tuple[str, str, str]:
    """Return (formula, tested term, effect term) of the Matthew check.

    Uncontrolled: ``y ~ years * m_c (+ project * years)``, term ``years:m_c``, effect ``years``.
    Controlled: ``y ~ years * treated * m_c (+ project * years)``, term ``years:treated:m_c``
    (the three-way interaction), effect ``years:treated`` (the arm × time difference). With
    several projects each keeps its own yearly change (``project * years``), so the interaction
    is estimated within projects: projects that differ both in how much their participants gain
    and in how large their networks are create no Matthew effect that exists inside none of
    them (docs/architecture.md, "Models").
    """
    centred = f"{moderator}_c"
    if controlled:
        formula = f"{column} ~ years * treated * {centred}"
        term, effect = f"years:treated:{centred}", "years:treated"
    else:
        formula = f"{column} ~ years * {centred}"
        term, effect = f"years:{centred}", "years"
    if with_project:
        formula += " + project * years"
    return formula, term, effect


def prepare_scope(
    panel: pl.DataFrame, outcome: str, moderator: str, *, controlled: bool
) -> tuple[pl.DataFrame, float, bool]:
    """Return (model frame, moderator mean, with_project) for one scope of the panel: the
    analysed outcome column, ``years``, the moderator centred over the analysed participants
    and, for a controlled design, ``treated``."""
    frame = with_direction(panel, outcome)
    if controlled:
        coding = treated_indicator(frame.get_column("arm").to_list())
        frame = frame.with_columns(
            pl.col("arm").replace_strict(coding, default=None, return_dtype=pl.Float64)
            .alias("treated")
        )  # fmt: skip
    return prepare_m1_panel(frame, outcome=analysed_column(outcome), moderator=moderator)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


#: The verdict methods (``config.METHODS``) in words, as model.json and reports name them.
METHOD_NAMES = {
    "satterthwaite": "Satterthwaite t (lmerTest): t(df) 95% interval and p",
    "bootstrap": "parametric bootstrap: percentile 95% interval and the likelihood-ratio p "
    "simulated under the model without the interaction (pbkrtest's PBmodcomp)",
}


def slope_weights(model: FittedDesign, effect_term: str, weights: dict[str, int]) -> np.ndarray:
    """Return L with L'β the participant-weighted average of the projects' yearly changes
    (``m1.average_slope_terms``); without project terms, L picks ``effect_term``."""
    names = model.design.fixed_names
    contrast = np.zeros(len(names))
    for name, weight in average_slope_terms(weights, names, effect_term).items():
        contrast[names.index(name)] = weight
    return contrast


def project_slopes(
    model: FittedDesign, effect_term: str, weights: dict[str, int]
) -> list[dict[str, Any]]:
    """Return each project's yearly change at the mean baseline moderator, with Satterthwaite
    inference, its participants and its weight in the all-project average."""
    names = model.design.fixed_names
    total = sum(weights.values())
    rows = []
    for project, n in weights.items():
        contrast = model.weights(effect_term)
        name = f"project[T.{project}]:{effect_term}"
        if name in names:
            contrast[names.index(name)] += 1.0
        rows.append(
            {"project": project, "n_participants": n, "weight": n / total,
             **model.contrast(contrast)}
        )  # fmt: skip
    return rows


def simple_slopes(
    model: FittedDesign,
    *,
    effect: np.ndarray,
    term: str,
    moderator_values: np.ndarray,
    mean: float,
    percentiles: Sequence[float] = (10.0, 50.0, 90.0),
    sizes: Sequence[float] = (),
) -> list[dict[str, Any]]:
    """Return the model-based yearly change at fixed baseline moderator values (emmeans'
    ``emtrends(m, ~ m_c, var = "years", at = …)`` with the projects weighted by participants):
    L = L_effect + (value − mean)·e_term, with Satterthwaite df and t intervals.

    Values are the ``percentiles`` of ``moderator_values`` (one per analysed participant, R's
    type 7 quantile) and the fixed ``sizes``; the descriptive tertile slopes of
    ``subgroups.subgroup_slopes`` are no substitute (Brookes et al. 2004).
    """
    points: list[tuple[float | None, float]] = []
    if moderator_values.size:
        for q in percentiles:
            points.append((float(q), float(np.percentile(moderator_values, q))))
    points += [(None, float(v)) for v in sizes]
    rows = []
    for percentile, value in points:
        contrast = effect + (value - mean) * model.weights(term)
        rows.append({"percentile": percentile, "moderator_value": value,
                     **model.contrast(contrast)})  # fmt: skip
    return rows


def evidence_agreement(
    primary_excludes_zero: bool, bootstrap_excludes_zero: bool | None, boot_lrt_p: float | None
) -> str | None:
    """Return ``consistent`` when the primary method and the parametric bootstrap (percentile
    interval and null-model likelihood-ratio p < 0.05) agree about zero, ``borderline`` when
    they do not, None without a bootstrap. A borderline result is reported as such, never
    settled by picking the favourable method."""
    if bootstrap_excludes_zero is None:
        return None
    views = [primary_excludes_zero, bootstrap_excludes_zero]
    if boot_lrt_p is not None:
        views.append(boot_lrt_p < 0.05)
    return "consistent" if all(views) or not any(views) else "borderline"


def same_fit(document: Mapping[str, Any] | None, model: FittedDesign) -> bool:
    """Return whether ``document`` (a ``model.json`` with profile intervals) is the REML fit of
    ``model``: same formula, random structure, observations and participants, and the same
    log-likelihood to 1e-9 relative — then its profile intervals are ``model``'s."""
    if not document or not document.get("random_effects_ci"):
        return False
    loglik = float(document.get("loglik", math.nan))
    return (
        document.get("formula") == model.formula
        and document.get("random_structure") == model.random_structure
        and document.get("n_observations") == model.n_observations
        and document.get("n_participants") == model.n_participants
        and abs(loglik - model.reml.loglik) <= 1e-9 * max(1.0, abs(loglik))
    )


def interaction_test(
    panel: pl.DataFrame,
    *,
    outcome: str,
    moderator: str,
    project: str,
    n_boot: int = 1000,
    seed: int | np.random.SeedSequence = 20261122,
    mde: bool = True,
    n_power: int = 0,
    controlled: bool | None = None,
    method: str = "satterthwaite",
    percentiles: Sequence[float] = (10.0, 50.0, 90.0),
    sizes: Sequence[float] = (),
    profile: bool = False,
    fitted_before: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], FittedDesign]:
    """Return the Matthew-check result of one outcome × moderator × scope, and the fitted model.

    ``project`` names the scope (``"all"``: every project, with ``project * years`` so the
    interaction is estimated within projects). The result holds:

    - the interaction with Satterthwaite df, t, p and t(df) interval (lmerTest);
    - the asymptotic likelihood-ratio test from ML fits (χ²₁);
    - with ``n_boot`` > 0, the parametric bootstrap: a percentile interval from ``n_boot`` REML
      refits of data simulated from the fitted model (lme4's ``bootMer``) and a likelihood-ratio
      p from ``n_boot`` data sets simulated under the ML fit without the interaction, both
      models refitted by ML (pbkrtest's ``PBmodcomp``); failed, non-converged and singular
      replicates are counted;
    - the verdict from ``method`` (``satterthwaite`` or ``bootstrap``), ``method`` naming it,
      and ``evidence``: ``borderline`` when the bootstrap disagrees about zero;
    - the effect: the yearly change (with several projects the participant-weighted average
      of the project slopes, each project's slope under ``project_slopes``), or the arm × time
      difference in controlled designs;
    - model-based slopes at fixed moderator values (``simple_slopes``, as emtrends);
    - the minimal detectable interaction at 80% power (``mde80``, from the same simulations,
      or ``n_power`` of them when ``n_boot`` is 0, or the normal approximation);
    - the random-effects structure (a singular fit is refitted with a simpler random part,
      ``power.fitted_design``) and, with ``profile``, the profile-likelihood intervals of the
      random-effect SDs, correlation and residual SD (``profile.py``), taken from
      ``fitted_before`` (a ``model.json``) when that is the same fit (:func:`same_fit`).
    """
    if method not in METHOD_NAMES:
        raise ModelInputError(f"method must be one of {', '.join(METHOD_NAMES)}, got {method!r}")
    if controlled is None:
        controlled = is_controlled(panel)
    frame, mean, with_project = prepare_scope(panel, outcome, moderator, controlled=controlled)
    column = analysed_column(outcome)
    formula, term, effect_term = interaction_formula(
        column, moderator, with_project=with_project, controlled=controlled
    )
    model = fitted_design(formula, frame, term=term)
    interaction = model.coefficient(term)
    weights = project_weights(frame, column, moderator) if with_project else {}
    effect_weights = slope_weights(model, effect_term, weights)
    effect = model.contrast(effect_weights)
    lrt = model.likelihood_ratio()
    per_participant = (
        frame.filter(pl.col(column).is_not_null())
        .group_by("participant_id", maintain_order=True)
        .agg(pl.col(moderator).cast(pl.Float64).drop_nulls().first())
    )
    values = per_participant.get_column(moderator).drop_nulls().to_numpy()
    sd_value = per_participant.get_column(moderator).std()
    moderator_sd = float(sd_value) if isinstance(sd_value, (int, float)) else None
    if controlled:
        estimand = "arm × time difference per year (intervention − control)"
    elif with_project:
        estimand = "yearly change, participant-weighted average of the project slopes"
    else:
        estimand = "yearly change"
    result: dict[str, Any] = {
        "project": project,
        "outcome": outcome,
        "moderator": moderator,
        "design": "controlled" if controlled else "uncontrolled",
        "term": term,
        "formula": f"{formula} + (1 + years | participant_id)",
        "random_structure": model.random_structure,
        "structure_note": model.structure_note,
        "singular": model.singular,
        "direction": "as scored" if column == outcome else "flipped",
        "direction_note": direction_note(outcome),
        "inference": "Satterthwaite t (lmerTest)",
        **{k: interaction[k] for k in ("estimate", "se", "df", "t", "p", "ci_low", "ci_high")},
        "estimate_per_sd": (
            interaction["estimate"] * moderator_sd if moderator_sd is not None else None
        ),
        "moderator_mean": mean,
        "moderator_sd": moderator_sd,
        "lrt_stat": lrt["lrt_stat"],
        "lrt_df": lrt["lrt_df"],
        "lrt_p": lrt["lrt_p"],
        "effect_term": effect_term,
        "effect_estimand": estimand,
        "effect": effect["estimate"],
        "effect_se": effect["se"],
        "effect_df": effect["df"],
        "effect_ci_low": effect["ci_low"],
        "effect_ci_high": effect["ci_high"],
        "effect_p": effect["p"],
        "project_slopes": project_slopes(model, effect_term, weights) if weights else [],
        "simple_slopes": simple_slopes(
            model,
            effect=effect_weights,
            term=term,
            moderator_values=values,
            mean=mean,
            percentiles=percentiles,
            sizes=sizes,
        ),
        "n_participants": model.n_participants,
        "n_observations": model.n_observations,
        "converged": model.reml.converged,
        "boot_ci_low": None,
        "boot_ci_high": None,
        "boot_se": None,
        "boot_lrt_p": None,
        "n_boot": 0,
        "n_boot_converged": 0,
        "bootstrap": None,
        "mde80": None,
        "mde80_normal": normal_mde(interaction["se"]),
        "mde_method": None,
        "random_effects_ci": None,
    }
    if profile and not model.uncorrelated:
        if same_fit(fitted_before, model):
            assert fitted_before is not None
            result["random_effects_ci"] = fitted_before["random_effects_ci"]
        else:
            intervals = profile_intervals(model.design, reml=True, theta_hat=model.reml.theta)
            result["random_effects_ci"] = [interval.as_dict() for interval in intervals]
    draws: Draws | None = None
    if n_boot > 0:
        sequence = (
            seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        )
        interval_seed, null_seed = sequence.spawn(2)
        draws = model.draws(n_boot, interval_seed)
        null = model.null_likelihood_ratio(n_boot, null_seed)
        low, high = draws.percentile_ci() if draws.n else (None, None)
        result.update(
            boot_ci_low=low,
            boot_ci_high=high,
            boot_se=float(np.std(draws.estimates, ddof=1)) if draws.n > 1 else None,
            boot_lrt_p=null.p if null.n_used else None,
            n_boot=n_boot,
            n_boot_converged=draws.n,
            bootstrap={
                "replicates": n_boot,
                "interval": {
                    "simulated_from": "the REML fit of the model (lme4's bootMer)",
                    "used": draws.n, "failed": draws.n_failed,
                    "not_converged": draws.n_not_converged, "singular": draws.n_singular,
                },
                "lrt": {
                    "simulated_from": "the ML fit without the interaction (pbkrtest's PBmodcomp)",
                    "statistic": null.statistic, "p": null.p, "used": null.n_used,
                    "failed": null.n_failed, "not_converged": null.n_not_converged,
                    "singular": null.n_singular,
                },
                "rule": "failed and non-converged replicates are left out and counted; "
                "singular ones are kept and counted",
            },
        )  # fmt: skip
    else:
        draws = model.draws(n_power, seed) if (mde and n_power > 0) else None
    if draws is not None and mde and draws.n:
        result["mde80"] = minimal_detectable_effect(draws)
        result["mde_method"] = (
            f"simulation from the fitted model ({draws.n} refits): the smallest true "
            "interaction the Wald test at 5% (two-sided) detects in 80% of data sets"
        )
    elif mde:
        result["mde80"] = result["mde80_normal"]
        result["mde_method"] = "normal approximation (1.96 + 0.84) × SE (no simulations run)"

    satterthwaite_verdict = verdict_for(interaction["ci_low"], interaction["ci_high"])
    bootstrap_verdict = (
        verdict_for(result["boot_ci_low"], result["boot_ci_high"])
        if result["boot_ci_low"] is not None
        else None
    )
    if method == "bootstrap" and bootstrap_verdict is None:
        raise ModelInputError(
            "the primary method is the parametric bootstrap, but no bootstrap replicates were "
            "run (set robustness.bootstrap_replicates above 0)"
        )
    result["method"] = method
    result["method_description"] = METHOD_NAMES[method]
    if method == "bootstrap":
        result["verdict"] = bootstrap_verdict
        result["verdict_ci_low"], result["verdict_ci_high"] = (
            result["boot_ci_low"], result["boot_ci_high"]
        )  # fmt: skip
        result["verdict_p"] = result["boot_lrt_p"]
    else:
        result["verdict"] = satterthwaite_verdict
        result["verdict_ci_low"], result["verdict_ci_high"] = (
            interaction["ci_low"], interaction["ci_high"]
        )  # fmt: skip
        result["verdict_p"] = interaction["p"]
    result["satterthwaite_verdict"] = satterthwaite_verdict
    result["bootstrap_verdict"] = bootstrap_verdict
    result["evidence"] = evidence_agreement(
        satterthwaite_verdict != "no_evidence",
        None if bootstrap_verdict is None else bootstrap_verdict != "no_evidence",
        result["boot_lrt_p"],
    )
    return {k: _clean(v) for k, v in result.items()}, model
