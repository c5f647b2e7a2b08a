"""Pandera schemas (polars backend) of the warehouse tables, generated from the catalog.

Belongs here: turning a table of the catalog (:mod:`outcomes.catalog`) into a pandera schema —
:func:`table_schema` for any warehouse table, :func:`responses_schema` for the schema of record
validation applies to a project's responses — and the translation of a schema's checks into
polars expressions (:func:`violation_expression`), so that the fast validation path in
:mod:`outcomes.validation.rules` runs exactly the checks the schema declares. Columns, types,
allowed values and ranges are the catalog's; item and score ranges come from the instrument
registry through it (docs/architecture.md, "Catalog").

Each check that stands for a quarantine rule carries the rule id in ``Check.title``
(``out_of_range``, ``code_not_allowed``, ``date_implausible``, …); a column's
``metadata["null_rule"]`` names the rule broken by a missing value in a non-nullable column.
Does not belong here: applying the rules to a frame (``rules.py``), cross-row rules, messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from outcomes import catalog
from outcomes.catalog.model import (
    Column,
    Constraint,
    Equals,
    NotEmpty,
    OneOf,
    Range,
    ScoreRange,
    Table,
    enforced,
    nullable_in,
    score_range,
    spec_instruments,
)
from outcomes.instruments.base import Instrument
from outcomes.specs import ProjectSpec

__all__ = [
    "ANY_ITEM_ANSWERED",
    "QUARANTINE_COLUMNS",
    "panel_schema",
    "quarantine_schema",
    "responses_schema",
    "spec_instruments",
    "table_schema",
    "violation_expression",
]

#: Columns and types of a quarantine record (``quarantined_responses``), in order.
QUARANTINE_COLUMNS: dict[str, pl.DataType] = {
    column.name: column.dtype for column in catalog.table("quarantined_responses").declared
}

#: Name of the frame-wide check that at least one item of the spec's instruments is answered.
ANY_ITEM_ANSWERED = "any_item_answered"


def _any_answered_check(columns: Sequence[str], rule: str | None) -> pa.Check:
    def check(data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_any_answered_expression(columns).alias("check_output"))

    return pa.Check(
        check,
        name=ANY_ITEM_ANSWERED,
        title=rule,
        statistics={"columns": list(columns)},
        description="at least one item of the project's instruments is answered",
    )


def _any_answered_expression(columns: Sequence[str]) -> pl.Expr:
    if not columns:
        return pl.lit(True)
    return pl.any_horizontal(pl.col(c).is_not_null() for c in columns)


def pandera_check(
    constraint: Constraint,
    today: dt.date,
    instruments: Mapping[str, Instrument] | None = None,
) -> pa.Check:
    """Return the pandera check of one catalog constraint, its quarantine rule as title.

    A :class:`~outcomes.catalog.Range` with both bounds is ``in_range``, with one bound ``ge`` or
    ``le``; day-dependent bounds are fixed to ``today``; a score's range comes from the registry.
    """
    if isinstance(constraint, ScoreRange):
        constraint = score_range(constraint, instruments)
    if isinstance(constraint, Range):
        fixed = constraint.on(today)
        if fixed.low is not None and fixed.high is not None:
            return pa.Check.in_range(fixed.low, fixed.high, title=fixed.rule)
        if fixed.low is not None:
            return pa.Check.ge(fixed.low, title=fixed.rule)
        return pa.Check.le(fixed.high, title=fixed.rule)
    if isinstance(constraint, OneOf):
        return pa.Check.isin(list(constraint.values), title=constraint.rule)
    if isinstance(constraint, Equals):
        return pa.Check.eq(constraint.value, title=constraint.rule)
    if isinstance(constraint, NotEmpty):
        return pa.Check.str_length(min_value=1, title=constraint.rule)
    raise TypeError(f"no pandera check for catalog constraint {constraint!r}")


def _metadata(column: Column) -> dict[str, Any] | None:
    metadata = {
        key: value
        for key, value in (
            ("null_rule", column.null_rule),
            ("instrument", column.instrument),
            ("kind", column.kind),
        )
        if value is not None
    }
    return metadata or None


def _schema(
    table: Table,
    columns: Sequence[Column],
    *,
    today: dt.date,
    instruments: Mapping[str, Instrument] | None,
    name: str,
    rules: bool,
    unique: bool,
    strict: bool,
    metadata: dict[str, Any] | None = None,
) -> pa.DataFrameSchema:
    """Return the pandera schema of ``columns`` of ``table``.

    ``rules``: enforce the constraints that name a quarantine rule (and the non-null columns
    with a ``null_rule``); ``unique``: the primary key must be unique.
    """
    schema_columns = {
        column.name: pa.Column(
            column.dtype,
            [
                pandera_check(c, today, instruments)
                for c in column.constraints
                if enforced(c, rules)
            ],
            nullable=nullable_in(column, rules),
            required=column.required,
            metadata=_metadata(column),
        )
        for column in columns
    }
    items = [c.name for c in columns if c.kind == "item"]
    # a spec without instruments has no items: its rows stand on their own columns
    checks = [
        _any_answered_check(items, rule.rule)
        for rule in table.row_rules
        if items and enforced(rule, rules)
    ]
    return pa.DataFrameSchema(
        schema_columns,
        checks=checks,
        strict=strict,
        ordered=table.ordered,
        unique=list(table.primary_key) if unique and table.primary_key else None,
        name=name,
        metadata=metadata,
    )


def table_schema(
    table: str | Table,
    spec: ProjectSpec | None = None,
    instruments: Mapping[str, Instrument] | None = None,
    *,
    today: dt.date | None = None,
) -> pa.DataFrameSchema:
    """Return the pandera schema of warehouse table ``table`` as the catalog declares it.

    Every declared column with its type and nullability, its allowed values and ranges (day-
    dependent bounds on ``today``), item and score columns from ``spec``'s instruments, the
    primary key unique and, when the table is strict, no other column (docs/architecture.md,
    "Catalog"). A table whose columns follow a project's instruments needs that project's
    ``spec``; without one, a :class:`ValueError` says so.
    """
    entry = catalog.table(table) if isinstance(table, str) else table
    if entry.needs_spec and spec is None:
        raise ValueError(
            f"{entry.name}: its columns follow a project's instruments; pass the project's spec"
        )
    return _schema(
        entry,
        entry.columns(spec, instruments),
        today=today or dt.date.today(),
        instruments=instruments,
        name=f"{entry.name}[{spec.id}]" if spec is not None else entry.name,
        rules=entry.rules_enforced,
        unique=True,
        strict=entry.strict,
        metadata=({"project": spec.id, "instruments": list(spec.instruments)} if spec else None),
    )


def responses_schema(
    spec: ProjectSpec,
    instruments: Mapping[str, Instrument] | None = None,
    *,
    today: dt.date | None = None,
) -> pa.DataFrameSchema:
    """Return the schema of record of validation: ``responses[spec.id]`` with every quarantine
    rule of the catalog enforced (docs/architecture.md, "Catalog").

    ``participant_id`` and ``wave`` must be present, ``wave`` ≥ 0, ``assessed_on`` between
    2000-01-01 and ``today``, ``birth_year`` from 1900 to this year, ``age`` 0–120, ``gender``
    one of female/male/other, ``completed`` true (false marks an incomplete submission), items
    hold their instrument's codes and ranges, and at least one item of the spec's instruments
    is answered (a spec without instruments has no such rule: docs/architecture.md, "Specs
    without instruments and single measurements"). Items of the spec's instruments are required
    columns; other columns are allowed, and duplicates are the cross-row rules' concern
    (``rules.py``), not the schema's.
    """
    table = catalog.table("responses")
    return _schema(
        table,
        table.columns(spec, instruments),
        today=today or dt.date.today(),
        instruments=instruments,
        name=f"responses[{spec.id}]",
        rules=True,
        unique=False,
        strict=False,
        metadata={"project": spec.id, "instruments": list(spec.instruments)},
    )


def panel_schema(instruments: Mapping[str, Instrument] | None = None) -> pa.DataFrameSchema:
    """Return the pandera schema of ``outcome_panel`` (:func:`table_schema`; the score columns
    of every instrument in ``instruments``, default the registry)."""
    return table_schema("outcome_panel", instruments=instruments)


def quarantine_schema() -> pa.DataFrameSchema:
    """Return the pandera schema of ``quarantined_responses`` (:func:`table_schema`): one record
    per problem, the catalog's columns in order and no other."""
    return table_schema("quarantined_responses")


def violation_expression(column: str, check: pa.Check) -> pl.Expr:
    """Return a boolean expression that is true where ``column`` breaks ``check``.

    Covers the built-in checks the schemas above use (``in_range``, ``isin``,
    ``greater_than_or_equal_to``, ``less_than_or_equal_to``, ``equal_to``) and
    :data:`ANY_ITEM_ANSWERED`, reading bounds from ``check.statistics`` — the same numbers pandera
    checks. Missing values never break a value check (pandera's ``ignore_na``).
    """
    stats = check.statistics or {}
    value = pl.col(column)
    if check.name == ANY_ITEM_ANSWERED:
        return ~_any_answered_expression(stats["columns"])
    if check.name == "in_range":
        low, high = stats["min_value"], stats["max_value"]
        below = value < low if stats.get("include_min", True) else value <= low
        above = value > high if stats.get("include_max", True) else value >= high
        broken = below | above
    elif check.name == "isin":
        broken = ~value.is_in(list(stats["allowed_values"]))
    elif check.name == "greater_than_or_equal_to":
        broken = value < stats["min_value"]
    elif check.name == "less_than_or_equal_to":
        broken = value > stats["max_value"]
    elif check.name == "equal_to":
        broken = value != stats["value"]
    else:
        raise NotImplementedError(f"no polars expression for check {check.name!r} on {column!r}")
    return broken.fill_null(False)
