"""Each reader: raw string columns, 1-based ``source_row`` as the file shows it, codebook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import polars as pl
import pyreadstat
import pytest
import xlsxwriter

from outcomes.ingest.canonical import to_canonical
from outcomes.ingest.readers import read_export

from .conftest import KEY, fake_registry, make_spec

QUALTRICS = (
    "StartDate,EndDate,Finished,ResponseId,IPAddress,LocationLatitude,ID,Q1_1,Q1_2,Q1_3,"
    "Q2_4_TEXT\n"
    '"Start Date","End Date","Finished","Response ID","IP Address","Location Latitude",'
    '"Deelnemer","Hoe vaak... - een","Hoe vaak... - twee","Hoe vaak... - drie","Anders, namelijk"\n'
    '{"ImportId":"startDate"},{"ImportId":"endDate"},{"ImportId":"finished"},'
    '{"ImportId":"_recordId"},{"ImportId":"ipAddress"},{"ImportId":"locationLatitude"},'
    '{"ImportId":"QID9_TEXT"},{"ImportId":"QID1_1"},{"ImportId":"QID1_2"},{"ImportId":"QID1_3"},'
    '{"ImportId":"QID2_4_TEXT"}\n'
    "2024-03-01 10:00:00,2024-03-01 10:10:00,1,R_1,10.0.0.1,52.1,P001,Nooit,Soms,3,"
    "ik wandel\n"
    "2024-03-02 10:00:00,2024-03-02 10:10:00,0,R_2,10.0.0.2,52.2,P002,1,2,Vaak,\n"
)


def qualtrics_spec():
    return make_spec(
        export={"format": "qualtrics"},
        wave={"file_pattern": r"T(?P<wave>\d)"},
        assessed_on="StartDate",
        participant_id="ID",
        columns={"Q1_1": "mood_1", "Q1_2": "mood_2", "Q1_3": "mood_3"},
        instruments=["mood"],
    )


def test_qualtrics_three_header_rows_codebook_and_rows(tmp_path: Path) -> None:
    path = tmp_path / "survey_T1.csv"
    path.write_text(QUALTRICS, encoding="utf-8")
    raw = read_export(path, qualtrics_spec())
    assert raw.frame.get_column("source_row").to_list() == [4, 5]
    assert raw.frame.get_column("ID").to_list() == ["P001", "P002"]
    assert raw.codebook["Q1_2"]["label"] == "Hoe vaak... - twee"
    assert raw.codebook["Q1_2"]["import_id"] == "QID1_2"
    assert "IPAddress" in raw.identifiers and "LocationLatitude" in raw.identifiers
    assert "Q2_4_TEXT" in raw.free_text
    mapped = to_canonical(raw, qualtrics_spec(), KEY, registry=fake_registry())
    frame = mapped.frame
    assert frame.get_column("mood_1").to_list() == [1.0, 1.0]
    assert frame.get_column("mood_3").to_list() == [3.0, 3.0]
    assert frame.get_column("completed").to_list() == [True, False]
    assert frame.get_column("wave").to_list() == [1, 1]
    assert frame.get_column("assessed_on").to_list() == [dt.date(2024, 3, 1), dt.date(2024, 3, 2)]
    assert mapped.unmapped == []
    assert not {"IPAddress", "Q2_4_TEXT", "LocationLatitude"} & set(frame.columns)


def test_qualtrics_tsv_is_utf16(tmp_path: Path) -> None:
    path = tmp_path / "survey_T0.tsv"
    text = QUALTRICS.replace(",", "\t").replace("Anders\t namelijk", "Anders, namelijk")
    path.write_bytes(text.encode("utf-16"))
    raw = read_export(path, qualtrics_spec())
    assert raw.frame.height == 2
    assert raw.frame.get_column("Q1_1").to_list() == ["Nooit", "1"]
    assert raw.frame.get_column("source_row").to_list() == [4, 5]


def test_qualtrics_legacy_two_header_rows(tmp_path: Path) -> None:
    path = tmp_path / "legacy_T0.csv"
    lines = QUALTRICS.splitlines(keepends=True)
    path.write_text(lines[0] + lines[1] + lines[3] + lines[4], encoding="utf-8")
    raw = read_export(path, qualtrics_spec())
    assert raw.frame.get_column("source_row").to_list() == [3, 4]
    assert raw.codebook["Q1_1"]["label"] == "Hoe vaak... - een"


LIMESURVEY = (
    "id,submitdate,lastpage,startlanguage,seed,token,ipaddr,refurl,ID,Meting,Datum,"
    "V[SQ001],V[SQ002],V[SQ003],V[other]\n"
    "1,2024-03-01 10:00:00,3,nl,123,tok1,1.2.3.4,http://x,P001,Nulmeting,01-03-2024,"
    "Nooit,Soms,Vaak,wandelen\n"
    "2,,2,nl,456,tok2,1.2.3.5,,P002,Nulmeting,02-03-2024,Soms,,,\n"
)


def limesurvey_spec():
    return make_spec(
        export={"format": "limesurvey"},
        columns={"V[SQ001]": "mood_1", "V[SQ002]": "mood_2", "V[SQ003]": "mood_3"},
        instruments=["mood"],
    )


def test_limesurvey_csv_incomplete_and_identifiers(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    path.write_text(LIMESURVEY, encoding="utf-8")
    raw = read_export(path, limesurvey_spec())
    assert {"token", "ipaddr", "refurl"} <= raw.identifiers
    assert "V[other]" in raw.free_text
    mapped = to_canonical(raw, limesurvey_spec(), KEY, registry=fake_registry())
    assert mapped.frame.get_column("completed").to_list() == [True, False]
    assert mapped.frame.get_column("mood_2").to_list() == [2.0, None]
    assert mapped.unmapped == []
    assert not {"token", "ipaddr", "refurl", "V[other]"} & set(mapped.frame.columns)


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    workbook = xlsxwriter.Workbook(path)
    date_format = workbook.add_format({"num_format": "dd-mm-yyyy"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(
                        r, c, dt.datetime(value.year, value.month, value.day), date_format
                    )
                elif value is not None:
                    sheet.write(r, c, value)
    workbook.close()


def test_limesurvey_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "results.xlsx"
    rows = [line.split(",") for line in LIMESURVEY.strip().splitlines()]
    write_xlsx(path, {"results": rows})
    raw = read_export(path, limesurvey_spec())
    assert raw.frame.get_column("source_row").to_list() == [2, 3]
    mapped = to_canonical(raw, limesurvey_spec(), KEY, registry=fake_registry())
    assert mapped.frame.get_column("completed").to_list() == [True, False]


def castor_spec(**overrides):
    base = {
        "export": {"format": "castor"},
        "participant_id": "Participant Id",
        "site": "Site Abbreviation",
        "wave": {"column": "Meting", "labels": {"Nulmeting": 0, "Vervolg": 1}},
        "assessed_on": "Datum",
        "columns": {"v1": "mood_1", "v2": "mood_2", "v3": "mood_3", "Vrienden": "n_friends"},
    }
    base.update(overrides)
    return make_spec(**base)


@pytest.mark.parametrize(
    ("id_col", "site_col"),
    [("Participant Id", "Site Abbreviation"), ("Record Id", "Institute Abbreviation")],
)
def test_castor_csv_both_spellings(tmp_path: Path, id_col: str, site_col: str) -> None:
    path = tmp_path / "castor_export.csv"
    path.write_text(
        f"{id_col};Participant Status;{site_col};Meting;Datum;v1;v2;v3;Vrienden\n"
        "110001;Completed;AMS;Nulmeting;03-04-2024;1;2;3;4,5\n"
        "110002;Completed;RTD;Vervolg;4-5-2024;-99;2;3;-95\n",
        encoding="utf-8",
    )
    spec = castor_spec()
    raw = read_export(path, spec)
    mapped = to_canonical(raw, spec, KEY, registry=fake_registry())
    frame = mapped.frame
    assert frame.get_column("site").to_list() == ["AMS", "RTD"]
    assert frame.get_column("assessed_on").to_list() == [dt.date(2024, 4, 3), dt.date(2024, 5, 4)]
    assert frame.get_column("mood_1").to_list() == [1.0, None]
    assert frame.get_column("n_friends").to_list() == [4.5, None]
    assert frame.get_column("wave").to_list() == [0, 1]
    assert frame.get_column("ingest_issues").list.len().to_list() == [0, 0]
    assert mapped.unmapped == []


def test_castor_old_spelling_in_spec_reads_new_export(tmp_path: Path) -> None:
    path = tmp_path / "castor_export.csv"
    path.write_text(
        "Participant Id;Site Abbreviation;Meting;Datum;v1;v2;v3;Vrienden\n"
        "110001;AMS;Nulmeting;03-04-2024;1;2;3;4\n",
        encoding="utf-8",
    )
    spec = castor_spec(participant_id="Record Id", site="Institute Abbreviation")
    mapped = to_canonical(read_export(path, spec), spec, KEY, registry=fake_registry())
    assert mapped.frame.get_column("site").to_list() == ["AMS"]


def test_castor_long_repeating_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "castor.xlsx"
    header = [
        "Participant Id",
        "Repeating Data Name Custom",
        "Site Abbreviation",
        "Datum",
        "v1",
        "v2",
        "v3",
        "Vrienden",
    ]
    write_xlsx(
        path,
        {
            "Study variable list": [["Variable name", "Field type"], ["v1", "radio"]],
            "Vragenlijst": [
                header,
                ["110001", "T0", "AMS", dt.date(2024, 1, 2), 1, 2, 3, 4],
                ["110001", "T1", "AMS", "45400", 2, 2, 2, 5],
            ],
        },
    )
    spec = castor_spec(wave={"column": "Repeating Data Name Custom"})
    raw = read_export(path, spec)
    assert raw.frame.get_column("source_row").to_list() == [2, 3]
    frame = to_canonical(raw, spec, KEY, registry=fake_registry()).frame
    assert frame.get_column("wave").to_list() == [0, 1]
    assert frame.get_column("assessed_on").to_list() == [
        dt.date(2024, 1, 2),
        dt.date(1899, 12, 30) + dt.timedelta(days=45400),
    ]


CHOICES = "1, Nooit | 2, Soms | 3, Vaak"


def test_redcap_dictionary_identifiers_checkboxes_events(tmp_path: Path) -> None:
    (tmp_path / "records.csv").write_text(
        "record_id,redcap_event_name,naam,datum,mood1,mood2,mood3,hobby___1,hobby___2,"
        "vragenlijst_complete\n"
        "1,baseline_arm_1,Jan Jansen,2024-01-05,1,2,3,1,0,2\n"
        "1,t1_arm_1,Jan Jansen,2024-07-05,2,3,9,0,1,0\n",
        encoding="utf-8",
    )
    (tmp_path / "Project_DataDictionary_2024-08-01.csv").write_text(
        '"Variable / Field Name","Form Name","Section Header","Field Type","Field Label",'
        '"Choices, Calculations, OR Slider Labels","Field Note",'
        '"Text Validation Type OR Show Slider Number","Text Validation Min",'
        '"Text Validation Max","Identifier?"\n'
        "record_id,vragenlijst,,text,Record ID,,,,,,\n"
        "naam,vragenlijst,,text,Naam,,,,,,y\n"
        "datum,vragenlijst,,text,Datum,,,date_dmy,,,\n"
        f'"mood1",vragenlijst,,radio,"Stemming 1","{CHOICES} | 9, Weet niet",,,,,\n'
        f'"mood2",vragenlijst,,radio,"Stemming 2","{CHOICES}",,,,,\n'
        f'"mood3",vragenlijst,,radio,"Stemming 3","{CHOICES} | 9, Weet niet",,,,,\n'
        '"hobby",vragenlijst,,checkbox,"Hobby","1, Wandelen | 2, Lezen",,,,,\n',
        encoding="utf-8",
    )
    spec = make_spec(
        export={"format": "redcap", "pattern": "*.csv"},
        participant_id="record_id",
        wave={"column": "redcap_event_name", "labels": {"baseline_arm_1": 0, "t1_arm_1": 1}},
        assessed_on="datum",
        columns={"mood1": "mood_1", "mood2": "mood_2", "mood3": "mood_3"},
        instruments=["mood"],
        missing_codes=["Weet niet"],
        completed="vragenlijst_complete",
    )
    raw = read_export(tmp_path / "records.csv", spec)
    assert "naam" not in raw.frame.columns and raw.dropped == ["naam"]
    assert raw.codebook["hobby___2"]["choice"] == "Lezen"
    assert raw.value_labels["mood1"]["9"] == "Weet niet"
    mapped = to_canonical(raw, spec, KEY, registry=fake_registry())
    assert mapped.unmapped == ["hobby___1", "hobby___2"]
    frame = mapped.frame
    assert frame.get_column("wave").to_list() == [0, 1]
    assert frame.get_column("mood_3").to_list() == [3.0, None]
    assert frame.get_column("completed").to_list() == [True, False]


def test_spss_value_labels_and_user_missing(tmp_path: Path) -> None:
    path = tmp_path / "data.sav"
    data = pd.DataFrame(
        {
            "ID": ["P1", "P2", "P3"],
            "meting": [0.0, 0.0, 1.0],
            "datum": [dt.date(2024, 1, 2), dt.date(2024, 1, 3), dt.date(2024, 6, 3)],
            "m1": [10.0, 99.0, 30.0],
            "m2": [20.0, 20.0, 10.0],
            "m3": [30.0, 98.0, 20.0],
            "geb": [dt.date(1950, 5, 2), dt.date(1961, 12, 31), dt.date(1950, 5, 2)],
        }
    )
    labels = {10.0: "Nooit", 20.0: "Soms", 30.0: "Vaak", 98.0: "Vaak", 99.0: "Weet niet"}
    pyreadstat.write_sav(
        data,
        path,
        variable_value_labels={"m1": labels, "m2": labels, "m3": labels},
        missing_ranges={"m1": [99.0], "m3": [{"lo": 98.0, "hi": 99.0}]},
        column_labels=["ID", "Meting", "Datum", "Stemming 1", "Stemming 2", "Stemming 3", "Geb"],
    )
    spec = make_spec(
        export={"format": "spss"},
        wave={"column": "meting"},
        assessed_on="datum",
        columns={"m1": "mood_1", "m2": "mood_2", "m3": "mood_3", "geb": "birth_date"},
        instruments=["mood"],
    )
    raw = read_export(path, spec)
    assert raw.frame.get_column("source_row").to_list() == [1, 2, 3]
    # user-missing 99 and 98 are null, not numbers and not their labels
    assert raw.frame.get_column("m1").to_list() == ["10", None, "30"]
    assert raw.frame.get_column("m3").to_list() == ["30", None, "20"]
    assert raw.codebook["m1"]["label"] == "Stemming 1"
    frame = to_canonical(raw, spec, KEY, registry=fake_registry()).frame
    assert frame.get_column("mood_1").to_list() == [1.0, None, 3.0]
    assert frame.get_column("mood_2").to_list() == [2.0, 2.0, 1.0]
    assert frame.get_column("birth_year").to_list() == [1950, 1961, 1950]
    assert frame.get_column("age").to_list() == [73, 62, 74]
    assert frame.get_column("wave").to_list() == [0, 0, 1]


def test_excel_date_cells_serials_and_several_sheets(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    header = ["ID", "Meting", "Datum", "V1", "V2", "V3", "Vrienden"]
    write_xlsx(
        path,
        {
            "T0": [header, ["P1", "Nulmeting", dt.date(2024, 2, 29), "Nooit", 2, 3, 4]],
            "Toelichting": [["Dit werkblad beschrijft de export"]],
            "T1": [header, ["P1", "Vervolg", 45500, "Vaak", 2, 3, 5.5]],
        },
    )
    spec = make_spec(export={"format": "excel"})
    raw = read_export(path, spec)
    assert raw.frame.get_column("source_sheet").to_list() == ["T0", "T1"]
    assert raw.frame.get_column("source_row").to_list() == [2, 2]
    assert any("Toelichting" in w for w in raw.warnings)
    frame = to_canonical(raw, spec, KEY, registry=fake_registry()).frame
    assert frame.get_column("assessed_on").to_list() == [
        dt.date(2024, 2, 29),
        dt.date(1899, 12, 30) + dt.timedelta(days=45500),
    ]
    assert frame.get_column("n_friends").to_list() == [4.0, 5.5]
    assert frame.get_column("mood_1").to_list() == [1.0, 3.0]


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"),
    [
        ("utf-8", b"", ","),
        ("utf-8", b"\xef\xbb\xbf", ";"),
        ("cp1252", b"", ";"),
        ("utf-8", b"", "\t"),
    ],
)
def test_generic_csv_detects_encoding_and_delimiter(
    tmp_path: Path, encoding: str, bom: bytes, delimiter: str
) -> None:
    text = (
        "ID;Meting;Datum;V1;V2;V3;Vrienden;Locatie\n"
        "P1;Nulmeting;01-02-2024;Nooit;Soms;Vaak;2,5;Café Één\n"
        "P2;Vervolg;1-3-2024;1;2;3;3;Zwolle\n"
    ).replace(";", delimiter)
    if delimiter == ",":
        text = text.replace("2,5", '"2,5"')
    path = tmp_path / "export.csv"
    path.write_bytes(bom + text.encode(encoding))
    spec = make_spec()
    raw = read_export(path, spec)
    assert raw.delimiter == delimiter
    assert raw.frame.get_column("Locatie").to_list() == ["Café Één", "Zwolle"]
    mapped = to_canonical(raw, spec, KEY, registry=fake_registry())
    frame = mapped.frame
    assert frame.get_column("n_friends").to_list() == [2.5, 3.0]
    assert frame.get_column("assessed_on").to_list() == [dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
    assert frame.get_column("source_row").to_list() == [2, 3]
    assert mapped.unmapped == ["Locatie"]


def test_generic_csv_fixed_options(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes(
        "ID|Meting|Datum|V1|V2|V3|Vrienden\nP1|Nulmeting|2024/13/01|1|2|3|1,5\n".encode("cp1252")
    )
    spec = make_spec(
        export={
            "delimiter": "|",
            "encoding": "windows-1252",
            "decimal_comma": True,
            "date_format": "%Y/%d/%m",
        }
    )
    frame = to_canonical(read_export(path, spec), spec, KEY, registry=fake_registry()).frame
    assert frame.get_column("assessed_on").to_list() == [dt.date(2024, 1, 13)]
    assert frame.get_column("n_friends").to_list() == [1.5]


def test_blank_lines_keep_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "ID,Meting,Datum,V1,V2,V3,Vrienden\nP1,Nulmeting,,1,2,3,1\n\nP2,Nulmeting,,1,2,3,1\n"
    )
    raw = read_export(path, make_spec())
    assert raw.frame.get_column("source_row").to_list() == [2, 4]
    assert isinstance(raw.frame.get_column("ID").dtype, pl.String)
