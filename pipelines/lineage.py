"""Asset dependencies from the stages' declarations: no asset lists its ``deps`` by hand.

Belongs here: turning a stage's declaration (``outcomes.stages.lineage``: the assets it reads
and writes) into Dagster asset keys, asset specs and asset decorators. Does not belong here:
which asset a stage reads — that is declared once, on the stage function, and the stage code
can reach no other asset's files (docs/architecture.md, "Stages and lineage").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dagster as dg

from outcomes.stages import STAGES, Stage, per_project, writers


def carried_project_inputs(stage: Stage[..., Any]) -> list[str]:
    """Return the per-project inputs of the all-project assets a per-project ``stage`` reads,
    when it reads no per-project asset itself; none for any other stage.

    ``funder_report[project]`` reads only ``report_tables``, whose part for that project is
    built from ``valid_responses[project]`` and ``raw_responses[project]``. Dagster's backfill
    of every project (the UI's *Materialize all*) walks from the per-project roots along
    per-project edges only, so without these a per-project report would be left out of it
    (``tests/pipelines/test_backfill.py``).
    """
    if not any(per_project(a) for a in stage.io.writes) or any(
        per_project(a) for a in stage.io.reads
    ):
        return []
    by_asset = writers(STAGES)
    carried: list[str] = []
    for read in stage.io.reads:
        for inner in by_asset[read].io.reads:
            if per_project(inner) and inner not in carried:
                carried.append(inner)
    return carried


def upstream_keys(stage: Stage[..., Any]) -> list[dg.AssetKey]:
    """Return the asset keys of everything ``stage`` declares it reads, in declared order, and
    of its :func:`carried_project_inputs`."""
    return [dg.AssetKey(name) for name in (*stage.io.reads, *carried_project_inputs(stage))]


def _written(stage: Stage[..., Any], name: str) -> str:
    if name not in stage.io.writes:
        raise ValueError(
            f"stage {stage.io.name!r} does not write {name!r}; it writes "
            f"{', '.join(stage.io.writes)}"
        )
    return name


def stage_spec(stage: Stage[..., Any], name: str, **kwargs: Any) -> dg.AssetSpec:
    """Return the spec of asset ``name`` written by ``stage`` (one of a multi-asset's outputs),
    its dependencies being what the stage reads; ``kwargs`` go to ``dg.AssetSpec``."""
    return dg.AssetSpec(_written(stage, name), deps=upstream_keys(stage), **kwargs)


def stage_asset(
    stage: Stage[..., Any], **kwargs: Any
) -> Callable[[Callable[..., Any]], dg.AssetsDefinition]:
    """Return ``dg.asset`` for the one asset ``stage`` writes: named after it, its
    dependencies being what the stage reads; ``kwargs`` go to ``dg.asset``."""
    if len(stage.io.writes) != 1:
        raise ValueError(
            f"stage {stage.io.name!r} writes {', '.join(stage.io.writes)}; use stage_spec for "
            "each of them in a multi-asset"
        )
    return dg.asset(name=stage.io.writes[0], deps=upstream_keys(stage), **kwargs)
