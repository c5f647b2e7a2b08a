"""The Matthew-effect check: does a larger baseline network go with a larger improvement?

What belongs here: the interaction of time with a baseline moderator in M1 (Wald, likelihood
ratio from ML fits, parametric-bootstrap interval, verdict and minimal detectable effect), the
three-way interaction for controlled designs, subgroup slopes by network group (M2, descriptive
only), the direction of "better" per outcome, and the credibility checklist. Orchestration over
outcomes, moderators and projects is in ``analysis.py``; simulation in ``power.py``.

Rules: the verdict comes from the interaction's confidence interval (``matthew`` above zero,
``reverse`` below, ``no_evidence`` otherwise), never from subgroup p-values (Brookes et al. 2004).
Credibility after Sun, Briel, Walter & Guyatt (2010, BMJ 340:c117) and ICEMAN (Schandelmaier et
al. 2020, CMAJ 192:E901).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from outcomes.instruments import INSTRUMENTS
from outcomes.models.formula import ModelInputError
from outcomes.models.m1 import prepare_m1_panel
from outcomes.models.power import (
    FittedDesign,
    fitted_design,
    minimal_detectable_effect,
    normal_mde,
)

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

    Uncontrolled: ``y ~ years * m_c (+ project)``, term ``years:m_c``, effect ``years``.
    Controlled: ``y ~ years * treated * m_c (+ project)``, term ``years:treated:m_c`` (the
    three-way interaction), effect ``years:treated`` (the arm × time difference).
    """
    centred = f"{moderator}_c"
    if controlled:
        formula = f"{column} ~ years * treated * {centred}"
        term, effect = f"years:treated:{centred}", "years:treated"
    else:
        formula = f"{column} ~ years * {centred}"
        term, effect = f"years:{centred}", "years"
    if with_project:
        formula += " + project"
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
    return value


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
) -> tuple[dict[str, Any], FittedDesign]:
    """Return the Matthew-check result of one outcome × moderator × scope, and the fitted model.

    ``project`` names the scope (``"all"`` for the pooled model with a project term). The
    result holds the interaction with Wald CI and p, the likelihood-ratio test from ML fits,
    the parametric-bootstrap percentile CI (``n_boot`` REML refits of data simulated from the
    fitted model; 0 skips it), the verdict (from the bootstrap CI when there is one, else the
    Wald CI; ``verdict_from`` says which), the minimal detectable interaction at 80% power
    (``mde80``, from the same simulations, or ``n_power`` of them when ``n_boot`` is 0, or
    the normal approximation when there are none; ``mde_method`` says which), the
    effect (slope per year, or arm × time in controlled designs) and the direction handling.
    """
    if controlled is None:
        controlled = is_controlled(panel)
    frame, mean, with_project = prepare_scope(panel, outcome, moderator, controlled=controlled)
    column = analysed_column(outcome)
    formula, term, effect_term = interaction_formula(
        column, moderator, with_project=with_project, controlled=controlled
    )
    model = fitted_design(formula, frame, term=term)
    wald = model.coefficient(term)
    effect = model.coefficient(effect_term)
    lrt = model.likelihood_ratio()
    per_participant = (
        frame.filter(pl.col(column).is_not_null())
        .group_by("participant_id", maintain_order=True)
        .agg(pl.col(moderator).cast(pl.Float64).drop_nulls().first())
    )
    sd_value = per_participant.get_column(moderator).std()
    moderator_sd = float(sd_value) if isinstance(sd_value, (int, float)) else None
    result: dict[str, Any] = {
        "project": project,
        "outcome": outcome,
        "moderator": moderator,
        "design": "controlled" if controlled else "uncontrolled",
        "term": term,
        "formula": f"{formula} + (1 + years | participant_id)",
        "direction": "as scored" if column == outcome else "flipped",
        "direction_note": direction_note(outcome),
        **{k: wald[k] for k in ("estimate", "se", "ci_low", "ci_high", "p")},
        "estimate_per_sd": (wald["estimate"] * moderator_sd if moderator_sd is not None else None),
        "moderator_mean": mean,
        "moderator_sd": moderator_sd,
        "lrt_stat": lrt["lrt_stat"],
        "lrt_df": lrt["lrt_df"],
        "lrt_p": lrt["lrt_p"],
        "effect_term": effect_term,
        "effect": effect["estimate"],
        "effect_se": effect["se"],
        "effect_ci_low": effect["ci_low"],
        "effect_ci_high": effect["ci_high"],
        "effect_p": effect["p"],
        "n_participants": model.n_participants,
        "n_observations": model.n_observations,
        "converged": model.reml.converged,
        "boot_ci_low": None,
        "boot_ci_high": None,
        "boot_se": None,
        "n_boot": 0,
        "n_boot_converged": 0,
        "mde80": None,
        "mde80_normal": normal_mde(wald["se"]),
        "mde_method": None,
    }
    n_draws = n_boot if n_boot > 0 else (n_power if mde else 0)
    draws = model.draws(n_draws, seed) if n_draws > 0 else None
    if draws is not None and n_boot > 0:
        low, high = draws.percentile_ci()
        result.update(
            boot_ci_low=low,
            boot_ci_high=high,
            boot_se=float(np.std(draws.estimates, ddof=1)),
            n_boot=draws.n,
            n_boot_converged=draws.n_converged,
        )
    if draws is not None and mde:
        result["mde80"] = minimal_detectable_effect(draws)
        result["mde_method"] = (
            f"simulation from the fitted model ({draws.n} refits): the smallest true "
            "interaction the Wald test at 5% (two-sided) detects in 80% of data sets"
        )
    elif mde:
        result["mde80"] = result["mde80_normal"]
        result["mde_method"] = "normal approximation (1.96 + 0.84) × SE (no simulations run)"

    if result["boot_ci_low"] is not None:
        result["verdict"] = verdict_for(result["boot_ci_low"], result["boot_ci_high"])
        result["verdict_from"] = "bootstrap percentile CI"
    else:
        result["verdict"] = verdict_for(wald["ci_low"], wald["ci_high"])
        result["verdict_from"] = "Wald CI"
    result["wald_verdict"] = verdict_for(wald["ci_low"], wald["ci_high"])
    return {k: _clean(v) for k, v in result.items()}, model


