"""Generic delimited text exports (CSV, TSV, semicolon files from Dutch Excel).

Delimiter and encoding come from the spec or are detected (UTF-8 with or without BOM, UTF-16
with BOM, else windows-1252). Values stay strings: decimal commas and Dutch dates are converted
in ``outcomes.ingest.canonical``.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from outcomes.ingest.readers.base import RawExport
from outcomes.ingest.readers.text import read_delimited
from outcomes.specs import ExportOptions


def read_csv_export(
    path: Path, options: ExportOptions, *, skip_columns: Collection[str] = ()
) -> RawExport:
    """Return the raw table of a delimited text export (string columns + ``source_row``)."""
    table = read_delimited(
        path,
        delimiter=options.delimiter,
        encoding=options.encoding,
        header_row=options.header_row,
        skip_rows_after_header=options.skip_rows_after_header,
        skip_columns=skip_columns,
    )
    return RawExport(
        path=path,
        format="csv",
        frame=table.frame,
        skipped=table.skipped,
        warnings=table.warnings,
        duplicates=table.duplicates,
        encoding=table.encoding,
        delimiter=table.delimiter,
    )
