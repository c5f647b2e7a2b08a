"""The parts both report documents share: the document head, figures, provenance, simple slopes.

Belongs here: the blocks of ``data.json`` (the content ``templates/report.typ`` lays out) that a
project report and the synthesis both show — the title, dateline and footer of the document, a
figure, the provenance facts and file hashes, the table of yearly changes at fixed network sizes
(docs/architecture.md, "Simple slopes") — and the helpers that read a protected table's rows.
Every string comes from the language catalogs (docs/architecture.md, "Languages and words") and
the ``*_text.py`` modules; the document date comes from the data (``report_timestamp``), so
identical inputs give identical documents.
Does not belong here: blocks that only one document shows (``project_content.py``,
``synthesis_content.py``), compiling with typst (``render.py``), what may be shown
(``disclosure.py``/``tables.py``) or wording (``labels.py`` and the ``*_text.py`` modules).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from outcomes.documents import ReportTables, ShownTable
from outcomes.language import format_date, format_number, word
from outcomes.reports.labels import (
    SLOPE_TABLE_DECIMALS,
    format_interval,
    network_size_value,
    percentile_label,
)
from outcomes.reports.matthew_text import simple_slopes_note


def capitalise(text: str) -> str:
    """Return ``text`` with its first letter in upper case (the rest as it is)."""
    return text[:1].upper() + text[1:]


def zipped_rows(table: ShownTable) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """Return each row of a protected table as ``(values, display)`` dicts keyed by column:
    the values (hidden cells null) and the strings the report shows."""
    columns = table.columns
    return [
        (dict(zip(columns, values, strict=True)), dict(zip(columns, shown, strict=True)))
        for values, shown in zip(table.values, table.display, strict=True)
    ]


def provenance_blocks(tables: ReportTables, lang: str) -> list[dict[str, Any]]:
    """Return the provenance section: software version, data and report date, and the SHA-256
    of every export file read."""
    prov = tables.provenance
    facts = [
        [word("software", lang), f"outcomes {prov.software_version}"],
        [word("data_date", lang), format_date(prov.data_date, lang)],
        [word("report_date", lang), format_date(prov.report_timestamp, lang)],
    ]
    blocks: list[dict[str, Any]] = [{"kind": "facts", "items": facts}]
    if prov.files:
        blocks.append(
            {
                "kind": "hashes",
                "header": [capitalise(word("file", lang)), word("sha256", lang)],
                "rows": [[f.file, f.sha256 or "–"] for f in prov.files],
            }
        )
    return blocks


def figure_block(name: str, caption: str, alt: str, width: str = "100%") -> dict[str, Any]:
    """Return a figure block: the figure file beside ``data.json``, its caption and alt text."""
    return {"kind": "figure", "file": name, "caption": caption, "alt": alt, "width": width}


def document_head(tables: ReportTables, lang: str, subtitle: str, kicker: str) -> dict[str, Any]:
    """Return the head of ``data.json``: language, title, kicker, dateline, footer and the
    document date (from ``report_timestamp``), and the words for "table" and "figure"."""
    stamp = dt.datetime.fromisoformat(tables.report_timestamp)
    org = tables.organisation
    dateline = (
        f"{word('data_date', lang)}: {format_date(tables.data_date, lang)}"
        if tables.data_date
        else ""
    )
    return {
        "lang": lang,
        "title": subtitle,
        "subtitle": tables.project_name or word("synthesis", lang),
        "kicker": kicker + (f" · {org}" if org else ""),
        "author": org or "outcomes",
        "dateline": dateline,
        "footer": f"outcomes {tables.software_version} · "
        + format_date(tables.report_timestamp, lang),
        "date": {"year": stamp.year, "month": stamp.month, "day": stamp.day},
        "words": {"table": "Tabel" if lang == "nl" else "Table", "figure": "Figuur"
                  if lang == "nl" else "Figure"},
    }  # fmt: skip


def simple_slopes_blocks(tables: ReportTables, lang: str) -> list[dict[str, Any]]:
    """Return the sentence and the table of the model-based yearly change at fixed baseline
    network sizes (the declared primary test's ``simple_slopes``); none without them."""
    matthew = tables.matthew
    if matthew is None or not matthew.simple_slopes:
        return []
    rows = [
        [
            network_size_value(s.moderator_value, lang),
            percentile_label(s.percentile, lang),
            format_number(s.estimate, SLOPE_TABLE_DECIMALS, lang),
            format_interval(s.ci_low, s.ci_high, SLOPE_TABLE_DECIMALS, lang),
        ]
        for s in matthew.simple_slopes
    ]
    table = {
        "kind": "table",
        "header": [
            capitalise(word("network_at_start", lang)),
            capitalise(word("percentile", lang)),
            capitalise(word("slope", lang)),
            word("ci", lang),
        ],
        "rows": rows,
        "align": ["l", "l", "r", "r"],
        "widths": ["1fr", "auto", "auto", "auto"],
        "caption": word("tab_simple_slopes", lang),
        "note": simple_slopes_note(matthew.primary, lang),
    }
    return [table]
