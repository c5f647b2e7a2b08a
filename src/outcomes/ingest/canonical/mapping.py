"""One export → canonical columns (:func:`to_canonical`), and a project's exports → its responses
frame (:func:`combine_exports`).

:func:`to_canonical` finds the export columns the spec names (:mod:`.sources`), starts the
participant pseudonyms in a thread (:mod:`.participants`), codes the distinct values of the
mapped columns (:mod:`.coding`) and lets one mapper per column kind build its columns: the wave
(:mod:`.waves`), dates and ages (:mod:`.dates`), site, arm, gender and completion (:mod:`.meta`)
and the item answers (:mod:`.items`). Provenance comes last, and every row's ingest issues.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from outcomes.ingest.canonical.coding import Codes, ExportColumns
from outcomes.ingest.canonical.columns import META_COLUMNS, PROVENANCE_COLUMNS
from outcomes.ingest.canonical.dates import map_assessed_on, map_birth_and_age
from outcomes.ingest.canonical.items import instrument_registry, item_instruments, map_items
from outcomes.ingest.canonical.meta import map_completed, map_gender, map_site_and_arm
from outcomes.ingest.canonical.participants import (
    flag_near_duplicates,
    map_participant_ids,
    pseudonymise_ids,
)
from outcomes.ingest.canonical.sources import column_sources, find_columns
from outcomes.ingest.canonical.waves import map_wave, number_waves_by_date
from outcomes.ingest.readers.base import SOURCE_ROW, RawExport
from outcomes.ingest.warning import IngestWarning
from outcomes.specs import ProjectSpec

if TYPE_CHECKING:
    from outcomes.instruments.base import Instrument


@dataclass
class MappedExport:
    """One export mapped onto canonical columns, with what the mapping found.

    ``participants`` has one row per participant: ``participant_id`` (pseudonym), ``raw_id``
    (the raw study ID) and ``rows``; it is held in memory only (for the near-duplicate check
    in :func:`combine_exports`) and never written anywhere.
    """

    frame: pl.DataFrame
    participants: pl.DataFrame
    mapped: dict[str, str]
    unmapped: list[str]
    identifier_like: list[str]
    dropped: list[str]
    warnings: list[IngestWarning] = field(default_factory=list)


def to_canonical(
    raw: RawExport,
    spec: ProjectSpec,
    key: bytes,
    *,
    source_file: str | None = None,
    source_sha256: str = "",
    registry: Mapping[str, Instrument] | None = None,
) -> MappedExport:
    """Return ``raw`` mapped onto the canonical responses columns of ``spec``'s project.

    One output row per raw row, in file order. Raises :class:`ExportError` when a column the
    spec names is missing from the file or a mapped column holds direct identifiers; value
    problems become nulls plus ``ingest_issues`` entries instead.
    """
    registry = registry if registry is not None else instrument_registry()
    items = item_instruments(spec, registry)
    name = source_file or raw.path.name
    id_column, meta, item_columns = find_columns(raw, spec, items, name)
    # pseudonyms are computed in a thread while the other columns are checked and mapped
    ids = pseudonymise_ids(raw.frame.get_column(id_column), key, spec.id)
    sources, warnings = column_sources(raw, spec, id_column, meta, item_columns, name)
    export = ExportColumns(raw, spec, Codes(raw.frame, sources.coded(spec)), name, warnings)

    export.columns.append(map_wave(export, sources.meta.get("wave")))
    assessed_on, assessed_ymd = map_assessed_on(export, sources.meta.get("assessed_on"))
    export.columns.append(assessed_on)
    export.columns += map_site_and_arm(export, sources.meta)
    export.columns.append(map_gender(export, sources.meta.get("gender")))
    export.columns += map_birth_and_age(export, sources.meta, assessed_ymd)
    export.columns.append(map_completed(sources.completed))
    export.columns += map_items(export, items, sources.items, registry)
    export.columns += [
        pl.lit(name, dtype=pl.String).alias("source_file"),
        pl.lit(source_sha256, dtype=pl.String).alias("source_sha256"),
        pl.col(SOURCE_ROW).cast(pl.Int64).alias("source_row"),
    ]
    participant_ids = ids.result()
    pseudonyms = map_participant_ids(export, participant_ids, sources.id_column)
    frame = export.frame().with_columns(pseudonyms)
    return MappedExport(
        frame=frame.select(*META_COLUMNS, *items, *PROVENANCE_COLUMNS),
        participants=participant_ids.participants,
        mapped=sources.mapped(),
        unmapped=sources.unmapped,
        identifier_like=sources.identifier_like,
        dropped=sources.dropped,
        warnings=export.warnings,
    )


def participants_of(mapped: Sequence[MappedExport]) -> pl.DataFrame:
    """Return one row per participant over ``mapped``: ``participant_id`` (pseudonym),
    ``raw_id`` and ``rows`` (their rows in all these exports)."""
    if len(mapped) == 1:
        return mapped[0].participants
    return (
        pl.concat([m.participants for m in mapped])
        .group_by("participant_id", maintain_order=True)
        .agg(pl.col("raw_id").first(), pl.col("rows").sum())
    )


def combine_exports(mapped: Sequence[MappedExport], spec: ProjectSpec) -> pl.DataFrame:
    """Return the project's canonical responses frame from its mapped exports.

    Stacks the exports in the given order, numbers waves by date order when the spec says
    ``wave: {date_order: true}`` (:func:`~.waves.number_waves_by_date`), and flags
    near-duplicate raw IDs: when a raw ID with few rows is one typing error (edit distance 1 or
    two swapped adjacent characters) away from a more frequent ID and their waves do not
    overlap, its rows get an ``participant_id_near_duplicate`` issue
    (:func:`~.participants.flag_near_duplicates`). IDs are never merged.
    """
    if not mapped:
        raise ValueError("combine_exports needs at least one mapped export")
    frame = pl.concat([m.frame for m in mapped], how="vertical_relaxed")
    if spec.wave.date_order:
        frame = number_waves_by_date(frame)
    return flag_near_duplicates(frame, participants_of(mapped))
