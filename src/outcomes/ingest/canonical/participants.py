"""Participant IDs: pseudonyms at ingest, rows without an ID, and IDs that look like typing
errors of another participant's ID.

Raw study IDs are replaced by HMAC-SHA256 pseudonyms (``outcomes.privacy``, README "Privacy"); the
raw IDs are held in memory only, for the near-duplicate check over all of a project's exports,
and never written anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from outcomes.ingest.canonical.coding import ExportColumns
from outcomes.ingest.canonical.columns import append_issue
from outcomes.privacy import pseudonyms, require_key

#: a raw ID with at most this many rows may be a typing error of a similar, more frequent ID
NEAR_DUPLICATE_MAX_ROWS = 2

#: seed of the 64-bit hash that groups participant IDs (any fixed value; the grouping is checked)
_ID_HASH_SEED = 20_240_301


def _id_hashes(values: pl.Series) -> pl.Series:
    """Return a 64-bit hash of every value (null for null)."""
    return values.hash(_ID_HASH_SEED).set(values.is_null(), None)


def _distinct_positions(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Return (the distinct non-null ``values``, each row's position among them; null stays
    null).

    Rows are grouped by a 64-bit hash of their value — a third of the time of coding the
    strings against their distinct values — and the grouping is verified: when two different
    values share a hash, the exact route is taken instead.
    """
    hashes = _id_hashes(values)
    first_rows = (
        pl.DataFrame({"hash": hashes})
        .with_row_index("row")
        .drop_nulls("hash")
        .unique("hash", keep="any")
        .sort("hash")
        .get_column("row")
    )
    distinct = values.gather(first_rows)
    positions = (hashes.rank("dense") - 1).cast(pl.UInt32)
    if distinct.is_empty() or not (distinct.gather(positions) != values).any():
        return distinct, positions
    distinct = values.drop_nulls().unique()
    return distinct, values.cast(pl.Enum(distinct)).to_physical().cast(pl.UInt32)


@dataclass
class ParticipantIds:
    """An export's distinct raw participant IDs (stripped), each row's position among them
    (null where the row has no ID), and the distinct IDs' pseudonyms."""

    distinct: pl.Series
    positions: pl.Series
    pseudonyms: list[str]

    @cached_property
    def participants(self) -> pl.DataFrame:
        """One row per participant: ``participant_id`` (pseudonym), ``raw_id``, ``rows``."""
        rows = np.bincount(self.positions.drop_nulls().to_numpy(), minlength=len(self.distinct))
        return pl.DataFrame(
            {
                "participant_id": pl.Series(self.pseudonyms, dtype=pl.String),
                "raw_id": self.distinct,
                "rows": pl.Series(rows, dtype=pl.Int64),
            }
        )


def pseudonymise_ids(column: pl.Series, key: bytes, project: str) -> Future[ParticipantIds]:
    """Return the participant IDs of ``column`` with their pseudonyms, computed in a thread.

    The HMACs are pure Python, one per distinct ID; polars releases the GIL while it maps the
    other columns, so they run alongside. Raises ``MissingKeyError`` at once for an unusable
    key."""
    require_key(key)  # before any work, not when the thread's result is read
    worker = ThreadPoolExecutor(max_workers=1)
    future = worker.submit(_pseudonymised_ids, column, key, project)
    worker.shutdown(wait=False)
    return future


def _pseudonymised_ids(column: pl.Series, key: bytes, project: str) -> ParticipantIds:
    raw = column.str.strip_chars()
    raw = raw.set(raw == "", None)
    distinct, positions = _distinct_positions(raw)
    return ParticipantIds(distinct, positions, pseudonyms(distinct.to_list(), key, project))


def map_participant_ids(export: ExportColumns, ids: ParticipantIds, column: str) -> pl.Series:
    """Return every row's pseudonym (null where the row has no ID) as ``participant_id``.

    A row without an ID keeps its place and gets a ``missing_participant_id`` issue, listed
    before its other issues."""
    if ids.positions.null_count():
        export.row_issue(
            pl.lit(ids.positions.is_null()),
            "participant_id",
            "missing_participant_id",
            f"{column}: no participant ID in this row",
            first=True,
        )
    pseudonym_rows = ids.participants.get_column("participant_id").gather(ids.positions)
    return pseudonym_rows.alias("participant_id")


