"""The synthesis report's words on the pooling metric and on yearly change by intervention type,
in Dutch (default) and English (docs/architecture.md, "Pooling across projects", "Languages and
words").

Belongs here: the sentence saying which metric the yearly change is pooled on (one instrument's
points, or the standardised change in baseline SDs) and that M1 and the Matthew check keep
wellbeing on 0–100; the sentence on the synthesis by intervention type (the meta-regression's F
test and R², or why the table is descriptive); the table per type (projects, yearly change, 95%
interval). The type labels come from ``outcomes.catalog.vocabulary.INTERVENTION_TYPE_LABELS``.
Does not belong here: the analysis (``outcomes.models.type_synthesis``), layout
(``synthesis_content.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outcomes.catalog.vocabulary import INTERVENTION_TYPE_LABELS
from outcomes.documents import PooledDocument, ReportTables, TypeSynthesis
from outcomes.language import check_language, format_number, format_percent
from outcomes.reports.labels import SLOPE_TABLE_DECIMALS, format_interval, format_p

#: ``metric`` of a pooling on standardised effects (``outcomes.models.pooling_metric``)
STANDARDISED = "standardised"
#: decimals of a standardised change (baseline SDs per year)
STANDARDISED_DECIMALS = 2


def type_label(kind: str, lang: str) -> str:
    """Return the Dutch or English label of an intervention type (the vocabulary's)."""
    return INTERVENTION_TYPE_LABELS[kind][check_language(lang)]


def _instrument_name(key: str, lang: str) -> str:
    from outcomes.instruments import get_instrument

    found = get_instrument(key)
    return (found.name_nl or found.name) if lang == "nl" else found.name


def metric_sentence(metric: str | None, lang: str) -> str:
    """Return the sentence that says on which metric the yearly change is pooled; empty when
    the pooled document names none."""
    lang = check_language(lang)
    if metric is None:
        return ""
    if metric == STANDARDISED:
        if lang == "nl":
            return (
                "De projecten meten welzijn met verschillende vragenlijsten. Een punt op de ene "
                "lijst is niet hetzelfde als een punt op de andere. Daarom is de verandering per "
                "jaar samengenomen in standaarddeviaties bij de start (de gewone spreiding van "
                "de scores): 0,2 betekent dat de score per jaar een vijfde van die spreiding "
                "beter wordt."
            )
        return (
            "The projects measure wellbeing with different questionnaires, and a point on one "
            "is not a point on another. So the yearly change is combined in standard deviations "
            "at the start (the usual spread of the scores): 0.2 means the score improves by one "
            "fifth of that spread per year."
        )
    name = _instrument_name(metric, lang)
    if lang == "nl":
        return (
            f"Alle projecten meten welzijn met dezelfde vragenlijst: de {name}. Daarom is de "
            "verandering per jaar samengenomen in punten van die vragenlijst."
        )
    return (
        f"All projects measure wellbeing with the same questionnaire, the {name}. So the yearly "
        "change is combined in points of that questionnaire."
    )


def metric_method_item(metric: str | None, lang: str) -> str:
    """Return the methods item: M1 and the Matthew check use wellbeing on 0–100; only pooling
    across projects uses the pooling metric. Empty when the pooled document names none."""
    lang = check_language(lang)
    if metric is None:
        return ""
    if lang == "nl":
        used = (
            "de verandering in standaarddeviaties bij de start van elk project"
            if metric == STANDARDISED
            else f"punten van de {_instrument_name(metric, lang)}"
        )
        return (
            "Het hoofdmodel (M1) en de Mattheuscheck gebruiken welzijn op een schaal van 0 tot "
            f"100. Het samennemen over projecten gebruikt {used}: projecten met verschillende "
            "vragenlijsten worden nooit op die 0–100-schaal gemiddeld."
        )
    used = (
        "the change in standard deviations at each project's start"
        if metric == STANDARDISED
        else f"points of the {_instrument_name(metric, lang)}"
    )
    return (
        "The main model (M1) and the Matthew check use wellbeing on a 0–100 scale. Pooling "
        f"across projects uses {used}: projects on different questionnaires are never averaged "
        "on that 0–100 scale."
    )


def _decimals(synthesis: TypeSynthesis) -> int:
    return STANDARDISED_DECIMALS if synthesis.metric == STANDARDISED else SLOPE_TABLE_DECIMALS


def type_sentence(synthesis: TypeSynthesis, lang: str) -> str:
    """Return the synthesis by intervention type in words: the meta-regression's F test and R²,
    or that too few types have two projects for a test and the table only describes."""
    lang = check_language(lang)
    regression = synthesis.meta_regression
    if regression is None:
        if lang == "nl":
            return (
                "Verschilt de verandering per soort aanpak? Om dat te toetsen zijn minstens twee "
                "soorten aanpak met elk twee of meer projecten nodig. Die zijn er niet. De tabel "
                "beschrijft daarom alleen de verandering per jaar per soort aanpak, zonder toets."
            )
        return (
            "Does the change differ by type of intervention? A test needs at least two types "
            "with two or more projects each, and there are not enough. The table therefore only "
            "describes the yearly change per type, without a test."
        )
    f = format_number(regression.f, 2, lang)
    p = format_p(regression.f_p, lang)
    r2 = None if regression.r2 is None else format_percent(regression.r2, 0, lang)
    if lang == "nl":
        text = (
            "Verschilt de verandering per soort aanpak? Dat is getoetst met een meta-regressie: "
            "een berekening die nagaat of de verschillen tussen projecten samenhangen met de "
            f"soort aanpak. Uitkomst: F({regression.f_df1}; {regression.f_df2}) = {f}, {p}."
        )
        if r2 is not None:
            text += f" De soort aanpak verklaart {r2} van de verschillen tussen projecten."
        return text
    text = (
        "Does the change differ by type of intervention? This was tested with a "
        "meta-regression: a calculation that checks whether the differences between projects "
        f"go with the type of intervention. Result: F({regression.f_df1}, {regression.f_df2}) = "
        f"{f}, {p}."
    )
    if r2 is not None:
        text += f" The type of intervention accounts for {r2} of the differences between projects."
    return text


def type_table_block(
    synthesis: TypeSynthesis, names: Mapping[str, str], lang: str
) -> dict[str, Any]:
    """Return the table per intervention type: type, projects, yearly change (pooled, or the
    one project's own) and its 95% interval."""
    lang = check_language(lang)
    decimals = _decimals(synthesis)
    rows = []
    for row in synthesis.types:
        projects = ", ".join(names.get(p, p) for p in row.projects)
        rows.append(
            [
                type_label(row.intervention_type, lang).capitalize(),
                projects,
                format_number(row.estimate, decimals, lang),
                format_interval(row.ci_low, row.ci_high, decimals, lang),
            ]
        )
    if lang == "nl":
        header = ["Soort aanpak", "Projecten", "Verandering\nper jaar", "95%-BI"]
        caption = "Verandering per jaar per soort aanpak (Webber & Fendt-Newlin 2017)"
        note = (
            "Bij een soort aanpak met meer projecten is de verandering samengenomen (REML, "
            "Knapp–Hartung); met één project is het de schatting van dat project."
        )
    else:
        header = ["Type of intervention", "Projects", "Change\nper year", "95% CI"]
        caption = "Yearly change by type of intervention (Webber & Fendt-Newlin 2017)"
        note = (
            "For a type with several projects the change is pooled (REML, Knapp–Hartung); with "
            "one project it is that project's estimate."
        )
    return {
        "kind": "table",
        "header": header,
        "rows": rows,
        "align": ["l", "l", "r", "r"],
        "widths": ["auto", "1fr", "auto", "auto"],
        "caption": caption,
        "note": note,
    }


def pooled_metric_tables(pooled: PooledDocument | None) -> dict[str, Any]:
    """Return the synthesis report tables' ``pooled_metric`` and ``intervention_type`` from
    ``pooled.json`` (a :class:`~outcomes.documents.PooledDocument` or None); empty when it has
    neither."""
    if pooled is None:
        return {}
    parts: dict[str, Any] = {}
    if pooled.metric is not None:
        parts["pooled_metric"] = pooled.metric
    if pooled.intervention_type is not None:
        parts["intervention_type"] = pooled.intervention_type.to_json()
    return parts


def type_synthesis_sections(
    tables: ReportTables, names: Mapping[str, str], lang: str
) -> list[dict[str, Any]]:
    """Return the synthesis section on the pooling metric and the yearly change by intervention
    type (the metric sentence, the type sentence, the table per type); none when the report
    tables hold neither."""
    lang = check_language(lang)
    blocks: list[dict[str, Any]] = []
    sentence = metric_sentence(tables.pooled_metric, lang)
    if sentence:
        blocks.append({"kind": "para", "text": sentence})
    if tables.intervention_type is not None:
        blocks.append({"kind": "para", "text": type_sentence(tables.intervention_type, lang)})
        blocks.append(type_table_block(tables.intervention_type, names, lang))
    if not blocks:
        return []
    heading = "Verandering per soort aanpak" if lang == "nl" else "Change by type of intervention"
    return [{"heading": heading, "blocks": blocks}]
