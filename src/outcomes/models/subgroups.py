"""What the Matthew check says about subgroups, descriptively, and how credible its claim is.

What belongs here: the yearly change per network group from M2 (descriptive only: no verdict
comes from subgroup slopes, Brookes et al. 2004) and the credibility checklist of the
effect-modification claim after Sun, Briel, Walter & Guyatt (2010, BMJ 340:c117) and ICEMAN
(Schandelmaier et al. 2020, CMAJ 192:E901). What does not: the interaction test and its verdict
(``matthew.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from outcomes.catalog.vocabulary import NETWORK_GROUPS
from outcomes.models.matthew import (
    analysed_column,
    is_controlled,
    treated_indicator,
    with_direction,
)
from outcomes.models.power import fitted_design


def subgroup_slopes(
    panel: pl.DataFrame, *, outcome: str, project: str, group_column: str = "network_group"
) -> list[dict[str, Any]]:
    """Return the slope per year of ``outcome`` per network group from M2
    (docs/architecture.md, "Simple slopes"):
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
    present = set(frame[group_column].to_list())
    groups = [g for g in NETWORK_GROUPS if g in present]
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
            "reason": "The verdict comes from the declared test of the interaction "
            "(Satterthwaite t, with the parametric bootstrap as a check), not from separate "
            "subgroup p-values.",
        },
    ]
    # consistency across projects and outcomes
    reference = primary_all["estimate"] if primary_all else None
    if reference is None or not per_project:
        answer, reason = "partly", "Fewer than two projects: consistency cannot be judged."
    else:
        sign = np.sign(reference)
        same = sum(1 for r in per_project if np.sign(r["estimate"]) == sign)
        # per-project rows are exploratory (no verdict): read their t intervals
        opposite_sig = sum(
            1 for r in per_project
            if (r["ci_low"] > 0 or r["ci_high"] < 0) and np.sign(r["estimate"]) != sign
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
