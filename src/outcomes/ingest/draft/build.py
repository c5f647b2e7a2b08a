"""Drafting a project spec from a project's exports (``outcomes spec init``).

:func:`draft_spec` reads every export with its tool's reader (``read.py``), finds the
participant ID, wave, date, completion and demographic columns, identifiers, free text and
tool metadata (``roles.py``), maps columns onto instrument items (``items.py``) and returns a
:class:`Draft`: the spec as data plus a note per key, ``UNSURE: …`` where a person must check
it. ``render.py`` writes it as commented YAML that ``outcomes.specs.load_spec`` reads
(docs/architecture.md, "Drafting a spec").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from outcomes.errors import ExportError, SpecError, worded
from outcomes.ingest.canonical.values import parse_number
from outcomes.ingest.draft import roles
from outcomes.ingest.draft.items import ColumnEvidence, ItemMatch, match_items
from outcomes.ingest.draft.read import (
    ExportSample,
    distinct_values,
    read_sample,
    workbook_sheet,
)
from outcomes.instruments import Instrument
from outcomes.instruments.base import normalise_label
from outcomes.privacy import find_identifier_columns
from outcomes.specs import ProjectSpec, WaveRule

#: distinct values per column kept as evidence
_VALUES = 200


@dataclass
class Draft:
    """A drafted spec: ``data`` in spec key order, ``notes`` (key path → comment, ``UNSURE:``
    first where a person must check), the columns left unmapped, and counts for the summary."""

    project: str
    files: list[str]
    data: dict[str, Any]
    notes: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    n_columns: int = 0

    def unsure(self) -> list[str]:
        """Return the key paths marked UNSURE."""
        return [key for key, note in self.notes.items() if note.startswith("UNSURE")]

    def summary(self, lang: str = "en") -> str:
        """Return one line in ``lang``: columns read, mapped (and of those unsure), named,
        unmapped (the catalog's ``spec_draft_summary``)."""
        from outcomes.language import word

        mapped = len(self.data.get("columns", {}))
        return word(
            "spec_draft_summary",
            lang,
            project=self.project,
            n=self.n_columns,
            mapped=mapped,
            unsure_columns=sum(1 for key in self.unsure() if key.startswith("columns.")),
            other=self.n_columns - mapped - len(self.unmapped),
            unmapped=len(self.unmapped),
            unsure=len(self.unsure()),
        )


def file_pattern_glob(names: Sequence[str]) -> str:
    """Return a glob matching ``names`` and later exports like them: their common start and
    end around ``*``; one file with its long digit runs (dates, survey numbers) as ``*``."""
    if len(names) == 1:
        return re.sub(r"\d{4,}", "*", names[0])
    prefix = _common_start(names)
    suffix = _common_start([n[len(prefix) :][::-1] for n in names])[::-1]
    return f"{prefix}*{suffix}"


def _common_start(texts: Sequence[str]) -> str:
    """Return the longest text every one of ``texts`` starts with."""
    start = min(texts, key=len)
    while start and not all(t.startswith(start) for t in texts):
        start = start[:-1]
    return start


def _evidence(samples: Sequence[ExportSample], columns: Sequence[str]) -> dict[str, ColumnEvidence]:
    """Return the evidence of each column over all samples: question text, distinct values
    (the first :data:`_VALUES`) and value labels."""
    evidence: dict[str, ColumnEvidence] = {}
    for column in columns:
        text = ""
        labels: dict[str, str] = {}
        values: list[str] = []
        for sample in samples:
            raw = sample.raw
            if column not in raw.frame.columns:
                continue
            entry = raw.codebook.get(column, {})
            text = text or str(entry.get("label") or "")
            labels.update(raw.value_labels.get(column, {}) or entry.get("values", {}) or {})
            series = raw.frame.get_column(column).drop_nulls().unique(maintain_order=True)
            values += [v for v in series.head(_VALUES).to_list() if v.strip() and v not in values]
        evidence[column] = ColumnEvidence(column, text, tuple(values[:_VALUES]), labels)
    return evidence


def _wave(
    samples: Sequence[ExportSample],
    columns: Sequence[str],
    evidence: Mapping[str, ColumnEvidence],
    assessed_on: str | None,
) -> roles.WaveProposal:
    """Return how the wave is found: a wave column, the file names, else one measurement."""
    column = roles.find_named(columns, roles.WAVE_NAMES)
    if column is None:
        column = next(
            (
                c
                for c in columns
                if roles.squash(evidence[c].text) in roles.WAVE_NAMES and evidence[c].text
            ),
            None,
        )
    if column is not None:
        values: list[str] = []
        for sample in samples:
            if column in sample.raw.frame.columns:
                values += [v for v in distinct_values(sample, column) if v not in values]
        labels, doubt = roles.wave_labels(values, evidence[column].value_labels)
        return roles.WaveProposal(column=column, labels=labels, unsure=doubt, note="column")
    by_file = roles.file_wave([s.path.name for s in samples])
    if by_file is not None:
        return by_file
    doubt = "no wave column and no wave in the file names: a single measurement assumed"
    if "constant" in WaveRule.model_fields:
        return roles.WaveProposal(unsure=f"{doubt} (every row wave 0)", note="constant")
    if assessed_on is not None:
        return roles.WaveProposal(
            date_order=True, unsure=f"{doubt}; waves numbered by each participant's dates"
        )
    stem = samples[0].path.name
    return roles.WaveProposal(
        file_pattern=f"^(?P<wave>{re.escape(stem)})", labels={stem: 0}, unsure=doubt
    )


def _as_code(value: str) -> int | float | str:
    number = parse_number(value, None)
    if number is None:
        return value
    return int(number) if number.is_integer() else number


def _answer_labels(
    instrument: Instrument, matches: Sequence[ItemMatch], evidence: Mapping[str, ColumnEvidence]
) -> tuple[dict[str, int], str | None]:
    """Return (raw value → code, doubt) for answers of ``instrument`` that its labels do not
    cover: LimeSurvey answer codes ``A1 … An`` (taken in the instrument's option order) and
    option values one below its codes (``0 … 5`` for ``1 … 6``)."""
    if not instrument.options:
        return {}, None
    values = {v.strip() for m in matches for v in evidence[m.column].values}
    codes = sorted(instrument.codes)
    if values and sum(bool(re.fullmatch(r"A\d+", v)) for v in values) >= 0.8 * len(values):
        labels = {f"A{i + 1}": code for i, code in enumerate(codes)}
        return labels, (
            f"answer codes A1 … A{len(codes)} taken in the instrument's option order "
            f"({', '.join(o.label_nl for o in instrument.options)}); check the survey's "
            "answer options, a reversed order reverses the scores"
        )
    values = {v for v in values if not roles.missing_codes([v], {}, codes[0], codes[-1])}
    numbers = {parse_number(v, True) for v in values}
    if values and None not in numbers and min(n for n in numbers if n is not None) == codes[0] - 1:
        shifted = {str(code - 1): code for code in codes}
        if all(n is not None and n.is_integer() and str(int(n)) in shifted for n in numbers):
            return shifted, (
                f"values {codes[0] - 1} … {codes[-1] - 1} seen where the codes are "
                f"{codes[0]} … {codes[-1]}; taken as one below each code, check the option values"
            )
    return {}, None


def _primary(
    keys: Sequence[str], instruments: Mapping[str, Instrument], mapped: Mapping[str, int]
) -> str | None:
    """Return the primary wellbeing instrument: among the mapped instruments that declare a
    wellbeing score, complete ones before incomplete, multi-item scales before a single item,
    then in registry order."""
    order = list(instruments)
    candidates = [k for k in keys if instruments[k].wellbeing_column is not None]
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda k: (
            mapped[k] < len(instruments[k].items),
            len(instruments[k].items) == 1,
            order.index(k),
        ),
    )


