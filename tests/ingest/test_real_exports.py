"""Every reader against export files real tools wrote (tests/fixtures/real, see SOURCES.md).

Each test checks rows, IDs and a few cells against the file, and that no column is lost: every
raw column of the file is either in the frame or reported (skipped, dropped, warned about).
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pyreadstat
import pytest

from outcomes.errors import ExportError
from outcomes.ingest.readers import RawExport, read_export
from outcomes.ingest.readers.castor import read_castor
from outcomes.ingest.readers.limesurvey import read_limesurvey
from outcomes.ingest.readers.qualtrics import import_id, qualtrics_header_rows, read_qualtrics
from outcomes.ingest.readers.redcap import read_redcap
from outcomes.ingest.readers.spss import read_spss
from outcomes.ingest.warning import IngestWarning
from outcomes.specs import ExportOptions

from .conftest import make_spec

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"


def header(path: Path, delimiter: str = ",", row: int = 0) -> list[str]:
    """Return header row ``row`` of a text fixture as Python's csv module reads it."""
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))[row]


def utf16_records(path: Path, delimiter: str = "\t") -> list[list[str]]:
    """Return the records of a UTF-16 text fixture as Python's codecs and csv module read them
    (the byte-order mark decides the byte order)."""
    text = codecs.decode(path.read_bytes(), "utf-16")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def assert_no_column_lost(raw: RawExport, file_columns: list[str]) -> None:
    """Every named raw column is read, or reported as skipped/dropped."""
    accounted = set(raw.columns) | set(raw.skipped) | set(raw.dropped)
    missing = [c for c in file_columns if c.strip() and c.strip() not in accounted]
    assert missing == []


def kinds(raw: RawExport) -> list[str | None]:
    return [w.kind for w in raw.warnings if isinstance(w, IngestWarning)]


# -- Qualtrics ---------------------------------------------------------------------------------


def test_qualtrics_current_export_three_header_rows() -> None:
    path = REAL / "qualtrics" / "sample.csv"
    raw = read_qualtrics(path, ExportOptions(format="qualtrics"))
    assert raw.rows_read == 1
    assert raw.frame.get_column("source_row").to_list() == [4]
    assert raw.frame.get_column("ResponseId").to_list() == ["R_2YPOQ602ER1jkf1"]
    assert raw.frame.get_column("Q2").to_list() == ["Hello World!"]
    assert raw.codebook["Q1"] == {
        "label": "This is a multiple choice question.",
        "import_id": "QID1",
    }
    assert raw.codebook["Finished"]["label"] == "Beendet"
    assert raw.completed_column == "Finished"
    assert {"IPAddress", "RecipientEmail", "LocationLatitude"} <= raw.identifiers
    assert_no_column_lost(raw, header(path))
    assert raw.warnings == []


def test_qualtrics_legacy_v_numbers_second_row_is_header_not_a_participant() -> None:
    path = REAL / "qualtrics" / "sample_legacy.csv"
    raw = read_qualtrics(path, ExportOptions(format="qualtrics"))
    assert raw.rows_read == 1  # the names row (ResponseID, …) is no participant
    assert raw.frame.get_column("source_row").to_list() == [3]
    assert raw.frame.get_column("ResponseID").to_list() == ["R_2YPOQ602ER1jkf1"]
    assert raw.frame.get_column("Finished").to_list() == ["1"]
    assert raw.frame.get_column("Q1").to_list() == ["2"]
    assert raw.codebook["Q2"]["label"] == "This is a free text question."
    assert raw.resolve("V10") == "Finished"  # the legacy number still finds the column
    assert raw.completed_column == "Finished"
    assert {"IPAddress", "EmailAddress", "Name"} <= raw.identifiers
    # the line ends with a comma: the empty field is dropped with a warning
    assert kinds(raw) == ["trailing_delimiter_dropped"]
    names = [raw.codebook.get(c, {}).get("legacy_number", c) for c in raw.columns]
    assert_no_column_lost(raw, [c for c in raw.columns])
    assert names[:2] == ["V1", "V2"] and len(raw.columns) == len(header(path)) - 1


