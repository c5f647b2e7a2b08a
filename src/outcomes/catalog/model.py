"""The shape of a catalog entry: tables, columns, constraints, and their plain-Python description.

A :class:`Table` lists its columns in order. Most are :class:`Column` declarations; two
placeholders stand for columns the instrument registry defines — :class:`InstrumentItems` (the
item columns of a project's instruments) and :class:`InstrumentScores` (their score columns) —
and are expanded from the registry, so item codes, item ranges and score ranges are never
restated (docs/architecture.md, "Catalog").

A constraint that names a quarantine ``rule`` is a rule validation enforces on the responses of
a project: the ingested ``responses`` table may break it (those rows go to quarantine), every
table after validation may not. A constraint without a rule is a guarantee of the stage that
writes the table.

Belongs here: the declaration types and their expansion against the registry and a project
spec, and :func:`describe` — a column-schema description in plain Python that the Dagster layer
turns into ``TableSchema`` metadata. Does not belong here: the tables themselves
(:mod:`outcomes.catalog.tables`), pandera (``outcomes.validation.schemas``), Dagster.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

if TYPE_CHECKING:
    from outcomes.instruments.base import Instrument, Item, Score
    from outcomes.specs import ProjectSpec


class CatalogError(KeyError):
    """A table, column or instrument the caller named is not in the catalog or the registry."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class Bound(enum.Enum):
    """A bound that depends on the day a check runs."""

    TODAY = "today"
    THIS_YEAR = "this year"

    def on(self, today: dt.date) -> dt.date | int:
        """Return the bound's value on ``today``."""
        return today if self is Bound.TODAY else today.year


Limit = int | float | dt.date | Bound


@dataclass(frozen=True)
class Range:
    """``low ≤ value ≤ high``; a bound left out leaves that side open."""

    low: Limit | None = None
    high: Limit | None = None
    rule: str | None = None

    def on(self, today: dt.date) -> Range:
        """Return the range with day-dependent bounds fixed to ``today``."""
        low = self.low.on(today) if isinstance(self.low, Bound) else self.low
        high = self.high.on(today) if isinstance(self.high, Bound) else self.high
        return replace(self, low=low, high=high)


@dataclass(frozen=True)
class ScoreRange:
    """The published range of the registry's score column ``score`` (for values derived from a
    score, such as its baseline value)."""

    score: str
    rule: str | None = None


@dataclass(frozen=True)
class OneOf:
    """The value is one of ``values``."""

    values: tuple[Any, ...]
    rule: str | None = None


@dataclass(frozen=True)
class Equals:
    """The value equals ``value``."""

    value: Any
    rule: str | None = None


@dataclass(frozen=True)
class NotEmpty:
    """Text of at least one character."""

    rule: str | None = None


Constraint = Range | ScoreRange | OneOf | Equals | NotEmpty


@dataclass(frozen=True)
class Column:
    """One column: name, polars type, descriptions in English and Dutch, and what it may hold.

    ``required=False``: a frame without the column is still valid (a project spec need not map
    it). ``null_rule``: the quarantine rule a missing value breaks in a non-nullable column.
    ``instrument`` and ``kind`` (``"item"`` or ``"score"``) mark columns the registry defines.
    """

    name: str
    dtype: pl.DataType
    en: str
    nl: str
    nullable: bool = True
    required: bool = True
    constraints: tuple[Constraint, ...] = ()
    null_rule: str | None = None
    instrument: str | None = None
    kind: str | None = None

    def but(self, **changes: Any) -> Column:
        """Return this column with ``changes`` (a table that holds it differently)."""
        return replace(self, **changes)

    @property
    def type_name(self) -> str:
        """Return the polars type as text (``String``, ``Int64``, ``List(Struct(...))``)."""
        return str(self.dtype)

    def description(self, lang: str = "en") -> str:
        """Return the description in ``lang`` (``"nl"`` or ``"en"``)."""
        return self.nl if lang == "nl" else self.en


Scope = Literal["spec", "registry"]


@dataclass(frozen=True)
class InstrumentItems:
    """The item columns of the project's instruments (``scope="spec"``) or of every instrument
    in the registry, as the instrument definitions declare them."""

    scope: Scope = "spec"


@dataclass(frozen=True)
class InstrumentScores:
    """The score columns of the project's instruments (``scope="spec"``) or of every instrument
    in the registry passed to :meth:`Table.columns` (the pipeline passes the instruments its
    projects use, :func:`instruments_in_use`)."""

    scope: Scope = "spec"


Entry = Column | InstrumentItems | InstrumentScores


@dataclass(frozen=True)
class AnyItemAnswered:
    """A row answers at least one item of the project's instruments."""

    rule: str | None = "no_items_answered"