def draft_spec(
    paths: Sequence[Path | str],
    project: str,
    instruments: Mapping[str, Instrument] | None = None,
) -> Draft:
    """Return the :class:`Draft` of a spec for ``project`` from its exports ``paths``.

    ``instruments`` defaults to the registry (``outcomes.instruments.INSTRUMENTS``). Raises
    :class:`ExportError` (naming the file) when an export cannot be read, and
    :class:`SpecError` for a project id a spec cannot have."""
    if instruments is None:
        from outcomes.instruments import INSTRUMENTS

        instruments = INSTRUMENTS
    if not re.fullmatch(r"[a-z][a-z0-9-]*", project):
        raise worded(SpecError, "error_project_id", project=project)
    if not paths:
        raise worded(ExportError, "error_no_exports_draft")
    samples = [read_sample(Path(p)) for p in paths]
    formats = {s.format for s in samples}
    if len(formats) > 1:
        found = ", ".join(f"{s.path.name}: {s.format}" for s in samples)
        raise worded(ExportError, "error_mixed_tools", found=found)
    first = samples[0]
    columns = list(dict.fromkeys(c for s in samples for c in s.columns))
    evidence = _evidence(samples, columns)
    values = {c: list(e.values) for c, e in evidence.items()}
    notes: dict[str, str] = {}
    metadata = set().union(*(s.raw.metadata for s in samples))
    tool_identifiers = set().union(*(s.raw.identifiers for s in samples))
    tool_free_text = set().union(*(s.raw.free_text for s in samples))

    id_candidates = [c for c in columns if c not in metadata]
    participant_id, sure = roles.find_participant_id(id_candidates, values)
    response_id = roles.find_named(columns, roles.RESPONSE_ID_NAMES)
    if participant_id is None and response_id is not None:
        participant_id = response_id
        notes["participant_id"] = (
            "UNSURE: the tool's response ID: one per questionnaire filled in, so it does not "
            "link a participant's waves; give the project's own participant number if the "
            "export has one"
        )
    elif participant_id is None:
        participant_id = columns[0]
        sure = False
    if not sure and "participant_id" not in notes:
        notes["participant_id"] = "UNSURE: no column named like a participant ID; check"
    assessed_on = roles.find_assessment_date(columns, values)
    completed = first.raw.completed_column or roles.find_named(columns, roles.COMPLETED_NAMES)
    wave = _wave(samples, columns, evidence, assessed_on)
    rest = [c for c in columns if c not in {participant_id, wave.column, assessed_on, completed}]
    site = roles.find_named([c for c in rest if c not in tool_identifiers], roles.SITE_NAMES)
    arm = roles.find_named([c for c in rest if c not in tool_identifiers], roles.ARM_NAMES)
    used = {participant_id, wave.column, assessed_on, completed, site, arm} - {None}
    frame = pl.concat([s.raw.frame.select(s.columns) for s in samples], how="diagonal_relaxed")
    findings = find_identifier_columns(frame, [c for c in columns if c not in used])
    identifiers = [
        c
        for c in columns
        if c not in used and (c in tool_identifiers or c in {f.column for f in findings})
    ]
    dropped = [c for s in samples for c in s.raw.dropped]
    identifiers += [c for c in dict.fromkeys(dropped) if c not in identifiers]
    for finding in findings:
        notes[f"identifiers.{finding.column}"] = f"{finding.kind} by its {finding.by}"
    free_text = [c for c in columns if c in tool_free_text and c not in used]
    drop = [c for c in columns if c in metadata and c not in used and c not in identifiers]
    taken = used | set(identifiers) | set(free_text) | set(drop)

    mapping: dict[str, str] = {}
    for column in columns:
        if column in taken:
            continue
        role = roles.meta_role(column, evidence[column].text)
        if (
            role is not None
            and role not in mapping.values()
            and roles.values_fit(role, values.get(column, ()))
        ):
            mapping[column] = role
            notes[f"columns.{column}"] = "by its name" + (
                " and question text" if evidence[column].text else ""
            )
    candidates = [evidence[c] for c in columns if c not in taken and c not in mapping]
    matches = match_items(candidates, instruments)
    for match in matches:
        mapping[match.column] = match.target
        note = f"{instruments[match.instrument].name}: {match.reason} (score {match.score:.2f})"
        notes[f"columns.{match.column}"] = note if match.sure else f"UNSURE: {note}"
    ordered = {c: mapping[c] for c in columns if c in mapping}
    free_text += [
        c
        for c in columns
        if c not in taken
        and c not in ordered
        and roles.is_free_text(c, evidence[c].text, values[c])
    ]
    unmapped = [c for c in columns if c not in taken and c not in ordered and c not in free_text]

    keys = list(dict.fromkeys(m.instrument for m in matches))
    per_instrument = {k: sum(1 for m in matches if m.instrument == k) for k in keys}
    for key in keys:
        if per_instrument[key] < len(instruments[key].items):
            notes[f"instruments.{key}"] = (
                f"UNSURE: {per_instrument[key]} of {len(instruments[key].items)} items mapped"
            )
    value_labels: dict[str, dict[str, Any]] = {}
    gender_column = next((c for c, t in ordered.items() if t == "gender"), None)
    if gender_column is not None:
        gender, unknown = roles.gender_labels(
            values[gender_column], evidence[gender_column].value_labels
        )
        if gender:
            value_labels["gender"] = gender
        if unknown:
            shown = ", ".join(unknown[:6])
            notes["value_labels.gender"] = (
                f"UNSURE: gender values {shown} have no known label; map them to "
                "female / male / other"
            )
    for key in keys:
        own = [m for m in matches if m.instrument == key]
        labels, doubt = _answer_labels(instruments[key], own, evidence)
        if labels:
            value_labels[key] = labels
            notes[f"value_labels.{key}"] = f"UNSURE: {doubt}"
    missing: list[str] = []
    for match in matches:
        low, high = instruments[match.instrument].item_range()
        found_missing = roles.missing_codes(
            values[match.column], evidence[match.column].value_labels, low, high
        )
        missing += [m for m in found_missing if m not in missing]
        labelled = evidence[match.column].value_labels.values()
        missing += [
            label
            for label in labelled
            if normalise_label(label) in roles.MISSING_WORDS and label not in missing
        ]

    export: dict[str, Any] = {
        "format": first.format,
        "pattern": file_pattern_glob([s.path.name for s in samples]),
    }
    notes["export.format"] = f"detected: {first.notes[0]}"
    if first.raw.delimiter:
        export["delimiter"] = first.raw.delimiter
    if first.raw.encoding and first.format != "spss":
        export["encoding"] = first.raw.encoding
    numeric_comma = any(re.fullmatch(r"-?\d+,\d+", v) for c in ordered for v in values[c][:_VALUES])
    if numeric_comma:
        export["decimal_comma"] = True
    if first.path.suffix.lower() in {".xlsx", ".xlsm"}:
        export["sheet"] = workbook_sheet(first.path)[0]
    if assessed_on is not None:
        fmt = roles.date_format(values[assessed_on])
        if fmt:
            export["date_format"] = fmt

    data: dict[str, Any] = {
        "id": project,
        "name": project,
        "export": export,
        "participant_id": participant_id,
    }
    notes["name"] = "UNSURE: the project's full name"
    wave_data: dict[str, Any] = {}
    if wave.column:
        wave_data["column"] = wave.column
    elif wave.file_pattern:
        wave_data["file_pattern"] = wave.file_pattern
    elif wave.date_order:
        wave_data["date_order"] = True
    else:
        wave_data["constant"] = 0
    if wave.labels:
        wave_data["labels"] = wave.labels
    data["wave"] = wave_data
    if wave.unsure:
        notes["wave"] = f"UNSURE: {wave.unsure}"
    elif wave.note:
        notes["wave"] = f"from the {wave.note}"
    for key, value in (("assessed_on", assessed_on), ("site", site), ("arm", arm)):
        if value is not None:
            data[key] = value
    if site is None:
        notes["site"] = "UNSURE: no site column; give default_site if the project has one site"
    if completed is not None:
        data["completed"] = completed
    data["columns"] = ordered
    data["value_labels"] = value_labels
    data["missing_codes"] = [_as_code(m) for m in missing]
    data["instruments"] = keys
    primary = _primary(keys, instruments, per_instrument)
    if primary is None and keys and ProjectSpec.model_fields["primary_wellbeing"].is_required():
        primary = keys[0]
        notes["primary_wellbeing"] = "UNSURE: no mapped instrument declares a wellbeing score"
    if primary is not None:
        data["primary_wellbeing"] = primary
    elif not keys:
        notes["instruments"] = "UNSURE: no column matched an instrument's items"
    data["identifiers"] = identifiers
    data["free_text"] = free_text
    data["drop"] = drop
    named = {participant_id, *ordered, *used, *identifiers, *free_text, *drop}
    optional = [
        c for c in columns if c in named and any(c not in s.raw.frame.columns for s in samples)
    ]
    if optional:
        data["optional_columns"] = optional
    data["quarantine_threshold"] = 0.05
    files = [s.path.name for s in samples]
    return Draft(project, files, data, notes, unmapped, len(columns))
