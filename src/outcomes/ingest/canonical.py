"""Raw export → canonical responses frame (contracts.md "Canonical responses frame").

What belongs here: applying a project spec to a :class:`RawExport` — the column map, the wave
rule, date parsing, answer labels → canonical codes (instrument registry + the spec's
``value_labels``), numbers with decimal commas, missing codes, ``completed``, birth date →
``birth_year``/``age``, pseudonyms, provenance and the per-row ``ingest_issues``. A value that
cannot be mapped becomes null plus an issue; a row is never dropped. Identifiers, free text and
tool metadata never become columns; every other raw column the spec does not map is reported.

Value mapping works on the distinct values of a column (a few dozen labels even in a million
rows) and is then applied by gathering each row's result at its position among those values
(:class:`_Codes`), so mapping stays vectorised.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from outcomes.ingest.readers.base import SOURCE_ROW, SOURCE_SHEET, ExportError, RawExport
from outcomes.ingest.spec import CANONICAL_META_COLUMNS, ProjectSpec, SpecError
from outcomes.instruments.base import normalise_label
from outcomes.privacy import find_identifier_columns, pseudonyms, redact, require_key

if TYPE_CHECKING:
    from outcomes.instruments.base import Instrument

ISSUE_DTYPE = pl.Struct(
    {"column": pl.String, "value": pl.String, "rule": pl.String, "message": pl.String}
)
ISSUES_DTYPE = pl.List(ISSUE_DTYPE)

#: canonical meta columns in contract order (items follow, then provenance)
META_COLUMNS = (
    "project",
    "participant_id",
    "wave",
    "assessed_on",
    "site",
    "arm",
    "gender",
    "birth_year",
    "age",
    "completed",
)
PROVENANCE_COLUMNS = ("source_file", "source_sha256", "source_row", "ingest_issues")
#: canonical targets a spec's ``columns`` may use besides instrument items
MAPPABLE_META = tuple(c for c in CANONICAL_META_COLUMNS if c != "participant_id")

_VALUE_CHECKED_ONLY = frozenset({"site", "arm", "wave", "assessed_on", "completed"})

#: a raw ID with at most this many rows may be a typing error of a similar, more frequent ID
NEAR_DUPLICATE_MAX_ROWS = 2

GENDER_LABELS: dict[str, str | None] = {
    **dict.fromkeys(
        ["vrouw", "v", "female", "f", "woman", "vrouwelijk", "meisje", "girl", "w"], "female"
    ),
    **dict.fromkeys(["man", "m", "male", "mannelijk", "jongen", "boy"], "male"),
    **dict.fromkeys(
        ["anders", "other", "x", "non-binair", "non-binary", "nonbinary", "divers", "overig"],
        "other",
    ),
    **dict.fromkeys(
        [
            "zeg ik liever niet",
            "wil ik niet zeggen",
            "prefer not to say",
            "onbekend",
            "unknown",
            "weet niet",
        ],
        None,
    ),
}
_FALSE_VALUES = frozenset(
    {"0", "false", "onwaar", "nee", "no", "n", "incomplete", "onvolledig", "niet afgerond"}
)
_DUTCH_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januari", "jan"),
            ("februari", "feb"),
            ("maart", "mrt", "mar"),
            ("april", "apr"),
            ("mei",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("augustus", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


class SpecMismatchError(ExportError, SpecError):
    """A spec asks for something its instruments cannot hold (an unknown canonical column or
    instrument). Both an :class:`ExportError` (so ``outcomes validate`` reports it as
    unreadable) and a :class:`SpecError` (the fix is in the spec)."""


@dataclass
class MappedExport:
    """One export mapped onto canonical columns, with what the mapping found.

    ``participants`` has one row per participant: ``participant_id`` (pseudonym), ``raw_id``
    (the raw study ID) and ``rows``; it is held in memory only (for the near-duplicate check
    in :func:`combine_exports`) and never written anywhere.
    """

    frame: pl.DataFrame
    participants: pl.DataFrame
    mapped: dict[str, str]
    unmapped: list[str]
    identifier_like: list[str]
    dropped: list[str]
    warnings: list[str] = field(default_factory=list)


# -- instruments ------------------------------------------------------------------------------


def instrument_registry() -> Mapping[str, Instrument]:
    """Return ``outcomes.instruments.INSTRUMENTS`` (imported lazily)."""
    from outcomes.instruments import INSTRUMENTS

    return INSTRUMENTS


def item_instruments(
    spec: ProjectSpec, registry: Mapping[str, Instrument] | None = None
) -> dict[str, str]:
    """Return canonical item column → instrument key for every instrument of ``spec``."""
    registry = registry if registry is not None else instrument_registry()
    items: dict[str, str] = {}
    for key in spec.instruments:
        if key not in registry:
            raise SpecMismatchError(
                f"spec {spec.id}: key 'instruments': unknown instrument {key!r}; "
                f"expected one of {sorted(registry)}"
            )
        for column in registry[key].item_columns:
            items[column] = key
    return items


# -- value parsing ----------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_COMMA_NUMBER = re.compile(r"^[+-]?\d+,\d+$")


def parse_number(text: str, decimal_comma: bool | None) -> float | None:
    """Return ``text`` as a float, else None.

    ``decimal_comma``: True reads ``3,5`` as 3.5 (and ``.`` as a decimal point too); None
    (spec silent) detects it the same way; False treats a comma as not a number.
    """
    value = text.strip()
    if decimal_comma is not False and _COMMA_NUMBER.match(value):
        value = value.replace(",", ".")
    if not _NUMBER.match(value):
        return None
    return float(value)


def number_key(text: str) -> str:
    """Return a comparison key: numbers as their shortest text (``"9.0"`` → ``"9"``), labels
    normalised (lower case, white space collapsed)."""
    number = parse_number(text, None)
    if number is not None:
        return str(int(number)) if number.is_integer() else repr(number)
    return normalise_label(text)


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_ISO_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?: .*)?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T].*)?$")
_DUTCH_TEXT = re.compile(r"^(\d{1,2})[ -]([a-z]+)\.?[ -](\d{4})$")
_SERIAL = re.compile(r"^\d{4,5}(\.\d+)?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(text: str, date_format: str | None = None) -> dt.date | None:
    """Return the date in ``text``, else None.

    Tries the spec's ``date_format`` (strptime), then ISO ``YYYY-MM-DD`` (with or without a
    time), ``YYYY/MM/DD``, Dutch ``DD-MM-YYYY``/``D-M-YYYY`` (also with / or .), ``1 maart
    2024``, and Excel date serials (days since 1899-12-30, the 1900 date system).
    Month-first (US) dates are never guessed.
    """
    value = text.strip()
    if not value:
        return None
    if date_format:
        try:
            return dt.datetime.strptime(value, date_format).date()
        except ValueError:
            pass
    for pattern, order in ((_ISO, "ymd"), (_ISO_SLASH, "ymd"), (_DMY, "dmy")):
        match = pattern.match(value)
        if match:
            a, b, c = (int(g) for g in match.groups()[:3])
            year, month, day = (a, b, c) if order == "ymd" else (c, b, a)
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    match = _DUTCH_TEXT.match(value.lower())
    if match and match.group(2) in _DUTCH_MONTHS:
        try:
            return dt.date(int(match.group(3)), _DUTCH_MONTHS[match.group(2)], int(match.group(1)))
        except ValueError:
            return None
    if _SERIAL.match(value):
        serial = float(value)
        if 1 <= serial < 2958466:
            return EXCEL_EPOCH + dt.timedelta(days=int(serial))
    return None


def common_dates(values: Sequence[str]) -> dict[str, dt.date]:
    """Return the dates among ``values`` written exactly as ``DD-MM-YYYY`` or ``YYYY-MM-DD``
    (two-digit day and month), parsed by polars in one pass; every other value, and any
    impossible date, is left out for :func:`parse_date`, which reads them the same way.

    Exports hold tens of thousands of distinct dates (birth dates); this is the fast path.
    """
    if not values:
        return {}
    text = pl.Series("value", values, dtype=pl.String)
    parsed = pl.select(
        pl.when(text.str.contains(r"^\d{2}-\d{2}-\d{4}$"))
        .then(text.str.to_date("%d-%m-%Y", strict=False))
        .when(text.str.contains(r"^\d{4}-\d{2}-\d{2}$"))
        .then(text.str.to_date("%Y-%m-%d", strict=False))
        .alias("date")
    ).to_series()
    return {
        value: date
        for value, date in zip(values, parsed.to_list(), strict=True)
        if date is not None
    }


_WAVE_PATTERN = re.compile(
    r"^(?:t|w|wave|meting|fu|follow[ _-]?up|vervolgmeting|m)[ _-]?(\d+)(?:[ _-].*)?$"
)


def parse_wave(text: str, labels: Mapping[str, int]) -> int | None:
    """Return the wave number of a raw wave value: the spec's ``labels`` first, then
    integers, ``T0``/``T1``/``meting 2``/``wave_3``, and baseline words (``baseline``,
    ``nulmeting``, ``voormeting`` → 0)."""
    key = normalise_label(text)
    if key in labels:
        return labels[key]
    number = parse_number(key, None)
    if number is not None and number.is_integer():
        return int(number)
    match = _WAVE_PATTERN.match(key)
    if match:
        return int(match.group(1))
    if key.startswith(("baseline", "nulmeting", "voormeting", "t0")):
        return 0
    return None


# -- per-column mapping -----------------------------------------------------------------------


@dataclass
class _ValueMap:
    """Distinct raw value → mapped value, plus issues for values that did not map."""

    values: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)

    def bad(self, raw: str, rule: str, message: str) -> None:
        self.values[raw] = None
        self.rules[raw] = rule
        self.messages[raw] = message


#: rows whose distinct values are tried first when coding a column (see :class:`_Codes`)
_HEAD_ROWS = 10_000


def _position_column(column: str) -> str:
    """Return the name under which ``column``'s positions join the export's columns."""
    return f"\x1fposition\x1f{column}"


def _positions(column: str, keys: Sequence[str]) -> pl.Expr:
    """Return each row's position in ``keys`` (null for null and for values not in ``keys``)."""
    if not keys:  # as long as the column, also when every expression of a select is this
        return pl.repeat(None, pl.len(), dtype=pl.UInt32).alias(_position_column(column))
    return (
        pl.col(column)
        .cast(pl.Enum(keys), strict=False)
        .to_physical()
        .alias(_position_column(column))
    )


