"""Loading materialized results into analyst notebooks.

What belongs here: small functions that read what the pipeline has already written under
``OUTCOMES_HOME`` (warehouse parquet, ``warehouse.duckdb`` views, ``validation/*.json``,
``analysis/*.json``) and hand it to an analyst as polars frames or plain dicts. What does not:
any pipeline step. Nothing here validates, scores, fits or pools; when a result is missing the
functions say which command materializes it (``outcomes demo`` or ``outcomes run``) instead of
computing it.

Typical use in a notebook::

    from outcomes import notebook as nb

    ws = nb.workspace()            # $OUTCOMES_HOME, else ./workspace
    panel = nb.panel()
    nb.sql("SELECT project, count(*) FROM outcome_panel GROUP BY project")
    nb.plot_by_wave(nb.mean_by_wave(panel, "wellbeing"), "wellbeing (0–100)", "Wellbeing")

The descriptive summaries and figures (``mean_by_wave``, ``plot_by_wave``, ``plot_retention``,
``GROUP_STYLES``) live in ``outcomes.notebook_figures`` and are re-exported here. ``show`` and
``fields`` display a table in one screen (notebooks/README.md, "One screen per question").
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from outcomes.documents import ANALYSIS_DOCUMENTS, Document, ValidationSummary
from outcomes.notebook_figures import (
    GROUP_STYLES,
    SMALL_CELL,
    mean_by_wave,
    plot_by_wave,
    plot_retention,
)
from outcomes.stages import (
    MATTHEW_JSON,
    MODEL_JSON,
    PANEL,
    POOLED_JSON,
    PROJECT_EFFECTS_JSON,
    QUARANTINED,
    StageInputMissing,
)
from outcomes.warehouse import DATABASE
from outcomes.workspace import DEFAULT_HOME, Workspace

Home = str | os.PathLike[str] | Workspace | None

__all__ = [
    "GROUP_STYLES",
    "HOW_TO_MATERIALIZE",
    "SCREEN_COLUMNS",
    "SCREEN_ROWS",
    "SCREEN_TEXT",
    "SCREEN_WIDTH",
    "SMALL_CELL",
    "Home",
    "NotMaterialized",
    "analysis",
    "as_frame",
    "bootstrap_draws",
    "codebook",
    "fields",
    "load",
    "matthew",
    "mean_by_wave",
    "model",
    "panel",
    "plot_by_wave",
    "plot_retention",
    "pooled",
    "project_effects",
    "quarantine",
    "screen",
    "show",
    "sql",
    "tables",
    "validation",
    "validation_files",
    "validation_rules",
    "validation_summaries",
    "workspace",
]

HOW_TO_MATERIALIZE = (
    "Materialize it first: `outcomes demo` writes demo exports and runs everything, "
    "`outcomes run` processes the exports in landing/ (or materialize the assets in the Dagster "
    "UI). Point OUTCOMES_HOME at the workspace if it lives elsewhere."
)


#: One screen of a table (notebooks/README.md, "One screen per question"): rows shown (head and
#: tail around a row of "…"), columns shown, characters per line and per text value.
SCREEN_ROWS = 20
SCREEN_COLUMNS = 10
SCREEN_WIDTH = 120
SCREEN_TEXT = 40


class NotMaterialized(StageInputMissing):
    """A table or result file the notebook asked for is not in the workspace (yet)."""


def workspace(home: Home = None, *, require: bool = True) -> Workspace:
    """Return the workspace at ``home``, else ``$OUTCOMES_HOME``, else ``./workspace``.

    Jupyter runs a notebook in its own folder, so without ``home`` and ``OUTCOMES_HOME`` a
    ``../workspace`` that holds tables is taken when ``./workspace`` holds none (a notebook in
    ``notebooks/`` then finds the repository's workspace). With ``require`` (the default) raise
    :class:`NotMaterialized` when the workspace holds no materialized table at all, so a
    notebook stops at its first cell with a message saying what to run.
    """
    if isinstance(home, Workspace):
        ws = home
    elif home is None and "OUTCOMES_HOME" not in os.environ:
        ws = Workspace.from_env(DEFAULT_HOME)
        parent = Workspace.from_env(Path("..") / DEFAULT_HOME)
        if not tables(ws) and tables(parent):
            ws = parent
    else:
        ws = Workspace.from_env(home)
    if require and not tables(ws):
        raise NotMaterialized(
            f"No materialized tables in the workspace {ws.home} (OUTCOMES_HOME="
            f"{os.environ.get('OUTCOMES_HOME', '<not set>')}). {HOW_TO_MATERIALIZE}"
        )
    return ws


def _ws(home: Home) -> Workspace:
    return workspace(home, require=False)


def tables(home: Home = None) -> dict[str, list[str]]:
    """Return the materialized warehouse tables: name → partitions (``[]`` when unpartitioned)."""
    ws = home if isinstance(home, Workspace) else workspace(home, require=False)
    found: dict[str, list[str]] = {}
    if not ws.warehouse.is_dir():
        return found
    for path in sorted(ws.warehouse.iterdir()):
        if path.is_dir():
            partitions = sorted(p.stem for p in path.glob("*.parquet"))
            if partitions:
                found[path.name] = partitions
        elif path.suffix == ".parquet":
            found[path.stem] = []
    return found


def load(name: str, project: str | None = None, *, home: Home = None) -> pl.DataFrame:
    """Return the warehouse table ``name``; all projects unless ``project`` is given.

    A partitioned table (one parquet file per project) is returned with every partition
    concatenated (columns a project lacks are null), or just the ``project`` partition. For an
    unpartitioned table with a ``project`` column, ``project`` filters its rows. Raises
    :class:`NotMaterialized` naming the missing table or partition and what to run.
    """
    ws = _ws(home)
    available = tables(ws)
    if name not in available:
        known = ", ".join(sorted(available)) or "none"
        raise NotMaterialized(
            f"Table {name!r} has not been materialized in {ws.warehouse} (materialized: {known}). "
            f"{HOW_TO_MATERIALIZE}"
        )
    partitions = available[name]
    if not partitions:
        frame = pl.read_parquet(ws.table(name))
        if project is not None:
            if "project" not in frame.columns:
                raise ValueError(f"Table {name!r} has no project column to select {project!r} by")
            frame = frame.filter(pl.col("project") == project)
        return frame
    if project is not None:
        if project not in partitions:
            raise NotMaterialized(
                f"Table {name!r} has no partition for project {project!r} in {ws.warehouse} "
                f"(materialized projects: {', '.join(partitions)}). {HOW_TO_MATERIALIZE}"
            )
        return pl.read_parquet(ws.table(name, project))
    frames = [pl.read_parquet(ws.table(name, p)) for p in partitions]
    return pl.concat(frames, how="diagonal_relaxed")


def panel(project: str | None = None, *, home: Home = None) -> pl.DataFrame:
    """Return ``outcome_panel`` (participant × wave over all projects, or one project's rows)."""
    return load(PANEL, project, home=home)


def quarantine(project: str | None = None, *, home: Home = None) -> pl.DataFrame:
    """Return ``quarantined_responses``: one row per problem found in a rejected row.

    A row rejected for two reasons appears twice; count distinct ``source_file``/``source_row``
    pairs for the number of rejected rows. ``message`` is in the validation language (Dutch by
    default) and ``value`` never holds an identifier.
    """
    return load(QUARANTINED, project, home=home)


def _read_json(path: Path, what: str) -> Any:
    if not path.exists():
        raise NotMaterialized(f"{what} is missing ({path} does not exist). {HOW_TO_MATERIALIZE}")
    return json.loads(path.read_text(encoding="utf-8"))


def validation(project: str, *, home: Home = None) -> ValidationSummary:
    """Return ``validation/<project>.json`` as written by the validation step, as a
    :class:`~outcomes.documents.ValidationSummary` (docs/architecture.md, "Documents")."""
    ws = _ws(home)
    path = ws.validation / f"{project}.json"
    return ValidationSummary.from_json(
        _read_json(path, f"The validation of {project!r}"), where=str(path)
    )


def _summaries(ws: Workspace) -> list[ValidationSummary]:
    return [
        ValidationSummary.from_json(json.loads(path.read_text(encoding="utf-8")), where=str(path))
        for path in _validation_files(ws)
    ]


def _validation_files(ws: Workspace) -> list[Path]:
    files = sorted(ws.validation.glob("*.json")) if ws.validation.is_dir() else []
    if not files:
        raise NotMaterialized(f"No validation results in {ws.validation}. {HOW_TO_MATERIALIZE}")
    return files


def validation_summaries(*, home: Home = None) -> pl.DataFrame:
    """Return one row per validated project: rows read, valid and quarantined, the quarantined
    share, the project's threshold and whether it passed, and whether the counts reconcile
    (``rows_read == rows_valid + rows_quarantined``)."""
    ws = _ws(home)
    rows = []
    for summary in _summaries(ws):
        rows.append(
            {
                "project": summary.project,
                "rows_read": summary.rows_read,
                "rows_valid": summary.rows_valid,
                "rows_quarantined": summary.rows_quarantined,
                "quarantined_share": summary.quarantined_share,
                "threshold": summary.threshold,
                "passed_threshold": summary.passed_threshold,
                "files": len(summary.files),
            }
        )
    schema = {
        "project": pl.Utf8,
        "rows_read": pl.Int64,
        "rows_valid": pl.Int64,
        "rows_quarantined": pl.Int64,
        "quarantined_share": pl.Float64,
        "threshold": pl.Float64,
        "passed_threshold": pl.Boolean,
        "files": pl.Int64,
    }
    frame = pl.DataFrame(rows, schema=schema)
    return frame.with_columns(
        reconciles=pl.col("rows_read") == pl.col("rows_valid") + pl.col("rows_quarantined")
    ).sort("project")


def validation_rules(*, home: Home = None) -> pl.DataFrame:
    """Return project × rule with the number of rejected rows (``rows``) and of problems found
    (``records``; a row can break a rule in several columns), from ``validation/*.json``."""
    ws = _ws(home)
    rows = []
    for summary in _summaries(ws):
        records, by_rows = summary.rules, summary.rows_by_rule
        for rule in sorted(set(records) | set(by_rows)):
            rows.append(
                {
                    "project": summary.project,
                    "rule": rule,
                    "rows": by_rows.get(rule),
                    "records": records.get(rule),
                }
            )
    schema = {"project": pl.Utf8, "rule": pl.Utf8, "rows": pl.Int64, "records": pl.Int64}
    return pl.DataFrame(rows, schema=schema).sort("project", "rule")


def validation_files(*, home: Home = None) -> pl.DataFrame:
    """Return project × export file with rows read, valid and quarantined, and whether the file
    reconciles (every row read is either valid or quarantined)."""
    ws = _ws(home)
    rows = []
    for summary in _summaries(ws):
        for name, counts in sorted(summary.files.items()):
            rows.append({"project": summary.project, "source_file": name, **counts.to_json()})
    schema = {
        "project": pl.Utf8,
        "source_file": pl.Utf8,
        "rows_read": pl.Int64,
        "rows_valid": pl.Int64,
        "rows_quarantined": pl.Int64,
    }
    frame = pl.DataFrame(rows, schema=schema)
    return frame.with_columns(
        reconciles=pl.col("rows_read") == pl.col("rows_valid") + pl.col("rows_quarantined")
    ).sort("project", "source_file")


def analysis(name: str, *, home: Home = None) -> dict[str, Any]:
    """Return ``analysis/<name>.json`` (for example ``model``, ``matthew``, ``pooled``,
    ``project_effects``, or any result a later analysis step adds) as JSON data, checked against
    its declaration in :mod:`outcomes.documents` (docs/architecture.md, "Documents"); raises
    :class:`~outcomes.documents.DocumentError` naming the file and key that do not match."""
    ws = _ws(home)
    file_name = name if name.endswith(".json") else f"{name}.json"
    path = ws.analysis / file_name
    data = _read_json(path, f"The analysis result {file_name}")
    kind = ANALYSIS_DOCUMENTS.get(file_name)
    return dict(data) if kind is None else kind.from_json(data, where=str(path)).to_json()


def model(*, home: Home = None) -> dict[str, Any]:
    """Return ``analysis/model.json``: M1 fitted on the whole panel (docs/architecture.md,
    "Models")."""
    return analysis(MODEL_JSON, home=home)


def matthew(*, home: Home = None) -> dict[str, Any]:
    """Return ``analysis/matthew.json`` as written, with every key it holds (results, subgroups,
    and whatever the Matthew analysis adds, such as bootstrap draws or sensitivity analyses)."""
    return analysis(MATTHEW_JSON, home=home)


def pooled(*, home: Home = None) -> dict[str, Any]:
    """Return ``analysis/pooled.json``: the random-effects meta-analyses across projects."""
    return analysis(POOLED_JSON, home=home)


def project_effects(*, home: Home = None) -> dict[str, Any]:
    """Return ``analysis/project_effects.json``: M1 fitted within each project."""
    return analysis(PROJECT_EFFECTS_JSON, home=home)


def as_frame(
    records: Sequence[Mapping[str, Any] | Document] | Mapping[str, Any] | None,
) -> pl.DataFrame:
    """Return JSON records (e.g. ``matthew()["results"]``) or typed documents (e.g. the
    ``results`` of a :class:`~outcomes.documents.MatthewDocument`) as a frame.

    ``records`` is a list of records, or a mapping name → record (or name → list of records),
    which gives the same rows with the name in a leading ``name`` column. Records may differ in
    their keys (missing keys become null) and in types (``null`` beside a number); the schema is
    inferred from all records. Nothing (``None``, empty) gives an empty frame.
    """
    if not records:
        return pl.DataFrame()
    rows: list[Mapping[str, Any]] = []
    if isinstance(records, Mapping):
        for name, value in records.items():
            if isinstance(value, Mapping):
                rows.append({"name": name, **value})
            elif isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
                rows.extend({"name": name, **v} for v in value)
            else:
                rows.append({"name": name, "value": value})
    else:
        rows = [r.to_json() if isinstance(r, Document) else r for r in records]
    records = rows
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    table = {column: [record.get(column) for record in records] for column in columns}
    for column, values in table.items():
        kinds = {_kind(v) for v in values if v is not None}
        if len(kinds) > 1:
            # e.g. a list beside a number: no common type, so show every value as JSON text
            table[column] = [
                None if v is None else v if isinstance(v, str) else json.dumps(v) for v in values
            ]
    return pl.DataFrame(table, strict=False)


def _kind(value: Any) -> str:
    """Return the JSON kind of ``value``; int and float are both numbers."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "str"
    if isinstance(value, Mapping):
        return "object"
    return "list"


_CONTEXT_KEYS = ("project", "outcome", "moderator", "network_group", "analysis")


def _is_draws(value: Any, min_draws: int) -> bool:
    return (
        isinstance(value, list)
        and len(value) >= min_draws
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    )


def bootstrap_draws(result: Mapping[str, Any], min_draws: int = 20) -> pl.DataFrame:
    """Return every bootstrap distribution stored in ``result`` (e.g. :func:`matthew`), long.

    Searches the JSON for lists of at least ``min_draws`` numbers whose key (or an enclosing
    key) mentions "boot", and returns one row per replicate: ``project``, ``outcome``,
    ``moderator`` (from the enclosing records, null when absent), ``source`` (where in the JSON
    the list was found), ``replicate`` (0-based) and ``estimate``. Nothing is resampled here;
    an empty frame means the file holds no stored draws.
    """
    rows: list[dict[str, Any]] = []

    def walk(node: Any, path: str, context: dict[str, Any], in_boot: bool) -> None:
        if isinstance(node, Mapping):
            context = {
                **context,
                **{k: node[k] for k in _CONTEXT_KEYS if isinstance(node.get(k), str)},
            }
            for key, value in node.items():
                here = f"{path}.{key}" if path else str(key)
                boot = in_boot or "boot" in str(key).lower()
                if boot and _is_draws(value, min_draws):
                    rows.extend(
                        {
                            "project": context.get("project"),
                            "outcome": context.get("outcome"),
                            "moderator": context.get("moderator"),
                            "source": here,
                            "replicate": i,
                            "estimate": float(v),
                        }
                        for i, v in enumerate(value)
                    )
                else:
                    walk(value, here, context, boot)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]", context, in_boot)

    walk(result, "", {}, False)
    schema = {
        "project": pl.Utf8,
        "outcome": pl.Utf8,
        "moderator": pl.Utf8,
        "source": pl.Utf8,
        "replicate": pl.Int64,
        "estimate": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


def sql(query: str, *, home: Home = None) -> pl.DataFrame:
    """Return the result of ``query`` run on ``warehouse/warehouse.duckdb`` (read-only).

    The database holds one view per materialized table (partitioned tables as one view over all
    projects), e.g. ``outcome_panel``, ``quarantined_responses``, ``attrition``.
    """
    import duckdb

    ws = _ws(home)
    path = ws.warehouse / DATABASE
    if not path.exists():
        raise NotMaterialized(
            f"The SQL views are missing ({path} does not exist; the panel step writes them). "
            f"{HOW_TO_MATERIALIZE}"
        )
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.sql(query).pl()


def codebook(lang: str = "en", projects: Sequence[str] | None = None) -> str:
    """Return the markdown codebook of ``outcome_panel`` (``outcomes.codebook``) for the project
    specs in ``data_schemas/projects`` (or only ``projects``), in English or Dutch."""
    from outcomes.codebook import build_codebook
    from outcomes.specs import load_specs

    specs = load_specs()
    if projects is not None:
        unknown = sorted(set(projects) - set(specs))
        if unknown:
            raise ValueError(f"no project spec for {unknown}; known: {sorted(specs)}")
        specs = {pid: spec for pid, spec in specs.items() if pid in projects}
    return build_codebook(specs, lang=lang)


def screen(rows: int = SCREEN_ROWS) -> pl.Config:
    """Return a polars configuration (use it as ``with nb.screen(): ...``) in which a frame is
    shown in one screen: at most ``rows`` rows and :data:`SCREEN_COLUMNS` columns (the others
    stand behind a "…"), text lines of at most :data:`SCREEN_WIDTH` characters (longer values
    wrap) and text values cut at :data:`SCREEN_TEXT` characters (notebooks/README.md, "One
    screen per question")."""
    return pl.Config(
        tbl_rows=rows,
        tbl_cols=SCREEN_COLUMNS,
        tbl_width_chars=SCREEN_WIDTH,
        fmt_str_lengths=SCREEN_TEXT,
    )


def show(
    frame: pl.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    rows: int = SCREEN_ROWS,
    digits: int | None = 3,
) -> None:
    """Display ``frame`` once, in one screen (:func:`screen`), and return nothing, so a cell that
    ends with it shows the table once.

    Only ``columns`` are shown (all when ``None``; a name the frame lacks raises
    :class:`polars.exceptions.ColumnNotFoundError`), floats rounded to ``digits`` decimals
    (smaller ones, such as a p-value of 2.7e-05, keep ``digits`` significant digits; ``None``
    keeps every float as it is). Select the columns that answer the question; a record with many
    fields reads better long, through :func:`fields`.
    """
    from IPython.display import display

    shown = frame if columns is None else frame.select(columns)
    if digits is not None:
        floats = pl.col(pl.Float32, pl.Float64)
        shown = shown.with_columns(
            pl.when(floats.abs() < 10**-digits)
            .then(floats.round_sig_figs(digits))
            .otherwise(floats.round(digits))
            .name.keep()
        )
    with screen(rows):
        display(shown)


def fields(record: Mapping[str, Any] | pl.DataFrame, *, digits: int = 3) -> pl.DataFrame:
    """Return one record long, as columns ``field`` and ``value`` (one row per key, values as
    text), so a record with many fields fits a screen.

    ``record`` is a JSON object (e.g. a section of :func:`matthew`) or a frame of one row.
    Numbers are rounded to ``digits`` decimals (smaller ones keep ``digits`` significant digits,
    e.g. a p-value of 2.7e-05), lists and objects are shown as JSON, ``None`` stays null.
    """
    if isinstance(record, pl.DataFrame):
        if record.height != 1:
            raise ValueError(f"fields() shows one record; this frame has {record.height} rows")
        record = record.row(0, named=True)
    values = [_field_text(value, digits) for value in record.values()]
    return pl.DataFrame(
        {"field": [str(key) for key in record], "value": values},
        schema={"field": pl.Utf8, "value": pl.Utf8},
    )


def _field_text(value: Any, digits: int) -> str | None:
    """Return ``value`` as the text :func:`fields` shows."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | int):
        return str(value)
    if isinstance(value, float):
        if value and abs(value) < 10**-digits:
            return f"{value:.{digits}g}"
        return str(round(value, digits))
    return json.dumps(value, ensure_ascii=False, default=str)
