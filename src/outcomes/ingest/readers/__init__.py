"""Export readers: one module per survey tool / file format, all returning a :class:`RawExport`.

``read_export(path, spec)`` picks the reader named by the spec's ``export.format``. Readers only
read: string columns of the file, ``source_row``, the codebook the file carries and the tool's
own metadata/identifier columns. Mapping onto canonical columns is ``outcomes.ingest.canonical``.
"""

from __future__ import annotations

from pathlib import Path

from outcomes.errors import worded
from outcomes.ingest.readers.base import (
    READER_COLUMNS,
    SOURCE_ROW,
    SOURCE_SHEET,
    ExportError,
    RawExport,
)
from outcomes.ingest.readers.castor import read_castor
from outcomes.ingest.readers.excel import read_excel_export
from outcomes.ingest.readers.generic_csv import read_csv_export
from outcomes.ingest.readers.header import refuse_ambiguous_columns
from outcomes.ingest.readers.limesurvey import read_limesurvey
from outcomes.ingest.readers.qualtrics import read_qualtrics
from outcomes.ingest.readers.redcap import read_redcap
from outcomes.ingest.readers.spss import read_spss
from outcomes.specs import ProjectSpec

__all__ = [
    "READER_COLUMNS",
    "SOURCE_ROW",
    "SOURCE_SHEET",
    "ExportError",
    "RawExport",
    "read_export",
]


def mapped_columns(spec: ProjectSpec) -> frozenset[str]:
    """Return the raw columns the spec reads: participant ID, mapped items, wave, date, site,
    arm and completion columns."""
    used = {spec.participant_id, *spec.columns}
    used |= {
        c
        for c in (spec.wave.column, spec.assessed_on, spec.site, spec.arm, spec.completed)
        if c is not None
    }
    return frozenset(used)


def skippable_columns(spec: ProjectSpec) -> frozenset[str]:
    """Return the raw columns a reader need not parse: those the spec drops (identifiers,
    free text, ``drop``) and does not also use for something else."""
    return frozenset(spec.dropped_columns() - mapped_columns(spec))


def read_export(path: Path | str, spec: ProjectSpec) -> RawExport:
    """Return the raw table of one export file of ``spec``'s project.

    Raises :class:`ExportError` naming the file, and row and column where
    there is one, when the file cannot be read as the spec describes, or when a column the
    spec maps appears more than once in the header (docs/architecture.md, "Real exports").
    """
    raw = _read(Path(path), spec)
    refuse_ambiguous_columns(raw.path, raw.duplicates, mapped_columns(spec))
    return raw


def _read(path: Path, spec: ProjectSpec) -> RawExport:
    """Return the raw table of ``path`` as the reader of the spec's format reads it."""
    path = Path(path)
    if not path.is_file():
        raise worded(ExportError, "error_file_not_found", file=str(path))
    options = spec.export
    fmt = options.format
    skip = skippable_columns(spec)
    try:
        if fmt == "qualtrics":
            return read_qualtrics(path, options, skip_columns=skip)
        if fmt == "limesurvey":
            return read_limesurvey(path, options, id_column=spec.participant_id, skip_columns=skip)
        if fmt == "castor":
            return read_castor(path, options, id_column=spec.participant_id, skip_columns=skip)
        if fmt == "redcap":
            return read_redcap(path, options, skip_columns=skip)
        if fmt == "spss":
            return read_spss(path, options, flag_columns=[spec.completed] if spec.completed else [])
        if fmt == "excel":
            return read_excel_export(path, options, id_column=spec.participant_id)
        return read_csv_export(path, options, skip_columns=skip)
    except ExportError:
        raise
    except (OSError, MemoryError) as error:
        raise worded(
            ExportError, "error_file_unreadable", file=path.name, problem=str(error)
        ) from None
