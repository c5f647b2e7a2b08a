"""Files and text for people who act on a validation: the JSON summary, the quarantine CSV.

Belongs here: writing ``validation/<project>.json`` and ``quarantine/<project>.csv`` (through
``outcomes.atomic``), making CSV cells safe to open in Excel, and the text ``outcomes validate``
prints. Deciding what is quarantined lives in ``rules.py``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from outcomes.atomic import write_bytes, write_json
from outcomes.documents import ValidationSummary, checked
from outcomes.language import DEFAULT_LANGUAGE, check_language, format_percent, word
from outcomes.validation import messages

#: Leading characters a spreadsheet reads as a formula (OWASP "CSV injection"), plus tab and
#: carriage return, which some spreadsheets strip before looking for one.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = b"\xef\xbb\xbf"


def write_validation_json(summary: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write ``summary`` as ``validation/<project>.json`` (sorted keys, atomic) after checking it
    against :class:`~outcomes.documents.ValidationSummary`; return the path."""
    return write_json(path, checked(ValidationSummary, summary))


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with every text cell that starts like a formula prefixed with ``'``.

    Excel and LibreOffice then show the text instead of evaluating it.
    """
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.Utf8]
    dangerous = "^[" + "".join("\\" + c if c in "-+" else c for c in FORMULA_PREFIXES) + "]"
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(dangerous))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )


def write_quarantine_csv(
    quarantine: pl.DataFrame, path: str | os.PathLike[str], *, delimiter: str = ";"
) -> Path:
    """Write ``quarantine/<project>.csv`` for data managers and return the path.

    One row per problem, sorted by source file and row; UTF-8 with a byte-order mark so Excel
    shows accents; cells that start like a formula are neutralised. The delimiter defaults to
    ``;``, the list separator of Dutch Excel (which opens the file in columns on a double click).
    """
    ordered = quarantine.sort(["source_file", "source_row"], maintain_order=True)
    buffer = io.BytesIO()
    neutralise_formulas(ordered).write_csv(buffer, separator=delimiter, quote_style="necessary")
    return write_bytes(path, UTF8_BOM + buffer.getvalue())


def format_summary(
    summary: Mapping[str, Any],
    quarantine: pl.DataFrame,
    lang: str = DEFAULT_LANGUAGE,
    first: int = 10,
) -> str:
    """Return the text ``outcomes validate`` prints: totals, counts per rule and file, and the
    messages of the first ``first`` problems (in source file and row order)."""
    lang = check_language(lang)
    lines = [
        word(
            "summary_head",
            lang,
            project=summary.get("project", "?"),
            read=summary["rows_read"],
            valid=summary["rows_valid"],
            quarantined=summary["rows_quarantined"],
            share=format_percent(summary["quarantined_share"] * 100, 1, lang),
            threshold=format_percent(summary["threshold"] * 100, 1, lang),
            verdict=word("summary_ok" if summary["passed_threshold"] else "summary_too_many", lang),
        )
    ]
    rules = summary.get("rules", {})
    if not rules:
        lines.append(word("summary_none", lang))
    else:
        lines.append(word("summary_rules", lang))
        rows_by_rule = summary.get("rows_by_rule", {})
        width = max(len(rule) for rule in rules)
        for rule, count in sorted(rules.items(), key=lambda item: (-item[1], item[0])):
            label = messages.rule_label(rule, lang)
            lines.append(
                f"  {rule:<{width}}  {count:>7} / {rows_by_rule.get(rule, count):<7}  {label}"
            )
    files = summary.get("files", {})
    if len(files) > 1 or rules:
        lines.append(word("summary_files", lang))
        for name, counts in files.items():
            lines.append(
                f"  {name}: {counts['rows_read']} = {counts['rows_valid']} + "
                f"{counts['rows_quarantined']}"
            )
    if quarantine.height and first > 0:
        shown = quarantine.sort(["source_file", "source_row"], maintain_order=True).head(first)
        lines.append(word("summary_first", lang, n=shown.height, total=quarantine.height))
        lines.extend(f"  {text}" for text in shown["message"].to_list())
    return "\n".join(lines)
