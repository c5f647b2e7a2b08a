"""What every reader shares: the raw-export shape, the export error, and safe text/table reading.

A reader turns one export file into a :class:`RawExport`: the file's own columns as strings
(no type guessing — conversion happens deliberately in ``outcomes.ingest.canonical``) plus
``source_row``, the 1-based row number as a spreadsheet or editor shows it (header rows counted),
and whatever codebook the file carries. Problems with the file itself (empty, cut off, binary,
wrong encoding, duplicated header) raise :class:`ExportError` with a message naming the file,
the row and column where there is one, and what was expected.

Nothing here knows about canonical columns, instruments or pseudonyms.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from outcomes.errors import ExportError
from outcomes.ingest.readers.header import (
    DuplicateColumn,
    trailing_delimiter_warning,
    unique_header,
)
from outcomes.ingest.warning import IngestWarning

__all__ = ["READER_COLUMNS", "SOURCE_ROW", "SOURCE_SHEET", "ExportError", "RawExport"]

SOURCE_ROW = "source_row"
SOURCE_SHEET = "source_sheet"
#: reader-added columns that are not columns of the export itself
READER_COLUMNS = (SOURCE_ROW, SOURCE_SHEET)

_HEAD_BYTES = 256 * 1024


@dataclass
class RawExport:
    """One export as read: string columns of the file plus ``source_row`` (and codebook).

    ``codebook`` maps a column to what the file says about it (``label``: question text or
    variable label; ``values``: raw code → answer label; ``type``; ``identifier``).
    ``value_labels`` holds the raw code → label maps that coded answers go through (SPSS value
    labels, REDCap choices). ``aliases`` maps other spellings of a column (older tool versions)
    onto the name used in ``frame``. ``metadata``, ``identifiers`` and ``free_text`` name
    columns the tool adds that never reach the warehouse; ``dropped`` names columns the reader
    already removed (REDCap fields flagged as identifiers). ``completed_column`` is the tool's
    own completion marker (LimeSurvey ``submitdate``, Qualtrics ``Finished``) when present.
    ``warnings`` are sentences starting with the file name, or :class:`IngestWarning` where
    ``outcomes validate`` words them in the user's language.
    """

    path: Path
    format: str
    frame: pl.DataFrame
    codebook: dict[str, dict[str, Any]] = field(default_factory=dict)
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    metadata: set[str] = field(default_factory=set)
    identifiers: set[str] = field(default_factory=set)
    free_text: set[str] = field(default_factory=set)
    dropped: list[str] = field(default_factory=list)
    #: columns not read at all because the spec drops them (identifiers, free text, drop)
    skipped: list[str] = field(default_factory=list)
    missing_codes: set[str] = field(default_factory=set)
    completed_column: str | None = None
    warnings: list[str | IngestWarning] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    #: column names the header holds more than once, kept apart by a suffix
    duplicates: list[DuplicateColumn] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        """Return the export's own columns (without ``source_row``/``source_sheet``)."""
        return [c for c in self.frame.columns if c not in READER_COLUMNS]

    @property
    def rows_read(self) -> int:
        return self.frame.height

    def resolve(self, name: str) -> str | None:
        """Return the frame column for ``name`` (exact, alias, or case/space-insensitive)."""
        if name in self.frame.columns:
            return name
        if name in self.aliases and self.aliases[name] in self.frame.columns:
            return self.aliases[name]
        wanted = _loose(name)
        for column in self.frame.columns:
            if _loose(column) == wanted:
                return column
        for alias, target in self.aliases.items():
            if _loose(alias) == wanted and target in self.frame.columns:
                return target
        return None


def _loose(name: str) -> str:
    return " ".join(name.strip().lower().split())


# -- file content checks ----------------------------------------------------------------------

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip archive (an .xlsx workbook is one)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old binary Office file (.xls/.doc)"),
    (b"$FL2", "an SPSS .sav file"),
    (b"$FL3", "an SPSS .zsav file"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)


