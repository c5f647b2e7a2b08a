"""What every reader shares: the raw-export shape, the export error and the checks of a file.

A reader turns one export file into a :class:`RawExport`: the file's own columns as strings
(no type guessing — conversion happens deliberately in ``outcomes.ingest.canonical``) plus
``source_row``, the 1-based row number as a spreadsheet or editor shows it (header rows counted),
and whatever codebook the file carries. Problems with the file itself (empty, cut off, binary,
wrong encoding, duplicated header) raise :class:`ExportError` with a message naming the file,
the row and column where there is one, and what was expected.

What belongs here: :class:`RawExport` and the columns readers add, the checks that a file holds
what its name and the spec say (:func:`check_text_content`, :func:`check_magic`) and dropping
blank rows. What does not: decoding and parsing delimited text (``text.py``), workbooks
(``workbook.py``), header rows (``header.py``) and what any one tool writes (one module per
tool). Nothing here knows about canonical columns, instruments or pseudonyms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from outcomes.errors import ExportError, worded
from outcomes.ingest.readers.header import DuplicateColumn, loose_name
from outcomes.ingest.warning import IngestWarning

__all__ = ["READER_COLUMNS", "SOURCE_ROW", "SOURCE_SHEET", "ExportError", "RawExport"]

SOURCE_ROW = "source_row"
SOURCE_SHEET = "source_sheet"
#: reader-added columns that are not columns of the export itself
READER_COLUMNS = (SOURCE_ROW, SOURCE_SHEET)


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
        wanted = loose_name(name)
        for column in self.frame.columns:
            if loose_name(column) == wanted:
                return column
        for alias, target in self.aliases.items():
            if loose_name(alias) == wanted and target in self.frame.columns:
                return target
        return None


# -- file content checks ----------------------------------------------------------------------

#: the first bytes of binary formats an export is mistaken for, and the format's name in the
#: keys of the messages that name it (``error_not_text_<name>``, ``error_xlsx_is_<name>``, …)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
    (b"$FL2", "sav"),
    (b"$FL3", "zsav"),
    (b"%PDF", "pdf"),
    (b"\x1f\x8b", "gzip"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
)

#: every name :func:`describe_content` returns
CONTENT_KINDS = tuple(name for _, name in _MAGIC)


def describe_content(head: bytes) -> str | None:
    """Return the name (one of :data:`CONTENT_KINDS`) of the known binary format ``head``
    starts with, else None; the language catalogs word each message naming it."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def check_text_content(path: Path, data: bytes) -> None:
    """Raise :class:`ExportError` when ``data`` is empty or binary instead of delimited text."""
    if not data[:65536].strip() and not data.strip():
        raise worded(ExportError, "error_file_empty", file=path.name)
    what = describe_content(data[:16])
    if what is not None:
        raise worded(ExportError, f"error_not_text_{what}", file=path.name, suffix=path.suffix)
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 text (Qualtrics TSV) holds NUL bytes legitimately
    if b"\x00" in head:
        raise worded(ExportError, "error_binary_data", file=path.name)


def check_magic(path: Path, data_head: bytes, magic: tuple[bytes, ...], expected: str) -> None:
    """Raise :class:`ExportError` unless ``data_head`` starts with one of ``magic``;
    ``expected`` names the format the spec asks for (``"xlsx"``, ``"sav"``) in the keys of the
    messages (``error_empty_<expected>``, ``error_<expected>_found_text``, …)."""
    if not data_head.strip():
        raise worded(ExportError, f"error_empty_{expected}", file=path.name)
    if not data_head.startswith(magic):
        what = describe_content(data_head)
        if what is None:
            found = "text" if _looks_like_text(data_head) else "binary"
            raise worded(ExportError, f"error_{expected}_found_{found}", file=path.name)
        raise worded(ExportError, f"error_{expected}_is_{what}", file=path.name)


def _looks_like_text(head: bytes) -> bool:
    return b"\x00" not in head[:4096]


def drop_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` without rows whose every export column is empty (blank lines)."""
    data_columns = [c for c in frame.columns if c not in READER_COLUMNS]
    if not data_columns:
        return frame
    blank = pl.all_horizontal(pl.col(c).is_null() for c in data_columns)
    if not frame.select(blank.any()).item():
        return frame
    return frame.filter(~blank)
