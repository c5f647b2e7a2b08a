"""Excel workbooks: every sheet (or the one the spec names) read into string columns.

What belongs here: :func:`read_workbook`, which reads an .xlsx export through fastexcel
(calamine), all cells as text, ``source_row`` the worksheet row, and stacks the sheets that
hold the spec's key column (``source_sheet`` tells them apart; docs/architecture.md, "Real
exports"). What does not: delimited text (``text.py``), SPSS files (``spss.py``), the shape
every reader returns (``base.py``) and the header rules shared with text exports
(``header.py``).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from outcomes.errors import ExportError, worded
from outcomes.ingest.readers.base import SOURCE_ROW, SOURCE_SHEET, check_magic, drop_blank_rows
from outcomes.ingest.readers.header import DuplicateColumn, loose_name, unique_header
from outcomes.ingest.warning import IngestWarning


def read_workbook(
    path: Path,
    *,
    sheet: str | int | None,
    header_row: int = 0,
    skip_rows_after_header: int = 0,
    required_column: str | tuple[str, ...] | None = None,
) -> tuple[pl.DataFrame, list[str], list[str | IngestWarning], list[DuplicateColumn]]:
    """Return (frame, sheets read, warnings, duplicated column names) for an .xlsx workbook,
    all cells as strings.

    Date cells come out as ISO text (``2024-03-01 00:00:00``), numbers as their shortest text
    (``3``, ``2.5``); date serials stay numbers and are converted in ``canonical``. With
    ``sheet`` unset every sheet that has ``required_column`` in its header row is read and
    stacked (``source_sheet`` tells them apart); other sheets are skipped with a warning.
    ``source_row`` is the worksheet row number.
    """
    import fastexcel

    with open(path, "rb") as handle:
        head = handle.read(16)
    check_magic(path, head, (b"PK\x03\x04",), "xlsx")
    try:
        workbook = fastexcel.read_excel(path)
    except Exception as error:  # calamine raises its own types for broken zips
        raise worded(
            ExportError, "error_workbook_unopenable", file=path.name, problem=_first_line(error)
        ) from None
    names = list(workbook.sheet_names)
    if sheet is not None:
        if isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise worded(
                    ExportError,
                    "error_sheet_number",
                    file=path.name,
                    sheet=sheet,
                    n=len(names),
                    sheets=str(names),
                )
            chosen = [names[sheet]]
        else:
            if sheet not in names:
                raise worded(
                    ExportError, "error_sheet_name", file=path.name, sheet=sheet, sheets=str(names)
                )
            chosen = [sheet]
    else:
        chosen = names
    frames: list[pl.DataFrame] = []
    read: list[str] = []
    warnings: list[str | IngestWarning] = []
    duplicates: list[DuplicateColumn] = []
    header_names: list[str] | None = None
    if isinstance(required_column, str):
        required_column = (required_column,)
    wanted = {loose_name(c) for c in required_column or ()}
    for name in chosen:
        try:
            grid = workbook.load_sheet(name, header_row=None, dtypes="string").to_polars()
        except Exception as error:
            raise worded(
                ExportError,
                "error_sheet_unreadable",
                file=path.name,
                sheet=name,
                problem=_first_line(error),
            ) from None
        if grid.height <= header_row:
            if sheet is not None:
                raise worded(ExportError, "error_sheet_empty", file=path.name, sheet=name)
            warnings.append(f"{path.name}: sheet {name!r} is empty; skipped")
            continue
        raw_header = ["" if v is None else str(v) for v in grid.row(header_row)]
        while raw_header and not raw_header[-1].strip():
            raw_header.pop()
        if not raw_header:
            warnings.append(f"{path.name}: sheet {name!r} has no header; skipped")
            continue
        if (
            sheet is None
            and wanted
            and not wanted & {loose_name(h) for h in raw_header}
            and len(chosen) > 1
        ):
            warnings.append(
                f"{path.name}: sheet {name!r} has no {' / '.join(required_column or ())} "
                "column; skipped"
            )
            continue
        header, sheet_duplicates, header_warnings = unique_header(path, raw_header, header_row + 1)
        warnings.extend(header_warnings)
        duplicates.extend(sheet_duplicates)
        grid = grid.select(grid.columns[: len(header)])
        grid.columns = header
        first_data = header_row + 1 + skip_rows_after_header
        body = grid.slice(first_data).with_columns(
            pl.int_range(first_data + 1, first_data + 1 + grid.height - first_data)
            .cast(pl.Int64)
            .alias(SOURCE_ROW),
            pl.lit(name).alias(SOURCE_SHEET),
        )
        body = drop_blank_rows(body)
        if header_names is not None and header != header_names:
            warnings.append(f"{path.name}: sheet {name!r} has other columns than the first sheet")
        header_names = header_names or header
        frames.append(body)
        read.append(name)
    if not frames:
        if required_column:
            raise worded(
                ExportError,
                "error_no_sheet_with_column",
                file=path.name,
                column=" / ".join(required_column),
                sheets=str(names),
            )
        raise worded(ExportError, "error_no_sheet_with_header", file=path.name, sheets=str(names))
    frame = pl.concat(frames, how="diagonal_relaxed")
    if frame.height == 0:
        raise worded(ExportError, "error_workbook_no_rows", file=path.name)
    if len(read) == 1:
        frame = frame.drop(SOURCE_SHEET)
    ordered = [SOURCE_ROW] + [c for c in frame.columns if c != SOURCE_ROW]
    return frame.select(ordered), read, warnings, duplicates


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
