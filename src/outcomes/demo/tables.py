"""Export tables before serialisation, fake identities, and the defects planted in them.

What belongs here: :class:`ExportTable` (the raw cells of one export file as the tool would
write them, plus which participant and wave each row is), the made-up names, e-mail addresses,
phone numbers and IP addresses the exports carry (they must be stripped at ingest), and
:func:`plant_defects`, which puts realistic faults into about 1.5% of the rows and lists them
for the truth file. Format-specific layouts are in the exporter modules.
"""

from __future__ import annotations

import datetime as dt
import itertools
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Share of rows of a project that carry a planted defect.
DEFECT_RATE = 0.015


@dataclass
class ExportTable:
    """The cells of one export file; ``None`` is an empty cell.

    ``header_rows`` is the number of lines above the first data row as a spreadsheet or editor
    shows the file (1 for a plain CSV or sheet, 3 for Qualtrics, 0 for SPSS whose Data View
    numbers cases from 1), so data row ``i`` (0-based) is shown as row ``i + header_rows + 1``.
    """

    file: str
    columns: list[str]
    rows: list[list[Any]]
    keys: list[tuple[str, int]]  # (raw study ID, wave) of each row
    header_rows: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    def column(self, name: str) -> int:
        return self.columns.index(name)

    def shown_row(self, index: int) -> int:
        """Return the 1-based row number a spreadsheet shows for data row ``index``."""
        return index + self.header_rows + 1


# --- identities -------------------------------------------------------------------------

FIRST_NAMES = (
    "Anna", "Bram", "Chantal", "Daan", "Els", "Fatima", "Gerrit", "Hanneke", "Ibrahim", "Jolanda",
    "Kees", "Lotte", "Mohamed", "Noor", "Olga", "Pieter", "Rachida", "Sanne", "Tom", "Ursula",
    "Vincent", "Wendy", "Yusuf", "Zoë", "Anaïs", "Noël", "José", "Ömer", "Chloë", "Hélène",
    "Ingrid", "Jan", "Marieke", "Ricardo", "Sevda", "Thijs", "Wilma", "Ahmet", "Bianca", "Dirk",
)  # fmt: skip
LAST_NAMES = (
    "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
    "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
    "de Wit", "Dijkstra", "Yilmaz", "El Amrani", "Kaya", "Verhoeven", "Koster", "Prins",
    "Sörensen", "Hoogendoorn", "van Dijk", "Kuipers", "Maas", "Çelik", "Groenewoud",
)  # fmt: skip
STREETS = (
    "Kerkstraat", "Dorpsstraat", "Schoolstraat", "Molenweg", "Beukenlaan", "Julianastraat",
    "Eikenlaan", "Stationsweg", "Lindenlaan", "Wilhelminastraat", "Prins Bernhardlaan",
)  # fmt: skip
MAIL_DOMAINS = ("gmail.com", "hotmail.com", "outlook.com", "ziggo.nl", "kpnmail.nl", "live.nl")


@dataclass(frozen=True)
class Identity:
    """Made-up direct identifiers of one participant."""

    first_name: str
    last_name: str
    email: str
    phone: str
    address: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ı", "i")


def make_identities(n: int, rng: np.random.Generator) -> list[Identity]:
    """Return ``n`` made-up identities (names, e-mail, Dutch mobile number, street address)."""
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    domain = rng.integers(0, len(MAIL_DOMAINS), n)
    phone = rng.integers(10_000_000, 99_999_999, n)
    street = rng.integers(0, len(STREETS), n)
    number = rng.integers(1, 180, n)
    people = []
    for i in range(n):
        f, l_ = FIRST_NAMES[first[i]], LAST_NAMES[last[i]]
        local = _ascii(f"{f}.{l_}").lower().replace(" ", "")
        people.append(
            Identity(
                first_name=f,
                last_name=l_,
                email=f"{local}{int(number[i]) % 90}@{MAIL_DOMAINS[domain[i]]}",
                phone=f"06-{int(phone[i])}",
                address=f"{STREETS[street[i]]} {int(number[i])}",
            )
        )
    return people


def n_people(panel: Any) -> int:
    """Return the number of participant slots of a project panel (max participant_index + 1)."""
    return int(panel["participant_index"].to_numpy().max()) + 1


def ip_address(rng: np.random.Generator) -> str:
    """Return a made-up public IPv4 address."""
    first = int(rng.choice([31, 77, 83, 84, 145, 185, 213, 217]))
    rest = rng.integers(0, 256, 3)
    return f"{first}.{rest[0]}.{rest[1]}.{rest[2]}"


def time_of_day(rng: np.random.Generator, day: dt.date) -> dt.datetime:
    """Return ``day`` at a plausible time for filling in a questionnaire (08:00–22:00)."""
    seconds = int(rng.integers(8 * 3600, 22 * 3600))
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)


# --- defects ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DefectRules:
    """How defects look in one project's export.

    ``values`` maps a defect kind (``out_of_range``, ``unknown_label``, ``malformed_date``) to
    candidate (column, bad values) pairs; ``id_column`` is the raw participant-ID column for
    ``mistyped_id``; ``resubmit`` returns the row of a duplicated submission (a copy with new
    tool-generated fields: response ID, time stamps).
    """

    kinds: tuple[str, ...]
    values: dict[str, list[tuple[str, list[Any]]]]
    id_column: str | None
    resubmit: Callable[[ExportTable, list[Any], np.random.Generator], list[Any]]


