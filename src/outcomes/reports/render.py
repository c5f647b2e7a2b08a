"""Render funder reports to PDF/A-2b with typst: a project report and the synthesis.

Belongs here: turning :class:`ReportTables` into the localised content of ``data.json`` (sections
of paragraphs, tables and figures; every string from ``text.py``), compiling the repository's
template ``templates/report.typ`` with the typst package (no online packages, only the fonts
embedded in typst), and writing the PDF atomically. The document date and the PDF timestamp come
from the data (``report_timestamp``), so identical inputs give byte-identical PDFs.
Does not belong here: what may be shown (``disclosure.py``/``tables.py``) or wording (``text.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import typst

from outcomes.atomic import write_bytes
from outcomes.language import (
    check_language,
    format_date,
    format_number,
    format_percent,
    word,
)
from outcomes.reports import figures
from outcomes.reports.tables import ReportTables
from outcomes.reports.text import (
    INTERACTION_TABLE_DECIMALS,
    SLOPE_TABLE_DECIMALS,
    category_label,
    format_interval,
    format_p,
    group_label,
    heterogeneity_text,
    matthew_explanation,
    matthew_method_text,
    matthew_verdict_sentence,
    methods_text,
    network_size_value,
    outcome_label,
    percentile_label,
    pooled_decimals,
    pooled_kind,
    pooled_method_items,
    project_summary,
    simple_slopes_note,
    structure_note_sentence,
    synthesis_summary,
    verdict_counts_text,
    verdict_label,
    verdict_short,
    wave_label,
)
from outcomes.validation.messages import rule_label

TEMPLATE = "report.typ"
PDF_STANDARD: Literal["a-2b"] = "a-2b"


class RenderError(RuntimeError):
    """Typst could not compile a report; the message carries typst's diagnostic."""


@dataclass(frozen=True)
class ReportInfo:
    """A rendered report: where it was written and how many pages it has."""

    path: Path
    pages: int
    #: the report's figures (SVG) written beside it, for the Dagster UI and analysts
    figures: tuple[Path, ...] = ()


def _as_dict(tables: ReportTables | Mapping[str, Any]) -> dict[str, Any]:
    return tables.to_dict() if isinstance(tables, ReportTables) else dict(tables)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cell(display: str, value: Any, decimals: int, lang: str) -> str:
    """Return a protected cell in the report language: hidden markers pass through."""
    if value is None:
        return display
    if isinstance(value, int | float):
        return format_number(float(value), decimals, lang)
    return display


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


def _zipped(table: Mapping[str, Any]) -> list[tuple[dict[str, Any], dict[str, str]]]:
    columns = table["columns"]
    return [
        (dict(zip(columns, values, strict=True)), dict(zip(columns, shown, strict=True)))
        for values, shown in zip(table["values"], table["display"], strict=True)
    ]


def _wave_names(data: Mapping[str, Any], lang: str) -> dict[int, str]:
    return {w["wave"]: wave_label(w["wave"], w["months"], lang) for w in data["waves"]}


def _participation_block(data: Mapping[str, Any], lang: str) -> dict[str, Any]:
    part = data["participation"]
    groups = [*part["groups"], "total"]
    names = _wave_names(data, lang)
    rows = []
    for values, shown in _zipped(part):
        cells = [names.get(values["wave"], str(values["wave"]))]
        for group in groups:
            count = shown[group]
            pct = values.get(f"pct_{group}")
            if values["wave"] != data["waves"][0]["wave"]:
                count += f" ({format_percent(pct, 0, lang)})" if pct is not None else ""
            cells.append(count)
        rows.append(cells)
    header = [word("wave", lang)] + [
        word("total", lang) if g == "total" else _cap(group_label(g, lang)) for g in groups
    ]
    return {
        "kind": "table",
        "header": header,
        "rows": rows,
        "align": ["l"] + ["r"] * len(groups),
        "widths": ["1fr"] + ["auto"] * len(groups),
        "caption": word("tab_participation", lang),
        "note": word("disclosure", lang, t=data["threshold"]),
    }


