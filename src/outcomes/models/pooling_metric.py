"""One metric when pooling: the yearly change of the primary wellbeing measure is pooled across
projects only on a metric the projects share (docs/architecture.md, "Pooling across projects").

What belongs here: each project's primary measure for pooling (:func:`primary_measures`: the
instrument its spec names, how many of that instrument's points one point of ``wellbeing`` is,
the baseline SD and the intervention type), the choice of the pooling metric
(:func:`choose_metric`: the instrument's own points when every pooled project uses the same
primary instrument, else the standardised change — per year, in baseline SDs of the project's
primary score) and the conversion of the per-project effects onto it (:class:`PoolingMetric`).
``wellbeing`` is a linear rescaling of the primary score to 0–100, so its baseline SD rescales
with it and a change in its baseline SDs equals the change in the primary score's baseline SDs.
What does not belong here: the models (M1 and the Matthew check stay on ``wellbeing`` 0–100) and
the meta-analysis itself (``meta.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

#: ``metric`` of a pooling on standardised effects.
STANDARDISED = "standardised"

#: fields of a per-project effect row that :meth:`PoolingMetric.rows` converts (all in
#: ``wellbeing`` points: the slope and the interaction with their SEs and intervals)
CONVERTED = ("estimate", "se", "ci_low", "ci_high",
             "slope", "slope_se", "slope_ci_low", "slope_ci_high")  # fmt: skip


def points_per_wellbeing_point(instrument: str) -> float:
    """Return how many points of ``instrument``'s wellbeing score one point of ``wellbeing``
    (0–100) is: (maximum − minimum)/100 of the score's declared range, 1 for a 0–100 score
    (the rescaling of ``wellbeing``, docs/architecture.md, "Canonical panel columns")."""
    from outcomes.instruments import get_instrument

    found = get_instrument(instrument)
    column = found.wellbeing_column
    if column is None:
        raise ValueError(f"instrument {instrument!r} declares no wellbeing score")
    score = found.score_by_column(column)
    if (score.minimum, score.maximum) == (0.0, 100.0):
        return 1.0
    return (score.maximum - score.minimum) / 100.0


def primary_measures(
    panel: pl.DataFrame,
    primary_instruments: Mapping[str, str | None] | None = None,
    intervention_types: Mapping[str, str | None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Return per project of ``panel`` its primary measure for pooling: ``instrument`` (from
    ``primary_instruments``, the specs' ``primary_wellbeing``; None when not given),
    ``points_per_wellbeing_point``, ``baseline_sd`` (the SD of ``wellbeing`` at wave 0, all
    arms; None below two values) and ``intervention_type`` (from the specs, None when not
    given); sorted by project (docs/architecture.md, "Pooling across projects")."""
    instruments = primary_instruments or {}
    intervention_types = intervention_types or {}
    if "wave" in panel.columns:
        first = panel.filter(pl.col("wave") == 0)
    else:  # a panel without waves: each participant's first measurement
        first = (
            panel.sort("months_since_baseline")
            .group_by("participant_id", maintain_order=True)
            .first()
        )
    baseline = (
        first.filter(pl.col("wellbeing").is_not_null())
        .group_by("project")
        .agg(pl.col("wellbeing").std(ddof=1).alias("sd"), pl.len().alias("n"))
    )
    sds = {
        row["project"]: (row["sd"] if row["n"] >= 2 and row["sd"] else None)
        for row in baseline.iter_rows(named=True)
    }
    measures = {}
    for project in sorted(panel.get_column("project").unique().to_list()):
        instrument = instruments.get(project)
        measures[project] = {
            "instrument": instrument,
            "points_per_wellbeing_point": (
                points_per_wellbeing_point(instrument) if instrument else None
            ),
            "baseline_sd": sds.get(project),
            "intervention_type": intervention_types.get(project),
        }
    return measures


