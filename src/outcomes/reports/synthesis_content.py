"""The content of the synthesis report: its sections of paragraphs, tables and figures.

Belongs here: turning the synthesis' :class:`~outcomes.reports.tables.ReportTables` into the
localised sections of ``data.json`` — the summary, the projects side by side, a forest plot with
its table, heterogeneity and τ²/I²/Q per pooled estimate (docs/architecture.md, "Pooling across
projects"), the declared Matthew test, the grid of Matthew results by project and outcome (a
verdict only for the declared primary test; docs/architecture.md, "One declared primary test"),
methods and provenance — and the figure files it shows. Every string comes from the language
catalogs (docs/architecture.md, "Languages and words"), ``labels.py`` and the ``*_text.py``
modules.
Does not belong here: blocks a project report shows too (``content_blocks.py``), the project
report (``project_content.py``), compiling (``render.py``), what may be shown
(``disclosure.py``/``tables.py``) or wording (the ``*_text.py`` modules).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outcomes.language import check_language, format_number, format_percent, word
from outcomes.reports import figures
from outcomes.reports.content_blocks import (
    capitalise,
    document_head,
    figure_block,
    provenance_blocks,
    report_data,
    simple_slopes_blocks,
    zipped_rows,
)
from outcomes.reports.labels import (
    INTERACTION_TABLE_DECIMALS,
    SLOPE_TABLE_DECIMALS,
    format_interval,
    format_p,
    outcome_label,
    verdict_short,
)
from outcomes.reports.matthew_text import (
    matthew_method_text,
    matthew_verdict_sentence,
    structure_note_sentence,
)
from outcomes.reports.synthesis_text import (
    heterogeneity_text,
    pooled_decimals,
    pooled_kind,
    pooled_method_items,
    synthesis_summary,
    verdict_counts_text,
)
from outcomes.reports.tables import ReportTables


def _cell(display: str, value: Any, decimals: int, lang: str) -> str:
    """Return a protected cell in the report language: hidden markers pass through."""
    if value is None:
        return display
    if isinstance(value, int | float):
        return format_number(float(value), decimals, lang)
    return display


def _projects_block(data: Mapping[str, Any], lang: str) -> dict[str, Any]:
    rows = []
    for values, shown in zipped_rows(data["projects"]):
        name = word("total", lang) if values["project"] == "total" else values["name"]
        pct = values.get("pct_last")
        last = shown["n_last"] + (f" ({format_percent(pct, 0, lang)})" if pct is not None else "")
        slope = "–"
        if values.get("slope") is not None:
            slope = (
                f"{format_number(values['slope'], SLOPE_TABLE_DECIMALS, lang)} "
                f"({format_number(values['slope_low'], SLOPE_TABLE_DECIMALS, lang)}–"
                f"{format_number(values['slope_high'], SLOPE_TABLE_DECIMALS, lang)})"
            )
        rows.append(
            [
                name,
                shown["n_start"],
                last,
                _cell(shown["wb0"], values.get("wb0"), 1, lang),
                _cell(shown["wbl"], values.get("wbl"), 1, lang),
                slope,
            ]
        )
    return {
        "kind": "table",
        "header": [
            capitalise(word("project", lang)),
            f"n\n{word('start_col', lang)}",
            f"n\n{word('last_col', lang)}",
            capitalise(word("wellbeing_start", lang)).replace(" ", "\n", 1),
            capitalise(word("wellbeing_last", lang)).replace(" ", "\n", 1),
            f"{capitalise(word('slope', lang))}\n({word('ci', lang)})",
        ],
        "rows": rows,
        "align": ["l", "r", "r", "r", "r", "r"],
        "widths": ["1fr", "auto", "auto", "auto", "auto", "auto"],
        "caption": word("tab_projects", lang),
        "note": word("disclosure", lang, t=data["threshold"]),
        "bold_last": True,
    }


def _matthew_grid_block(data: Mapping[str, Any], lang: str) -> dict[str, Any] | None:
    entries = data.get("matthew_by_project") or []
    if not entries:
        return None
    rows = []
    for entry in entries:
        name = word("all_projects", lang) if entry["project"] == "all" else entry["name"]
        verdict_row = _has_verdict(entry)
        low, high, p = (
            ("verdict_ci_low", "verdict_ci_high", "verdict_p")
            if verdict_row
            else ("ci_low", "ci_high", "p")
        )
        rows.append(
            [
                capitalise(name),
                outcome_label(str(entry.get("outcome")), lang),
                format_number(entry.get("estimate"), INTERACTION_TABLE_DECIMALS, lang),
                format_interval(
                    entry.get(low, entry.get("ci_low")),
                    entry.get(high, entry.get("ci_high")),
                    INTERACTION_TABLE_DECIMALS,
                    lang,
                ),
                _p_cell(entry.get(p, entry.get("p")), lang),
                _grid_verdict_cell(entry, lang),
            ]
        )
    return {
        "kind": "table",
        "header": [
            capitalise(word("project", lang)),
            capitalise(word("outcome", lang)),
            capitalise(word("estimate", lang)),
            word("ci", lang),
            "p",
            capitalise(word("verdict", lang)),
        ],
        "rows": rows,
        "align": ["l", "l", "r", "r", "r", "l"],
        "widths": ["auto", "auto", "auto", "auto", "auto", "1fr"],
        "caption": word("tab_matthew_all", lang),
    }


def _has_verdict(entry: Mapping[str, Any]) -> bool:
    """Return True for the row of the declared primary test (the only one with a verdict)."""
    return entry.get("role") != "exploratory" and entry.get("verdict") is not None


def _p_cell(p: float | None, lang: str) -> str:
    """Return a p-value for a table cell: ``"0,002"`` or ``"< 0,001"``."""
    return format_p(p, lang).removeprefix("p ").removeprefix("= ")


def _grid_verdict_cell(entry: Mapping[str, Any], lang: str) -> str:
    """Return the verdict cell of the Matthew grid: the verdict of the declared primary test,
    else ``"Verkennend (Holm = 1,000)"`` (no verdict word for an exploratory row)."""
    if _has_verdict(entry):
        return capitalise(verdict_short(entry.get("verdict"), lang))
    label = capitalise(verdict_short("exploratory", lang))
    if entry.get("p_holm") is None:
        return label
    return f"{label} (Holm {format_p(entry.get('p_holm'), lang).removeprefix('p ')})"


def _synthesis_matthew_blocks(data: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """Return the synthesis' section on the declared Matthew test: the verdict with its method's
    interval and p, a simplified random part, how the verdict was reached, and the yearly
    change at different network sizes."""
    primary = (data.get("matthew") or {}).get("primary")
    if not primary:
        return []
    verdict = " ".join(
        s
        for s in (
            matthew_verdict_sentence(data, lang, with_p=True),
            structure_note_sentence(primary, lang),
        )
        if s
    )
    paragraphs = [p for p in (verdict, matthew_method_text(data, lang)) if p]
    return [
        *({"kind": "para", "text": p} for p in paragraphs),
        *simple_slopes_blocks(data, lang),
    ]


def _pooled_facts(pooled: Mapping[str, Any], lang: str) -> list[list[str]]:
    """Return τ², I² (each with its 95% interval when given) and Q of a pooled estimate."""
    q_text = format_number(pooled.get("q"), 2, lang)
    return [
        [word("tau2", lang), format_number(pooled.get("tau2"), 2, lang)
         + _interval_suffix(pooled.get("tau2_ci_low"), pooled.get("tau2_ci_high"), 2, lang)],
        [word("i2", lang), format_percent(pooled.get("i2"), 0, lang)
         + _interval_suffix(pooled.get("i2_ci_low"), pooled.get("i2_ci_high"), 0, lang, "%")],
        [word("q", lang), f"{q_text} ({format_p(pooled.get('q_p'), lang)})"],
    ]  # fmt: skip


def _interval_suffix(
    low: float | None, high: float | None, decimals: int, lang: str, unit: str = ""
) -> str:
    """Return ``" (95%-BI 0,20 tot 12,71)"``, or ``""`` when a bound is missing."""
    if low is None or high is None:
        return ""
    return f" ({word('ci', lang)} {format_interval(low, high, decimals, lang)}{unit})"


def synthesis_content(
    tables: ReportTables | Mapping[str, Any], lang: str
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Return the localised content (``data.json``) and the figure files of the synthesis."""
    lang = check_language(lang)
    data = report_data(tables)
    files: dict[str, bytes] = {}
    content = document_head(data, lang, word("synthesis", lang), word("prepared_for", lang))
    content["subtitle"] = word("synthesis", lang)
    content["title"] = word("report", lang)
    sections: list[dict[str, Any]] = [
        {
            "heading": "",
            "blocks": [
                {
                    "kind": "box",
                    "title": word("summary", lang),
                    "paragraphs": synthesis_summary(data, lang),
                }
            ],
        }
    ]
    if data.get("projects"):
        sections.append(
            {"heading": word("projects", lang), "blocks": [_projects_block(data, lang)]}
        )
    names = {
        values["project"]: values["name"] for values, _ in zipped_rows(data["projects"])
    } if data.get("projects") else {}  # fmt: skip
    for index, pooled in enumerate(data.get("pooled") or []):
        name = f"forest_{index}.svg"
        kind = pooled_kind(pooled)
        decimals = pooled_decimals(pooled, table=True)
        files[name] = figures.forest_figure(pooled, names, lang)
        facts = _pooled_facts(pooled, lang)
        sections.append(
            {
                "heading": f"{word('pooled', lang)}: {word(f'pooled_{kind}', lang)}",
                "blocks": [
                    figure_block(
                        name,
                        word("fig_forest" if kind == "slope" else "fig_forest_interaction", lang),
                        word("pooled", lang),
                    ),
                    _forest_table(pooled, names, decimals, lang),
                    {"kind": "para", "text": heterogeneity_text(pooled, lang)},
                    {"kind": "facts", "items": facts},
                ],
            }
        )
    declared = _synthesis_matthew_blocks(data, lang)
    if declared:
        sections.append({"heading": word("matthew", lang), "blocks": declared})
    grid = _matthew_grid_block(data, lang)
    if grid:
        blocks: list[dict[str, Any]] = []
        entries = data.get("matthew_by_project") or []
        counts = verdict_counts_text(entries, lang)
        if counts:
            blocks.append({"kind": "para", "text": counts})
        blocks.append(grid)
        if any(_has_verdict(e) and e.get("verdict") == "no_evidence" for e in entries):
            blocks.append({"kind": "para", "text": _synthesis_no_evidence(lang)})
        sections.append({"heading": word("matthew_all", lang), "blocks": blocks})
    sections.append(
        {
            "heading": word("methods", lang),
            "blocks": [{"kind": "list", "items": _synthesis_methods(data, lang)}],
        }
    )
    sections.append({"heading": word("provenance", lang), "blocks": provenance_blocks(data, lang)})
    content["sections"] = sections
    return content, files


