"""Row rules: what one row of a project's responses breaks on its own.

The rules come from the pandera schema of the project (:func:`~.schemas.responses_schema`):
types, ranges and allowed codes of every column, ``participant_id`` and ``wave`` present, at
least one item answered, ``completed`` not false; plus every ``ingest_issues`` entry. They are
evaluated as polars expressions generated from the schema's checks (see
``violation_expression``): one screening pass finds the rows that break any rule
(:func:`broken_rows`), and which rules those rows break is evaluated on them alone
(:func:`row_records`). :func:`pandera_records` finds the same records with pandera's lazy
validation (the reference engine).

Every rule gives records of the columns of :data:`RECORD_SCHEMA`: the row number (:data:`ROW`),
the column, the value as a data manager reads it, the rule and what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandera.polars as pa
import polars as pl

from outcomes.language import word
from outcomes.validation import messages
from outcomes.validation.schemas import violation_expression

#: the row number a record refers to (the row's position in the validated frame)
ROW = "__row"
RECORD_SCHEMA: dict[str, pl.DataType] = {
    ROW: pl.UInt32(),
    "column": pl.Utf8(),
    "value": pl.Utf8(),
    "rule": pl.Utf8(),
    "expected": pl.Utf8(),
}

#: (column, rule, expected, violation expression, screened) of one row rule
RowCheck = tuple[str | None, str, str, pl.Expr, bool]


def empty_records() -> pl.DataFrame:
    """Return a frame of no records."""
    return pl.DataFrame(schema=RECORD_SCHEMA)


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


def conform_types(
    frame: pl.DataFrame, schema: pa.DataFrameSchema, lang: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return ``frame`` with schema columns cast to their types, and ``wrong_type`` records.

    A value that cannot be read as the column's type (text in a number column, 2.5 in a
    whole-number column) becomes null and gets a record.
    """
    records = [empty_records()]
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
                    pl.lit(word(str(target.base_type()), lang)).alias("expected"),
                )
            )
        frame = frame.with_columns(converted["cast"].alias(name))
    return frame, pl.concat(records)


def row_checks(
    frame: pl.DataFrame, schema: pa.DataFrameSchema, lang: str, item_names: str
) -> list[RowCheck]:
    """Return (column, rule, expected, violation expression, screened) for every row rule of
    ``schema``.

    ``screened`` is False for a range check that the column's allowed-codes check already
    covers (every allowed code lies in the range, so a value out of range is no allowed code
    either): finding the rows that break any rule can skip it."""
    checks: list[RowCheck] = []
    for name, column in schema.columns.items():
        if name not in frame.columns:
            continue
        null_rule = (column.metadata or {}).get("null_rule")
        if not column.nullable and null_rule:
            expected = word("wave_expected", lang) if name == "wave" else ""
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


def broken_rows(frame: pl.DataFrame, checks: list[RowCheck]) -> tuple[pl.Series, list[bool]]:
    """Return a boolean series, True where a row breaks at least one of ``checks``, and for
    each check whether any row can break it.

    One pass over all rows with the screened checks (see :func:`row_checks`). A check left
    out of that pass (a range check the column's allowed-codes check covers) can only be
    broken where a screened check of its column is. Which checks a row breaks is evaluated
    afterwards on the rows found (:func:`row_records`).
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


def row_records(
    frame: pl.DataFrame,
    checks: list[RowCheck],
    broken: pl.Series,
    possible: list[bool],
) -> pl.DataFrame:
    """Return one record per (row, broken check) for the rows ``broken`` marks, evaluating the
    checks ``possible`` marks on the columns they read."""
    if not any(possible) or frame.height == 0:
        return empty_records()
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
    records = [empty_records()]
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


def pandera_records(
    frame: pl.DataFrame, schema: pa.DataFrameSchema, lang: str, item_names: str
) -> pl.DataFrame:
    """Return the row records as pandera's lazy validation finds them (reference engine)."""
    try:
        schema.validate(frame.drop("ingest_issues", strict=False), lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases.filter(pl.col("index").is_not_null())
    else:
        return empty_records()
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
            expected = word("wave_expected", lang) if column_name == "wave" else ""
            rows.append((case["index"], column_name, None, rule, expected))
            continue
        check = column.checks[case["check_number"]]
        expected = messages.expected_text(check.name, check.statistics or {}, lang)
        rows.append((case["index"], column_name, "", check.title or "out_of_range", expected))
    records = pl.DataFrame(rows, schema=RECORD_SCHEMA, orient="row")
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


def ingest_records(frame: pl.DataFrame) -> pl.DataFrame:
    """Return one record per ``ingest_issues`` entry; ingest's message becomes ``expected``."""
    if "ingest_issues" not in frame.columns:
        return empty_records()
    issues = frame.select(ROW, "ingest_issues").filter(pl.col("ingest_issues").list.len() > 0)
    if issues.height == 0:
        return empty_records()
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


def prune_row_records(
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
