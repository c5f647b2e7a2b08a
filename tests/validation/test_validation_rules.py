"""Each validation rule on small frames: which rows are quarantined, with which records."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from outcomes.validation import (
    ResponsesStructureError,
    check_quarantine_share,
    reconcile,
    validate_responses,
)

from .helpers import INSTRUMENTS, TODAY, clean_responses, make_spec


def run(frame: pl.DataFrame, **options: object):
    spec = options.pop("spec", None) or make_spec()
    return validate_responses(frame, spec, instruments=INSTRUMENTS, today=TODAY, **options)  # type: ignore[arg-type]


def set_cell(frame: pl.DataFrame, file: str, row: int, column: str, value: object) -> pl.DataFrame:
    target = (pl.col("source_file") == file) & (pl.col("source_row") == row)
    dtype = frame.schema[column]
    return frame.with_columns(
        pl.when(target).then(pl.lit(value, dtype=dtype)).otherwise(pl.col(column)).alias(column)
    )


def problems(result) -> list[tuple[str, int, str | None, str | None, str]]:
    return [
        (r["source_file"], r["source_row"], r["column"], r["value"], r["rule"])
        for r in result.quarantine.iter_rows(named=True)
    ]


def test_clean_frame_passes_everything(responses):
    result = run(responses)
    assert result.quarantine.height == 0
    assert result.valid.height == responses.height
    assert "ingest_issues" not in result.valid.columns
    assert result.summary["rows_quarantined"] == 0
    assert result.summary["passed_threshold"]


def test_item_out_of_range_is_one_record_with_value_and_range(responses):
    frame = set_cell(responses, "t0.csv", 3, "mhi5_3", 7.0)
    result = run(frame)
    assert problems(result) == [("t0.csv", 3, "mhi5_3", "7", "out_of_range")]
    assert result.quarantine["message"][0] == (
        "Bestand t0.csv, rij 3, kolom mhi5_3: waarde 7 ligt buiten het toegestane bereik 1–6."
    )
    assert result.valid.height == responses.height - 1


def test_item_inside_range_but_not_a_code(responses):
    frame = set_cell(responses, "t1.csv", 2, "djg6_2", 2.5)
    result = run(frame, lang="en")
    assert problems(result) == [("t1.csv", 2, "djg6_2", "2.5", "code_not_allowed")]
    assert "expected one of 1, 2, 3" in result.quarantine["message"][0]


def test_count_items_use_the_instruments_value_range(responses):
    frame = set_cell(responses, "t0.csv", 2, "net_friends", 51.0)
    frame = set_cell(frame, "t0.csv", 3, "net_family", -1.0)
    frame = set_cell(frame, "t0.csv", 4, "net_household", 50.0)  # upper bound itself is fine
    result = run(frame)
    assert problems(result) == [
        ("t0.csv", 2, "net_friends", "51", "out_of_range"),
        ("t0.csv", 3, "net_family", "-1", "out_of_range"),
    ]


def test_two_broken_columns_give_two_records_one_row(responses):
    frame = set_cell(responses, "t0.csv", 3, "mhi5_1", 0.0)
    frame = set_cell(frame, "t0.csv", 3, "gender", "x")
    result = run(frame)
    assert result.summary["rows_quarantined"] == 1
    assert sorted(r[4] for r in problems(result)) == ["code_not_allowed", "out_of_range"]


def test_missing_items_are_allowed_but_not_all_of_them(responses):
    items = [c for i in INSTRUMENTS.values() for c in i.item_columns]
    frame = set_cell(responses, "t0.csv", 2, "mhi5_1", None)
    for column in items:
        frame = set_cell(frame, "t1.csv", 4, column, None)
    result = run(frame)
    assert problems(result) == [("t1.csv", 4, None, None, "no_items_answered")]
    assert "MHI-5, De Jong Gierveld 6, Netwerkkaart" in result.quarantine["message"][0]


def test_missing_participant_id_and_wave(responses):
    frame = set_cell(responses, "t2.csv", 5, "participant_id", None)
    frame = set_cell(frame, "t2.csv", 6, "wave", None)
    result = run(frame)
    assert problems(result) == [
        ("t2.csv", 5, "participant_id", None, "missing_participant_id"),
        ("t2.csv", 6, "wave", None, "missing_wave"),
    ]


def test_negative_wave_and_implausible_dates(responses):
    frame = set_cell(responses, "t0.csv", 2, "wave", -1)
    frame = set_cell(frame, "t1.csv", 3, "assessed_on", dt.date(1999, 12, 31))
    frame = set_cell(frame, "t2.csv", 4, "assessed_on", TODAY + dt.timedelta(days=1))
    frame = set_cell(frame, "t2.csv", 5, "birth_year", 1850)
    result = run(frame)
    found = {(r[0], r[1], r[2], r[4]) for r in problems(result)}
    assert ("t0.csv", 2, "wave", "out_of_range") in found
    assert ("t1.csv", 3, "assessed_on", "date_implausible") in found
    assert ("t2.csv", 4, "assessed_on", "date_implausible") in found
    assert ("t2.csv", 5, "birth_year", "out_of_range") in found
    # p0000's baseline now claims wave -1: the export holds no baseline for p0000
    assert ("t1.csv", 2, "wave", "followup_without_baseline") in found
    assert len(found) == 6


def test_incomplete_submission(responses):
    frame = set_cell(responses, "t1.csv", 3, "completed", False)
    frame = set_cell(frame, "t1.csv", 4, "completed", None)  # unknown counts as complete
    result = run(frame)
    assert problems(result) == [("t1.csv", 3, "completed", "false", "incomplete_submission")]


def test_wrong_type_values_are_quarantined_not_fatal(responses):
    frame = responses.with_columns(
        pl.col("mhi5_2").cast(pl.Utf8),
        pl.col("wave").cast(pl.Float64),
    )
    frame = set_cell(frame, "t0.csv", 2, "mhi5_2", "vaak")
    frame = set_cell(frame, "t1.csv", 2, "wave", 1.5)
    result = run(frame, lang="en")
    assert problems(result) == [
        ("t0.csv", 2, "mhi5_2", "vaak", "wrong_type"),
        ("t1.csv", 2, "wave", "1.5", "wrong_type"),
    ]
    assert result.quarantine["message"][0].endswith("value vaak is not a number.")
    assert result.valid.schema["mhi5_2"] == pl.Float64
    assert result.valid.schema["wave"] == pl.Int64


def test_ingest_issues_are_quarantined_and_translated(responses):
    issue = {"column": "mhi5_4", "value": "soms wel", "rule": "unknown_label", "message": "x"}
    near = {
        "column": "participant_id",
        "value": "p0002",
        "rule": "participant_id_near_duplicate",
        "message": "looks like another ID",
    }
    other = {"column": "site", "value": "?", "rule": "odd_site", "message": "site unknown"}
    frame = responses.with_columns(
        pl.when(pl.col("source_row") == 3)
        .then(pl.lit([issue, near], dtype=responses.schema["ingest_issues"]))
        .when(pl.col("source_row") == 4)
        .then(pl.lit([other], dtype=responses.schema["ingest_issues"]))
        .otherwise(pl.col("ingest_issues"))
        .alias("ingest_issues")
    ).filter(pl.col("source_file") == "t0.csv")
    result = run(frame.with_columns(wave=pl.lit(0, pl.Int64)))
    rules = [(r[1], r[4]) for r in problems(result)]
    assert rules == [
        (3, "unknown_label"),
        (3, "participant_id_near_duplicate"),
        (4, "odd_site"),
    ]
    text = result.quarantine["message"].to_list()
    assert text[0] == (
        "Bestand t0.csv, rij 3, kolom mhi5_4: antwoord soms wel is onbekend; "
        "verwacht een antwoord uit de vragenlijst."
    )
    assert "tikfout" in text[1]
    assert text[2].endswith("kolom site: site unknown")  # unknown rules keep ingest's words


def duplicate_frame() -> pl.DataFrame:
    """Participant p0000 submitted wave 1 three times: complete, incomplete, complete (later)."""
    base = clean_responses(participants=3, waves=2)
    extra = base.filter((pl.col("participant_id") == "p0000") & (pl.col("wave") == 1))
    second = extra.with_columns(source_row=pl.lit(20, pl.Int64), completed=pl.lit(False))
    third = extra.with_columns(
        source_row=pl.lit(21, pl.Int64),
        assessed_on=pl.col("assessed_on") + pl.duration(days=3),
    )
    return pl.concat([base, second, third])


@pytest.mark.parametrize(
    ("policy", "quarantined", "kept"),
    [
        ("keep_latest_complete", {2, 20}, 21),
        ("keep_first", {20, 21}, 2),
        ("quarantine_all", {2, 20, 21}, None),
    ],
)
def test_duplicate_policies(policy, quarantined, kept):
    result = run(duplicate_frame(), duplicate_policy=policy)
    bad = result.quarantine.filter(pl.col("source_file") == "t1.csv")
    assert set(bad["source_row"]) == quarantined
    assert bad.filter(pl.col("source_row") == 20)["rule"].to_list()[0] == "incomplete_submission"
    duplicates = bad.filter(pl.col("rule") == "duplicate_submission")
    assert set(duplicates["source_row"]) == quarantined - {20}
    survivors = result.valid.filter((pl.col("participant_id") == "p0000") & (pl.col("wave") == 1))[
        "source_row"
    ].to_list()
    assert survivors == ([] if kept is None else [kept])
    if kept is not None:
        assert f"bewaard is rij {kept} van t1.csv" in duplicates["message"][0]


def test_unknown_duplicate_policy_is_refused(responses):
    with pytest.raises(ValueError, match="duplicate_policy"):
        run(responses, duplicate_policy="merge")


def test_followup_before_baseline_and_without_baseline(responses):
    frame = set_cell(responses, "t1.csv", 2, "assessed_on", dt.date(2024, 1, 1))
    frame = frame.filter(~((pl.col("source_file") == "t0.csv") & (pl.col("source_row") == 3)))
    result = run(frame)
    found = problems(result)
    assert ("t1.csv", 2, "assessed_on", "2024-01-01", "followup_before_baseline") in found
    assert ("t1.csv", 3, "wave", "1", "followup_without_baseline") in found
    assert ("t2.csv", 3, "wave", "2", "followup_without_baseline") in found
    assert result.summary["rows_quarantined"] == 3


def test_waves_out_of_order(responses):
    # wave 2 of p0004 (t2.csv row 6) dated before its wave 1, but after baseline
    frame = set_cell(responses, "t2.csv", 6, "assessed_on", dt.date(2024, 5, 1))
    result = run(frame, lang="en")
    assert problems(result) == [("t2.csv", 6, "assessed_on", "2024-05-01", "waves_out_of_order")]
    assert "earlier than an earlier wave dated 2024-07-12" in result.quarantine["message"][0]


def test_missing_instrument_column_is_a_structure_error(responses):
    with pytest.raises(ResponsesStructureError, match=r"djg6_3 \(djg6\)"):
        run(responses.drop("djg6_3"))


def test_ingest_issues_of_the_wrong_shape_are_a_structure_error(responses):
    """The column check runs beside the row rules; its error is the one raised, also when a
    row rule trips over the same column first."""
    issues = pl.Series(
        "ingest_issues", [[7]] + [[]] * (responses.height - 1), dtype=pl.List(pl.Int64)
    )
    with pytest.raises(ResponsesStructureError, match="columns do not match the schema"):
        run(responses.with_columns(issues))


def test_columns_of_unused_instruments_may_be_absent(responses):
    spec = make_spec(instruments=["mhi5"])
    result = run(responses.drop([c for c in responses.columns if c.startswith("djg6")]), spec=spec)
    assert result.quarantine.height == 0


def test_engines_agree_on_a_corrupted_frame(responses):
    frame = set_cell(responses, "t0.csv", 3, "mhi5_3", 7.0)
    frame = set_cell(frame, "t0.csv", 4, "djg6_1", 2.5)
    frame = set_cell(frame, "t1.csv", 5, "wave", None)
    frame = set_cell(frame, "t1.csv", 6, "gender", "vrouw")
    frame = set_cell(frame, "t2.csv", 2, "completed", False)
    frame = set_cell(frame, "t2.csv", 3, "age", 130)
    for column in [c for i in INSTRUMENTS.values() for c in i.item_columns]:
        frame = set_cell(frame, "t2.csv", 7, column, None)
    fast = run(frame)
    reference = run(frame, engine="pandera")
    assert fast.quarantine.height >= 7
    assert fast.quarantine.equals(reference.quarantine)
    assert fast.summary == reference.summary


def test_summary_counts_and_blocking_checks(responses):
    frame = set_cell(responses, "t0.csv", 3, "mhi5_1", 9.0)
    frame = set_cell(frame, "t0.csv", 3, "mhi5_2", 9.0)
    result = run(frame)
    summary = result.summary
    # a quarantined baseline is reported on its own row; its follow-ups stay valid
    assert summary["rows_read"] == 18
    assert summary["rows_quarantined"] == 1
    assert summary["rules"] == {"out_of_range": 2}
    assert summary["rows_by_rule"] == {"out_of_range": 1}
    assert summary["files"]["t0.csv"] == {"rows_read": 6, "rows_valid": 5, "rows_quarantined": 1}
    passed, details = reconcile(summary)
    assert passed and not details["unbalanced_files"]
    passed, details = reconcile(summary, read_counts={"t0.csv": 6, "t1.csv": 7, "t2.csv": 6})
    assert not passed and list(details["unbalanced_files"]) == ["t1.csv"]
    passed, details = check_quarantine_share(summary)
    assert not passed  # 1/18 > 5%
    assert details["top_rules"]["out_of_range"] == 2
    lenient = run(frame, spec=make_spec(quarantine_threshold=0.1))
    assert check_quarantine_share(lenient.summary)[0]


def test_reconcile_catches_a_lost_row():
    summary = {
        "project": "proef",
        "rows_read": 10,
        "rows_valid": 8,
        "rows_quarantined": 1,
        "files": {"a.csv": {"rows_read": 10, "rows_valid": 8, "rows_quarantined": 1}},
    }
    passed, details = reconcile(summary)
    assert not passed
    assert "a.csv" in details["unbalanced_files"]


def test_ingest_explanation_replaces_the_schema_missing_rule(responses):
    issues = responses.schema["ingest_issues"]
    unknown = {"column": "wave", "value": "T9", "rule": "unknown_wave", "message": "meting: T9"}
    no_id = {
        "column": "participant_id",
        "value": None,
        "rule": "missing_participant_id",
        "message": "ID: no participant ID in this row",
    }
    frame = set_cell(responses, "t0.csv", 2, "wave", None)
    frame = set_cell(frame, "t0.csv", 3, "participant_id", None)
    frame = frame.with_columns(
        pl.when((pl.col("source_file") == "t0.csv") & (pl.col("source_row") == 2))
        .then(pl.lit([unknown], dtype=issues))
        .when((pl.col("source_file") == "t0.csv") & (pl.col("source_row") == 3))
        .then(pl.lit([no_id], dtype=issues))
        .otherwise(pl.col("ingest_issues"))
        .alias("ingest_issues")
    )
    result = run(frame, lang="en")
    # the follow-ups of p0000 and p0001 lose their baseline row (no wave, no ID)
    assert [p[4] for p in problems(result) if p[0] != "t0.csv"] == ["followup_without_baseline"] * 4
    assert [p for p in problems(result) if p[0] == "t0.csv"] == [
        ("t0.csv", 2, "wave", "T9", "unknown_wave"),
        ("t0.csv", 3, "participant_id", None, "missing_participant_id"),
    ]
    assert "wave T9 is not recognised" in result.quarantine["message"][0]
    assert "the participant ID is missing" in result.quarantine["message"][1]


@pytest.mark.parametrize("wave_bits", [8, 63])
def test_rows_are_grouped_by_participant_in_wave_order(wave_bits):
    """With 63 wave bits only one bit of the hash is left, so IDs collide and the sort falls
    back to ranking the IDs; both ways every participant's rows are contiguous, by wave."""
    from outcomes.validation.cross_row import by_participant_and_wave as _by_participant_and_wave

    ids = [f"p{n:064x}" for n in (7, 3, 9, 1, 12)]
    rows = pl.DataFrame(
        {
            "participant_id": [ids[i % 5] for i in range(40)],
            "wave": [(i * 7) % 4 for i in range(40)],
            "source_row": list(range(40)),
        }
    )
    ordered = _by_participant_and_wave(rows, wave_bits=wave_bits)
    assert ordered.height == rows.height
    assert sorted(ordered["source_row"]) == list(range(40))
    runs = ordered.select(
        (pl.col("participant_id") != pl.col("participant_id").shift(1)).fill_null(True).sum()
    ).item()
    assert runs == 5  # each participant once
    by_participant = ordered.group_by("participant_id", maintain_order=True).agg("wave")
    for waves in by_participant["wave"]:
        assert list(waves) == sorted(waves)
    same = ordered.select(
        (
            (pl.col("participant_id") == pl.col("participant_id").shift(1))
            == (pl.col("_participant") == pl.col("_participant").shift(1))
        )
        .fill_null(True)
        .all()
    ).item()
    assert same  # the key is equal exactly within a participant

    # without the IDs in the sort (as validation sorts): the same grouping, waves recovered
    lean = _by_participant_and_wave(rows, wave_bits=wave_bits, keep_id=False)
    assert "participant_id" not in lean.columns
    assert lean.schema["wave"] == rows.schema["wave"]
    restored = lean.join(
        rows.select("source_row", "participant_id"), on="source_row", maintain_order="left"
    )
    assert (
        restored.select("source_row", "wave")
        .sort("source_row")
        .equals(rows.select("source_row", "wave"))
    )
    assert restored.select(
        (
            (pl.col("participant_id") == pl.col("participant_id").shift(1))
            == (pl.col("_participant") == pl.col("_participant").shift(1))
        )
        .fill_null(True)
        .all()
    ).item()
    assert (
        restored.select(
            (pl.col("participant_id") != pl.col("participant_id").shift(1)).fill_null(True).sum()
        ).item()
        == 5
    )  # each participant once
    for waves in restored.group_by("participant_id", maintain_order=True).agg("wave")["wave"]:
        assert list(waves) == sorted(waves)


