"""Validation rules for a project's responses: row rules, cross-row rules, the quarantine split.

Belongs here: :func:`validate_responses` (split ``responses[project]`` into valid rows and one
quarantine record per broken rule), the blocking checks computed from its summary
(:func:`reconcile`, :func:`check_quarantine_share`) and the duplicate policies. Writing the
validation JSON and the quarantine CSV, and printing a summary, live in ``quarantine.py``;
wording lives in ``messages.py``; the schemas in ``schemas.py``.

Row rules come from the pandera schema of the project (:func:`~.schemas.responses_schema`):
types, ranges and allowed codes of every column, ``participant_id`` and ``wave`` present, at
least one item answered, ``completed`` not false; plus every ``ingest_issues`` entry. They are
evaluated as polars expressions generated from the schema's checks (see
``violation_expression``); pandera itself validates the column set and types once. Cross-row
rules run on the rows that pass every row rule: duplicate participant × wave submissions (by
policy), follow-up without a baseline, follow-up dated before baseline, waves out of order.

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

from outcomes.ingest.spec import ProjectSpec
from outcomes.instruments.base import Instrument
from outcomes.validation import messages
from outcomes.validation.schemas import (
    QUARANTINE_COLUMNS,
    responses_schema,
    spec_instruments,
    violation_expression,
)

DuplicatePolicy = Literal["keep_latest_complete", "keep_first", "quarantine_all"]
DUPLICATE_POLICIES: tuple[str, ...] = ("keep_latest_complete", "keep_first", "quarantine_all")

ROW = "__row"
_RECORD_SCHEMA: dict[str, pl.DataType] = {
    ROW: pl.UInt32(),
    "column": pl.Utf8(),
    "value": pl.Utf8(),
    "rule": pl.Utf8(),
    "expected": pl.Utf8(),
}


class ResponsesStructureError(ValueError):
    """The responses frame lacks a required column or has an unusable one (message says which)."""


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of validating one project's responses.

    ``valid``: rows breaking no rule, in input order, without ``ingest_issues``, columns cast to
    the schema's types. ``quarantine``: one record per broken rule per row and column (columns
    of :data:`~.schemas.QUARANTINE_COLUMNS`), sorted by source file and row. ``summary``: counts
    (see :func:`validate_responses`).
    """

    valid: pl.DataFrame
    quarantine: pl.DataFrame
    summary: dict[str, Any]

    @property
    def passed(self) -> bool:
        """Return True when the quarantined share is within the spec's threshold."""
        return bool(self.summary["passed_threshold"])


def _empty_records() -> pl.DataFrame:
    return pl.DataFrame(schema=_RECORD_SCHEMA)


def value_text(column: str, dtype: pl.DataType) -> pl.Expr:
    """Return ``column`` as text the way a data manager reads it (``7`` rather than ``7.0``)."""
    value = pl.col(column)
    if dtype.is_float():
        whole = value.is_finite() & (value == value.floor()) & (value.abs() < 1e15)
        return (
            pl.when(whole)
            .then(value.cast(pl.Int64, strict=False).cast(pl.Utf8))
            .otherwise(value.cast(pl.Utf8))
        )
    if isinstance(dtype, pl.List | pl.Struct | pl.Array):
        return pl.lit(None, dtype=pl.Utf8)
    return value.cast(pl.Utf8, strict=False)


def _target_dtype(column: pa.Column) -> pl.DataType:
    dtype = column.dtype.type
    return dtype if isinstance(dtype, pl.DataType) else dtype()


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


