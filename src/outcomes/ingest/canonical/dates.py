"""Dates and ages: the assessment date, the birth date or year, and the age at assessment.

Dates are read by :func:`~.values.parse_date` (the spec's ``export.date_format`` first; never
month-first). A birth date becomes ``birth_year`` and, with the assessment date, the age in
whole years at assessment; a spec that maps an age column keeps that age. A value that is no
date or no number becomes null plus a ``bad_date`` or ``not_a_number`` issue.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from outcomes.ingest.canonical.coding import ExportColumns, ValueMap
from outcomes.ingest.canonical.values import common_dates, number_key, parse_date, parse_number


def date_map(export: ExportColumns, column: str, target: str) -> ValueMap:
    """Return the date of every distinct raw value of ``column`` (mapped onto ``target``)."""
    date_format = export.spec.export.date_format
    result = ValueMap()
    values = export.codes.distinct(column)
    common = {} if date_format else common_dates(values)
    for value in values:
        parsed = common.get(value) or parse_date(value, date_format)
        if parsed is None and (not value.strip() or number_key(value) in export.missing):
            result.values[value] = None
            continue
        if parsed is None:
            result.bad(
                value,
                "bad_date",
                f"{column} → {target}: {value!r} is not a date"
                + (
                    f" in format {date_format!r}"
                    if date_format
                    else " (expected DD-MM-YYYY or YYYY-MM-DD)"
                ),
            )
        else:
            result.values[value] = parsed
    return result


def _ymd(dates: ValueMap) -> dict[str, int | None]:
    """Return each raw value's date of ``dates`` as the number YYYYMMDD (None when no date)."""
    return {
        raw: date.year * 10_000 + date.month * 100 + date.day if date is not None else None
        for raw, date in dates.values.items()
    }


def _integer_map(export: ExportColumns, column: str, target: str) -> ValueMap:
    result = ValueMap()
    for value in export.codes.distinct(column):
        if not value.strip() or number_key(value) in export.missing:
            result.values[value] = None
            continue
        number = parse_number(value, None)
        if number is None:
            result.bad(value, "not_a_number", f"{column} → {target}: {value!r} is not a number")
        else:
            result.values[value] = int(number)
    return result


def map_assessed_on(export: ExportColumns, column: str | None) -> tuple[pl.Expr, pl.Expr | None]:
    """Return the ``assessed_on`` column read from the export column ``column`` (empty without
    one), and the same dates as YYYYMMDD numbers for the age at assessment (None without)."""
    if not column:
        return pl.lit(None, dtype=pl.Date).alias("assessed_on"), None
    assessed = date_map(export, column, "assessed_on")
    return (
        export.apply(column, assessed, pl.Date(), "assessed_on"),
        export.codes.lookup(column, _ymd(assessed), pl.Int64()),
    )


def map_birth_and_age(
    export: ExportColumns, columns: Mapping[str, str], assessed_ymd: pl.Expr | None
) -> tuple[pl.Expr, pl.Expr]:
    """Return the ``birth_year`` and ``age`` columns from the export columns ``columns`` maps
    ``birth_date``, ``birth_year`` and ``age`` to.

    ``birth_year`` comes from the birth date, else the birth-year column. ``age`` is the mapped
    age column, else the whole years between birth date and assessment, else the assessment
    year minus the birth year. With dates as YYYYMMDD numbers the whole years between two dates
    are their difference // 10000 (the month-day part decides whether the birthday has passed).
    """
    born_ymd: pl.Expr | None = None
    birth_date, birth_year_column, age_column = (
        columns.get("birth_date"),
        columns.get("birth_year"),
        columns.get("age"),
    )
    if birth_date:
        born = date_map(export, birth_date, "birth_date")
        export.report(birth_date, born, "birth_date")
        born_ymd = export.codes.lookup(birth_date, _ymd(born), pl.Int64())
        birth_year = born_ymd // 10_000
    elif birth_year_column:
        birth_year = export.apply(
            birth_year_column,
            _integer_map(export, birth_year_column, "birth_year"),
            pl.Int64(),
            "birth_year",
        )
    else:
        birth_year = pl.lit(None, dtype=pl.Int64)
    if age_column:
        age = export.apply(age_column, _integer_map(export, age_column, "age"), pl.Int64(), "age")
    elif assessed_ymd is not None and born_ymd is not None:
        age = (assessed_ymd - born_ymd) // 10_000
    elif assessed_ymd is not None and birth_year_column:
        age = assessed_ymd // 10_000 - birth_year
    else:
        age = pl.lit(None, dtype=pl.Int64)
    return birth_year.alias("birth_year"), age.alias("age")
