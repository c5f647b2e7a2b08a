"""Mapping on distinct values, and the canonical columns of one export while they are built.

Value mapping works on the distinct values of a column (a few dozen labels even in a million
rows) and is then applied by gathering each row's result at its position among those values
(:class:`Codes`), so mapping stays vectorised. :class:`ExportColumns` collects what the column
mappers produce for one export: the column expressions, every row's ingest issues and the
warnings about the file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from outcomes.ingest.canonical.columns import ISSUES_DTYPE, row_issue
from outcomes.ingest.canonical.values import number_key
from outcomes.ingest.readers.base import RawExport
from outcomes.ingest.warning import IngestWarning
from outcomes.privacy import redact
from outcomes.specs import ProjectSpec


@dataclass
class ValueMap:
    """Distinct raw value → mapped value, plus issues for values that did not map."""

    values: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)

    def bad(self, raw: str, rule: str, message: str) -> None:
        """Record that ``raw`` does not map: null, with ``rule`` and ``message``."""
        self.values[raw] = None
        self.rules[raw] = rule
        self.messages[raw] = message


#: rows whose distinct values are tried first when coding a column (see :class:`Codes`)
_HEAD_ROWS = 10_000


def _position_column(column: str) -> str:
    """Return the name under which ``column``'s positions join the export's columns."""
    return f"\x1fposition\x1f{column}"


def _positions(column: str, keys: Sequence[str]) -> pl.Expr:
    """Return each row's position in ``keys`` (null for null and for values not in ``keys``)."""
    if not keys:  # as long as the column, also when every expression of a select is this
        return pl.repeat(None, pl.len(), dtype=pl.UInt32).alias(_position_column(column))
    return (
        pl.col(column)
        .cast(pl.Enum(keys), strict=False)
        .to_physical()
        .alias(_position_column(column))
    )


