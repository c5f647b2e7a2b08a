"""Reading exports whose spec is not written yet: the tool that wrote them, and a sample.

:func:`detect_format` tells which survey tool wrote a file from its first bytes and header
row (docs/architecture.md, "Drafting a spec"): an SPSS or workbook signature, Qualtrics' header
rows (:func:`~outcomes.ingest.readers.qualtrics.qualtrics_header_rows`), the tool columns that
LimeSurvey, Castor EDC and REDCap write. :func:`read_sample` then reads the file with that
tool's own reader (``outcomes.ingest.readers``) under provisional options, so encoding,
delimiter, header rows and codebook are found exactly as ingest will find them. A large text
export is read from its first rows only; the distinct values of a column over the whole file
come from :func:`distinct_values`, a one-column scan.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from outcomes.errors import ExportError, worded
from outcomes.ingest.readers.base import READER_COLUMNS, RawExport, describe_content
from outcomes.ingest.readers.castor import CASTOR_ALIASES, read_castor
from outcomes.ingest.readers.excel import read_excel_export
from outcomes.ingest.readers.generic_csv import read_csv_export
from outcomes.ingest.readers.limesurvey import LIMESURVEY_METADATA, read_limesurvey
from outcomes.ingest.readers.qualtrics import (
    QUALTRICS_METADATA,
    qualtrics_header_rows,
    read_qualtrics,
)
from outcomes.ingest.readers.redcap import find_data_dictionary, read_redcap
from outcomes.ingest.readers.spss import read_spss
from outcomes.ingest.readers.text import decode_export, head_records, sniff_delimiter
from outcomes.specs import ExportFormat, ExportOptions

#: a text export larger than this is drafted from its first rows (cut at a line end)
SAMPLE_BYTES = 8 * 1024 * 1024
#: Castor EDC's own columns, current and older spellings
_CASTOR_COLUMNS = frozenset(
    {"Participant Id", "Participant Status", "Survey Package Name", "Site Abbreviation"}
    | {old for old in CASTOR_ALIASES if " " in old}
)

#: LimeSurvey's own columns, as question codes or as headings ("Date submitted"), squashed
_LIMESURVEY_COLUMNS = frozenset(
    set(LIMESURVEY_METADATA) | {"responseid", "datesubmitted", "startlanguage", "datestarted"}
)


@dataclass
class ExportSample:
    """One export as drafted from: the raw table (all rows, or the first rows of a large text
    file), the format and reader options found, and what the header block holds."""

    path: Path
    format: ExportFormat
    raw: RawExport
    header_rows: int = 1
    sampled: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        """Return the export's own columns in file order."""
        return [c for c in self.raw.frame.columns if c not in READER_COLUMNS]


def _text_head(path: Path, head: bytes) -> tuple[list[str], str]:
    """Return the first record of a text export (any encoding the readers accept) and the
    delimiter it is written with."""
    if b"\x00" in head[:8192] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise worded(ExportError, "error_binary_not_export", file=path.name)
    cut = head.rfind(b"\n")
    if cut > 0 and len(head) >= 65536:
        end = cut + 1
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) and end % 2:
            end += 1  # UTF-16: keep whole two-byte units (little-endian "\n\x00")
        head = head[:end]
    utf8, _, _ = decode_export(path, head, None)
    text = utf8.decode("utf-8", errors="ignore")
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    records = head_records(text, delimiter, 1)
    return ([name.strip() for name in records[0]] if records else []), delimiter


def _text_delimiter(path: Path) -> str:
    """Return the delimiter of text export ``path`` (its first line's, :func:`_text_head`)."""
    with open(path, "rb") as handle:
        return _text_head(path, handle.read(65536))[1]


def _options(**options: object) -> ExportOptions:
    """Return reader options: the defaults of a spec's ``export`` with ``options`` set."""
    return ExportOptions.model_validate(options)


def workbook_sheet(path: Path) -> tuple[str, list[str]]:
    """Return (sheet, its header row) of the sheet of an .xlsx workbook with the most column
    names in its first row (the data sheet, not a legend)."""
    import fastexcel

    best: tuple[str, list[str]] | None = None
    try:
        workbook = fastexcel.read_excel(path)
        for name in workbook.sheet_names:
            grid = workbook.load_sheet(name, header_row=None, n_rows=1, dtypes="string")
            frame = grid.to_polars()
            header = (
                []
                if not frame.height
                else ["" if v is None else str(v).strip() for v in frame.row(0)]
            )
            if best is None or sum(map(bool, header)) > sum(map(bool, best[1])):
                best = (name, header)
    except Exception as error:  # calamine raises its own types for broken zips
        raise worded(
            ExportError,
            "error_workbook_unopenable_draft",
            file=path.name,
            problem=str(error).splitlines()[0],
        ) from None
    if best is None:
        raise worded(ExportError, "error_workbook_no_sheets", file=path.name)
    return best


