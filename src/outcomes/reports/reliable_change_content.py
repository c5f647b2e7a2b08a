"""The reliable change section of a project report and of the synthesis (docs/architecture.md,
"Reliable change").

Belongs here: the blocks of ``data.json`` that show reliable change — the plain sentences, the
protected table of the four classes per network group with the method note under it, the
greyscale figure, and why a project has no reliable change. Every word comes from the language
catalogs and ``reliable_change_text.py``; the numbers from the report tables.
Does not belong here: computing or protecting the numbers (``reliable_change_tables.py``) or
drawing (``reliable_change_figure.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outcomes.documents import ReportTables
from outcomes.documents.report_tables import ShownReliableChange
from outcomes.language import format_percent, word
from outcomes.reports.content_blocks import capitalise, figure_block, zipped_rows
from outcomes.reports.labels import group_label
from outcomes.reports.reliable_change_figure import reliable_change_figure, shown_classes
from outcomes.reports.reliable_change_text import (
    change_sentence,
    meaning_sentence,
    method_note,
    not_assessed_sentence,
    recovered_sentence,
)

#: The figure file of the section.
FIGURE = "reliable_change.svg"


def _table_block(shown: ShownReliableChange, threshold: int, lang: str) -> dict[str, Any]:
    """Return the table: per network group (and the total) n and per class "count (share)"."""
    assert shown.table is not None
    classes = shown_classes(shown)
    rows = []
    for values, display in zipped_rows(shown.table):
        group = values["network_group"]
        label = word("total", lang) if group == "total" else group_label(group, lang)
        cells = [capitalise(label), display["n"]]
        for name in classes:
            share = values.get(f"pct_{name}")
            cells.append(
                display[name]
                + (f" ({format_percent(share, 0, lang)})" if share is not None else "")
            )
        rows.append(cells)
    notes = [method_note(i, lang) for i in shown.instruments]
    notes.append(word("disclosure", lang, t=threshold))
    return {
        "kind": "table",
        "header": [capitalise(word("network_at_start", lang)), word("n", lang)]
        + [capitalise(word(f"rc_{c}", lang)) for c in classes],
        "rows": rows,
        "align": ["l", "r"] + ["r"] * len(classes),
        "widths": ["1fr", "auto"] + ["auto"] * len(classes),
        "caption": word("rc_table_caption", lang),
        "note": " ".join(notes),
        "bold_last": True,
    }


def reliable_change_section(
    tables: ReportTables,
    lang: str,
    files: dict[str, bytes],
    names: Mapping[str, str] | None = None,
) -> dict[str, Any] | None:
    """Return the reliable change section of a report (None when its tables hold none) and
    add its figure to ``files``. ``names`` maps project ids to display names for the projects
    not assessed (the project report uses its own name)."""
    shown = tables.reliable_change
    if shown is None:
        return None
    threshold = tables.threshold
    blocks: list[dict[str, Any]] = []
    sentences = [
        change_sentence(shown, threshold, lang),
        recovered_sentence(shown, threshold, lang),
    ]
    paragraphs = [s for s in sentences if s]
    if paragraphs:
        paragraphs.append(meaning_sentence(lang))
        blocks.append({"kind": "para", "text": " ".join(paragraphs)})
    for entry in shown.not_assessed:
        name = tables.project_name if tables.project == entry.project else None
        name = name or (names or {}).get(entry.project, entry.project)
        blocks.append({"kind": "para", "text": not_assessed_sentence(entry, name, lang)})
    if shown.table is not None and zipped_rows(shown.table)[-1][0].get("n") is not None:
        blocks.append(_table_block(shown, threshold, lang))
        files[FIGURE] = reliable_change_figure(shown, lang)
        blocks.append(
            figure_block(FIGURE, word("rc_figure_caption", lang), word("rc_heading", lang))
        )
    if not blocks:
        return None
    return {"heading": word("rc_heading", lang), "blocks": blocks}
