"""The paragraphs of a project report, in Dutch (default) and English, written from its tables.

Belongs here: the plain-language summary (participation at the start and the last wave,
wellbeing, the yearly change, the Matthew verdict, the control group from the design) and the
methods and limitations paragraphs (design, questionnaires, model, regression to the mean,
attrition, self-report, measurement error in network size), every number taken from
:class:`~outcomes.documents.ReportTables` so that none is typed by hand; hidden counts stay
hidden. Sentences built around numbers stay here, per language (docs/architecture.md,
"Languages and words").
Does not belong here: labels and number formatting (``labels.py``), the Matthew sentences
(``matthew_text.py``), the synthesis (``synthesis_text.py``), layout (``project_content.py``).
"""

from __future__ import annotations

from outcomes.documents import ReportTables
from outcomes.documents.report_tables import Wave
from outcomes.language import check_language, format_number, format_percent, word
from outcomes.reports.design_text import (
    control_group_limit,
    control_group_sentence,
    intervention_effect_sentence,
    measurement_error_sentence,
    uncertainty_explanation,
)
from outcomes.reports.labels import (
    SLOPE_TEXT_DECIMALS,
    format_interval,
    join_names,
    left_out_text,
    points,
    protected_count,
    wave_label,
)
from outcomes.reports.matthew_text import matthew_method_text, matthew_verdict_sentence


def _last_wave(tables: ReportTables) -> Wave | None:
    waves = tables.waves
    return waves[-1] if len(waves) > 1 else None


def _number(value: str | float | None) -> float | None:
    """Return a protected table's cell value as a number (None where hidden or not a number)."""
    return value if isinstance(value, int | float) else None


def _participation_total(tables: ReportTables, row: int) -> tuple[str, float | None]:
    part = tables.participation
    column = part.columns.index("total")
    pct = part.columns.index("pct_total")
    return part.display[row][column], _number(part.values[row][pct])


def _outcome_means(tables: ReportTables, family: str) -> list[float | None]:
    outcome = tables.outcomes.get(family)
    if outcome is None:
        return []
    overall = outcome.overall
    index = overall.columns.index("mean")
    return [_number(row[index]) for row in overall.values]


def project_summary(tables: ReportTables, lang: str) -> list[str]:
    """Return the plain-language summary of a project report, one string per paragraph.

    Every number comes from ``tables`` (``reports/tables/<project>.json``); hidden counts stay
    hidden (``"minder dan 10"``) and withheld means are not mentioned.
    """
    lang = check_language(lang)
    name = tables.project_name
    paragraphs: list[str] = []
    start_n, _ = _participation_total(tables, 0)
    last = _last_wave(tables)
    if lang == "nl":
        text = (
            f"Bij de start van {name} vulden {protected_count(start_n, lang)} deelnemers de "
            "vragenlijst in."
        )
    else:
        text = (
            f"At the start of {name}, {protected_count(start_n, lang)} participants completed the "
            "questionnaire."
        )
    if last is not None:
        last_n, pct = _participation_total(tables, len(tables.waves) - 1)
        when = word("after_months", lang, m=last.months) if last.months is not None else ""
        pct_text = "" if pct is None else f" ({format_percent(pct, 0, lang)})"
        if lang == "nl":
            text += (
                f" Bij de laatste meting, {when}, deden er nog {protected_count(last_n, lang)} "
                f"mee{pct_text}."
            )
        else:
            text += (
                f" At the last wave, {when}, {protected_count(last_n, lang)} were still taking "
                f"part{pct_text}."
            )
    paragraphs.append(text)

    means = _outcome_means(tables, "wellbeing")
    slope = tables.model.slope if tables.model is not None else None
    sentences = []
    if len(means) > 1 and means[0] is not None and means[-1] is not None:
        first, final = format_number(means[0], 1, lang), format_number(means[-1], 1, lang)
        if lang == "nl":
            sentences.append(
                f"Het welbevinden (0–100, hoger is beter) was bij de start gemiddeld {first} "
                f"en bij de laatste meting {final}."
            )
        else:
            sentences.append(
                f"Wellbeing (0–100, higher is better) averaged {first} at the start and {final} "
                "at the last wave."
            )
    if slope is not None and slope.estimate is not None:
        est = slope.estimate
        size = points(abs(est), SLOPE_TEXT_DECIMALS, lang)
        interval = format_interval(slope.ci_low, slope.ci_high, SLOPE_TEXT_DECIMALS, lang)
        low, high = slope.ci_low, slope.ci_high
        crosses = low is not None and high is not None and low <= 0 <= high
        if lang == "nl":
            direction = "steeg" if est > 0 else "daalde"
            sentences.append(
                f"Volgens het statistische model, dat alle metingen van alle deelnemers "
                f"gebruikt, {direction} het welbevinden met gemiddeld {size} per jaar "
                f"(95%-betrouwbaarheidsinterval {interval})."
            )
            if crosses:
                sentences.append("Die verandering is zo klein dat ze ook op toeval kan berusten.")
        else:
            direction = "rose" if est > 0 else "fell"
            sentences.append(
                f"According to the statistical model, which uses every assessment of every "
                f"participant, wellbeing {direction} by {size} per year on average "
                f"(95% confidence interval {interval})."
            )
            if crosses:
                sentences.append("This change is small enough to be due to chance.")
    if sentences:
        paragraphs.append(" ".join(sentences))
    paragraphs.extend(left_out_text(tables, lang))
    matthew = matthew_verdict_sentence(
        tables.matthew.primary if tables.matthew is not None else None, lang
    )
    if matthew:
        paragraphs.append(matthew)
    primary = tables.matthew.primary if tables.matthew is not None else None
    design = " ".join(
        s for s in (control_group_sentence(tables, lang),
                    intervention_effect_sentence(primary, lang)) if s
    )  # fmt: skip
    if design:
        paragraphs.append(design)
    if slope is not None or matthew:
        paragraphs.append(uncertainty_explanation(lang))
    return paragraphs


