"""Raw → canonical mapping: values, waves, dates, identifiers, near-duplicate IDs, contract."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outcomes.ingest import ExportError, ingest_file
from outcomes.ingest.canonical import (
    ISSUES_DTYPE,
    combine_exports,
    is_near_duplicate,
    near_duplicate_pairs,
    parse_date,
    parse_number,
    parse_wave,
    to_canonical,
)
from outcomes.ingest.readers import read_export
from outcomes.privacy import pseudonymise

from .conftest import KEY, fake_registry, make_spec


def run(tmp_path: Path, text: str, name: str = "export.csv", **overrides):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    spec = make_spec(**overrides)
    return ingest_file(path, spec, KEY, registry=fake_registry())


def test_contract_columns_and_types(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "ID,Meting,Datum,V1,V2,V3,Vrienden,Geslacht,Geboren\n"
        "P1,Nulmeting,01-02-2024,Nooit,Soms,Vaak,3,Vrouw,1950\n",
        columns={
            "V1": "mood_1",
            "V2": "mood_2",
            "V3": "mood_3",
            "Vrienden": "n_friends",
            "Geslacht": "gender",
            "Geboren": "birth_year",
        },
    )
    frame = result.responses
    assert frame.columns == [
        "project", "participant_id", "wave", "assessed_on", "site", "arm", "gender",
        "birth_year", "age", "completed", "mood_1", "mood_2", "mood_3", "n_friends",
        "source_file", "source_sha256", "source_row", "ingest_issues",
    ]  # fmt: skip
    assert frame.schema["wave"] == pl.Int64 and frame.schema["assessed_on"] == pl.Date
    assert frame.schema["mood_1"] == pl.Float64 and frame.schema["completed"] == pl.Boolean
    assert frame.schema["ingest_issues"] == ISSUES_DTYPE
    row = frame.row(0, named=True)
    assert row["participant_id"] == pseudonymise(pl.Series(["P1"]), KEY, "testproj")[0]
    assert row["participant_id"].startswith("p") and len(row["participant_id"]) == 65
    assert (row["gender"], row["birth_year"], row["age"]) == ("female", 1950, 74)
    assert row["source_sha256"] == result.files[0].sha256 and row["source_row"] == 2


def test_value_labels_missing_codes_and_decimal_comma(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "ID;Meting;Datum;V1;V2;V3;Vrienden;Sekse\n"
        "P1;Nulmeting;;heel vaak;-9;n.v.t.;2,5;1\n"
        "P2;Nulmeting;;NOOIT ;99;Soms;-9;2\n",
        value_labels={"mood": {"heel vaak": 3}, "gender": {"1": "male", "2": "female"}},
        missing_codes=[-9, 99, "n.v.t."],
        columns={"V1": "mood_1", "V2": "mood_2", "V3": "mood_3", "Vrienden": "n_friends",
                 "Sekse": "gender"},
    )  # fmt: skip
    frame = result.responses
    assert frame.get_column("mood_1").to_list() == [3.0, 1.0]
    assert frame.get_column("mood_2").to_list() == [None, None]
    assert frame.get_column("mood_3").to_list() == [None, 2.0]
    assert frame.get_column("n_friends").to_list() == [2.5, None]
    assert frame.get_column("gender").to_list() == ["male", "female"]
    assert frame.get_column("ingest_issues").list.len().to_list() == [0, 0]


def test_explicit_decimal_point_only(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "ID;Meting;Datum;V1;V2;V3;Vrienden\nP1;Nulmeting;;1;2;3;2,5\n",
        export={"decimal_comma": False},
    )
    assert result.responses.get_column("n_friends").to_list() == [None]
    assert result.summary["issues"] == {"not_a_number": 1}


def test_bad_date_and_unknown_wave_keep_the_row(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "ID,Meting,Datum,V1,V2,V3,Vrienden\n"
        "P1,Nulmeting,31-02-2024,1,2,3,1\n"
        "P2,Nameting,12/31/2024,1,2,3,1\n",
    )
    frame = result.responses
    assert frame.height == 2
    assert frame.get_column("assessed_on").to_list() == [None, None]
    assert frame.get_column("wave").to_list() == [0, None]
    assert result.summary["issues"] == {"bad_date": 2, "unknown_wave": 1}


def test_wave_from_file_name(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "ID,Datum,V1,V2,V3,Vrienden\nP1,,1,2,3,1\n",
        name="export_T2.csv",
        wave={"file_pattern": r"_T(?P<wave>\d+)"},
    )
    assert result.responses.get_column("wave").to_list() == [2]


def test_wave_from_date_order_across_files(tmp_path: Path) -> None:
    spec = make_spec(wave={"date_order": True})
    mapped = []
    for name, text in {
        "a.csv": "ID,Datum,V1,V2,V3,Vrienden\nP1,2024-06-01,1,2,3,1\nP2,2024-01-01,1,2,3,1\n",
        "b.csv": "ID,Datum,V1,V2,V3,Vrienden\nP1,2024-01-01,1,2,3,1\nP2,,1,2,3,1\n",
    }.items():
        path = tmp_path / name
        path.write_text(text)
        mapped.append(to_canonical(read_export(path, spec), spec, KEY, registry=fake_registry()))
    frame = combine_exports(mapped, spec)
    assert frame.get_column("wave").to_list() == [1, 0, 0, None]
    assert frame.get_column("source_file").to_list() == ["a.csv", "a.csv", "b.csv", "b.csv"]
    assert frame.get_column("ingest_issues").list.len().to_list() == [0, 0, 0, 1]


def test_completed_and_age_at_assessment(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "ID,Meting,Datum,V1,V2,V3,Vrienden,Klaar,Geb\n"
        "P1,Nulmeting,01-03-2024,1,2,3,1,Ja,15-03-1950\n"
        "P2,Nulmeting,01-03-2024,1,2,3,1,,1950-02-01\n"
        "P3,Nulmeting,01-03-2024,1,2,3,1,0,\n",
        completed="Klaar",
        columns={"V1": "mood_1", "V2": "mood_2", "V3": "mood_3", "Vrienden": "n_friends",
                 "Geb": "birth_date"},
    )  # fmt: skip
    frame = result.responses
    assert frame.get_column("completed").to_list() == [True, False, False]
    assert frame.get_column("birth_year").to_list() == [1950, 1950, None]
    assert frame.get_column("age").to_list() == [73, 74, None]
    assert "birth_date" not in frame.columns and "_birth_date" not in frame.columns


def test_identifier_columns_never_leave_and_mapped_identifiers_are_refused(
    tmp_path: Path,
) -> None:
    text = (
        "ID,Meting,Datum,V1,V2,V3,Vrienden,Naam,Contact,Telefoon,Opmerking\n"
        "P1,Nulmeting,,1,2,3,1,Jan,jan@example.nl,0612345678,gaat goed\n"
        "P2,Nulmeting,,1,2,3,1,Piet,piet@example.nl,06-87654321,\n"
    )
    result = run(tmp_path, text, free_text=["Opmerking"])
    assert set(result.files[0].identifier_like) == {"Naam", "Contact", "Telefoon"}
    assert result.files[0].unmapped == []
    flat = str(result.responses.to_dicts())
    for secret in ("Jan", "jan@example.nl", "0612345678", "gaat goed", "P1"):
        assert secret not in flat
    with pytest.raises(ExportError, match=r"column 'Contact'.*e-mail.*identifiers"):
        run(tmp_path, text, columns={"V1": "mood_1", "V2": "mood_2", "V3": "mood_3",
                                     "Vrienden": "n_friends", "Contact": "gender"})  # fmt: skip


def test_issue_values_never_carry_identifiers(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "ID,Meting,Datum,V1,V2,V3,Vrienden\nP1,Nulmeting,,jan@example.nl,2,3,1\n"
        "P2,Nulmeting,,1,2,3,1\nP3,Nulmeting,,2,2,3,1\nP4,Nulmeting,,Vaak,2,3,1\n",
    )
    issue = result.responses.get_column("ingest_issues").to_list()[0][0]
    assert issue["rule"] == "unknown_label"
    assert issue["value"] == "<redacted e-mail>"
    assert "jan@example.nl" not in str(result.responses.get_column("ingest_issues").to_list())


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("P017", "P071", True),  # transposition
        ("P017", "P018", True),  # substitution
        ("P017", "P0177", True),  # insertion
        ("P017", "P17", True),  # deletion
        ("P017", "P107", True),
        ("P017", "P710", False),
        ("P017", "P017", False),
        ("P017", "Q018", False),
    ],
)
def test_is_near_duplicate(a: str, b: str, near: bool) -> None:
    assert is_near_duplicate(a, b) is near
    assert is_near_duplicate(b, a) is near


def test_near_duplicate_pairs_need_a_rare_id() -> None:
    counts = {"P017": 3, "P071": 1, "P018": 3, "P200": 1, "P300": 1}
    assert near_duplicate_pairs(counts) == [("P071", "P017")]


def test_near_duplicate_flag_on_rare_id_rows_only(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "ID,Meting,Datum,V1,V2,V3,Vrienden\n"
        "P017,Nulmeting,,1,2,3,1\n"
        "P018,Nulmeting,,1,2,3,1\n"
        "P018,Vervolg,,1,2,3,1\n"
        "P071,Vervolg,,1,2,3,1\n"
        "P019,Nulmeting,,1,2,3,1\n",
    )
    issues = result.responses.get_column("ingest_issues").to_list()
    rules = [[i["rule"] for i in row] for row in issues]
    # P071 (1 row, wave 1) is one swap from P017 (1 row)? no: equal counts, not flagged;
    # P019 (1 row) vs P018 (2 rows) share wave 0: two people, not flagged.
    assert rules == [[], [], [], [], []]
    result = run(
        tmp_path,
        "ID,Meting,Datum,V1,V2,V3,Vrienden\n"
        "P017,Nulmeting,,1,2,3,1\n"
        "P017,Vervolg,,1,2,3,1\n"
        "P071,2,,1,2,3,1\n",
        wave={"column": "Meting", "labels": {"Nulmeting": 0, "Vervolg": 1}},
    )
    frame = result.responses
    issues = frame.get_column("ingest_issues").to_list()
    assert [[i["rule"] for i in row] for row in issues] == [
        [],
        [],
        ["participant_id_near_duplicate"],
    ]
    flagged = issues[2][0]
    ids = frame.get_column("participant_id").to_list()
    assert flagged["value"] == ids[2] and ids[0] in flagged["message"]
    assert "P017" not in flagged["message"] and "P071" not in flagged["message"]
    assert frame.get_column("participant_id").n_unique() == 2  # not merged


def test_parsers() -> None:
    assert parse_number("3,5", None) == 3.5
    assert parse_number("3,5", False) is None
    assert parse_number(" 4 ", None) == 4.0
    assert parse_number("vier", None) is None
    assert parse_date("2024-03-01T10:00:00") == dt.date(2024, 3, 1)
    assert parse_date("1-3-2024") == dt.date(2024, 3, 1)
    assert parse_date("01.03.2024") == dt.date(2024, 3, 1)
    assert parse_date("1 maart 2024") == dt.date(2024, 3, 1)
    assert parse_date("45352") == dt.date(2024, 3, 1)
    assert parse_date("03/31/2024") is None
    assert parse_wave("T0", {}) == 0 and parse_wave("Meting 2", {}) == 2
    assert parse_wave("baseline_arm_1", {}) == 0
    assert parse_wave("anders", {"anders": 4}) == 4
    assert parse_wave("nameting", {}) is None


def test_real_registry_maps_dutch_labels(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("ID,Meting,a,b,c,d,e\nP1,T0,Voortdurend,Meestal,Vaak,Soms,Zelden\n")
    spec = make_spec(
        assessed_on=None,
        wave={"column": "Meting"},
        columns={c: f"mhi5_{i}" for i, c in enumerate("abcde", start=1)},
        instruments=["mhi5"],
        primary_wellbeing="mhi5",
    )
    frame = ingest_file(path, spec, KEY).responses
    assert frame.select(f"mhi5_{i}" for i in range(1, 6)).row(0) == (1.0, 2.0, 3.0, 4.0, 5.0)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.integers(0, 39), st.integers(0, 14), st.integers(1890, 2030)).map(
                lambda t: f"{t[0]:02d}-{t[1]:02d}-{t[2]:04d}"
            ),
            st.tuples(st.integers(1890, 2030), st.integers(0, 14), st.integers(0, 39)).map(
                lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"
            ),
            st.text(alphabet="0123456789-/. ", max_size=12),
        ),
        max_size=30,
    )
)
def test_common_dates_read_as_parse_date_does(values: list[str]) -> None:
    from outcomes.ingest.canonical import common_dates

    fast = common_dates(values)
    for value in values:
        if value in fast:
            assert fast[value] == parse_date(value)
        elif parse_date(value) is not None:
            # left to parse_date: another shape (D-M-YYYY, dots, slashes, a time, spaces)
            assert not re.fullmatch(r"\d{2}-\d{2}-\d{4}|\d{4}-\d{2}-\d{2}", value)


def test_values_first_seen_after_the_first_rows_are_mapped(tmp_path: Path) -> None:
    # the mapping tries the distinct values of the first 10,000 rows first; a label, a wave,
    # an unknown answer and dates that appear only later must map exactly as early ones do
    lines = ["ID,Meting,Datum,V1,V2,V3,Vrienden"]
    for i in range(12_000):
        late = i >= 11_000
        lines.append(
            f"P{i // 2},{'Vervolg' if late else 'Nulmeting'},"
            f"{dt.date(2020, 1, 1) + dt.timedelta(days=i):%d-%m-%Y},"
            f"{'Vaak' if late else 'Nooit'},{'Misschien' if i == 11_500 else 'Soms'},"
            f"{'Vaak' if late else ''},{i % 7 if i < 11_999 else 30}"
        )
    lines.append(",Vervolg,,Soms,Soms,Soms,1")  # a row without a participant ID
    result = run(tmp_path, "\n".join(lines) + "\n")
    frame = result.responses
    assert frame.height == 12_001
    assert frame.get_column("mood_1").value_counts().sort("mood_1").rows() == [
        (1.0, 11_000),
        (2.0, 1),
        (3.0, 1_000),
    ]
    assert frame.get_column("wave").to_list()[10_999:11_001] == [0, 1]
    assert frame.get_column("assessed_on").to_list()[11_998] == dt.date(2052, 11, 6)
    assert frame.get_column("n_friends").to_list()[11_999:] == [30.0, 1.0]
    assert frame.get_column("mood_3").null_count() == 11_000
    issues = frame.filter(pl.col("ingest_issues").list.len() > 0)
    assert issues.get_column("source_row").to_list() == [11_502, 12_002]
    assert issues.get_column("ingest_issues").list.first().struct.field("rule").to_list() == [
        "unknown_label",
        "missing_participant_id",
    ]
    assert result.summary["participants"] == 6_000  # the row without an ID is no participant
    assert frame.get_column("participant_id").null_count() == 1


@pytest.mark.parametrize("collide", [False, True])
def test_distinct_positions_are_exact_even_when_hashes_collide(
    collide: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from outcomes.ingest.canonical import participants as canonical

    if collide:  # every value of the same length gets the same hash
        monkeypatch.setattr(
            canonical,
            "_id_hashes",
            lambda values: values.str.len_bytes().cast(pl.UInt64),
        )
    values = pl.Series(["P2", "P10", None, "P1", "P10", "P3", None, "P2"])
    distinct, positions = canonical._distinct_positions(values)
    assert sorted(distinct.to_list()) == ["P1", "P10", "P2", "P3"]
    assert positions.null_count() == 2
    assert distinct.gather(positions).to_list() == values.to_list()


def test_age_at_assessment_counts_birthdays_like_the_calendar(tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    pairs = [
        (dt.date(2000, 2, 29), dt.date(2024, 2, 28)),
        (dt.date(2000, 2, 29), dt.date(2024, 2, 29)),
    ]
    pairs += [
        (dt.date(1950, 12, 31), dt.date(2024, 1, 1)),
        (dt.date(2030, 6, 1), dt.date(2024, 6, 1)),
    ]
    for _ in range(300):
        born = dt.date(1920, 1, 1) + dt.timedelta(days=rng.randrange(36_000))
        pairs.append((born, born + dt.timedelta(days=rng.randrange(-400, 40_000))))
    lines = ["ID,Meting,Datum,V1,V2,V3,Vrienden,Geb"]
    lines += [f"P{i},Nulmeting,{a:%d-%m-%Y},1,2,3,1,{b:%Y-%m-%d}" for i, (b, a) in enumerate(pairs)]
    result = run(
        tmp_path,
        "\n".join(lines) + "\n",
        columns={"V1": "mood_1", "V2": "mood_2", "V3": "mood_3", "Vrienden": "n_friends",
                 "Geb": "birth_date"},
    )  # fmt: skip
    expected = [a.year - b.year - ((a.month, a.day) < (b.month, b.day)) for b, a in pairs]
    assert result.responses.get_column("age").to_list() == expected
    assert result.responses.get_column("birth_year").to_list() == [b.year for b, _ in pairs]


def test_export_whose_mapped_columns_are_all_empty(tmp_path: Path) -> None:
    result = run(tmp_path, "ID,Meting,Datum,V1,V2,V3,Vrienden\nP1,,,,,,\nP2,,,,,,\nP3,,,,,,\n")
    frame = result.responses
    assert frame.height == 3
    assert frame.get_column("mood_1").null_count() == 3
    assert frame.get_column("wave").null_count() == 3
    assert result.summary["issues"] == {"unknown_wave": 3}


def test_warnings_about_the_file_come_with_the_ingest_result(tmp_path: Path) -> None:
    """Ingest returns what it noticed about a file as a whole: each warning in English, with
    the kind and fields ``outcomes validate`` words in the user's language."""
    result = run(
        tmp_path,
        "ID,Datum,V1,V2,Vrienden,Mail\n"
        "P1,01-03-2024,Nooit,Soms,2,p1.jansen@example.nl\n"
        "P2,02-03-2024,Vaak,Soms,4,p2.devries@example.nl\n",
        name="export.csv",
        wave={"file_pattern": r"_T(?P<wave>\d)"},
        columns={"V1": "mood_1", "V2": "mood_2", "Vrienden": "n_friends"},
    )
    found = [(w.file, w.kind, w.fields) for w in result.warnings]
    assert found == [
        ("export.csv", "identifier_like_dropped", {"column": "Mail"}),
        ("export.csv", "wave_pattern_unmatched", {"pattern": r"_T(?P<wave>\d)"}),
        ("export.csv", "items_unmapped", {"items": "mood_3"}),
    ]
    assert [str(w) for w in result.warnings] == result.summary["warnings"]
    assert result.summary["warnings"][0] == (
        "export.csv: column 'Mail' looks like a direct identifier and is not in the spec's "
        "'identifiers'; dropped"
    )
    assert result.files[0].to_dict()["warnings"] == result.summary["warnings"]
    assert "Mail" not in result.responses.columns