def subgroup_slopes(
    panel: pl.DataFrame, *, outcome: str, project: str, group_column: str = "network_group"
) -> list[dict[str, Any]]:
    """Return the slope per year of ``outcome`` per network group from M2 (DESIGN.md):
    ``y ~ group + years × group (+ project) + (1 + years | participant_id)``, parameterised so
    each group's slope is one coefficient. For reports only: no verdict comes from these.

    In a controlled design only the intervention arm is used (the slopes describe change among
    participants, as in the uncontrolled projects). Direction as in :func:`analysed_column`.
    """
    frame = with_direction(panel, outcome)
    if is_controlled(frame):
        coding = treated_indicator(frame.get_column("arm").to_list())
        arms = [a for a, v in coding.items() if v == 1.0]
        frame = frame.filter(pl.col("arm").is_in(arms))
    column = analysed_column(outcome)
    if "years" not in frame.columns:
        frame = frame.with_columns((pl.col("months_since_baseline") / 12.0).alias("years"))
    frame = frame.filter(
        pl.col(column).is_not_null() & pl.col("years").is_not_null()
        & pl.col(group_column).is_not_null()
    )  # fmt: skip
    groups = [g for g in ("small", "medium", "large") if g in set(frame[group_column].to_list())]
    if not groups:
        return []
    indicators = [(pl.col(group_column) == g).cast(pl.Float64).alias(f"g_{g}") for g in groups] + [
        ((pl.col(group_column) == g).cast(pl.Float64) * pl.col("years")).alias(f"years_{g}")
        for g in groups
    ]
    frame = frame.with_columns(indicators)
    with_project = (
        frame.get_column("project").n_unique() > 1 if "project" in frame.columns else False
    )
    terms = [f"g_{g}" for g in groups[1:]] + [f"years_{g}" for g in groups]
    formula = f"{column} ~ " + " + ".join(terms) + (" + project" if with_project else "")
    model = fitted_design(formula, frame, term=f"years_{groups[0]}")
    counts = dict(
        frame.group_by(group_column, maintain_order=True)
        .agg(pl.col("participant_id").n_unique())
        .iter_rows()
    )
    rows = []
    for g in groups:
        c = model.coefficient(f"years_{g}")
        rows.append(
            {
                "project": project,
                "outcome": outcome,
                "network_group": g,
                "slope": c["estimate"],
                "se": c["se"],
                "ci_low": c["ci_low"],
                "ci_high": c["ci_high"],
                "n_participants": int(counts.get(g, 0)),
                "direction": "as scored" if column == outcome else "flipped",
                "formula": f"{formula} + (1 + years | participant_id)",
            }
        )
    return rows


