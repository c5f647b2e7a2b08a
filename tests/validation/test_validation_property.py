"""Property: random corruption of a valid responses frame never loses a row.

For every export file, rows read = rows valid + rows quarantined, and the valid and quarantined
rows are exactly the rows read (none twice, none missing).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomes.validation import reconcile, validate_responses

from .helpers import INSTRUMENTS, ITEMS, TODAY, clean_responses, make_spec

BAD_ITEM_VALUES = [-5.0, 0.0, 2.5, 7.0, 99.0, None]
BAD_WAVES = [-1, None, 7]


def _set(frame: pl.DataFrame, index: int, column: str, value: object) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.int_range(pl.len()) == index)
        .then(pl.lit(value, dtype=frame.schema[column]))
        .otherwise(pl.col(column))
        .alias(column)
    )


@st.composite
def corrupted_responses(draw: st.DrawFn) -> pl.DataFrame:
    frame = clean_responses(participants=draw(st.integers(2, 6)), waves=draw(st.integers(1, 3)))
    for _ in range(draw(st.integers(0, 8))):
        index = draw(st.integers(0, frame.height - 1))
        kind = draw(
            st.sampled_from(
                [
                    "item",
                    "null_id",
                    "null_items",
                    "wave",
                    "incomplete",
                    "duplicate",
                    "dates",
                    "ingest",
                ]
            )
        )
        if kind == "item":
            column = draw(st.sampled_from(ITEMS))
            frame = _set(frame, index, column, draw(st.sampled_from(BAD_ITEM_VALUES)))
        elif kind == "null_id":
            frame = _set(frame, index, "participant_id", None)
        elif kind == "null_items":
            for column in ITEMS:
                frame = _set(frame, index, column, None)
        elif kind == "wave":
            frame = _set(frame, index, "wave", draw(st.sampled_from(BAD_WAVES)))
        elif kind == "ingest":
            issue = {"column": "mhi5_1", "value": "?", "rule": "unknown_label", "message": "?"}
            frame = _set(frame, index, "ingest_issues", [issue])
        elif kind == "incomplete":
            frame = _set(frame, index, "completed", False)
        elif kind == "duplicate":
            # the copy is a new line of the same file (appended below the last one)
            last = int(frame["source_row"].max())  # type: ignore[arg-type]
            copy = frame.slice(index, 1).with_columns(source_row=pl.lit(last + 1, pl.Int64))
            frame = pl.concat([frame, copy])
        else:
            offsets = draw(
                st.lists(st.integers(-400, 400), min_size=frame.height, max_size=frame.height)
            )
            frame = frame.with_columns(
                pl.col("assessed_on") + pl.Series(offsets).cast(pl.Int64) * pl.duration(days=1)
            )
    return frame


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    frame=corrupted_responses(),
    policy=st.sampled_from(["keep_latest_complete", "keep_first", "quarantine_all"]),
)
def test_corruption_never_loses_a_row(frame: pl.DataFrame, policy: str) -> None:
    result = validate_responses(
        frame, make_spec(), instruments=INSTRUMENTS, today=TODAY, duplicate_policy=policy
    )
    key = ["source_file", "source_row"]
    read = frame.select(key)
    valid = result.valid.select(key)
    quarantined = result.quarantine.select(key).unique()
    # disjoint and complete: every row read is either valid or quarantined, never both
    assert valid.join(quarantined, on=key, how="inner").height == 0
    both = pl.concat([valid, quarantined]).sort(key)
    assert both.equals(read.sort(key))
    # per file, from independent counts
    for (name,), rows in frame.group_by("source_file"):
        n_valid = valid.filter(pl.col("source_file") == name).height
        n_quarantined = quarantined.filter(pl.col("source_file") == name).height
        assert rows.height == n_valid + n_quarantined
        assert result.summary["files"][name] == {
            "rows_read": rows.height,
            "rows_valid": n_valid,
            "rows_quarantined": n_quarantined,
        }
    assert reconcile(result.summary)[0]
    assert result.quarantine["message"].str.starts_with("Bestand ").all()
    assert result.quarantine["rule"].null_count() == 0
    # valid rows hold no duplicate participant × wave and no follow-up dated before baseline
    assert not result.valid.select("participant_id", "wave").is_duplicated().any()
    baseline = result.valid.filter(pl.col("wave") == 0).select(
        "participant_id", pl.col("assessed_on").alias("bl")
    )
    early = result.valid.filter(pl.col("wave") > 0).join(baseline, on="participant_id")
    assert early.filter(pl.col("assessed_on") < pl.col("bl")).height == 0
    ordered = result.valid.filter(pl.col("wave") > 0).sort("participant_id", "wave")
    earlier = pl.col("assessed_on").cum_max().shift(1).over("participant_id")
    assert ordered.filter(pl.col("assessed_on") < earlier).height == 0
    assert result.valid.filter(pl.col("assessed_on") > TODAY).height == 0
    assert dt.date(2000, 1, 1) <= (result.valid["assessed_on"].min() or dt.date(2000, 1, 1))
