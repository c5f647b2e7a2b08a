"""The validation report of ``outcomes validate``: every problem in the export's own terms.

Belongs here: turning a validation result and the ingest result it came from into the report a
data manager reads — each problem names the export's own column with the canonical name beside
it (``Q5_1 (mhi5_1)``), the row and the export's own participant ID; problems that repeat are
grouped by rule, column and value with their count, the first rows and what to do
(docs/architecture.md, "Validation report"). The words are the language catalogs'
``problem_<rule>`` and ``todo_<rule>``, one of each per rule.

The export's own IDs come from :attr:`IngestResult.participants`, which is held in memory only:
the report is printed or written to a file the data manager names outside the workspace
(:mod:`outcomes.validation.report_file`); the workspace keeps pseudonyms and source rows only.
Does not belong here: deciding what is quarantined (``rules.py``), the pipeline's quarantine
messages (``messages.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from outcomes import language
from outcomes.language import check_language
from outcomes.specs import ProjectSpec
from outcomes.validation.messages import INGEST_OTHER, rule_label
from outcomes.validation.quarantine import format_summary

if TYPE_CHECKING:
    from outcomes.ingest.project import IngestResult
    from outcomes.instruments.base import Instrument
    from outcomes.validation.rules import ValidationResult

#: rows named after a group's line; groups printed on the screen (the report file has all)
ROWS_SHOWN = 5
GROUPS_SHOWN = 20
#: answers named in "is not one of: …" before the list is cut off
ANSWERS_SHOWN = 8

_PSEUDONYM = re.compile(r"\bp[0-9a-f]{64}\b")

#: columns of :attr:`ValidationReport.problems`, in order
PROBLEM_COLUMNS = (
    "source_file",
    "source_row",
    "export_id",
    "participant_id",
    "rule",
    "column",
    "value",
    "problem",
    "todo",
)


def report_rules(lang: str = language.DEFAULT_LANGUAGE) -> list[str]:
    """Return every quarantine rule the catalog of ``lang`` labels (``rule_<rule>``) plus the
    rule of ingest's other problems: the rules that need a problem and a what-to-do text."""
    keys = language.catalog(check_language(lang))
    return [k.removeprefix("rule_") for k in keys if k.startswith("rule_")] + [INGEST_OTHER]


@dataclass(frozen=True)
class ValidationReport:
    """What ``outcomes validate`` shows and ``--report`` writes.

    ``problems``: one row per quarantine record (:data:`PROBLEM_COLUMNS`): file, row, the
    export's own participant ID (null without one), its pseudonym, the rule, the column as
    ``export (canonical)``, the value, the problem and what to do, in file and row order.
    ``groups``: one row per rule, column and problem, most rows first: ``rule``, ``column``,
    ``rows`` (distinct rows), ``problem``, ``todo`` and ``first`` (where the first rows are).
    ``warnings``: the ingest warnings about whole files, in ``lang``.
    """

    project: str
    lang: str
    summary: Mapping[str, Any]
    problems: pl.DataFrame
    groups: pl.DataFrame
    warnings: list[str] = field(default_factory=list)


def export_columns(ingested: IngestResult, spec: ProjectSpec) -> pl.DataFrame:
    """Return ``source_file``, ``column`` (canonical) and ``export_column`` (the export's own
    name): what ingest mapped in each file, else the spec's ``columns`` map inverted."""
    declared = {canonical: raw for raw, canonical in spec.columns.items()}
    declared["participant_id"] = spec.participant_id
    for canonical in ("assessed_on", "site", "arm", "completed"):
        raw = getattr(spec, canonical)
        if raw:
            declared.setdefault(canonical, raw)
    if spec.wave.column:
        declared.setdefault("wave", spec.wave.column)
    rows: list[tuple[str, str, str]] = []
    for info in ingested.files:
        found = {canonical: raw for raw, canonical in info.mapped.items()}
        for canonical in sorted(set(declared) | set(found)):
            rows.append((info.name, canonical, found.get(canonical, declared.get(canonical, ""))))
    return pl.DataFrame(
        rows,
        schema={"source_file": pl.Utf8, "column": pl.Utf8, "export_column": pl.Utf8},
        orient="row",
    )


