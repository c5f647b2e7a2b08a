"""The pandera schemas are generated from the instrument definitions and the spec."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl
import pytest

from outcomes.catalog.model import registry
from outcomes.validation import (
    panel_schema,
    quarantine_schema,
    responses_schema,
    validate_responses,
)
from outcomes.validation.schemas import QUARANTINE_COLUMNS

from .helpers import INSTRUMENTS, TODAY, make_instrument, make_spec


def test_item_checks_follow_the_instrument_definitions():
    schema = responses_schema(make_spec(), INSTRUMENTS, today=TODAY)
    for instrument in INSTRUMENTS.values():
        low, high = instrument.item_range()
        for column in instrument.item_columns:
            checks = {c.name: c.statistics for c in schema.columns[column].checks}
            assert checks["in_range"]["min_value"] == low
            assert checks["in_range"]["max_value"] == high
            if instrument.codes:
                assert checks["isin"]["allowed_values"] == [float(c) for c in instrument.codes]
            else:
                assert "isin" not in checks


def test_a_changed_instrument_changes_the_schema():
    wider = dict(INSTRUMENTS)
    wider["mhi5"] = make_instrument("mhi5", "MHI-5", ["mhi5_1"], [0, 1, 2, 3, 4, 5, 6, 7])
    schema = responses_schema(make_spec(), wider, today=TODAY)
    assert schema.columns["mhi5_1"].checks[0].statistics["max_value"] == 7
    assert "mhi5_2" not in schema.columns


def test_only_the_spec_instruments_are_required():
    schema = responses_schema(make_spec(instruments=["mhi5"]), INSTRUMENTS, today=TODAY)
    assert "mhi5_5" in schema.columns
    assert "djg6_1" not in schema.columns
    assert schema.columns["participant_id"].required and schema.columns["wave"].required


def test_unknown_instrument_names_the_project():
    spec = make_spec(instruments=["mhi5", "ucla"])
    with pytest.raises(KeyError, match=r"'proef'.*'ucla'"):
        responses_schema(spec, INSTRUMENTS)


def test_valid_rows_pass_the_pandera_schema_of_record(responses):
    frame = responses.with_columns(
        pl.when(pl.col("source_row") == 3).then(9.0).otherwise(pl.col("mhi5_1")).alias("mhi5_1")
    )
    schema = responses_schema(make_spec(), INSTRUMENTS, today=TODAY)
    with pytest.raises(pa.errors.SchemaErrors):
        schema.validate(frame, lazy=True)
    result = validate_responses(frame, make_spec(), instruments=INSTRUMENTS, today=TODAY)
    schema.validate(result.valid, lazy=True)
    quarantine_schema().validate(result.quarantine, lazy=True)


def test_dates_in_the_future_are_implausible():
    schema = responses_schema(make_spec(), INSTRUMENTS, today=dt.date(2024, 1, 1))
    bounds = schema.columns["assessed_on"].checks[0].statistics
    assert bounds["max_value"] == dt.date(2024, 1, 1)


def panel_frame(**changes: object) -> pl.DataFrame:
    row: dict[str, object] = {
        "participant_id": "p01",
        "project": "proef",
        "site": "Utrecht",
        "arm": None,
        "wave": 1,
        "assessed_on": dt.date(2024, 6, 1),
        "months_since_baseline": 6.0,
        "years": 0.5,
        "mhi5": 64.0,
        "loneliness6": 2.0,
        "lsns6_isolated": False,
        "network_size": 7.0,
        "wellbeing": 64.0,
        "network_size_bl": 5.0,
        "network_family_bl": 3.0,
        "network_diversity_bl": 2.0,
        "network_group": "small",
        "age_bl": 70,
        "gender": "female",
        "status": "completer",
    }
    row.update(changes)
    dtypes = {
        "arm": pl.Utf8,
        "lsns6_isolated": pl.Boolean,
        "age_bl": pl.Int64,
        "wave": pl.Int64,
    }
    return pl.DataFrame([row], schema_overrides=dtypes)


def full_panel_row(**changes: object) -> pl.DataFrame:
    """Return :func:`panel_frame` with every score column of the registry (null when absent)."""
    frame = panel_frame(**changes)
    scores = {s.column: s.dtype for i in registry().values() for s in i.scores}
    frame = frame.with_columns(
        pl.lit(None, dtype=dtype).alias(c) for c, dtype in scores.items() if c not in frame.columns
    )
    return frame.select(list(panel_schema().columns))


def test_panel_schema_accepts_a_panel_row_and_uses_score_ranges():
    schema = panel_schema()
    schema.validate(full_panel_row(), lazy=True)
    loneliness6 = registry()["djg6"].score_by_column("loneliness6")
    assert schema.columns["loneliness6"].checks[0].statistics["max_value"] == loneliness6.maximum
    for changes in (
        {"network_group": "tiny"},
        {"status": "lost"},
        {"wellbeing": 101.0},
        {"loneliness6": loneliness6.maximum + 1},
        {"wave": -1},
        {"network_diversity_bl": 99.0},
    ):
        with pytest.raises(pa.errors.SchemaErrors):
            schema.validate(full_panel_row(**changes), lazy=True)


def test_quarantine_schema_keeps_the_record_columns_in_order():
    schema = quarantine_schema()
    assert list(schema.columns) == list(QUARANTINE_COLUMNS)
    assert schema.strict and schema.ordered
    record = pl.DataFrame(
        [{"project": "proef", "source_file": "t0.csv", "source_row": 2, "participant_id": None,
          "wave": None, "column": "mhi5_1", "value": "9", "rule": "out_of_range",
          "message": "value 9 is outside the allowed range 1–6."}],
        schema=QUARANTINE_COLUMNS,
    )  # fmt: skip
    schema.validate(record, lazy=True)
    for broken in (
        record.with_columns(pl.lit("").alias("message")),
        record.with_columns(pl.lit(0, dtype=pl.Int64).alias("source_row")),
        record.select(list(reversed(record.columns))),
    ):
        with pytest.raises((pa.errors.SchemaErrors, pa.errors.SchemaError)):
            schema.validate(broken, lazy=True)


def test_the_registry_generates_every_schema():
    spec = make_spec(instruments=["mhi5", "djg11", "lsns6", "network_map", "qol_grade"])
    schema = responses_schema(spec, today=TODAY)
    lsns = {c.name: c.statistics for c in schema.columns["lsns6_1"].checks}
    assert lsns["in_range"]["min_value"] == 0  # LSNS-6 keeps its published 0–5 codes
    assert "djg11_11" in schema.columns and "swemwbs_1" not in schema.columns
    panel = panel_schema()
    for column in ("mhi5", "loneliness", "swemwbs", "lsns6_isolated", "network_size", "wellbeing"):
        assert column in panel.columns