def _forest_table(
    pooled: Mapping[str, Any], names: Mapping[str, str], decimals: int, lang: str
) -> dict[str, Any]:
    """Return the numbers of a forest plot as a table: project, estimate, 95% CI, weight."""
    rows = []
    for study in pooled.get("studies") or []:
        label = str(study.get("label"))
        weight = study.get("weight")
        rows.append(
            [
                names.get(label, label),
                format_number(study.get("estimate"), decimals, lang),
                format_interval(study.get("ci_low"), study.get("ci_high"), decimals, lang),
                format_percent(weight, 0, lang),
            ]
        )
    rows.append(
        [
            capitalise(word("all_projects", lang)),
            format_number(pooled.get("estimate"), decimals, lang),
            format_interval(pooled.get("ci_low"), pooled.get("ci_high"), decimals, lang),
            "100%",
        ]
    )
    return {
        "kind": "table",
        "header": [
            capitalise(word("project", lang)),
            capitalise(word("estimate", lang)),
            word("ci", lang),
            capitalise(word("weight", lang)),
        ],
        "rows": rows,
        "align": ["l", "r", "r", "r"],
        "widths": ["1fr", "auto", "auto", "auto"],
        "caption": word("tab_forest", lang),
        "bold_last": True,
    }


def _synthesis_no_evidence(lang: str) -> str:
    if lang == "nl":
        return (
            "‘Geen aanwijzing’ betekent dat de gegevens een Mattheuseffect niet aantonen; het "
            "betekent niet dat aangetoond is dat er geen is. Bij kleine projecten zijn de "
            "intervallen breed en kan een verschil onopgemerkt blijven."
        )
    return (
        "‘No evidence’ means the data do not show a Matthew effect; it does not mean that its "
        "absence has been shown. In small projects the intervals are wide and a difference may "
        "go unnoticed."
    )


def _synthesis_methods(data: Mapping[str, Any], lang: str) -> list[str]:
    """Return the synthesis' methods and limitations: the pooling (Knapp–Hartung intervals,
    prediction interval) and the missing control group."""
    items = pooled_method_items(data.get("pooled") or [], lang)
    if lang == "nl":
        return [
            *items,
            "Geen van de projecten had een controlegroep; regressie naar het gemiddelde en "
            "uitval kunnen het beeld vertekenen.",
        ]
    return [
        *items,
        "None of the projects had a control group; regression to the mean and attrition may "
        "distort the picture.",
    ]
