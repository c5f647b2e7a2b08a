"""The numbers of the analysis documents a report shows: M1's yearly change and the Matthew test.

Belongs here: picking from ``model.json`` (or a project's entry of ``project_effects.json``) the
yearly change and the Matthew interaction, and from ``matthew.json`` the row a report describes —
the declared primary test when the scope holds it, else its exploratory wellbeing × baseline
network size row — with all results, the network-group slopes passed through
:mod:`outcomes.reports.disclosure`, and the simple slopes a report may show (docs/architecture.md,
"What the analysis writes", "One declared primary test", "Simple slopes").
Does not belong here: fitting models (``outcomes.models``), the descriptive tables
(``panel_tables.py``), the synthesis' own tables (``synthesis_tables.py``), wording
(``matthew_text.py``).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from outcomes.catalog.vocabulary import NETWORK_GROUPS
from outcomes.documents import FittedModel, InteractionTest, MatthewScope, ModelResult
from outcomes.reports.disclosure import protect_table

MATTHEW_TERM = "years:network_size_bl_c"
SLOPE_TERM = "years"


def _effect(model: FittedModel, name: str) -> dict[str, Any] | None:
    effect = model.fixed_effects.get(name)
    if effect is None:
        return None
    return {k: getattr(effect, k) for k in ("estimate", "se", "ci_low", "ci_high", "p")}


def _yearly_change(model: FittedModel) -> dict[str, Any] | None:
    if not isinstance(model, ModelResult):
        return _effect(model, SLOPE_TERM)
    change = model.yearly_change
    return {k: getattr(change, k) for k in ("estimate", "se", "ci_low", "ci_high", "p", "estimand")}


def model_summary(model: FittedModel | None) -> dict[str, Any]:
    """Return the numbers of model.json a report shows: M1's slope and Matthew interaction."""
    if model is None:
        return {}
    return {
        "engine": model.engine,
        "formula": model.formula,
        "n_observations": model.n_observations,
        "n_participants": model.n_participants,
        "converged": model.converged,
        "singular": model.singular,
        # with several projects "years" is the reference project's slope: the all-project
        # yearly change is model.json's participant-weighted average (docs/architecture.md)
        "slope": _yearly_change(model),
        "interaction": _effect(model, MATTHEW_TERM),
    }


def matthew_summary(matthew: MatthewScope | None, threshold: int) -> dict[str, Any]:
    """Return the primary Matthew result, all results, and protected subgroup slopes."""
    if matthew is None:
        return {}
    # the declared primary test when this scope holds it, else the scope's wellbeing ×
    # network size row (exploratory: reported without a verdict)
    declared = next((r for r in matthew.results if r.role == "primary"), None)
    chosen = declared or next(
        (
            r
            for r in matthew.results
            if r.outcome == "wellbeing" and r.moderator == "network_size_bl"
        ),
        matthew.results[0] if matthew.results else None,
    )
    order = {g: i for i, g in enumerate(NETWORK_GROUPS)}
    subgroups = sorted(matthew.subgroups, key=lambda s: (s.outcome, order.get(s.network_group, 9)))
    table = None
    if subgroups:
        frame = pl.DataFrame(
            {
                "outcome": [s.outcome for s in subgroups],
                "network_group": [s.network_group for s in subgroups],
                "n_participants": [s.n_participants for s in subgroups],
                "slope": [s.slope for s in subgroups],
                "ci_low": [s.ci_low for s in subgroups],
                "ci_high": [s.ci_high for s in subgroups],
            },
            schema_overrides={
                "n_participants": pl.Int64, "slope": pl.Float64, "ci_low": pl.Float64,
                "ci_high": pl.Float64,
            },
        )  # fmt: skip
        table = protect_table(
            frame,
            ["n_participants"],
            mean_columns={c: "n_participants" for c in ("slope", "ci_low", "ci_high")},
            threshold=threshold,
            decimals=2,
        ).to_dict()
    return {
        "project": matthew.project,
        "primary": None if chosen is None else chosen.to_json(),
        "results": [r.to_json() for r in matthew.results],
        "subgroups": table,
        "exploratory_tests": matthew.multiplicity.exploratory_tests,
        "simple_slopes": shown_simple_slopes(chosen, threshold),
    }


def shown_simple_slopes(primary: InteractionTest | None, threshold: int) -> list[dict[str, Any]]:
    """Return the model-based yearly changes at fixed baseline network sizes (``simple_slopes``)
    a report shows: only for the declared primary test, and none when the model rests on fewer
    participants than ``threshold`` (a percentile of so few people is nearly one person's value)."""
    if primary is None or primary.role != "primary":
        return []
    if primary.n_participants < threshold:
        return []
    keep = ("percentile", "moderator_value", "estimate", "ci_low", "ci_high", "p")
    return [
        {k: getattr(s, k) for k in keep} for s in primary.simple_slopes if s.estimate is not None
    ]