class _Codes:
    """The distinct values of an export's mapped columns, and each row's position among them.

    Mapping works on distinct values (a few dozen labels even in a million rows) and is then
    applied by gathering each row's mapped value at its position. Coding a column costs one
    pass over its strings: the distinct values of the first :data:`_HEAD_ROWS` rows are tried
    first, and a column holding a value not among them (a null position where the raw value
    is not null) is coded again from all its distinct values.
    """

    def __init__(self, frame: pl.DataFrame, columns: Sequence[str]) -> None:
        self.frame = frame
        self.values: dict[str, list[str]] = {}
        self.positions = pl.DataFrame()
        self.add([c for c in dict.fromkeys(columns) if c in frame.columns])

    def add(self, columns: Sequence[str]) -> None:
        """Code ``columns`` (all of them in one parallel pass)."""
        columns = [c for c in columns if c not in self.values]
        if not columns:
            return
        head = self.frame.head(_HEAD_ROWS).select(
            pl.col(c).drop_nulls().unique(maintain_order=True).implode() for c in columns
        )
        tried = {c: list(v) for c, v in zip(columns, head.row(0), strict=True)}
        # many distinct values in the first rows (dates, counts): all rows will add more
        whole = [c for c in columns if len(tried[c]) > _HEAD_ROWS // 10]
        if whole:
            tried.update(self._distinct(whole))
        positions = self.frame.select(_positions(c, tried[c]) for c in columns)
        missed = [
            c
            for c in columns
            if positions.get_column(_position_column(c)).null_count()
            != self.frame.get_column(c).null_count()
        ]
        if missed:
            tried.update(self._distinct(missed))
            positions = positions.with_columns(
                self.frame.select(_positions(c, tried[c]) for c in missed)
            )
        self.values.update(tried)
        self.positions = self.positions.hstack(positions) if self.positions.width else positions

    def _distinct(self, columns: Sequence[str]) -> dict[str, list[str]]:
        row = self.frame.select(pl.col(c).drop_nulls().unique().implode() for c in columns).row(0)
        return {c: list(values) for c, values in zip(columns, row, strict=True)}

    def distinct(self, column: str) -> list[str]:
        """Return the distinct non-null values of ``column`` (coding it when not yet coded)."""
        self.add([column])
        return self.values[column]

    def lookup(self, column: str, values: Mapping[str, Any], dtype: pl.DataType) -> pl.Expr:
        """Return ``column`` mapped through ``values`` (distinct value → result; null for a value
        it does not hold), as an expression on :meth:`frame_with_positions`."""
        keys = self.distinct(column)
        if not keys:
            return pl.lit(None, dtype=dtype)
        results = pl.Series(column, [values.get(k) for k in keys], dtype=dtype)
        return pl.lit(results).gather(pl.col(_position_column(column)))

    def frame_with_positions(self) -> pl.DataFrame:
        """Return the export's columns plus the position columns (no copy)."""
        return self.frame.hstack(self.positions) if self.positions.width else self.frame


#: seed of the 64-bit hash that groups participant IDs (any fixed value; the grouping is checked)
_ID_HASH_SEED = 20_240_301


def _id_hashes(values: pl.Series) -> pl.Series:
    """Return a 64-bit hash of every value (null for null)."""
    return values.hash(_ID_HASH_SEED).set(values.is_null(), None)


def _distinct_positions(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Return (the distinct non-null ``values``, each row's position among them; null stays
    null).

    Rows are grouped by a 64-bit hash of their value — a third of the time of coding the
    strings against their distinct values — and the grouping is verified: when two different
    values share a hash, the exact route is taken instead.
    """
    hashes = _id_hashes(values)
    first_rows = (
        pl.DataFrame({"hash": hashes})
        .with_row_index("row")
        .drop_nulls("hash")
        .unique("hash", keep="any")
        .sort("hash")
        .get_column("row")
    )
    distinct = values.gather(first_rows)
    positions = (hashes.rank("dense") - 1).cast(pl.UInt32)
    if distinct.is_empty() or not (distinct.gather(positions) != values).any():
        return distinct, positions
    distinct = values.drop_nulls().unique()
    return distinct, values.cast(pl.Enum(distinct)).to_physical().cast(pl.UInt32)


@dataclass
class _ParticipantIds:
    """An export's distinct raw participant IDs (stripped), each row's position among them
    (null where the row has no ID), and the distinct IDs' pseudonyms."""

    distinct: pl.Series
    positions: pl.Series
    pseudonyms: list[str]

    def participants(self) -> pl.DataFrame:
        """Return one row per participant: ``participant_id`` (pseudonym), ``raw_id``, ``rows``."""
        rows = np.bincount(self.positions.drop_nulls().to_numpy(), minlength=len(self.distinct))
        return pl.DataFrame(
            {
                "participant_id": pl.Series(self.pseudonyms, dtype=pl.String),
                "raw_id": self.distinct,
                "rows": pl.Series(rows, dtype=pl.Int64),
            }
        )


def _participant_ids(column: pl.Series, key: bytes, project: str) -> Future[_ParticipantIds]:
    """Return the participant IDs of ``column`` with their pseudonyms, computed in a thread.

    The HMACs are pure Python, one per distinct ID; polars releases the GIL while it maps the
    other columns, so they run alongside."""
    require_key(key)  # before any work, not when the thread's result is read
    worker = ThreadPoolExecutor(max_workers=1)
    future = worker.submit(_pseudonymised_ids, column, key, project)
    worker.shutdown(wait=False)
    return future


def _pseudonymised_ids(column: pl.Series, key: bytes, project: str) -> _ParticipantIds:
    raw = column.str.strip_chars()
    raw = raw.set(raw == "", None)
    distinct, positions = _distinct_positions(raw)
    return _ParticipantIds(distinct, positions, pseudonyms(distinct.to_list(), key, project))


def _normalised_labels(labels: Mapping[str, Any]) -> dict[str, Any]:
    return {number_key(str(raw)): value for raw, value in labels.items()}


def _as_code(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return parse_number(str(value), None)


def _item_map(
    values: list[str],
    *,
    raw_column: str,
    canonical: str,
    spec_labels: dict[str, Any],
    registry_labels: dict[str, int],
    codebook_labels: dict[str, str] | None,
    missing: set[str],
    decimal_comma: bool | None,
    has_options: bool,
    instrument: str,
) -> _ValueMap:
    """Return the code of every distinct raw value of one item column."""
    result = _ValueMap()
    codebook_keys = (
        {number_key(code): label for code, label in codebook_labels.items()}
        if codebook_labels
        else {}
    )
    for raw in values:
        key = number_key(raw)
        if not raw.strip() or key in missing:
            result.values[raw] = None
            continue
        if key in spec_labels:
            code = _as_code(spec_labels[key])
            if code is None and spec_labels[key] is not None:
                result.bad(raw, "unknown_label", f"value_labels maps {raw!r} to a non-number")
            else:
                result.values[raw] = code
            continue
        if key in codebook_keys:
            label = codebook_keys[key]
            label_key = number_key(label)
            if label_key in missing:
                result.values[raw] = None
            elif label_key in spec_labels:
                result.values[raw] = _as_code(spec_labels[label_key])
            elif label_key in registry_labels:
                result.values[raw] = float(registry_labels[label_key])
            else:
                result.bad(
                    raw,
                    "unknown_label",
                    f"{raw_column} → {canonical}: code {raw!r} is labelled {label!r} in the "
                    f"file, which is not an answer label of {instrument} nor in the spec's "
                    "value_labels",
                )
            continue
        if key in registry_labels:
            result.values[raw] = float(registry_labels[key])
            continue
        number = parse_number(raw, decimal_comma)
        if number is not None:
            result.values[raw] = number
            continue
        if has_options:
            result.bad(
                raw,
                "unknown_label",
                f"{raw_column} → {canonical}: {raw!r} is not an answer label of {instrument} "
                "nor in the spec's value_labels",
            )
        else:
            result.bad(raw, "not_a_number", f"{raw_column} → {canonical}: {raw!r} is not a number")
    return result


def _missing_keys(spec: ProjectSpec, raw: RawExport) -> set[str]:
    keys = {number_key(str(code)) for code in spec.missing_codes}
    keys |= {number_key(code) for code in raw.missing_codes}
    return keys


# -- the mapping ------------------------------------------------------------------------------


def _meta_sources(
    spec: ProjectSpec, items: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Return (canonical meta → raw column, canonical item → raw column) from the spec."""
    meta: dict[str, str] = {}
    for name, raw in (
        ("wave", spec.wave.column),
        ("assessed_on", spec.assessed_on),
        ("site", spec.site),
        ("arm", spec.arm),
        ("completed", spec.completed),
    ):
        if raw is not None:
            meta[name] = raw
    mapped_items: dict[str, str] = {}
    for raw, canonical in spec.columns.items():
        if canonical in items:
            mapped_items[canonical] = raw
        elif canonical in MAPPABLE_META:
            meta.setdefault(canonical, raw)
        elif canonical == "participant_id":
            if raw != spec.participant_id:
                raise SpecMismatchError(
                    f"spec {spec.id}: key 'columns.{raw}': the participant ID column is given by "
                    f"'participant_id' ({spec.participant_id!r}), not by 'columns'"
                )
        else:
            raise SpecMismatchError(
                f"spec {spec.id}: key 'columns.{raw}': {canonical!r} is neither an item of the "
                f"instruments {spec.instruments} nor one of {list(MAPPABLE_META)}"
            )
    if "birth_date" in meta and "birth_year" in meta:
        raise SpecMismatchError(
            f"spec {spec.id}: key 'columns': map either birth_date or birth_year"
        )
    return meta, mapped_items


def _close(name: str, columns: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(columns), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def to_canonical(
    raw: RawExport,
    spec: ProjectSpec,
    key: bytes,
    *,
    source_file: str | None = None,
    source_sha256: str = "",
    registry: Mapping[str, Instrument] | None = None,
) -> MappedExport:
    """Return ``raw`` mapped onto the canonical responses columns of ``spec``'s project.

    One output row per raw row, in file order. Raises :class:`ExportError` when a column the
    spec names is missing from the file or a mapped column holds direct identifiers; value
    problems become nulls plus ``ingest_issues`` entries instead.
    """
    registry = registry if registry is not None else instrument_registry()
    items = item_instruments(spec, registry)
    meta, mapped_items = _meta_sources(spec, items)
    name = source_file or raw.path.name
    frame = raw.frame
    optional = set(spec.optional_columns)

    # 1. every column the spec names must exist (optional columns may be absent)
    problems: list[str] = []
    resolved: dict[str, str | None] = {}

    def need(raw_name: str, what: str, *, fatal: bool = True) -> None:
        column = raw.resolve(raw_name)
        resolved[raw_name] = column
        if column is None and fatal and raw_name not in optional:
            problems.append(f"{what} names column {raw_name!r}{_close(raw_name, raw.columns)}")

    need(spec.participant_id, "spec key 'participant_id'")
    dedicated = {
        "wave": spec.wave.column,
        "assessed_on": spec.assessed_on,
        "site": spec.site,
        "arm": spec.arm,
        "completed": spec.completed,
    }
    for canonical, raw_name in meta.items():
        if dedicated.get(canonical) == raw_name:
            key_name = "wave.column" if canonical == "wave" else canonical
            need(raw_name, f"spec key '{key_name}'")
        else:
            need(raw_name, f"spec key 'columns' ({raw_name!r} → {canonical!r})")
    for canonical, raw_name in mapped_items.items():
        need(raw_name, f"spec key 'columns' ({raw_name!r} → {canonical!r})")
    if problems:
        raise ExportError(
            f"{name}: "
            + "; ".join(problems)
            + f", which the file does not have; expected it in the header. The file has "
            f"{len(raw.columns)} columns: {', '.join(raw.columns[:40])}"
            + (" …" if len(raw.columns) > 40 else "")
        )
    id_column = resolved[spec.participant_id]
    assert id_column is not None
    # pseudonyms are computed in a thread while the other columns are checked and mapped
    ids = _participant_ids(frame.get_column(id_column), key, spec.id)
    meta_cols: dict[str, str] = {}
    for canonical, raw_name in meta.items():
        found = resolved.get(raw_name)
        if found is not None:
            meta_cols[canonical] = found
    item_cols: dict[str, str] = {}
    for canonical, raw_name in mapped_items.items():
        found = resolved.get(raw_name)
        if found is not None:
            item_cols[canonical] = found

    # 2. identifiers must not be mapped
    # site/arm/wave/date/completed columns are checked by value only: "Site Name" is no name
    by_value = [c for k, c in meta_cols.items() if c and k in _VALUE_CHECKED_ONLY]
    by_name = [
        c for k, c in (*meta_cols.items(), *item_cols.items()) if c and k not in _VALUE_CHECKED_ONLY
    ]
    findings = find_identifier_columns(frame, by_name) + find_identifier_columns(
        frame, by_value, check_names=False
    )
    if findings:
        finding = findings[0]
        raise ExportError(
            f"{name}: column {finding.column!r} is mapped by the spec but its "
            f"{finding.by} look like {finding.kind} (a direct identifier); identifiers never "
            "enter the warehouse — list it under 'identifiers' in the spec and do not map it"
        )

    # 3. what is dropped and what is unmapped
    used = {id_column, *[c for c in meta_cols.values() if c], *[c for c in item_cols.values() if c]}
    completed_column = meta_cols.get("completed") or (
        raw.completed_column if raw.completed_column in frame.columns else None
    )
    if completed_column:
        used.add(completed_column)
    warnings = list(raw.warnings)
    declared_drop: set[str] = set()
    for raw_name in sorted(spec.dropped_columns()):
        column = raw.resolve(raw_name)
        if column is None:
            continue
        declared_drop.add(column)
    tool_drop = raw.metadata | raw.identifiers | raw.free_text
    rest = [
        c for c in raw.columns if c not in used and c not in declared_drop and c not in tool_drop
    ]
    identifier_like = [f.column for f in find_identifier_columns(frame, rest)]
    unmapped = [c for c in rest if c not in identifier_like]
    for column in identifier_like:
        warnings.append(
            f"{name}: column {column!r} looks like a direct identifier and is not in the spec's "
            "'identifiers'; dropped"
        )
    dropped = sorted(
        declared_drop | (tool_drop & set(frame.columns)) | set(raw.dropped) | set(raw.skipped)
    )

    # 4. build the canonical columns (every mapped column coded in one pass)
    coded = [c for k, c in meta_cols.items() if k not in ("completed", "site", "arm")]
    coded += [c for k, c in meta_cols.items() if k in ("site", "arm") and spec.value_labels.get(k)]
    codes = _Codes(frame, [*coded, *item_cols.values()])
    return _build(
        raw,
        spec,
        ids,
        codes,
        name,
        source_sha256,
        registry,
        items,
        meta_cols,
        item_cols,
        id_column,
        completed_column,
        unmapped,
        identifier_like,
        dropped,
        warnings,
    )


def _build(
    raw: RawExport,
    spec: ProjectSpec,
    ids_future: Future[_ParticipantIds],
    codes: _Codes,
    name: str,
    source_sha256: str,
    registry: Mapping[str, Instrument],
    items: dict[str, str],
    meta_cols: dict[str, str],
    item_cols: dict[str, str],
    id_column: str,
    completed_column: str | None,
    unmapped: list[str],
    identifier_like: list[str],
    dropped: list[str],
    warnings: list[str],
) -> MappedExport:
    """Return the mapped export (the second half of :func:`to_canonical`)."""
    column: str | None
    frame = codes.frame
    missing = _missing_keys(spec, raw)
    decimal_comma: bool | None = (
        spec.export.decimal_comma if "decimal_comma" in spec.export.model_fields_set else None
    )
    if spec.export.decimal_comma:
        decimal_comma = True
    issues: list[pl.Expr] = []
    columns: list[pl.Expr] = [pl.lit(spec.id, dtype=pl.String).alias("project")]

    def report(column: str, mapping: _ValueMap, target: str) -> None:
        """Add an issue on the rows whose value of ``column`` did not map."""
        if not mapping.rules:
            return
        rule = codes.lookup(column, mapping.rules, pl.String())
        issues.append(
            pl.when(rule.is_not_null()).then(
                pl.struct(
                    pl.lit(target, dtype=pl.String).alias("column"),
                    codes.lookup(column, {v: redact(v) for v in mapping.rules}, pl.String()).alias(
                        "value"
                    ),
                    rule.alias("rule"),
                    codes.lookup(column, _redacted_messages(mapping.messages), pl.String()).alias(
                        "message"
                    ),
                )
            )
        )

    def apply(column: str, mapping: _ValueMap, dtype: pl.DataType, target: str) -> pl.Expr:
        report(column, mapping, target)
        return codes.lookup(column, mapping.values, dtype).alias(target)

    def row_issue(condition: pl.Expr, column: str, rule: str, message: str) -> None:
        issues.append(
            pl.when(condition).then(
                pl.struct(
                    pl.lit(column, dtype=pl.String).alias("column"),
                    pl.lit(None, dtype=pl.String).alias("value"),
                    pl.lit(rule, dtype=pl.String).alias("rule"),
                    pl.lit(message, dtype=pl.String).alias("message"),
                )
            )
        )

    # wave
    labels = {number_key(k): v for k, v in spec.wave.labels.items()}
    if meta_cols.get("wave"):
        column = meta_cols["wave"]
        wave_map = _ValueMap()
        for value in codes.distinct(column):
            wave = parse_wave(value, labels) if number_key(value) not in missing else None
            if wave is None:
                wave_map.bad(
                    value,
                    "unknown_wave",
                    f"{column}: {value!r} is not a known wave; add it to the spec's wave.labels",
                )
            else:
                wave_map.values[value] = wave
        columns.append(apply(column, wave_map, pl.Int64(), "wave"))
        if frame.get_column(column).null_count():
            row_issue(
                pl.col(column).is_null(), "wave", "unknown_wave", f"{column}: no wave in this row"
            )
    elif spec.wave.file_pattern is not None:
        pattern = re.compile(spec.wave.file_pattern)
        match = pattern.search(name)
        wave = (
            parse_wave(match.group("wave"), labels)
            if match and "wave" in pattern.groupindex
            else None
        )
        if wave is None and SOURCE_SHEET in frame.columns:
            sheet_map = _ValueMap()
            for sheet in codes.distinct(SOURCE_SHEET):
                sheet_match = pattern.search(sheet)
                sheet_wave = parse_wave(sheet_match.group("wave"), labels) if sheet_match else None
                if sheet_wave is None:
                    sheet_map.bad(
                        sheet, "unknown_wave", f"sheet {sheet!r}: wave.file_pattern does not match"
                    )
                else:
                    sheet_map.values[sheet] = sheet_wave
            columns.append(apply(SOURCE_SHEET, sheet_map, pl.Int64(), "wave"))
        else:
            if wave is None:
                warnings.append(
                    f"{name}: wave.file_pattern {spec.wave.file_pattern!r} does not give a wave "
                    "for this file name; wave left empty"
                )
                row_issue(
                    pl.lit(True),
                    "wave",
                    "unknown_wave",
                    f"file name {name!r} does not match wave.file_pattern",
                )
            columns.append(pl.lit(wave, dtype=pl.Int64).alias("wave"))
    else:  # date_order: filled in by combine_exports over all files of the project
        columns.append(pl.lit(None, dtype=pl.Int64).alias("wave"))

    # assessed_on
    date_format = spec.export.date_format

    def date_map(column: str, target: str) -> _ValueMap:
        result = _ValueMap()
        values = codes.distinct(column)
        common = {} if date_format else common_dates(values)
        for value in values:
            parsed = common.get(value) or parse_date(value, date_format)
            if parsed is None and (not value.strip() or number_key(value) in missing):
                result.values[value] = None
                continue
            if parsed is None:
                result.bad(
                    value,
                    "bad_date",
                    f"{column} → {target}: {value!r} is not a date"
                    + (
                        f" in format {date_format!r}"
                        if date_format
                        else " (expected DD-MM-YYYY or YYYY-MM-DD)"
                    ),
                )
            else:
                result.values[value] = parsed
        return result

    assessed_ymd: pl.Expr | None = None  # YYYYMMDD, for the age at assessment
    if meta_cols.get("assessed_on"):
        column = meta_cols["assessed_on"]
        assert column is not None
        assessed = date_map(column, "assessed_on")
        columns.append(apply(column, assessed, pl.Date(), "assessed_on"))
        assessed_ymd = codes.lookup(column, _ymd(assessed), pl.Int64())
    else:
        columns.append(pl.lit(None, dtype=pl.Date).alias("assessed_on"))

    # site and arm: text, optionally relabelled by value_labels
    for target in ("site", "arm"):
        column = meta_cols.get(target)
        relabel = {number_key(str(k)): str(v) for k, v in spec.value_labels.get(target, {}).items()}
        if column:
            text = pl.col(column).str.strip_chars()
            if relabel:
                relabelled = {
                    v: relabel.get(number_key(v), v.strip()) for v in codes.distinct(column)
                }
                text = codes.lookup(column, relabelled, pl.String())
            if target == "site" and spec.default_site:
                text = pl.coalesce(text, pl.lit(spec.default_site))
            columns.append(text.alias(target))
        else:
            default = spec.default_site if target == "site" else None
            columns.append(pl.lit(default, dtype=pl.String).alias(target))

    # gender
    column = meta_cols.get("gender")
    if column:
        spec_gender = _normalised_labels(spec.value_labels.get("gender", {}))
        codebook = {number_key(k): v for k, v in raw.value_labels.get(column, {}).items()}
        gender_map = _ValueMap()
        for value in codes.distinct(column):
            key_ = number_key(value)
            if not value.strip() or key_ in missing:
                gender_map.values[value] = None
                continue
            candidates = [key_]
            if key_ in codebook:
                candidates.append(number_key(codebook[key_]))
            for candidate in candidates:
                if candidate in spec_gender:
                    gender_map.values[value] = _gender_value(spec_gender[candidate])
                    break
                if candidate in GENDER_LABELS:
                    gender_map.values[value] = GENDER_LABELS[candidate]
                    break
            else:
                gender_map.bad(
                    value,
                    "unknown_label",
                    f"{column} → gender: {value!r} is not a known gender label; map it in the "
                    "spec's value_labels.gender (female/male/other)",
                )
        columns.append(apply(column, gender_map, pl.String(), "gender"))
    else:
        columns.append(pl.lit(None, dtype=pl.String).alias("gender"))

    # birth_year, and age at assessment unless the spec maps an age column: from the birth
    # date, else the birth year. With dates as YYYYMMDD numbers the whole years between two
    # dates are their difference // 10000 (the month-day part decides whether the birthday
    # has passed).
    born_ymd: pl.Expr | None = None
    if meta_cols.get("birth_date"):
        column = meta_cols["birth_date"]
        assert column is not None
        born = date_map(column, "birth_date")
        report(column, born, "birth_date")
        born_ymd = codes.lookup(column, _ymd(born), pl.Int64())
        birth_year = born_ymd // 10_000
    elif meta_cols.get("birth_year"):
        column = meta_cols["birth_year"]
        assert column is not None
        birth_year = apply(
            column, _integer_map(codes, column, "birth_year", missing), pl.Int64(), "birth_year"
        )
    else:
        birth_year = pl.lit(None, dtype=pl.Int64)
    columns.append(birth_year.alias("birth_year"))
    if meta_cols.get("age"):
        column = meta_cols["age"]
        assert column is not None
        age = apply(column, _integer_map(codes, column, "age", missing), pl.Int64(), "age")
    elif assessed_ymd is not None and born_ymd is not None:
        age = (assessed_ymd - born_ymd) // 10_000
    elif assessed_ymd is not None and meta_cols.get("birth_year"):
        age = assessed_ymd // 10_000 - birth_year
    else:
        age = pl.lit(None, dtype=pl.Int64)
    columns.append(age.alias("age"))

    # completed
    if completed_column:
        # An empty cell means "not submitted" (LimeSurvey's quoted empty submitdate, "").
        answer = pl.col(completed_column).str.strip_chars().str.to_lowercase()
        completed = answer.is_not_null() & (answer != "") & ~answer.is_in(list(_FALSE_VALUES))
        columns.append(completed.alias("completed"))
    else:
        columns.append(pl.lit(True).alias("completed"))

    # items
    for canonical in items:
        column = item_cols.get(canonical)
        if not column:
            columns.append(pl.lit(None, dtype=pl.Float64).alias(canonical))
            continue
        instrument = registry[items[canonical]]
        spec_labels = _normalised_labels(
            {**spec.value_labels.get(instrument.key, {}), **spec.value_labels.get(canonical, {})}
        )
        mapping = _item_map(
            codes.distinct(column),
            raw_column=column,
            canonical=canonical,
            spec_labels=spec_labels,
            registry_labels=instrument.label_codes(),
            codebook_labels=raw.value_labels.get(column),
            missing=missing,
            decimal_comma=decimal_comma,
            has_options=bool(instrument.options),
            instrument=instrument.key,
        )
        columns.append(apply(column, mapping, pl.Float64(), canonical))
    unmapped_items = [c for c in items if c not in item_cols]
    if unmapped_items:
        warnings.append(
            f"{name}: no raw column is mapped to {', '.join(unmapped_items)}; left empty"
        )

    # provenance and issues
    columns += [
        pl.lit(name, dtype=pl.String).alias("source_file"),
        pl.lit(source_sha256, dtype=pl.String).alias("source_sha256"),
        pl.col(SOURCE_ROW).cast(pl.Int64).alias("source_row"),
    ]
    ids = ids_future.result()
    if ids.positions.null_count():
        row_issue(
            pl.lit(ids.positions.is_null()),
            "participant_id",
            "missing_participant_id",
            f"{id_column}: no participant ID in this row",
        )
        issues.insert(0, issues.pop())  # a row's ID problem is listed first
    if issues:
        columns.append(pl.concat_list(issues).list.drop_nulls().alias("ingest_issues"))
    else:
        columns.append(pl.lit([], dtype=ISSUES_DTYPE).alias("ingest_issues"))
    out = codes.frame_with_positions().select(columns)
    participants = ids.participants()
    pseudonym_rows = participants.get_column("participant_id").gather(ids.positions)
    out = out.with_columns(pseudonym_rows.alias("participant_id"))
    order = [*META_COLUMNS, *items, *PROVENANCE_COLUMNS]
    return MappedExport(
        frame=out.select(order),
        participants=participants,
        mapped={
            **{r: c for c, r in meta_cols.items() if r},
            **{r: c for c, r in item_cols.items() if r},
            id_column: "participant_id",
        },
        unmapped=unmapped,
        identifier_like=identifier_like,
        dropped=dropped,
        warnings=warnings,
    )


def _redacted_messages(messages: Mapping[str, str]) -> dict[str, str]:
    """Return ``messages`` with raw values that look like identifiers replaced."""
    redacted: dict[str, str] = {}
    for raw, message in messages.items():
        shown = redact(raw)
        redacted[raw] = message if shown == raw else message.replace(repr(raw), str(shown))
    return redacted


def _gender_value(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    return GENDER_LABELS.get(text, text if text in {"female", "male", "other"} else None)


def _integer_map(codes: _Codes, column: str, target: str, missing: set[str]) -> _ValueMap:
    result = _ValueMap()
    for value in codes.distinct(column):
        if not value.strip() or number_key(value) in missing:
            result.values[value] = None
            continue
        number = parse_number(value, None)
        if number is None:
            result.bad(value, "not_a_number", f"{column} → {target}: {value!r} is not a number")
        else:
            result.values[value] = int(number)
    return result


def _ymd(dates: _ValueMap) -> dict[str, int | None]:
    """Return each raw value's date of ``dates`` as the number YYYYMMDD (None when no date)."""
    return {
        raw: date.year * 10_000 + date.month * 100 + date.day if date is not None else None
        for raw, date in dates.values.items()
    }


# -- over all exports of a project --------------------------------------------------------------


def is_near_duplicate(a: str, b: str) -> bool:
    """Return True when ``a`` and ``b`` differ by one edit (substitution, insertion, deletion)
    or by swapping two adjacent characters (Damerau–Levenshtein distance 1)."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if la < lb else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def near_duplicate_pairs(counts: Mapping[str, int]) -> list[tuple[str, str]]:
    """Return (rare ID, frequent ID) pairs at distance 1 where the rare one has at most
    ``NEAR_DUPLICATE_MAX_ROWS`` rows and fewer rows than the other.

    Candidates come from shared single-deletion variants (the symmetric-deletion method), so
    the check is linear in the number of IDs, not quadratic.
    """
    rare = [i for i, n in counts.items() if n <= NEAR_DUPLICATE_MAX_ROWS]
    if not rare:
        return []
    index: dict[str, list[str]] = {}
    for raw_id in counts:
        for variant in {raw_id, *(raw_id[:i] + raw_id[i + 1 :] for i in range(len(raw_id)))}:
            index.setdefault(variant, []).append(raw_id)
    pairs: set[tuple[str, str]] = set()
    for raw_id in rare:
        candidates: set[str] = set()
        for variant in {raw_id, *(raw_id[:i] + raw_id[i + 1 :] for i in range(len(raw_id)))}:
            candidates.update(index.get(variant, ()))
        for other in candidates:
            if counts[other] > counts[raw_id] and is_near_duplicate(raw_id, other):
                pairs.add((raw_id, other))
    return sorted(pairs)


def combine_exports(mapped: Sequence[MappedExport], spec: ProjectSpec) -> pl.DataFrame:
    """Return the project's canonical responses frame from its mapped exports.

    Stacks the exports in the given order, numbers waves by date order when the spec says
    ``wave: {date_order: true}`` (per participant: earliest ``assessed_on`` = 0, equal dates
    share a wave), and flags near-duplicate raw IDs: when a raw ID with few rows is one typing
    error (edit distance 1 or two swapped adjacent characters) away from a more frequent ID and
    their waves do not overlap, its rows get an ``participant_id_near_duplicate`` issue. IDs are
    never merged.
    """
    if not mapped:
        raise ValueError("combine_exports needs at least one mapped export")
    frame = pl.concat([m.frame for m in mapped], how="vertical_relaxed")
    if spec.wave.date_order:
        rank = pl.col("assessed_on").rank("dense").over("participant_id") - 1
        frame = frame.with_columns(
            pl.when(pl.col("assessed_on").is_not_null()).then(rank.cast(pl.Int64)).alias("wave")
        )
        frame = _append_issue(
            frame,
            pl.col("assessed_on").is_null(),
            "wave",
            "unknown_wave",
            "no assessment date, so the wave cannot be found from the date order",
        )
    return flag_near_duplicates(frame, participants_of(mapped))


def participants_of(mapped: Sequence[MappedExport]) -> pl.DataFrame:
    """Return one row per participant over ``mapped``: ``participant_id`` (pseudonym),
    ``raw_id`` and ``rows`` (their rows in all these exports)."""
    if len(mapped) == 1:
        return mapped[0].participants
    return (
        pl.concat([m.participants for m in mapped])
        .group_by("participant_id", maintain_order=True)
        .agg(pl.col("raw_id").first(), pl.col("rows").sum())
    )


def flag_near_duplicates(frame: pl.DataFrame, participants: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with a ``participant_id_near_duplicate`` issue on the rows of rare raw
    IDs that look like typing errors of another ID (see :func:`combine_exports`).

    ``participants`` is :func:`participants_of` the exports stacked in ``frame``."""
    if not participants.filter(pl.col("rows") <= NEAR_DUPLICATE_MAX_ROWS).height:
        return frame
    counts: dict[str, int] = {}
    pseudonym_of: dict[str, str] = {}
    for pseudonym, raw, n in participants.select("participant_id", "raw_id", "rows").iter_rows():
        counts[raw] = n
        pseudonym_of[raw] = pseudonym
    pairs = near_duplicate_pairs(counts)
    involved = {pseudonym_of[r] for pair in pairs for r in pair}
    waves_of: dict[str, set[int]] = {p: set() for p in involved}
    for pseudonym, wave in (
        frame.filter(pl.col("participant_id").is_in(list(involved)) & pl.col("wave").is_not_null())
        .select("participant_id", "wave")
        .iter_rows()
    ):
        waves_of[pseudonym].add(wave)
    flagged: dict[str, str] = {}
    for rare, other in pairs:
        rare_p, other_p = pseudonym_of[rare], pseudonym_of[other]
        rare_waves, other_waves = waves_of[rare_p], waves_of[other_p]
        if rare_waves and other_waves and rare_waves & other_waves:
            continue  # both measured at the same wave: two people, not a typing error
        flagged.setdefault(
            rare_p,
            f"participant ID has {counts[rare]} row(s) and is one typing error away from "
            f"participant {other_p} ({counts[other]} rows); check whether they are the same "
            "person (not merged)",
        )
    if not flagged:
        return frame
    issue = pl.struct(
        pl.lit("participant_id", dtype=pl.String).alias("column"),
        pl.col("participant_id").alias("value"),
        pl.lit("participant_id_near_duplicate", dtype=pl.String).alias("rule"),
        pl.col("participant_id")
        .replace_strict(flagged, default=None, return_dtype=pl.String)
        .alias("message"),
    )
    return frame.with_columns(
        pl.when(pl.col("participant_id").is_in(list(flagged)))
        .then(pl.col("ingest_issues").list.concat(pl.concat_list(issue)))
        .otherwise(pl.col("ingest_issues"))
        .alias("ingest_issues")
    )


def _append_issue(
    frame: pl.DataFrame, condition: pl.Expr, column: str, rule: str, message: str
) -> pl.DataFrame:
    issue = pl.struct(
        pl.lit(column, dtype=pl.String).alias("column"),
        pl.lit(None, dtype=pl.String).alias("value"),
        pl.lit(rule, dtype=pl.String).alias("rule"),
        pl.lit(message, dtype=pl.String).alias("message"),
    )
    return frame.with_columns(
        pl.when(condition)
        .then(pl.col("ingest_issues").list.concat(pl.concat_list(issue)))
        .otherwise(pl.col("ingest_issues"))
        .alias("ingest_issues")
    )
