"""Delimited text exports: decoding, delimiter sniffing and parsing into string columns.

What belongs here: :func:`read_delimited`, which reads a CSV/TSV export (any of the encodings
and delimiters survey tools write, docs/architecture.md, "Real exports") into string columns
plus ``source_row``, and its parts: :func:`decode_export` (byte-order marks, UTF-8,
windows-1252, an encoding the spec fixes), :func:`sniff_delimiter` and :func:`head_records`
(the first records, quote-aware), and the errors that locate a cut-off or unbalanced file by
row. What does not: the shape every reader returns and the checks of a file's content
(``base.py``), duplicated names and trailing delimiters in the header row (``header.py``),
workbooks (``workbook.py``) and what any one tool writes (one module per tool).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from outcomes.errors import ExportError, worded
from outcomes.ingest.readers.base import SOURCE_ROW, check_text_content, drop_blank_rows
from outcomes.ingest.readers.header import (
    DuplicateColumn,
    loose_name,
    trailing_delimiter_warning,
    unique_header,
)
from outcomes.ingest.warning import IngestWarning

_HEAD_BYTES = 256 * 1024


# -- text decoding ----------------------------------------------------------------------------

_UTF8_NAMES = {"utf8", "utf-8", "utf_8", "utf-8-sig", "utf8-sig", "utf_8_sig"}


def _norm_encoding(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def _encoding_warning(path: Path, kind: str, expected: str, found: str) -> IngestWarning:
    """Return the warning that the file's encoding is not the spec's (worded in the catalog)."""
    from outcomes import language

    fields = {"expected": expected, "found": found}
    text = language.word(f"ingest_warning_{kind}", "en", file=path.name, **fields)
    return IngestWarning(path.name, text, kind, fields)


def decode_export(
    path: Path, data: bytes, encoding: str | None
) -> tuple[bytes, str, list[str | IngestWarning]]:
    """Return (UTF-8 bytes without BOM, encoding used, warnings) for the raw bytes of ``path``.

    Without a fixed encoding: a UTF-8 or UTF-16 byte-order mark decides; else UTF-8 when the
    bytes are valid UTF-8; else windows-1252 (Dutch Excel's "CSV" default). With a fixed
    encoding, bytes that do not decode raise :class:`ExportError` naming the row and, when
    they read as windows-1252, that encoding (docs/architecture.md, "Validation report").
    """
    warnings: list[str | IngestWarning] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        if encoding is not None and _norm_encoding(encoding) not in _UTF8_NAMES:
            warnings.append(_encoding_warning(path, "encoding_bom", encoding, "UTF-8"))
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
        warnings.append(_encoding_warning(path, "encoding_differs", encoding, "UTF-8"))
        return data, "utf-8", warnings
    try:
        text = data.decode(encoding)
    except LookupError:
        raise worded(
            ExportError, "error_encoding_name", file=path.name, encoding=encoding
        ) from None
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
    try:
        snippet.decode("cp1252")
        looks_like = "windows-1252" if expected.upper().startswith("UTF") else None
    except UnicodeDecodeError:
        looks_like = None
    if looks_like is not None:
        return worded(
            ExportError,
            "error_encoding",
            file=path.name,
            row=row,
            expected=expected,
            found=looks_like,
        )
    return worded(
        ExportError,
        "error_encoding_unknown",
        file=path.name,
        row=row,
        byte=repr(data[error.start : error.start + 1]),
        expected=expected,
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


def _shown_separator(sep: str) -> str:
    return "tab" if sep == "\t" else repr(sep)


def check_separator(path: Path, first_line: str, sep: str) -> None:
    """Raise :class:`ExportError` naming both separators when the spec's separator ``sep``
    leaves the header line ``first_line`` in one field while another separator splits it
    (docs/architecture.md, "Validation report")."""
    if len(next(csv.reader([first_line], delimiter=sep), [])) > 1:
        return
    found = sniff_delimiter(first_line)
    if found != sep and len(next(csv.reader([first_line], delimiter=found), [])) > 1:
        raise worded(
            ExportError,
            "error_separator",
            file=path.name,
            found=_shown_separator(found),
            expected=_shown_separator(sep),
        )


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
        raise worded(ExportError, "error_not_utf8", file=path.name) from None


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
    if delimiter:
        header_line = head_text.lstrip("\r\n").split("\n", header_row + 1)[header_row:]
        check_separator(path, header_line[0] if header_line else first_line, sep)
    records = head_records(head_text, sep, header_row + header_rows + 1)
    if len(records) <= header_row:
        raise worded(
            ExportError,
            "error_header_row_missing",
            file=path.name,
            found=len(records),
            row=header_row + 1,
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
    skip = {loose_name(c) for c in skip_columns}
    keep = [i for i, name in enumerate(parsed) if loose_name(name) not in skip]
    skipped = [name for name in parsed if loose_name(name) in skip]
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
            raise worded(
                ExportError,
                "error_too_many_fields",
                file=path.name,
                row=row,
                found=len(parsed),
                expected=len(header),
                delimiter=sep,
            )
    frame = drop_blank_rows(frame)
    if frame.height == 0:
        raise worded(ExportError, "error_no_data_rows", file=path.name, row=first_data)
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
                return worded(
                    ExportError,
                    "error_too_many_fields",
                    file=path.name,
                    row=start,
                    found=len(record),
                    expected=n_columns,
                    delimiter=sep,
                )
            start = reader.line_num + 1
    except csv.Error:
        return worded(ExportError, "error_quote_open_in_row", file=path.name, row=start)
    message = str(error).split("\n", 1)[0]
    if "not properly escaped" in str(error) or "quote" in str(error).lower():
        return worded(ExportError, "error_quote_open", file=path.name)
    return worded(ExportError, "error_not_delimited", file=path.name, problem=message)


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
        raise worded(
            ExportError,
            "error_truncated",
            file=path.name,
            row=last_row,
            found=len(fields),
            expected=n_columns,
        )
