"""Validation of a project's responses: the quarantine split and the blocking checks.

Belongs here: :func:`validate_responses` (split ``responses[project]`` into valid rows and one
quarantine record per broken rule), the blocking checks computed from its summary
(:func:`reconcile`, :func:`check_quarantine_share`). The rules themselves: row rules in
``row_rules.py``, cross-row rules (duplicates by policy, follow-up without a baseline, follow-up
dated before baseline, waves out of order) in ``cross_row.py``. Writing the validation JSON and
the quarantine CSV, and printing a summary, live in ``quarantine.py``; wording lives in
``messages.py``; the schemas in ``schemas.py``.

Once the rows breaking a row rule are known, the cross-row rules run in a worker thread while
the records of the row rules are written, and the quarantine is rendered there while the valid
rows are copied (``benchmarks/validate.py``); the results do not depend on the order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import numpy as np
import pandera.polars as pa
import polars as pl

from outcomes.errors import OutcomesError
from outcomes.instruments.base import Instrument
from outcomes.specs import ProjectSpec
from outcomes.validation import cross_row, messages, row_rules
from outcomes.validation.cross_row import DUPLICATE_POLICIES, DuplicatePolicy
from outcomes.validation.row_rules import ROW
from outcomes.validation.schemas import QUARANTINE_COLUMNS, responses_schema, spec_instruments

__all__ = [
    "DUPLICATE_POLICIES",
    "DuplicatePolicy",
    "ResponsesStructureError",
    "ValidationResult",
    "check_quarantine_share",
    "reconcile",
    "validate_responses",
]


class ResponsesStructureError(OutcomesError, ValueError):
    """The responses frame lacks a required column or has an unusable one (message says which)."""


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of validating one project's responses.

    ``valid``: rows breaking no rule, in input order, without ``ingest_issues``, columns cast to
    the schema's types. ``quarantine``: one record per broken rule per row and column (columns
    of :data:`~.schemas.QUARANTINE_COLUMNS`), sorted by source file and row. ``summary``: counts
    (see :func:`validate_responses`). ``expected``: what each quarantine record's rule expects,
    in the order of ``quarantine`` (the text of the message's ``{expected}``; ingest's English
    message for an ingest issue), for the validation report (``report.py``).
    """

    valid: pl.DataFrame
    quarantine: pl.DataFrame
    summary: dict[str, Any]
    expected: pl.Series | None = None

    @property
    def passed(self) -> bool:
        """Return True when the quarantined share is within the spec's threshold."""
        return bool(self.summary["passed_threshold"])


def _check_structure(responses: pl.DataFrame, schema: pa.DataFrameSchema) -> None:
    missing = [
        name for name, column in schema.columns.items() if column.required and name not in responses
    ]
    if missing:
        owners = []
        for name in missing:
            instrument = (schema.columns[name].metadata or {}).get("instrument")
            owners.append(f"{name} ({instrument})" if instrument else name)
        raise ResponsesStructureError(
            f"{schema.name}: required columns missing from the responses frame: "
            f"{', '.join(owners)}; the export or its project spec does not provide them"
        )
    for name in ("project", "source_file", "source_row"):
        nulls = responses[name].null_count()
        if nulls:
            raise ResponsesStructureError(
                f"{schema.name}: column {name!r} is empty in {nulls} rows; every row needs "
                "its provenance (project, source_file, source_row) from ingest"
            )
    if "ingest_issues" in responses and not isinstance(responses["ingest_issues"].dtype, pl.List):
        raise ResponsesStructureError(
            f"{schema.name}: column 'ingest_issues' must be a list of issues, "
            f"got {responses['ingest_issues'].dtype}"
        )


def _row_mask(height: int, rows: pl.Series) -> pl.Series:
    """Return a boolean series of ``height`` that is true at the row numbers ``rows``."""
    mask = np.zeros(height, dtype=bool)
    mask[rows.to_numpy()] = True
    return pl.Series("mask", mask)


#: schemas built by :func:`_schema`, by spec (as JSON) and day; building one deep-copies checks
_SCHEMAS: dict[tuple[str, dt.date], pa.DataFrameSchema] = {}