def test_qualtrics_import_id_row_with_single_quotes_is_a_header(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "StartDate,Finished,ResponseId,Q1\n"
        "Start Date,Finished,Response ID,Hoe gaat het?\n"
        "\"{'ImportId': 'startDate', 'timeZone': 'Europe/Amsterdam'}\","
        "\"{'ImportId': 'finished'}\",\"{'ImportId': '_recordId'}\",\"{'ImportId': 'QID1'}\"\n"
        "2024-03-01 10:00:00,1,R_1,3\n",
        encoding="utf-8",
    )
    raw = read_qualtrics(path, ExportOptions(format="qualtrics"))
    assert raw.rows_read == 1
    assert raw.frame.get_column("source_row").to_list() == [4]
    assert raw.codebook["Q1"]["import_id"] == "QID1"
    assert import_id('{"ImportId":"QID2_1"}') == "QID2_1"
    # a choice of a multiple-answer question in newer exports
    assert import_id('{"ImportId":"QID42","choiceId":"6"}') == "QID42_6"


def test_qualtrics_utf16_tsv_with_bom(tmp_path: Path) -> None:
    source = (REAL / "qualtrics" / "sample.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(source)))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t", lineterminator="\r\n").writerows(rows)
    path = tmp_path / "sample.tsv"
    path.write_bytes(buffer.getvalue().encode("utf-16"))  # with byte-order mark
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    raw = read_qualtrics(path, ExportOptions(format="qualtrics"))
    assert raw.encoding == "utf-16"
    assert raw.delimiter == "\t"
    assert raw.frame.get_column("ResponseId").to_list() == ["R_2YPOQ602ER1jkf1"]
    assert raw.codebook["Q1"]["import_id"] == "QID1"
    assert raw.frame.get_column("Q2").to_list() == ["Hello World!"]


def test_qualtrics_utf16_tsv_export_with_multi_line_question_texts() -> None:
    path = REAL / "qualtrics" / "dummy_data_split_cols.tsv"
    assert path.read_bytes()[:2] == codecs.BOM_UTF16_LE
    records = utf16_records(path)
    names = records[0]
    assert (len(records), len(names)) == (18, 112)
    options = ExportOptions(format="qualtrics")
    assert qualtrics_header_rows(path, options) == 3
    raw = read_qualtrics(path, options)
    assert raw.encoding == "utf-16"
    assert raw.delimiter == "\t"
    assert raw.rows_read == 15
    # the question texts span many lines: source_row counts records, not lines
    assert raw.frame.get_column("source_row").to_list() == list(range(4, 19))
    ids = [record[names.index("ResponseId")] for record in records[3:]]
    assert raw.frame.get_column("ResponseId").to_list() == ids
    assert ids[0] == "R_9sfx8LSbunSMMYK"
    assert raw.frame.get_column("Status").to_list() == ["Survey Test"] * 15
    assert raw.frame.get_column("importance_opensrc_1").to_list()[:3] == [
        "Slightly important",
        "Important",
        "Important",
    ]
    consent = records[1][names.index("consent_form_2")]
    assert consent.count("\n") > 1
    assert raw.codebook["consent_form_2"] == {"label": consent, "import_id": "QID66_2"}
    assert raw.codebook["importance_opensrc_1"] == {
        "label": "How important would you say open-source projects are to your...? - Research",
        "import_id": "QID41_1",
    }
    # the choices of a multiple-answer question keep apart: {"ImportId":"QID42","choiceId":"6"}
    roles = {raw.codebook[f"contributor_role_{n}"]["import_id"] for n in (1, 6, 7, 12)}
    assert roles == {"QID42_1", "QID42_6", "QID42_7", "QID42_12"}
    assert raw.completed_column == "Finished"
    assert raw.frame.get_column("Finished").to_list() == ["True"] * 15
    assert {"contributor_role_11_TEXT", "motivations_11_TEXT"} <= raw.free_text
    assert raw.identifiers == set()  # no IP address, location or recipient columns exported
    assert raw.warnings == []
    assert len(raw.columns) == len(names)
    assert_no_column_lost(raw, names)
    spec = make_spec(
        export={"format": "qualtrics"},
        participant_id="ResponseId",
        wave={"column": "DistributionChannel", "labels": {"test": 0}},
        assessed_on="RecordedDate",
        columns={"importance_opensrc_1": "mood_1"},
        instruments=["mood"],
    )
    assert read_export(path, spec).frame.equals(raw.frame)


