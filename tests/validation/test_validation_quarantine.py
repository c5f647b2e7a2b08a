"""The files and text data managers get: JSON summary, Excel-safe CSV, printed summary."""

from __future__ import annotations

import json

import polars as pl

from outcomes.validation import (
    format_summary,
    message,
    validate_responses,
    write_quarantine_csv,
    write_validation_json,
)

from .helpers import INSTRUMENTS, TODAY, make_spec


def quarantine_of(frame: pl.DataFrame, lang: str = "nl"):
    return validate_responses(frame, make_spec(), instruments=INSTRUMENTS, today=TODAY, lang=lang)


def corrupt(responses: pl.DataFrame) -> pl.DataFrame:
    return responses.with_columns(
        pl.when(pl.col("source_row") == 4)
        .then(pl.lit('=HYPERLINK("x")'))
        .when(pl.col("source_row") == 2)
        .then(pl.lit("élève"))
        .otherwise(pl.col("gender"))
        .alias("gender"),
        pl.when(pl.col("source_row") == 3)
        .then(-3.0)
        .otherwise(pl.col("net_friends"))
        .alias("net_friends"),
    )


def test_quarantine_csv_is_safe_for_excel(tmp_path, responses):
    result = quarantine_of(corrupt(responses))
    path = write_quarantine_csv(result.quarantine, tmp_path / "quarantine" / "proef.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "élève" in text
    back = pl.read_csv(path, separator=";", encoding="utf8", infer_schema=False)
    assert back.height == result.quarantine.height
    cells = [v for column in back.columns for v in back[column].drop_nulls().to_list()]
    assert not [v for v in cells if v[0] in "=+-@\t\r"]
    assert '\'=HYPERLINK("x")' in back["value"].to_list()
    assert "'-3" in back["value"].to_list()
    keys = list(zip(back["source_file"], back["source_row"].cast(int), strict=True))
    assert keys == sorted(keys)


def test_validation_json_roundtrip(tmp_path, responses):
    result = quarantine_of(corrupt(responses))
    path = write_validation_json(result.summary, tmp_path / "validation" / "proef.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["rows_read"] == data["rows_valid"] + data["rows_quarantined"]
    assert data["rules"] == result.summary["rules"]
    assert set(data["files"]) == {"t0.csv", "t1.csv", "t2.csv"}


def test_format_summary_in_both_languages(responses):
    nl = quarantine_of(corrupt(responses))
    text = format_summary(nl.summary, nl.quarantine, "nl", first=2)
    assert text.startswith("Validatie proef: 18 rijen gelezen, 9 geldig, 9 apart gezet (50,0%")
    assert "BOVEN DE DREMPEL" in text
    assert "code_not_allowed" in text and "geen toegestane code" in text
    assert "t0.csv: 6 = 3 + 3" in text
    assert "Eerste 2 van 9 problemen:" in text
    assert text.count("Bestand ") == 2
    en = quarantine_of(corrupt(responses), lang="en")
    text = format_summary(en.summary, en.quarantine, "en")
    assert "9 quarantined (50.0%; threshold 5.0%: ABOVE THE THRESHOLD)" in text
    assert "First 9 of 9 problems:" in text


def test_format_summary_of_a_clean_export(responses):
    result = quarantine_of(responses)
    text = format_summary(result.summary, result.quarantine, "en")
    assert "No problems found." in text


def test_messages_name_file_row_column_value_and_expectation():
    nl = message(
        "out_of_range",
        "nl",
        source_file="t0.csv",
        source_row=57,
        column="mhi5_3",
        value="7",
        expected="1–6",
    )
    assert (
        nl
        == "Bestand t0.csv, rij 57, kolom mhi5_3: waarde 7 ligt buiten het toegestane bereik 1–6."
    )
    en = message("missing_participant_id", "en", source_file="b.xlsx", source_row=3)
    assert (
        en == "File b.xlsx, row 3: the participant ID is missing; every row needs a participant ID."
    )
