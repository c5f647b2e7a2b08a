"""Quarantine messages for data managers, in Dutch (default) and English, one per rule.

Belongs here: rendering the message of each quarantine record (vectorised over a frame) and
the words for what a check expects. A message names the file, the row (as a spreadsheet shows
it), the column, the offending value and what was expected, e.g.
"Bestand t0.csv, rij 57, kolom mhi5_3: waarde 7 ligt buiten het toegestane bereik 1–6."
The wording is in the language catalogs (``outcomes.language``; docs/architecture.md,
"Languages and words"): ``message_<rule>`` is the message of a rule with the fields
``{column}``, ``{value}`` and ``{expected}``, ``rule_<rule>`` its short label, and
``location_file``, ``location_row`` and ``location_column`` the words of the location.

Ingest reports its problems in English (``ingest_issues``); the rules ingest uses are
translated here by rule id; an unknown ingest rule keeps ingest's English message
(``message_ingest_other``).
Does not belong here: deciding which rule a row breaks (``rules.py``).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

import polars as pl

from outcomes import language
from outcomes.language import check_language

#: Catalog key prefix of a rule's message; the message of an ingest rule without one of its own.
MESSAGE_PREFIX = "message_"
INGEST_OTHER = "ingest_other"


def rule_label(rule: str, lang: str) -> str:
    """Return the short label of ``rule`` in ``lang`` (the rule id when it has none)."""
    key = f"rule_{rule}"
    return language.word(key, lang) if language.has_word(key, lang) else rule


def _has_message(rule: object, lang: str) -> bool:
    return rule != INGEST_OTHER and language.has_word(f"{MESSAGE_PREFIX}{rule}", lang)


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
    lang = check_language(lang)
    prefix = pl.concat_str(
        [
            pl.lit(f"{language.word('location_file', lang)} "),
            pl.col("source_file"),
            pl.lit(f", {language.word('location_row', lang)} "),
            pl.col("source_row").cast(pl.Utf8),
            pl.when(pl.col("column").is_not_null())
            .then(
                pl.concat_str(
                    [pl.lit(f", {language.word('location_column', lang)} "), pl.col("column")]
                )
            )
            .otherwise(pl.lit("")),
            pl.lit(": "),
        ]
    )
    if rules is None:
        keys = language.catalog(lang)
        rules = [k.removeprefix(MESSAGE_PREFIX) for k in keys if k.startswith(MESSAGE_PREFIX)]
    body: pl.Expr = _template_expr(language.word(MESSAGE_PREFIX + INGEST_OTHER, lang))
    chain: Any = None
    for rule in rules:
        if not _has_message(rule, lang):
            continue
        condition = pl.col("rule") == rule
        expr = _template_expr(language.word(MESSAGE_PREFIX + rule, lang))
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
        pl.col("value").fill_null(language.word("empty", lang)).alias("_value"),
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


def spec_value(value: object, lang: str) -> str:
    """Return a value of a check as a data manager typed it: every digit it has (``7`` not
    ``7.0``), the decimal mark of ``lang``, no thousands separator (``1900``, a year);
    anything but a number as it is."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return language.format_number(value, None, lang, grouping=False)
    return str(value)


def expected_text(check_name: str, statistics: Mapping[str, object], lang: str) -> str:
    """Return what a check expects, in words: ``1–6``, ``één van 1, 2, 3``, ``≥ 0``."""
    if check_name == "in_range":
        low, high = statistics["min_value"], statistics["max_value"]
        if hasattr(low, "isoformat"):
            return language.word("between", lang, low=low, high=high)
        return f"{spec_value(low, lang)}–{spec_value(high, lang)}"
    if check_name == "isin":
        allowed = statistics["allowed_values"]
        shown = ", ".join(spec_value(v, lang) for v in allowed)  # type: ignore[attr-defined]
        return f"{language.word('one_of', lang)} {shown}"
    if check_name == "greater_than_or_equal_to":
        return language.word("at_least", lang, low=spec_value(statistics["min_value"], lang))
    if check_name == "less_than_or_equal_to":
        return f"≤ {spec_value(statistics['max_value'], lang)}"
    if check_name == "equal_to":
        return str(statistics["value"])
    return ""
