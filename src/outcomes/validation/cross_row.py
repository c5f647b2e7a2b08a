"""Cross-row rules: what a row breaks together with the other rows of its participant.

They run on the rows that pass every row rule (``row_rules.py``), sorted once by participant and
wave (:func:`by_participant_and_wave`), one function per rule:

- :func:`duplicate_submissions`: more than one row of a participant for the same wave; which
  one is kept follows the duplicate policy;
- :func:`followups_without_baseline`: a follow-up of a participant without any baseline row;
- :func:`followups_before_baseline`: a follow-up dated before the participant's baseline;
- :func:`waves_out_of_order`: a follow-up dated before an earlier follow-up wave.

:func:`cross_row_records` puts them together. The last three share one sequential scan of each
participant's rows (:func:`participant_sequences`) and one pass that screens the rows any of
them can hit; each then builds its records from those few rows.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from outcomes.language import word
from outcomes.validation.row_rules import ROW

DuplicatePolicy = Literal["keep_latest_complete", "keep_first", "quarantine_all"]
DUPLICATE_POLICIES: tuple[str, ...] = ("keep_latest_complete", "keep_first", "quarantine_all")

#: Day offset separating participants in the grouped running maximum (see
#: :func:`participant_sequences`).
_GROUP_SPAN = 10_000_000

_WAVE = pl.col("wave")
_FOLLOWUP = _WAVE > 0
_DAYS = pl.col("assessed_on").cast(pl.Int64)

#: on :func:`participant_sequences`: a follow-up of a participant whose kept rows hold no
#: baseline (:func:`followups_without_baseline` then looks for a baseline in the whole export)
_WITHOUT_KEPT_BASELINE = _FOLLOWUP & ~pl.col("_has_baseline")
#: on :func:`participant_sequences`: a follow-up dated before the participant's dated baseline
_BEFORE_BASELINE = _FOLLOWUP & (pl.col("_baseline_days") >= 0) & (pl.col("_baseline_days") > _DAYS)
#: on :func:`participant_sequences`: a follow-up dated before an earlier follow-up wave
_OUT_OF_ORDER = (
    _FOLLOWUP
    & ~pl.col("_first")
    & (pl.col("_earlier_days") >= 0)
    & (pl.col("_earlier_days") > _DAYS)
)


def by_participant_and_wave(
    rows: pl.DataFrame, *, wave_bits: int = 8, keep_id: bool = True
) -> pl.DataFrame:
    """Return ``rows`` sorted so that each participant's rows are contiguous and in wave order,
    with a ``_participant`` column (UInt64) that is equal exactly within a participant; without
    ``participant_id`` when ``keep_id`` is False (the sort then moves no text).

    Participant IDs are pseudonyms of 65 characters: sorting them as text costs several times
    more than sorting one 64-bit key made of the ID's hash (high 64 − ``wave_bits`` bits) and
    the wave (low ``wave_bits`` bits). Two IDs whose hashes share those high bits would
    interleave; that is detected after the sort (a run of equal keys with different values of a
    second, independent 64-bit hash of the ID) and the rows are then ranked by ID instead, as
    they are when a wave does not fit the low bits.
    """
    span = 2**wave_bits
    if rows.height == 0:
        return rows.with_columns(pl.lit(None, dtype=pl.UInt64).alias("_participant"))
    low, high = rows.select(
        pl.col("wave").min().alias("low"), pl.col("wave").max().alias("high")
    ).row(0)
    if low is not None and low >= 0 and high < span:
        participant = (pl.col("participant_id").hash(seed=20240601) // span) * span
        ordered = rows.select(
            pl.all() if keep_id else pl.all().exclude("participant_id", "wave"),
            (participant + pl.col("wave").cast(pl.UInt64)).alias("_key"),
            pl.col("participant_id").hash(seed=19).alias("_check"),
        ).sort("_key")
        key, check = pl.col("_key") // span, pl.col("_check")
        mixed = ordered.select(((key == key.shift(1)) & (check != check.shift(1))).any()).item()
        if not mixed:
            return ordered.with_columns(
                (key * span).alias("_participant"),
                *(
                    []
                    if keep_id
                    else [(pl.col("_key") % span).cast(rows.schema["wave"]).alias("wave")]
                ),
            ).drop("_key", "_check")
    ranked = rows.with_columns(
        pl.col("participant_id").rank("dense").cast(pl.UInt64).alias("_participant")
    ).sort(["_participant", "wave"])
    return ranked if keep_id else ranked.drop("participant_id")


def duplicate_submissions(
    ordered: pl.DataFrame, delivery: pl.DataFrame, policy: str, lang: str
) -> pl.DataFrame:
    """Return the ``duplicate_submission`` records: every row of a participant × wave that has
    more than one row, except the one ``policy`` keeps.

    ``ordered`` holds row number, participant, wave and date of the rows passing every row
    rule, sorted by :func:`by_participant_and_wave`; ``delivery`` holds every row's
    ``source_file``, ``source_row`` and ``participant_id``, by row number.
    ``keep_latest_complete`` keeps the latest by ``assessed_on`` (undated counts as earliest),
    then file and row — incomplete rows never get here, they break a row rule; ``keep_first``
    keeps the first in delivery order (file, row); ``quarantine_all`` keeps none of them. The
    record says which row was kept. Groups are runs of equal keys in ``ordered``; only the few
    repeated rows are sorted again, on all keys.
    """
    wave = _WAVE
    order = (
        ["assessed_on", "source_file", "source_row"]
        if policy == "keep_latest_complete"
        else ["source_file", "source_row"]
    )
    # file and row of the few repeated rows are looked up by row number after the sort
    pid = pl.col("_participant")
    same_prev = ((pid == pid.shift(1)) & (wave == wave.shift(1))).fill_null(False)
    same_next = ((pid == pid.shift(-1)) & (wave == wave.shift(-1))).fill_null(False)
    repeated = ordered.filter(same_prev | same_next)
    repeated = pl.concat(
        [repeated, delivery.select("source_file", "source_row").gather(repeated.get_column(ROW))],
        how="horizontal",
    ).sort(["_participant", "wave", *order], nulls_last=False)
    if policy == "keep_latest_complete":
        dropped = same_next
        kept_row = pl.when(~same_next).then(pl.col("source_row")).backward_fill()
        kept_file = pl.when(~same_next).then(pl.col("source_file")).backward_fill()
    elif policy == "keep_first":
        dropped = same_prev
        kept_row = pl.when(~same_prev).then(pl.col("source_row")).forward_fill()
        kept_file = pl.when(~same_prev).then(pl.col("source_file")).forward_fill()
    else:
        dropped = same_prev | same_next
        kept_row = pl.lit(None, dtype=pl.Int64)
        kept_file = pl.lit(None, dtype=pl.Utf8)
    # groups stay contiguous among the repeated rows, and neighbouring groups differ in
    # participant or wave, so the same shifts find each group's kept row
    return (
        repeated.with_columns(
            dropped.alias("_dropped"), kept_row.alias("_kept_row"), kept_file.alias("_kept_file")
        )
        .filter(pl.col("_dropped"))
        .select(
            pl.col(ROW),
            pl.lit("wave").alias("column"),
            wave.cast(pl.Utf8).alias("value"),
            pl.lit("duplicate_submission").alias("rule"),
            pl.when(pl.col("_kept_row").is_null())
            .then(pl.lit(word("all_quarantined", lang)))
            .otherwise(pl.format(word("kept", lang), "_kept_row", "_kept_file"))
            .alias("expected"),
        )
    )


def participant_sequences(kept: pl.DataFrame) -> pl.DataFrame:
    """Return ``kept`` (one row per participant × wave, sorted by participant and wave) with
    what the date rules compare a row with, found by sequential scans: ``_first`` (the
    participant's first row), ``_has_baseline`` (the participant's first row is a baseline),
    ``_baseline_days`` (the baseline's date as days, -1 when undated or absent) and
    ``_earlier_days`` (the latest date of the participant's earlier dated follow-ups, -1 when
    none)."""
    pid = pl.col("_participant")
    # each participant's first row, and its group offset, as columns of their own: the
    # sequential scans below read them instead of computing them again
    kept = kept.with_columns((pid != pid.shift(1)).fill_null(True).alias("_first"))
    kept = kept.with_columns(
        (pl.col("_first").cum_sum().cast(pl.Int64) * _GROUP_SPAN).alias("_group")
    )
    new_participant, group = pl.col("_first"), pl.col("_group")
    # running maximum of earlier follow-up dates within a participant: each participant's
    # values are lifted by its group offset so the maximum never reaches back to another one
    dated_followup = _FOLLOWUP & pl.col("assessed_on").is_not_null()
    lifted = pl.when(dated_followup).then(group + _DAYS).otherwise(group - 1)
    return kept.with_columns(
        pl.when(new_participant).then(_WAVE == 0).forward_fill().alias("_has_baseline"),
        pl.when(new_participant)
        .then(pl.when((_WAVE == 0) & pl.col("assessed_on").is_not_null()).then(_DAYS).otherwise(-1))
        .forward_fill()
        .alias("_baseline_days"),
        (lifted.cum_max().shift(1) - group).alias("_earlier_days"),
    )


def _as_date(column: str) -> pl.Expr:
    """Return days since 1970 in ``column`` as date text (YYYY-MM-DD)."""
    return pl.col(column).cast(pl.Int32).cast(pl.Date).cast(pl.Utf8)


def followups_without_baseline(
    sequences: pl.DataFrame, delivery: pl.DataFrame, submitted_baselines: pl.Series
) -> pl.DataFrame:
    """Return the ``followup_without_baseline`` records: follow-ups of participants for whom
    the export holds no baseline row at all.

    ``sequences`` are rows of :func:`participant_sequences`; ``submitted_baselines`` the IDs of
    every baseline row of the export, quarantined or not (a baseline quarantined for its own
    problems is reported on its own row and does not drag its follow-ups along)."""
    orphans = sequences.filter(_WITHOUT_KEPT_BASELINE)
    # whether an orphan's participant submitted a baseline at all: look up the few orphans'
    # IDs among the baselines rather than hashing every baseline ID
    orphans = orphans.with_columns(
        delivery.get_column("participant_id").gather(orphans.get_column(ROW))
    )
    orphan_ids = orphans.get_column("participant_id").unique()
    with_baseline = submitted_baselines.filter(submitted_baselines.is_in(orphan_ids.implode()))
    return orphans.filter(~pl.col("participant_id").is_in(with_baseline.implode())).select(
        pl.col(ROW),
        pl.lit("wave").alias("column"),
        _WAVE.cast(pl.Utf8).alias("value"),
        pl.lit("followup_without_baseline").alias("rule"),
        pl.lit(None, dtype=pl.Utf8).alias("expected"),
    )


def followups_before_baseline(sequences: pl.DataFrame) -> pl.DataFrame:
    """Return the ``followup_before_baseline`` records: follow-ups dated before the
    participant's baseline (whose date is what was expected at the least); ``sequences`` are
    rows of :func:`participant_sequences`."""
    return sequences.filter(_BEFORE_BASELINE).select(
        pl.col(ROW),
        pl.lit("assessed_on").alias("column"),
        pl.col("assessed_on").cast(pl.Utf8).alias("value"),
        pl.lit("followup_before_baseline").alias("rule"),
        _as_date("_baseline_days").alias("expected"),
    )


def waves_out_of_order(sequences: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Return the ``waves_out_of_order`` records: follow-ups dated before an earlier follow-up
    wave of the same participant; ``sequences`` are rows of :func:`participant_sequences`."""
    return sequences.filter(_OUT_OF_ORDER).select(
        pl.col(ROW),
        pl.lit("assessed_on").alias("column"),
        pl.col("assessed_on").cast(pl.Utf8).alias("value"),
        pl.lit("waves_out_of_order").alias("rule"),
        pl.format(word("earlier_wave", lang), _as_date("_earlier_days")).alias("expected"),
    )


def cross_row_records(
    ordered: pl.DataFrame,
    delivery: pl.DataFrame,
    submitted_baselines: pl.Series,
    policy: str,
    lang: str,
) -> pl.DataFrame:
    """Return the records of every cross-row rule for the rows passing every row rule.

    ``ordered`` holds row number, participant, wave and date of those rows, sorted by
    :func:`by_participant_and_wave`; ``delivery`` holds every row's ``source_file``,
    ``source_row`` and ``participant_id``, by row number; ``submitted_baselines`` the IDs of
    every baseline row. Duplicates follow ``policy`` (:func:`duplicate_submissions`); the date
    and baseline rules look at the rows kept, one per participant × wave.
    """
    duplicates = duplicate_submissions(ordered, delivery, policy, lang)
    kept = ordered.filter(~pl.col(ROW).is_in(duplicates.get_column(ROW).implode()))
    # the three rules are screened in one pass; records are built from the few rows they hit
    suspects = participant_sequences(kept).filter(
        _WITHOUT_KEPT_BASELINE | _BEFORE_BASELINE | _OUT_OF_ORDER
    )
    return pl.concat(
        [
            duplicates,
            followups_without_baseline(suspects, delivery, submitted_baselines),
            followups_before_baseline(suspects),
            waves_out_of_order(suspects, lang),
        ]
    )
