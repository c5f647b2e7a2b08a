"""SPSS .sav exports read with pyreadstat: variable and value labels, user-missing codes.

The file is read with ``user_missing=True`` so that user-missing codes (``9 = weet niet``
declared missing in SPSS) are visible, then nulled by the file's own
``missing_ranges``/``missing_user_values``: they are kept as missing, never as numbers.
Value labels are not applied to the data; they become the codebook and ``value_labels`` so that
``outcomes.ingest.canonical`` maps coded answers through their labels. Files written by old
SPSS versions without an encoding record are retried as windows-1252 (or the spec's encoding).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from pathlib import Path
from typing import Any

import polars as pl

from outcomes.errors import worded
from outcomes.ingest.readers.base import (
    SOURCE_ROW,
    ExportError,
    RawExport,
    check_magic,
    drop_blank_rows,
)
from outcomes.ingest.warning import IngestWarning
from outcomes.specs import ExportOptions


def format_value(value: Any) -> str | None:
    """Return the text of one SPSS cell: integers without ``.0``, dates in ISO, NaN as None."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    try:
        import pandas as pd

        if value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover - pandas ships with pyreadstat
        pass
    text = str(value)
    return text if text.strip() else None


def _code_text(code: Any) -> str:
    text = format_value(code)
    return "" if text is None else text


def _is_user_missing(value: Any, ranges: list[Any], values: list[Any]) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    if value in values:
        return True
    for bounds in ranges:
        low, high = bounds.get("lo"), bounds.get("hi")
        try:
            if low is not None and high is not None and low <= value <= high:
                return True
        except TypeError:
            if value in (low, high):
                return True
    return False


#: answer labels that make a two-valued variable a yes/no flag (Qualtrics writes ``Finished``
#: as 1 = False, 2 = True)
FLAG_LABELS = frozenset({"false", "true", "no", "yes", "nee", "ja", "onwaar", "waar", "0", "1"})
#: Qualtrics' completion flag in its .sav exports
QUALTRICS_FINISHED = "Finished"


def flag_labels(labels: dict[str, str]) -> bool:
    """Return True when value ``labels`` (code → label) are those of a yes/no flag."""
    words = {label.strip().lower() for label in labels.values()}
    return len(labels) == 2 and len(words) == 2 and words <= FLAG_LABELS


def read_spss(
    path: Path, options: ExportOptions, *, flag_columns: Collection[str] = ()
) -> RawExport:
    """Return the raw table of an SPSS .sav file (user-missing nulled; labels as codebook).

    Flags (Qualtrics' ``Finished`` and ``flag_columns``, the spec's completion column) whose
    value labels are a yes/no pair are read through their labels: Qualtrics codes ``Finished``
    as 1 = False, 2 = True, so the code alone says the opposite (docs/architecture.md,
    "Real exports")."""
    import pyreadstat

    with open(path, "rb") as handle:
        head = handle.read(16)
    check_magic(path, head, (b"$FL2", b"$FL3"), "sav")
    warnings: list[str | IngestWarning] = []
    attempts: list[str | None] = [options.encoding] if options.encoding else [None, "WINDOWS-1252"]
    data = meta = None
    last_error: Exception | None = None
    for encoding in attempts:
        try:
            data, meta = pyreadstat.read_sav(
                str(path), user_missing=True, apply_value_formats=False, encoding=encoding
            )
        except Exception as error:  # pyreadstat raises ReadstatError/UnicodeError variants
            last_error = error
            continue
        if encoding is not None and options.encoding is None:
            warnings.append(f"{path.name}: no usable encoding record; read as {encoding}")
        break
    if data is None or meta is None:
        message = str(last_error).splitlines()[0] if last_error else "unknown error"
        hint = "_encoding" if "encod" in message.lower() else ""
        raise worded(ExportError, f"error_sav_unreadable{hint}", file=path.name, problem=message)
    missing_ranges: dict[str, list[Any]] = {
        str(k): list(v) for k, v in (meta.missing_ranges or {}).items()
    }
    missing_values: dict[str, list[Any]] = {
        str(k): list(v) for k, v in (meta.missing_user_values or {}).items()
    }
    columns: dict[str, list[str | None]] = {}
    user_missing_counts: dict[str, int] = {}
    for name in data.columns:
        ranges = missing_ranges.get(name, [])
        values = missing_values.get(name, [])
        cells: list[str | None] = []
        nulled = 0
        for value in data[name].tolist():
            if (ranges or values) and _is_user_missing(value, ranges, values):
                cells.append(None)
                nulled += 1
            else:
                cells.append(format_value(value))
        if nulled:
            user_missing_counts[name] = nulled
        columns[str(name)] = cells
    frame = pl.DataFrame(
        {SOURCE_ROW: pl.int_range(1, len(data) + 1, eager=True).cast(pl.Int64)}
        | {name: pl.Series(name, cells, dtype=pl.String) for name, cells in columns.items()}
    )
    frame = drop_blank_rows(frame)
    if frame.height == 0:
        raise worded(ExportError, "error_sav_no_cases", file=path.name)
    codebook: dict[str, dict[str, Any]] = {}
    value_labels: dict[str, dict[str, str]] = {}
    labels_by_variable = meta.variable_value_labels or {}
    for name in columns:
        entry: dict[str, Any] = {
            "label": (meta.column_names_to_labels or {}).get(name) or "",
            "type": (meta.original_variable_types or {}).get(name, ""),
        }
        if name in labels_by_variable:
            labels = {
                _code_text(code): str(label) for code, label in labels_by_variable[name].items()
            }
            entry["values"] = labels
            value_labels[name] = labels
        if name in missing_ranges or name in missing_values:
            entry["user_missing"] = {
                "ranges": missing_ranges.get(name, []),
                "values": [_code_text(v) for v in missing_values.get(name, [])],
                "rows_nulled": user_missing_counts.get(name, 0),
            }
        codebook[name] = entry
    flags = {QUALTRICS_FINISHED, *flag_columns}
    relabel = {
        name: labels
        for name, labels in value_labels.items()
        if name in flags and flag_labels(labels)
    }
    if relabel:
        frame = frame.with_columns(
            pl.col(name).replace(labels).alias(name) for name, labels in relabel.items()
        )
    return RawExport(
        path=path,
        format="spss",
        completed_column=QUALTRICS_FINISHED if QUALTRICS_FINISHED in relabel else None,
        frame=frame,
        codebook=codebook,
        value_labels=value_labels,
        warnings=warnings,
        encoding=getattr(meta, "file_encoding", None),
    )
