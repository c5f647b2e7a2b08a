"""The demo exports look like what each tool really writes, and plain tools read them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import fastexcel
import polars as pl
import pyreadstat

from outcomes.demo import DemoTruth

MHI5_LABELS = ["voortdurend", "meestal", "vaak", "soms", "zelden", "nooit"]


def _file(home: Path, project: str, truth: DemoTruth, index: int = 0) -> Path:
    return home / "landing" / project / truth.projects[project]["files"][index]


def test_every_project_has_its_files(demo_home: Path, truth: DemoTruth) -> None:
    expected_suffix = {
        "netwerkcoach": ".csv",
        "stamtafel": ".sav",
        "kwartiertafel": ".xlsx",
        "samen-oplopen": ".csv",
        "tijdvoorelkaar": ".csv",
    }
    for project, suffix in expected_suffix.items():
        files = sorted(p.name for p in (demo_home / "landing" / project).iterdir())
        assert files == sorted(truth.projects[project]["files"])
        assert all(name.endswith(suffix) for name in files)
    assert truth.projects["netwerkcoach"]["files"] == [
        "NEN_T0_baseline.csv",
        "NEN_T1.csv",
        "NEN_T2.csv",
    ]


def test_qualtrics_has_three_header_rows(demo_home: Path, truth: DemoTruth) -> None:
    for name in truth.projects["netwerkcoach"]["files"]:
        data = (demo_home / "landing" / "netwerkcoach" / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), "Qualtrics CSV starts with a UTF-8 BOM"
        records = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        names, questions, import_ids = records[0], records[1], records[2]
        assert names[:17] == [
            "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
            "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
            "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
            "DistributionChannel", "UserLanguage",
        ]  # fmt: skip
        assert [f"Q5_{k}" for k in range(1, 6)] == [n for n in names if n.startswith("Q5_")]
        assert any(n.endswith("_TEXT") for n in names)
        assert questions[names.index("Duration (in seconds)")] == "Duration (in seconds)"
        assert " - " in questions[names.index("Q5_1")]
        parsed = [json.loads(cell) for cell in import_ids]
        assert all("ImportId" in p for p in parsed)
        assert parsed[names.index("Q5_1")] == {"ImportId": "QID5_1"}
        assert import_ids[names.index("Q5_1")] == '{"ImportId":"QID5_1"}'
        assert parsed[0] == {"ImportId": "startDate", "timeZone": "Europe/Amsterdam"}
        assert len({len(r) for r in records}) == 1
        frame = pl.read_csv(io.BytesIO(data), skip_rows_after_header=2, infer_schema_length=0)
        assert frame.height == len(records) - 3
        assert frame["Finished"].is_in(["True", "False"]).all()
        assert frame["RecipientEmail"].str.contains("@").all()


def test_limesurvey_is_windows_1252_semicolon_decimal_comma(
    demo_home: Path, truth: DemoTruth
) -> None:
    data = _file(demo_home, "samen-oplopen", truth).read_bytes()
    assert "één".encode("cp1252") in data and "geïnteresseerd".encode("cp1252") in data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        raise AssertionError("the LimeSurvey export must not be valid UTF-8")
    text = data.decode("cp1252")
    assert text.splitlines()[0].startswith(
        '"id";"submitdate";"lastpage";"startlanguage";"seed";"token";"startdate";"datestamp";'
        '"ipaddr";"refurl"'
    )
    frame = pl.read_csv(io.StringIO(text), separator=";", infer_schema_length=0)
    assert {"MHI[SQ001]", "DJG[SQ011]", "GESLACHT[other]"} <= set(frame.columns)
    assert frame["CIJFER"].str.contains(r"^\d+,\d$").any(), "half grades with a decimal comma"
    answered = frame["MHI[SQ001]"].drop_nulls().filter(frame["MHI[SQ001]"].drop_nulls() != "")
    assert answered.str.contains(r"^A\d$").all()
    incomplete = frame.filter(pl.col("submitdate").fill_null("") == "")
    assert incomplete.height > 0
    assert (incomplete["lastpage"].cast(pl.Int64) < 6).all()
    assert frame["id"].cast(pl.Int64).to_list() == list(range(1, frame.height + 1))


def test_spss_labels_and_user_missing(demo_home: Path, truth: DemoTruth) -> None:
    path = _file(demo_home, "stamtafel", truth)
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert meta.file_label.startswith("De Stamtafel")
    assert meta.column_names_to_labels["meting"] == "Meetmoment"
    assert meta.column_names_to_labels["datum"] == "Datum afname"
    # the project's own DJG-6 coding: 1 = nee … 3 = ja
    assert meta.variable_value_labels["djg1"] == {
        1: "nee", 2: "min of meer", 3: "ja", 8: "weet niet", 9: "geen antwoord",
    }  # fmt: skip
    assert meta.variable_value_labels["mhi1"][1] == "Voortdurend"
    assert meta.variable_value_labels["geslacht"][2] == "vrouw"
    assert {r["lo"] for r in meta.missing_ranges["mhi1"]} == {8, 9}
    assert {r["lo"] for r in meta.missing_ranges["net_fam"]} == {99}
    assert frame["mhi1"].isin([8, 9]).any(), "some answers are user-missing"
    assert meta.original_variable_types["datum"] == "EDATE10"
    assert isinstance(frame["datum"].iloc[0], dt.date)
    # without user_missing the declared codes are system-missing
    plain, _ = pyreadstat.read_sav(str(path))
    assert not plain["mhi1"].isin([8, 9]).any()


def test_spss_header_time_stamp_is_fixed(demo_home: Path, truth: DemoTruth) -> None:
    header = _file(demo_home, "stamtafel", truth).read_bytes()[92:109].decode("ascii")
    stamp = dt.datetime.strptime(header, "%d %b %y%H:%M:%S")
    assert stamp.time() == dt.time(16, 5)
    assert stamp.year < dt.datetime.now().year or stamp.date() < dt.date.today()


def test_excel_has_dutch_headings_dates_and_legend(demo_home: Path, truth: DemoTruth) -> None:
    path = _file(demo_home, "kwartiertafel", truth)
    workbook = fastexcel.read_excel(str(path))
    assert workbook.sheet_names == ["Gegevens", "Toelichting"]
    frame = pl.read_excel(path, sheet_name="Gegevens")
    for heading in ("Deelnemernummer", "Datum afname", "Meting", "Geslacht", "Geboortedatum"):
        assert heading in frame.columns
    as_text = pl.read_excel(path, sheet_name="Gegevens", infer_schema_length=0)
    dates = as_text["Datum afname"].drop_nulls()
    assert dates.str.contains(r"^\d{4}-\d\d-\d\d").mean() > 0.98, "real date cells"
    assert set(frame["Meting"].unique()) == {"Voormeting", "Nameting 1", "Nameting 2"}
    assert (
        frame["MHI 1 zenuwachtig"]
        .drop_nulls()
        .str.strip_chars()
        .str.to_lowercase()
        .is_in([*MHI5_LABELS, "weet niet", "bijna altijd", "regelmatig"])
        .all()
    )
    with zipfile.ZipFile(path) as archive:
        core = archive.read("docProps/core.xml").decode()
        stamps = {info.date_time for info in archive.infolist()}
    assert len(stamps) == 1 and next(iter(stamps))[0] == 1980, "fixed zip entry dates"
    created = re.search(r"<dcterms:created[^>]*>([^<]+)<", core)
    assert created is not None
    assert created.group(1).endswith("T10:30:00Z")


def test_castor_layout(demo_home: Path, truth: DemoTruth) -> None:
    path = _file(demo_home, "tijdvoorelkaar", truth)
    frame = pl.read_csv(path, separator=";", infer_schema_length=0)
    assert frame.columns[:4] == [
        "Participant Id",
        "Participant Status",
        "Site Abbreviation",
        "Participant Creation Date",
    ]
    assert "Record Id" not in frame.columns and "Institute Abbreviation" not in frame.columns
    assert set(frame["Survey Package Name"].unique()) == {
        "Nulmeting",
        "Vervolgmeting 6 maanden",
        "Vervolgmeting 12 maanden",
    }
    assert set(frame["Site Abbreviation"].unique()) == {"UTR", "ZST", "EHV", "HLM", "NWG"}
    assert (
        frame["Participant Creation Date"].str.contains(r"^\d\d-\d\d-\d{4} \d\d:\d\d:\d\d$").all()
    )
    valid_dates = frame["vl_datum"].str.contains(r"^\d\d-\d\d-\d{4}$")
    assert valid_dates.all()
    follow_up = frame.filter(pl.col("Survey Package Name") != "Nulmeting")
    assert follow_up["naam"].is_null().all(), "contact details asked at baseline only"
    values = pl.concat([frame[c] for c in frame.columns if c.startswith("mhi_")]).drop_nulls()
    assert set(values.unique()) <= {"0", "1", "2", "3", "4", "5"} | {
        f"##USER_MISSING_{k}##" for k in (95, 96, 98)
    }
    assert values.str.starts_with("##USER_MISSING").any()


def test_identifiers_are_present_for_ingest_to_strip(demo_home: Path, truth: DemoTruth) -> None:
    frame = pl.read_csv(
        _file(demo_home, "tijdvoorelkaar", truth), separator=";", infer_schema_length=0
    )
    assert frame["email"].drop_nulls().str.contains("@").all()
    assert frame["telefoon"].drop_nulls().str.contains(r"^06-\d{8}$").all()
    _, meta = pyreadstat.read_sav(str(_file(demo_home, "stamtafel", truth)), metadataonly=True)
    assert {"naam", "adres", "telefoon"} <= set(meta.column_names)
