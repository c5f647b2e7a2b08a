"""Pandera schemas (polars backend) of the canonical tables, generated from their sources.

Belongs here: the schema of each canonical table — ``responses`` (per project spec), the outcome
``panel``, the ``quarantine`` records and the fixed-effects table of a model result — and the
translation of a schema's checks into polars expressions (:func:`violation_expression`), so that
the fast validation path in :mod:`outcomes.validation.rules` runs exactly the checks the schema
declares. Item ranges and allowed codes come from the instrument registry
(``outcomes.instruments.INSTRUMENTS``), never restated here; which instruments a project uses
comes from its spec.

Each check carries its quarantine rule id in ``Check.title`` (``out_of_range``,
``code_not_allowed``, ``date_implausible``, …); a column's ``metadata["null_rule"]`` names the
rule broken by a missing value in a non-nullable column. Does not belong here: applying the rules
to a frame (``rules.py``), cross-row rules, messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from outcomes.ingest.canonical import META_COLUMNS
from outcomes.ingest.spec import ProjectSpec
from outcomes.instruments.base import Instrument

#: Earliest plausible assessment date (the oldest evaluations in scope started after 2000).
EARLIEST_ASSESSMENT = dt.date(2000, 1, 1)
#: Earliest plausible birth year and the largest plausible age at assessment.
EARLIEST_BIRTH_YEAR = 1900
OLDEST_AGE = 120

GENDERS = ("female", "male", "other")
NETWORK_GROUPS = ("small", "medium", "large")
STATUSES = ("completer", "dropout", "baseline_only")

INGEST_ISSUE_DTYPE = pl.List(
    pl.Struct(
        {"column": pl.Utf8, "value": pl.Utf8, "rule": pl.Utf8, "message": pl.Utf8},
    )
)

#: Non-item columns of the canonical responses frame (docs/contracts: "Canonical responses frame").
RESPONSES_META_COLUMNS = META_COLUMNS
PROVENANCE_COLUMNS = ("source_file", "source_sha256", "source_row")

QUARANTINE_COLUMNS: dict[str, pl.DataType] = {
    "project": pl.Utf8(),
    "source_file": pl.Utf8(),
    "source_row": pl.Int64(),
    "participant_id": pl.Utf8(),
    "wave": pl.Int64(),
    "column": pl.Utf8(),
    "value": pl.Utf8(),
    "rule": pl.Utf8(),
    "message": pl.Utf8(),
}

#: Name of the frame-wide check that at least one item of the spec's instruments is answered.
ANY_ITEM_ANSWERED = "any_item_answered"


def registry() -> Mapping[str, Instrument]:
    """Return ``outcomes.instruments.INSTRUMENTS`` (imported late: it is a heavy package)."""
    from outcomes.instruments import INSTRUMENTS

    return INSTRUMENTS


def spec_instruments(
    spec: ProjectSpec, instruments: Mapping[str, Instrument] | None = None
) -> list[Instrument]:
    """Return the instrument definitions ``spec`` uses, in the spec's order.

    Raises :class:`KeyError` naming the project and the unknown instrument key.
    """
    known = registry() if instruments is None else instruments
    chosen = []
    for key in spec.instruments:
        if key not in known:
            raise KeyError(
                f"project {spec.id!r}: instrument {key!r} is not in the instrument registry "
                f"(known: {', '.join(sorted(known))})"
            )
        chosen.append(known[key])
    return chosen


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def item_checks(instrument: Instrument) -> list[pa.Check]:
    """Return the checks of one item column of ``instrument``.

    Items with answer options must hold one of the option codes (a value outside the codes'
    range breaks ``out_of_range``, a value inside it that is no code — 2.5 — breaks
    ``code_not_allowed``). Count items (no options) must lie in ``instrument.value_range``.
    """
    low, high = instrument.item_range()
    checks = [
        pa.Check.in_range(
            _number(low), _number(high), title="out_of_range", description=instrument.name
        )
    ]
    if instrument.options:
        codes = sorted(float(code) for code in instrument.codes)
        checks.append(pa.Check.isin(codes, title="code_not_allowed", description=instrument.name))
    return checks


def _any_answered_check(columns: Sequence[str]) -> pa.Check:
    def check(data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_any_answered_expression(columns).alias("check_output"))

    return pa.Check(
        check,
        name=ANY_ITEM_ANSWERED,
        title="no_items_answered",
        statistics={"columns": list(columns)},
        description="at least one item of the project's instruments is answered",
    )


def _any_answered_expression(columns: Sequence[str]) -> pl.Expr:
    if not columns:
        return pl.lit(True)
    return pl.any_horizontal(pl.col(c).is_not_null() for c in columns)


def responses_schema(
    spec: ProjectSpec,
    instruments: Mapping[str, Instrument] | None = None,
    *,
    today: dt.date | None = None,
) -> pa.DataFrameSchema:
    """Return the pandera schema of ``responses[spec.id]`` (contracts: canonical responses).

    Generated from the spec's instruments (item columns, ranges, allowed codes) and the
    contract's meta and provenance columns: ``participant_id`` and ``wave`` must be present,
    ``wave`` ≥ 0, ``assessed_on`` between 2000-01-01 and ``today``, ``birth_year`` from 1900 to
    this year, ``age`` 0–120, ``gender`` one of female/male/other, ``completed`` true (false marks
    an incomplete submission), and at least one item of the spec's instruments answered.
    Items of the spec's instruments are required columns; other columns are allowed.
    """
    today = today or dt.date.today()
    used = spec_instruments(spec, instruments)
    columns: dict[str, pa.Column] = {
        "project": pa.Column(pl.Utf8, nullable=False),
        "participant_id": pa.Column(
            pl.Utf8, nullable=False, metadata={"null_rule": "missing_participant_id"}
        ),
        "wave": pa.Column(
            pl.Int64,
            pa.Check.ge(0, title="out_of_range"),
            nullable=False,
            metadata={"null_rule": "missing_wave"},
        ),
        "assessed_on": pa.Column(
            pl.Date,
            pa.Check.in_range(EARLIEST_ASSESSMENT, today, title="date_implausible"),
            nullable=True,
            required=False,
        ),
        "site": pa.Column(pl.Utf8, nullable=True, required=False),
        "arm": pa.Column(pl.Utf8, nullable=True, required=False),
        "gender": pa.Column(
            pl.Utf8,
            pa.Check.isin(list(GENDERS), title="code_not_allowed"),
            nullable=True,
            required=False,
        ),
        "birth_year": pa.Column(
            pl.Int64,
            pa.Check.in_range(EARLIEST_BIRTH_YEAR, today.year, title="out_of_range"),
            nullable=True,
            required=False,
        ),
        "age": pa.Column(
            pl.Int64,
            pa.Check.in_range(0, OLDEST_AGE, title="out_of_range"),
            nullable=True,
            required=False,
        ),
        "completed": pa.Column(
            pl.Boolean,
            pa.Check.eq(True, title="incomplete_submission"),
            nullable=True,
            required=False,
        ),
    }
    item_columns: list[str] = []
    for instrument in used:
        for column in instrument.item_columns:
            columns[column] = pa.Column(
                pl.Float64,
                item_checks(instrument),
                nullable=True,
                metadata={"instrument": instrument.key, "kind": "item"},
            )
            item_columns.append(column)
    columns["source_file"] = pa.Column(pl.Utf8, nullable=False)
    columns["source_sha256"] = pa.Column(pl.Utf8, nullable=True, required=False)
    columns["source_row"] = pa.Column(pl.Int64, pa.Check.ge(1), nullable=False)
    columns["ingest_issues"] = pa.Column(INGEST_ISSUE_DTYPE, nullable=True, required=False)
    return pa.DataFrameSchema(
        columns,
        checks=[_any_answered_check(item_columns)],
        strict=False,
        name=f"responses[{spec.id}]",
        metadata={"project": spec.id, "instruments": [i.key for i in used]},
    )


def _score_columns(instruments: Iterable[Instrument]) -> dict[str, pa.Column]:
    columns: dict[str, pa.Column] = {}
    for instrument in instruments:
        for score in instrument.scores:
            checks = []
            if score.dtype != pl.Boolean:
                checks.append(
                    pa.Check.in_range(
                        _number(score.minimum), _number(score.maximum), title="out_of_range"
                    )
                )
            columns[score.column] = pa.Column(
                score.dtype,
                checks,
                nullable=True,
                metadata={"instrument": instrument.key, "kind": "score"},
            )
    return columns


def panel_schema(instruments: Mapping[str, Instrument] | None = None) -> pa.DataFrameSchema:
    """Return the pandera schema of ``outcome_panel`` (DESIGN.md "Canonical panel columns").

    Every score column of the registry is present (null when a project does not use the
    instrument) and lies in the score's published range; ``wellbeing`` is 0–100;
    ``network_group`` is small/medium/large; ``status`` is completer/dropout/baseline_only.
    """
    known = registry() if instruments is None else instruments

    def nullable(dtype: Any, *checks: pa.Check) -> pa.Column:
        return pa.Column(dtype, list(checks), nullable=True)

    columns: dict[str, pa.Column] = {
        "participant_id": pa.Column(pl.Utf8, nullable=False),
        "project": pa.Column(pl.Utf8, nullable=False),
        "site": nullable(pl.Utf8),
        "arm": nullable(pl.Utf8),
        "wave": pa.Column(pl.Int64, pa.Check.ge(0), nullable=False),
        "assessed_on": nullable(pl.Date),
        "months_since_baseline": nullable(pl.Float64, pa.Check.ge(0)),
        "years": nullable(pl.Float64, pa.Check.ge(0)),
        **_score_columns(known.values()),
        "wellbeing": nullable(pl.Float64, pa.Check.in_range(0, 100)),
        "network_size_bl": nullable(pl.Float64, pa.Check.ge(0)),
        "network_family_bl": nullable(pl.Float64, pa.Check.ge(0)),
        "network_diversity_bl": nullable(pl.Float64, pa.Check.in_range(0, 5)),
        "network_group": nullable(pl.Utf8, pa.Check.isin(list(NETWORK_GROUPS))),
        "age_bl": nullable(pl.Int64, pa.Check.in_range(0, OLDEST_AGE)),
        "gender": nullable(pl.Utf8, pa.Check.isin(list(GENDERS))),
        "status": pa.Column(pl.Utf8, pa.Check.isin(list(STATUSES)), nullable=False),
    }
    return pa.DataFrameSchema(
        columns,
        strict=False,
        unique=["project", "participant_id", "wave"],
        name="outcome_panel",
    )


def quarantine_schema() -> pa.DataFrameSchema:
    """Return the pandera schema of ``quarantined_responses[project]`` (one record per problem).

    ``value`` is the offending value as text (null when the problem is a missing value) and is
    never an identifier; ``participant_id`` is the pseudonym.
    """
    required = {"project", "source_file", "source_row", "rule", "message"}
    columns = {
        name: pa.Column(dtype, nullable=name not in required)
        for name, dtype in QUARANTINE_COLUMNS.items()
    }
    columns["source_row"] = pa.Column(pl.Int64, pa.Check.ge(1), nullable=False)
    columns["message"] = pa.Column(pl.Utf8, pa.Check.str_length(min_value=1), nullable=False)
    return pa.DataFrameSchema(columns, strict=True, ordered=True, name="quarantined_responses")


def model_result_schema() -> pa.DataFrameSchema:
    """Return the pandera schema of a model's fixed-effects table.

    One row per term (``Intercept``, ``years``, ``network_size_bl_c``,
    ``years:network_size_bl_c``, project terms) with ``estimate``, ``se`` ≥ 0, a confidence
    interval with ``ci_low`` ≤ ``estimate`` ≤ ``ci_high`` and ``p`` in [0, 1].
    """

    def ci_brackets_estimate(data: PolarsData) -> pl.LazyFrame:
        estimate, low, high = pl.col("estimate"), pl.col("ci_low"), pl.col("ci_high")
        inside = (low <= estimate) & (estimate <= high)
        return data.lazyframe.select(
            (inside | estimate.is_null() | low.is_null() | high.is_null()).alias("check_output")
        )

    return pa.DataFrameSchema(
        {
            "term": pa.Column(pl.Utf8, nullable=False, unique=True),
            "estimate": pa.Column(pl.Float64, nullable=False),
            "se": pa.Column(pl.Float64, pa.Check.ge(0), nullable=True),
            "ci_low": pa.Column(pl.Float64, nullable=True),
            "ci_high": pa.Column(pl.Float64, nullable=True),
            "p": pa.Column(pl.Float64, pa.Check.in_range(0, 1), nullable=True),
        },
        checks=[pa.Check(ci_brackets_estimate, name="ci_brackets_estimate")],
        strict=False,
        name="fixed_effects",
    )


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
