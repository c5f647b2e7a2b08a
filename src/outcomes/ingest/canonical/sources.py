"""Which export column feeds which canonical column, and what becomes of every other column.

Every column the spec names must be in the export (``optional_columns`` may be absent); a mapped
column whose name or values look like direct identifiers (names, e-mail, phone numbers) stops
ingest. The columns the spec does not map are free and extra columns: identifiers, free text and
tool metadata (the spec's ``identifiers``, ``free_text`` and ``drop``, and what the reader knows
of its tool) are dropped; a column that looks like a direct identifier is dropped with a warning;
everything else is reported as unmapped and never becomes a column (README "Privacy").
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from outcomes.errors import ExportError, worded
from outcomes.ingest.canonical.columns import MAPPABLE_META
from outcomes.ingest.canonical.items import SpecMismatchError
from outcomes.ingest.readers.base import RawExport
from outcomes.ingest.warning import IngestWarning
from outcomes.privacy import find_identifier_columns
from outcomes.specs import ProjectSpec

#: site/arm/wave/date/completed columns are checked by value only: "Site Name" is no name
_VALUE_CHECKED_ONLY = frozenset({"site", "arm", "wave", "assessed_on", "completed"})


@dataclass
class ColumnSources:
    """The export columns behind one export's canonical columns, and the rest.

    ``meta`` and ``items`` map canonical meta and item columns onto the export columns found
    for them (an absent optional column is left out); ``completed`` is the column that says
    whether a row was completed (the spec's, else the tool's own marker). ``unmapped`` are
    columns nothing maps, ``identifier_like`` those dropped because their names or values look
    like direct identifiers, ``dropped`` those dropped as the spec or the tool says.
    """

    id_column: str
    meta: dict[str, str]
    items: dict[str, str]
    completed: str | None
    unmapped: list[str]
    identifier_like: list[str]
    dropped: list[str]

    def mapped(self) -> dict[str, str]:
        """Return export column → canonical column for every column that is mapped."""
        return {
            **{r: c for c, r in self.meta.items() if r},
            **{r: c for c, r in self.items.items() if r},
            self.id_column: "participant_id",
        }

    def coded(self, spec: ProjectSpec) -> list[str]:
        """Return the export columns whose distinct values are coded up front: meta columns
        read value by value (site and arm only when relabelled), then items."""
        coded = [c for k, c in self.meta.items() if k not in ("completed", "site", "arm")]
        coded += [
            c for k, c in self.meta.items() if k in ("site", "arm") and spec.value_labels.get(k)
        ]
        return [*coded, *self.items.values()]


def spec_sources(
    spec: ProjectSpec, items: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Return (canonical meta → raw column, canonical item → raw column) as ``spec`` names them.

    ``items`` maps every canonical item of the spec's instruments onto its instrument. Raises
    :class:`SpecMismatchError` for a target that is neither an item nor a meta column, for the
    participant ID mapped through ``columns``, and for both a birth date and a birth year."""
    meta: dict[str, str] = {}
    for name, raw in (
        ("wave", spec.wave.column),
        ("assessed_on", spec.assessed_on),
        ("site", spec.site),
        ("arm", spec.arm),
        ("completed", spec.completed),
    ):
        if raw is not None:
            meta[name] = raw
    mapped_items: dict[str, str] = {}
    for raw, canonical in spec.columns.items():
        if canonical in items:
            mapped_items[canonical] = raw
        elif canonical in MAPPABLE_META:
            meta.setdefault(canonical, raw)
        elif canonical == "participant_id":
            if raw != spec.participant_id:
                raise worded(
                    SpecMismatchError,
                    "error_participant_id_in_columns",
                    spec=spec.id,
                    raw=raw,
                    column=spec.participant_id,
                )
        else:
            raise worded(
                SpecMismatchError,
                "error_column_target_unknown",
                spec=spec.id,
                raw=raw,
                canonical=canonical,
                instruments=str(spec.instruments),
                meta=str(list(MAPPABLE_META)),
            )
    if "birth_date" in meta and "birth_year" in meta:
        raise worded(SpecMismatchError, "error_birth_date_and_year", spec=spec.id)
    return meta, mapped_items


def _close(name: str, columns: Sequence[str]) -> str:
    """Return ``; ≈ 'A', 'B'`` naming the file's columns closest to ``name`` (words in no
    language: the message around it is worded per language)."""
    close = difflib.get_close_matches(name, list(columns), n=3, cutoff=0.6)
    return f"; ≈ {', '.join(repr(c) for c in close)}" if close else ""