def _composition_block(data: Mapping[str, Any], key: str, lang: str) -> dict[str, Any]:
    table = data["composition"][key]
    rows = []
    for values, shown in _zipped(table):
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
            _cap(word("share", lang)),
            f"{word('wellbeing', lang)} ({word('ci', lang)})",
        ],
        "rows": rows,
        "align": ["l", "r", "r", "r"],
        "widths": ["1fr", "auto", "auto", "auto"],
        "caption": word("tab_composition", lang),
        "bold_last": True,
    }


def _means_block(data: Mapping[str, Any], lang: str) -> dict[str, Any]:
    families = [f for f in ("wellbeing", "loneliness", "network") if f in data["outcomes"]]
    names = _wave_names(data, lang)
    per_family = {f: _zipped(data["outcomes"][f]["overall"]) for f in families}
    rows = []
    for index, wave in enumerate(data["waves"]):
        _, first_shown = per_family[families[0]][index]
        cells = [names[wave["wave"]], first_shown["n"]]
        for family in families:
            values, shown = per_family[family][index]
            cells.append(_mean_ci(values, shown, lang))
        rows.append(cells)
    header = [word("wave", lang), word("n", lang)] + [
        f"{outcome_label(data['outcomes'][f]['column'], lang)} ({word('ci', lang)})"
        for f in families
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
    label: str, effect: Mapping[str, Any] | None, decimals: int, lang: str
) -> list[str]:
    if not effect:
        return [label, "–", "–", "–"]
    return [
        label,
        format_number(effect.get("estimate"), decimals, lang),
        format_interval(effect.get("ci_low"), effect.get("ci_high"), decimals, lang),
        format_p(effect.get("p"), lang).removeprefix("p ").removeprefix("= "),
    ]


def _model_block(data: Mapping[str, Any], lang: str) -> dict[str, Any] | None:
    model = data.get("model") or {}
    if not model:
        return None
    primary = (data.get("matthew") or {}).get("primary") or {}
    rows = [
        _effect_row(word("slope_row", lang), model.get("slope"), SLOPE_TABLE_DECIMALS, lang),
        _effect_row(
            word("interaction_row", lang),
            model.get("interaction") or primary,
            INTERACTION_TABLE_DECIMALS,
            lang,
        ),
    ]
    note = ""
    if primary.get("verdict"):
        note = f"{_cap(word('verdict', lang))}: {verdict_label(primary['verdict'], lang)}."
    return {
        "kind": "table",
        "header": ["", _cap(word("estimate", lang)), word("ci", lang), "p"],
        "rows": rows,
        "align": ["l", "r", "r", "r"],
        "widths": ["1fr", "auto", "auto", "auto"],
        "caption": word("tab_model", lang),
        "note": note,
    }