def test_waves_too_large_for_the_key_are_ranked_instead(responses):
    from outcomes.validation.cross_row import by_participant_and_wave as _by_participant_and_wave

    rows = pl.DataFrame({"participant_id": ["b", "a", "b", "a"], "wave": [300, 2, 1, 700]})
    ordered = _by_participant_and_wave(rows)
    assert ordered.select("participant_id", "wave").rows() == [
        ("a", 2), ("a", 700), ("b", 1), ("b", 300)
    ]  # fmt: skip


def test_range_checks_covered_by_allowed_codes_are_left_out_of_the_first_pass(responses):
    """A coded item's range check adds nothing to finding the broken rows (a value out of
    range is no allowed code either); a count's range check has no codes to lean on."""
    from outcomes.validation.row_rules import row_checks as _row_checks
    from outcomes.validation.rules import _schema

    schema = _schema(make_spec(), INSTRUMENTS, TODAY)
    frame = responses.with_row_index("_row")
    screened = {
        (column, rule): flag for column, rule, _, _, flag in _row_checks(frame, schema, "en", "")
    }
    assert screened[("mhi5_3", "out_of_range")] is False
    assert screened[("mhi5_3", "code_not_allowed")] is True
    assert screened[("net_friends", "out_of_range")] is True
    broken = set_cell(set_cell(responses, "t0.csv", 3, "mhi5_3", 7.0), "t0.csv", 2, "mhi5_1", 2.5)
    assert sorted(problems(run(broken))) == [
        ("t0.csv", 2, "mhi5_1", "2.5", "code_not_allowed"),
        ("t0.csv", 3, "mhi5_3", "7", "out_of_range"),
    ]


def test_rows_are_counted_per_file_whether_or_not_a_file_s_rows_are_together():
    from outcomes.validation.rules import _rows_per_file

    together = pl.DataFrame({"source_file": ["t0.csv"] * 3 + ["t1.csv"] * 2})
    interleaved = pl.DataFrame({"source_file": ["t0.csv", "t1.csv", "t0.csv", "t1.csv", "t0.csv"]})
    assert _rows_per_file(together) == {"t0.csv": 3, "t1.csv": 2}
    assert _rows_per_file(interleaved) == {"t0.csv": 3, "t1.csv": 2}
    assert _rows_per_file(together.clear()) == {}
