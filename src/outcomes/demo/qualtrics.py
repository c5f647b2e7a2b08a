"""Qualtrics CSV exports of Natuurlijk een Netwerkcoach (``netwerkcoach``), one file per wave.

Layout as Qualtrics writes "Download data → CSV, use choice text": UTF-8 with byte-order mark,
comma-separated, CRLF line ends, three header rows (column names; question text, matrix rows as
"stem - statement"; import IDs as JSON such as ``{"ImportId":"QID5_1"}``), the standard metadata
columns (StartDate … UserLanguage), then the questions (``Q5_1``…``Q5_5`` for a matrix, ``_TEXT``
for "other, namely" text) and the embedded-data fields at the end. The participant's study ID is
the contact list's ``ExternalReference``; the coach's municipality is embedded data ``gemeente``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from outcomes.atomic import write_bytes
from outcomes.demo.design import (
    DJG_STEM,
    ITEM_COLUMNS,
    ITEM_TEXT_NL,
    LABELS_NL,
    MHI5_STEM,
    NETWORK_STEM,
)
from outcomes.demo.tables import (
    DefectRules,
    ExportTable,
    ip_address,
    make_identities,
    n_people,
    time_of_day,
)

FILES = ("NEN_T0_baseline.csv", "NEN_T1.csv", "NEN_T2.csv")
TIMEZONE = "Europe/Amsterdam"

METADATA = (
    ("StartDate", "Start Date", {"ImportId": "startDate", "timeZone": TIMEZONE}),
    ("EndDate", "End Date", {"ImportId": "endDate", "timeZone": TIMEZONE}),
    ("Status", "Response Type", {"ImportId": "status"}),
    ("IPAddress", "IP Address", {"ImportId": "ipAddress"}),
    ("Progress", "Progress", {"ImportId": "progress"}),
    ("Duration (in seconds)", "Duration (in seconds)", {"ImportId": "duration"}),
    ("Finished", "Finished", {"ImportId": "finished"}),
    ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": TIMEZONE}),
    ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
    ("RecipientLastName", "Recipient Last Name", {"ImportId": "recipientLastName"}),
    ("RecipientFirstName", "Recipient First Name", {"ImportId": "recipientFirstName"}),
    ("RecipientEmail", "Recipient Email", {"ImportId": "recipientEmail"}),
    ("ExternalReference", "External Data Reference", {"ImportId": "externalDataReference"}),
    ("LocationLatitude", "Location Latitude", {"ImportId": "locationLatitude"}),
    ("LocationLongitude", "Location Longitude", {"ImportId": "locationLongitude"}),
    ("DistributionChannel", "Distribution Channel", {"ImportId": "distributionChannel"}),
    ("UserLanguage", "User Language", {"ImportId": "userLanguage"}),
)

#: Question number of each instrument block in the Qualtrics survey.
BLOCKS = {"mhi5": 5, "djg11": 6, "network_map": 7, "lsns6": 8}

#: How this survey printed the answers (DJG capitalised; LSNS-6 with digits for 3 upwards).
ANSWERS: dict[str, dict[int, str]] = {
    "mhi5": LABELS_NL["mhi5"],
    "djg11": {1: "Ja!", 2: "Ja", 3: "Min of meer", 4: "Nee", 5: "Nee!"},
    "lsns6": {0: "geen", 1: "één", 2: "twee", 3: "3 of 4", 4: "5 tot 8", 5: "9 of meer"},
}
GENDER = {"female": "Vrouw", "male": "Man", "other": "Anders, namelijk:"}
OTHER_GENDER_TEXT = ("non-binair", "genderfluïde", "wil ik niet zeggen", "anders")
COORDINATES = {
    "Amersfoort": (52.1561, 5.3878),
    "Deventer": (52.2661, 6.1552),
    "Leiden": (52.1601, 4.4970),
    "Zwolle": (52.5168, 6.0830),
}
REMARKS = (
    "Fijn om met mijn coach te praten.",
    "Ik vond sommige vragen lastig, zeker die over familie.",
    "Mijn coach heeft me geholpen om weer naar de buurtkamer te gaan",
    'Vraag over "kennissen" vond ik onduidelijk',
    "Sinds kort heb ik weer contact met mijn zus, daar ben ik blij mee.",
    "Het gaat wisselend, maar beter dan vorig jaar.",
)

LSNS_TEXT = "Denk aan de mensen met wie u contact heeft"


def _columns() -> tuple[list[str], list[str], list[str]]:
    names = [m[0] for m in METADATA]
    texts = [m[1] for m in METADATA]
    ids = [json.dumps(m[2], separators=(",", ":")) for m in METADATA]

    def add(name: str, text: str, import_id: str) -> None:
        names.append(name)
        texts.append(text)
        ids.append(json.dumps({"ImportId": import_id}, separators=(",", ":")))

    add("Q1", "Ik heb de informatie gelezen en ik doe mee aan het onderzoek.", "QID1")
    add("Q2", "Wat is uw geslacht? - Selected Choice", "QID2")
    add("Q2_3_TEXT", "Wat is uw geslacht? - Anders, namelijk: - Text", "QID2_3_TEXT")
    add("Q3", "Wat is uw geboortejaar?", "QID3")
    stems = {
        "mhi5": f"{MHI5_STEM}…",
        "djg11": DJG_STEM,
        "network_map": NETWORK_STEM,
        "lsns6": LSNS_TEXT,
    }
    for instrument, number in BLOCKS.items():
        for k, column in enumerate(ITEM_COLUMNS[instrument], start=1):
            add(
                f"Q{number}_{k}",
                f"{stems[instrument]} - {ITEM_TEXT_NL[column]}",
                f"QID{number}_{k}",
            )
    add("Q10", "Wilt u nog iets kwijt?", "QID10")
    names.append("gemeente")
    texts.append("gemeente")
    ids.append(json.dumps({"ImportId": "gemeente"}, separators=(",", ":")))
    return names, texts, ids


def _response_id(rng: np.random.Generator) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "R_" + "".join(alphabet[int(i)] for i in rng.integers(0, len(alphabet), 15))


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def build(panel: pl.DataFrame, rng: np.random.Generator) -> tuple[list[ExportTable], DefectRules]:
    """Return the three wave tables of ``netwerkcoach`` and how its defects look."""
    names, texts, ids = _columns()
    people = make_identities(n_people(panel), rng)
    tables = [
        ExportTable(file, list(names), [], [], header_rows=3, extra={"texts": texts, "ids": ids})
        for file in FILES
    ]
    stamped: list[list[tuple[dt.datetime, list[Any], tuple[str, int]]]] = [[] for _ in FILES]
    for r in panel.iter_rows(named=True):
        person = people[r["participant_index"]]
        start = time_of_day(rng, r["assessed_on"])
        complete = r["completed"]
        duration = int(rng.gamma(6.0, 110.0)) + 180
        end = start + dt.timedelta(seconds=duration)
        recorded = end if complete else end + dt.timedelta(days=7)
        lat, lon = COORDINATES[r["site"]]
        jitter = rng.normal(0, 0.02, 2)
        cells: dict[str, Any] = {
            "StartDate": _stamp(start),
            "EndDate": _stamp(end),
            "Status": "IP Address",
            "IPAddress": ip_address(rng),
            "Progress": "100" if complete else str(int(rng.integers(20, 80))),
            "Duration (in seconds)": str(duration),
            "Finished": "True" if complete else "False",
            "RecordedDate": _stamp(recorded),
            "ResponseId": _response_id(rng),
            "RecipientLastName": person.last_name,
            "RecipientFirstName": person.first_name,
            "RecipientEmail": person.email,
            "ExternalReference": r["study_id"],
            "LocationLatitude": f"{lat + jitter[0]:.4f}",
            "LocationLongitude": f"{lon + jitter[1]:.4f}",
            "DistributionChannel": "email",
            "UserLanguage": "NL",
            "Q1": "Ja",
            "Q2": GENDER[r["gender"]],
            "Q2_3_TEXT": (
                OTHER_GENDER_TEXT[int(rng.integers(len(OTHER_GENDER_TEXT)))]
                if r["gender"] == "other"
                else None
            ),
            "Q3": str(r["birth_year"]),
            "Q10": REMARKS[int(rng.integers(len(REMARKS)))] if rng.random() < 0.12 else None,
            "gemeente": r["site"],
        }
        for instrument, number in BLOCKS.items():
            for k, column in enumerate(ITEM_COLUMNS[instrument], start=1):
                code = r[column]
                if code is None:
                    value = None
                elif instrument == "network_map":
                    value = str(int(code))
                else:
                    value = ANSWERS[instrument][int(code)]
                cells[f"Q{number}_{k}"] = value
        stamped[r["wave"]].append(
            (recorded, [cells.get(c) for c in names], (r["study_id"], r["wave"]))
        )
    for table, rows in zip(tables, stamped, strict=True):
        rows.sort(key=lambda item: (item[0], item[2]))
        table.rows = [row for _, row, _ in rows]
        table.keys = [key for _, _, key in rows]

    def resubmit(table: ExportTable, row: list[Any], rng: np.random.Generator) -> list[Any]:
        copy = list(row)
        shift = dt.timedelta(minutes=int(rng.integers(3, 40)))
        for name in ("StartDate", "EndDate", "RecordedDate"):
            i = table.column(name)
            copy[i] = _stamp(dt.datetime.fromisoformat(copy[i]) + shift)
        copy[table.column("ResponseId")] = _response_id(rng)
        return copy

    mhi = [f"Q5_{k}" for k in range(1, 6)]
    djg = [f"Q6_{k}" for k in range(1, 12)]
    network = [f"Q7_{k}" for k in range(1, 7)]
    rules = DefectRules(
        kinds=("duplicate", "unknown_label", "out_of_range", "mistyped_id"),
        values={
            "unknown_label": [(c, ["Bijna altijd", "Regelmatig"]) for c in mhi]
            + [(c, ["Soms", "Weet ik veel"]) for c in djg],
            "out_of_range": [(c, ["-1", "-2", "-4"]) for c in network],
        },
        id_column="ExternalReference",
        resubmit=resubmit,
    )
    return tables, rules


def write(tables: list[ExportTable], directory: Path) -> list[Path]:
    """Write each table as a Qualtrics CSV into ``directory``; return the paths."""
    paths = []
    for table in tables:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(table.columns)
        writer.writerow(table.extra["texts"])
        writer.writerow(table.extra["ids"])
        for row in table.rows:
            writer.writerow(["" if v is None else v for v in row])
        paths.append(write_bytes(directory / table.file, buffer.getvalue().encode("utf-8-sig")))
    return paths