def describe_content(head: bytes) -> str | None:
    """Return what known binary format ``head`` starts with, else None."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    return None


def check_text_content(path: Path, data: bytes) -> None:
    """Raise :class:`ExportError` when ``data`` is empty or binary instead of delimited text."""
    if not data[:65536].strip() and not data.strip():
        raise ExportError(f"{path.name}: the file is empty; expected a header row and data rows")
    what = describe_content(data[:16])
    if what is not None:
        raise ExportError(
            f"{path.name}: the file is {what}, not delimited text as its "
            f"'{path.suffix}' name and the spec say; export it again as CSV"
        )
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 text (Qualtrics TSV) holds NUL bytes legitimately
    if b"\x00" in head:
        raise ExportError(
            f"{path.name}: the file holds binary data (NUL bytes), not delimited text; "
            "expected a CSV export"
        )


def check_magic(path: Path, data_head: bytes, magic: tuple[bytes, ...], expected: str) -> None:
    """Raise :class:`ExportError` unless ``data_head`` starts with one of ``magic``."""
    if not data_head.strip():
        raise ExportError(f"{path.name}: the file is empty; expected {expected}")
    if not data_head.startswith(magic):
        what = describe_content(data_head) or "not"
        if what == "not":
            found = "text" if _looks_like_text(data_head) else "unrecognised binary data"
            raise ExportError(f"{path.name}: expected {expected}, found {found}")
        raise ExportError(f"{path.name}: expected {expected}, but the file is {what}")


def _looks_like_text(head: bytes) -> bool:
    return b"\x00" not in head[:4096]


# -- text decoding ----------------------------------------------------------------------------

_UTF8_NAMES = {"utf8", "utf-8", "utf_8", "utf-8-sig", "utf8-sig", "utf_8_sig"}


def _norm_encoding(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def decode_export(path: Path, data: bytes, encoding: str | None) -> tuple[bytes, str, list[str]]:
    """Return (UTF-8 bytes without BOM, encoding used, warnings) for the raw bytes of ``path``.

    Without a fixed encoding: a UTF-8 or UTF-16 byte-order mark decides; else UTF-8 when the
    bytes are valid UTF-8; else windows-1252 (Dutch Excel's "CSV" default). With a fixed
    encoding, bytes that do not decode raise :class:`ExportError` naming the row.
    """
    warnings: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        if encoding is not None and _norm_encoding(encoding) not in _UTF8_NAMES:
            warnings.append(
                f"{path.name}: the spec says {encoding} but the file starts with a UTF-8 "
                "byte-order mark; read as UTF-8"
            )
        return _validated_utf8(path, data, "utf-8"), "utf-8-sig", warnings
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise _decode_error(path, data, error, "UTF-16") from None
        return text.encode("utf-8"), "utf-16", warnings
    if encoding is None:
        try:
            if not data.isascii():
                data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as error:
                raise _decode_error(path, data, error, "UTF-8 or windows-1252") from None
            return text.encode("utf-8"), "windows-1252", warnings
        return data, "utf-8", warnings
    name = _norm_encoding(encoding)
    if name in _UTF8_NAMES:
        return _validated_utf8(path, data, encoding), "utf-8", warnings
    single_byte = {"windows-1252", "cp1252", "latin-1", "latin1", "iso-8859-1", "iso-8859-15"}
    # A UTF-8 file read as windows-1252 turns "é" into "Ã©" silently; prefer UTF-8.
    if name in single_byte and not data.isascii() and _is_utf8(data):
        warnings.append(
            f"{path.name}: the spec says {encoding} but the file is valid UTF-8; read as UTF-8"
        )
        return data, "utf-8", warnings
    try:
        text = data.decode(encoding)
    except LookupError:
        raise ExportError(f"{path.name}: unknown encoding {encoding!r} in the spec") from None
    except UnicodeDecodeError as error:
        raise _decode_error(path, data, error, encoding) from None
    return text.encode("utf-8"), name, warnings


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _validated_utf8(path: Path, data: bytes, declared: str) -> bytes:
    try:
        if not data.isascii():
            data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _decode_error(path, data, error, "UTF-8") from None
    return data


def _decode_error(path: Path, data: bytes, error: UnicodeDecodeError, expected: str) -> ExportError:
    row = data[: error.start].count(b"\n") + 1
    snippet = data[max(0, error.start - 10) : error.start + 10]
    hint = ""
    try:
        snippet.decode("cp1252")
        if expected.upper().startswith("UTF"):
            hint = " (it looks like windows-1252: set 'export: encoding: windows-1252' in the spec)"
    except UnicodeDecodeError:
        pass
    return ExportError(
        f"{path.name}: row {row}: byte {data[error.start : error.start + 1]!r} is not valid "
        f"{expected}; expected text in {expected}{hint}"
    )


# -- delimited text ---------------------------------------------------------------------------


def sniff_delimiter(first_line: str) -> str:
    """Return the most frequent of , ; tab | outside quotes in ``first_line`` (default ',')."""
    counts = dict.fromkeys((",", ";", "\t", "|"), 0)
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] > 0 else ","


def head_records(text: str, delimiter: str, count: int) -> list[list[str]]:
    """Return the first ``count`` CSV records of ``text`` (quote-aware)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
            if len(records) >= count:
                break
    except csv.Error:
        pass
    return records


@dataclass
class DelimitedTable:
    """A delimited export as read: header rows, data frame, the options actually used."""

    header_records: list[list[str]]
    frame: pl.DataFrame
    encoding: str
    delimiter: str
    warnings: list[str | IngestWarning]
    skipped: list[str] = field(default_factory=list)
    duplicates: list[DuplicateColumn] = field(default_factory=list)


def read_delimited(
    path: Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    header_row: int = 0,
    header_rows: int = 1,
    skip_rows_after_header: int = 0,
    skip_columns: Collection[str] = (),
    names: Sequence[str] | None = None,
) -> DelimitedTable:
    """Read a delimited text export into string columns plus ``source_row``.

    ``header_row`` is the 0-based record holding column names; ``header_rows`` counts the
    header records from there (Qualtrics has three).
    ``source_row`` counts every record from 1 as an editor shows it (header rows included);
    blank lines keep their number and are dropped. Raises :class:`ExportError` for empty,
    header-only, binary, wrongly encoded or truncated files and duplicated headers.

    UTF-8 files without a byte-order mark are parsed straight from disk (no copy in Python);
    everything else is decoded and re-encoded as UTF-8 first. Columns named in
    ``skip_columns`` (those the spec drops anyway) are not parsed; they are listed in
    ``DelimitedTable.skipped``. ``names`` replaces the column names of the header row
    (legacy Qualtrics spreads them over two rows).

    A repeated column name is kept apart by a suffix and a trailing delimiter's empty field is
    dropped, each with a warning (:mod:`outcomes.ingest.readers.header`).
    """
    with open(path, "rb") as handle:
        head = handle.read(_HEAD_BYTES)
    direct = (encoding is None or _norm_encoding(encoding) in _UTF8_NAMES) and not head.startswith(
        (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
    )
    if direct:
        check_text_content(path, head)
        try:
            return _read_utf8(
                path,
                path,
                head,
                delimiter,
                header_row,
                header_rows,
                skip_rows_after_header,
                "utf-8",
                [],
                skip_columns,
                names,
            )
        except _NotUtf8:
            pass  # detect the encoding (or report the bad byte) from the whole file
    raw = path.read_bytes()
    check_text_content(path, raw)
    utf8, used_encoding, warnings = decode_export(path, raw, encoding)
    del raw
    try:
        return _read_utf8(
            path,
            utf8,
            utf8[:_HEAD_BYTES],
            delimiter,
            header_row,
            header_rows,
            skip_rows_after_header,
            used_encoding,
            warnings,
            skip_columns,
            names,
        )
    except _NotUtf8:
        raise ExportError(f"{path.name}: the file is not valid UTF-8 text") from None


class _NotUtf8(Exception):
    """polars found bytes that are not UTF-8 while reading straight from disk."""


def _read_utf8(
    path: Path,
    source: Path | bytes,
    head: bytes,
    delimiter: str | None,
    header_row: int,
    header_rows: int,
    skip_rows_after_header: int,
    used_encoding: str,
    read_warnings: Sequence[str | IngestWarning],
    skip_columns: Collection[str] = (),
    names: Sequence[str] | None = None,
) -> DelimitedTable:
    head_text = head.decode("utf-8", errors="ignore")
    first_line = head_text.lstrip("\r\n").split("\n", 1)[0]
    sep = _delimiter(delimiter) if delimiter else sniff_delimiter(first_line)
    records = head_records(head_text, sep, header_row + header_rows + 1)
    if len(records) <= header_row:
        raise ExportError(
            f"{path.name}: found {len(records)} rows but the header is expected in row "
            f"{header_row + 1}"
        )
    raw_header = list(names) if names is not None else records[header_row]
    header, duplicates, header_warnings = unique_header(path, raw_header, header_row + 1)
    warnings: list[str | IngestWarning] = [*read_warnings, *header_warnings]
    header_block = records[header_row : header_row + header_rows]
    first_data = header_row + header_rows + skip_rows_after_header
    # a delimiter ending every line: in the header too (an empty last name) or in data only
    trailing = len(raw_header) > 1 and not raw_header[-1].strip()
    n_fields = len(header)
    parsed = list(header)
    data_head = head_records(head_text, sep, first_data + 5)[first_data:]
    if not trailing and any(len(r) == n_fields + 1 and not r[-1] for r in data_head):
        trailing = True
        parsed.append(_unused_name(header))
    elif trailing:
        n_fields -= 1
    skip = {_loose(c) for c in skip_columns}
    keep = [i for i, name in enumerate(parsed) if _loose(name) not in skip]
    skipped = [name for name in parsed if _loose(name) in skip]
    try:
        frame = pl.read_csv(
            source,
            has_header=False,
            new_columns=parsed,
            schema=dict.fromkeys(parsed, pl.String),
            separator=sep,
            quote_char='"',
            skip_rows=first_data,
            encoding="utf8",
            raise_if_empty=False,
            truncate_ragged_lines=False,
            row_index_name=SOURCE_ROW,
            row_index_offset=first_data + 1,
            low_memory=False,
            columns=keep if skipped else None,
        )
    except (
        pl.exceptions.ComputeError,
        pl.exceptions.NoDataError,
        pl.exceptions.SchemaError,  # a quote left open in the first row hides its other fields
    ) as error:
        if "utf-8" in str(error).lower() or "utf8" in str(error).lower():
            raise _NotUtf8 from None
        data = source if isinstance(source, bytes) else path.read_bytes()
        raise _parse_error(path, data, sep, len(parsed), error) from None
    frame = frame.with_columns(pl.col(SOURCE_ROW).cast(pl.Int64))
    last_row = first_data + frame.height
    _check_truncated(path, source, sep, n_fields, last_row, first_data)
    if trailing:
        extra = parsed[-1]
        if frame.get_column(extra).null_count() == frame.height:
            frame = frame.drop(extra)
            warnings.append(trailing_delimiter_warning(path, sep))
        elif extra not in header:
            row = frame.filter(pl.col(extra).is_not_null()).get_column(SOURCE_ROW).item(0)
            raise ExportError(
                f"{path.name}: row {row}: found {len(parsed)} fields, expected {len(header)} "
                f"as in the header (a stray delimiter {sep!r} or quote?)"
            )
    frame = drop_blank_rows(frame)
    if frame.height == 0:
        raise ExportError(
            f"{path.name}: the file has a header but no data rows; expected at least one "
            f"row after row {first_data}"
        )
    return DelimitedTable(header_block, frame, used_encoding, sep, warnings, skipped, duplicates)


def _unused_name(header: list[str]) -> str:
    """Return ``column_<n>`` for the field after the last one that the header does not use."""
    position = len(header) + 1
    while f"column_{position}" in header:
        position += 1
    return f"column_{position}"


def _delimiter(delimiter: str) -> str:
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    return named.get(delimiter.lower(), delimiter)


def drop_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` without rows whose every export column is empty (blank lines)."""
    data_columns = [c for c in frame.columns if c not in READER_COLUMNS]
    if not data_columns:
        return frame
    blank = pl.all_horizontal(pl.col(c).is_null() for c in data_columns)
    if not frame.select(blank.any()).item():
        return frame
    return frame.filter(~blank)


def _parse_error(
    path: Path, utf8: bytes, sep: str, n_columns: int, error: Exception
) -> ExportError:
    """Return an ExportError locating a parse failure with Python's strict csv reader."""
    text = utf8.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text), delimiter=sep, strict=True)
    start = 1  # the row where the record being read starts (a quoted field may span rows)
    try:
        for record in reader:
            if len(record) > n_columns:
                return ExportError(
                    f"{path.name}: row {start}: found {len(record)} fields, expected "
                    f"{n_columns} as in the header (a stray delimiter {sep!r} or quote?)"
                )
            start = reader.line_num + 1
    except csv.Error:
        return ExportError(
            f"{path.name}: row {start}: a quoted field is not closed — the file "
            "looks cut off (truncated) or holds an unbalanced quote; export it again"
        )
    message = str(error).split("\n", 1)[0]
    if "not properly escaped" in str(error) or "quote" in str(error).lower():
        return ExportError(
            f"{path.name}: a quoted field is not closed — the file looks cut off (truncated) "
            "or holds an unbalanced quote; export it again"
        )
    return ExportError(f"{path.name}: cannot be read as delimited text ({message})")


def _tail(source: Path | bytes, size: int = 1 << 16) -> bytes:
    if isinstance(source, bytes):
        return source[-size:]
    with open(source, "rb") as handle:
        handle.seek(0, 2)
        length = handle.tell()
        handle.seek(max(0, length - size))
        return handle.read()


def _check_truncated(
    path: Path,
    source: Path | bytes,
    sep: str,
    n_columns: int,
    last_row: int,
    first_data: int,
) -> None:
    """Raise when the last record has fewer fields than the header (the file is cut off).

    A quote left open anywhere (a file cut off inside a quoted field) already fails polars'
    parse, which :func:`_parse_error` turns into a message with the row."""
    tail = _tail(source)
    end = len(tail)
    while end > 0 and tail[end - 1 : end] in (b"\r", b"\n"):
        end -= 1
    last_start = tail.rfind(b"\n", 0, end) + 1
    last_line = tail[last_start:end].decode("utf-8", errors="replace")
    if last_line.count('"') % 2 == 1 or last_row <= first_data:
        return  # the end of a multi-line quoted field, or no data rows at all
    fields = next(csv.reader([last_line], delimiter=sep), [])
    if n_columns > 1 and len(fields) < n_columns:
        raise ExportError(
            f"{path.name}: row {last_row}: found {len(fields)} of the {n_columns} fields of the "
            "header — the file looks cut off (truncated); export it again"
        )


# -- workbooks --------------------------------------------------------------------------------


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
    check_magic(path, head, (b"PK\x03\x04",), "an .xlsx workbook (a zip file)")
    try:
        workbook = fastexcel.read_excel(path)
    except Exception as error:  # calamine raises its own types for broken zips
        raise ExportError(
            f"{path.name}: cannot be opened as an .xlsx workbook ({_first_line(error)}); "
            "expected an Excel workbook saved as .xlsx"
        ) from None
    names = list(workbook.sheet_names)
    if sheet is not None:
        if isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise ExportError(
                    f"{path.name}: the spec asks for sheet {sheet} but the workbook has "
                    f"{len(names)} sheets: {names}"
                )
            chosen = [names[sheet]]
        else:
            if sheet not in names:
                raise ExportError(
                    f"{path.name}: the spec asks for sheet {sheet!r}; the workbook has {names}"
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
    wanted = {_loose(c) for c in required_column or ()}
    for name in chosen:
        try:
            grid = workbook.load_sheet(name, header_row=None, dtypes="string").to_polars()
        except Exception as error:
            raise ExportError(
                f"{path.name}: sheet {name!r} cannot be read ({_first_line(error)})"
            ) from None
        if grid.height <= header_row:
            if sheet is not None:
                raise ExportError(f"{path.name}: sheet {name!r} is empty; expected a header row")
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
            and not wanted & {_loose(h) for h in raw_header}
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
        raise ExportError(
            f"{path.name}: no sheet of the workbook has a header row"
            + (f" with column {' / '.join(required_column)}" if required_column else "")
            + f"; sheets are {names}"
        )
    frame = pl.concat(frames, how="diagonal_relaxed")
    if frame.height == 0:
        raise ExportError(
            f"{path.name}: the workbook has a header but no data rows; expected at least one row"
        )
    if len(read) == 1:
        frame = frame.drop(SOURCE_SHEET)
    ordered = [SOURCE_ROW] + [c for c in frame.columns if c != SOURCE_ROW]
    return frame.select(ordered), read, warnings, duplicates


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


#: strings that mean "no answer" in every export (compared after stripping, case-insensitively)
BLANK_VALUES = frozenset({"", "na", "n/a", "nan", "#n/a", "null", "none", ".", "-"})


def is_number(text: str) -> bool:
    """Return True when ``text`` is a plain decimal number (point or comma)."""
    return bool(_NUMBER.match(text.strip()))


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