def methods_text(tables: ReportTables, lang: str) -> list[str]:
    """Return the methods and limitations paragraphs (design, model, no control group,
    regression to the mean, attrition), with the numbers of this report filled in."""
    lang = check_language(lang)
    model = tables.model
    waves = tables.waves
    labels = [wave_label(w.wave, w.months, lang) for w in waves]
    attrition = None
    if len(waves) > 1:
        _, pct = _participation_total(tables, len(waves) - 1)
        attrition = None if pct is None else 100.0 - pct
    paragraphs = []
    instruments = tables.instruments
    names = [i.name_nl if lang == "nl" else i.name_en for i in instruments]
    primary = next((i for i in instruments if i.primary), None)
    if lang == "nl":
        paragraphs.append(
            f"Deelnemers vulden vragenlijsten in op de metingen {', '.join(labels)}. "
            + (
                f"Gebruikte vragenlijsten: {join_names(names, lang)}. "
                if names
                else ""
                if tables.left_out
                else "Welbevinden, eenzaamheid en netwerkgrootte zijn gemeten met gevalideerde "
                "vragenlijsten. "
            )
            + (
                f"Welbevinden is de score op de {primary.name_nl}, omgerekend naar 0–100. "
                if primary
                else ""
            )
            + "Deelnemers zijn ingedeeld in een klein, middelgroot of groot netwerk naar het "
            "aantal mensen in hun netwerk bij de start."
        )
        if model is not None:
            paragraphs.append(
                f"De verandering per jaar is geschat met een lineair gemengd model (REML) op "
                f"{model.n_observations} metingen van {model.n_participants} deelnemers. Het "
                "model gebruikt ook deelnemers die niet alle metingen invulden. Het "
                "Mattheuseffect is de samenhang tussen de netwerkgrootte bij de start en de "
                "verandering per jaar."
            )
        limits = [
            control_group_limit(tables, lang),
            "Regressie naar het gemiddelde: wie zich bij de start erg slecht voelde, scoort bij "
            "een volgende meting vaak vanzelf wat beter.",
        ]
        if attrition is not None:
            limits.append(
                f"Uitval: {format_percent(attrition, 0, lang)} van de startgroep deed bij de "
                "laatste meting niet meer mee. Als vooral mensen bij wie het minder goed ging "
                "afhaakten, is het beeld te rooskleurig."
            )
        else:
            limits.append(
                "Uitval: deelnemers die afhaakten kunnen anders zijn dan wie bleef meedoen."
            )
        limits.append("Zelfrapportage: alle uitkomsten zijn door deelnemers zelf ingevuld.")
    else:
        paragraphs.append(
            f"Participants completed questionnaires at the waves {', '.join(labels)}. "
            + (
                f"Questionnaires used: {join_names(names, lang)}. "
                if names
                else ""
                if tables.left_out
                else "Wellbeing, loneliness and network size were measured with validated "
                "questionnaires. "
            )
            + (
                f"Wellbeing is the score on the {primary.name_en}, rescaled to 0–100. "
                if primary
                else ""
            )
            + "Participants are grouped into a small, medium or large network by the number of "
            "people in their network at the start."
        )
        if model is not None:
            paragraphs.append(
                f"The change per year was estimated with a linear mixed model (REML) on "
                f"{model.n_observations} assessments of {model.n_participants} participants. "
                "The model also uses participants who missed assessments. The Matthew effect "
                "is the association between network size at the start and the change per year."
            )
        limits = [
            control_group_limit(tables, lang),
            "Regression to the mean: people who felt very bad at the start often score somewhat "
            "better at the next assessment anyway.",
        ]
        if attrition is not None:
            limits.append(
                f"Attrition: {format_percent(attrition, 0, lang)} of the starting group no "
                "longer took part at the last wave. If mainly people who fared worse dropped "
                "out, the picture is too rosy."
            )
        else:
            limits.append("Attrition: people who dropped out may differ from those who stayed.")
        limits.append("Self-report: all outcomes were reported by participants themselves.")
    method = matthew_method_text(tables.matthew, lang)
    if method:
        paragraphs.append(method)
    tested = tables.matthew.primary if tables.matthew is not None else None
    if tested is not None:
        limits.append(measurement_error_sentence(tested, lang))
    return [*paragraphs, *(limit for limit in limits if limit)]
