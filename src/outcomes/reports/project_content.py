"""The content of a project report: its sections of paragraphs, tables and figures (``data.json``).

Belongs here: turning a project's :class:`~outcomes.reports.tables.ReportTables` into the
localised sections of its report — the summary, participants per wave and their composition, the
outcomes over time, the Matthew check with its model table, data quality, methods and
provenance — and the figure files it shows. Every string comes from the language catalogs
(docs/architecture.md, "Languages and words"), ``labels.py`` and the ``*_text.py`` modules.
Does not belong here: blocks the synthesis shows too (``content_blocks.py``), the synthesis
(``synthesis_content.py``), compiling (``render.py``), what may be shown (``disclosure.py``/
``tables.py``) or wording (the ``*_text.py`` modules).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outcomes.documents import InteractionTest, ReportTables, ShownEstimate
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
from outcomes.reports.labels import (
    INTERACTION_TABLE_DECIMALS,
    SLOPE_TABLE_DECIMALS,
    category_label,
    format_interval,
    format_p,
    group_label,
    left_out_text,
    outcome_label,
    verdict_label,
    wave_label,
)
from outcomes.reports.matthew_text import matthew_explanation
from outcomes.reports.project_text import methods_text, project_summary
from outcomes.reports.reliable_change_content import reliable_change_section
from outcomes.reports.tipping_point_text import tipping_point_paragraphs
from outcomes.validation.messages import rule_label


def _mean_ci(row: Mapping[str, Any], shown: Mapping[str, str], lang: str, decimals: int = 1) -> str:
    if row.get("mean") is None:
        return shown.get("mean", "–")
    interval = ""
    if row.get("ci_low") is not None and row.get("ci_high") is not None:
        interval = (
            f" ({format_number(row['ci_low'], decimals, lang)}–"
            f"{format_number(row['ci_high'], decimals, lang)})"
        )
    return format_number(row["mean"], decimals, lang) + interval


def _wave_names(tables: ReportTables, lang: str) -> dict[int, str]:
    return {w.wave: wave_label(w.wave, w.months, lang) for w in tables.waves}


def _participation_block(tables: ReportTables, lang: str) -> dict[str, Any]:
    part = tables.participation
    groups = [*part.groups, "total"]
    names = _wave_names(tables, lang)
    rows = []
    for values, shown in zipped_rows(part):
        cells = [names.get(values["wave"], str(values["wave"]))]
        for group in groups:
            count = shown[group]
            pct = values.get(f"pct_{group}")
            if values["wave"] != tables.waves[0].wave:
                count += f" ({format_percent(pct, 0, lang)})" if pct is not None else ""
            cells.append(count)
        rows.append(cells)
    header = [word("wave", lang)] + [
        word("total", lang) if g == "total" else capitalise(group_label(g, lang)) for g in groups
    ]
    return {
        "kind": "table",
        "header": header,
        "rows": rows,
        "align": ["l"] + ["r"] * len(groups),
        "widths": ["1fr"] + ["auto"] * len(groups),
        "caption": word("tab_participation", lang),
        "note": word("disclosure", lang, t=tables.threshold),
    }


def _composition_block(tables: ReportTables, key: str, lang: str) -> dict[str, Any]:
    table = tables.composition[key]
    rows = []
    for values, shown in zipped_rows(table):
        pct = values.get("pct")
        rows.append(
            [
                category_label(values["category"], lang),
                shown["n"],
                format_percent(pct, 0, lang),
                _mean_ci(values, shown, lang),
            ]
        )
    return {
        "kind": "table",
        "header": [
            word(key, lang),
            word("n", lang),
            capitalise(word("share", lang)),
            f"{word('wellbeing', lang)} ({word('ci', lang)})",
        ],
        "rows": rows,
        "align": ["l", "r", "r", "r"],
        "widths": ["1fr", "auto", "auto", "auto"],
        "caption": word("tab_composition", lang),
        "bold_last": True,
    }


def _means_block(tables: ReportTables, lang: str) -> dict[str, Any]:
    families = [f for f in ("wellbeing", "loneliness", "network") if f in tables.outcomes]
    names = _wave_names(tables, lang)
    per_family = {f: zipped_rows(tables.outcomes[f].overall) for f in families}
    rows = []
    for index, wave in enumerate(tables.waves):
        _, first_shown = per_family[families[0]][index]
        cells = [names[wave.wave], first_shown["n"]]
        for family in families:
            values, shown = per_family[family][index]
            cells.append(_mean_ci(values, shown, lang))
        rows.append(cells)
    header = [word("wave", lang), word("n", lang)] + [
        f"{outcome_label(tables.outcomes[f].column, lang)} ({word('ci', lang)})" for f in families
    ]
    return {
        "kind": "table",
        "header": header,
        "rows": rows,
        "align": ["l", "r"] + ["r"] * len(families),
        "widths": ["1fr", "auto"] + ["auto"] * len(families),
        "caption": word("tab_means", lang),
    }


def _effect_row(
    label: str, effect: ShownEstimate | InteractionTest | None, decimals: int, lang: str
) -> list[str]:
    if effect is None:
        return [label, "–", "–", "–"]
    return [
        label,
        format_number(effect.estimate, decimals, lang),
        format_interval(effect.ci_low, effect.ci_high, decimals, lang),
        format_p(effect.p, lang).removeprefix("p ").removeprefix("= "),
    ]


def _model_block(tables: ReportTables, lang: str) -> dict[str, Any] | None:
    model = tables.model
    if model is None:
        return None
    primary = tables.matthew.primary if tables.matthew is not None else None
    rows = [
        _effect_row(word("slope_row", lang), model.slope, SLOPE_TABLE_DECIMALS, lang),
        _effect_row(
            word("interaction_row", lang),
            model.interaction or primary,
            INTERACTION_TABLE_DECIMALS,
            lang,
        ),
    ]
    note = ""
    if primary is not None and primary.verdict:
        note = f"{capitalise(word('verdict', lang))}: {verdict_label(primary.verdict, lang)}."
    return {
        "kind": "table",
        "header": ["", capitalise(word("estimate", lang)), word("ci", lang), "p"],
        "rows": rows,
        "align": ["l", "r", "r", "r"],
        "widths": ["1fr", "auto", "auto", "auto"],
        "caption": word("tab_model", lang),
        "note": note,
    }


def _quality_blocks(tables: ReportTables, lang: str) -> list[dict[str, Any]]:
    quality = tables.quality
    if quality is None:
        return []
    share = quality.quarantine_share
    received, valid, quarantined = (
        quality.rows_received,
        quality.rows_valid,
        quality.rows_quarantined,
    )
    share_text = "" if share is None else f" ({format_percent(share, 1, lang)})"
    if lang == "nl":
        text = (
            f"De exports bevatten {received} ingevulde vragenlijsten (rijen). Daarvan waren er "
            f"{valid} bruikbaar; {quarantined}{share_text} zijn apart gezet (quarantaine) omdat "
            "ze een controle niet doorstonden. Apart gezette rijen tellen niet mee in de "
            "analyses; de projectorganisatie kan ze nakijken en opnieuw aanleveren."
        )
    else:
        text = (
            f"The exports held {received} completed questionnaires (rows). Of these, {valid} "
            f"were usable; {quarantined}{share_text} were set aside (quarantined) because they "
            "failed a check. Quarantined rows are not part of the analyses; the project can "
            "review and resubmit them."
        )
    blocks: list[dict[str, Any]] = [{"kind": "para", "text": text}]
    rules = quality.rules
    if rules:
        blocks.append(
            {
                "kind": "table",
                "header": [capitalise(word("rule", lang)), capitalise(word("rows", lang))],
                "rows": [[capitalise(rule_label(r.rule, lang)), str(r.count)] for r in rules],
                "align": ["l", "r"],
                "widths": ["1fr", "auto"],
                "caption": word("tab_quality", lang),
            }
        )
    return blocks


def project_content(tables: ReportTables, lang: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Return the localised content (``data.json``) and the figure files of a project report
    from its report tables (``reports/tables/<project>.json``)."""
    lang = check_language(lang)
    files: dict[str, bytes] = {}
    content = document_head(tables, lang, word("report", lang), word("prepared_for", lang))
    sections: list[dict[str, Any]] = [
        {
            "heading": "",
            "blocks": [
                {
                    "kind": "box",
                    "title": word("summary", lang),
                    "paragraphs": project_summary(tables, lang),
                }
            ],
        }
    ]
    who: list[dict[str, Any]] = [_participation_block(tables, lang)]
    for key in ("gender", "site"):
        if key in tables.composition:
            who.append(_composition_block(tables, key, lang))
    sections.append({"heading": word("participants", lang), "blocks": who})
    over_time: list[dict[str, Any]] = []
    if figures.plotted_families(tables):
        files["trajectories.svg"] = figures.trajectory_figure(tables, lang)
        over_time.append(
            figure_block(
                "trajectories.svg",
                word("fig_trajectories", lang, t=tables.threshold),
                word("over_time", lang),
            )
        )
    else:
        over_time.append({"kind": "para", "text": word("too_few", lang, t=tables.threshold)})
    if tables.outcomes:
        over_time.append(_means_block(tables, lang))
    if tables.outcomes or not tables.left_out:
        # a project without any outcome (registration data) has nothing to show over time
        sections.append({"heading": word("over_time", lang), "blocks": over_time})
    matthew_blocks: list[dict[str, Any]] = [
        {"kind": "para", "text": p}
        for p in [
            *matthew_explanation(tables.matthew, lang),
            *left_out_text(tables, lang),
            *tipping_point_paragraphs(tables, lang),
        ]
    ]
    matthew_blocks.extend(simple_slopes_blocks(tables, lang))
    if tables.matthew is not None and tables.matthew.subgroups is not None:
        files["matthew.svg"] = figures.matthew_figure(tables, lang)
        matthew_blocks.append(
            figure_block("matthew.svg", word("fig_matthew", lang), word("matthew", lang), "70%")
        )
    model_block = _model_block(tables, lang)
    if model_block:
        matthew_blocks.append(model_block)
    sections.append({"heading": word("matthew", lang), "blocks": matthew_blocks})
    change = reliable_change_section(tables, lang, files)
    if change is not None:
        sections.append(change)
    quality = _quality_blocks(tables, lang)
    if quality:
        sections.append({"heading": word("quality", lang), "blocks": quality})
    methods = methods_text(tables, lang)
    limits_start = len(methods) - 4
    sections.append(
        {
            "heading": word("methods", lang),
            "blocks": [{"kind": "para", "text": p} for p in methods[:limits_start]]
            + [{"kind": "list", "items": methods[limits_start:]}],
        }
    )
    citations = [i.citation for i in tables.instruments]
    if citations:
        sections[-1]["blocks"].append({"kind": "sources", "title": word("sources", lang),
                                       "items": citations})  # fmt: skip
    sections.append(
        {"heading": word("provenance", lang), "blocks": provenance_blocks(tables, lang)}
    )
    content["sections"] = sections
    return content, files