def is_near_duplicate(a: str, b: str) -> bool:
    """Return True when ``a`` and ``b`` differ by one edit (substitution, insertion, deletion)
    or by swapping two adjacent characters (Damerau–Levenshtein distance 1)."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if la < lb else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def near_duplicate_pairs(counts: Mapping[str, int]) -> list[tuple[str, str]]:
    """Return (rare ID, frequent ID) pairs at distance 1 where the rare one has at most
    ``NEAR_DUPLICATE_MAX_ROWS`` rows and fewer rows than the other.

    Candidates come from shared single-deletion variants (the symmetric-deletion method), so
    the check is linear in the number of IDs, not quadratic.
    """
    rare = [i for i, n in counts.items() if n <= NEAR_DUPLICATE_MAX_ROWS]
    if not rare:
        return []
    index: dict[str, list[str]] = {}
    for raw_id in counts:
        for variant in {raw_id, *(raw_id[:i] + raw_id[i + 1 :] for i in range(len(raw_id)))}:
            index.setdefault(variant, []).append(raw_id)
    pairs: set[tuple[str, str]] = set()
    for raw_id in rare:
        candidates: set[str] = set()
        for variant in {raw_id, *(raw_id[:i] + raw_id[i + 1 :] for i in range(len(raw_id)))}:
            candidates.update(index.get(variant, ()))
        for other in candidates:
            if counts[other] > counts[raw_id] and is_near_duplicate(raw_id, other):
                pairs.add((raw_id, other))
    return sorted(pairs)


def flag_near_duplicates(frame: pl.DataFrame, participants: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with a ``participant_id_near_duplicate`` issue on the rows of rare raw
    IDs that look like typing errors of another ID: one typing error (edit distance 1 or two
    swapped adjacent characters) away from a more frequent ID, and no wave in common with it.
    IDs are never merged.

    ``participants`` holds one row per participant of the exports stacked in ``frame``:
    ``participant_id`` (pseudonym), ``raw_id`` and ``rows``."""
    if not participants.filter(pl.col("rows") <= NEAR_DUPLICATE_MAX_ROWS).height:
        return frame
    counts: dict[str, int] = {}
    pseudonym_of: dict[str, str] = {}
    for pseudonym, raw, n in participants.select("participant_id", "raw_id", "rows").iter_rows():
        counts[raw] = n
        pseudonym_of[raw] = pseudonym
    pairs = near_duplicate_pairs(counts)
    involved = {pseudonym_of[r] for pair in pairs for r in pair}
    waves_of: dict[str, set[int]] = {p: set() for p in involved}
    for pseudonym, wave in (
        frame.filter(pl.col("participant_id").is_in(list(involved)) & pl.col("wave").is_not_null())
        .select("participant_id", "wave")
        .iter_rows()
    ):
        waves_of[pseudonym].add(wave)
    flagged: dict[str, str] = {}
    for rare, other in pairs:
        rare_p, other_p = pseudonym_of[rare], pseudonym_of[other]
        rare_waves, other_waves = waves_of[rare_p], waves_of[other_p]
        if rare_waves and other_waves and rare_waves & other_waves:
            continue  # both measured at the same wave: two people, not a typing error
        flagged.setdefault(
            rare_p,
            f"participant ID has {counts[rare]} row(s) and is one typing error away from "
            f"participant {other_p} ({counts[other]} rows); check whether they are the same "
            "person (not merged)",
        )
    if not flagged:
        return frame
    issue = pl.struct(
        pl.lit("participant_id", dtype=pl.String).alias("column"),
        pl.col("participant_id").alias("value"),
        pl.lit("participant_id_near_duplicate", dtype=pl.String).alias("rule"),
        pl.col("participant_id")
        .replace_strict(flagged, default=None, return_dtype=pl.String)
        .alias("message"),
    )
    return append_issue(frame, pl.col("participant_id").is_in(list(flagged)), issue)