def find_columns(
    raw: RawExport, spec: ProjectSpec, items: Mapping[str, str], name: str
) -> tuple[str, dict[str, str], dict[str, str]]:
    """Return the export columns the spec names: the participant-ID column, canonical meta →
    export column and canonical item → export column (an absent optional column left out).

    ``items`` maps every canonical item of the spec's instruments onto its instrument. Raises
    :class:`ExportError` naming every required column the export lacks, with the columns it
    has, and :class:`SpecMismatchError` when the spec maps onto no canonical column."""
    meta, mapped_items = spec_sources(spec, items)
    optional = set(spec.optional_columns)
    problems: list[str] = []
    resolved: dict[str, str | None] = {}

    def need(raw_name: str, what: str) -> None:
        column = raw.resolve(raw_name)
        resolved[raw_name] = column
        if column is None and raw_name not in optional:
            problems.append(f"{raw_name!r} ({what}{_close(raw_name, raw.columns)})")

    need(spec.participant_id, "participant_id")
    dedicated = {
        "wave": spec.wave.column,
        "assessed_on": spec.assessed_on,
        "site": spec.site,
        "arm": spec.arm,
        "completed": spec.completed,
    }
    for canonical, raw_name in meta.items():
        if dedicated.get(canonical) == raw_name:
            key_name = "wave.column" if canonical == "wave" else canonical
            need(raw_name, key_name)
        else:
            need(raw_name, f"columns → {canonical}")
    for canonical, raw_name in mapped_items.items():
        need(raw_name, f"columns → {canonical}")
    if problems:
        raise worded(
            ExportError,
            "error_columns_missing",
            file=name,
            missing=", ".join(problems),
            n=len(raw.columns),
            columns=", ".join(raw.columns[:40]) + (" …" if len(raw.columns) > 40 else ""),
        )
    id_column = resolved[spec.participant_id]
    assert id_column is not None
    meta_cols = {k: c for k, r in meta.items() if (c := resolved.get(r)) is not None}
    item_cols = {k: c for k, r in mapped_items.items() if (c := resolved.get(r)) is not None}
    return id_column, meta_cols, item_cols


def refuse_mapped_identifiers(
    raw: RawExport, meta: Mapping[str, str], items: Mapping[str, str], name: str
) -> None:
    """Raise :class:`ExportError` when a mapped column's name or values look like a direct
    identifier (site, arm, wave, date and completed columns by their values only)."""
    by_value = [c for k, c in meta.items() if c and k in _VALUE_CHECKED_ONLY]
    by_name = [c for k, c in (*meta.items(), *items.items()) if c and k not in _VALUE_CHECKED_ONLY]
    findings = find_identifier_columns(raw.frame, by_name) + find_identifier_columns(
        raw.frame, by_value, check_names=False
    )
    if findings:
        finding = findings[0]
        raise worded(
            ExportError,
            f"error_identifier_mapped_by_{finding.by}",
            file=name,
            column=finding.column,
            kind=finding.kind,
        )


def extra_columns(
    raw: RawExport, spec: ProjectSpec, used: set[str], name: str, warnings: list[IngestWarning]
) -> tuple[list[str], list[str], list[str]]:
    """Return (unmapped, identifier-like, dropped) columns of the export beyond ``used``.

    Identifier-like columns (not listed under the spec's ``identifiers``) each add a warning
    to ``warnings``."""
    frame = raw.frame
    declared_drop: set[str] = set()
    for raw_name in sorted(spec.dropped_columns()):
        column = raw.resolve(raw_name)
        if column is None:
            continue
        declared_drop.add(column)
    tool_drop = raw.metadata | raw.identifiers | raw.free_text
    rest = [
        c for c in raw.columns if c not in used and c not in declared_drop and c not in tool_drop
    ]
    identifier_like = [f.column for f in find_identifier_columns(frame, rest)]
    unmapped = [c for c in rest if c not in identifier_like]
    for column in identifier_like:
        warnings.append(
            IngestWarning(
                name,
                f"{name}: column {column!r} looks like a direct identifier and is not in the "
                "spec's 'identifiers'; dropped",
                "identifier_like_dropped",
                {"column": column},
            )
        )
    dropped = sorted(
        declared_drop | (tool_drop & set(frame.columns)) | set(raw.dropped) | set(raw.skipped)
    )
    return unmapped, identifier_like, dropped


def column_sources(
    raw: RawExport,
    spec: ProjectSpec,
    id_column: str,
    meta: dict[str, str],
    items: dict[str, str],
    name: str,
) -> tuple[ColumnSources, list[IngestWarning]]:
    """Return the :class:`ColumnSources` of one export from the columns :func:`find_columns`
    found, and the warnings about the file (the reader's first).

    Raises :class:`ExportError` when a mapped column holds direct identifiers."""
    refuse_mapped_identifiers(raw, meta, items, name)
    used = {id_column, *[c for c in meta.values() if c], *[c for c in items.values() if c]}
    completed = meta.get("completed") or (
        raw.completed_column if raw.completed_column in raw.frame.columns else None
    )
    if completed:
        used.add(completed)
    warnings = [
        IngestWarning(name, w.text, w.kind, w.fields)
        if isinstance(w, IngestWarning)
        else IngestWarning(name, w)
        for w in raw.warnings
    ]
    unmapped, identifier_like, dropped = extra_columns(raw, spec, used, name, warnings)
    sources = ColumnSources(id_column, meta, items, completed, unmapped, identifier_like, dropped)
    return sources, warnings