def allowed_answers(
    spec: ProjectSpec,
    column: str,
    lang: str,
    registry: Mapping[str, Instrument] | None = None,
) -> str | None:
    """Return the answers ``column`` accepts, in ``lang``: the instrument's answer labels in
    their order (for ``gender`` the common gender labels), then the spec's own
    ``value_labels`` (at most :data:`ANSWERS_SHOWN`, then ``…``); None when the column has
    none."""
    from outcomes.ingest.canonical.items import instrument_registry, item_instruments
    from outcomes.ingest.canonical.meta import GENDER_LABELS_SHOWN

    registry = registry if registry is not None else instrument_registry()
    answers: list[str] = []
    instrument_key = item_instruments(spec, registry).get(column)
    if instrument_key is not None:
        for option in registry[instrument_key].options:
            answers.append(option.label_nl if lang == "nl" else option.label_en)
    if column == "gender":
        answers.extend(GENDER_LABELS_SHOWN[lang])
    for key in (instrument_key, column):
        if key is not None:
            answers.extend(str(label) for label in spec.value_labels.get(key, {}))
    first_of: dict[str, str] = {}
    for answer in answers:
        first_of.setdefault(answer.casefold(), answer)
    unique = list(first_of.values())
    if not unique:
        return None
    shown = ", ".join(unique[:ANSWERS_SHOWN])
    return shown + (", …" if len(unique) > ANSWERS_SHOWN else "")


def _export_ids(ingested: IngestResult) -> dict[str, str]:
    participants = ingested.participants
    if participants is None or participants.height == 0:
        return {}
    return dict(participants.select("participant_id", "raw_id").iter_rows())


def _reveal(text: str | None, raw_ids: Mapping[str, str]) -> str | None:
    """Return ``text`` with every pseudonym replaced by the export's own ID."""
    if text is None or not raw_ids:
        return text
    return _PSEUDONYM.sub(lambda match: raw_ids.get(match.group(0), match.group(0)), text)


def _quoted(value: str | None, lang: str) -> str:
    return language.word("empty", lang) if value is None else f"'{value}'"


def _problem(
    rule: str,
    column: str,
    canonical: str | None,
    value: str | None,
    expected: str | None,
    spec: ProjectSpec,
    lang: str,
    registry: Mapping[str, Instrument] | None,
) -> tuple[str, str]:
    """Return (problem, what to do) of one record in ``lang``."""
    if rule == "unknown_label" and canonical is not None:
        expected = allowed_answers(spec, canonical, lang, registry) or expected
    key = rule if language.has_word(f"problem_{rule}", lang) else INGEST_OTHER
    if key == INGEST_OTHER and not expected:
        expected = rule_label(rule, lang)
    problem = language.word(
        f"problem_{key}", lang, column=column, value=_quoted(value, lang), expected=expected or ""
    )
    return problem, language.word(f"todo_{key}", lang)


def _where(file: str, row: int, export_id: str | None, lang: str) -> str:
    if export_id is None:
        return language.word("report_at_no_id", lang, file=file, row=row)
    return language.word("report_at", lang, file=file, row=row, id=export_id)


def _rows(n: int, lang: str) -> str:
    return language.word("report_rows_one" if n == 1 else "report_rows_many", lang, n=n)


def build_report(
    result: ValidationResult,
    ingested: IngestResult,
    spec: ProjectSpec,
    lang: str = language.DEFAULT_LANGUAGE,
    *,
    warnings: list[str] | None = None,
    registry: Mapping[str, Instrument] | None = None,
) -> ValidationReport:
    """Return the report of ``result``, validated from ``ingested``, in ``lang``.

    Every quarantine record becomes a problem naming the export's column, the row and the
    export's own participant ID (pseudonyms in values and ingest's messages are replaced by
    those IDs too); problems with the same rule, column and wording are one group
    (docs/architecture.md, "Validation report")."""
    lang = check_language(lang)
    quarantine = result.quarantine
    raw_ids = _export_ids(ingested)
    records = (
        quarantine.select("source_file", "source_row", "participant_id", "column", "value", "rule")
        .with_columns(
            (
                result.expected.alias("expected")
                if result.expected is not None
                else pl.lit(None, dtype=pl.Utf8).alias("expected")
            ),
        )
        .join(export_columns(ingested, spec), on=["source_file", "column"], how="left")
        .with_columns(
            pl.when(pl.col("column").is_null())
            .then(pl.lit(""))
            .when(pl.col("export_column").is_null() | (pl.col("export_column") == pl.col("column")))
            .then(pl.col("column"))
            .otherwise(pl.format("{} ({})", pl.col("export_column"), pl.col("column")))
            .alias("shown_column"),
            pl.col("participant_id")
            .replace_strict(raw_ids, default=None, return_dtype=pl.Utf8)
            .alias("export_id"),
        )
    )
    words: dict[tuple[Any, ...], tuple[str, str]] = {}
    problems: list[str] = []
    todos: list[str] = []
    values: list[str | None] = []
    for rule, shown, canonical, value, expected in records.select(
        "rule", "shown_column", "column", "value", "expected"
    ).iter_rows():
        value = _reveal(value, raw_ids)
        key = (rule, shown, canonical, value, expected)
        if key not in words:
            words[key] = _problem(
                rule, shown, canonical, value, _reveal(expected, raw_ids), spec, lang, registry
            )
        problem, todo = words[key]
        problems.append(problem)
        todos.append(todo)
        values.append(value)
    table = records.with_columns(
        pl.Series("value", values, dtype=pl.Utf8),
        pl.Series("problem", problems, dtype=pl.Utf8),
        pl.Series("todo", todos, dtype=pl.Utf8),
        pl.col("shown_column").alias("column"),
    ).sort(["source_file", "source_row"], maintain_order=True)
    return ValidationReport(
        project=spec.id,
        lang=lang,
        summary=result.summary,
        problems=table.select(PROBLEM_COLUMNS),
        groups=_groups(table, lang),
        warnings=list(warnings or []),
    )


