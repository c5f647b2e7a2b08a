"""Castor EDC exports: semicolon CSV or the Excel workbook; wide study data or long
repeating-data / survey exports.

Castor spelled its key columns differently over the years: ``Participant Id`` /
``Site Abbreviation`` today, ``Record Id`` / ``Institute Abbreviation`` in older exports. Both
spellings resolve to the current one, so one spec reads both. Dates are ``DD-MM-YYYY``
(converted in ``outcomes.ingest.canonical``). Castor's user-missing codes (-95 … -99,
"measurement failed" to "not applicable", Castor EDC manual "Missing data") become null.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from outcomes.ingest.readers.base import RawExport
from outcomes.ingest.readers.header import DuplicateColumn
from outcomes.ingest.readers.text import read_delimited
from outcomes.ingest.readers.workbook import read_workbook
from outcomes.ingest.warning import IngestWarning
from outcomes.specs import ExportOptions

#: older spelling → current spelling (Castor EDC export format change)
CASTOR_ALIASES = {
    "Record Id": "Participant Id",
    "record_id": "Participant Id",
    "Record ID": "Participant Id",
    "Institute Abbreviation": "Site Abbreviation",
    "Institute": "Site",
    "institute": "Site",
    "Record Status": "Participant Status",
    "Record Creation Date": "Participant Creation Date",
}
CASTOR_METADATA = frozenset(
    {
        "Participant Status",
        "Participant Creation Date",
        "Repeating Data Creation Date",
        "Repeating data Parent",
        "Repeating Data Parent",
        "Survey Instance Id",
        "Survey Package Instance Id",
        "Survey Package Name",
        "Survey Sent On",
        "Survey Progress",
        "Survey Parent",
        "Site",
        "Randomization Group Name",
        "Randomized On",
    }
)
CASTOR_MISSING_CODES = frozenset({"-95", "-96", "-97", "-98", "-99"})


def read_castor(
    path: Path,
    options: ExportOptions,
    *,
    id_column: str | None = None,
    skip_columns: Collection[str] = (),
) -> RawExport:
    """Return the raw table of a Castor export with old column spellings renamed."""
    encoding = None
    delimiter = None
    skipped: list[str] = []
    warnings: list[str | IngestWarning]
    duplicates: list[DuplicateColumn]
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        frame, _, warnings, duplicates = read_workbook(
            path,
            sheet=options.sheet,
            header_row=options.header_row,
            skip_rows_after_header=options.skip_rows_after_header,
            required_column=_spellings(id_column),
        )
    else:
        table = read_delimited(
            path,
            delimiter=options.delimiter or ";",
            encoding=options.encoding,
            header_row=options.header_row,
            skip_rows_after_header=options.skip_rows_after_header,
            skip_columns=skip_columns,
        )
        frame, warnings, duplicates = table.frame, table.warnings, table.duplicates
        skipped = table.skipped
        encoding, delimiter = table.encoding, table.delimiter
    renames = {
        old: new
        for old, new in CASTOR_ALIASES.items()
        if old in frame.columns and new not in frame.columns
    }
    frame = frame.rename(renames)
    aliases = dict(CASTOR_ALIASES)
    aliases.update({new: old for old, new in CASTOR_ALIASES.items() if old in frame.columns})
    return RawExport(
        path=path,
        format="castor",
        frame=frame,
        skipped=skipped,
        aliases=aliases,
        metadata={c for c in frame.columns if c in CASTOR_METADATA},
        missing_codes=set(CASTOR_MISSING_CODES),
        warnings=warnings,
        duplicates=duplicates,
        encoding=encoding,
        delimiter=delimiter,
    )


def _spellings(name: str | None) -> tuple[str, ...]:
    """Return every spelling of column ``name`` (old and current)."""
    if name is None:
        return ()
    spellings = {name, CASTOR_ALIASES.get(name, name)}
    spellings |= {old for old, new in CASTOR_ALIASES.items() if new == name}
    return tuple(sorted(spellings))
