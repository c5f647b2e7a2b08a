"""Excel .xlsx exports read through calamine (fastexcel): date cells, serials, several sheets.

All cells are read as text: date cells become ISO text, numbers their shortest text. Date
serials (numbers in a date column) are converted in ``outcomes.ingest.canonical``. With no
sheet in the spec, every sheet holding the participant-ID column is read and stacked.
"""

from __future__ import annotations

from pathlib import Path

from outcomes.ingest.readers.base import RawExport
from outcomes.ingest.readers.workbook import read_workbook
from outcomes.specs import ExportOptions


def read_excel_export(
    path: Path, options: ExportOptions, *, id_column: str | None = None
) -> RawExport:
    """Return the raw table of an .xlsx export (string columns + ``source_row``)."""
    frame, sheets, warnings, duplicates = read_workbook(
        path,
        sheet=options.sheet,
        header_row=options.header_row,
        skip_rows_after_header=options.skip_rows_after_header,
        required_column=id_column,
    )
    raw = RawExport(
        path=path, format="excel", frame=frame, warnings=warnings, duplicates=duplicates
    )
    raw.codebook["__sheets__"] = {"sheets": sheets}
    return raw