def _schema(
    spec: ProjectSpec, instruments: Mapping[str, Instrument] | None, today: dt.date | None
) -> pa.DataFrameSchema:
    """Return :func:`responses_schema` of ``spec``, built once per spec and day for the
    registry's instruments (a pipeline validates the same project's exports again and again)."""
    if instruments is not None:
        return responses_schema(spec, instruments, today=today)
    key = (spec.model_dump_json(), today or dt.date.today())
    schema = _SCHEMAS.get(key)
    if schema is None:
        if len(_SCHEMAS) >= 64:
            _SCHEMAS.clear()
        schema = _SCHEMAS[key] = responses_schema(spec, today=key[1])
    return schema


def validate_responses(
    responses: pl.DataFrame,
    spec: ProjectSpec,
    *,
    lang: str = "nl",
    duplicate_policy: str = "keep_latest_complete",
    instruments: Mapping[str, Instrument] | None = None,
    today: dt.date | None = None,
    engine: Literal["polars", "pandera"] = "polars",
) -> ValidationResult:
    """Return the valid rows, the quarantine records and the summary of ``responses``.

    A row is quarantined when it breaks at least one rule; it then has one quarantine record
    per broken rule and column (two items out of range give two records). The summary holds
    ``project``, ``rows_read``, ``rows_valid``, ``rows_quarantined``, ``quarantined_share``,
    ``threshold`` (the spec's ``quarantine_threshold``), ``passed_threshold``, ``rules``
    (records per rule), ``rows_by_rule`` (rows per rule), ``files`` (per source file:
    ``rows_read``, ``rows_valid``, ``rows_quarantined``) and ``duplicate_policy``.

    ``instruments`` replaces the registry (tests); ``today`` bounds plausible dates;
    ``engine="pandera"`` evaluates row rules with pandera's lazy validation instead of the
    generated polars expressions (same rules, slower; used to cross-check). Raises
    :class:`ResponsesStructureError` when a required column is missing.
    """
    messages.check_language(lang)
    if duplicate_policy not in DUPLICATE_POLICIES:
        raise ValueError(
            f"duplicate_policy {duplicate_policy!r} is not one of {', '.join(DUPLICATE_POLICIES)}"
        )
    schema = _schema(spec, instruments, today)
    _check_structure(responses, schema)
    item_names = ", ".join(i.name for i in spec_instruments(spec, instruments))

    frame = responses.with_row_index(ROW)
    frame, type_records = row_rules.conform_types(frame, schema, lang)
    with ThreadPoolExecutor(max_workers=1) as worker:
        # pandera checks the column set and types in the worker while the row rules are screened
        structure = worker.submit(_check_columns, frame, schema)
        return _split(
            frame,
            type_records,
            worker,
            structure,
            schema,
            spec,
            lang,
            item_names,
            duplicate_policy,
            engine,
        )


def _check_columns(frame: pl.DataFrame, schema: pa.DataFrameSchema) -> None:
    """Validate the schema of record against ``frame``: column set and types, once, no
    data-level checks. Raises :class:`ResponsesStructureError` naming what does not match."""
    try:
        schema.validate(frame.lazy(), lazy=True)
    except pa.errors.SchemaErrors as errors:
        raise ResponsesStructureError(
            f"{schema.name}: columns do not match the schema:\n{errors.failure_cases}"
        ) from None


def _passing(frame: pl.DataFrame, rejected: pl.Series) -> pl.DataFrame:
    """Return row number, participant, wave and date of the rows ``rejected`` does not mark
    (the rows the cross-row rules look at)."""
    return frame.select(
        ROW,
        "participant_id",
        "wave",
        pl.col("assessed_on") if "assessed_on" in frame.columns else pl.lit(None, dtype=pl.Date),
    ).filter(~rejected)


