"""Reading one raw text value: numbers (decimal commas), answer-label keys, dates, waves.

Pure functions of a value and the spec's options; the column mappers apply them to the distinct
values of a column (see :mod:`.coding`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from outcomes.instruments.base import normalise_label

_DUTCH_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januari", "jan"),
            ("februari", "feb"),
            ("maart", "mrt", "mar"),
            ("april", "apr"),
            ("mei",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("augustus", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_COMMA_NUMBER = re.compile(r"^[+-]?\d+,\d+$")


def parse_number(text: str, decimal_comma: bool | None) -> float | None:
    """Return ``text`` as a float, else None.

    ``decimal_comma``: True reads ``3,5`` as 3.5 (and ``.`` as a decimal point too); None
    (spec silent) detects it the same way; False treats a comma as not a number.
    """
    value = text.strip()
    if decimal_comma is not False and _COMMA_NUMBER.match(value):
        value = value.replace(",", ".")
    if not _NUMBER.match(value):
        return None
    return float(value)


def number_key(text: str) -> str:
    """Return a comparison key: numbers as their shortest text (``"9.0"`` → ``"9"``), labels
    normalised (lower case, white space collapsed)."""
    number = parse_number(text, None)
    if number is not None:
        return str(int(number)) if number.is_integer() else repr(number)
    return normalise_label(text)


def normalised_labels(labels: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``labels`` (raw label → code) keyed by :func:`number_key` of each label."""
    return {number_key(str(raw)): value for raw, value in labels.items()}


def as_code(value: Any) -> float | None:
    """Return a code a spec's ``value_labels`` gives as a float (None when it is no number)."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return parse_number(str(value), None)


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_ISO_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?: .*)?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T].*)?$")
_DUTCH_TEXT = re.compile(r"^(\d{1,2})[ -]([a-z]+)\.?[ -](\d{4})$")
_SERIAL = re.compile(r"^\d{4,5}(\.\d+)?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(text: str, date_format: str | None = None) -> dt.date | None:
    """Return the date in ``text``, else None.

    Tries the spec's ``date_format`` (strptime), then ISO ``YYYY-MM-DD`` (with or without a
    time), ``YYYY/MM/DD``, Dutch ``DD-MM-YYYY``/``D-M-YYYY`` (also with / or .), ``1 maart
    2024``, and Excel date serials (days since 1899-12-30, the 1900 date system).
    Month-first (US) dates are never guessed.
    """
    value = text.strip()
    if not value:
        return None
    if date_format:
        try:
            return dt.datetime.strptime(value, date_format).date()
        except ValueError:
            pass
    for pattern, order in ((_ISO, "ymd"), (_ISO_SLASH, "ymd"), (_DMY, "dmy")):
        match = pattern.match(value)
        if match:
            a, b, c = (int(g) for g in match.groups()[:3])
            year, month, day = (a, b, c) if order == "ymd" else (c, b, a)
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    match = _DUTCH_TEXT.match(value.lower())
    if match and match.group(2) in _DUTCH_MONTHS:
        try:
            return dt.date(int(match.group(3)), _DUTCH_MONTHS[match.group(2)], int(match.group(1)))
        except ValueError:
            return None
    if _SERIAL.match(value):
        serial = float(value)
        if 1 <= serial < 2958466:
            return EXCEL_EPOCH + dt.timedelta(days=int(serial))
    return None


def common_dates(values: Sequence[str]) -> dict[str, dt.date]:
    """Return the dates among ``values`` written exactly as ``DD-MM-YYYY`` or ``YYYY-MM-DD``
    (two-digit day and month), parsed by polars in one pass; every other value, and any
    impossible date, is left out for :func:`parse_date`, which reads them the same way.

    Exports hold tens of thousands of distinct dates (birth dates); this is the fast path.
    """
    if not values:
        return {}
    text = pl.Series("value", values, dtype=pl.String)
    parsed = pl.select(
        pl.when(text.str.contains(r"^\d{2}-\d{2}-\d{4}$"))
        .then(text.str.to_date("%d-%m-%Y", strict=False))
        .when(text.str.contains(r"^\d{4}-\d{2}-\d{2}$"))
        .then(text.str.to_date("%Y-%m-%d", strict=False))
        .alias("date")
    ).to_series()
    return {
        value: date
        for value, date in zip(values, parsed.to_list(), strict=True)
        if date is not None
    }


_WAVE_PATTERN = re.compile(
    r"^(?:t|w|wave|meting|fu|follow[ _-]?up|vervolgmeting|m)[ _-]?(\d+)(?:[ _-].*)?$"
)


def parse_wave(text: str, labels: Mapping[str, int]) -> int | None:
    """Return the wave number of a raw wave value: the spec's ``labels`` first, then
    integers, ``T0``/``T1``/``meting 2``/``wave_3``, and baseline words (``baseline``,
    ``nulmeting``, ``voormeting`` → 0)."""
    key = normalise_label(text)
    if key in labels:
        return labels[key]
    number = parse_number(key, None)
    if number is not None and number.is_integer():
        return int(number)
    match = _WAVE_PATTERN.match(key)
    if match:
        return int(match.group(1))
    if key.startswith(("baseline", "nulmeting", "voormeting", "t0")):
        return 0
    return None
