"""Header rows as survey tools write them: duplicated column names and trailing delimiters.

Tools write headers that are not a clean list of unique names (docs/architecture.md, "Real
exports"): LimeSurvey's "question text" headings repeat when two questions share a text, and
Castor EDC and legacy Qualtrics end every line with the delimiter (``a;b;c;``), which reads as
one more, empty field. A duplicated name is kept apart by a suffix (``name (2)``) with a warning;
it is refused only when the spec maps it (:func:`refuse_ambiguous_columns`), because which of
the columns is meant is then unknown. A trailing empty field is dropped with a warning. Column
names are matched loosely (:func:`loose_name`: case and runs of white space do not count).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from outcomes.errors import ExportError, worded
from outcomes.ingest.warning import IngestWarning


@dataclass(frozen=True)
class DuplicateColumn:
    """A column name the header holds more than once: its 1-based ``positions`` in header row
    ``header_line`` and the names the columns are ``kept_as`` (the first keeps the name)."""

    name: str
    header_line: int
    positions: tuple[int, ...]
    kept_as: tuple[str, ...]


def unique_header(
    path: Path, header: list[str], header_line: int
) -> tuple[list[str], list[DuplicateColumn], list[IngestWarning]]:
    """Return (column names, duplicated names, warnings) for the header row ``header``.

    Names are stripped; an empty name becomes ``column_<position>``; the second and later
    columns of a repeated name get `` (2)``, `` (3)``, … (a suffix the header does not already
    use) and one warning per repeated name. Raises :class:`ExportError` for an empty header.
    """
    names = [name.strip() for name in header]
    if not any(names):
        raise worded(ExportError, "error_header_empty", file=path.name, row=header_line)
    names = [name or f"column_{position}" for position, name in enumerate(names, start=1)]
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(names, start=1):
        positions.setdefault(name, []).append(position)
    taken = set(names)
    duplicates: list[DuplicateColumn] = []
    warnings: list[IngestWarning] = []
    for name, where in positions.items():
        if len(where) == 1:
            continue
        kept = [name]
        for position in where[1:]:
            count = len(kept) + 1
            candidate = f"{name} ({count})"
            while candidate in taken:
                count += 1
                candidate = f"{name} ({count})"
            taken.add(candidate)
            names[position - 1] = candidate
            kept.append(candidate)
        duplicates.append(DuplicateColumn(name, header_line, tuple(where), tuple(kept)))
        shown_positions = ", ".join(str(p) for p in where)
        suffixes = ", ".join(k[len(name) + 1 :] for k in kept[1:])
        warnings.append(
            IngestWarning(
                path.name,
                f"{path.name}: row {header_line}: column {name!r} appears {len(where)} times in "
                f"the header (positions {shown_positions}); kept apart with the suffixes "
                f"{suffixes}",
                "duplicate_column_kept_apart",
                {
                    "row": str(header_line),
                    "column": name,
                    "count": str(len(where)),
                    "positions": shown_positions,
                    "suffixes": suffixes,
                },
            )
        )
    return names, duplicates, warnings


def refuse_ambiguous_columns(
    path: Path, duplicates: list[DuplicateColumn], mapped: Collection[str]
) -> None:
    """Raise :class:`ExportError` when a column the spec maps (``mapped``, raw names) is one
    the header holds more than once: which of them the spec means is unknown."""
    wanted = {loose_name(name) for name in mapped}
    for duplicate in duplicates:
        if loose_name(duplicate.name) in wanted:
            positions = ", ".join(str(p) for p in duplicate.positions)
            raise worded(
                ExportError,
                "error_mapped_column_twice"
                if len(duplicate.positions) == 2
                else "error_mapped_column_repeated",
                file=path.name,
                row=duplicate.header_line,
                column=duplicate.name,
                count=len(duplicate.positions),
                positions=positions,
                first=duplicate.positions[0],
                second=duplicate.positions[1],
            )


def trailing_delimiter_warning(path: Path, delimiter: str) -> IngestWarning:
    """Return the warning that the lines of ``path`` end in ``delimiter`` and the empty field
    after it was dropped."""
    return IngestWarning(
        path.name,
        f"{path.name}: the lines end with the delimiter {delimiter!r}; the empty field after "
        "it was dropped",
        "trailing_delimiter_dropped",
        {"delimiter": delimiter},
    )


def loose_name(name: str) -> str:
    """Return ``name`` as column names are matched: stripped, lower case, runs of white space
    as one space."""
    return " ".join(name.strip().lower().split())
