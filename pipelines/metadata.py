"""Turn a stage record of the library into Dagster materialization metadata and check results.

Belongs here: how numbers, tables, files and figures of a :class:`StageRecord` appear in the
Dagster UI — a warehouse table with its column schema from the catalog and its row count, result
tables as Dagster tables, the headline numbers of the analysis documents as typed values the
Plots tab can chart (docs/architecture.md, "Results in the UI") — and the check results a
materialization carries: the stage's own checks and, for a warehouse table,
its ``catalog_schema`` check (``pipelines/checks.py``). Does not belong here: computing any of
those numbers (``outcomes.stages``).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl

# not exported by dagster; tests/pipelines/test_metadata.py pins its use
from dagster._core.storage.local_compute_log_manager import LocalComputeLogManager

from outcomes import catalog, documents, stages
from outcomes.atomic import write_bytes
from outcomes.stages import StageRecord
from pipelines.checks import catalog_check_result, per_project_numbers

#: Figures larger than this are linked by path only; metadata lives in the event log.
MAX_FIGURE_BYTES = 256_000

_IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


#: Where a run's figures are published under the compute-log storage of the instance, whose
#: files the Dagster webserver serves at ``/logs/<key>/<extension>``.
FIGURES = "outcomes-figures"


def figure_markdown(title: str, image: bytes, mime: str = "image/svg+xml") -> dg.MetadataValue:
    """Return markdown that holds ``image`` itself (a base64 data URI), which the UI shows
    behind *Show Markdown*."""
    encoded = base64.b64encode(image).decode("ascii")
    return dg.MetadataValue.md(f"**{title}**\n\n![{title}](data:{mime};base64,{encoded})")


#: Width in CSS pixels of a figure on the asset page: the metadata table's value column at a
#: usual window width, so a figure shows whole without scrolling sideways.
PAGE_FIGURE_WIDTH = 380

_SVG_SIZE = re.compile(
    rb'(<svg\b[^>]*?)\swidth="([0-9.]+)(pt|px)?"\s+height="([0-9.]+)(pt|px)?"', re.DOTALL
)


def fit_to_page(svg: bytes, width: int = PAGE_FIGURE_WIDTH) -> bytes:
    """Return ``svg`` drawn ``width`` pixels wide, its height in proportion (the root's
    ``width`` and ``height``; the ``viewBox`` keeps the drawing), when it is wider; otherwise,
    or when the root gives no size in pt or px, ``svg`` unchanged."""
    match = _SVG_SIZE.search(svg)
    if match is None:
        return svg
    scale = {b"pt": 4 / 3, b"px": 1.0, None: 1.0}
    current = float(match.group(2)) * scale[match.group(3)]
    height = float(match.group(4)) * scale[match.group(5)]
    if current <= width:
        return svg
    size = f' width="{width}px" height="{height * width / current:.1f}px"'.encode()
    return svg[: match.start()] + match.group(1) + size + svg[match.end() :]


def published_figure(name: str, path: Path) -> str | None:
    """Copy figure ``path`` of the running step into the instance's compute-log storage and
    return the address the Dagster webserver serves it at (``/logs/outcomes-figures/<run>/
    <asset>-<name>/<extension>``; an SVG :func:`fit_to_page`), so that a short image link shows
    it on the asset page itself; None outside a run or when the instance keeps its compute
    logs elsewhere than on this machine (docs/architecture.md, "Results in the UI")."""
    try:
        context = dg.OpExecutionContext.get()
    except dg.DagsterInvariantViolationError:
        return None
    if context is None:
        return None
    manager = context.instance.compute_log_manager
    if not isinstance(manager, LocalComputeLogManager):
        return None
    extension = path.suffix.lower().lstrip(".")
    key = [FIGURES, context.run_id, f"{context.op.name}-{name}"]
    target = Path(manager.get_captured_local_path(key, extension))
    image = path.read_bytes()
    write_bytes(target, fit_to_page(image) if extension == "svg" else image)
    return "/logs/" + "/".join(key) + f"/{extension}"


def figure_metadata(name: str, path: Path) -> dict[str, Any]:
    """Return metadata for a figure file: the path, and the image itself when it is small,
    shown on the asset page when the run can publish it (:func:`published_figure`), else
    behind *Show Markdown*."""
    path = Path(path)
    metadata: dict[str, Any] = {f"path_{name}": dg.MetadataValue.path(str(path))}
    mime = _IMAGE_TYPES.get(path.suffix.lower())
    if mime and path.exists() and path.stat().st_size <= MAX_FIGURE_BYTES:
        title = name.replace("_", " ")
        address = published_figure(name, path)
        metadata[f"figure_{name}"] = (
            dg.MetadataValue.md(f"**{title}**\n\n![{title}]({address})")
            if address is not None
            else figure_markdown(title, path.read_bytes(), mime)
        )
    return metadata


def column_schema(description: catalog.TableDescription) -> dg.TableSchema:
    """Return the Dagster ``TableSchema`` of a catalog table description: each column with its
    type, description, nullability, uniqueness and constraints, and the primary key."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=column.name,
                type=column.type,
                description=column.description,
                constraints=dg.TableColumnConstraints(
                    nullable=column.nullable,
                    unique=column.unique,
                    other=list(column.constraints),
                ),
            )
            for column in description.columns
        ],
        constraints=dg.TableConstraints(
            other=[f"primary key: {', '.join(description.primary_key)}"]
            if description.primary_key
            else []
        ),
    )