def _split(
    frame: pl.DataFrame,
    type_records: pl.DataFrame,
    worker: ThreadPoolExecutor,
    structure: Future[None],
    schema: pa.DataFrameSchema,
    spec: ProjectSpec,
    lang: str,
    item_names: str,
    duplicate_policy: str,
    engine: str,
) -> ValidationResult:
    """Return the validation result of ``frame`` (row numbers added, types conformed):
    records of every rule, the valid rows, the quarantine and the summary. ``structure`` is
    the column check running in ``worker``; its error comes first."""
    try:
        ingest_records = row_rules.ingest_records(frame)
        if engine == "pandera":
            found = row_rules.pandera_records(frame, schema, lang, item_names)
            rejected = _row_mask(
                frame.height, pl.concat([r[ROW] for r in (type_records, found, ingest_records)])
            )
            describe: Callable[[], pl.DataFrame] = partial(_same, found)
        else:
            checks = row_rules.row_checks(frame, schema, lang, item_names)
            broken, possible = row_rules.broken_rows(frame, checks)
            # a row is rejected when it has any record: every row found by the screen gets
            # at least one row record, and prune_row_records keeps at least one per row
            rejected = broken | _row_mask(
                frame.height, pl.concat([type_records[ROW], ingest_records[ROW]])
            )
            describe = partial(row_rules.row_records, frame, checks, broken, possible)
    finally:
        structure.result()  # raises ResponsesStructureError, also in place of a failure above
    submitted_baselines = (
        frame.select("participant_id", "wave")
        .filter((pl.col("wave") == 0) & pl.col("participant_id").is_not_null())
        .get_column("participant_id")
    )
    # the cross-row rules (a sort by participant and wave, then sequential scans) run in the
    # worker thread while this one writes the records of the row rules: two cores stay busy
    cross_row_found = worker.submit(
        lambda: cross_row.cross_row_records(
            cross_row.by_participant_and_wave(_passing(frame, rejected), keep_id=False),
            frame.select("source_file", "source_row", "participant_id"),
            submitted_baselines,
            duplicate_policy,
            lang,
        )
    )
    row_records = row_rules.prune_row_records(describe(), type_records, ingest_records, schema)
    read = _rows_per_file(frame)
    records = pl.concat([type_records, row_records, ingest_records, cross_row_found.result()])

    quarantined = _row_mask(frame.height, records[ROW])
    # the quarantine records are rendered while the valid rows are copied
    quarantine = worker.submit(_quarantine_frame, frame, records, lang)
    valid = frame.drop(ROW, "ingest_issues", strict=False).filter(~quarantined)
    summary = _summary(frame, read, valid, quarantined, records, spec, duplicate_policy)
    rendered, expected = quarantine.result()
    return ValidationResult(valid, rendered, summary, expected)


def _same(records: pl.DataFrame) -> pl.DataFrame:
    """Return ``records`` (the row records the pandera engine found up front)."""
    return records


def _quarantine_frame(
    frame: pl.DataFrame, records: pl.DataFrame, lang: str
) -> tuple[pl.DataFrame, pl.Series]:
    """Return the quarantine records with provenance and messages, sorted by file and row, and
    what each record's rule expects (same order)."""
    provenance = frame.select(
        pl.col("project", "source_file", "source_row", "participant_id", "wave").gather(
            records[ROW]
        )
    )
    joined = pl.concat([records, provenance], how="horizontal").sort(
        ["source_file", "source_row", ROW], maintain_order=True
    )
    joined = joined.with_columns(messages.render_messages(joined, lang).alias("message"))
    quarantine = joined.select(
        [pl.col(name).cast(dtype) for name, dtype in QUARANTINE_COLUMNS.items()]
    )
    return quarantine, joined.get_column("expected").cast(pl.Utf8)


def _rows_per_file(rows: pl.DataFrame) -> dict[str, int]:
    """Return the number of ``rows`` per ``source_file``.

    Counted from runs of equal names: ingest writes each file's rows together, so there are
    about as many runs as files; rows of files interleaved give more runs, counted the same.
    """
    runs = rows.select(pl.col("source_file").rle()).unnest("source_file")
    per_file = runs.group_by("value").agg(pl.col("len").sum())
    return {name: int(n) for name, n in per_file.iter_rows()}


