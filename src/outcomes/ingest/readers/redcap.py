"""REDCap exports: the records CSV together with the project's data dictionary.

The data dictionary (REDCap "Data Dictionary" CSV: ``Variable / Field Name``, ``Form Name``,
``Field Type``, ``Field Label``, ``Choices, Calculations, OR Slider Labels``, ``Identifier?``)
is the codebook: field labels, the choices of radio/dropdown fields (``1, Nooit | 2, Soms``)
through which coded answers map, and the identifier flags. Fields flagged ``Identifier? = y``
are dropped by the reader, including their checkbox columns ``field___code``. In longitudinal
projects ``redcap_event_name`` (``baseline_arm_1``, ``t1_arm_1``) names the wave;
``redcap_repeat_*``, ``*_timestamp`` and ``*_complete`` are tool metadata.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from outcomes.errors import worded
from outcomes.ingest.readers.base import ExportError, RawExport
from outcomes.ingest.readers.text import read_delimited
from outcomes.specs import ExportOptions

REDCAP_METADATA_PATTERN = re.compile(
    r"^(redcap_repeat_instrument|redcap_repeat_instance|redcap_survey_identifier|"
    r".+_timestamp|.+_complete)$"
)
_CHECKBOX = re.compile(r"^(?P<field>.+)___(?P<code>[^_].*)$")


def find_data_dictionary(path: Path, options: ExportOptions) -> Path | None:
    """Return the data dictionary beside ``path`` (spec glob, else ``*DataDictionary*.csv``)."""
    patterns = (
        [options.data_dictionary]
        if options.data_dictionary
        else ["*DataDictionary*.csv", "*data_dictionary*.csv", "*datadictionary*.csv"]
    )
    for pattern in patterns:
        found = sorted(p for p in path.parent.glob(pattern) if p != path)
        if found:
            return found[-1]
    if options.data_dictionary:
        raise worded(
            ExportError,
            "error_redcap_dictionary_missing",
            file=path.name,
            pattern=options.data_dictionary,
            folder=path.parent.name,
        )
    return None


def parse_choices(text: str) -> dict[str, str]:
    """Return code → label of a REDCap choices string ``"1, Nooit | 2, Soms"``."""
    choices: dict[str, str] = {}
    for part in text.split("|"):
        code, sep, label = part.partition(",")
        if sep and code.strip():
            choices[code.strip()] = label.strip()
    return choices


def read_data_dictionary(path: Path) -> dict[str, dict[str, Any]]:
    """Return field name → {form, type, label, values, identifier} from a data dictionary."""
    table = read_delimited(path, delimiter=",")
    columns = {c.lower(): c for c in table.frame.columns}

    def pick(*starts: str) -> str | None:
        for start in starts:
            for lower, original in columns.items():
                if lower.startswith(start):
                    return original
        return None

    name_col = pick("variable / field name", "variable", "field name")
    if name_col is None:
        raise worded(ExportError, "error_redcap_not_dictionary", file=path.name)
    type_col = pick("field type")
    label_col = pick("field label")
    choice_col = pick("choices")
    form_col = pick("form name")
    ident_col = pick("identifier")
    fields: dict[str, dict[str, Any]] = {}
    for row in table.frame.iter_rows(named=True):
        name = (row[name_col] or "").strip()
        if not name:
            continue
        field_type = (row.get(type_col) or "").strip().lower() if type_col else ""
        values = parse_choices(row.get(choice_col) or "") if choice_col else {}
        if field_type == "yesno":
            values = {"1": "Yes", "0": "No"}
        elif field_type == "truefalse":
            values = {"1": "True", "0": "False"}
        elif field_type not in {"radio", "dropdown", "checkbox"}:
            values = {}
        fields[name] = {
            "form": (row.get(form_col) or "") if form_col else "",
            "type": field_type,
            "label": (row.get(label_col) or "") if label_col else "",
            "values": values,
            "identifier": ((row.get(ident_col) or "").strip().lower() == "y")
            if ident_col
            else False,
        }
    return fields


def read_redcap(
    path: Path, options: ExportOptions, *, skip_columns: Collection[str] = ()
) -> RawExport:
    """Return the raw records of a REDCap export, identifier fields dropped, choices as labels."""
    table = read_delimited(
        path,
        delimiter=options.delimiter or ",",
        encoding=options.encoding,
        header_row=options.header_row,
        skip_rows_after_header=options.skip_rows_after_header,
        skip_columns=skip_columns,
    )
    frame = table.frame
    warnings = list(table.warnings)
    dictionary_path = find_data_dictionary(path, options)
    fields: dict[str, dict[str, Any]] = {}
    if dictionary_path is None:
        warnings.append(
            f"{path.name}: no REDCap data dictionary found beside it; identifier flags and "
            "answer labels of coded fields are unknown"
        )
    else:
        fields = read_data_dictionary(dictionary_path)
    codebook: dict[str, dict[str, Any]] = {}
    value_labels: dict[str, dict[str, str]] = {}
    dropped: list[str] = []
    for column in frame.columns[1:]:
        base = column
        match = _CHECKBOX.match(column)
        if column not in fields and match and match.group("field") in fields:
            base = match.group("field")
        field = fields.get(base)
        if field is None:
            continue
        if field["identifier"]:
            dropped.append(column)
            continue
        entry = {"label": field["label"], "type": field["type"], "form": field["form"]}
        if base != column and match is not None:
            code = match.group("code")
            entry["checkbox_of"] = base
            entry["choice"] = field["values"].get(code, code)
            entry["values"] = {"1": "checked", "0": "unchecked"}
        elif field["values"]:
            entry["values"] = dict(field["values"])
            if field["type"] in {"radio", "dropdown"}:
                value_labels[column] = dict(field["values"])
        codebook[column] = entry
    frame = frame.drop(dropped)
    raw = RawExport(
        path=path,
        format="redcap",
        frame=frame,
        skipped=table.skipped,
        codebook=codebook,
        value_labels=value_labels,
        metadata={c for c in frame.columns if REDCAP_METADATA_PATTERN.match(c)},
        dropped=dropped,
        warnings=warnings,
        duplicates=table.duplicates,
        encoding=table.encoding,
        delimiter=table.delimiter,
    )
    if dictionary_path is not None:
        raw.codebook["__data_dictionary__"] = {"file": dictionary_path.name}
    return raw
