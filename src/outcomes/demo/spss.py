"""SPSS export of Kwartiermaken De Stamtafel (``stamtafel``, Amsterdam): one ``.sav`` file.

Layout as a research assistant's data-entry file: short variable names (``respnr``, ``meting``,
``mhi1``…), Dutch variable labels, Dutch value labels and user-missing codes declared per
variable (8 "weet niet", 9 "geen antwoord" on answer items; 99 "onbekend" on counts and the
grade, where 8 and 9 are valid values). The project coded its DJG-6 items 1 = nee, 2 = min of
meer, 3 = ja — the reverse of the canonical order — so readers must map through the value
labels, not the numbers. The assessment date is a real SPSS date (EDATE10, dd.mm.yyyy).

``pyreadstat.write_sav`` stamps the creation date and time into the file header; they are
overwritten with a fixed moment derived from the data so equal inputs give equal bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyreadstat

from outcomes.atomic import write_with
from outcomes.demo.design import ITEM_COLUMNS, ITEM_TEXT_NL, LABELS_NL
from outcomes.demo.tables import DefectRules, ExportTable, make_identities, n_people

FILE = "stamtafel_effectmeting.sav"
WAVES = {1: "Voormeting", 2: "Nameting 1", 3: "Nameting 2", 4: "Nameting 3"}
GENDER_CODES = {"male": 1, "female": 2, "other": 3}
GENDER_LABELS = {1: "man", 2: "vrouw", 3: "anders", 9: "geen antwoord"}
ITEM_MISSING = {8: "weet niet", 9: "geen antwoord"}
COUNT_MISSING = {99: "onbekend"}
#: the project's own DJG-6 coding: 1 = nee … 3 = ja (canonical 1 = ja … 3 = nee)
DJG6_OWN = {1: 3, 2: 2, 3: 1}  # canonical code → SPSS code
NETWORK_VARS = ("net_huis", "net_fam", "net_vriend", "net_buren", "net_kennis", "net_prof")
HELPERS = ("Saskia", "Mehmet", "Ilse", "Jeroen", "Naima")
REMARKS = (
    "Samen ingevuld met begeleider",
    "Had moeite met de vragen over gevoelens",
    "Komt elke week naar de Stamtafel",
    "Vond het eten heel lekker, wil vaker komen",
    "Heeft nieuwe buurvrouw leren kennen",
)

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: creation date ("dd Mon yy") and time ("hh:mm:ss") in the SPSS file header record
SPSS_HEADER_DATE = slice(92, 101)
SPSS_HEADER_TIME = slice(101, 109)


def _variables() -> list[tuple[str, str]]:
    """Return (variable, Dutch label) in file order."""
    out = [
        ("respnr", "Respondentnummer"),
        ("meting", "Meetmoment"),
        ("datum", "Datum afname"),
        ("naam", "Naam deelnemer"),
        ("adres", "Adres"),
        ("telefoon", "Telefoonnummer"),
        ("geslacht", "Geslacht"),
        ("gebjaar", "Geboortejaar"),
        ("invuller", "Vragenlijst ingevuld door"),
    ]
    for k, column in enumerate(ITEM_COLUMNS["mhi5"], start=1):
        out.append((f"mhi{k}", f"MHI-5 {k}: {ITEM_TEXT_NL[column]}"))
    for k, column in enumerate(ITEM_COLUMNS["djg6"], start=1):
        out.append((f"djg{k}", f"Eenzaamheid {k}: {ITEM_TEXT_NL[column]}"))
    for var, column in zip(NETWORK_VARS, ITEM_COLUMNS["network_map"], strict=True):
        out.append((var, f"Netwerkkaart: aantal {ITEM_TEXT_NL[column].lower()}"))
    out.append(("cijfer", "Rapportcijfer kwaliteit van leven"))
    out.append(("opmerking", "Opmerkingen"))
    return out


def build(panel: pl.DataFrame, rng: np.random.Generator) -> tuple[list[ExportTable], DefectRules]:
    """Return the one table of ``stamtafel`` and how its defects look."""
    variables = _variables()
    names = [v for v, _ in variables]
    people = make_identities(n_people(panel), rng)
    entries: list[tuple[dt.date, list[Any], tuple[str, int]]] = []
    for r in panel.iter_rows(named=True):
        person = people[r["participant_index"]]
        cells: dict[str, Any] = {
            "respnr": r["study_id"],
            "meting": float(r["wave"] + 1),
            "datum": r["assessed_on"],
            "naam": person.full_name,
            "adres": f"{person.address}, Amsterdam",
            "telefoon": person.phone,
            "geslacht": float(GENDER_CODES[r["gender"]]),
            "gebjaar": float(r["birth_year"]),
            "invuller": float(1 if rng.random() < 0.35 else 2),
            "opmerking": REMARKS[int(rng.integers(len(REMARKS)))] if rng.random() < 0.1 else "",
        }
        for prefix, instrument, own in (("mhi", "mhi5", None), ("djg", "djg6", DJG6_OWN)):
            for k, column in enumerate(ITEM_COLUMNS[instrument], start=1):
                code = r[column]
                if code is None:
                    value = (8.0 if rng.random() < 0.5 else 9.0) if r["completed"] else np.nan
                else:
                    value = float(own[int(code)] if own else code)
                cells[f"{prefix}{k}"] = value
        for var, column in zip(NETWORK_VARS, ITEM_COLUMNS["network_map"], strict=True):
            code = r[column]
            cells[var] = float(code) if code is not None else (99.0 if r["completed"] else np.nan)
        grade = r["qol_grade"]
        cells["cijfer"] = float(grade) if grade is not None else np.nan
        entries.append((r["assessed_on"], [cells[n] for n in names], (r["study_id"], r["wave"])))
    entries.sort(key=lambda e: (e[0], e[2]))
    table = ExportTable(
        FILE,
        names,
        [row for _, row, _ in entries],
        [key for _, _, key in entries],
        header_rows=0,
        extra={"labels": dict(variables)},
    )

    def resubmit(table: ExportTable, row: list[Any], rng: np.random.Generator) -> list[Any]:
        return list(row)  # the same form typed in twice

    rules = DefectRules(
        kinds=("duplicate", "out_of_range", "mistyped_id"),
        values={
            "out_of_range": [(f"mhi{k}", [7.0, 0.0]) for k in range(1, 6)]
            + [(f"djg{k}", [4.0, 5.0]) for k in range(1, 7)]
            + [("cijfer", [11.0, 0.0, 12.0])],
        },
        id_column="respnr",
        resubmit=resubmit,
    )
    return [table], rules


def _numeric(labels: dict[int, str]) -> dict[int | float, str]:
    return {float(code): label for code, label in labels.items()}


def value_labels() -> dict[str, dict[int | float, str]]:
    """Return the SPSS value labels of every labelled variable."""
    labels: dict[str, dict[int | float, str]] = {
        "meting": _numeric(WAVES),
        "geslacht": _numeric(GENDER_LABELS),
        "invuller": _numeric({1: "deelnemer zelf", 2: "samen met begeleider"}),
    }
    for k in range(1, 6):
        labels[f"mhi{k}"] = _numeric({**LABELS_NL["mhi5"], **ITEM_MISSING})
    djg = {own: LABELS_NL["djg6"][canonical] for canonical, own in DJG6_OWN.items()}
    for k in range(1, 7):
        labels[f"djg{k}"] = _numeric({**dict(sorted(djg.items())), **ITEM_MISSING})
    for var in (*NETWORK_VARS, "cijfer"):
        labels[var] = _numeric(COUNT_MISSING)
    return labels


def write(tables: list[ExportTable], directory: Path) -> list[Path]:
    """Write the table as an SPSS ``.sav`` file with labels and user-missing codes."""
    (table,) = tables
    frame = pd.DataFrame(table.rows, columns=table.columns)
    for name in table.columns:
        if name in {"respnr", "naam", "adres", "telefoon", "opmerking"}:
            frame[name] = frame[name].astype(object).where(frame[name].notna(), "")
        elif name != "datum":
            frame[name] = frame[name].astype(float)
    missing: dict[str, list[Any]] = {}
    for k in range(1, 6):
        missing[f"mhi{k}"] = [8, 9]
    for k in range(1, 7):
        missing[f"djg{k}"] = [8, 9]
    missing["geslacht"] = [9]
    for var in (*NETWORK_VARS, "cijfer"):
        missing[var] = [99]
    formats = {"datum": "EDATE10", "gebjaar": "F4.0", "meting": "F1.0", "geslacht": "F1.0"}
    formats.update({f"mhi{k}": "F1.0" for k in range(1, 6)})
    formats.update({f"djg{k}": "F1.0" for k in range(1, 7)})
    formats.update({var: "F2.0" for var in NETWORK_VARS})
    formats["cijfer"] = "F4.1"
    last = max(d for d in frame["datum"] if isinstance(d, dt.date))
    stamp = dt.datetime.combine(last + dt.timedelta(days=12), dt.time(16, 5, 0))

    def writer(path: Path) -> None:
        pyreadstat.write_sav(
            frame,
            str(path),
            file_label="De Stamtafel Amsterdam - effectmeting deelnemers",
            column_labels=table.extra["labels"],
            variable_value_labels=value_labels(),
            missing_ranges=missing,
            variable_format=formats,
            variable_measure={"meting": "ordinal", "geslacht": "nominal"},
        )
        data = bytearray(path.read_bytes())
        month = MONTHS[stamp.month - 1]  # SPSS writes English month names, whatever the locale
        data[SPSS_HEADER_DATE] = f"{stamp.day:02d} {month} {stamp.year % 100:02d}".encode("ascii")
        data[SPSS_HEADER_TIME] = stamp.strftime("%H:%M:%S").encode("ascii")
        path.write_bytes(bytes(data))

    return [write_with(directory / table.file, writer)]
