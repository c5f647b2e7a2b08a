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
from collections.abc import Mapping
from typing import Any

from outcomes.language import format_date, format_number, word
from outcomes.reports.labels import (
    SLOPE_TABLE_DECIMALS,
    format_interval,
    network_size_value,
    percentile_label,
)
from outcomes.reports.matthew_text import simple_slopes_note
from outcomes.reports.tables import ReportTables


def report_data(tables: ReportTables | Mapping[str, Any]) -> dict[str, Any]:
    """Return the report tables as the plain dict the content is built from (a stored
    ``report_tables`` document passes through as it is)."""
    return tables.to_dict() if isinstance(tables, ReportTables) else dict(tables)


def capitalise(text: str) -> str:
    """Return ``text`` with its first letter in upper case (the rest as it is)."""
    return text[:1].upper() + text[1:]


def zipped_rows(table: Mapping[str, Any]) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """Return each row of a protected table as ``(values, display)`` dicts keyed by column:
    the values (hidden cells null) and the strings the report shows."""
    columns = table["columns"]
    return [
        (dict(zip(columns, values, strict=True)), dict(zip(columns, shown, strict=True)))
        for values, shown in zip(table["values"], table["display"], strict=True)
    ]


def provenance_blocks(data: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """Return the provenance section: software version, data and report date, and the SHA-256
    of every export file read."""
    prov = data.get("provenance") or {}
    facts = [
        [word("software", lang), f"outcomes {prov.get('software_version', '')}"],
        [word("data_date", lang), format_date(prov.get("data_date"), lang)],
        [word("report_date", lang), format_date(prov.get("report_timestamp"), lang)],
    ]
    blocks: list[dict[str, Any]] = [{"kind": "facts", "items": facts}]
    files = prov.get("files") or []
    if files:
        blocks.append(
            {
                "kind": "hashes",
                "header": [capitalise(word("file", lang)), word("sha256", lang)],
                "rows": [[f["file"], f["sha256"] or "–"] for f in files],
            }
        )
    return blocks


def figure_block(name: str, caption: str, alt: str, width: str = "100%") -> dict[str, Any]:
    """Return a figure block: the figure file beside ``data.json``, its caption and alt text."""
    return {"kind": "figure", "file": name, "caption": caption, "alt": alt, "width": width}


def document_head(data: Mapping[str, Any], lang: str, subtitle: str, kicker: str) -> dict[str, Any]:
    """Return the head of ``data.json``: language, title, kicker, dateline, footer and the
    document date (from ``report_timestamp``), and the words for "table" and "figure"."""
    stamp = dt.datetime.fromisoformat(data["report_timestamp"])
    org = data.get("organisation")
    dateline = (
        f"{word('data_date', lang)}: {format_date(data.get('data_date'), lang)}"
        if data.get("data_date")
        else ""
    )
    return {
        "lang": lang,
        "title": subtitle,
        "subtitle": data.get("project_name") or word("synthesis", lang),
        "kicker": kicker + (f" · {org}" if org else ""),
        "author": org or "outcomes",
        "dateline": dateline,
        "footer": f"outcomes {data.get('software_version', '')} · "
        + format_date(data["report_timestamp"], lang),
        "date": {"year": stamp.year, "month": stamp.month, "day": stamp.day},
        "words": {"table": "Tabel" if lang == "nl" else "Table", "figure": "Figuur"
                  if lang == "nl" else "Figure"},
    }  # fmt: skip


def simple_slopes_blocks(data: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """Return the sentence and the table of the model-based yearly change at fixed baseline
    network sizes (the declared primary test's ``simple_slopes``); none without them."""
    matthew = data.get("matthew") or {}
    slopes = matthew.get("simple_slopes") or []
    if not slopes:
        return []
    rows = [
        [
            network_size_value(s.get("moderator_value"), lang),
            percentile_label(s.get("percentile"), lang),
            format_number(s.get("estimate"), SLOPE_TABLE_DECIMALS, lang),
            format_interval(s.get("ci_low"), s.get("ci_high"), SLOPE_TABLE_DECIMALS, lang),
        ]
        for s in slopes
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
        "note": simple_slopes_note(matthew.get("primary") or {}, lang),
    }
    return [table]