# -- LimeSurvey --------------------------------------------------------------------------------


def test_limesurvey_question_text_headings_repeat_and_are_kept_apart() -> None:
    path = REAL / "limesurvey" / "survey_100001_R_data_file.csv"
    raw = read_limesurvey(path, ExportOptions(format="limesurvey"))
    names = header(path)
    assert raw.rows_read == 3
    assert raw.frame.get_column("Response ID").to_list() == ["1", "2", "3"]
    assert raw.frame.get_column("source_row").to_list() == [2, 3, 4]
    assert len(raw.columns) == len(names)
    first = "If I get help for drug-related problems, ..."
    assert names.count(first) == 6
    assert {first, f"{first} (2)", f"{first} (6)"} <= set(raw.columns)
    warned = [w for w in raw.warnings if isinstance(w, IngestWarning)]
    assert {w.kind for w in warned} == {"duplicate_column_kept_apart"}
    assert len(warned) == len({n for n in names if names.count(n) > 1})
    assert any(w.fields["column"] == first and w.fields["count"] == "6" for w in warned)
    # the column without a heading keeps its place under a made-up name
    assert names[9] == "" and raw.columns[9] == "column_10"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    position = names.index(first, names.index(first) + 1)  # second occurrence
    assert [v or None for v in raw.frame.get_column(f"{first} (2)").to_list()] == [
        (r[position] or None) for r in rows[1:4]
    ]
    submitted = names.index("Date submitted")
    assert raw.frame.get_column("Date submitted").to_list() == [r[submitted] for r in rows[1:4]]
    assert raw.completed_column is None  # "Date submitted" is LimeSurvey's heading text
    # the timings LimeSurvey recorded are tool metadata, not answers
    timings = {
        n for n in names if n == "Total time" or n.startswith(("Group time:", "Question time:"))
    }
    assert {"Total time", "Group time: ageGroup", "Question time: age"} <= timings
    assert timings <= raw.metadata
    assert_no_column_lost(raw, names)


def test_repeated_column_the_spec_maps_is_refused() -> None:
    path = REAL / "limesurvey" / "survey_100001_R_data_file.csv"
    first = "If I get help for drug-related problems, ..."
    spec = make_spec(
        export={"format": "limesurvey"},
        participant_id="Response ID",
        wave={"file_pattern": r"survey_(?P<wave>\d)"},
        assessed_on=None,
        columns={first: "mood_1"},
        instruments=["mood"],
    )
    with pytest.raises(ExportError, match=r"appears 6 times in the header.*the spec maps it"):
        read_export(path, spec)


# -- REDCap ------------------------------------------------------------------------------------


def test_redcap_records_with_data_dictionary() -> None:
    path = REAL / "redcap" / "simple_DATA.csv"
    raw = read_redcap(path, ExportOptions(format="redcap"))
    assert raw.rows_read == 5
    assert raw.frame.get_column("record_id").to_list() == ["1", "2", "3", "4", "5"]
    # a quoted address spans two lines; source_row counts records
    assert raw.frame.get_column("source_row").to_list() == [2, 3, 4, 5, 6]
    assert raw.frame.get_column("weight").to_list()[0] == "1"
    assert raw.frame.get_column("bmi").to_list()[0] == "204.1"
    # name, address, phone, e-mail and birth date are flagged identifiers: never read
    assert {"name_first", "name_last", "address", "telephone", "email", "dob"} <= set(raw.dropped)
    assert raw.codebook["race___1"]["checkbox_of"] == "race"
    assert raw.value_labels["ethnicity"]["0"] == "Unknown / Not Reported"
    assert {"demographics_complete", "health_complete"} <= raw.metadata
    assert_no_column_lost(raw, header(path))