@dataclass(frozen=True)
class PoolingMetric:
    """The metric the primary outcome's per-project effects are pooled on: ``metric`` is an
    instrument key or :data:`STANDARDISED`; ``factors`` multiply a project's ``wellbeing``
    effects onto it; ``left_out`` are projects that cannot be put on it (no baseline SD)."""

    metric: str
    factors: Mapping[str, float]
    note: str
    left_out: tuple[str, ...] = ()

    def rows(self, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Return copies of the per-project effect rows of the primary outcome on this metric
        (the projects in ``left_out`` dropped); the rows given are not changed."""
        converted = []
        for row in rows:
            factor = self.factors.get(row["project"])
            if factor is None:
                continue
            copy = dict(row)
            if factor != 1.0:
                for key in CONVERTED:
                    if copy.get(key) is not None:
                        copy[key] = copy[key] * factor
            converted.append(copy)
        return converted

    def document(self) -> dict[str, Any]:
        """Return ``metric`` and ``metric_note`` of ``pooled.json``."""
        return {"metric": self.metric, "metric_note": self.note}


def choose_metric(
    measures: Mapping[str, Mapping[str, Any]], projects: Sequence[str]
) -> PoolingMetric:
    """Return the :class:`PoolingMetric` of ``projects`` (the projects with effects of the
    primary outcome), given their :func:`primary_measures`: the shared instrument's points when
    every project names the same primary instrument, else the standardised yearly change in
    baseline SDs of each project's primary score (docs/architecture.md, "Pooling across
    projects"). Projects on different instruments are never averaged on 0–100 points."""
    chosen = [p for p in dict.fromkeys(projects)]
    named = {measures.get(p, {}).get("instrument") for p in chosen}
    if len(named) == 1 and None not in named:
        instrument = str(next(iter(named)))
        factors = {p: float(measures[p]["points_per_wellbeing_point"]) for p in chosen}
        note = (
            f"every pooled project uses {instrument} as its primary measure: the yearly change "
            f"is pooled in {instrument} points (M1 and the Matthew check use wellbeing 0–100)"
        )
        return PoolingMetric(instrument, factors, note)
    factors = {}
    left_out = []
    for project in chosen:
        sd = measures.get(project, {}).get("baseline_sd")
        if sd:
            factors[project] = 1.0 / float(sd)
        else:
            left_out.append(project)
    shown = ", ".join(
        f"{p}: {measures.get(p, {}).get('instrument') or 'not named'}" for p in chosen
    )
    note = (
        f"the pooled projects do not share one primary instrument ({shown}): the yearly change "
        "is pooled as a standardised effect, the change per year in baseline SDs of each "
        "project's primary score (M1 and the Matthew check use wellbeing 0–100)"
    )
    if left_out:
        note += f"; left out for want of a baseline SD: {', '.join(left_out)}"
    return PoolingMetric(STANDARDISED, factors, note, tuple(left_out))


def metric_of_effects(effects: Mapping[str, Any], outcome: str) -> PoolingMetric | None:
    """Return the :class:`PoolingMetric` of ``project_effects.json``'s rows of ``outcome`` (the
    primary outcome) from its ``measures``; None when the effects hold no measures or no row
    of ``outcome``."""
    measures = effects.get("measures")
    projects = [r["project"] for r in effects["projects"] if r["outcome"] == outcome]
    if not measures or not projects:
        return None
    return choose_metric(measures, projects)


def pooled_metric_parts(
    effects: Mapping[str, Any], metric: PoolingMetric | None, outcome: str
) -> dict[str, Any]:
    """Return what ``pooled.json`` says about the metric (``metric``, ``metric_note``) and the
    synthesis by intervention type (``intervention_type``, when a project has a type); empty
    without a metric (docs/architecture.md, "Pooling across projects")."""
    from outcomes.models.type_synthesis import synthesis_by_type

    if metric is None:
        return {}
    parts = metric.document()
    rows = metric.rows([r for r in effects["projects"] if r["outcome"] == outcome])
    types = {p: m.get("intervention_type") for p, m in effects["measures"].items()}
    by_type = synthesis_by_type(rows, types, outcome=outcome, metric=metric.metric)
    if by_type is not None:
        parts["intervention_type"] = by_type
    return parts


def spec_inputs(specs: Mapping[str, Any]) -> dict[str, dict[str, str | None]]:
    """Return ``primary_instruments`` and ``intervention_types`` (project → the spec's
    ``primary_wellbeing`` and ``intervention_type``) of project ``specs``, the keyword arguments
    :func:`outcomes.models.analysis.analyse` and :func:`primary_measures` take."""
    return {
        "primary_instruments": {p: s.primary_wellbeing for p, s in specs.items()},
        "intervention_types": {p: s.intervention_type for p, s in specs.items()},
    }