def credibility_checklist(
    results: Sequence[dict[str, Any]],
    *,
    primary_outcome: str = "wellbeing",
    primary_moderator: str = "network_size_bl",
    heterogeneity_p: float | None = None,
) -> list[dict[str, str]]:
    """Return the credibility checklist of the effect-modification claim (after Sun et al. 2010
    and ICEMAN 2020): one {item, answer (yes/no/partly), reason} per criterion.

    Consistency and the number of moderators are computed from ``results`` (rows of
    matthew.json); ``heterogeneity_p`` is the Q-test p of the pooled per-project interactions.
    """
    primary_all = next(
        (r for r in results if r["project"] == "all" and r["outcome"] == primary_outcome
         and r["moderator"] == primary_moderator),
        None,
    )  # fmt: skip
    per_project = [
        r for r in results
        if r["project"] != "all" and r["outcome"] == primary_outcome
        and r["moderator"] == primary_moderator
    ]  # fmt: skip
    items = [
        {
            "item": "direction_stated_in_advance",
            "answer": "yes",
            "reason": "The evaluations hypothesised in advance that people with a small network "
            "benefit less (a positive interaction).",
        },
        {
            "item": "moderator_measured_at_baseline",
            "answer": "yes",
            "reason": "Moderators are the baseline (wave 0) values, so the intervention cannot "
            "have changed them.",
        },
        {
            "item": "continuous_moderator",
            "answer": "yes",
            "reason": "Network size is analysed as a continuous, centred moderator; network "
            "groups are shown for description only.",
        },
        {
            "item": "interaction_tested",
            "answer": "yes",
            "reason": "The verdict comes from the test of the interaction (Wald, likelihood "
            "ratio, bootstrap), not from separate subgroup p-values.",
        },
    ]
    # consistency across projects and outcomes
    reference = primary_all["estimate"] if primary_all else None
    if reference is None or not per_project:
        answer, reason = "partly", "Fewer than two projects: consistency cannot be judged."
    else:
        sign = np.sign(reference)
        same = sum(1 for r in per_project if np.sign(r["estimate"]) == sign)
        opposite_sig = sum(
            1 for r in per_project if r["verdict"] != "no_evidence"
            and np.sign(r["estimate"]) != sign
        )  # fmt: skip
        outcomes_all = [
            r for r in results if r["project"] == "all" and r["moderator"] == primary_moderator
        ]
        outcomes_same = sum(1 for r in outcomes_all if np.sign(r["estimate"]) == sign)
        het = "" if heterogeneity_p is None else f"; heterogeneity Q-test p = {heterogeneity_p:.2g}"
        reason = (
            f"{same} of {len(per_project)} projects and {outcomes_same} of {len(outcomes_all)} "
            f"outcomes point the same way as the pooled estimate{het}."
        )
        if opposite_sig or same < len(per_project) / 2:
            answer = "no"
        elif (
            same == len(per_project) and outcomes_same == len(outcomes_all)
            and (heterogeneity_p is None or heterogeneity_p >= 0.10)
        ):  # fmt: skip
            answer = "yes"
        else:
            answer = "partly"
    items.append({"item": "consistent_across_projects_and_outcomes", "answer": answer,
                  "reason": reason})  # fmt: skip
    moderators = sorted({r["moderator"] for r in results})
    outcomes = sorted({r["outcome"] for r in results})
    n_tests = len(moderators) * len(outcomes)
    if n_tests <= 5:
        answer = "yes"
    elif primary_all is not None:
        answer = "partly"
    else:
        answer = "no"
    items.append(
        {
            "item": "number_of_moderators_tested",
            "answer": answer,
            "reason": f"{len(moderators)} moderator(s) × {len(outcomes)} outcome(s) = {n_tests} "
            f"interactions tested; {primary_moderator} on {primary_outcome} is the one "
            "pre-specified; read the others as exploratory (at 5% about "
            f"{0.05 * n_tests:.1f} would be 'significant' by chance).",
        }
    )
    return items