def table_metadata(table: str, path: Path) -> dict[str, Any]:
    """Return the standard metadata of warehouse table ``table`` written to ``path``:
    ``dagster/column_schema`` (the file's columns as the catalog declares them,
    docs/architecture.md "Catalog") and ``dagster/row_count`` (rows in the file)."""
    entry = catalog.table(table)
    present = pl.read_parquet_schema(path)
    rows = pl.scan_parquet(path).select(pl.len()).collect().item()
    description = catalog.describe(entry, list(present))
    return {
        "dagster/column_schema": dg.MetadataValue.table_schema(column_schema(description)),
        "dagster/row_count": dg.MetadataValue.int(int(rows)),
    }


def table_path(record: StageRecord) -> Path | None:
    """Return the warehouse file of ``record`` when the stage wrote a catalog table: the
    parquet path named after the table (``<table>.parquet`` or ``<table>/<project>.parquet``)."""
    if record.name not in catalog.TABLES:
        return None
    for path in map(Path, record.paths.values()):
        if path.suffix == ".parquet" and record.name in (path.stem, path.parent.name):
            return path
    return None


_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    return [c.strip().replace("\\|", "|").replace("**", "") for c in _CELL_SPLIT.split(inner)]


def _column_type(values: list[str]) -> str:
    filled = [v for v in values if v]
    for kind, parse in (("int", int), ("float", float)):
        try:
            for v in filled:
                parse(v)
        except ValueError:
            continue
        return kind if filled else "string"
    return "string"