def _conform_types(
    frame: pl.DataFrame, schema: pa.DataFrameSchema, lang: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return ``frame`` with schema columns cast to their types, and ``wrong_type`` records.

    A value that cannot be read as the column's type (text in a number column, 2.5 in a
    whole-number column) becomes null and gets a record.
    """
    records = [_empty_records()]
    for name, column in schema.columns.items():
        if name not in frame.columns or name == "ingest_issues":
            continue
        source, target = frame.schema[name], _target_dtype(column)
        if source == target:
            continue
        original = pl.col(name)
        cast = original.cast(target, strict=False)
        if source.is_float() and target.is_integer():
            cast = pl.when(original == original.round()).then(cast)
        try:
            converted = frame.select(
                cast.alias("cast"), (original.is_not_null() & cast.is_null()).alias("bad")
            )
        except pl.exceptions.PolarsError:
            converted = frame.select(
                pl.lit(None, dtype=target).alias("cast"), original.is_not_null().alias("bad")
            )
        bad = converted["bad"]
        if bad.any():
            records.append(
                frame.filter(bad).select(
                    pl.col(ROW),
                    pl.lit(name).alias("column"),
                    value_text(name, source).alias("value"),
                    pl.lit("wrong_type").alias("rule"),
                    pl.lit(messages.word(lang, str(target.base_type()))).alias("expected"),
                )
            )
        frame = frame.with_columns(converted["cast"].alias(name))
    return frame, pl.concat(records)


def _row_checks(
    frame: pl.DataFrame, schema: pa.DataFrameSchema, lang: str, item_names: str
) -> list[tuple[str | None, str, str, pl.Expr, bool]]:
    """Return (column, rule, expected, violation expression, screened) for every row rule of
    ``schema``.

    ``screened`` is False for a range check that the column's allowed-codes check already
    covers (every allowed code lies in the range, so a value out of range is no allowed code
    either): finding the rows that break any rule can skip it."""
    checks: list[tuple[str | None, str, str, pl.Expr, bool]] = []
    for name, column in schema.columns.items():
        if name not in frame.columns:
            continue
        null_rule = (column.metadata or {}).get("null_rule")
        if not column.nullable and null_rule:
            expected = messages.word(lang, "wave_expected") if name == "wave" else ""
            checks.append((name, null_rule, expected, pl.col(name).is_null(), True))
        codes = [
            set(check.statistics["allowed_values"])
            for check in column.checks
            if check.name == "isin" and check.statistics
        ]
        for check in column.checks:
            rule = check.title or "out_of_range"
            expected = messages.expected_text(check.name, check.statistics or {}, lang)
            covered = check.name == "in_range" and any(
                _within(allowed, check.statistics or {}) for allowed in codes
            )
            checks.append((name, rule, expected, violation_expression(name, check), not covered))
    for check in schema.checks:
        checks.append(
            (None, check.title or check.name, item_names, violation_expression("", check), True)
        )
    return checks


def _within(allowed: set[Any], bounds: Mapping[str, Any]) -> bool:
    """Return True when every value of ``allowed`` satisfies the ``in_range`` ``bounds``."""
    low, high = bounds.get("min_value"), bounds.get("max_value")
    if low is None or high is None or not allowed:
        return False
    try:
        return all(
            (value >= low if bounds.get("include_min", True) else value > low)
            and (value <= high if bounds.get("include_max", True) else value < high)
            for value in allowed
        )
    except TypeError:  # codes that do not compare with the bounds
        return False


def _broken_rows(
    frame: pl.DataFrame, checks: list[tuple[str | None, str, str, pl.Expr, bool]]
) -> tuple[pl.Series, list[bool]]:
    """Return a boolean series, True where a row breaks at least one of ``checks``, and for
    each check whether any row can break it.

    One pass over all rows with the screened checks (see :func:`_row_checks`). A check left
    out of that pass (a range check the column's allowed-codes check covers) can only be
    broken where a screened check of its column is. Which checks a row breaks is evaluated
    afterwards on the rows found (:func:`_row_records`).
    """
    screened = [k for k, (*_, is_screened) in enumerate(checks) if is_screened]
    if not screened or frame.height == 0:
        return pl.Series("broken", [False] * frame.height, dtype=pl.Boolean), [False] * len(checks)
    screens = frame.select(checks[k][3].alias(f"_screen{k}") for k in screened)
    broken = screens.select(pl.any_horizontal(pl.all()).alias("broken")).to_series()
    counts = dict(zip(screened, screens.sum().row(0), strict=True))
    hit_columns = {checks[k][0] for k in screened if counts[k]}
    possible = [
        bool(counts[k]) if k in counts else checks[k][0] in hit_columns for k in range(len(checks))
    ]
    return broken, possible


def _row_records(
    frame: pl.DataFrame,
    checks: list[tuple[str | None, str, str, pl.Expr, bool]],
    broken: pl.Series,
    possible: list[bool],
) -> pl.DataFrame:
    """Return one record per (row, broken check) for the rows ``broken`` marks, evaluating the
    checks ``possible`` marks on the columns they read."""
    if not any(possible) or frame.height == 0:
        return _empty_records()
    selected = [(k, check) for k, check in enumerate(checks) if possible[k]]
    needed = {ROW}
    for _, (column, _, _, expr, _) in selected:
        needed.update(expr.meta.root_names())
        if column is not None:
            needed.add(column)
    suspects = frame.select(c for c in frame.columns if c in needed).filter(broken)
    suspects = suspects.with_columns(expr.alias(f"_check{k}") for k, (_, _, _, expr, _) in selected)
    hit_counts = suspects.select(pl.col(f"_check{k}").sum() for k, _ in selected).row(0)
    types = frame.schema
    records = [_empty_records()]
    for (k, (column, rule, expected, _, _)), hit_count in zip(selected, hit_counts, strict=True):
        if not hit_count:
            continue
        hits = suspects.filter(pl.col(f"_check{k}"))
        value = (
            value_text(column, types[column])
            if column is not None and rule not in {"missing_participant_id", "missing_wave"}
            else pl.lit(None, dtype=pl.Utf8)
        )
        records.append(
            hits.select(
                pl.col(ROW),
                pl.lit(column, dtype=pl.Utf8).alias("column"),
                value.alias("value"),
                pl.lit(rule).alias("rule"),
                pl.lit(expected).alias("expected"),
            )
        )
    return pl.concat(records)


def _pandera_records(
    frame: pl.DataFrame, schema: pa.DataFrameSchema, lang: str, item_names: str
) -> pl.DataFrame:
    """Return the row records as pandera's lazy validation finds them (reference engine)."""
    try:
        schema.validate(frame.drop("ingest_issues", strict=False), lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases.filter(pl.col("index").is_not_null())
    else:
        return _empty_records()
    rows: list[tuple[Any, ...]] = []
    for case in cases.iter_rows(named=True):
        column_name = case["column"]
        if case["schema_context"] == "DataFrameSchema":
            check = schema.checks[case["check_number"]]
            rows.append((case["index"], None, None, check.title or check.name, item_names))
            continue
        column = schema.columns[column_name]
        if case["check"] == "not_nullable":
            rule = (column.metadata or {}).get("null_rule", "missing_value")
            expected = messages.word(lang, "wave_expected") if column_name == "wave" else ""
            rows.append((case["index"], column_name, None, rule, expected))
            continue
        check = column.checks[case["check_number"]]
        expected = messages.expected_text(check.name, check.statistics or {}, lang)
        rows.append((case["index"], column_name, "", check.title or "out_of_range", expected))
    records = pl.DataFrame(rows, schema=_RECORD_SCHEMA, orient="row")
    # pandera renders values its own way; take the value text from the frame itself
    values = []
    for column_name in records["column"].drop_nulls().unique().to_list():
        subset = records.filter((pl.col("column") == column_name) & pl.col("value").is_not_null())
        values.append(
            subset.select(ROW, "column", "rule").join(
                frame.select(
                    ROW, value_text(column_name, frame.schema[column_name]).alias("value")
                ),
                on=ROW,
            )
        )
    keyed = pl.concat(values) if values else records.clear().select(ROW, "column", "rule", "value")
    return records.join(keyed, on=[ROW, "column", "rule"], how="left", suffix="_frame").select(
        ROW,
        "column",
        pl.coalesce("value_frame", pl.when(pl.col("value") != "").then(pl.col("value"))).alias(
            "value"
        ),
        "rule",
        "expected",
    )


def _ingest_records(frame: pl.DataFrame) -> pl.DataFrame:
    """Return one record per ``ingest_issues`` entry; ingest's message becomes ``expected``."""
    if "ingest_issues" not in frame.columns:
        return _empty_records()
    issues = frame.select(ROW, "ingest_issues").filter(pl.col("ingest_issues").list.len() > 0)
    if issues.height == 0:
        return _empty_records()
    return (
        issues.explode("ingest_issues")
        .unnest("ingest_issues")
        .select(
            pl.col(ROW),
            pl.col("column").cast(pl.Utf8),
            pl.col("value").cast(pl.Utf8),
            pl.col("rule").cast(pl.Utf8).fill_null("ingest_issue"),
            pl.col("message").cast(pl.Utf8).alias("expected"),
        )
    )


#: Day offset separating participants in the grouped running maximum (see _cross_row_records).
_GROUP_SPAN = 10_000_000


def _by_participant_and_wave(
    rows: pl.DataFrame, *, wave_bits: int = 8, keep_id: bool = True
) -> pl.DataFrame:
    """Return ``rows`` sorted so that each participant's rows are contiguous and in wave order,
    with a ``_participant`` column (UInt64) that is equal exactly within a participant; without
    ``participant_id`` when ``keep_id`` is False (the sort then moves no text).

    Participant IDs are pseudonyms of 65 characters: sorting them as text costs several times
    more than sorting one 64-bit key made of the ID's hash (high 64 − ``wave_bits`` bits) and
    the wave (low ``wave_bits`` bits). Two IDs whose hashes share those high bits would
    interleave; that is detected after the sort (a run of equal keys with different values of a
    second, independent 64-bit hash of the ID) and the rows are then ranked by ID instead, as
    they are when a wave does not fit the low bits.
    """
    span = 2**wave_bits
    if rows.height == 0:
        return rows.with_columns(pl.lit(None, dtype=pl.UInt64).alias("_participant"))
    low, high = rows.select(
        pl.col("wave").min().alias("low"), pl.col("wave").max().alias("high")
    ).row(0)
    if low is not None and low >= 0 and high < span:
        participant = (pl.col("participant_id").hash(seed=20240601) // span) * span
        ordered = rows.select(
            pl.all() if keep_id else pl.all().exclude("participant_id", "wave"),
            (participant + pl.col("wave").cast(pl.UInt64)).alias("_key"),
            pl.col("participant_id").hash(seed=19).alias("_check"),
        ).sort("_key")
        key, check = pl.col("_key") // span, pl.col("_check")
        mixed = ordered.select(((key == key.shift(1)) & (check != check.shift(1))).any()).item()
        if not mixed:
            return ordered.with_columns(
                (key * span).alias("_participant"),
                *(
                    []
                    if keep_id
                    else [(pl.col("_key") % span).cast(rows.schema["wave"]).alias("wave")]
                ),
            ).drop("_key", "_check")
    ranked = rows.with_columns(
        pl.col("participant_id").rank("dense").cast(pl.UInt64).alias("_participant")
    ).sort(["_participant", "wave"])
    return ranked if keep_id else ranked.drop("participant_id")


def _cross_row_records(
    ordered: pl.DataFrame,
    delivery: pl.DataFrame,
    submitted_baselines: pl.Series,
    policy: str,
    lang: str,
) -> pl.DataFrame:
    """Return the records of the cross-row rules for the rows passing every row rule.

    ``ordered`` holds row number, participant, wave and date of those rows, sorted by
    :func:`_by_participant_and_wave`; ``delivery`` holds every row's ``source_file``,
    ``source_row`` and ``participant_id``, by row number.

    Duplicate participant × wave submissions follow ``policy``: ``keep_latest_complete`` keeps
    the latest by ``assessed_on`` (undated counts as earliest), then file and row — incomplete
    rows never get here, they break a row rule; ``keep_first`` keeps the first in delivery
    order (file, row); ``quarantine_all`` keeps none of them. On the rows kept:
    ``followup_without_baseline`` when the export holds no baseline row at all for the
    participant (``submitted_baselines``; a baseline quarantined for its own problems is
    reported on its own row and does not drag its follow-ups along),
    ``followup_before_baseline`` when a follow-up is dated before the baseline, and
    ``waves_out_of_order`` when a follow-up is dated before an earlier follow-up wave.

    Works on one sort by participant and wave (see :func:`_by_participant_and_wave`; groups
    are runs of equal keys) and a sort of the few repeated rows on all keys.
    """
    wave = pl.col("wave")
    order = (
        ["assessed_on", "source_file", "source_row"]
        if policy == "keep_latest_complete"
        else ["source_file", "source_row"]
    )
    # file and row of the few repeated rows are looked up by row number after the sort
    pid = pl.col("_participant")
    same_prev = ((pid == pid.shift(1)) & (wave == wave.shift(1))).fill_null(False)
    same_next = ((pid == pid.shift(-1)) & (wave == wave.shift(-1))).fill_null(False)
    repeated = ordered.filter(same_prev | same_next)
    repeated = pl.concat(
        [repeated, delivery.select("source_file", "source_row").gather(repeated.get_column(ROW))],
        how="horizontal",
    ).sort(["_participant", "wave", *order], nulls_last=False)
    if policy == "keep_latest_complete":
        dropped = same_next
        kept_row = pl.when(~same_next).then(pl.col("source_row")).backward_fill()
        kept_file = pl.when(~same_next).then(pl.col("source_file")).backward_fill()
    elif policy == "keep_first":
        dropped = same_prev
        kept_row = pl.when(~same_prev).then(pl.col("source_row")).forward_fill()
        kept_file = pl.when(~same_prev).then(pl.col("source_file")).forward_fill()
    else:
        dropped = same_prev | same_next
        kept_row = pl.lit(None, dtype=pl.Int64)
        kept_file = pl.lit(None, dtype=pl.Utf8)
    # groups stay contiguous among the repeated rows, and neighbouring groups differ in
    # participant or wave, so the same shifts find each group's kept row
    duplicates = (
        repeated.with_columns(
            dropped.alias("_dropped"), kept_row.alias("_kept_row"), kept_file.alias("_kept_file")
        )
        .filter(pl.col("_dropped"))
        .select(
            pl.col(ROW),
            pl.lit("wave").alias("column"),
            wave.cast(pl.Utf8).alias("value"),
            pl.lit("duplicate_submission").alias("rule"),
            pl.when(pl.col("_kept_row").is_null())
            .then(pl.lit(messages.word(lang, "all_quarantined")))
            .otherwise(pl.format(messages.WORDS[lang]["kept"], "_kept_row", "_kept_file"))
            .alias("expected"),
        )
    )

    # one row per participant × wave from here, still sorted by participant and wave
    kept = ordered.filter(~pl.col(ROW).is_in(duplicates.get_column(ROW).implode()))
    days = pl.col("assessed_on").cast(pl.Int64)
    followup = wave > 0
    # each participant's first row, and its group offset, as columns of their own: the
    # sequential scans below read them instead of computing them again
    kept = kept.with_columns((pid != pid.shift(1)).fill_null(True).alias("_first"))
    kept = kept.with_columns(
        (pl.col("_first").cum_sum().cast(pl.Int64) * _GROUP_SPAN).alias("_group")
    )
    new_participant, group = pl.col("_first"), pl.col("_group")
    # running maximum of earlier follow-up dates within a participant: each participant's
    # values are lifted by its group offset so the maximum never reaches back to another one
    dated_followup = followup & pl.col("assessed_on").is_not_null()
    lifted = pl.when(dated_followup).then(group + days).otherwise(group - 1)
    kept = kept.with_columns(
        pl.when(new_participant).then(wave == 0).forward_fill().alias("_has_baseline"),
        pl.when(new_participant)
        .then(pl.when((wave == 0) & pl.col("assessed_on").is_not_null()).then(days).otherwise(-1))
        .forward_fill()
        .alias("_baseline_days"),
        (lifted.cum_max().shift(1) - group).alias("_earlier_days"),
    )
    orphan = followup & ~pl.col("_has_baseline")
    early = followup & (pl.col("_baseline_days") >= 0) & (days < pl.col("_baseline_days"))
    disordered = (
        followup
        & ~pl.col("_first")
        & (pl.col("_earlier_days") >= 0)
        & (days < pl.col("_earlier_days"))
    )
    # the three rules are evaluated in one pass; records are built from the few rows they hit
    suspects = kept.with_columns(
        orphan.alias("_orphan"), early.alias("_early"), disordered.alias("_disordered")
    ).filter(pl.col("_orphan") | pl.col("_early") | pl.col("_disordered"))
    date_text = pl.col("assessed_on").cast(pl.Utf8)

    def as_date(column: str) -> pl.Expr:
        return pl.col(column).cast(pl.Int32).cast(pl.Date).cast(pl.Utf8)

    # whether an orphan's participant submitted a baseline at all: look up the few orphans'
    # IDs among the baselines rather than hashing every baseline ID
    orphans = suspects.filter(pl.col("_orphan"))
    orphans = orphans.with_columns(
        delivery.get_column("participant_id").gather(orphans.get_column(ROW))
    )
    orphan_ids = orphans.get_column("participant_id").unique()
    with_baseline = submitted_baselines.filter(submitted_baselines.is_in(orphan_ids.implode()))
    without = orphans.filter(~pl.col("participant_id").is_in(with_baseline.implode())).select(
        pl.col(ROW),
        pl.lit("wave").alias("column"),
        wave.cast(pl.Utf8).alias("value"),
        pl.lit("followup_without_baseline").alias("rule"),
        pl.lit(None, dtype=pl.Utf8).alias("expected"),
    )
    before = suspects.filter(pl.col("_early")).select(
        pl.col(ROW),
        pl.lit("assessed_on").alias("column"),
        date_text.alias("value"),
        pl.lit("followup_before_baseline").alias("rule"),
        as_date("_baseline_days").alias("expected"),
    )
    disorder = suspects.filter(pl.col("_disordered")).select(
        pl.col(ROW),
        pl.lit("assessed_on").alias("column"),
        date_text.alias("value"),
        pl.lit("waves_out_of_order").alias("rule"),
        pl.format(messages.WORDS[lang]["earlier_wave"], as_date("_earlier_days")).alias("expected"),
    )
    return pl.concat([duplicates, without, before, disorder])


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
    frame, type_records = _conform_types(frame, schema, lang)
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
        ingest_records = _ingest_records(frame)
        if engine == "pandera":
            found = _pandera_records(frame, schema, lang, item_names)
            rejected = _row_mask(
                frame.height, pl.concat([r[ROW] for r in (type_records, found, ingest_records)])
            )
            describe: Callable[[], pl.DataFrame] = partial(_same, found)
        else:
            checks = _row_checks(frame, schema, lang, item_names)
            broken, possible = _broken_rows(frame, checks)
            # a row is rejected when it has any record: every row found by the screen gets
            # at least one row record, and _prune_row_records keeps at least one per row
            rejected = broken | _row_mask(
                frame.height, pl.concat([type_records[ROW], ingest_records[ROW]])
            )
            describe = partial(_row_records, frame, checks, broken, possible)
    finally:
        structure.result()  # raises ResponsesStructureError, also in place of a failure above
    submitted_baselines = (
        frame.select("participant_id", "wave")
        .filter((pl.col("wave") == 0) & pl.col("participant_id").is_not_null())
        .get_column("participant_id")
    )
    # the cross-row rules (a sort by participant and wave, then sequential scans) run in the
    # worker thread while this one writes the records of the row rules: two cores stay busy
    cross_row = worker.submit(
        lambda: _cross_row_records(
            _by_participant_and_wave(_passing(frame, rejected), keep_id=False),
            frame.select("source_file", "source_row", "participant_id"),
            submitted_baselines,
            duplicate_policy,
            lang,
        )
    )
    row_records = _prune_row_records(describe(), type_records, ingest_records, schema)
    read = _rows_per_file(frame)
    records = pl.concat([type_records, row_records, ingest_records, cross_row.result()])

    quarantined = _row_mask(frame.height, records[ROW])
    # the quarantine records are rendered while the valid rows are copied
    quarantine = worker.submit(_quarantine_frame, frame, records, lang)
    valid = frame.drop(ROW, "ingest_issues", strict=False).filter(~quarantined)
    summary = _summary(frame, read, valid, quarantined, records, spec, duplicate_policy)
    return ValidationResult(valid=valid, quarantine=quarantine.result(), summary=summary)


def _same(records: pl.DataFrame) -> pl.DataFrame:
    """Return ``records`` (the row records the pandera engine found up front)."""
    return records


def _prune_row_records(
    row_records: pl.DataFrame,
    type_records: pl.DataFrame,
    ingest_records: pl.DataFrame,
    schema: pa.DataFrameSchema,
) -> pl.DataFrame:
    """Return ``row_records`` without the records that repeat another one for the same cell.

    A value outside the codes' range is reported as out of range only, not also as no code; a
    value already reported as the wrong type is not reported again as missing; a value ingest
    could not read (unknown wave label, no ID) is explained by ingest, and the schema's
    "missing" rule for the same cell would only repeat it.
    """
    row_records = row_records.join(
        row_records.filter(pl.col("rule") == "out_of_range").select(
            ROW, "column", pl.lit("code_not_allowed").alias("rule")
        ),
        on=[ROW, "column", "rule"],
        how="anti",
        nulls_equal=True,
    )
    if type_records.height:
        row_records = row_records.join(
            type_records.select(ROW, "column"), on=[ROW, "column"], how="anti"
        )
    if ingest_records.height:
        null_rules = [
            rule
            for column in schema.columns.values()
            if (rule := (column.metadata or {}).get("null_rule"))
        ]
        repeated = row_records.filter(pl.col("rule").is_in(null_rules)).join(
            ingest_records.select(ROW, "column").unique(), on=[ROW, "column"], how="semi"
        )
        row_records = row_records.join(
            repeated.select(ROW, "column", "rule"), on=[ROW, "column", "rule"], how="anti"
        )
    return row_records


def _quarantine_frame(frame: pl.DataFrame, records: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Return the quarantine records with provenance and messages, sorted by file and row."""
    provenance = frame.select(
        pl.col("project", "source_file", "source_row", "participant_id", "wave").gather(
            records[ROW]
        )
    )
    joined = pl.concat([records, provenance], how="horizontal").sort(
        ["source_file", "source_row", ROW], maintain_order=True
    )
    joined = joined.with_columns(messages.render_messages(joined, lang).alias("message"))
    return joined.select([pl.col(name).cast(dtype) for name, dtype in QUARANTINE_COLUMNS.items()])


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