class Codes:
    """The distinct values of an export's mapped columns, and each row's position among them.

    Mapping works on distinct values (a few dozen labels even in a million rows) and is then
    applied by gathering each row's mapped value at its position. Coding a column costs one
    pass over its strings: the distinct values of the first :data:`_HEAD_ROWS` rows are tried
    first, and a column holding a value not among them (a null position where the raw value
    is not null) is coded again from all its distinct values.
    """

    def __init__(self, frame: pl.DataFrame, columns: Sequence[str]) -> None:
        self.frame = frame
        self.values: dict[str, list[str]] = {}
        self.positions = pl.DataFrame()
        self.add([c for c in dict.fromkeys(columns) if c in frame.columns])

    def add(self, columns: Sequence[str]) -> None:
        """Code ``columns`` (all of them in one parallel pass)."""
        columns = [c for c in columns if c not in self.values]
        if not columns:
            return
        head = self.frame.head(_HEAD_ROWS).select(
            pl.col(c).drop_nulls().unique(maintain_order=True).implode() for c in columns
        )
        tried = {c: list(v) for c, v in zip(columns, head.row(0), strict=True)}
        # many distinct values in the first rows (dates, counts): all rows will add more
        whole = [c for c in columns if len(tried[c]) > _HEAD_ROWS // 10]
        if whole:
            tried.update(self._distinct(whole))
        positions = self.frame.select(_positions(c, tried[c]) for c in columns)
        missed = [
            c
            for c in columns
            if positions.get_column(_position_column(c)).null_count()
            != self.frame.get_column(c).null_count()
        ]
        if missed:
            tried.update(self._distinct(missed))
            positions = positions.with_columns(
                self.frame.select(_positions(c, tried[c]) for c in missed)
            )
        self.values.update(tried)
        self.positions = self.positions.hstack(positions) if self.positions.width else positions

    def _distinct(self, columns: Sequence[str]) -> dict[str, list[str]]:
        row = self.frame.select(pl.col(c).drop_nulls().unique().implode() for c in columns).row(0)
        return {c: list(values) for c, values in zip(columns, row, strict=True)}

    def distinct(self, column: str) -> list[str]:
        """Return the distinct non-null values of ``column`` (coding it when not yet coded)."""
        self.add([column])
        return self.values[column]

    def lookup(self, column: str, values: Mapping[str, Any], dtype: pl.DataType) -> pl.Expr:
        """Return ``column`` mapped through ``values`` (distinct value → result; null for a value
        it does not hold), as an expression on :meth:`frame_with_positions`."""
        keys = self.distinct(column)
        if not keys:
            return pl.lit(None, dtype=dtype)
        results = pl.Series(column, [values.get(k) for k in keys], dtype=dtype)
        return pl.lit(results).gather(pl.col(_position_column(column)))

    def frame_with_positions(self) -> pl.DataFrame:
        """Return the export's columns plus the position columns (no copy)."""
        return self.frame.hstack(self.positions) if self.positions.width else self.frame


def missing_keys(spec: ProjectSpec, raw: RawExport) -> set[str]:
    """Return the :func:`number_key` of every raw value meaning "missing": the spec's
    ``missing_codes`` and the missing codes the file declares (SPSS missing values)."""
    keys = {number_key(str(code)) for code in spec.missing_codes}
    keys |= {number_key(code) for code in raw.missing_codes}
    return keys


def redacted_messages(messages: Mapping[str, str]) -> dict[str, str]:
    """Return ``messages`` with raw values that look like identifiers replaced."""
    redacted: dict[str, str] = {}
    for raw, message in messages.items():
        shown = redact(raw)
        redacted[raw] = message if shown == raw else message.replace(repr(raw), str(shown))
    return redacted


class ExportColumns:
    """The canonical columns of one export while the column mappers build them.

    Holds the export (``raw``, its ``codes``, the file ``name``), the ``spec``, the raw values
    meaning "missing", the column expressions built so far (``columns``), the ingest issues they
    found (``issues``, in the order a row lists them) and the ``warnings`` about the file.
    """

    def __init__(
        self,
        raw: RawExport,
        spec: ProjectSpec,
        codes: Codes,
        name: str,
        warnings: list[IngestWarning],
    ) -> None:
        self.raw = raw
        self.spec = spec
        self.codes = codes
        self.name = name
        self.missing = missing_keys(spec, raw)
        self.columns: list[pl.Expr] = [pl.lit(spec.id, dtype=pl.String).alias("project")]
        self.issues: list[pl.Expr] = []
        self.warnings = warnings

    def report(self, column: str, mapping: ValueMap, target: str) -> None:
        """Add an issue on the rows whose value of ``column`` did not map."""
        if not mapping.rules:
            return
        codes = self.codes
        rule = codes.lookup(column, mapping.rules, pl.String())
        self.issues.append(
            pl.when(rule.is_not_null()).then(
                pl.struct(
                    pl.lit(target, dtype=pl.String).alias("column"),
                    codes.lookup(column, {v: redact(v) for v in mapping.rules}, pl.String()).alias(
                        "value"
                    ),
                    rule.alias("rule"),
                    codes.lookup(column, redacted_messages(mapping.messages), pl.String()).alias(
                        "message"
                    ),
                )
            )
        )

    def apply(self, column: str, mapping: ValueMap, dtype: pl.DataType, target: str) -> pl.Expr:
        """Return ``column`` mapped through ``mapping`` as ``target``; report what did not map."""
        self.report(column, mapping, target)
        return self.codes.lookup(column, mapping.values, dtype).alias(target)

    def row_issue(
        self, condition: pl.Expr, column: str, rule: str, message: str, *, first: bool = False
    ) -> None:
        """Add an issue without a value on the rows where ``condition`` holds; ``first`` lists
        it before every other issue of the row."""
        issue = pl.when(condition).then(row_issue(column, rule, message))
        if first:
            self.issues.insert(0, issue)
        else:
            self.issues.append(issue)

    def warn(self, kind: str, text: str, **fields: str) -> None:
        """Add a warning about the file: ``text`` in English, ``kind`` and ``fields`` for its
        message in other languages."""
        self.warnings.append(IngestWarning(self.name, text, kind, fields))

    def frame(self) -> pl.DataFrame:
        """Return the columns built so far, with ``ingest_issues``, one row per raw row."""
        if self.issues:
            issues = pl.concat_list(self.issues).list.drop_nulls()
        else:
            issues = pl.lit([], dtype=ISSUES_DTYPE)
        return self.codes.frame_with_positions().select(
            *self.columns, issues.alias("ingest_issues")
        )
