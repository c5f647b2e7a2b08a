"""Qualtrics CSV/TSV exports: three header rows, numeric codes or choice text, ``_TEXT`` columns.

A current Qualtrics export has column names in row 1, the question text in row 2 and
``{"ImportId":"QID1_1"}`` JSON in row 3 (older versions write it as a Python dict,
``{'ImportId': 'QID1_1'}``); data start in row 4. Legacy exports have two header rows: names and
question text, or ``V1 … Vn`` for Qualtrics' own columns in row 1 with their names in row 2
(docs/architecture.md, "Real exports"). TSV exports are UTF-16 with a byte-order mark. The
question-text row is kept as the codebook. Qualtrics' own columns are tool metadata or
identifiers (IP address, location, recipient name and e-mail) and never reach the warehouse;
``*_TEXT`` columns hold free text ("other, namely …") and are dropped unless the spec maps them.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Collection
from pathlib import Path

from outcomes.ingest.readers.base import RawExport, check_text_content
from outcomes.ingest.readers.header import unique_header
from outcomes.ingest.readers.text import (
    check_separator,
    decode_export,
    head_records,
    read_delimited,
    sniff_delimiter,
)
from outcomes.specs import ExportOptions

#: Qualtrics columns holding identifying information (Qualtrics "Response metadata")
QUALTRICS_IDENTIFIERS = frozenset(
    {
        "IPAddress",
        "LocationLatitude",
        "LocationLongitude",
        "RecipientLastName",
        "RecipientFirstName",
        "RecipientEmail",
        "ExternalReference",
        "ExternalDataReference",
        "EmailAddress",
    }
)
#: legacy exports' own columns that identify the recipient (``V3``)
QUALTRICS_LEGACY_IDENTIFIERS = frozenset({"Name"})
#: Qualtrics columns describing the response, not the participant
QUALTRICS_METADATA = frozenset(
    {
        "StartDate",
        "EndDate",
        "Status",
        "Progress",
        "Duration (in seconds)",
        "Finished",
        "RecordedDate",
        "ResponseId",
        "ResponseID",
        "DistributionChannel",
        "UserLanguage",
        "Q_RecaptchaScore",
        "Q_RelevantIDDuplicate",
        "Q_RelevantIDDuplicateScore",
        "Q_RelevantIDFraudScore",
        "Q_RelevantIDLastStartDate",
        "ResponseSet",
        "LocationAccuracy",
    }
)


_IMPORT_ID_START = ('{"ImportId"', "{'ImportId'")
_LEGACY_NUMBER = re.compile(r"^V\d+$")


def _is_import_id_row(row: list[str]) -> bool:
    """Return True when ``row`` is Qualtrics' ImportId row (JSON or Python-dict quoting)."""
    return any(v.strip().startswith(_IMPORT_ID_START) for v in row)


