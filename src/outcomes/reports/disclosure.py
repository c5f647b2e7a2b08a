"""Statistical disclosure control for report tables: the step between numbers and their display.

What belongs here: the rules that decide which cell of a table a funder may see, applied to one
table at a time, and the record of what was hidden and why. The rules (README.md, "Privacy";
they follow the threshold rule and complementary suppression of Hundepool et al. 2012,
*Statistical Disclosure Control*, §5.2 and §5.6; the threshold of 10 is the CBS convention for
published person counts):

- a count below the threshold is shown as ``"<10"`` (primary suppression);
- a mean, interval bound or percentage whose base is below the threshold is withheld, and a
  percentage whose numerator is hidden is withheld too (it would reveal that numerator);
- where a table publishes totals (a total column holding the row sums, a last row holding the
  column sums), a line with exactly one hidden cell would let a reader recover it by subtraction,
  so a second, complementary cell of that line is hidden as well (smallest visible count first,
  repeated until no line has a single hidden cell); it is shown as ``"x"``, since ``"<10"``
  would misstate a count that is not small;
- minima and maxima are never shown: a column named like one is refused.

What does not belong here: choosing what a report shows (``tables.py`` and the ``*_tables.py``
modules) and formatting in the report's language (``labels.py``). Counts of export rows in the
data-quality section are not person counts and are not passed through these rules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl

from outcomes.language import format_number

#: Default threshold: counts below it are hidden, bases below it carry no mean or percentage.
DEFAULT_THRESHOLD = 10

#: Shown instead of a mean, bound or percentage that is withheld.
WITHHELD = "–"

#: Shown instead of a count hidden by complementary suppression: it is not below the threshold
#: (so ``"<10"`` would be false), it is hidden so that a total cannot reveal a small count
#: (the CBS convention for a cell kept secret is ``x``).
COMPLEMENTARY = "x"

_EXTREME = re.compile(r"(^|[_\s])(min|max|minimum|maximum|minima|maxima)($|[_\s])", re.IGNORECASE)


class DisclosureError(ValueError):
    """A table asks for something disclosure control does not allow (e.g. a minimum column)."""


@dataclass(frozen=True)
class Suppression:
    """One hidden cell: its 0-based row, its column and why (``small_count``, ``complementary``,
    ``small_base`` or ``hidden_numerator``)."""

    row: int
    column: str
    reason: str


@dataclass
class ProtectedTable:
    """A disclosure-controlled table.

    ``display`` holds every cell as a display string (``"<10"``, ``"x"`` or ``"–"`` where
    hidden);
    ``values`` holds the same table with hidden cells set to null (for figures and sentences);
    ``suppressed`` records each hidden cell.
    """

    display: pl.DataFrame
    values: pl.DataFrame
    suppressed: list[Suppression] = field(default_factory=list)
    threshold: int = DEFAULT_THRESHOLD

    def is_hidden(self, row: int, column: str) -> bool:
        """Return True when the cell at ``row``/``column`` is hidden."""
        return any(s.row == row and s.column == column for s in self.suppressed)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable form: columns, display rows, values rows, suppressions."""
        return {
            "columns": self.display.columns,
            "display": self.display.rows(),
            "values": [[_plain(v) for v in row] for row in self.values.rows()],
            "suppressed": [asdict(s) for s in self.suppressed],
            "threshold": self.threshold,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def hidden_count(threshold: int = DEFAULT_THRESHOLD) -> str:
    """Return the display string of a hidden count, e.g. ``"<10"``."""
    return f"<{threshold}"


def format_count(count: int | None, threshold: int = DEFAULT_THRESHOLD) -> str:
    """Return ``count`` as a display string: ``"<10"`` below the threshold, ``"–"`` when null."""
    if count is None:
        return WITHHELD
    if count < threshold:
        return hidden_count(threshold)
    return str(int(count))


def suppress_counts(counts: Sequence[int | None], threshold: int = DEFAULT_THRESHOLD) -> list[str]:
    """Return the display strings of a list of counts that publishes no total.

    Counts below ``threshold`` become ``"<10"``. A list whose total is published elsewhere needs
    complementary suppression: use :func:`protect_table` with a total row instead.
    """
    if threshold < 1:
        raise DisclosureError(f"threshold must be at least 1, got {threshold}")
    return [format_count(count, threshold) for count in counts]


def _check_columns(frame: pl.DataFrame, names: Sequence[str], role: str) -> None:
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise DisclosureError(
            f"{role} column(s) {missing} are not in the table (columns: {frame.columns})"
        )


def protect_table(
    frame: pl.DataFrame,
    count_columns: Sequence[str],
    *,
    total_column: str | None = None,
    total_row: bool = False,
    mean_columns: Mapping[str, str] | None = None,
    percent_columns: Mapping[str, tuple[str, str]] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    decimals: int = 1,
    percent_decimals: int = 0,
    lang: str = "en",
) -> ProtectedTable:
    """Apply disclosure control to ``frame`` and return a :class:`ProtectedTable`.

    ``count_columns`` hold person counts. ``total_column`` (optional) holds the sum of the count
    columns of each row; ``total_row=True`` says the last row holds the sum of the rows above.
    Both are margins: they trigger complementary suppression in rows and columns.
    ``mean_columns`` maps a mean (or interval-bound) column to the column holding its base ``n``;
    ``percent_columns`` maps a percentage column to ``(numerator column, base column)``.
    Percentages are expected on the 0–100 scale. Other columns (labels) pass through as text.
    Means and percentages are shown with ``decimals`` and ``percent_decimals`` decimals in the
    number format of ``lang``, without thousands separators
    (:func:`outcomes.language.format_number`).

    Returns the display table (strings), the value table (hidden cells null) and the list of
    suppressions. Raises :class:`DisclosureError` for a minimum/maximum column, a missing column
    or a threshold below 1.
    """
    if threshold < 1:
        raise DisclosureError(f"threshold must be at least 1, got {threshold}")
    extremes = [name for name in frame.columns if _EXTREME.search(name)]
    if extremes:
        raise DisclosureError(
            f"column(s) {extremes} look like minima or maxima; reports never show those"
        )
    mean_columns = dict(mean_columns or {})
    percent_columns = dict(percent_columns or {})
    _check_columns(frame, count_columns, "count")
    if total_column is not None:
        _check_columns(frame, [total_column], "total")
    _check_columns(frame, list(mean_columns), "mean")
    _check_columns(frame, list(mean_columns.values()), "base")
    _check_columns(frame, list(percent_columns), "percent")
    _check_columns(frame, [c for pair in percent_columns.values() for c in pair], "percent base")

    grid_columns = list(count_columns) + ([total_column] if total_column else [])
    n_rows = frame.height
    counts: dict[tuple[int, str], int | None] = {}
    for column in grid_columns:
        for row, value in enumerate(frame[column].to_list()):
            counts[(row, column)] = None if value is None else int(value)

    reasons: dict[tuple[int, str], str] = {}
    for cell, value in counts.items():
        if value is not None and value < threshold:
            reasons[cell] = "small_count"

    lines: list[list[tuple[int, str]]] = []
    if total_column is not None:
        lines.extend([(row, column) for column in grid_columns] for row in range(n_rows))
    if total_row and n_rows > 1:
        lines.extend([(row, column) for row in range(n_rows)] for column in grid_columns)
    margin_cells = {(row, total_column) for row in range(n_rows)} if total_column else set()
    if total_row and n_rows > 1:
        margin_cells |= {(n_rows - 1, column) for column in grid_columns}

    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [cell for cell in line if cell in reasons]
            if len(hidden) != 1:
                continue
            candidates = [cell for cell in line if cell not in reasons and counts[cell] is not None]
            if not candidates:
                continue
            # Inner cells before margins, then the smallest count: the least information lost.
            chosen = min(candidates, key=lambda cell: (cell in margin_cells, counts[cell], cell[0]))
            reasons[chosen] = "complementary"
            changed = True

    def base_of(row: int, column: str) -> int | None:
        value = frame[column][row]
        return None if value is None else int(value)

    for mean_column, base_column in mean_columns.items():
        for row in range(n_rows):
            base = base_of(row, base_column)
            if base is None or base < threshold:
                reasons[(row, mean_column)] = "small_base"
    for percent_column, (numerator, base_column) in percent_columns.items():
        for row in range(n_rows):
            base = base_of(row, base_column)
            if base is None or base < threshold:
                reasons[(row, percent_column)] = "small_base"
            elif (row, numerator) in reasons:
                reasons[(row, percent_column)] = "hidden_numerator"

    display_columns: dict[str, list[str]] = {}
    value_columns: dict[str, pl.Series] = {}
    for column in frame.columns:
        values = frame[column].to_list()
        if column in grid_columns:
            shown = [
                (COMPLEMENTARY if reasons[(row, column)] == "complementary" else
                 hidden_count(threshold))
                if (row, column) in reasons
                else format_count(value, threshold)
                for row, value in enumerate(values)
            ]  # fmt: skip
            kept = [None if (row, column) in reasons else v for row, v in enumerate(values)]
            value_columns[column] = pl.Series(column, kept, dtype=pl.Int64)
        elif column in mean_columns or column in percent_columns:
            places = decimals if column in mean_columns else percent_decimals
            shown = [
                WITHHELD
                if (row, column) in reasons
                else format_number(None if v is None else float(v), places, lang, grouping=False)
                for row, v in enumerate(values)
            ]
            kept = [None if (row, column) in reasons else v for row, v in enumerate(values)]
            value_columns[column] = pl.Series(column, kept, dtype=pl.Float64)
        else:
            shown = ["" if v is None else str(v) for v in values]
            value_columns[column] = frame[column]
        display_columns[column] = shown

    suppressed = [
        Suppression(row=row, column=column, reason=reason)
        for (row, column), reason in sorted(
            reasons.items(), key=lambda item: (item[0][0], frame.columns.index(item[0][1]))
        )
    ]
    return ProtectedTable(
        display=pl.DataFrame(display_columns, schema={c: pl.Utf8 for c in frame.columns}),
        values=pl.DataFrame(value_columns),
        suppressed=suppressed,
        threshold=threshold,
    )
