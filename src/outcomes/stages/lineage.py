"""What each stage reads and writes, declared once, and the only way stage code reaches a file.

Every asset of the pipeline is named here, with the workspace files it consists of
(:data:`ASSET_FILES`). Every stage function is declared with :func:`stage`: the assets it reads
and the assets it writes (:class:`StageIO`). The stage body receives a :class:`StageFiles` instead
of the workspace, and :meth:`StageFiles.input` and :meth:`StageFiles.output` refuse an asset the
declaration does not name, so the declaration is what the code does. The Dagster layer derives
every asset's dependencies from these declarations, and :func:`mermaid_flowchart` draws them
(docs/architecture.md, "Stages and lineage").
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

import polars as pl

from outcomes.errors import OutcomesError
from outcomes.workspace import Workspace

# --------------------------------------------------------------------------- asset names

#: Asset names, also the warehouse file names (docs/architecture.md, "Stages and lineage").
RAW_RESPONSES = "raw_responses"
RESPONSES = "responses"
VALID = "valid_responses"
QUARANTINED = "quarantined_responses"
SCORED = "scored_responses"
PANEL = "outcome_panel"
ATTRITION = "attrition"
WELLBEING_MODEL = "wellbeing_model"
PROJECT_EFFECTS = "project_effects"
MATTHEW_EFFECT = "matthew_effect"
POOLED_EFFECT = "pooled_effect"
NETWORK_GROWTH = "network_growth"
ATTRITION_SENSITIVITY = "attrition_sensitivity"
TIPPING_POINT = "tipping_point"
RELIABLE_CHANGE = "reliable_change"
REPORT_TABLES = "report_tables"
FUNDER_REPORT = "funder_report"
SYNTHESIS_REPORT = "synthesis_report"

#: File names of the analysis results under ``analysis/``.
MODEL_JSON = "model.json"
MATTHEW_JSON = "matthew.json"
PROJECT_EFFECTS_JSON = "project_effects.json"
POOLED_JSON = "pooled.json"
NETWORK_GROWTH_JSON = "network_growth.json"
ATTRITION_JSON = "attrition.json"
TIPPING_POINT_JSON = "tipping_point.json"
RELIABLE_CHANGE_JSON = "reliable_change.json"

#: The report (and report tables) that covers every project.
SYNTHESIS = "synthesis"


class StageInputMissing(OutcomesError, FileNotFoundError):
    """A stage's input has not been materialized yet (the message says which and how)."""


class UndeclaredAsset(LookupError):
    """Stage code asked for a file of an asset its declaration does not read (or write).

    A defect, not a user error: the declaration (:func:`stage`) must name every asset the
    stage touches, because the pipeline's lineage is derived from it.
    """


# --------------------------------------------------------------------------- asset files


@dataclass(frozen=True)
class Table:
    """The parquet file of a warehouse table (one per project when ``per_project``)."""

    asset: str
    per_project: bool = False

    def path(self, workspace: Workspace, keys: Mapping[str, str]) -> Path:
        """Return the table's path (``Workspace.table``); ``keys`` holds ``project`` when
        the table is per project."""
        return workspace.table(self.asset, _key(keys, "project") if self.per_project else None)


@dataclass(frozen=True)
class Place:
    """A file in one of the workspace's folders; ``pattern`` may hold ``{project}``,
    ``{report}`` or ``{lang}``, filled in when a stage asks for the file."""

    folder: str
    pattern: str

    def path(self, workspace: Workspace, keys: Mapping[str, str]) -> Path:
        """Return the file's path in ``workspace`` with ``keys`` filled into the pattern."""
        try:
            name = self.pattern.format_map(keys)
        except KeyError as missing:
            raise ValueError(f"{self.pattern!r} needs {missing.args[0]!r}") from None
        folder: Path = getattr(workspace, self.folder)
        return folder / name


def _key(keys: Mapping[str, str], name: str) -> str:
    if name not in keys:
        raise ValueError(f"a per-project table needs {name!r}")
    return keys[name]