@dataclass(frozen=True)
class Table:
    """A warehouse table: ``warehouse/<name>.parquet``, or ``warehouse/<name>/<project>.parquet``
    when ``per_project``.

    ``rules_enforced=False``: the table holds rows as delivered, so constraints that name a
    quarantine rule are validation's to enforce, not this table's. ``strict``: no column beyond
    the declared ones; ``ordered``: in the declared order.
    """

    name: str
    en: str
    nl: str
    entries: tuple[Entry, ...]
    primary_key: tuple[str, ...] = ()
    per_project: bool = False
    rules_enforced: bool = True
    row_rules: tuple[AnyItemAnswered, ...] = ()
    strict: bool = True
    ordered: bool = False

    def description(self, lang: str = "en") -> str:
        """Return the table's description in ``lang`` (``"nl"`` or ``"en"``)."""
        return self.nl if lang == "nl" else self.en

    @property
    def needs_spec(self) -> bool:
        """Return True when the columns follow a project's instruments (a spec is needed)."""
        return any(
            isinstance(entry, InstrumentItems | InstrumentScores) and entry.scope == "spec"
            for entry in self.entries
        )

    @property
    def declared(self) -> tuple[Column, ...]:
        """Return the columns declared here (not the registry's item and score columns)."""
        return tuple(entry for entry in self.entries if isinstance(entry, Column))

    def columns(
        self,
        spec: ProjectSpec | None = None,
        instruments: Mapping[str, Instrument] | None = None,
    ) -> tuple[Column, ...]:
        """Return every column in order, item and score columns expanded.

        Item and score columns of scope ``"spec"`` come from ``spec``'s instruments; without a
        spec, from every instrument of ``instruments`` (default: the registry), which describes
        any project's table. Raises :class:`CatalogError` for an instrument the registry lacks.
        """
        known = registry() if instruments is None else instruments
        used = spec_instruments(spec, known) if spec is not None else list(known.values())
        columns: list[Column] = []
        for entry in self.entries:
            if isinstance(entry, Column):
                columns.append(entry)
                continue
            chosen = used if entry.scope == "spec" else list(known.values())
            for instrument in chosen:
                if isinstance(entry, InstrumentItems):
                    columns += [item_column(instrument, item) for item in instrument.items]
                else:
                    columns += [score_column(instrument, score) for score in instrument.scores]
        return tuple(columns)

    def column(self, name: str, instruments: Mapping[str, Instrument] | None = None) -> Column:
        """Return column ``name`` (any project's); raise :class:`CatalogError` naming the table."""
        for column in self.columns(instruments=instruments):
            if column.name == name:
                return column
        raise CatalogError(f"table {self.name!r} declares no column {name!r}")

    def split_at_scores(self) -> tuple[tuple[Column, ...], tuple[Column, ...]]:
        """Return the declared columns before and after the score columns."""
        for position, entry in enumerate(self.entries):
            if isinstance(entry, InstrumentScores):
                before, after = self.entries[:position], self.entries[position + 1 :]
                return (
                    tuple(e for e in before if isinstance(e, Column)),
                    tuple(e for e in after if isinstance(e, Column)),
                )
        return self.declared, ()


def registry() -> Mapping[str, Instrument]:
    """Return ``outcomes.instruments.INSTRUMENTS`` (imported late: it is a heavy package)."""
    from outcomes.instruments import INSTRUMENTS

    return INSTRUMENTS


def instruments_in_use(
    specs: Iterable[ProjectSpec], instruments: Mapping[str, Instrument] | None = None
) -> dict[str, Instrument]:
    """Return the instruments any of ``specs`` uses, in registry order (key → definition).

    The panel and its codebook carry the score columns of these instruments only, so a library
    of many instruments does not widen a warehouse whose projects use a few
    (docs/architecture.md, "Catalog"). Raises :class:`CatalogError` for an unknown key.
    """
    known = registry() if instruments is None else instruments
    used = {instrument.key for spec in specs for instrument in spec_instruments(spec, known)}
    return {key: instrument for key, instrument in known.items() if key in used}


def spec_instruments(
    spec: ProjectSpec, instruments: Mapping[str, Instrument] | None = None
) -> list[Instrument]:
    """Return the instrument definitions ``spec`` uses, in the spec's order.

    Raises :class:`CatalogError` (a :class:`KeyError`) naming the project and the unknown
    instrument key.
    """
    known = registry() if instruments is None else instruments
    chosen = []
    for key in spec.instruments:
        if key not in known:
            raise CatalogError(
                f"project {spec.id!r}: instrument {key!r} is not in the instrument registry "
                f"(known: {', '.join(sorted(known))})"
            )
        chosen.append(known[key])
    return chosen


def number(value: float) -> int | float:
    """Return ``value`` as an int when it is whole (``6.0`` → ``6``), else as a float."""
    return int(value) if float(value).is_integer() else float(value)