def _groups(table: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Return one row per rule, column and problem text: how many rows, the problem, what to do
    and where the first :data:`ROWS_SHOWN` rows are."""
    if table.height == 0:
        return pl.DataFrame(
            schema={
                "rule": pl.Utf8,
                "column": pl.Utf8,
                "rows": pl.Int64,
                "problem": pl.Utf8,
                "todo": pl.Utf8,
                "first": pl.Utf8,
            }
        )
    grouped = (
        table.unique(
            ["source_file", "source_row", "rule", "column", "problem"], maintain_order=True
        )
        .group_by(["rule", "column", "problem", "todo"], maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("rows"),
            pl.col("source_file").head(ROWS_SHOWN).alias("files"),
            pl.col("source_row").head(ROWS_SHOWN).alias("at_rows"),
            pl.col("export_id").head(ROWS_SHOWN).alias("ids"),
        )
        .sort(["rows", "rule", "column"], descending=[True, False, False], maintain_order=True)
    )
    first: list[str] = []
    for files, rows, ids, n in grouped.select("files", "at_rows", "ids", "rows").iter_rows():
        shown = ", ".join(_where(f, r, i, lang) for f, r, i in zip(files, rows, ids, strict=True))
        if n > len(files):
            shown += " " + language.word("report_more", lang, n=n - len(files))
        first.append(shown)
    return grouped.select(
        "rule", "column", "rows", "problem", "todo", pl.Series("first", first, dtype=pl.Utf8)
    )


def group_line(rows: int, problem: str, todo: str, lang: str) -> str:
    """Return one group as a sentence: ``163 rows: answer 'Heel vaak' in Q5_1 (mhi5_1) is not
    one of: …; add it to `value_labels` in the spec``."""
    return language.word("report_group", lang, count=_rows(rows, lang), problem=problem, todo=todo)


def format_report(report: ValidationReport, first: int = 10) -> str:
    """Return the text ``outcomes validate`` prints: the summary (totals, counts per rule and
    file), the groups of problems (at most :data:`GROUPS_SHOWN`) each with its first rows, and
    the first ``first`` problems row by row with the export's own participant ID."""
    lang = report.lang
    empty = report.problems.clear()
    lines = [format_summary(report.summary, empty, lang, first=0)]
    groups = report.groups
    if groups.height:
        lines.append(language.word("report_groups", lang))
        for rows, problem, todo, where in (
            groups.head(GROUPS_SHOWN).select("rows", "problem", "todo", "first").iter_rows()
        ):
            lines.append(f"  {group_line(rows, problem, todo, lang)}")
            lines.append(f"      {where}")
        if groups.height > GROUPS_SHOWN:
            more = language.word("report_more", lang, n=groups.height - GROUPS_SHOWN)
            lines.append(f"  {more}")
    problems = report.problems
    if problems.height and first > 0:
        shown = problems.head(first)
        lines.append(language.word("report_per_row", lang, n=shown.height, total=problems.height))
        for file, row, export_id, problem in shown.select(
            "source_file", "source_row", "export_id", "problem"
        ).iter_rows():
            lines.append(f"  {_where(file, row, export_id, lang)}: {problem}")
    return "\n".join(lines)
