"""Quarantine messages for data managers, in Dutch (default) and English, one template per rule.

Belongs here: the wording of every validation rule (a short label for summaries and a message
template for each quarantine record), the words used for expected values, and the vectorised
rendering of messages for a frame of quarantine records. A message names the file, the row (as a
spreadsheet shows it), the column, the offending value and what was expected, e.g.
"Bestand t0.csv, rij 57, kolom mhi5_3: waarde 7 ligt buiten het toegestane bereik 1–6."

Ingest reports its problems in English (contracts: ``ingest_issues``); the rules ingest uses are
translated here by rule id; an unknown ingest rule keeps ingest's English message.
Does not belong here: deciding which rule a row breaks (``rules.py``).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

import polars as pl

LANGUAGES = ("nl", "en")

#: Message body per rule and language. Fields: {column}, {value}, {expected}. The prefix
#: "Bestand F, rij R, kolom C: " / "File F, row R, column C: " is added by :func:`message_expr`.
TEMPLATES: dict[str, dict[str, str]] = {
    "out_of_range": {
        "nl": "waarde {value} ligt buiten het toegestane bereik {expected}.",
        "en": "value {value} is outside the allowed range {expected}.",
    },
    "code_not_allowed": {
        "nl": "waarde {value} is geen toegestane code; verwacht {expected}.",
        "en": "value {value} is not an allowed code; expected {expected}.",
    },
    "date_implausible": {
        "nl": "datum {value} is niet aannemelijk; verwacht een datum {expected}.",
        "en": "date {value} is not plausible; expected a date {expected}.",
    },
    "wrong_type": {
        "nl": "waarde {value} is geen {expected}.",
        "en": "value {value} is not a {expected}.",
    },
    "missing_participant_id": {
        "nl": "het deelnemer-ID ontbreekt; elke rij heeft een deelnemer-ID nodig.",
        "en": "the participant ID is missing; every row needs a participant ID.",
    },
    "missing_wave": {
        "nl": "het meetmoment ontbreekt of is niet te bepalen; verwacht {expected}.",
        "en": "the wave is missing or could not be determined; expected {expected}.",
    },
    "no_items_answered": {
        "nl": "geen enkele vraag beantwoord; verwacht minstens één antwoord op {expected}.",
        "en": "no question answered; expected at least one answer to {expected}.",
    },
    "incomplete_submission": {
        "nl": "onvolledige inzending (vragenlijst niet afgerond); verwacht een afgeronde "
        "inzending.",
        "en": "incomplete submission (questionnaire not finished); expected a finished one.",
    },
    "duplicate_submission": {
        "nl": "dubbele inzending van deze deelnemer voor meetmoment {value}; {expected}.",
        "en": "duplicate submission by this participant for wave {value}; {expected}.",
    },
    "followup_before_baseline": {
        "nl": "vervolgmeting gedateerd {value}, vóór de nulmeting van {expected}.",
        "en": "follow-up dated {value}, before the baseline of {expected}.",
    },
    "followup_without_baseline": {
        "nl": "vervolgmeting (meetmoment {value}) zonder nulmeting van deze deelnemer in de "
        "export.",
        "en": "follow-up (wave {value}) without any baseline of this participant in the export.",
    },
    "waves_out_of_order": {
        "nl": "meetmomenten in de verkeerde volgorde: gedateerd {value}, eerder dan {expected}.",
        "en": "waves out of order: dated {value}, earlier than {expected}.",
    },
    "unknown_label": {
        "nl": "antwoord {value} is onbekend; verwacht een antwoord uit de vragenlijst.",
        "en": "answer {value} is unknown; expected one of the questionnaire's answers.",
    },
    "unknown_wave": {
        "nl": "meetmoment {value} is niet te herkennen; verwacht een meetmoment uit wave.labels "
        "van de projectspecificatie.",
        "en": "wave {value} is not recognised; expected a wave listed in the project spec's "
        "wave.labels.",
    },
    "not_a_number": {
        "nl": "waarde {value} is geen getal.",
        "en": "value {value} is not a number.",
    },
    "bad_date": {
        "nl": "{value} is geen geldige datum.",
        "en": "{value} is not a valid date.",
    },
    "participant_id_near_duplicate": {
        "nl": "dit deelnemer-ID lijkt een tikfout van een ander ID in dit project (pseudoniem "
        "{value}); controleer het ID, de rijen worden niet samengevoegd.",
        "en": "this participant ID looks like a typo of another ID in this project (pseudonym "
        "{value}); check the ID, the rows are not merged.",
    },
    #: any other ingest rule: ingest's own (English) message is passed as {expected}
    "ingest_other": {"nl": "{expected}", "en": "{expected}"},
}

#: Short label per rule for summaries.
RULE_LABELS: dict[str, dict[str, str]] = {
    "out_of_range": {"nl": "waarde buiten bereik", "en": "value out of range"},
    "code_not_allowed": {"nl": "geen toegestane code", "en": "code not allowed"},
    "date_implausible": {"nl": "datum niet aannemelijk", "en": "implausible date"},
    "wrong_type": {"nl": "verkeerd type", "en": "wrong type"},
    "missing_participant_id": {"nl": "deelnemer-ID ontbreekt", "en": "participant ID missing"},
    "missing_wave": {"nl": "meetmoment ontbreekt", "en": "wave missing"},
    "no_items_answered": {"nl": "geen vraag beantwoord", "en": "no item answered"},
    "incomplete_submission": {"nl": "onvolledige inzending", "en": "incomplete submission"},
    "duplicate_submission": {"nl": "dubbele inzending", "en": "duplicate submission"},
    "followup_before_baseline": {
        "nl": "vervolgmeting vóór nulmeting",
        "en": "follow-up before baseline",
    },
    "followup_without_baseline": {
        "nl": "vervolgmeting zonder nulmeting",
        "en": "follow-up without baseline",
    },
    "waves_out_of_order": {"nl": "meetmomenten niet op volgorde", "en": "waves out of order"},
    "unknown_label": {"nl": "onbekend antwoord", "en": "unknown answer label"},
    "unknown_wave": {"nl": "onbekend meetmoment", "en": "unknown wave"},
    "not_a_number": {"nl": "geen getal", "en": "not a number"},
    "bad_date": {"nl": "ongeldige datum", "en": "malformed date"},
    "participant_id_near_duplicate": {
        "nl": "deelnemer-ID lijkt op een ander ID",
        "en": "participant ID near-duplicate",
    },
}

#: Words used inside messages (expected values, empty cells, prefixes).
WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "file": "Bestand",
        "row": "rij",
        "column": "kolom",
        "empty": "(leeg)",
        "one_of": "één van",
        "between": "tussen {low} en {high}",
        "at_least": "≥ {low}",
        "wave_expected": "een meetmoment 0 (nulmeting) of hoger",
        "kept": "bewaard is rij {} van {}",
        "earlier_wave": "een eerder meetmoment van {}",
        "all_quarantined": "alle inzendingen voor dit meetmoment zijn apart gezet",
        "Float64": "getal",
        "Int64": "geheel getal",
        "Date": "datum (JJJJ-MM-DD)",
        "Boolean": "ja/nee-waarde",
        "String": "tekst",
        "and": "en",
        "no_baseline_given": (
            "Geen van deze bestanden bevat een nulmeting: geef de nulmeting mee, bijvoorbeeld "
            "outcomes validate {baseline} {files} --project {project}"
        ),
    },
    "en": {
        "file": "File",
        "row": "row",
        "column": "column",
        "empty": "(empty)",
        "one_of": "one of",
        "between": "between {low} and {high}",
        "at_least": "≥ {low}",
        "wave_expected": "a wave of 0 (baseline) or higher",
        "kept": "row {} of {} is kept",
        "earlier_wave": "an earlier wave dated {}",
        "all_quarantined": "all submissions for this wave are quarantined",
        "Float64": "number",
        "Int64": "whole number",
        "Date": "date (YYYY-MM-DD)",
        "Boolean": "yes/no value",
        "String": "text",
        "and": "and",
        "no_baseline_given": (
            "None of these files holds a baseline: give the baseline export too, for example "
            "outcomes validate {baseline} {files} --project {project}"
        ),
    },
}


class LanguageError(ValueError):
    """An unsupported message language was asked for."""


def check_language(lang: str) -> str:
    """Return ``lang`` when messages exist in it; raise :class:`LanguageError` otherwise."""
    if lang not in LANGUAGES:
        raise LanguageError(f"language {lang!r} is not supported; use one of {LANGUAGES}")
    return lang


def word(lang: str, key: str, **fields: object) -> str:
    """Return the word ``key`` in ``lang`` with ``fields`` filled in."""
    return WORDS[check_language(lang)][key].format(**fields)


def rule_label(rule: str, lang: str) -> str:
    """Return the short label of ``rule`` in ``lang`` (the rule id when it has none)."""
    return RULE_LABELS.get(rule, {}).get(check_language(lang), rule)


def _template_expr(template: str) -> pl.Expr:
    parts: list[pl.Expr] = []
    for literal, field, _, _ in string.Formatter().parse(template):
        if literal:
            parts.append(pl.lit(literal))
        if field is not None:
            parts.append(pl.col(f"_{field}"))
    return pl.concat_str(parts) if parts else pl.lit("")


def message_expr(lang: str, rules: list[str] | None = None) -> pl.Expr:
    """Return an expression rendering the message of each quarantine record in ``lang``.

    Reads the columns ``source_file``, ``source_row``, ``column``, ``value``, ``rule`` and
    ``expected`` (text, may be null). ``rules`` limits the templates built to those present.
    """
    words = WORDS[check_language(lang)]
    prefix = pl.concat_str(
        [
            pl.lit(f"{words['file']} "),
            pl.col("source_file"),
            pl.lit(f", {words['row']} "),
            pl.col("source_row").cast(pl.Utf8),
            pl.when(pl.col("column").is_not_null())
            .then(pl.concat_str([pl.lit(f", {words['column']} "), pl.col("column")]))
            .otherwise(pl.lit("")),
            pl.lit(": "),
        ]
    )
    chosen = TEMPLATES if rules is None else {r: TEMPLATES.get(r, {}) for r in rules}
    body: pl.Expr = _template_expr(TEMPLATES["ingest_other"][lang])
    chain: Any = None
    for rule, templates in chosen.items():
        if rule == "ingest_other" or not templates:
            continue
        condition = pl.col("rule") == rule
        expr = _template_expr(templates[lang])
        chain = pl.when(condition).then(expr) if chain is None else chain.when(condition).then(expr)
    if chain is not None:
        body = chain.otherwise(body)
    return pl.concat_str([prefix, body]).alias("message")


def render_messages(records: pl.DataFrame, lang: str) -> pl.Series:
    """Return the message of every record of ``records`` (see :func:`message_expr`)."""
    rules = records["rule"].unique().to_list() if records.height else []
    fields = records.select(
        "source_file",
        "source_row",
        "column",
        "rule",
        pl.col("column").fill_null("").alias("_column"),
        pl.col("value").fill_null(word(lang, "empty")).alias("_value"),
        pl.col("expected").fill_null("").alias("_expected"),
    )
    return fields.select(message_expr(lang, rules)).to_series()


def message(
    rule: str,
    lang: str,
    *,
    source_file: str,
    source_row: int,
    column: str | None = None,
    value: str | None = None,
    expected: str | None = None,
) -> str:
    """Return the message of one quarantine record (same wording as :func:`render_messages`)."""
    record = pl.DataFrame(
        {
            "source_file": [source_file],
            "source_row": [source_row],
            "column": [column],
            "value": [value],
            "rule": [rule],
            "expected": [expected],
        },
        schema={
            "source_file": pl.Utf8,
            "source_row": pl.Int64,
            "column": pl.Utf8,
            "value": pl.Utf8,
            "rule": pl.Utf8,
            "expected": pl.Utf8,
        },
    )
    return str(render_messages(record, lang)[0])


def format_number(value: float | int) -> str:
    """Return ``value`` as a data manager writes it: ``7`` not ``7.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def expected_text(check_name: str, statistics: Mapping[str, object], lang: str) -> str:
    """Return what a check expects, in words: ``1–6``, ``één van 1, 2, 3``, ``≥ 0``."""
    if check_name == "in_range":
        low, high = statistics["min_value"], statistics["max_value"]
        if hasattr(low, "isoformat"):
            return word(lang, "between", low=low, high=high)
        return f"{format_number(low)}–{format_number(high)}"  # type: ignore[arg-type]
    if check_name == "isin":
        allowed = statistics["allowed_values"]
        shown = ", ".join(
            format_number(v) if isinstance(v, int | float) else str(v)
            for v in allowed  # type: ignore[attr-defined]
        )
        return f"{word(lang, 'one_of')} {shown}"
    if check_name == "greater_than_or_equal_to":
        return word(lang, "at_least", low=format_number(statistics["min_value"]))  # type: ignore[arg-type]
    if check_name == "less_than_or_equal_to":
        return f"≤ {format_number(statistics['max_value'])}"  # type: ignore[arg-type]
    if check_name == "equal_to":
        return str(statistics["value"])
    return ""
