"""The wave (0 = baseline) of every row, found as the spec's ``wave`` rule says.

``wave.column``: the raw wave value of the row (the spec's ``wave.labels``, numbers, ``T0``,
``meting 2``, ``Nulmeting`` …); ``wave.file_pattern``: a regular expression on the file name, or
on the sheet name of a workbook whose file name gives none; ``wave.date_order``: each
participant's assessment dates in order over all of a project's exports (earliest = 0, equal
dates share a wave); ``wave.constant``: the same wave for every row, for an export of a single
measurement. A row whose wave cannot be found gets an ``unknown_wave`` issue.
"""

from __future__ import annotations

import re

import polars as pl

from outcomes.ingest.canonical.coding import ExportColumns, ValueMap
from outcomes.ingest.canonical.columns import append_issue, row_issue
from outcomes.ingest.canonical.values import number_key, parse_wave
from outcomes.ingest.readers.base import SOURCE_SHEET


def map_wave(export: ExportColumns, column: str | None) -> pl.Expr:
    """Return the ``wave`` column of one export; ``column`` is the export column the spec's
    ``wave.column`` names (None for the other rules).

    Under ``wave.constant`` every row gets that wave (docs/architecture.md, "Specs without
    instruments and single measurements"). Under ``wave.date_order`` the column stays empty
    here: :func:`number_waves_by_date` fills it in once all of the project's exports are
    stacked."""
    spec, codes, name = export.spec, export.codes, export.name
    labels = {number_key(k): v for k, v in spec.wave.labels.items()}
    if column:
        wave_map = ValueMap()
        for value in codes.distinct(column):
            wave = parse_wave(value, labels) if number_key(value) not in export.missing else None
            if wave is None:
                wave_map.bad(
                    value,
                    "unknown_wave",
                    f"{column}: {value!r} is not a known wave; add it to the spec's wave.labels",
                )
            else:
                wave_map.values[value] = wave
        mapped = export.apply(column, wave_map, pl.Int64(), "wave")
        if codes.frame.get_column(column).null_count():
            export.row_issue(
                pl.col(column).is_null(), "wave", "unknown_wave", f"{column}: no wave in this row"
            )
        return mapped
    if spec.wave.constant is not None:
        return pl.lit(spec.wave.constant, dtype=pl.Int64).alias("wave")
    if spec.wave.file_pattern is None:  # date_order
        return pl.lit(None, dtype=pl.Int64).alias("wave")
    pattern = re.compile(spec.wave.file_pattern)
    match = pattern.search(name)
    named = match is not None and "wave" in pattern.groupindex
    wave = parse_wave(match.group("wave"), labels) if match is not None and named else None
    if wave is None and SOURCE_SHEET in codes.frame.columns:
        sheet_map = ValueMap()
        for sheet in codes.distinct(SOURCE_SHEET):
            sheet_match = pattern.search(sheet)
            sheet_wave = parse_wave(sheet_match.group("wave"), labels) if sheet_match else None
            if sheet_wave is None:
                sheet_map.bad(
                    sheet, "unknown_wave", f"sheet {sheet!r}: wave.file_pattern does not match"
                )
            else:
                sheet_map.values[sheet] = sheet_wave
        return export.apply(SOURCE_SHEET, sheet_map, pl.Int64(), "wave")
    if wave is None:
        export.warn(
            "wave_pattern_unmatched",
            f"{name}: wave.file_pattern {spec.wave.file_pattern!r} does not give a wave "
            "for this file name; wave left empty",
            pattern=spec.wave.file_pattern,
        )
        export.row_issue(
            pl.lit(True),
            "wave",
            "unknown_wave",
            f"file name {name!r} does not match wave.file_pattern",
        )
    return pl.lit(wave, dtype=pl.Int64).alias("wave")


def number_waves_by_date(frame: pl.DataFrame) -> pl.DataFrame:
    """Return the stacked exports of a project with ``wave`` numbered by date order: per
    participant the earliest ``assessed_on`` is 0 and equal dates share a wave; a row without
    an assessment date gets no wave and an ``unknown_wave`` issue."""
    rank = pl.col("assessed_on").rank("dense").over("participant_id") - 1
    frame = frame.with_columns(
        pl.when(pl.col("assessed_on").is_not_null()).then(rank.cast(pl.Int64)).alias("wave")
    )
    return append_issue(
        frame,
        pl.col("assessed_on").is_null(),
        row_issue(
            "wave",
            "unknown_wave",
            "no assessment date, so the wave cannot be found from the date order",
        ),
    )