def markdown_table(text: str) -> dg.MetadataValue | None:
    """Return the markdown table ``text`` (as ``outcomes.markdown.table`` writes it) as a
    Dagster table with its schema — columns of whole numbers typed ``int``, of numbers
    ``float``, others ``string`` — so the UI shows every column instead of cutting the
    markdown off; ``None`` when ``text`` is not such a table."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if len(lines) < 2 or not all(line.strip().startswith("|") for line in lines):
        return None
    header, rows = _cells(lines[0]), [_cells(line) for line in lines[2:]]
    if any(len(row) != len(header) for row in rows):
        return None
    types = [_column_type([row[i] for row in rows]) for i in range(len(header))]
    parse: dict[str, Callable[[str], Any]] = {"int": int, "float": float, "string": str}
    records = [
        dg.TableRecord(
            {
                name: (parse[kind](value) if value or kind == "string" else None)
                for name, kind, value in zip(header, types, row, strict=True)
            }
        )
        for row in rows
    ]
    schema = dg.TableSchema(
        columns=[dg.TableColumn(name, kind) for name, kind in zip(header, types, strict=True)]
    )
    return dg.MetadataValue.table(records, schema=schema)


#: Decimals of an estimate shown in the UI, as in the reports' tables. A p-value and a
#: between-project variance keep three significant digits instead, so that a small one is
#: not shown as 0.
DECIMALS = 3
SIGNIFICANT = ("_p", "tau2")


def _shown(key: str, value: float) -> float:
    """Return ``value`` of metadata ``key`` rounded as the UI shows it: three significant
    digits for a key ending in one of :data:`SIGNIFICANT`, else :data:`DECIMALS` decimals."""
    if key.endswith(SIGNIFICANT):
        return float(f"{value:.3g}")
    return round(float(value), DECIMALS)


def _floats(**values: float | None) -> dict[str, dg.MetadataValue]:
    """Return the numbers of ``values`` as float metadata rounded as shown (:func:`_shown`),
    leaving out those not estimated."""
    return {k: dg.MetadataValue.float(_shown(k, v)) for k, v in values.items() if v is not None}


def matthew_headline(path: Path) -> dict[str, Any]:
    """Return the declared primary Matthew test of ``analysis/matthew.json`` as typed values:
    the interaction estimate with its 95% interval, p, verdict, method and minimal detectable
    effect at 80% power (docs/architecture.md, "One declared primary test")."""
    matthew = documents.read(documents.MatthewDocument, path)
    primary = next((r for r in matthew.results if r.role == "primary"), None)
    if primary is None:
        return {"verdict": dg.MetadataValue.text("no primary test")}
    return {
        **_floats(
            primary_estimate=primary.estimate,
            primary_ci_low=primary.ci_low,
            primary_ci_high=primary.ci_high,
            primary_p=primary.p,
        ),
        "verdict": dg.MetadataValue.text(primary.verdict or "none"),
        "method": dg.MetadataValue.text(primary.method),
        **_floats(mde=primary.mde80),
    }


def pooled_headline(path: Path) -> dict[str, Any]:
    """Return each pooled result of ``analysis/pooled.json`` as typed values named
    ``<outcome>_<parameter>_<number>``: the REML estimate with its 95% interval, τ² and I²
    (docs/architecture.md, "Pooling across projects")."""
    pooled = documents.read(documents.PooledDocument, path)
    metadata: dict[str, Any] = {}
    for result in pooled.results:
        name = f"{result.outcome}_{result.parameter}"
        numbers = {
            "estimate": result.estimate,
            "ci_low": result.ci_low,
            "ci_high": result.ci_high,
            "tau2": result.tau2,
            "i2": result.i2,
        }
        metadata.update(_floats(**{f"{name}_{k}": v for k, v in numbers.items()}))
    return metadata


#: The headline numbers of an analysis asset: its document's file key and how to read them.
HEADLINES: dict[str, tuple[str, Callable[[Path], dict[str, Any]]]] = {
    stages.MATTHEW_EFFECT: ("matthew", matthew_headline),
    stages.POOLED_EFFECT: ("pooled", pooled_headline),
}


def headline_metadata(record: StageRecord) -> dict[str, Any]:
    """Return the headline numbers of ``record`` as typed metadata (:data:`HEADLINES`); none
    for a stage without them or when its document was not written."""
    entry = HEADLINES.get(record.name)
    if entry is None or entry[0] not in record.paths:
        return {}
    path = Path(record.paths[entry[0]])
    return entry[1](path) if path.exists() else {}


def to_metadata(record: StageRecord) -> dict[str, Any]:
    """Return Dagster metadata values for ``record``: the row count, a path per file written
    (figures also shown inline), Dagster tables for markdown tables (:func:`markdown_table`),
    markdown for other text, JSON for mappings, for a warehouse table its column schema and
    the rows in the file (:func:`table_metadata`), and the headline numbers of an analysis
    document (:func:`headline_metadata`)."""
    metadata: dict[str, Any] = {}
    if record.rows is not None:
        metadata["dagster/row_count"] = dg.MetadataValue.int(record.rows)
    # the headline numbers first, as the UI lists metadata in this order; they stand for the
    # record's entries of the same name
    headline = headline_metadata(record)
    metadata.update(headline)
    table = table_path(record)
    if table is not None and table.exists():
        metadata.update(table_metadata(record.name, table))
    for name, path in record.paths.items():
        if Path(path).suffix.lower() in _IMAGE_TYPES:
            metadata.update(figure_metadata(name, Path(path)))
        else:
            metadata[f"path_{name}"] = dg.MetadataValue.path(str(Path(path)))
    for name, value in record.metadata.items():
        if name in headline:
            continue
        if isinstance(value, str) and value.startswith("|"):
            metadata[name] = markdown_table(value) or dg.MetadataValue.md(value)
        elif isinstance(value, str) and "\n" in value:
            metadata[name] = dg.MetadataValue.md(value)
        elif isinstance(value, (dict, list)):
            metadata[name] = dg.MetadataValue.json(value)
        elif isinstance(value, bool):
            metadata[name] = dg.MetadataValue.bool(value)
        elif isinstance(value, int):
            metadata[name] = dg.MetadataValue.int(value)
        elif isinstance(value, float):
            metadata[name] = dg.MetadataValue.float(value)
        else:
            metadata[name] = dg.MetadataValue.text(str(value))
    return metadata


def _check_metadata(details: Mapping[str, Any], project: str | None) -> dict[str, Any]:
    return per_project_numbers(
        {
            k: dg.MetadataValue.json(v) if isinstance(v, (dict, list)) else v
            for k, v in details.items()
        },
        project,
    )


def to_check_results(record: StageRecord, asset_key: dg.AssetKey) -> list[dg.AssetCheckResult]:
    """Return one check result per check the stage evaluated and, when the stage wrote a
    warehouse table, the result of its ``catalog_schema`` check on the file written
    (:func:`pipelines.checks.catalog_check_result`; docs/architecture.md, "Catalog")."""
    results = [
        dg.AssetCheckResult(
            asset_key=asset_key,
            check_name=name,
            passed=bool(passed),
            severity=dg.AssetCheckSeverity.ERROR,
            metadata=_check_metadata(details, record.partition),
        )
        for name, (passed, details) in record.checks.items()
    ]
    if record.name in catalog.TABLES:
        results.append(catalog_check_result(record.name, table_path(record), record.partition))
    return results


def materialize_result(record: StageRecord, asset_key: dg.AssetKey) -> dg.MaterializeResult:
    """Return the ``MaterializeResult`` of ``record`` for ``asset_key``: its metadata
    (:func:`to_metadata`) and its check results (:func:`to_check_results`)."""
    return dg.MaterializeResult(
        asset_key=asset_key,
        metadata=to_metadata(record),
        check_results=to_check_results(record, asset_key),
    )
