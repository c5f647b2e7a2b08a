"""The synthesis by intervention type: does yearly change differ between the types of
intervention the projects are (Webber & Fendt-Newlin 2017, Soc Psychiatry Psychiatr Epidemiol
52:369–380; docs/architecture.md, "Pooling across projects")?

What belongs here: :func:`synthesis_by_type`, ``pooled.json``'s ``intervention_type`` — a
meta-regression with the type as moderator (REML τ², Knapp–Hartung; ``meta_regression.py``) when
at least two types have two projects or more each, otherwise a descriptive table per type (the
pooled estimate of a type with several projects, the project's own estimate of a type with one).
The per-project effects come on the pooling metric (``pooling_metric.py``). What does not belong
here: the words of the report (``outcomes.reports.type_synthesis_text``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from outcomes.catalog.vocabulary import INTERVENTION_TYPES
from outcomes.models.meta import MetaAnalysisError, pool_effects
from outcomes.models.meta_regression import categorical_design, meta_regression

META_REGRESSION = "meta_regression"
DESCRIPTIVE = "descriptive"
#: fewest projects a type needs to count towards the meta-regression rule
MIN_PROJECTS_PER_TYPE = 2
#: fewest types with :data:`MIN_PROJECTS_PER_TYPE` projects for a meta-regression
MIN_TYPES = 2

RULE = (
    "a meta-regression with intervention type as moderator (REML τ², Knapp–Hartung t and F "
    "tests on k − p df) when at least two types have two projects or more each; otherwise a "
    "descriptive table per type (REML pooled estimate with a Knapp–Hartung interval for a type "
    "with several projects, the project's own estimate for a type with one)"
)


def _type_rows(
    rows: Sequence[Mapping[str, Any]], types: Mapping[str, str | None]
) -> tuple[dict[str, list[Mapping[str, Any]]], list[str]]:
    """Return the usable effect rows grouped by type (in the vocabulary's order) and the
    projects whose spec names no type."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    untyped = []
    for row in rows:
        if row.get("slope") is None or not row.get("slope_se"):
            continue
        kind = types.get(row["project"])
        if kind is None:
            untyped.append(row["project"])
            continue
        grouped.setdefault(kind, []).append(row)
    ordered = {kind: grouped[kind] for kind in INTERVENTION_TYPES if kind in grouped}
    return ordered, sorted(untyped)


def _type_estimate(kind: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Return one row of the table per type: the REML pooled estimate with its Knapp–Hartung
    interval, or the single project's own estimate and interval."""
    projects = [r["project"] for r in rows]
    if len(rows) == 1:
        (row,) = rows
        return {"intervention_type": kind, "projects": projects, "k": 1,
                "estimate": row["slope"], "se": row["slope_se"], "ci_low": row["slope_ci_low"],
                "ci_high": row["slope_ci_high"], "source": "single"}  # fmt: skip
    fit = pool_effects([r["slope"] for r in rows], [r["slope_se"] ** 2 for r in rows],
                       method="REML", labels=projects)  # fmt: skip
    return {"intervention_type": kind, "projects": projects, "k": len(rows),
            "estimate": fit.estimate, "se": fit.se, "ci_low": fit.ci_low,
            "ci_high": fit.ci_high, "source": "pooled"}  # fmt: skip


def synthesis_by_type(
    rows: Sequence[Mapping[str, Any]],
    types: Mapping[str, str | None],
    *,
    outcome: str,
    metric: str,
) -> dict[str, Any] | None:
    """Return ``pooled.json``'s ``intervention_type``: the yearly change (``slope`` of the
    effect ``rows``, already on the pooling ``metric``) by the projects' intervention ``types``,
    by meta-regression or descriptively as :data:`RULE` says; None when no project has a type
    (docs/architecture.md, "Pooling across projects")."""
    grouped, untyped = _type_rows(rows, types)
    if not grouped:
        return None
    table = [_type_estimate(kind, of_type) for kind, of_type in grouped.items()]
    sizable = [kind for kind, of_type in grouped.items() if len(of_type) >= MIN_PROJECTS_PER_TYPE]
    regression = None
    if len(sizable) >= MIN_TYPES:
        used = [row for of_type in grouped.values() for row in of_type]
        levels = [types[row["project"]] or "" for row in used]
        design, names = categorical_design(levels, order=list(grouped))
        try:
            fit = meta_regression([r["slope"] for r in used], [r["slope_se"] ** 2 for r in used],
                                  design, names)  # fmt: skip
        except MetaAnalysisError:
            fit = None
        if fit is not None:
            regression = {
                "reference": next(iter(grouped)),
                **{key: value for key, value in fit.to_dict().items()
                   if key not in {"s2", "iterations"}},
            }  # fmt: skip
    return {
        "analysis": META_REGRESSION if regression is not None else DESCRIPTIVE,
        "outcome": outcome,
        "parameter": "slope",
        "metric": metric,
        "rule": RULE,
        "types": table,
        "meta_regression": regression,
        "untyped": untyped,
    }