def _summary(
    frame: pl.DataFrame,
    read: Mapping[str, int],
    valid: pl.DataFrame,
    quarantined: pl.Series,
    records: pl.DataFrame,
    spec: ProjectSpec,
    duplicate_policy: str,
) -> dict[str, Any]:
    """Return the summary; valid rows are counted from the valid frame, quarantined rows from
    the input and the quarantine mask, and ``read`` holds the rows per file of the input, so the
    reconciliation compares independent counts."""
    quarantined_counts = _rows_per_file(frame.select("source_file").filter(quarantined))
    valid_counts = _rows_per_file(valid)
    files = {
        name: {
            "rows_read": int(read.get(name, 0)),
            "rows_valid": int(valid_counts.get(name, 0)),
            "rows_quarantined": int(quarantined_counts.get(name, 0)),
        }
        for name in sorted(set(read) | set(valid_counts) | set(quarantined_counts))
    }
    rows_read = frame.height
    rows_quarantined = int(quarantined.sum())
    share = rows_quarantined / rows_read if rows_read else 0.0
    per_rule = records.group_by("rule").agg(
        pl.len().alias("records"), pl.col(ROW).n_unique().alias("rows")
    )
    return {
        "project": spec.id,
        "rows_read": rows_read,
        "rows_valid": valid.height,
        "rows_quarantined": rows_quarantined,
        "quarantined_share": share,
        "threshold": spec.quarantine_threshold,
        "passed_threshold": share <= spec.quarantine_threshold,
        "rules": {r: int(n) for r, n in sorted(per_rule.select("rule", "records").iter_rows())},
        "rows_by_rule": {r: int(n) for r, n in sorted(per_rule.select("rule", "rows").iter_rows())},
        "files": files,
        "duplicate_policy": duplicate_policy,
    }


def reconcile(
    summary: Mapping[str, Any], read_counts: Mapping[str, int] | None = None
) -> tuple[bool, dict[str, Any]]:
    """Return (passed, details) of the reconciliation check: nothing lost, per export file.

    Passes when for every file ``rows_read == rows_valid + rows_quarantined``, the totals agree,
    and — when ``read_counts`` (rows per file as ingest read them) is given — each file's
    ``rows_read`` equals ingest's count. ``details`` lists every file with its counts and the
    files that do not balance.
    """
    files = summary.get("files", {})
    unbalanced: dict[str, dict[str, Any]] = {}
    for name, counts in files.items():
        expected_read = counts["rows_valid"] + counts["rows_quarantined"]
        problems = []
        if counts["rows_read"] != expected_read:
            problems.append(
                f"rows_read {counts['rows_read']} != rows_valid {counts['rows_valid']} + "
                f"rows_quarantined {counts['rows_quarantined']}"
            )
        if read_counts is not None and read_counts.get(name) != counts["rows_read"]:
            problems.append(
                f"ingest read {read_counts.get(name)} rows, validation {counts['rows_read']}"
            )
        if problems:
            unbalanced[name] = {**counts, "problems": problems}
    if read_counts is not None:
        for name in sorted(set(read_counts) - set(files)):
            unbalanced[name] = {
                "rows_read": 0,
                "rows_valid": 0,
                "rows_quarantined": 0,
                "problems": [f"ingest read {read_counts[name]} rows, validation saw none"],
            }
    totals_balance = (
        summary["rows_read"] == summary["rows_valid"] + summary["rows_quarantined"]
        and sum(c["rows_read"] for c in files.values()) == summary["rows_read"]
    )
    passed = not unbalanced and totals_balance
    return passed, {
        "project": summary.get("project"),
        "rows_read": summary["rows_read"],
        "rows_valid": summary["rows_valid"],
        "rows_quarantined": summary["rows_quarantined"],
        "files": dict(files),
        "unbalanced_files": unbalanced,
        "totals_balance": totals_balance,
    }


def check_quarantine_share(summary: Mapping[str, Any]) -> tuple[bool, dict[str, Any]]:
    """Return (passed, details): passes when the quarantined share is within the threshold.

    ``details`` holds the share, the threshold, the counts and the rules with most records, so a
    failing check says why.
    """
    share = summary["quarantined_share"]
    threshold = summary["threshold"]
    rules = sorted(summary.get("rules", {}).items(), key=lambda item: (-item[1], item[0]))
    return share <= threshold, {
        "project": summary.get("project"),
        "quarantined_share": share,
        "threshold": threshold,
        "rows_read": summary["rows_read"],
        "rows_quarantined": summary["rows_quarantined"],
        "top_rules": dict(rules[:5]),
    }
