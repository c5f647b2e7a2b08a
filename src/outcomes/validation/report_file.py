"""The validation report as a file for people who do not use a terminal: ``.xlsx`` or ``.html``.

Belongs here: writing a :class:`~outcomes.validation.report.ValidationReport` — the summary,
the grouped problems with what to do, and the problems row by row with the export's own
participant IDs and their pseudonyms — as a workbook (xlsxwriter, a dependency of the project)
or one HTML page (docs/architecture.md, "Validation report"). The file names the export's own
IDs, so ``outcomes validate`` refuses a path inside the workspace. Cells are written as text,
never as formulas.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import polars as pl

from outcomes import language
from outcomes.atomic import write_bytes
from outcomes.validation.report import ValidationReport, format_report

#: file name endings :func:`write_report` knows
REPORT_SUFFIXES = (".xlsx", ".html")

_GROUP_COLUMNS = (
    ("rows", "report_head_rows"),
    ("rule", "report_head_rule"),
    ("column", "report_head_column"),
    ("problem", "report_head_problem"),
    ("todo", "report_head_todo"),
    ("first", "report_head_first"),
)
_ROW_COLUMNS = (
    ("source_file", "report_head_file"),
    ("source_row", "report_head_row"),
    ("export_id", "report_head_id"),
    ("participant_id", "report_head_pseudonym"),
    ("rule", "report_head_rule"),
    ("column", "report_head_column"),
    ("value", "report_head_value"),
    ("problem", "report_head_problem"),
    ("todo", "report_head_todo"),
)


def _summary_lines(report: ValidationReport) -> list[str]:
    """Return the summary as the terminal shows it (totals, rules, files), without problems."""
    head = ValidationReport(
        report.project, report.lang, report.summary, report.problems.clear(), report.groups.clear()
    )
    return format_report(head, first=0).splitlines() + report.warnings


def _table(frame: pl.DataFrame, columns: tuple[tuple[str, str], ...], lang: str) -> pl.DataFrame:
    """Return ``frame``'s ``columns`` with the headings of ``lang``; rules by their label."""
    from outcomes.validation.messages import rule_label

    labelled = frame.with_columns(
        pl.col("rule").map_elements(lambda r: rule_label(r, lang), return_dtype=pl.Utf8)
    )
    return labelled.select(
        pl.col(name).alias(language.word(key, lang)) for name, key in columns if name in frame
    )


def write_report(report: ValidationReport, path: str | os.PathLike[str]) -> Path:
    """Write ``report`` to ``path`` (``.xlsx``: sheets summary, problems, by row; ``.html``:
    one page with the same three parts) and return the path. Raises ValueError for another
    ending (the command line checks it first)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".xlsx":
        return write_bytes(target, _xlsx(report))
    if suffix == ".html":
        return write_bytes(target, _html(report).encode("utf-8"))
    raise ValueError(f"{target}: a report is one of {', '.join(REPORT_SUFFIXES)}")


def _xlsx(report: ValidationReport) -> bytes:
    import io

    import xlsxwriter

    lang = report.lang
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    summary = book.add_worksheet(language.word("report_sheet_summary", lang))
    summary.write_string(0, 0, language.word("report_title", lang, project=report.project), bold)
    summary.write_string(1, 0, language.word("report_private", lang))
    for n, line in enumerate(_summary_lines(report), start=3):
        summary.write_string(n, 0, line)
    summary.set_column(0, 0, 110)
    for sheet_key, frame, columns in (
        ("report_sheet_groups", report.groups, _GROUP_COLUMNS),
        ("report_sheet_rows", report.problems, _ROW_COLUMNS),
    ):
        sheet = book.add_worksheet(language.word(sheet_key, lang))
        table = _table(frame, columns, lang)
        for c, name in enumerate(table.columns):
            sheet.write_string(0, c, name, bold)
            sheet.set_column(c, c, 60 if name in _wide(lang) else 16)
        for r, row in enumerate(table.iter_rows(), start=1):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, int):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value), wrap)
        sheet.freeze_panes(1, 0)
        if table.height:
            sheet.autofilter(0, 0, table.height, table.width - 1)
    book.close()
    return buffer.getvalue()


def _wide(lang: str) -> set[str]:
    return {language.word(k, lang) for k in ("report_head_problem", "report_head_todo")} | {
        language.word("report_head_first", lang)
    }


def _html_table(frame: pl.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(name)}</th>" for name in frame.columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{'' if v is None else html.escape(str(v))}</td>" for v in row)
        + "</tr>"
        for row in frame.iter_rows()
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html(report: ValidationReport) -> str:
    lang = report.lang
    title = html.escape(language.word("report_title", lang, project=report.project))
    summary = "\n".join(html.escape(line) for line in _summary_lines(report))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>body{{font-family:sans-serif}}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px;"
        "vertical-align:top;text-align:left}</style></head><body>"
        f"<h1>{title}</h1><p><strong>{html.escape(language.word('report_private', lang))}"
        f"</strong></p><pre>{summary}</pre>"
        f"<h2>{html.escape(language.word('report_sheet_groups', lang))}</h2>"
        f"{_html_table(_table(report.groups, _GROUP_COLUMNS, lang))}"
        f"<h2>{html.escape(language.word('report_sheet_rows', lang))}</h2>"
        f"{_html_table(_table(report.problems, _ROW_COLUMNS, lang))}"
        "</body></html>\n"
    )
