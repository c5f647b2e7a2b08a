"""Excel export of Kwartiermaken De Kwartiertafel (``kwartiertafel``, Arnhem): one workbook.

Layout as a hand-kept spreadsheet: sheet "Gegevens" with Dutch column headings in row 1
("Deelnemernummer", "Datum afname", "Meting", "Geslacht", "Geboortedatum", "MHI 1 zenuwachtig",
…), answers typed as Dutch labels (with the odd capital or trailing space interviewers leave),
real date cells formatted dd-mm-jjjj, "weet niet" where a participant did not know; sheet
"Toelichting" holds the legend. Typed dates that are not dates are the malformed-date defects.

xlsxwriter stamps the creation time into ``docProps/core.xml``; it is set to a fixed moment
derived from the data so equal inputs give equal bytes (zip entries carry a fixed 1980 date).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import xlsxwriter

from outcomes.atomic import write_with
from outcomes.demo.design import ITEM_COLUMNS, LABELS_NL
from outcomes.demo.tables import DefectRules, ExportTable, make_identities, n_people

FILE = "Kwartiertafel_Arnhem_monitor.xlsx"
SHEET = "Gegevens"
WAVES = ("Voormeting", "Nameting 1", "Nameting 2")
GENDER = {"female": "Vrouw", "male": "Man", "other": "Anders"}
INTERVIEWERS = ("Marloes", "Hans", "Esra", "Pieter-Jan")
MHI_HEADINGS = (
    "MHI 1 zenuwachtig",
    "MHI 2 in de put",
    "MHI 3 kalm en rustig",
    "MHI 4 neerslachtig",
    "MHI 5 gelukkig",
)
NETWORK_HEADINGS = (
    "Netwerk huisgenoten",
    "Netwerk familie",
    "Netwerk vrienden",
    "Netwerk buren",
    "Netwerk kennissen",
    "Netwerk hulpverleners",
)
DJG_HEADINGS = tuple(f"DJG {k}" for k in range(1, 12))
SWEMWBS_HEADINGS = tuple(f"SWEMWBS {k}" for k in range(1, 8))
DATE_HEADINGS = ("Datum afname", "Geboortedatum")
REMARKS = (
    "Deelnemer doet nu vrijwilligerswerk bij de voedselbank",
    "Gesprek bij deelnemer thuis",
    "Maatje gevonden via de Kwartiertafel",
    "Vragen over eenzaamheid voorgelezen",
    "Telefonisch afgenomen",
)
LEGEND = (
    ("Toelichting bij het tabblad Gegevens", ""),
    ("", ""),
    (
        "Meting",
        "Voormeting = bij aanmelding; Nameting 1 = na ca. 6 maanden; Nameting 2 = na ca. 12",
    ),
    ("MHI 1 t/m 5", "Voortdurend / Meestal / Vaak / Soms / Zelden / Nooit (afgelopen 4 weken)"),
    ("DJG 1 t/m 11", "Eenzaamheidsschaal De Jong Gierveld: ja! / ja / min of meer / nee / nee!"),
    ("Netwerk", "Aantal personen per vak van de netwerkkaart"),
    ("SWEMWBS 1 t/m 7", "Nooit / Zelden / Soms / Vaak / Altijd (afgelopen twee weken)"),
    ("weet niet", "Deelnemer wist het antwoord niet; leeg = niet gevraagd of niet beantwoord"),
)


def _headings() -> list[str]:
    return [
        "Deelnemernummer",
        "Naam",
        "Telefoonnummer",
        "E-mailadres",
        "Datum afname",
        "Meting",
        "Geslacht",
        "Geboortedatum",
        "Interviewer",
        *MHI_HEADINGS,
        *DJG_HEADINGS,
        *NETWORK_HEADINGS,
        *SWEMWBS_HEADINGS,
        "Opmerkingen",
    ]


def _typed(label: str, rng: np.random.Generator) -> str:
    """Return ``label`` the way an interviewer might have typed it (case, trailing space)."""
    draw = rng.random()
    if draw < 0.04:
        return label.lower() if label[0].isupper() else label.capitalize()
    if draw < 0.06:
        return label + " "
    return label


def build(panel: pl.DataFrame, rng: np.random.Generator) -> tuple[list[ExportTable], DefectRules]:
    """Return the data sheet of ``kwartiertafel`` and how its defects look."""
    headings = _headings()
    people = make_identities(n_people(panel), rng)
    blocks = (
        ("mhi5", MHI_HEADINGS),
        ("djg11", DJG_HEADINGS),
        ("network_map", NETWORK_HEADINGS),
        ("swemwbs", SWEMWBS_HEADINGS),
    )
    entries: list[tuple[dt.date, list[Any], tuple[str, int]]] = []
    for r in panel.iter_rows(named=True):
        person = people[r["participant_index"]]
        cells: dict[str, Any] = {
            "Deelnemernummer": r["study_id"],
            "Naam": person.full_name,
            "Telefoonnummer": person.phone,
            "E-mailadres": person.email if rng.random() < 0.7 else None,
            "Datum afname": r["assessed_on"],
            "Meting": WAVES[r["wave"]],
            "Geslacht": GENDER[r["gender"]],
            "Geboortedatum": r["birth_date"],
            "Interviewer": INTERVIEWERS[int(rng.integers(len(INTERVIEWERS)))],
            "Opmerkingen": REMARKS[int(rng.integers(len(REMARKS)))] if rng.random() < 0.1 else None,
        }
        for instrument, block_headings in blocks:
            for column, heading in zip(ITEM_COLUMNS[instrument], block_headings, strict=True):
                code = r[column]
                value: Any
                if code is None:
                    value = "weet niet" if r["completed"] and rng.random() < 0.5 else None
                elif instrument == "network_map":
                    value = int(code)
                else:
                    value = _typed(LABELS_NL[instrument][int(code)], rng)
                cells[heading] = value
        entries.append((r["assessed_on"], [cells[h] for h in headings], (r["study_id"], r["wave"])))
    entries.sort(key=lambda e: (e[0], e[2]))
    table = ExportTable(
        FILE, headings, [e[1] for e in entries], [e[2] for e in entries], header_rows=1
    )

    def resubmit(table: ExportTable, row: list[Any], rng: np.random.Generator) -> list[Any]:
        return list(row)  # a row pasted twice

    rules = DefectRules(
        kinds=("duplicate", "malformed_date", "unknown_label", "out_of_range", "mistyped_id"),
        values={
            "malformed_date": [
                ("Datum afname", ["31-11-2022", "29-02-2023", "12-13-2022", "3 maart"]),
                ("Geboortedatum", ["31-04-1971", "00-00-1965"]),
            ],
            "unknown_label": [(h, ["Bijna altijd", "Regelmatig"]) for h in MHI_HEADINGS]
            + [(h, ["Soms", "ja, soms"]) for h in DJG_HEADINGS]
            + [(h, ["Meestal", "Bijna altijd"]) for h in SWEMWBS_HEADINGS],
            "out_of_range": [(h, [-1, -2]) for h in NETWORK_HEADINGS],
        },
        id_column="Deelnemernummer",
        resubmit=resubmit,
    )
    return [table], rules


def write(tables: list[ExportTable], directory: Path) -> list[Path]:
    """Write the table as an ``.xlsx`` workbook with a legend sheet; return the path."""
    (table,) = tables
    dates = [row[table.column("Datum afname")] for row in table.rows]
    last = max(d for d in dates if isinstance(d, dt.date))
    created = dt.datetime.combine(last + dt.timedelta(days=9), dt.time(10, 30))

    def writer(path: Path) -> None:
        workbook = xlsxwriter.Workbook(str(path))
        workbook.set_properties(
            {"title": "Kwartiertafel Arnhem - monitor", "author": "Kwartiermaken Arnhem",
             "created": created}
        )  # fmt: skip
        bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})
        date_format = workbook.add_format({"num_format": "dd-mm-yyyy"})
        sheet = workbook.add_worksheet(SHEET)
        sheet.freeze_panes(1, 1)
        for j, heading in enumerate(table.columns):
            sheet.write_string(0, j, heading, bold)
            sheet.set_column(j, j, max(10, min(len(heading) + 2, 24)))
        for i, row in enumerate(table.rows, start=1):
            for j, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(i, j, dt.datetime.combine(value, dt.time()), date_format)
                elif isinstance(value, int | float):
                    sheet.write_number(i, j, value)
                else:
                    sheet.write_string(i, j, str(value))
        legend = workbook.add_worksheet("Toelichting")
        legend.set_column(0, 0, 22)
        legend.set_column(1, 1, 90)
        for i, (key, text) in enumerate(LEGEND):
            legend.write_string(i, 0, key, bold if i == 0 else None)
            legend.write_string(i, 1, text)
        workbook.close()

    return [write_with(directory / table.file, writer)]