def import_id(text: str) -> str:
    """Return the ImportId of one ImportId-row cell (``{"ImportId":"QID1"}`` or
    ``{'ImportId': 'QID1'}``), else the cell as it is. A choice of a multiple-answer question
    (``{"ImportId":"QID42","choiceId":"1"}``) is ``QID42_1``, as older exports write it, so
    that its columns keep apart."""
    for parse in (json.loads, ast.literal_eval):
        try:
            value = parse(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
        if isinstance(value, dict) and "ImportId" in value:
            choice = value.get("choiceId")
            return str(value["ImportId"]) + (f"_{choice}" if choice not in (None, "") else "")
    return text


def legacy_names(names: list[str], row: list[str]) -> list[str] | None:
    """Return the column names of a legacy export whose row 1 numbers Qualtrics' own columns
    ``V1 … Vn`` and row 2 names them (``ResponseID``, ``StartDate``), else None.

    ``Vk`` takes its name from row 2; other columns (questions ``Q1``) keep their row-1 name,
    row 2 holding their question text."""
    if not names or not _LEGACY_NUMBER.match(names[0].strip()):
        return None
    if not any(value.strip() in QUALTRICS_METADATA for value in row):
        return None
    return [
        row[i].strip() if _LEGACY_NUMBER.match(name.strip()) and i < len(row) else name
        for i, name in enumerate(names)
    ]


def qualtrics_header_rows(path: Path, options: ExportOptions) -> int:
    """Return how many header rows the export has: 3 (ImportId row), 2 (legacy) or 1."""
    return _header_block(path, options)[0]


def _header_block(path: Path, options: ExportOptions) -> tuple[int, list[str] | None]:
    """Return (header rows, column names when row 1 does not hold them) of ``path``."""
    head = _head_bytes(path)
    check_text_content(path, head)
    utf8, _, _ = decode_export(path, head, options.encoding)
    text = utf8.decode("utf-8", errors="ignore")
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    sep = options.delimiter or sniff_delimiter(first_line)
    if options.delimiter:
        check_separator(path, first_line, sep)
    records = head_records(text, sep, options.header_row + 3)[options.header_row :]
    if not records:
        return 1, None
    names = legacy_names(records[0], records[1]) if len(records) >= 2 else None
    if len(records) >= 3 and _is_import_id_row(records[2]):
        return 3, names
    if len(records) >= 2 and _is_import_id_row(records[1]):
        return 2, names
    if names is not None:
        return 2, names
    if len(records) >= 2 and _is_question_text_row(records[0], records[1]):
        return 2, None
    return 1, None


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _is_question_text_row(names: list[str], row: list[str]) -> bool:
    """Return True when ``row`` repeats Qualtrics' metadata names as text ("Start Date")."""
    hits = 0
    for name, value in zip(names, row, strict=False):
        if name in QUALTRICS_METADATA and _squash(name) == _squash(value) and value != name:
            hits += 1
    return hits >= 1


def _head_bytes(path: Path) -> bytes:
    """Return the first rows of ``path`` (enough for the header block), cut at a line end."""
    with open(path, "rb") as handle:
        data = handle.read(1 << 20)
    if len(data) == 1 << 20:
        cut = data.rfind(b"\n")
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            cut = cut - cut % 2 if cut > 0 else cut
            return data[: cut + 2]
        return data[: cut + 1]
    return data


def read_qualtrics(
    path: Path, options: ExportOptions, *, skip_columns: Collection[str] = ()
) -> RawExport:
    """Return the raw table of a Qualtrics export with the question-text row as codebook."""
    header_rows, names = _header_block(path, options)
    table = read_delimited(
        path,
        delimiter=options.delimiter,
        encoding=options.encoding,
        header_row=options.header_row,
        header_rows=header_rows,
        skip_rows_after_header=options.skip_rows_after_header,
        skip_columns=skip_columns,
        names=names,
    )
    codebook: dict[str, dict[str, object]] = {}
    question_row = table.header_records[1] if header_rows >= 2 else []
    import_row = table.header_records[2] if header_rows >= 3 else []
    number_row = table.header_records[0] if names is not None else []
    kept = set(table.frame.columns)
    aliases: dict[str, str] = {}
    file_names = unique_header(
        path, list(names or table.header_records[0]), options.header_row + 1
    )[0]
    for position, name in enumerate(file_names):
        if name not in kept:
            continue
        entry: dict[str, object] = {}
        if position < len(question_row):
            entry["label"] = question_row[position]
        if position < len(import_row):
            entry["import_id"] = import_id(import_row[position])
        if position < len(number_row) and number_row[position].strip() != name:
            entry["legacy_number"] = number_row[position].strip()
            aliases[number_row[position].strip()] = name
        if entry:
            codebook[name] = entry
    columns = set(table.frame.columns)
    raw = RawExport(
        path=path,
        format="qualtrics",
        frame=table.frame,
        skipped=table.skipped,
        codebook=codebook,
        aliases=aliases,
        duplicates=table.duplicates,
        metadata={c for c in QUALTRICS_METADATA if c in columns},
        identifiers={c for c in QUALTRICS_IDENTIFIERS if c in columns}
        | ({c for c in QUALTRICS_LEGACY_IDENTIFIERS if c in columns} if names else set()),
        free_text={c for c in columns if c.endswith("_TEXT")},
        completed_column="Finished" if "Finished" in columns else None,
        warnings=table.warnings,
        encoding=table.encoding,
        delimiter=table.delimiter,
    )
    return raw
