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

from collections.abc import Mapping, Sequence
from typing import Any

from outcomes.documents import MatthewGridEntry, PooledResult, ReportTables, ShownTable
from outcomes.language import check_language, format_number, format_percent, word
from outcomes.reports import figures
from outcomes.reports.content_blocks import (
    capitalise,
    document_head,
    figure_block,
    provenance_blocks,
    simple_slopes_blocks,
    zipped_rows,
)
from outcomes.reports.design_text import (
    baseline_adjusted_sentence,
    measurement_error_sentence,
    synthesis_control_sentence,
)
from outcomes.reports.labels import (
    INTERACTION_TABLE_DECIMALS,
    SLOPE_TABLE_DECIMALS,
    format_interval,
    format_p,
    left_out_text,
    outcome_label,
    verdict_short,
)
from outcomes.reports.matthew_text import (
    matthew_method_text,
    matthew_verdict_sentence,
    structure_note_sentence,
)
from outcomes.reports.reliable_change_content import reliable_change_section
from outcomes.reports.synthesis_text import (
    heterogeneity_text,
    pooled_decimals,
    pooled_kind,
    pooled_method_items,
    synthesis_summary,
    verdict_counts_text,
)
from outcomes.reports.tipping_point_text import tipping_point_paragraphs
from outcomes.reports.type_synthesis_text import metric_method_item, type_synthesis_sections


def _cell(display: str, value: Any, decimals: int, lang: str) -> str:
    """Return a protected cell in the report language: hidden markers pass through."""
    if value is None:
        return display
    if isinstance(value, int | float):
        return format_number(float(value), decimals, lang)
    return display


def _projects_block(projects: ShownTable, threshold: int, lang: str) -> dict[str, Any]:
    rows = []
    for values, shown in zipped_rows(projects):
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
        "note": word("disclosure", lang, t=threshold),
        "bold_last": True,
    }