def item_column(instrument: Instrument, item: Item) -> Column:
    """Return the column of one item of ``instrument``.

    Items with answer options hold one of the option codes (a value outside the codes' range
    breaks ``out_of_range``, one inside it that is no code — 2.5 — breaks ``code_not_allowed``);
    count items (no options) lie in ``instrument.value_range``.
    """
    low, high = instrument.item_range()
    constraints: list[Constraint] = [Range(number(low), number(high), rule="out_of_range")]
    if instrument.options:
        codes = tuple(sorted(float(code) for code in instrument.codes))
        constraints.append(OneOf(codes, rule="code_not_allowed"))
    name_nl = instrument.name_nl or instrument.name
    return Column(
        item.column,
        pl.Float64(),
        f"{instrument.name}: {item.text_en}",
        f"{name_nl}: {item.text_nl}",
        constraints=tuple(constraints),
        instrument=instrument.key,
        kind="item",
    )


def score_column(instrument: Instrument, score: Score) -> Column:
    """Return the column of one score of ``instrument``: its type and published range
    (flags have no range)."""
    constraints: tuple[Constraint, ...] = ()
    if score.dtype != pl.Boolean:
        constraints = (Range(number(score.minimum), number(score.maximum), rule="out_of_range"),)
    return Column(
        score.column,
        score.dtype(),
        score.label_en,
        score.label_nl,
        constraints=constraints,
        instrument=instrument.key,
        kind="score",
    )


def score_range(
    constraint: ScoreRange, instruments: Mapping[str, Instrument] | None = None
) -> Range:
    """Return the published range of ``constraint.score`` from the registry as a :class:`Range`.

    Raises :class:`CatalogError` when no instrument has that score column.
    """
    known = registry() if instruments is None else instruments
    for instrument in known.values():
        for score in instrument.scores:
            if score.column == constraint.score:
                return Range(number(score.minimum), number(score.maximum), constraint.rule)
    raise CatalogError(
        f"no instrument in the registry has a score column {constraint.score!r} "
        f"(instruments: {', '.join(known)})"
    )


# --------------------------------------------------------------------------- description


@dataclass(frozen=True)
class ColumnDescription:
    """A column as the Dagster UI shows it: type, description, nullability, constraints."""

    name: str
    type: str
    description: str
    nullable: bool
    unique: bool
    constraints: tuple[str, ...]


@dataclass(frozen=True)
class TableDescription:
    """A table's column schema and primary key in plain Python."""

    name: str
    description: str
    columns: tuple[ColumnDescription, ...]
    primary_key: tuple[str, ...]


def _limit_text(value: Any) -> str:
    if isinstance(value, Bound):
        return value.value
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def constraint_text(
    constraint: Constraint, instruments: Mapping[str, Instrument] | None = None
) -> str:
    """Return a constraint in words: ``1 ≤ value ≤ 6``, ``≥ 0``, ``one of: small, medium``."""
    if isinstance(constraint, ScoreRange):
        constraint = score_range(constraint, instruments)
    if isinstance(constraint, OneOf):
        return "one of: " + ", ".join(_limit_text(v) for v in constraint.values)
    if isinstance(constraint, Equals):
        return f"= {constraint.value}"
    if isinstance(constraint, NotEmpty):
        return "not empty"
    low, high = constraint.low, constraint.high
    if low is not None and high is not None:
        return f"{_limit_text(low)} ≤ value ≤ {_limit_text(high)}"
    return f"≥ {_limit_text(low)}" if low is not None else f"≤ {_limit_text(high)}"


def enforced(constraint: Constraint | AnyItemAnswered, rules_enforced: bool) -> bool:
    """Return True when a table guarantees ``constraint``: it has no quarantine rule, or the
    table enforces the rules (``Table.rules_enforced``)."""
    return rules_enforced or constraint.rule is None


def nullable_in(column: Column, rules_enforced: bool) -> bool:
    """Return True when a table may hold a missing value in ``column``: the column is
    nullable, or a missing value breaks a quarantine rule the table does not enforce."""
    return column.nullable or (not rules_enforced and column.null_rule is not None)


def describe(
    table: Table,
    present: Sequence[str] | None = None,
    *,
    spec: ProjectSpec | None = None,
    lang: str = "en",
    instruments: Mapping[str, Instrument] | None = None,
) -> TableDescription:
    """Return the column schema of ``table`` in plain Python.

    ``present``: the columns of a materialized file, described in that order (a column the
    catalog does not declare gets type ``"undeclared"``); default: every column of ``spec``'s
    table, or of any project's when ``spec`` is None.
    """
    columns = {c.name: c for c in table.columns(spec, instruments)}
    names = list(present) if present is not None else list(columns)
    key = table.primary_key
    described = []
    for name in names:
        column = columns.get(name)
        if column is None:
            undeclared = "not declared in the catalog"
            described.append(ColumnDescription(name, "undeclared", undeclared, True, False, ()))
            continue
        described.append(
            ColumnDescription(
                name=name,
                type=column.type_name,
                description=column.description(lang),
                nullable=nullable_in(column, table.rules_enforced),
                unique=key == (name,),
                constraints=tuple(
                    constraint_text(c, instruments)
                    for c in column.constraints
                    if enforced(c, table.rules_enforced)
                ),
            )
        )
    return TableDescription(table.name, table.description(lang), tuple(described), key)
