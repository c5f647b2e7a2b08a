"""LimeSurvey response exports (CSV and xlsx) with question-code headings.

Headings are question codes: ``Q1``, ``Q2[SQ001]`` for array sub-questions, ``Q2[other]`` for
"other" free text. An empty ``submitdate`` means the response was never submitted (incomplete).
``token``, ``ipaddr`` and ``refurl`` identify the respondent; ``id``, ``lastpage``,
``startlanguage``, ``seed``, ``startdate`` and ``datestamp`` are tool metadata. ``[other]`` and
``[comment]`` columns hold free text. The timings LimeSurvey adds when it records them
(``interviewtime``, ``123X4time``, ``123X4X56time``, or with headings ``Total time``,
``Group time: …``, ``Question time: …``) are tool metadata too.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from outcomes.ingest.readers.base import RawExport
from outcomes.ingest.readers.header import DuplicateColumn
from outcomes.ingest.readers.text import read_delimited
from outcomes.ingest.readers.workbook import read_workbook
from outcomes.ingest.warning import IngestWarning
from outcomes.specs import ExportOptions

#: LimeSurvey's timing columns, by question code or by heading
LIMESURVEY_TIMING = re.compile(r"^(\d+X\d+(X\d+)?time|Total time|(Group|Question) time: .*)$")

LIMESURVEY_IDENTIFIERS = frozenset({"token", "ipaddr", "refurl", "email", "firstname", "lastname"})
LIMESURVEY_METADATA = frozenset(
    {
        "id",
        "submitdate",
        "lastpage",
        "startlanguage",
        "seed",
        "startdate",
        "datestamp",
        "interviewtime",
    }
)


def read_limesurvey(
    path: Path,
    options: ExportOptions,
    *,
    id_column: str | None = None,
    skip_columns: Collection[str] = (),
) -> RawExport:
    """Return the raw table of a LimeSurvey export (CSV or xlsx) with ``submitdate`` marking
    complete submissions."""
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
            required_column=id_column,
        )
    else:
        table = read_delimited(
            path,
            delimiter=options.delimiter,
            encoding=options.encoding,
            header_row=options.header_row,
            skip_rows_after_header=options.skip_rows_after_header,
            skip_columns=skip_columns,
        )
        frame, warnings, duplicates = table.frame, table.warnings, table.duplicates
        skipped = table.skipped
        encoding, delimiter = table.encoding, table.delimiter
    columns = set(frame.columns)
    free_text = {
        c for c in columns if c.lower().endswith(("[other]", "[comment]", "[othercomment]"))
    }
    free_text |= {c for c in columns if "[other" in c.lower() or "comment]" in c.lower()}
    return RawExport(
        path=path,
        format="limesurvey",
        frame=frame,
        skipped=skipped,
        metadata=(columns & LIMESURVEY_METADATA)
        | {c for c in columns if LIMESURVEY_TIMING.match(c)},
        identifiers=columns & LIMESURVEY_IDENTIFIERS,
        free_text=free_text,
        completed_column="submitdate" if "submitdate" in columns else None,
        warnings=warnings,
        duplicates=duplicates,
        encoding=encoding,
        delimiter=delimiter,
    )
