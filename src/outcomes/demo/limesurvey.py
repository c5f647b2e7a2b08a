"""LimeSurvey export of Samen Oplopen (``samen-oplopen``, Zeist): one CSV file.

Layout as LimeSurvey's "Export results → CSV" with "question code" headings and "answer codes":
semicolon-separated, every field double-quoted, windows-1252 encoded (the export's Windows
setting), the response-table columns first (``id``, ``submitdate``, ``lastpage``,
``startlanguage``, ``seed``, ``token``, ``startdate``, ``datestamp``, ``ipaddr``, ``refurl``),
then question codes; array sub-questions as ``MHI[SQ001]``, the "other" text of a list question
as ``GESLACHT[other]`` (answer code ``-oth-``). Answer options are codes ``A1``, ``A2``, …; the
project's DJG options run from ``A1`` = "nee!" to ``A5`` = "ja!", the reverse of the canonical
order. A broken-off response has an empty ``submitdate``. The grade is typed with a decimal
comma ("7,5").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from outcomes.atomic import write_bytes
from outcomes.demo.design import ITEM_COLUMNS
from outcomes.demo.tables import (
    DefectRules,
    ExportTable,
    ip_address,
    make_identities,
    n_people,
    time_of_day,
)

FILE = "results-survey461273.csv"
ENCODING = "cp1252"
GENDER = {"female": "A1", "male": "A2", "other": "-oth-"}
OTHER_GENDER_TEXT = ("non-binair", "zeg ik liever niet", "anders")
PAGES = 6  # welcome/ID, you, MHI-5, DJG, network, grade and remarks
REMARKS = (
    "Fijn dat er één keer per week iemand langskomt",
    "Wij zijn geïnteresseerd in de koffieochtend; graag meer informatie",
    "Mijn maatje helpt met de brieven van de gemeente",
    "De kinderen zijn dol op onze vrijwilliger, échte aanrader",
    'Soms is het "te veel" met alle afspraken',
    "Na de verhuizing minder contact met de buren",
)


def _mhi_code(code: int) -> str:
    return f"A{code}"


def _djg_code(code: int) -> str:
    return f"A{6 - code}"  # A1 = nee! (canonical 5) … A5 = ja! (canonical 1)


def _grade(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _headings() -> list[str]:
    return [
        "id",
        "submitdate",
        "lastpage",
        "startlanguage",
        "seed",
        "token",
        "startdate",
        "datestamp",
        "ipaddr",
        "refurl",
        "DEELNR",
        "METING",
        "GESLACHT",
        "GESLACHT[other]",
        "GEBJAAR",
        *[f"MHI[SQ{k:03d}]" for k in range(1, 6)],
        *[f"DJG[SQ{k:03d}]" for k in range(1, 12)],
        *[f"NET[SQ{k:03d}]" for k in range(1, 7)],
        "CIJFER",
        "NAAM",
        "TELEFOON",
        "EMAIL",
        "OPMERK",
    ]


def _token(rng: np.random.Generator) -> str:
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(alphabet[int(i)] for i in rng.integers(0, len(alphabet), 15))


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def build(panel: pl.DataFrame, rng: np.random.Generator) -> tuple[list[ExportTable], DefectRules]:
    """Return the response table of ``samen-oplopen`` and how its defects look."""
    headings = _headings()
    people = make_identities(n_people(panel), rng)
    entries: list[tuple[dt.datetime, dict[str, Any], tuple[str, int]]] = []
    for r in panel.iter_rows(named=True):
        person = people[r["participant_index"]]
        start = time_of_day(rng, r["assessed_on"])
        end = start + dt.timedelta(seconds=int(rng.gamma(5.0, 120.0)) + 150)
        complete = r["completed"]
        cells: dict[str, Any] = {
            "submitdate": _stamp(end) if complete else "",
            "lastpage": str(PAGES) if complete else str(int(rng.integers(2, PAGES))),
            "startlanguage": "nl",
            "seed": str(int(rng.integers(100_000_000, 2_147_483_647))),
            "token": _token(rng),
            "startdate": _stamp(start),
            "datestamp": _stamp(end),
            "ipaddr": ip_address(rng),
            "refurl": "https://www.samen-oplopen.nl/vragenlijst" if rng.random() < 0.3 else "",
            "DEELNR": r["study_id"],
            "METING": f"A{r['wave'] + 1}",
            "GESLACHT": GENDER[r["gender"]],
            "GESLACHT[other]": (
                OTHER_GENDER_TEXT[int(rng.integers(len(OTHER_GENDER_TEXT)))]
                if r["gender"] == "other"
                else ""
            ),
            "GEBJAAR": str(r["birth_year"]),
            "CIJFER": _grade(r["qol_grade"]) if r["qol_grade"] is not None else "",
            "NAAM": person.full_name,
            "TELEFOON": person.phone,
            "EMAIL": person.email if rng.random() < 0.8 else "",
            "OPMERK": REMARKS[int(rng.integers(len(REMARKS)))] if rng.random() < 0.15 else "",
        }
        for k, column in enumerate(ITEM_COLUMNS["mhi5"], start=1):
            code = r[column]
            cells[f"MHI[SQ{k:03d}]"] = _mhi_code(int(code)) if code is not None else ""
        for k, column in enumerate(ITEM_COLUMNS["djg11"], start=1):
            code = r[column]
            cells[f"DJG[SQ{k:03d}]"] = _djg_code(int(code)) if code is not None else ""
        for k, column in enumerate(ITEM_COLUMNS["network_map"], start=1):
            code = r[column]
            cells[f"NET[SQ{k:03d}]"] = str(int(code)) if code is not None else ""
        entries.append((start, cells, (r["study_id"], r["wave"])))
    entries.sort(key=lambda e: (e[0], e[2]))
    rows = []
    for number, (_, cells, _) in enumerate(entries, start=1):
        cells["id"] = str(number)
        rows.append([cells[h] for h in headings])
    table = ExportTable(FILE, headings, rows, [e[2] for e in entries], header_rows=1)

    def resubmit(table: ExportTable, row: list[Any], rng: np.random.Generator) -> list[Any]:
        copy = list(row)
        shift = dt.timedelta(minutes=int(rng.integers(5, 90)))
        for name in ("startdate", "datestamp", "submitdate"):
            i = table.column(name)
            if copy[i]:
                copy[i] = _stamp(dt.datetime.fromisoformat(copy[i]) + shift)
        copy[table.column("seed")] = str(int(rng.integers(100_000_000, 2_147_483_647)))
        copy[table.column("id")] = ""  # numbered after all rows are in place
        return copy

    rules = DefectRules(
        kinds=("duplicate", "unknown_label", "out_of_range", "mistyped_id"),
        values={
            "unknown_label": [(f"MHI[SQ{k:03d}]", ["A7", "A0"]) for k in range(1, 6)]
            + [(f"DJG[SQ{k:03d}]", ["A6", "AO1"]) for k in range(1, 12)],
            "out_of_range": [("CIJFER", ["11", "12,5", "0"])]
            + [(f"NET[SQ{k:03d}]", ["-1", "-3"]) for k in range(1, 7)],
        },
        id_column="DEELNR",
        resubmit=resubmit,
    )
    return [table], rules


def write(tables: list[ExportTable], directory: Path) -> list[Path]:
    """Write the table as a LimeSurvey CSV (``;``, all quoted, windows-1252); return the path."""
    (table,) = tables
    id_column = table.column("id")
    for number, row in enumerate(table.rows, start=1):
        row[id_column] = str(number)  # LimeSurvey's response ids follow the table order
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in row])
    return [write_bytes(directory / table.file, buffer.getvalue().encode(ENCODING))]