# -- Castor EDC --------------------------------------------------------------------------------


def test_castor_survey_export_with_trailing_delimiters() -> None:
    path = REAL / "castor" / "CastorQOLSurvey.csv"
    raw = read_castor(path, ExportOptions(format="castor"))
    assert raw.rows_read == 2
    assert raw.frame.get_column("Participant Id").to_list() == ["110001", "110001"]
    assert raw.resolve("record_id") == "Participant Id"
    assert raw.frame.get_column("SF12_1").to_list() == ["Excellent", None]
    assert raw.frame.get_column("VAS").to_list() == ["85", None]
    assert kinds(raw) == ["trailing_delimiter_dropped"]
    assert len(raw.columns) == len(header(path, ";"))
    assert_no_column_lost(raw, [raw.resolve(c) or c for c in header(path, ";")])


def test_castor_study_export_with_missing_codes() -> None:
    path = REAL / "castor" / "CastorStudy.csv"
    raw = read_castor(path, ExportOptions(format="castor"))
    assert raw.rows_read == 2
    assert raw.frame.get_column("Participant Id").to_list() == ["110001", "110002"]
    assert raw.frame.get_column("Site").to_list() == ["Franciscus Gasthuis & Vlietland"] * 2
    assert raw.frame.get_column("ic_language#Dutch").to_list() == ["0", "-99"]
    assert "-99" in raw.missing_codes
    assert raw.warnings == []
    assert_no_column_lost(raw, [raw.resolve(c) or c for c in header(path, ";")])


def test_trailing_delimiter_with_data_behind_it_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("a;b;c\n1;2;3;\n4;5;6;x\n", encoding="utf-8")
    with pytest.raises(ExportError, match=r"row 3: found 4 fields, expected 3"):
        read_castor(path, ExportOptions(format="castor"))


# -- SPSS --------------------------------------------------------------------------------------


def test_spss_value_labels_and_dates() -> None:
    path = REAL / "spss" / "sample.sav"
    raw = read_spss(path, ExportOptions(format="spss"))
    _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    assert raw.rows_read == 5
    assert raw.frame.get_column("mychar").to_list() == ["a", "b", "c", "d", "e"]
    assert raw.frame.get_column("mydate").to_list()[0] == "2018-05-06"
    assert raw.frame.get_column("mylabl").to_list() == ["1", "2", "1", "2", "1"]
    assert raw.value_labels["mylabl"] == {"1": "Male", "2": "Female"}
    assert raw.completed_column is None
    assert_no_column_lost(raw, list(meta.column_names))


def test_spss_user_missing_codes_are_null() -> None:
    path = REAL / "spss" / "sample_missing.sav"
    raw = read_spss(path, ExportOptions(format="spss"))
    _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    assert raw.rows_read == 7
    # -1 and 2000…3000 are declared missing for mynum
    assert raw.frame.get_column("mynum").to_list()[5:] == [None, None]
    assert raw.frame.get_column("myord").to_list()[5:] == [None, None]
    assert raw.codebook["mynum"]["user_missing"]["rows_nulled"] == 2
    assert_no_column_lost(raw, list(meta.column_names))


def test_qualtrics_sav_finished_is_read_through_its_labels(tmp_path: Path) -> None:
    import pandas as pd

    path = tmp_path / "qualtrics.sav"
    frame = pd.DataFrame({"ResponseId": ["R_1", "R_2"], "Finished": [2.0, 1.0], "Q1": [3.0, 1.0]})
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={"Finished": {1.0: "False", 2.0: "True"}, "Q1": {1.0: "Nooit"}},
    )
    raw = read_spss(path, ExportOptions(format="spss"))
    assert raw.frame.get_column("Finished").to_list() == ["True", "False"]
    assert raw.completed_column == "Finished"
    assert raw.frame.get_column("Q1").to_list() == ["3", "1"]  # answers stay codes
