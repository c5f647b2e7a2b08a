"""Asset dependencies from the stages' declarations: no asset lists its ``deps`` by hand.

Belongs here: turning a stage's declaration (``outcomes.stages.lineage``: the assets it reads
and writes) into Dagster asset keys, asset specs and asset decorators. Does not belong here:
which asset a stage reads — that is declared once, on the stage function, and the stage code
can reach no other asset's files (docs/architecture.md, "Stages and lineage").
"""

from __future__ import annotations

import ast
import functools
import hashlib
import inspect
import textwrap
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg

import outcomes
from outcomes import progress
from outcomes.stages import STAGES, Stage, per_project, writers
from pipelines.sources import LANDING_EXPORTS

_LIBRARY_ROOT = Path(outcomes.__file__).parent


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
    of its :func:`carried_project_inputs`; a stage that reads no asset (ingest) reads the
    project's exports, the source asset ``landing_exports``."""
    if not stage.io.reads:
        return [LANDING_EXPORTS]
    return [dg.AssetKey(name) for name in (*stage.io.reads, *carried_project_inputs(stage))]


def _imports(tree: ast.AST, namespace: dict[str, Any]) -> set[str]:
    """Return the ``outcomes`` modules ``tree`` imports (at any depth) or, through
    ``namespace``, refers to by name."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and _in_library(node.module) and not node.level:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if _module_file(submodule) else node.module)
        elif isinstance(node, ast.Name) and node.id in namespace:
            value = namespace[node.id]
            found.add(
                value.__name__
                if isinstance(value, types.ModuleType)
                else getattr(value, "__module__", None) or ""
            )
    return {name for name in found if _in_library(name)}


def _in_library(module: str | None) -> bool:
    return bool(module) and str(module).split(".")[0] == "outcomes"


@functools.cache
def _module_imports(name: str) -> frozenset[str]:
    return frozenset(_imports(ast.parse(_module_source(name)), {}))


def _module_file(name: str) -> Path | None:
    """Return the source file of library module ``name`` without importing it, or None."""
    path = _LIBRARY_ROOT.joinpath(*name.split(".")[1:])
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@functools.cache
def _module_source(name: str) -> str:
    path = _module_file(name)
    if path is None:
        raise ValueError(f"library module {name!r} has no source file under {_LIBRARY_ROOT}")
    return path.read_text(encoding="utf-8")


def library_modules(stage: Stage[..., Any]) -> list[str]:
    """Return, sorted, the ``outcomes`` modules ``stage``'s code can reach: those its body
    imports or names, then, in turn, those each such module imports."""
    body = ast.parse(textwrap.dedent(inspect.getsource(stage.body)))
    todo = sorted(_imports(body, stage.body.__globals__))
    found: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(_module_imports(name) - found)
    return sorted(found)


def code_version(stage: Stage[..., Any]) -> str:
    """Return the code version of the assets ``stage`` writes: the first 16 hex digits of the
    SHA-256 over the stage function's source and the source of every :func:`library_modules`.

    It changes when the stage's code or any library code it can reach changes, and not between
    runs or machines otherwise (docs/architecture.md, "Freshness and automation").
    """
    digest = hashlib.sha256(inspect.getsource(stage.body).encode())
    for name in library_modules(stage):
        digest.update(f"\0{name}\0".encode())
        digest.update(_module_source(name).encode())
    return digest.hexdigest()[:16]


def _written(stage: Stage[..., Any], name: str) -> str:
    if name not in stage.io.writes:
        raise ValueError(
            f"stage {stage.io.name!r} does not write {name!r}; it writes "
            f"{', '.join(stage.io.writes)}"
        )
    return name


def stage_spec(stage: Stage[..., Any], name: str, **kwargs: Any) -> dg.AssetSpec:
    """Return the spec of asset ``name`` written by ``stage`` (one of a multi-asset's outputs),
    its dependencies being what the stage reads, its :func:`code_version` the stage's;
    ``kwargs`` go to ``dg.AssetSpec``."""
    return dg.AssetSpec(
        _written(stage, name),
        deps=upstream_keys(stage),
        code_version=code_version(stage),
        **kwargs,
    )


def reports_progress(compute: Callable[..., Any]) -> Callable[..., Any]:
    """Return ``compute`` (an asset's function) so that the progress lines of the stage it
    runs (``outcomes.progress``: bootstrap replicates, tipping-point refits) go to the step's
    log in the UI, and to the terminal of ``outcomes run`` when it shows them; the signature
    Dagster reads is ``compute``'s (docs/architecture.md, "Progress and counts")."""

    def reporter() -> progress.Reporter | None:
        try:
            context = dg.OpExecutionContext.get()
        except dg.DagsterInvariantViolationError:  # called directly, outside a run
            return progress.current()
        return progress.alongside(context.log.info)

    if inspect.isgeneratorfunction(compute):  # a multi-asset yielding one result per asset

        @functools.wraps(compute)
        def yielding_with_progress(*args: Any, **kwargs: Any) -> Any:
            with progress.reporting(reporter()):
                yield from compute(*args, **kwargs)

        return yielding_with_progress

    @functools.wraps(compute)
    def with_progress(*args: Any, **kwargs: Any) -> Any:
        with progress.reporting(reporter()):
            return compute(*args, **kwargs)

    return with_progress


def stage_asset(
    stage: Stage[..., Any], **kwargs: Any
) -> Callable[[Callable[..., Any]], dg.AssetsDefinition]:
    """Return ``dg.asset`` for the one asset ``stage`` writes: named after it, its
    dependencies being what the stage reads, its :func:`code_version` the stage's, its
    progress in the step's log (:func:`reports_progress`); ``kwargs`` go to ``dg.asset``."""
    if len(stage.io.writes) != 1:
        raise ValueError(
            f"stage {stage.io.name!r} writes {', '.join(stage.io.writes)}; use stage_spec for "
            "each of them in a multi-asset"
        )
    decorate = dg.asset(
        name=stage.io.writes[0],
        deps=upstream_keys(stage),
        code_version=code_version(stage),
        **kwargs,
    )
    return lambda compute: decorate(reports_progress(compute))
