"""Castor EDC export of TijdvoorElkaar (``tijdvoorelkaar``, five sites): one survey CSV file.

Layout as Castor's CSV export of survey data: semicolon-separated, UTF-8, the participant
columns first (``Participant Id``, ``Participant Status``, ``Site Abbreviation``, ``Participant
Creation Date`` as DD-MM-YYYY HH:MM:SS), then one row per participant per survey-package
instance (``Survey Instance Id``, ``Survey Package Name`` giving the wave: "Nulmeting",
"Vervolgmeting 6 maanden", "Vervolgmeting 12 maanden"; ``Survey Completed On`` empty when the
survey was not finished), then the study's field variables. Dates typed in the survey are
DD-MM-YYYY. Radio fields hold option-group values, not labels: the project's MHI-5 options run
0 = Voortdurend … 5 = Nooit; other scales use their canonical codes. Fields a participant could
not answer carry Castor's user-missing values: ``##USER_MISSING_95##`` … ``_99##`` in option
fields, ``-95`` … ``-99`` in numeric fields. Contact
and demographic fields are asked in the Nulmeting only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from outcomes.atomic import write_bytes
from outcomes.demo.design import ITEM_COLUMNS, design
from outcomes.demo.simulate import SITE_ABBREVIATIONS
from outcomes.demo.tables import DefectRules, ExportTable, make_identities, n_people, time_of_day

#: Castor names an export after the study and the moment of export
FILE_PATTERN = "TijdvoorElkaar_survey_export_{:%Y%m%d}.csv"
SURVEY_NAME = "Vragenlijst TijdvoorElkaar"
GENDER = {"male": "1", "female": "2", "other": "3"}
#: Castor user-missing values: option and text fields carry the tagged form, numeric fields the
#: negative code (-95 measurement failed, -96 not applicable, -98 asked but unknown)
USER_MISSING = ("##USER_MISSING_95##", "##USER_MISSING_96##", "##USER_MISSING_98##")
USER_MISSING_NUMERIC = ("-95", "-96", "-98")
NETWORK_FIELDS = (
    "net_huis",
    "net_familie",
    "net_vrienden",
    "net_buren",
    "net_kennissen",
    "net_hulpverl",
)
REMARKS = (
    "Via TijdvoorElkaar hulp bij de computer gekregen",
    "Ik doe zelf nu ook boodschappen voor de buurman",
    "Contact met de sociaal makelaar is fijn",
    "Nog niemand gevonden voor de tuin",
    "Leuk om nieuwe mensen in de wijk te leren kennen",
)


def _fields() -> list[str]:
    return [
        "Participant Id",
        "Participant Status",
        "Site Abbreviation",
        "Participant Creation Date",
        "Survey Instance Id",
        "Survey Package Name",
        "Survey Name",
        "Survey Completed On",
        "vl_datum",
        "geslacht",
        "geb_datum",
        "naam",
        "email",
        "telefoon",
        *[f"mhi_{k}" for k in range(1, 6)],
        *[f"djg_{k}" for k in range(1, 12)],
        *NETWORK_FIELDS,
        *[f"swem_{k}" for k in range(1, 8)],
        *[f"lsns_{k}" for k in range(1, 7)],
        "toelichting",
    ]


def _instance_id(rng: np.random.Generator) -> str:
    return str(uuid.UUID(bytes=rng.bytes(16), version=4)).upper()


def _date(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%d-%m-%Y %H:%M:%S")


def build(panel: pl.DataFrame, rng: np.random.Generator) -> tuple[list[ExportTable], DefectRules]:
    """Return the survey table of ``tijdvoorelkaar`` and how its defects look."""
    fields = _fields()
    packages = design("tijdvoorelkaar").wave_labels
    people = make_identities(n_people(panel), rng)
    created: dict[str, dt.datetime] = {}
    rows: list[list[Any]] = []
    keys: list[tuple[str, int]] = []
    for r in panel.sort("study_id", "wave").iter_rows(named=True):
        person = people[r["participant_index"]]
        if r["study_id"] not in created:
            lead = dt.timedelta(days=int(rng.integers(1, 15)))
            created[r["study_id"]] = time_of_day(rng, r["baseline_on"] - lead)
        baseline = r["wave"] == 0
        done = time_of_day(rng, r["assessed_on"])
        cells: dict[str, Any] = {
            "Participant Id": r["study_id"],
            "Participant Status": "Open",
            "Site Abbreviation": SITE_ABBREVIATIONS[r["site"]],
            "Participant Creation Date": _stamp(created[r["study_id"]]),
            "Survey Instance Id": _instance_id(rng),
            "Survey Package Name": packages[r["wave"]],
            "Survey Name": SURVEY_NAME,
            "Survey Completed On": _stamp(done) if r["completed"] else "",
            "vl_datum": _date(r["assessed_on"]),
            "geslacht": GENDER[r["gender"]] if baseline else "",
            "geb_datum": _date(r["birth_date"]) if baseline else "",
            "naam": person.full_name if baseline else "",
            "email": person.email if baseline else "",
            "telefoon": person.phone if baseline else "",
            "toelichting": REMARKS[int(rng.integers(len(REMARKS)))] if rng.random() < 0.1 else "",
        }
        groups = (
            ("mhi", "mhi5", -1),  # Castor option values 0..5 for canonical 1..6
            ("djg", "djg11", 0),
            ("swem", "swemwbs", 0),
            ("lsns", "lsns6", 0),
        )
        for prefix, instrument, offset in groups:
            for k, column in enumerate(ITEM_COLUMNS[instrument], start=1):
                code = r[column]
                cells[f"{prefix}_{k}"] = _value(code, offset, r["completed"], rng)
        for name, column in zip(NETWORK_FIELDS, ITEM_COLUMNS["network_map"], strict=True):
            cells[name] = _value(r[column], 0, r["completed"], rng, numeric=True)
        rows.append([cells[f] for f in fields])
        keys.append((r["study_id"], r["wave"]))
    exported = max(panel["assessed_on"]) + dt.timedelta(days=11)
    table = ExportTable(FILE_PATTERN.format(exported), fields, rows, keys, header_rows=1)

    def resubmit(table: ExportTable, row: list[Any], rng: np.random.Generator) -> list[Any]:
        copy = list(row)  # the same package sent twice and both filled in
        copy[table.column("Survey Instance Id")] = _instance_id(rng)
        i = table.column("Survey Completed On")
        if copy[i]:
            moment = dt.datetime.strptime(copy[i], "%d-%m-%Y %H:%M:%S")
            copy[i] = _stamp(moment + dt.timedelta(days=int(rng.integers(1, 6))))
        return copy

    rules = DefectRules(
        kinds=("duplicate", "malformed_date", "out_of_range"),
        values={
            "malformed_date": [
                ("vl_datum", ["31-06-2023", "30-02-2023", "31-09-2022", "13-13-2022"])
            ],
            "out_of_range": [(name, ["-1", "-5"]) for name in NETWORK_FIELDS],
        },
        id_column=None,
        resubmit=resubmit,
    )
    return [table], rules


def _value(
    code: float | None,
    offset: int,
    completed: bool,
    rng: np.random.Generator,
    *,
    numeric: bool = False,
) -> str:
    if code is None:
        if not completed:
            return ""
        codes = USER_MISSING_NUMERIC if numeric else USER_MISSING
        return codes[int(rng.integers(len(codes)))]
    return str(int(code) + offset)


def write(tables: list[ExportTable], directory: Path) -> list[Path]:
    """Write the table as a Castor CSV (``;``, UTF-8); return the path."""
    (table,) = tables
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in row])
    return [write_bytes(directory / table.file, buffer.getvalue().encode("utf-8"))]
