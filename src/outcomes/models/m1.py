"""M1, the primary model, and ``model.json`` for ``outcomes analyse``.

What belongs here: preparing the outcome panel for M1 (``years`` from months, the moderator
centred over participants, the project term only when there are several projects), fitting it
and writing ``model.json``. The Matthew-effect check, M2 and pooling live in their own modules.

M1 in lme4 notation (docs/architecture.md, "M1 and the Matthew check"), fitted by REML:

    wellbeing ~ years * network_size_bl_c + project * years + (1 + years | participant_id)

Each project keeps its own yearly change, so the Matthew term is estimated within projects
(docs/architecture.md, "Models"). A singular fit is refitted with uncorrelated random terms,
then with a random intercept alone (``power.RANDOM_STRUCTURES``); ``model.json`` records which.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from outcomes.atomic import write_json
from outcomes.documents import ModelResult, checked
from outcomes.models.fit import fit_mixed
from outcomes.models.formula import ModelInputError, build_design
from outcomes.models.profile import profile_intervals
from outcomes.models.result import MixedResult

PANEL_COLUMNS = ("participant_id", "months_since_baseline", "network_size_bl", "wellbeing")


def m1_formula(outcome: str, moderator: str, *, with_project: bool) -> str:
    """Return M1's fixed-effects formula.

    E.g. ``wellbeing ~ years * network_size_bl_c + project * years``.
    """
    formula = f"{outcome} ~ years * {moderator}_c"
    return formula + " + project * years" if with_project else formula


def prepare_m1_panel(
    panel: pl.DataFrame, *, outcome: str = "wellbeing", moderator: str = "network_size_bl"
) -> tuple[pl.DataFrame, float, bool]:
    """Return (panel with ``years`` and ``<moderator>_c``, the moderator's mean, with_project).

    ``years`` is ``months_since_baseline / 12`` unless the panel has it. The moderator is
    centred at its mean over participants (one value per participant: the first non-missing
    one) among participants with at least one complete row, i.e. the analysed sample.
    """
    needed = ["participant_id", outcome, moderator]
    if "years" not in panel.columns:
        needed.append("months_since_baseline")
    missing = [c for c in needed if c not in panel.columns]
    if missing:
        raise ModelInputError(
            "the panel lacks column(s) needed for M1: "
            + ", ".join(missing)
            + f" (it needs participant_id, months_since_baseline, {moderator} and {outcome}, "
            "and project when there are several projects)"
        )
    frame = panel
    if "years" not in frame.columns:
        frame = frame.with_columns(
            (pl.col("months_since_baseline").cast(pl.Float64) / 12.0).alias("years")
        )
    complete = frame.filter(
        pl.col("years").is_not_null()
        & pl.col(outcome).is_not_null()
        & pl.col(moderator).is_not_null()
    )
    if complete.height == 0:
        raise ModelInputError(
            f"no row of the panel has years, {outcome} and {moderator} all present"
        )
    per_participant = complete.group_by("participant_id", maintain_order=True).agg(
        pl.col(moderator).cast(pl.Float64).first()
    )
    mean = float(per_participant.get_column(moderator).mean())  # type: ignore[arg-type]
    baseline = frame.group_by("participant_id", maintain_order=True).agg(
        pl.col(moderator).cast(pl.Float64).drop_nulls().first().alias(f"{moderator}_c")
    )
    frame = frame.join(
        baseline.with_columns(pl.col(f"{moderator}_c") - mean), on="participant_id", how="left"
    )
    with_project = "project" in frame.columns and (
        complete.get_column("project").drop_nulls().n_unique() > 1
    )
    return frame, mean, with_project


def project_weights(frame: pl.DataFrame, column: str, moderator: str) -> dict[str, int]:
    """Return project → number of analysed participants (a row with the outcome, years and the
    moderator), sorted by project: the weights of the all-project yearly change."""
    complete = frame.filter(
        pl.col(column).is_not_null()
        & pl.col("years").is_not_null()
        & pl.col(f"{moderator}_c").is_not_null()
    )
    counts = complete.group_by("project").agg(pl.col("participant_id").n_unique())
    return dict(sorted((str(p), int(n)) for p, n in counts.iter_rows()))


#: What the all-project yearly change is (docs/architecture.md, "Models").
YEARLY_CHANGE_ESTIMAND = "participant-weighted average of the project slopes"


def average_slope_terms(
    weights: dict[str, int], names: list[str] | set[str], term: str = "years"
) -> dict[str, float]:
    """Return the fixed effects and weights of the participant-weighted average of the project
    slopes of ``term``: β_term + Σⱼ (nⱼ/N)·β_project[T.j]:term, nⱼ from ``weights`` (the
    reference project's slope is β_term itself, so it has no term of its own). Without project
    terms in ``names`` this is β_term alone."""
    total = sum(weights.values())
    contrast = {term: 1.0}
    for project, n in weights.items():
        name = f"project[T.{project}]:{term}"
        if name in names:
            contrast[name] = n / total
    return contrast


def yearly_change(
    result: MixedResult, weights: dict[str, int], *, term: str = "years"
) -> dict[str, Any]:
    """Return the yearly change at the mean baseline moderator with Satterthwaite inference:
    with several projects the participant-weighted average of the project slopes
    (:func:`average_slope_terms`), else β_years; ``estimand`` says which and ``weights`` gives
    nⱼ."""
    contrast = average_slope_terms(weights, set(result.fixed), term)
    several = len(contrast) > 1
    return {
        "estimand": YEARLY_CHANGE_ESTIMAND if several else "yearly change",
        "weights": weights if several else {},
        **result.contrast(contrast),
    }


def fit_m1(
    panel: pl.DataFrame,
    *,
    outcome: str = "wellbeing",
    moderator: str = "network_size_bl",
    reml: bool = True,
    engine: str = "auto",
) -> MixedResult:
    """Fit M1 (docs/architecture.md, "M1 and the Matthew check") to the outcome panel and return
    the :class:`MixedResult`.

    Fixed effects: ``Intercept``, ``years``, ``<moderator>_c``, ``years:<moderator>_c`` (the
    Matthew-effect term) and ``project[T.…]`` when there are several projects; random
    intercept and slope of ``years`` by ``participant_id``.
    """
    frame, _, with_project = prepare_m1_panel(panel, outcome=outcome, moderator=moderator)
    formula = m1_formula(outcome, moderator, with_project=with_project)
    result = fit_mixed(
        formula, frame, group="participant_id", random="1 + years", reml=reml, engine=engine
    )
    if not result.singular:
        return result
    # lme4's advice for singular fits: simplify the random part (Bates et al. 2015,
    # "Parsimonious mixed models"); uncorrelated terms first, then the intercept alone
    notes = ["the fit with correlated random terms (1 + years | participant_id) was singular"]
    simpler = fit_mixed(formula, frame, group="participant_id", random="1 + years", reml=reml,
                        engine="fast", uncorrelated=True)  # fmt: skip
    if simpler.singular:
        notes.append("so was the fit with uncorrelated terms (1 + years || participant_id)")
        simpler = fit_mixed(formula, frame, group="participant_id", random="1", reml=reml,
                            engine=engine)  # fmt: skip
        simpler.random_structure = "intercept"
        notes.append("the model was refitted with a random intercept alone (1 | participant_id)")
    else:
        notes.append("the model was refitted with uncorrelated terms (1 + years || participant_id)")
    simpler.structure_note = "; ".join(notes) + "."
    simpler.warnings = [simpler.structure_note, *simpler.warnings]
    return simpler


def random_effects_intervals(
    result: MixedResult, frame: pl.DataFrame
) -> tuple[list[dict[str, Any]], str | None]:
    """Return the profile-likelihood 95% intervals of ``result``'s random-effect SDs, their
    correlation and the residual SD (REML profile, ``profile.py``; lme4's
    ``confint(method = "profile")``), and a note when they are not computed (uncorrelated
    random terms, whose held correlation the profile does not model)."""
    if result.random_structure == "uncorrelated":
        return [], "not computed for uncorrelated random terms"
    design = build_design(result.formula, frame, group=result.group, random=result.random)
    intervals = profile_intervals(design, reml=result.reml, theta_hat=result.theta)
    return [interval.as_dict() for interval in intervals], None


def model_document(
    panel: pl.DataFrame,
    *,
    outcome: str = "wellbeing",
    moderator: str = "network_size_bl",
    engine: str = "auto",
) -> dict[str, Any]:
    """Return ``model.json``: M1 fitted to ``panel`` (:func:`fit_m1`), the all-project yearly
    change (:func:`yearly_change`), the moderator's mean and the profile intervals of the random
    effects (``random_effects_ci``)."""
    frame, mean, with_project = prepare_m1_panel(panel, outcome=outcome, moderator=moderator)
    result = fit_m1(panel, outcome=outcome, moderator=moderator, engine=engine)
    document = result.to_dict()
    intervals, note = random_effects_intervals(result, frame)
    weights = project_weights(frame, outcome, moderator) if with_project else {}
    document.update(
        yearly_change=yearly_change(result, weights),
        model="M1",
        moderator=moderator,
        moderator_mean=mean,
        random_effects_ci=intervals,
        random_effects_ci_note=note,
    )
    return document


def analyse_panel(panel: pl.DataFrame, out_dir: Path, engine: str = "auto") -> dict[str, Path]:
    """Fit M1 to ``panel`` and write ``out_dir/model.json``; return {"model": path}.

    The panel needs ``participant_id``, ``months_since_baseline``, ``network_size_bl`` and
    ``wellbeing`` (and ``project`` when there are several projects).
    """
    missing = [c for c in PANEL_COLUMNS if c not in panel.columns]
    if missing:
        raise ModelInputError(
            "the panel lacks column(s): "
            + ", ".join(missing)
            + " (outcomes analyse needs participant_id, months_since_baseline, "
            "network_size_bl and wellbeing, and project when there are several projects)"
        )
    path = write_json(
        Path(out_dir) / "model.json",
        checked(ModelResult, model_document(panel, engine=engine)),
    )
    return {"model": path}