#: Every asset and the workspace files it consists of; the first file is the asset's main file.
ASSET_FILES: Mapping[str, Mapping[str, Table | Place]] = {
    RAW_RESPONSES: {"table": Table(RAW_RESPONSES, per_project=True)},
    RESPONSES: {"table": Table(RESPONSES, per_project=True)},
    VALID: {
        "table": Table(VALID, per_project=True),
        "validation": Place("validation", "{project}.json"),
    },
    QUARANTINED: {
        "table": Table(QUARANTINED, per_project=True),
        "csv": Place("quarantine", "{project}.csv"),
    },
    SCORED: {"table": Table(SCORED, per_project=True)},
    PANEL: {"table": Table(PANEL), "codebook": Place("warehouse", "codebook.md")},
    ATTRITION: {"table": Table(ATTRITION)},
    WELLBEING_MODEL: {"json": Place("analysis", MODEL_JSON)},
    PROJECT_EFFECTS: {"json": Place("analysis", PROJECT_EFFECTS_JSON)},
    MATTHEW_EFFECT: {"json": Place("analysis", MATTHEW_JSON)},
    POOLED_EFFECT: {"json": Place("analysis", POOLED_JSON)},
    NETWORK_GROWTH: {"json": Place("analysis", NETWORK_GROWTH_JSON)},
    ATTRITION_SENSITIVITY: {"json": Place("analysis", ATTRITION_JSON)},
    TIPPING_POINT: {"json": Place("analysis", TIPPING_POINT_JSON)},
    RELIABLE_CHANGE: {"json": Place("analysis", RELIABLE_CHANGE_JSON)},
    REPORT_TABLES: {"json": Place("reports", "tables/{report}.json")},
    FUNDER_REPORT: {"pdf": Place("reports", "{project}.{lang}.pdf")},
    SYNTHESIS_REPORT: {"pdf": Place("reports", SYNTHESIS + ".{lang}.pdf")},
}

#: Every asset name, in the order of the data flow.
ASSETS: tuple[str, ...] = tuple(ASSET_FILES)


def per_project(asset: str) -> bool:
    """Return whether ``asset`` has one part per project (every file of it names the project);
    the Dagster layer partitions exactly these assets by project."""
    files = ASSET_FILES.get(asset)
    if files is None:
        raise UndeclaredAsset(f"{asset!r} is not an asset; the assets are {', '.join(ASSETS)}")
    return all(
        f.per_project if isinstance(f, Table) else "{project}" in f.pattern for f in files.values()
    )


def asset_path(workspace: Workspace, asset: str, file: str | None = None, **keys: str) -> Path:
    """Return the path of ``file`` (default: the main file) of ``asset`` in ``workspace``.

    For code outside the stages that reads what they wrote (the notebooks' loaders, tests); a
    stage reaches files through :class:`StageFiles` only.
    """
    files = ASSET_FILES.get(asset)
    if files is None:
        raise UndeclaredAsset(f"{asset!r} is not an asset; the assets are {', '.join(ASSETS)}")
    name = file or next(iter(files))
    if name not in files:
        raise UndeclaredAsset(f"asset {asset!r} has no file {name!r}; it has {', '.join(files)}")
    return files[name].path(workspace, keys)


# --------------------------------------------------------------------------- declarations


@dataclass(frozen=True)
class StageIO:
    """The declaration of one stage: its name, the assets it reads and the assets it writes."""

    name: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]

    def __post_init__(self) -> None:
        unknown = [a for a in (*self.reads, *self.writes) if a not in ASSET_FILES]
        if unknown:
            raise UndeclaredAsset(
                f"stage {self.name!r} names {', '.join(map(repr, unknown))}, which are not "
                f"assets; the assets are {', '.join(ASSETS)}"
            )
        if not self.writes:
            raise ValueError(f"stage {self.name!r} writes no asset")
        both = sorted(set(self.reads) & set(self.writes))
        if both:
            raise ValueError(f"stage {self.name!r} both reads and writes {', '.join(both)}")

    def files(self, workspace: Workspace) -> StageFiles:
        """Return this stage's view of ``workspace``: the files of its declared assets only."""
        return StageFiles(self, workspace)