def mistype(study_id: str, taken: set[str], rng: np.random.Generator) -> str:
    """Return ``study_id`` with two adjacent digits swapped ("NC-0137" → "NC-0173").

    The result is a string not in ``taken``; when no swap gives one, a digit is dropped.
    """
    digits = [i for i, ch in enumerate(study_id) if ch.isdigit()]
    pairs = [
        (a, b) for a, b in itertools.pairwise(digits) if b == a + 1 and study_id[a] != study_id[b]
    ]
    for k in rng.permutation(len(pairs)):
        a, b = pairs[int(k)]
        chars = list(study_id)
        chars[a], chars[b] = chars[b], chars[a]
        candidate = "".join(chars)
        if candidate not in taken:
            return candidate
    return study_id[:-2] + study_id[-1]


def plant_defects(
    tables: Sequence[ExportTable],
    rules: DefectRules,
    rng: np.random.Generator,
    rate: float = DEFECT_RATE,
) -> list[dict[str, Any]]:
    """Put defects into about ``rate`` of all rows of ``tables`` (in place) and list them.

    Each defect touches one row, and no row carries two. Returns one dict per defect with
    ``kind``, ``file``, ``row`` (the 1-based row number a spreadsheet shows, header rows
    counted; the case number for SPSS), ``column``, ``value`` (the planted raw value),
    ``original`` (the value before), ``study_id`` and ``wave``; duplicates give
    ``duplicate_of`` (the row number of the first submission) instead of column and value.
    """
    n_rows = sum(len(t.rows) for t in tables)
    n_defects = max(len(rules.kinds), round(rate * n_rows))
    all_ids = {key[0] for t in tables for key in t.keys}
    rows_per_id: dict[str, int] = {}
    for table in tables:
        for study_id, _ in table.keys:
            rows_per_id[study_id] = rows_per_id.get(study_id, 0) + 1
    used: set[tuple[int, int]] = set()
    planted: list[tuple[str, int, list[Any], dict[str, Any]]] = []
    # kinds in a fixed rotation so every allowed kind appears
    kinds = [rules.kinds[i % len(rules.kinds)] for i in range(n_defects)]

    def eligible(kind: str, column: str | None) -> list[tuple[int, int]]:
        cells = []
        for t_index, table in enumerate(tables):
            col = table.column(column) if column is not None else None
            for r_index, row in enumerate(table.rows):
                if (t_index, r_index) in used:
                    continue
                if kind == "mistyped_id" and (
                    table.keys[r_index][1] == 0 or rows_per_id[table.keys[r_index][0]] < 3
                ):
                    # a follow-up of someone with two more rows: the mistyped ID is the rarer one
                    continue
                if col is not None and (row[col] is None or row[col] == ""):
                    continue
                cells.append((t_index, r_index))
        return cells

    for kind in kinds:
        column: str | None = None
        bad: list[Any] = []
        if kind in rules.values:
            column, bad = rules.values[kind][int(rng.integers(len(rules.values[kind])))]
        elif kind == "mistyped_id":
            column = rules.id_column
        candidates = eligible(kind, column)
        if not candidates:
            continue
        t_index, r_index = candidates[int(rng.integers(len(candidates)))]
        used.add((t_index, r_index))
        table = tables[t_index]
        row = table.rows[r_index]
        study_id, wave = table.keys[r_index]
        record: dict[str, Any] = {"kind": kind, "file": table.file, "study_id": study_id}
        record["wave"] = wave
        if kind == "duplicate":
            planted.append((kind, t_index, row, record))
            continue
        assert column is not None
        col = table.column(column)
        original = row[col]
        if kind == "mistyped_id":
            value: Any = mistype(str(original), all_ids, rng)
            all_ids.add(value)
        else:
            value = bad[int(rng.integers(len(bad)))]
        row[col] = value
        record.update(column=column, value=_plain(value), original=_plain(original))
        planted.append((kind, t_index, row, record))

    # duplicates go in after all value defects so the copies are clean resubmissions
    for kind, t_index, row, record in planted:
        if kind != "duplicate":
            continue
        table = tables[t_index]
        index = next(i for i, r in enumerate(table.rows) if r is row)
        copy = rules.resubmit(table, row, rng)
        table.rows.insert(index + 1, copy)
        table.keys.insert(index + 1, table.keys[index])
        record["_copy"] = copy

    defects = []
    for _kind, t_index, row, record in planted:
        table = tables[t_index]
        if "_copy" in record:
            copy = record.pop("_copy")
            original_index = next(i for i, r in enumerate(table.rows) if r is row)
            copy_index = next(i for i, r in enumerate(table.rows) if r is copy)
            record["row"] = table.shown_row(copy_index)
            record["duplicate_of"] = table.shown_row(original_index)
        else:
            record["row"] = table.shown_row(next(i for i, r in enumerate(table.rows) if r is row))
        defects.append(record)
    return sorted(defects, key=lambda d: (d["file"], d["row"]))


def _plain(value: Any) -> Any:
    """Return ``value`` as a JSON-friendly scalar."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value