def _matthew_grid_block(entries: Sequence[MatthewGridEntry], lang: str) -> dict[str, Any] | None:
    if not entries:
        return None
    rows = []
    for entry in entries:
        name = word("all_projects", lang) if entry.project == "all" else entry.name
        if _has_verdict(entry):
            low, high, p = entry.verdict_ci_low, entry.verdict_ci_high, entry.verdict_p
        else:
            low, high, p = entry.ci_low, entry.ci_high, entry.p
        rows.append(
            [
                capitalise(name),
                outcome_label(entry.outcome, lang),
                format_number(entry.estimate, INTERACTION_TABLE_DECIMALS, lang),
                format_interval(low, high, INTERACTION_TABLE_DECIMALS, lang),
                _p_cell(p, lang),
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


def _has_verdict(entry: MatthewGridEntry) -> bool:
    """Return True for the row of the declared primary test (the only one with a verdict)."""
    return entry.role != "exploratory" and entry.verdict is not None


def _p_cell(p: float | None, lang: str) -> str:
    """Return a p-value for a table cell: ``"0,002"`` or ``"< 0,001"``."""
    return format_p(p, lang).removeprefix("p ").removeprefix("= ")


def _grid_verdict_cell(entry: MatthewGridEntry, lang: str) -> str:
    """Return the verdict cell of the Matthew grid: the verdict of the declared primary test,
    else ``"Verkennend (Holm = 1,000)"`` (no verdict word for an exploratory row)."""
    if _has_verdict(entry):
        return capitalise(verdict_short(entry.verdict, lang))
    label = capitalise(verdict_short("exploratory", lang))
    if entry.p_holm is None:
        return label
    return f"{label} (Holm {format_p(entry.p_holm, lang).removeprefix('p ')})"


def _synthesis_matthew_blocks(tables: ReportTables, lang: str) -> list[dict[str, Any]]:
    """Return the synthesis' section on the declared Matthew test: the verdict with its method's
    interval and p, a simplified random part, how the verdict was reached, and the yearly
    change at different network sizes."""
    matthew = tables.matthew
    if matthew is None or matthew.primary is None:
        return []
    verdict = " ".join(
        s
        for s in (
            matthew_verdict_sentence(matthew.primary, lang, with_p=True),
            structure_note_sentence(matthew.primary, lang),
        )
        if s
    )
    paragraphs = [
        p
        for p in (
            verdict,
            baseline_adjusted_sentence(matthew.primary, lang),
            matthew_method_text(matthew, lang),
        )
        if p
    ]
    paragraphs += tipping_point_paragraphs(tables, lang)
    return [
        *({"kind": "para", "text": p} for p in paragraphs),
        *simple_slopes_blocks(tables, lang),
    ]


def _pooled_facts(pooled: PooledResult, lang: str) -> list[list[str]]:
    """Return τ², I² (each with its 95% interval when given) and Q of a pooled estimate."""
    q_text = format_number(pooled.q, 2, lang)
    return [
        [word("tau2", lang), format_number(pooled.tau2, 2, lang)
         + _interval_suffix(pooled.tau2_ci_low, pooled.tau2_ci_high, 2, lang)],
        [word("i2", lang), format_percent(pooled.i2, 0, lang)
         + _interval_suffix(pooled.i2_ci_low, pooled.i2_ci_high, 0, lang, "%")],
        [word("q", lang), f"{q_text} ({format_p(pooled.q_p, lang)})"],
    ]  # fmt: skip


def _interval_suffix(
    low: float | None, high: float | None, decimals: int, lang: str, unit: str = ""
) -> str:
    """Return ``" (95%-BI 0,20 tot 12,71)"``, or ``""`` when a bound is missing."""
    if low is None or high is None:
        return ""
    return f" ({word('ci', lang)} {format_interval(low, high, decimals, lang)}{unit})"


def synthesis_content(tables: ReportTables, lang: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Return the localised content (``data.json``) and the figure files of the synthesis from
    its report tables (``reports/tables/synthesis.json``)."""
    lang = check_language(lang)
    files: dict[str, bytes] = {}
    content = document_head(tables, lang, word("synthesis", lang), word("prepared_for", lang))
    content["subtitle"] = word("synthesis", lang)
    content["title"] = word("report", lang)
    sections: list[dict[str, Any]] = [
        {
            "heading": "",
            "blocks": [
                {
                    "kind": "box",
                    "title": word("summary", lang),
                    "paragraphs": [
                        *synthesis_summary(tables, lang),
                        *left_out_text(tables, lang),
                    ],
                }
            ],
        }
    ]
    names: dict[str, str] = {}
    if tables.projects is not None:
        sections.append(
            {
                "heading": word("projects", lang),
                "blocks": [_projects_block(tables.projects, tables.threshold, lang)],
            }
        )
        names = {values["project"]: values["name"] for values, _ in zipped_rows(tables.projects)}
    for index, entry in enumerate(tables.pooled):
        name = f"forest_{index}.svg"
        kind = pooled_kind(entry)
        decimals = pooled_decimals(entry, table=True)
        files[name] = figures.forest_figure(entry, names, lang)
        facts = _pooled_facts(entry, lang)
        sections.append(
            {
                "heading": f"{word('pooled', lang)}: {word(f'pooled_{kind}', lang)}",
                "blocks": [
                    figure_block(
                        name,
                        word("fig_forest" if kind == "slope" else "fig_forest_interaction", lang),
                        word("pooled", lang),
                    ),
                    _forest_table(entry, names, decimals, lang),
                    {"kind": "para", "text": heterogeneity_text(entry, lang)},
                    {"kind": "facts", "items": facts},
                ],
            }
        )
    sections += type_synthesis_sections(tables, names, lang)
    declared = _synthesis_matthew_blocks(tables, lang)
    if declared:
        sections.append({"heading": word("matthew", lang), "blocks": declared})
    grid = _matthew_grid_block(tables.matthew_by_project, lang)
    if grid:
        blocks: list[dict[str, Any]] = []
        counts = verdict_counts_text(tables.matthew_by_project, lang)
        if counts:
            blocks.append({"kind": "para", "text": counts})
        blocks.append(grid)
        if any(_has_verdict(e) and e.verdict == "no_evidence" for e in tables.matthew_by_project):
            blocks.append({"kind": "para", "text": _synthesis_no_evidence(lang)})
        sections.append({"heading": word("matthew_all", lang), "blocks": blocks})
    change = reliable_change_section(tables, lang, files, names)
    if change is not None:
        sections.append(change)
    sections.append(
        {
            "heading": word("methods", lang),
            "blocks": [
                {
                    "kind": "list",
                    "items": [
                        *_synthesis_methods(tables.pooled, lang, tables),
                        *filter(None, [metric_method_item(tables.pooled_metric, lang)]),
                    ],
                }
            ],
        }
    )
    sections.append(
        {"heading": word("provenance", lang), "blocks": provenance_blocks(tables, lang)}
    )
    content["sections"] = sections
    return content, files


def _forest_table(
    pooled: PooledResult, names: Mapping[str, str], decimals: int, lang: str
) -> dict[str, Any]:
    """Return the numbers of a forest plot as a table: project, estimate, 95% CI, weight."""
    rows = []
    for study in pooled.studies:
        rows.append(
            [
                names.get(study.label, study.label),
                format_number(study.estimate, decimals, lang),
                format_interval(study.ci_low, study.ci_high, decimals, lang),
                format_percent(study.weight, 0, lang),
            ]
        )
    rows.append(
        [
            capitalise(word("all_projects", lang)),
            format_number(pooled.estimate, decimals, lang),
            format_interval(pooled.ci_low, pooled.ci_high, decimals, lang),
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


def _synthesis_methods(
    pooled: Sequence[PooledResult], lang: str, tables: ReportTables | None = None
) -> list[str]:
    """Return the synthesis' methods and limitations: the pooling (Knapp–Hartung intervals,
    prediction interval) of ``pooled``, how many projects had a control group (from the
    designs in ``tables``' Matthew grid) and measurement error in network size."""
    items = pooled_method_items(pooled, lang)
    design = synthesis_control_sentence(tables.matthew_by_project, lang) if tables else ""
    bias = (
        "Regressie naar het gemiddelde en uitval kunnen het beeld vertekenen."
        if lang == "nl"
        else "Regression to the mean and attrition may distort the picture."
    )
    primary = tables.matthew.primary if tables is not None and tables.matthew else None
    error = measurement_error_sentence(primary, lang) if primary is not None else ""
    return [*items, f"{design} {bias}" if design else bias, *([error] if error else [])]