def detect_format(path: Path) -> tuple[ExportFormat, str]:
    """Return (export format, why) of the export ``path``.

    Raises :class:`ExportError` for a missing, empty or binary file that is no survey export.
    """
    if not path.is_file():
        raise worded(ExportError, "error_file_not_found", file=str(path))
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if not head.strip():
        raise worded(ExportError, "error_empty_export", file=path.name)
    if head.startswith((b"$FL2", b"$FL3")):
        return "spss", "an SPSS .sav file"
    if head.startswith(b"PK\x03\x04"):
        sheet_names = set(workbook_sheet(path)[1])
        if sheet_names & {"submitdate", "lastpage", "startlanguage"}:
            return "limesurvey", "a LimeSurvey workbook (submitdate, lastpage columns)"
        if sheet_names & _CASTOR_COLUMNS:
            return "castor", "a Castor EDC workbook (Participant Id / Record Id column)"
        return "excel", "an Excel workbook"
    what = describe_content(head[:16])
    if what is not None:
        raise worded(ExportError, f"error_not_export_{what}", file=path.name)
    names, _ = _text_head(path, head)
    if sum(1 for name in names if name.strip()) < 2:
        raise worded(ExportError, "error_too_few_column_names", file=path.name)
    present = set(names)
    options = _options(format="qualtrics")
    if len(present & QUALTRICS_METADATA) >= 3 or qualtrics_header_rows(path, options) > 1:
        return "qualtrics", "Qualtrics header rows and columns (StartDate, ResponseId, …)"
    squashed = {"".join(ch for ch in name.lower() if ch.isalnum()) for name in names}
    if len(squashed & _LIMESURVEY_COLUMNS) >= 3:
        return "limesurvey", "LimeSurvey columns (submitdate, lastpage, startlanguage)"
    # Castor's own columns; the castoredc_api spelling has `institute` beside `archived` (a
    # study export) or `survey_instance_id` (a survey export)
    if present & _CASTOR_COLUMNS or (
        "institute" in present and present & {"archived", "survey_instance_id"}
    ):
        return "castor", "Castor EDC columns (Participant Id, Survey Package Name, …)"
    redcap = "redcap_event_name" in present or (names and names[0] == "record_id")
    if redcap or find_data_dictionary(path, _options(format="redcap")) is not None:
        return "redcap", "REDCap columns (record_id, redcap_event_name) or a data dictionary"
    return "csv", "delimited text without a known survey tool's columns"


def _read(path: Path, fmt: ExportFormat) -> RawExport:
    """Return the raw table of ``path`` read by the reader of ``fmt`` with detected options:
    a workbook's data sheet, a text export's delimiter."""
    workbook = path.suffix.lower() in {".xlsx", ".xlsm"}
    sheet = workbook_sheet(path)[0] if workbook else None
    text = not workbook and fmt not in {"spss", "excel"}
    options = _options(format=fmt, sheet=sheet, delimiter=_text_delimiter(path) if text else None)
    if fmt == "qualtrics":
        return read_qualtrics(path, options)
    if fmt == "limesurvey":
        return read_limesurvey(path, options)
    if fmt == "castor":
        return read_castor(path, options)
    if fmt == "redcap":
        return read_redcap(path, options)
    if fmt == "spss":
        return read_spss(path, options)
    if fmt == "excel":
        return read_excel_export(path, options)
    return read_csv_export(path, options)


def _head_copy(path: Path, folder: Path) -> Path:
    """Return a copy of the first :data:`SAMPLE_BYTES` of ``path`` (cut at a line end) with
    the same file name in ``folder``."""
    with open(path, "rb") as handle:
        data = handle.read(SAMPLE_BYTES)
    copy = folder / path.name
    copy.write_bytes(data[: data.rfind(b"\n") + 1])
    return copy


def read_sample(path: Path) -> ExportSample:
    """Return the :class:`ExportSample` of one export: format detected, then read by that
    tool's reader. Raises :class:`ExportError` (one line, naming the file) when it cannot be
    read."""
    fmt, why = detect_format(path)
    big = (
        fmt not in {"spss", "excel", "redcap"}
        and path.suffix.lower() not in {".xlsx", ".xlsm"}
        and path.stat().st_size > SAMPLE_BYTES
    )
    try:
        if big:
            with tempfile.TemporaryDirectory() as folder:
                try:
                    raw = _read(_head_copy(path, Path(folder)), fmt)
                    raw.path = path
                except ExportError:
                    big = False  # e.g. a quoted field spanning the cut: read the whole file
        if not big:
            raw = _read(path, fmt)
    except ExportError:
        raise
    except (OSError, MemoryError, ValueError) as error:
        raise worded(
            ExportError, "error_file_unreadable", file=path.name, problem=str(error)
        ) from None
    header_rows = 1
    if fmt == "qualtrics":
        header_rows = qualtrics_header_rows(path, _options(format="qualtrics"))
    sample = ExportSample(path, fmt, raw, header_rows, big, [why])
    if not sample.columns:
        raise worded(ExportError, "error_no_columns", file=path.name)
    return sample


def distinct_values(sample: ExportSample, column: str) -> list[str]:
    """Return the distinct non-empty values of ``column`` over the whole export, in order of
    first appearance (a one-column scan when the sample holds only the first rows)."""
    frame = sample.raw.frame
    if not sample.sampled:
        values = frame.get_column(column).drop_nulls().unique(maintain_order=True)
        return [v for v in values.to_list() if v.strip()]
    position = sample.columns.index(column)
    scanned = (
        pl.scan_csv(
            sample.path,
            has_header=False,
            separator=sample.raw.delimiter or ",",
            infer_schema=False,
            encoding="utf8-lossy",
            truncate_ragged_lines=True,
        )
        .select(pl.nth(position))
        .slice(sample.header_rows)
        .unique(maintain_order=True)
        .collect()
        .to_series()
    )
    return [v for v in scanned.drop_nulls().to_list() if v.strip()]