@dataclass(frozen=True)
class StageFiles:
    """The files a stage may touch: those of the assets its :class:`StageIO` declares.

    ``workspace`` is there for library calls that take the workspace as a whole (the landing
    folder and archive at ingest, the DuckDB views over the warehouse); the files of assets are
    reached through :meth:`input` and :meth:`output` only.
    """

    io: StageIO
    workspace: Workspace

    def input(self, asset: str, file: str | None = None, **keys: str) -> Path:
        """Return the path of ``file`` (default: the main file) of ``asset``, which the stage
        must declare it reads; :class:`UndeclaredAsset` otherwise."""
        return self._declared(asset, "reads", self.io.reads, file, **keys)

    def output(self, asset: str, file: str | None = None, **keys: str) -> Path:
        """Return the path of ``file`` (default: the main file) of ``asset``, which the stage
        must declare it writes; :class:`UndeclaredAsset` otherwise."""
        return self._declared(asset, "writes", self.io.writes, file, **keys)

    def _declared(
        self, asset: str, verb: str, declared: tuple[str, ...], file: str | None, **keys: str
    ) -> Path:
        if asset not in declared:
            raise UndeclaredAsset(
                f"stage {self.io.name!r} {verb} {asset!r} but does not declare it; add it to "
                f"the stage's {verb} ({', '.join(declared) or 'none'})"
            )
        return asset_path(self.workspace, asset, file, **keys)

    def table(self, asset: str, project: str | None = None) -> pl.DataFrame:
        """Return the materialized table ``asset`` (one project's part when ``project``);
        :class:`StageInputMissing` when it has not been materialized."""
        keys = {"project": project} if project is not None else {}
        path = self.input(asset, **keys)
        if not path.exists():
            which = f"{asset}[{project}]" if project else asset
            raise StageInputMissing(
                f"{which} has not been materialized yet ({path} is missing); "
                "run `outcomes run` or materialize it in the Dagster UI first"
            )
        return pl.read_parquet(path)

    def json(self, asset: str, file: str | None = None, **keys: str) -> Any:
        """Return the parsed JSON file of ``asset``; :class:`StageInputMissing` when it has not
        been materialized."""
        path = self.input(asset, file, **keys)
        if not path.exists():
            raise StageInputMissing(
                f"{path} is missing; materialize {asset} (the step that writes it) first"
            )
        return json.loads(path.read_text(encoding="utf-8"))


P = ParamSpec("P")
R = TypeVar("R", covariant=True)


class Stage(Generic[P, R]):
    """A stage function with its declaration: called with the workspace, it runs its body on
    the :class:`StageFiles` of that workspace."""

    def __init__(self, io: StageIO, body: Callable[Concatenate[StageFiles, P], R]) -> None:
        self.io = io
        self.body = body
        functools.update_wrapper(self, body)

    def __call__(self, workspace: Workspace, /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Return what the stage body returns for ``workspace``."""
        return self.body(self.io.files(workspace), *args, **kwargs)

    @property
    def group(self) -> str:
        """Return the stage's group: the name of the module that defines it (``validation``)."""
        return self.body.__module__.rsplit(".", 1)[-1]

    def __repr__(self) -> str:
        return f"<stage {self.io.name}: {', '.join(self.io.reads)} → {', '.join(self.io.writes)}>"


def stage(
    *, reads: Iterable[str] = (), writes: Iterable[str]
) -> Callable[[Callable[Concatenate[StageFiles, P], R]], Stage[P, R]]:
    """Return a decorator that declares a stage function's reads and writes.

    The decorated function takes a :class:`StageFiles` first; the returned :class:`Stage` takes
    the workspace in its place (docs/architecture.md, "Stages and lineage").
    """

    def declare(body: Callable[Concatenate[StageFiles, P], R]) -> Stage[P, R]:
        name = body.__name__.removesuffix("_stage")
        return Stage(StageIO(name, tuple(reads), tuple(writes)), body)

    return declare


# --------------------------------------------------------------------------- the graph


def writers(stages: Sequence[Stage[..., Any]]) -> dict[str, Stage[..., Any]]:
    """Return asset name → the stage that writes it; every asset has exactly one writer."""
    by_asset: dict[str, Stage[..., Any]] = {}
    for declared in stages:
        for asset in declared.io.writes:
            if asset in by_asset:
                raise ValueError(
                    f"{asset!r} is written by both {by_asset[asset].io.name!r} and "
                    f"{declared.io.name!r}"
                )
            by_asset[asset] = declared
    return by_asset


def upstream(stages: Sequence[Stage[..., Any]]) -> dict[str, tuple[str, ...]]:
    """Return asset name → the assets read by the stage that writes it (its lineage)."""
    return {asset: writer.io.reads for asset, writer in writers(stages).items()}


def mermaid_flowchart(stages: Sequence[Stage[..., Any]]) -> str:
    """Return a Mermaid flowchart of the assets: one subgraph per stage group, an arrow from
    every asset a stage reads to every asset it writes (docs/architecture.md, "Stages and
    lineage", shows it)."""
    lines = ["flowchart LR"]
    groups: dict[str, list[str]] = {}
    for declared in stages:
        groups.setdefault(declared.group, []).extend(declared.io.writes)
    for group, assets in groups.items():
        lines.append(f"  subgraph {group}")
        lines.extend(f"    {asset}" for asset in assets)
        lines.append("  end")
    for declared in stages:
        for read in declared.io.reads:
            lines.extend(f"  {read} --> {written}" for written in declared.io.writes)
    return "\n".join(lines)
