"""Raw export → canonical responses frame (docs/architecture.md, "Ingest and errors").

What belongs here: applying a project spec to a :class:`RawExport` — the column map, the wave
rule, date parsing, answer labels → canonical codes (instrument registry + the spec's
``value_labels``), numbers with decimal commas, missing codes, ``completed``, birth date →
``birth_year``/``age``, pseudonyms, provenance and the per-row ``ingest_issues``. A value that
cannot be mapped becomes null plus an issue; a row is never dropped. Identifiers, free text and
tool metadata never become columns; every other raw column the spec does not map is reported.

One module per column kind: :mod:`.sources` (which export column feeds which canonical column;
the free and extra columns), :mod:`.participants` (participant IDs), :mod:`.waves`,
:mod:`.dates` (assessment date, birth date and year, age), :mod:`.meta` (site, arm, gender,
completed) and :mod:`.items` (item answers, network-map counts among them); :mod:`.values`
reads single values, :mod:`.coding` maps distinct values, :mod:`.mapping` puts it together.
"""

from __future__ import annotations

from outcomes.ingest.canonical.columns import (
    ISSUE_DTYPE,
    ISSUES_DTYPE,
    MAPPABLE_META,
    META_COLUMNS,
    PROVENANCE_COLUMNS,
)
from outcomes.ingest.canonical.items import (
    SpecMismatchError,
    instrument_registry,
    item_instruments,
)
from outcomes.ingest.canonical.mapping import (
    MappedExport,
    combine_exports,
    participants_of,
    to_canonical,
)
from outcomes.ingest.canonical.meta import GENDER_LABELS
from outcomes.ingest.canonical.participants import (
    NEAR_DUPLICATE_MAX_ROWS,
    flag_near_duplicates,
    is_near_duplicate,
    near_duplicate_pairs,
)
from outcomes.ingest.canonical.values import (
    EXCEL_EPOCH,
    common_dates,
    number_key,
    parse_date,
    parse_number,
    parse_wave,
)

__all__ = [
    "EXCEL_EPOCH",
    "GENDER_LABELS",
    "ISSUES_DTYPE",
    "ISSUE_DTYPE",
    "MAPPABLE_META",
    "META_COLUMNS",
    "NEAR_DUPLICATE_MAX_ROWS",
    "PROVENANCE_COLUMNS",
    "MappedExport",
    "SpecMismatchError",
    "combine_exports",
    "common_dates",
    "flag_near_duplicates",
    "instrument_registry",
    "is_near_duplicate",
    "item_instruments",
    "near_duplicate_pairs",
    "number_key",
    "parse_date",
    "parse_number",
    "parse_wave",
    "participants_of",
    "to_canonical",
]