def _quality_blocks(data: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    quality = data.get("quality") or {}
    if not quality:
        return []
    share = quality.get("quarantine_share")
    received, valid, quarantined = (
        quality.get("rows_received"),
        quality.get("rows_valid"),
        quality.get("rows_quarantined"),
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
    rules = quality.get("rules") or []
    if rules:
        blocks.append(
            {
                "kind": "table",
                "header": [_cap(word("rule", lang)), _cap(word("rows", lang))],
                "rows": [[_cap(rule_label(r["rule"], lang)), str(r["count"])] for r in rules],
                "align": ["l", "r"],
                "widths": ["1fr", "auto"],
                "caption": word("tab_quality", lang),
            }
        )
    return blocks


def _provenance_blocks(data: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
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
                "header": [_cap(word("file", lang)), word("sha256", lang)],
                "rows": [[f["file"], f["sha256"] or "–"] for f in files],
            }
        )
    return blocks


def _figure(name: str, caption: str, alt: str, width: str = "100%") -> dict[str, Any]:
    return {"kind": "figure", "file": name, "caption": caption, "alt": alt, "width": width}


def _common(data: Mapping[str, Any], lang: str, subtitle: str, kicker: str) -> dict[str, Any]:
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


def project_content(
    tables: ReportTables | Mapping[str, Any], lang: str
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Return the localised content (``data.json``) and the figure files of a project report."""
    lang = check_language(lang)
    data = _as_dict(tables)
    files: dict[str, bytes] = {}
    content = _common(data, lang, word("report", lang), word("prepared_for", lang))
    sections: list[dict[str, Any]] = [
        {
            "heading": "",
            "blocks": [
                {
                    "kind": "box",
                    "title": word("summary", lang),
                    "paragraphs": project_summary(data, lang),
                }
            ],
        }
    ]
    who: list[dict[str, Any]] = [_participation_block(data, lang)]
    for key in ("gender", "site"):
        if key in (data.get("composition") or {}):
            who.append(_composition_block(data, key, lang))
    sections.append({"heading": word("participants", lang), "blocks": who})
    over_time: list[dict[str, Any]] = []
    if figures.plotted_families(data):
        files["trajectories.svg"] = figures.trajectory_figure(data, lang)
        over_time.append(
            _figure(
                "trajectories.svg",
                word("fig_trajectories", lang, t=data["threshold"]),
                word("over_time", lang),
            )
        )
    else:
        over_time.append({"kind": "para", "text": word("too_few", lang, t=data["threshold"])})
    if data.get("outcomes"):
        over_time.append(_means_block(data, lang))
    sections.append({"heading": word("over_time", lang), "blocks": over_time})
    matthew_blocks: list[dict[str, Any]] = [
        {"kind": "para", "text": p} for p in matthew_explanation(data, lang)
    ]
    matthew_blocks.extend(_simple_slopes_blocks(data, lang))
    if (data.get("matthew") or {}).get("subgroups"):
        files["matthew.svg"] = figures.matthew_figure(data, lang)
        matthew_blocks.append(
            _figure("matthew.svg", word("fig_matthew", lang), word("matthew", lang), "70%")
        )
    model_block = _model_block(data, lang)
    if model_block:
        matthew_blocks.append(model_block)
    sections.append({"heading": word("matthew", lang), "blocks": matthew_blocks})
    quality = _quality_blocks(data, lang)
    if quality:
        sections.append({"heading": word("quality", lang), "blocks": quality})
    methods = methods_text(data, lang)
    limits_start = len(methods) - 4
    sections.append(
        {
            "heading": word("methods", lang),
            "blocks": [{"kind": "para", "text": p} for p in methods[:limits_start]]
            + [{"kind": "list", "items": methods[limits_start:]}],
        }
    )
    citations = [i["citation"] for i in data.get("instruments") or []]
    if citations:
        sections[-1]["blocks"].append({"kind": "sources", "title": word("sources", lang),
                                       "items": citations})  # fmt: skip
    sections.append({"heading": word("provenance", lang), "blocks": _provenance_blocks(data, lang)})
    content["sections"] = sections
    return content, files


def _projects_block(data: Mapping[str, Any], lang: str) -> dict[str, Any]:
    rows = []
    for values, shown in _zipped(data["projects"]):
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
            _cap(word("project", lang)),
            f"n\n{word('start_col', lang)}",
            f"n\n{word('last_col', lang)}",
            _cap(word("wellbeing_start", lang)).replace(" ", "\n", 1),
            _cap(word("wellbeing_last", lang)).replace(" ", "\n", 1),
            f"{_cap(word('slope', lang))}\n({word('ci', lang)})",
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
                _cap(name),
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
            _cap(word("project", lang)),
            _cap(word("outcome", lang)),
            _cap(word("estimate", lang)),
            word("ci", lang),
            "p",
            _cap(word("verdict", lang)),
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
        return _cap(verdict_short(entry.get("verdict"), lang))
    label = _cap(verdict_short("exploratory", lang))
    if entry.get("p_holm") is None:
        return label
    return f"{label} (Holm {format_p(entry.get('p_holm'), lang).removeprefix('p ')})"


def _simple_slopes_blocks(data: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
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
            _cap(word("network_at_start", lang)),
            _cap(word("percentile", lang)),
            _cap(word("slope", lang)),
            word("ci", lang),
        ],
        "rows": rows,
        "align": ["l", "l", "r", "r"],
        "widths": ["1fr", "auto", "auto", "auto"],
        "caption": word("tab_simple_slopes", lang),
        "note": simple_slopes_note(matthew.get("primary") or {}, lang),
    }
    return [table]


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
        *_simple_slopes_blocks(data, lang),
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
    data = _as_dict(tables)
    files: dict[str, bytes] = {}
    content = _common(data, lang, word("synthesis", lang), word("prepared_for", lang))
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
        values["project"]: values["name"] for values, _ in _zipped(data["projects"])
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
                    _figure(
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
    sections.append({"heading": word("provenance", lang), "blocks": _provenance_blocks(data, lang)})
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
            _cap(word("all_projects", lang)),
            format_number(pooled.get("estimate"), decimals, lang),
            format_interval(pooled.get("ci_low"), pooled.get("ci_high"), decimals, lang),
            "100%",
        ]
    )
    return {
        "kind": "table",
        "header": [
            _cap(word("project", lang)),
            _cap(word("estimate", lang)),
            word("ci", lang),
            _cap(word("weight", lang)),
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


_PAGE_COUNT = re.compile(
    rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b"
)


def count_pages(pdf: bytes) -> int:
    """Return the page count of a PDF written by typst (the root page tree's ``/Count``)."""
    counts = [int(a or b) for a, b in _PAGE_COUNT.findall(pdf)]
    if counts:
        return max(counts)
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def compile_report(content: Mapping[str, Any], files: Mapping[str, bytes], timestamp: str) -> bytes:
    """Return the PDF/A-2b bytes of ``content`` laid out by ``templates/report.typ``.

    The compile root is a fresh temporary directory holding the template, ``data.json`` and
    the figures; only typst's embedded fonts are used; the PDF timestamp is ``timestamp``.
    """
    with tempfile.TemporaryDirectory(prefix="outcomes-report-") as directory:
        root = Path(directory)
        template = resources.files("outcomes.reports").joinpath("templates", TEMPLATE)
        with resources.as_file(template) as source:
            shutil.copyfile(source, root / TEMPLATE)
        (root / "data.json").write_text(
            json.dumps(content, ensure_ascii=False, sort_keys=True, indent=1), encoding="utf-8"
        )
        for name, data in files.items():
            (root / name).write_bytes(data)
        stamp = dt.datetime.fromisoformat(timestamp)
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        try:
            pdf = typst.compile(
                str(root / TEMPLATE),
                root=str(root),
                format="pdf",
                sys_inputs={"data": "data.json"},
                pdf_standards=PDF_STANDARD,
                timestamp=int(stamp.timestamp()),
                ignore_system_fonts=True,
            )
        except typst.TypstError as error:  # pragma: no cover - template errors are bugs
            raise RenderError(f"typst could not compile the report: {error}") from error
    assert isinstance(pdf, bytes)
    return pdf


def _render(
    content: dict[str, Any], files: dict[str, bytes], timestamp: str, out_path: Path
) -> ReportInfo:
    pdf = compile_report(content, files, timestamp)
    path = write_bytes(out_path, pdf)
    # figures/<report name>/<figure>.svg, e.g. reports/figures/netwerkcoach.nl/matthew.svg
    figure_dir = out_path.parent / "figures" / out_path.stem
    figures = tuple(
        Path(write_bytes(figure_dir / name, data))
        for name, data in sorted(files.items())
        if name.endswith(".svg")
    )
    return ReportInfo(path=Path(path), pages=count_pages(pdf), figures=figures)


def render_project_report(
    tables: ReportTables | Mapping[str, Any], out_path: Path, lang: str = "nl"
) -> ReportInfo:
    """Render one project's funder report (``reports/<project>.<lang>.pdf``) and return its
    path and page count. Dutch by default, English with ``lang="en"``."""
    data = _as_dict(tables)
    content, files = project_content(data, lang)
    return _render(content, files, data["report_timestamp"], Path(out_path))


def render_synthesis_report(
    tables: ReportTables | Mapping[str, Any], out_path: Path, lang: str = "nl"
) -> ReportInfo:
    """Render the synthesis across projects (``reports/synthesis.<lang>.pdf``) and return its
    path and page count."""
    data = _as_dict(tables)
    content, files = synthesis_content(data, lang)
    return _render(content, files, data["report_timestamp"], Path(out_path))
