"""The sentences of the reports, in Dutch (default) and English, written from the results.

Belongs here: labels of waves, network groups, outcomes and verdicts, intervals and p-values,
and every sentence of a report, generated from :class:`~outcomes.reports.tables.ReportTables`
so that no number is ever typed by hand. Words and labels come from the language catalogs and
numbers, percentages and dates from the locale formatting of ``outcomes.language``
(docs/architecture.md, "Languages and words"); sentences that are built around numbers stay
here, per language.
Rounding used throughout (the tests rely on it): means and percentages 1 and 0 decimals, the
yearly change ("slope") 1 decimal in sentences and 2 in tables, the Matthew interaction 2 decimals
in sentences and 3 in tables, p-values 3 decimals (``< 0,001`` below that).
Does not belong here: deciding what may be shown (``disclosure.py``) or layout (templates).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from outcomes.language import check_language, format_number, format_percent, has_word, word

SLOPE_TEXT_DECIMALS = 1
SLOPE_TABLE_DECIMALS = 2
INTERACTION_TEXT_DECIMALS = 2
INTERACTION_TABLE_DECIMALS = 3


def format_interval(low: float | None, high: float | None, decimals: int, lang: str) -> str:
    """Return a 95% interval as ``"2,95 tot 4,68"`` (nl) or ``"2.95 to 4.68"`` (en)."""
    return word(
        "interval",
        lang,
        low=format_number(low, decimals, lang),
        high=format_number(high, decimals, lang),
    )


def format_p(p: float | None, lang: str) -> str:
    """Return a p-value as ``"p = 0,002"`` or ``"p < 0,001"``."""
    if p is None or not math.isfinite(p):
        return "p = –"
    if p < 0.001:
        return f"p < {format_number(0.001, 3, lang)}"
    return f"p = {format_number(p, 3, lang)}"


def wave_label(wave: int, months: int | None, lang: str) -> str:
    """Return a wave's label: ``"Start"`` for baseline, else ``"6 mnd"``/``"6 mo"``."""
    if wave == 0:
        return word("start", lang)
    if months is None:
        return f"{word('wave', lang)} {wave}"
    return word("months", lang, m=months)


def group_label(group: str, lang: str) -> str:
    """Return the label of a network group (``small`` → ``klein netwerk``)."""
    return word(f"group_{group}", lang) if has_word(f"group_{group}", lang) else group


def category_label(category: str, lang: str) -> str:
    """Return the label of a composition category (gender words, ``unknown``, ``total``)."""
    if category in ("female", "male", "other", "unknown", "total"):
        label = word(category, lang)
        return label[:1].upper() + label[1:]
    return category


def outcome_label(column: str, lang: str) -> str:
    """Return the short name of an outcome column (``loneliness`` → ``Eenzaamheid``)."""
    return word(column, lang) if has_word(column, lang) else column


def outcome_scale(column: str, lang: str) -> str:
    """Return an outcome with its scale in words, for axis labels and sentences."""
    key = f"{column}_scale"
    return word(key, lang) if has_word(key, lang) else column


def points(value: float | None, decimals: int, lang: str) -> str:
    """Return ``"3,8 punten"``/``"0,29 punt"`` (nl) or ``"3.8 points"``: a value with its unit."""
    text = format_number(value, decimals, lang)
    single = value is not None and abs(round(value, decimals)) <= 1
    return f"{text} {word('point' if single else 'points', lang)}"


def axis_label(column: str, lang: str) -> str:
    """Return the short scale of an outcome for a figure axis (``0–100, hoger is beter``)."""
    key = f"{column}_axis"
    text = word(key, lang) if has_word(key, lang) else column
    return text[:1].upper() + text[1:]


def verdict_short(verdict: str | None, lang: str) -> str:
    """Return the verdict in one or two words, for tables (``"–"`` when there is none)."""
    if verdict is None:
        return "–"
    key = f"short_{verdict}"
    return word(key, lang) if has_word(key, lang) else str(verdict)


def verdict_label(verdict: str | None, lang: str) -> str:
    """Return the verdict in words (``no_evidence`` → ``geen aanwijzing …``; ``"–"`` for none)."""
    if verdict is None:
        return "–"
    key = f"verdict_{verdict}"
    return word(key, lang) if has_word(key, lang) else str(verdict)


def percentile_label(percentile: float | None, lang: str) -> str:
    """Return a percentile as ``"10e"``/``"10th"`` (``"50e (mediaan)"``), or ``"gekozen
    grootte"`` for a simple slope at a size given in the configuration."""
    if percentile is None:
        return word("chosen_size", lang)
    value = round(float(percentile))
    if lang == "nl":
        text = f"{value}e"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
        text = f"{value}{'th' if 10 <= value % 100 <= 20 else suffix}"
    return text + (f" ({word('median', lang)})" if value == 50 else "")


def network_size_value(size: float | None, lang: str) -> str:
    """Return a baseline network size in people: ``"8 personen"``/``"8 people"`` (whole numbers
    without decimals)."""
    if size is None:
        return "–"
    decimals = 0 if float(size).is_integer() else 1
    one = float(size) == 1.0
    unit = word("person" if one else "people", lang)
    return f"{format_number(size, decimals, lang)} {unit}"


def _last_wave(tables: Mapping[str, Any]) -> dict[str, Any] | None:
    waves = tables.get("waves") or []
    return waves[-1] if len(waves) > 1 else None


def _participation_total(tables: Mapping[str, Any], row: int) -> tuple[str, float | None]:
    part = tables["participation"]
    column = part["columns"].index("total")
    pct = part["columns"].index("pct_total")
    return part["display"][row][column], part["values"][row][pct]


def _outcome_means(tables: Mapping[str, Any], family: str) -> list[float | None]:
    outcome = (tables.get("outcomes") or {}).get(family)
    if not outcome:
        return []
    overall = outcome["overall"]
    index = overall["columns"].index("mean")
    return [row[index] for row in overall["values"]]


def _less_than(display: str, lang: str) -> str:
    """Return a protected count for a sentence: ``"<10"`` → ``"minder dan 10"``."""
    if display == "x":
        return word("count_hidden", lang)
    if display.startswith("<"):
        return word("count_below", lang, n=display[1:])
    return display


def project_summary(tables: Mapping[str, Any], lang: str) -> list[str]:
    """Return the plain-language summary of a project report, one string per paragraph.

    Every number comes from ``tables`` (a :meth:`ReportTables.to_dict`); hidden counts stay
    hidden (``"minder dan 10"``) and withheld means are not mentioned.
    """
    lang = check_language(lang)
    name = tables["project_name"]
    paragraphs: list[str] = []
    start_n, _ = _participation_total(tables, 0)
    last = _last_wave(tables)
    if lang == "nl":
        text = (
            f"Bij de start van {name} vulden {_less_than(start_n, lang)} deelnemers de "
            "vragenlijst in."
        )
    else:
        text = (
            f"At the start of {name}, {_less_than(start_n, lang)} participants completed the "
            "questionnaire."
        )
    if last is not None:
        last_n, pct = _participation_total(tables, len(tables["waves"]) - 1)
        when = word("after_months", lang, m=last["months"]) if last["months"] is not None else ""
        pct_text = "" if pct is None else f" ({format_percent(pct, 0, lang)})"
        if lang == "nl":
            text += (
                f" Bij de laatste meting, {when}, deden er nog {_less_than(last_n, lang)} "
                f"mee{pct_text}."
            )
        else:
            text += (
                f" At the last wave, {when}, {_less_than(last_n, lang)} were still taking "
                f"part{pct_text}."
            )
    paragraphs.append(text)

    means = _outcome_means(tables, "wellbeing")
    model = tables.get("model") or {}
    slope = model.get("slope")
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
    if slope and slope.get("estimate") is not None:
        est = slope["estimate"]
        size = points(abs(est), SLOPE_TEXT_DECIMALS, lang)
        interval = format_interval(slope["ci_low"], slope["ci_high"], SLOPE_TEXT_DECIMALS, lang)
        crosses = slope["ci_low"] is not None and slope["ci_low"] <= 0 <= slope["ci_high"]
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
    matthew = matthew_verdict_sentence(tables, lang)
    if matthew:
        paragraphs.append(matthew)
    if lang == "nl":
        paragraphs.append(
            "Er was geen controlegroep. Een verbetering laat dus zien hoe het de deelnemers "
            "verging, maar bewijst niet dat de interventie die verbetering veroorzaakte."
        )
    else:
        paragraphs.append(
            "There was no control group. An improvement shows how participants fared, but does "
            "not prove that the intervention caused it."
        )
    return paragraphs


def matthew_verdict_sentence(tables: Mapping[str, Any], lang: str, *, with_p: bool = False) -> str:
    """Return one sentence stating the Matthew verdict with its interaction and interval
    (and its p-value with ``with_p``)."""
    primary = (tables.get("matthew") or {}).get("primary")
    if not primary:
        return ""
    verdict = primary.get("verdict")
    if primary.get("role") == "exploratory" or verdict is None:
        return exploratory_sentence(primary, lang)
    est = points(abs(primary.get("estimate") or 0.0), INTERACTION_TEXT_DECIMALS, lang)
    # the interval and p of the method the verdict comes from (docs/architecture.md, "Models")
    interval = format_interval(
        primary.get("verdict_ci_low", primary.get("ci_low")),
        primary.get("verdict_ci_high", primary.get("ci_high")),
        INTERACTION_TEXT_DECIMALS,
        lang,
    )
    more = (primary.get("estimate") or 0.0) >= 0
    if with_p:
        interval += f"; {format_p(primary.get('verdict_p', primary.get('p')), lang)}"
    sentence = _verdict_sentence(verdict, est, interval, more, lang)
    if primary.get("evidence") == "borderline":
        sentence += " " + (
            "De controle met de parametrische bootstrap komt niet tot hetzelfde oordeel over "
            "nul: het bewijs is een grensgeval."
            if lang == "nl"
            else "The parametric-bootstrap check does not agree about zero: the evidence is "
            "borderline."
        )
    return sentence


def exploratory_sentence(row: Mapping[str, Any], lang: str) -> str:
    """Return the sentence of an exploratory Matthew test: its estimate, interval, p and
    Holm-adjusted p, without a verdict word (only the declared primary test has one)."""
    est = format_number(row.get("estimate"), INTERACTION_TEXT_DECIMALS, lang)
    interval = format_interval(
        row.get("ci_low"), row.get("ci_high"), INTERACTION_TEXT_DECIMALS, lang
    )
    holm = _holm_clause(row, lang)
    if lang == "nl":
        return (
            f"Verkennend (geen oordeel): per persoon meer in het netwerk bij de start veranderde "
            f"het welbevinden {est} punt per jaar (95%-betrouwbaarheidsinterval {interval}; "
            f"{format_p(row.get('p'), lang)}{holm}). De vooraf vastgelegde toets betreft alle "
            "projecten samen."
        )
    return (
        f"Exploratory (no verdict): per additional network member at the start, wellbeing "
        f"changed {est} points per year (95% confidence interval {interval}; "
        f"{format_p(row.get('p'), lang)}{holm}). The pre-declared test concerns all projects "
        "together."
    )


def _holm_clause(row: Mapping[str, Any], lang: str) -> str:
    """Return ``"; na Holm-correctie voor 53 verkennende toetsen p = 1,000"`` (empty without a
    Holm-adjusted p)."""
    if row.get("p_holm") is None:
        return ""
    n = row.get("family_size")
    holm_p = format_p(row.get("p_holm"), lang)
    if lang == "nl":
        tests = f" voor {n} verkennende toetsen" if n else ""
        return f"; na Holm-correctie{tests} {holm_p}"
    tests = f" for {n} exploratory tests" if n else ""
    return f"; Holm-adjusted{tests} {holm_p}"


def method_words(row: Mapping[str, Any], lang: str) -> str:
    """Return the method of a Matthew test in plain words (``method_<method>`` of the catalog;
    ``method_description`` when the method has no words there)."""
    method = str(row.get("method") or "satterthwaite")
    if has_word(f"method_{method}", lang):
        return word(f"method_{method}", lang)
    return str(row.get("method_description") or method)


def primary_method_text(row: Mapping[str, Any], exploratory_tests: int | None, lang: str) -> str:
    """Return how the Matthew verdict was reached: the declared method in plain words, the
    robustness check and what it gave, and how many exploratory tests were Holm-adjusted.
    For an exploratory row: its method, and that it belongs to the Holm-adjusted family."""
    lang = check_language(lang)
    if row.get("role") == "exploratory" or row.get("verdict") is None:
        return _exploratory_method_text(row, exploratory_tests, lang)
    if lang == "nl":
        declared = f"Het oordeel komt uit de vooraf vastgelegde toets: {method_words(row, lang)}."
    else:
        declared = f"The verdict comes from the pre-declared test: {method_words(row, lang)}."
    parts = [
        declared,
        _robustness_sentence(row, lang),
        _multiplicity_sentence(exploratory_tests, lang),
    ]
    return " ".join(p for p in parts if p)


def _exploratory_method_text(
    row: Mapping[str, Any], exploratory_tests: int | None, lang: str
) -> str:
    n = exploratory_tests or row.get("family_size")
    if lang == "nl":
        family = f"de {n} verkennende toetsen" if n else "de verkennende toetsen"
        return (
            f"Het Mattheuseffect is getoetst met {method_words(row, lang)}. Alleen de vooraf "
            f"vastgelegde toets over alle projecten samen geeft een oordeel; de toetsen in dit "
            f"rapport horen bij {family}, waarvan de p-waarden met Holm zijn gecorrigeerd voor "
            "meervoudig toetsen."
        )
    family = f"the {n} exploratory tests" if n else "the exploratory tests"
    return (
        f"The Matthew effect was tested with {method_words(row, lang)}. Only the pre-declared "
        f"test across all projects gives a verdict; the tests in this report belong to "
        f"{family}, whose p-values are Holm-adjusted for multiple testing."
    )


def _robustness_sentence(row: Mapping[str, Any], lang: str) -> str:
    """Return what the robustness check gave: the parametric bootstrap (interval, p, usable
    replicates), or the Satterthwaite test when the bootstrap is the declared method."""
    decimals = INTERACTION_TEXT_DECIMALS
    replicates = _replicates_phrase(row.get("bootstrap"), lang)
    if row.get("method") == "bootstrap":
        interval = format_interval(row.get("ci_low"), row.get("ci_high"), decimals, lang)
        p = format_p(row.get("p"), lang)
        if lang == "nl":
            used = f" De bootstrap gebruikte {replicates}." if replicates else ""
            return f"Ter controle gaf de Satterthwaite t-toets 95%-BI {interval}, {p}.{used}"
        used = f" The bootstrap used {replicates}." if replicates else ""
        return f"As a check, the Satterthwaite t-test gave 95% CI {interval}, {p}.{used}"
    if row.get("boot_ci_low") is None and row.get("boot_lrt_p") is None:
        return (
            "Er is geen parametrische bootstrap ter controle gedaan."
            if lang == "nl"
            else "No parametric bootstrap was run as a check."
        )
    interval = format_interval(row.get("boot_ci_low"), row.get("boot_ci_high"), decimals, lang)
    p = format_p(row.get("boot_lrt_p"), lang)
    if lang == "nl":
        on = f", op {replicates}" if replicates else ""
        return f"Ter controle gaf een parametrische bootstrap 95%-BI {interval} en {p}{on}."
    on = f", from {replicates}" if replicates else ""
    return f"As a check, a parametric bootstrap gave 95% CI {interval} and {p}{on}."


def _replicates_phrase(bootstrap: Mapping[str, Any] | None, lang: str) -> str:
    """Return the usable bootstrap replicates in words, with failed and non-converged ones only
    when there are any; the interval's and the test's when they differ."""
    if not bootstrap:
        return ""
    interval = _replicate_counts(bootstrap.get("interval"), lang)
    test = _replicate_counts(bootstrap.get("lrt"), lang)
    if not interval or interval == test:
        return test
    if not test:
        return interval
    if lang == "nl":
        return f"{interval} voor het interval en {test} voor de toets"
    return f"{interval} for the interval and {test} for the test"


def _replicate_counts(counts: Mapping[str, Any] | None, lang: str) -> str:
    if not counts or counts.get("used") is None:
        return ""
    dropped = []
    if counts.get("failed"):
        dropped.append(f"{counts['failed']} " + ("mislukte" if lang == "nl" else "failed"))
    if counts.get("not_converged"):
        dropped.append(
            f"{counts['not_converged']} "
            + ("niet-geconvergeerde" if lang == "nl" else "non-converged")
        )
    if lang == "nl":
        left_out = f" ({' en '.join(dropped)} weggelaten)" if dropped else ""
        return f"{counts['used']} bruikbare herhalingen{left_out}"
    left_out = f" ({' and '.join(dropped)} left out)" if dropped else ""
    return f"{counts['used']} usable replicates{left_out}"


def _multiplicity_sentence(exploratory_tests: int | None, lang: str) -> str:
    if not exploratory_tests:
        return ""
    if lang == "nl":
        return (
            f"De {exploratory_tests} andere toetsen (andere uitkomsten, netwerkmaten en "
            "projecten) zijn verkennend: hun p-waarden zijn met Holm gecorrigeerd voor "
            "meervoudig toetsen en ze geven geen oordeel."
        )
    return (
        f"The {exploratory_tests} other tests (other outcomes, network measures and projects) "
        "are exploratory: their p-values are Holm-adjusted for multiple testing and they give "
        "no verdict."
    )


def structure_note_sentence(row: Mapping[str, Any], lang: str) -> str:
    """Return one plain sentence saying the random part of the model was simplified after a
    singular fit (``structure_note`` set), or ``""``."""
    if not row.get("structure_note"):
        return ""
    structure = row.get("random_structure")
    if lang == "nl":
        lead = (
            "Het volledige model was singulier (een variantie van de willekeurige effecten op 0 "
            "of een correlatie van ±1); daarom is het willekeurige deel vereenvoudigd"
        )
        if structure == "uncorrelated":
            return lead + ": zonder samenhang tussen beginniveau en verandering per deelnemer."
        if structure == "intercept":
            return (
                lead + " tot alleen een eigen beginniveau per deelnemer, zonder eigen "
                "verandering per deelnemer; daardoor kan het interval te smal zijn."
            )
        return lead + "."
    lead = (
        "The full model was singular (a random-effect variance at 0 or a correlation of ±1), "
        "so its random part was simplified"
    )
    if structure == "uncorrelated":
        return lead + ": without a correlation between each participant's start and change."
    if structure == "intercept":
        return (
            lead + " to a starting level per participant only, without a change of their own; "
            "the interval may therefore be too narrow."
        )
    return lead + "."


def simple_slopes_note(row: Mapping[str, Any], lang: str) -> str:
    """Return the sentence under the table of yearly changes at fixed network sizes: they are
    model-based (as emmeans' emtrends), the network-group slopes are descriptive."""
    weighted = row.get("project") == "all" or bool(row.get("project_slopes"))
    if lang == "nl":
        weights = ", met projecten gewogen naar aantal deelnemers" if weighted else ""
        return (
            "Deze veranderingen per jaar zijn berekend uit het model bij een vaste netwerkgrootte "
            f"bij de start (zoals emtrends van het R-pakket emmeans{weights}); de veranderingen "
            "per netwerkgroep (klein, middelgroot, groot netwerk) zijn alleen beschrijvend en "
            "geven geen oordeel."
        )
    weights = ", projects weighted by participants" if weighted else ""
    return (
        "These yearly changes are computed from the model at a fixed network size at the start "
        f"(as emtrends of the R package emmeans{weights}); the changes by network group (small, "
        "medium, large network) are descriptive only and give no verdict."
    )


def _verdict_sentence(verdict: Any, est: str, interval: str, more: bool, lang: str) -> str:
    if lang == "nl":
        per = (
            f"per persoon meer in het netwerk bij de start veranderde het welbevinden "
            f"{est} per jaar {'meer' if more else 'minder'} "
            f"(95%-betrouwbaarheidsinterval {interval})"
        )
        if verdict == "matthew":
            return (
                f"Deelnemers die bij de start al een groter netwerk hadden, gingen er meer op "
                f"vooruit: {per}. Dat wijst op een Mattheuseffect."
            )
        if verdict == "reverse":
            return (
                f"Deelnemers met een kleiner netwerk bij de start gingen er juist meer op "
                f"vooruit: {per}. Dat is het omgekeerde van een Mattheuseffect."
            )
        return (
            f"We vonden geen aanwijzing dat de vooruitgang afhing van de grootte van het "
            f"netwerk bij de start: {per}. Dat betekent niet dat zo’n verschil er zeker niet is."
        )
    per = (
        f"per additional network member at the start, wellbeing changed {est} per year "
        f"{'more' if more else 'less'} (95% confidence interval {interval})"
    )
    if verdict == "matthew":
        return (
            f"Participants who already had a larger network at the start gained more: {per}. "
            "This points to a Matthew effect."
        )
    if verdict == "reverse":
        return (
            f"Participants with a smaller network at the start gained more: {per}. This is the "
            "reverse of a Matthew effect."
        )
    return (
        f"We found no evidence that the gain depended on network size at the start: {per}. "
        "This does not mean that such a difference certainly does not exist."
    )


def matthew_explanation(tables: Mapping[str, Any], lang: str) -> list[str]:
    """Return the lay explanation of the Matthew question, its result and what it means."""
    lang = check_language(lang)
    matthew = tables.get("matthew") or {}
    primary = matthew.get("primary") or {}
    paragraphs = []
    if lang == "nl":
        paragraphs.append(
            "Het Mattheuseffect is genoemd naar een bijbeltekst: ‘wie heeft, zal meer gegeven "
            "worden’. Voor deze interventies is de vraag: gaan deelnemers die bij de start al "
            "een groot sociaal netwerk hadden er meer op vooruit dan deelnemers met een klein "
            "netwerk? Dan zou de interventie juist de kwetsbaarste deelnemers het minst helpen. "
            "We toetsen dat door na te gaan of de verandering per jaar samenhangt met het aantal "
            "mensen in het netwerk bij de start."
        )
    else:
        paragraphs.append(
            "The Matthew effect is named after a Bible verse: ‘to everyone who has, more will be "
            "given’. For these interventions the question is: do participants who already had a "
            "large social network at the start gain more than those with a small one? Then the "
            "intervention would help the most vulnerable participants least. We test this by "
            "asking whether the change per year depends on the number of people in the network "
            "at the start."
        )
    sentence = matthew_verdict_sentence(tables, lang, with_p=True)
    if sentence:
        note = structure_note_sentence(primary, lang)
        paragraphs.append(f"{sentence} {note}" if note else sentence)
    subgroup_text = _subgroup_sentence(matthew.get("subgroups"), lang)
    if subgroup_text:
        paragraphs.append(subgroup_text)
    verdict = primary.get("verdict")
    if verdict == "no_evidence":
        mde = primary.get("mde80")
        if lang == "nl":
            text = (
                "Wat ‘geen aanwijzing’ wel en niet betekent: we hebben geen verschil gevonden, "
                "maar daarmee is niet aangetoond dat er geen verschil is. Alle waarden binnen "
                "het betrouwbaarheidsinterval passen bij de gegevens, ook kleine verschillen in "
                "beide richtingen."
            )
            if mde is not None:
                text += (
                    f" Met dit aantal deelnemers vindt het onderzoek een verschil van ongeveer "
                    f"{points(mde, INTERACTION_TEXT_DECIMALS, lang)} per jaar per "
                    f"persoon meer in het netwerk met 80% kans; kleinere verschillen kunnen "
                    f"onopgemerkt blijven."
                )
        else:
            text = (
                "What ‘no evidence’ does and does not mean: we found no difference, but that does "
                "not show that there is none. Every value inside the confidence interval fits "
                "the data, including small differences in either direction."
            )
            if mde is not None:
                text += (
                    f" With this many participants the study detects a difference of about "
                    f"{points(mde, INTERACTION_TEXT_DECIMALS, lang)} per year per "
                    "additional network member with 80% probability; smaller differences may go "
                    "unnoticed."
                )
        paragraphs.append(text)
    elif verdict == "matthew":
        paragraphs.append(
            "Een Mattheuseffect betekent niet dat deelnemers met een klein netwerk achteruit "
            "gingen; het betekent dat zij minder vooruitgingen dan anderen. Het is een reden om "
            "na te gaan wat deze groep extra nodig heeft."
            if lang == "nl"
            else "A Matthew effect does not mean that participants with a small network got "
            "worse; it means they gained less than others. It is a reason to ask what this group "
            "needs in addition."
        )
    elif verdict == "reverse":
        paragraphs.append(
            "Dat kan betekenen dat de interventie vooral mensen met een klein netwerk helpt, "
            "maar ook regressie naar het gemiddelde kan meespelen (zie Methode en beperkingen)."
            if lang == "nl"
            else "This may mean that the intervention mainly helps people with a small network, "
            "but regression to the mean may also play a part (see Methods and limitations)."
        )
    return paragraphs


def _subgroup_sentence(subgroups: Mapping[str, Any] | None, lang: str) -> str:
    if not subgroups:
        return ""
    columns = subgroups["columns"]
    parts = []
    for display, values in zip(subgroups["display"], subgroups["values"], strict=True):
        row = dict(zip(columns, values, strict=True))
        shown = dict(zip(columns, display, strict=True))
        if row["outcome"] != "wellbeing":
            continue
        label = group_label(row["network_group"], lang)
        if row["slope"] is None:
            hidden = _less_than(shown["n_participants"], lang)
            parts.append(
                f"{label}: niet getoond ({hidden} deelnemers)"
                if lang == "nl"
                else f"{label}: not shown ({hidden} participants)"
            )
        else:
            parts.append(
                f"{label} {format_number(row['slope'], SLOPE_TEXT_DECIMALS, lang, signed=True)}"
            )
    if not parts:
        return ""
    if lang == "nl":
        return "Verandering in welbevinden per jaar per groep: " + "; ".join(parts) + "."
    return "Change in wellbeing per year by group: " + "; ".join(parts) + "."


def methods_text(tables: Mapping[str, Any], lang: str) -> list[str]:
    """Return the methods and limitations paragraphs (design, model, no control group,
    regression to the mean, attrition), with the numbers of this report filled in."""
    lang = check_language(lang)
    model = tables.get("model") or {}
    waves = tables.get("waves") or []
    labels = [wave_label(w["wave"], w["months"], lang) for w in waves]
    attrition = None
    if tables.get("participation") and len(waves) > 1:
        _, pct = _participation_total(tables, len(waves) - 1)
        attrition = None if pct is None else 100.0 - pct
    n_obs, n_part = model.get("n_observations"), model.get("n_participants")
    paragraphs = []
    instruments = tables.get("instruments") or []
    names = [i["name_nl" if lang == "nl" else "name_en"] for i in instruments]
    primary = next((i for i in instruments if i.get("primary")), None)
    if lang == "nl":
        paragraphs.append(
            f"Deelnemers vulden vragenlijsten in op de metingen {', '.join(labels)}. "
            + (
                f"Gebruikte vragenlijsten: {_join(names, lang)}. "
                if names
                else "Welbevinden, eenzaamheid en netwerkgrootte zijn gemeten met gevalideerde "
                "vragenlijsten. "
            )
            + (
                f"Welbevinden is de score op de {primary['name_nl']}, omgerekend naar 0–100. "
                if primary
                else ""
            )
            + "Deelnemers zijn ingedeeld in een klein, middelgroot of groot netwerk naar het "
            "aantal mensen in hun netwerk bij de start."
        )
        if model:
            paragraphs.append(
                f"De verandering per jaar is geschat met een lineair gemengd model (REML) op "
                f"{n_obs} metingen van {n_part} deelnemers. Het model gebruikt ook deelnemers die "
                "niet alle metingen invulden. Het Mattheuseffect is de samenhang tussen de "
                "netwerkgrootte bij de start en de verandering per jaar."
            )
        limits = [
            "Geen controlegroep: we weten niet hoe het de deelnemers zonder de interventie was "
            "vergaan.",
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
                f"Questionnaires used: {_join(names, lang)}. "
                if names
                else "Wellbeing, loneliness and network size were measured with validated "
                "questionnaires. "
            )
            + (
                f"Wellbeing is the score on the {primary['name_en']}, rescaled to 0–100. "
                if primary
                else ""
            )
            + "Participants are grouped into a small, medium or large network by the number of "
            "people in their network at the start."
        )
        if model:
            paragraphs.append(
                f"The change per year was estimated with a linear mixed model (REML) on {n_obs} "
                f"assessments of {n_part} participants. The model also uses participants who "
                "missed assessments. The Matthew effect is the association between network "
                "size at the start and the change per year."
            )
        limits = [
            "No control group: we do not know how participants would have fared without the "
            "intervention.",
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
    method = matthew_method_text(tables, lang)
    if method:
        paragraphs.append(method)
    return [*paragraphs, *limits]


def matthew_method_text(tables: Mapping[str, Any], lang: str) -> str:
    """Return :func:`primary_method_text` for the Matthew test a report describes (``""``
    without one)."""
    matthew = tables.get("matthew") or {}
    primary = matthew.get("primary")
    if not primary:
        return ""
    return primary_method_text(primary, matthew.get("exploratory_tests"), lang)


def pooled_kind(pooled: Mapping[str, Any]) -> str:
    """Return ``"interaction"`` for a pooled Matthew interaction, else ``"slope"``."""
    from outcomes.reports.tables import INTERACTION_OUTCOME

    return "interaction" if pooled.get("outcome") == INTERACTION_OUTCOME else "slope"


def pooled_decimals(pooled: Mapping[str, Any], *, table: bool) -> int:
    """Return the decimals a pooled estimate is shown with (sentences or tables/figures)."""
    if pooled_kind(pooled) == "interaction":
        return INTERACTION_TABLE_DECIMALS if table else INTERACTION_TEXT_DECIMALS
    return SLOPE_TABLE_DECIMALS if table else SLOPE_TEXT_DECIMALS


#: Fewest projects for which pooled.json gives a prediction interval and an I² label.
MIN_PROJECTS_PREDICTION = 3
MIN_PROJECTS_I2_LABEL = 5


def pooled_projects(pooled: Mapping[str, Any]) -> int:
    """Return the number of projects (k) behind a pooled estimate."""
    k = pooled.get("k")
    return int(k) if k is not None else len(pooled.get("studies") or [])


def heterogeneity_text(pooled: Mapping[str, Any], lang: str) -> str:
    """Return the heterogeneity of a pooled estimate in words, then its prediction interval.

    The level word comes from the analysis' ``i2_label``; without one (fewer than 5 projects) the
    text says I² is imprecise and gives its interval. Without a prediction interval (fewer than
    3 projects) it says none is given.
    """
    lang = check_language(lang)
    parts = [_heterogeneity_sentence(pooled, lang), prediction_interval_sentence(pooled, lang)]
    return " ".join(p for p in parts if p)


def _i2_with_interval(pooled: Mapping[str, Any], lang: str) -> str:
    """Return ``"I² = 77%, 95%-BI 35 tot 97%"``; the interval only when both bounds exist."""
    text = f"I² = {format_percent(pooled.get('i2'), 0, lang)}"
    low, high = pooled.get("i2_ci_low"), pooled.get("i2_ci_high")
    if low is None or high is None:
        return text
    return f"{text}, {word('ci', lang)} {format_interval(low, high, 0, lang)}%"


def _heterogeneity_sentence(pooled: Mapping[str, Any], lang: str) -> str:
    if pooled.get("i2") is None:
        return ""
    i2 = _i2_with_interval(pooled, lang)
    q_p = format_p(pooled.get("q_p"), lang)
    label = pooled.get("i2_label")
    if label is None:
        k = pooled_projects(pooled)
        if lang == "nl":
            return (
                f"Hoeveel de projecten echt van elkaar verschillen, is met {k} projecten niet "
                f"nauwkeurig te zeggen ({i2}; toets op verschillen {q_p}); onder "
                f"{MIN_PROJECTS_I2_LABEL} projecten noemen we die spreiding daarom niet klein "
                "of groot."
            )
        return (
            f"How much the projects truly differ cannot be said precisely with {k} projects "
            f"({i2}; test of differences {q_p}); below {MIN_PROJECTS_I2_LABEL} projects we "
            "therefore call this variation neither small nor large."
        )
    level = word(f"i2_{label}", lang) if has_word(f"i2_{label}", lang) else str(label)
    if lang == "nl":
        return (
            f"Tussen de projecten was er {level} verschil in uitkomst ({i2}; toets op "
            f"verschillen {q_p})."
        )
    return (
        f"Between projects there was {level} variation in outcome ({i2}; test of differences "
        f"{q_p})."
    )


def prediction_interval_sentence(pooled: Mapping[str, Any], lang: str) -> str:
    """Return the 95% prediction interval of a pooled estimate in words, or that none is given
    (fewer than 3 projects)."""
    low, high = pooled.get("pi_low"), pooled.get("pi_high")
    if low is None or high is None:
        if lang == "nl":
            return (
                f"Met minder dan {MIN_PROJECTS_PREDICTION} projecten geven we geen "
                "voorspellingsinterval voor een nieuw project."
            )
        return (
            f"With fewer than {MIN_PROJECTS_PREDICTION} projects no prediction interval for a "
            "new project is given."
        )
    decimals = pooled_decimals(pooled, table=False)
    between = f" {word('and', lang)} "
    pi = format_number(low, decimals, lang) + between + format_number(high, decimals, lang)
    unit = word("points", lang) + (
        (" per jaar" if lang == "nl" else " per year")
        if pooled_kind(pooled) == "slope"
        else (" per jaar per persoon meer" if lang == "nl" else " per year per network member")
    )
    if lang == "nl":
        return (
            f"In een vergelijkbaar nieuw project verwachten we een waarde tussen {pi} {unit} "
            "(95%-voorspellingsinterval)."
        )
    return (
        f"In a comparable new project we expect a value between {pi} {unit} (95% prediction "
        "interval)."
    )


def pooled_method_items(pooled: Sequence[Mapping[str, Any]], lang: str) -> list[str]:
    """Return the methods of the pooling in words: random effects by REML, Knapp–Hartung
    intervals (t with k − 1 df), the prediction interval (t with k − 2 df, none below 3
    projects)."""
    lang = check_language(lang)
    k = max((pooled_projects(p) for p in pooled), default=0)
    knapp_hartung = any(p.get("knapp_hartung") or p.get("df") is not None for p in pooled)
    if lang == "nl":
        items = [
            "De verandering per jaar is per project geschat en daarna samengevoegd met een "
            "random-effects meta-analyse (REML). Die houdt er rekening mee dat projecten echt "
            "van elkaar kunnen verschillen."
        ]
        if knapp_hartung:
            items.append(
                "Het 95%-betrouwbaarheidsinterval van een gepoolde schatting is berekend volgens "
                "Knapp–Hartung: met een t-verdeling met k − 1 vrijheidsgraden (k is het aantal "
                f"projecten, hier {k})."
            )
        items.append(
            "Het voorspellingsinterval geeft aan wat we in een nieuw, vergelijkbaar project "
            "kunnen verwachten; het is breder dan het betrouwbaarheidsinterval. Het gebruikt een "
            f"t-verdeling met k − 2 vrijheidsgraden en ontbreekt onder {MIN_PROJECTS_PREDICTION} "
            "projecten."
        )
        return items
    items = [
        "The change per year was estimated per project and then combined with a random-effects "
        "meta-analysis (REML), which allows projects to truly differ."
    ]
    if knapp_hartung:
        items.append(
            "The 95% confidence interval of a pooled estimate is the Knapp–Hartung interval: "
            f"a t distribution with k − 1 degrees of freedom (k is the number of projects, here "
            f"{k})."
        )
    items.append(
        "The prediction interval shows what to expect in a new, comparable project; it is wider "
        "than the confidence interval. It uses a t distribution with k − 2 degrees of freedom "
        f"and is not given below {MIN_PROJECTS_PREDICTION} projects."
    )
    return items


def synthesis_summary(tables: Mapping[str, Any], lang: str) -> list[str]:
    """Return the plain-language summary of the synthesis report, one string per paragraph."""
    lang = check_language(lang)
    projects = tables.get("projects") or {}
    paragraphs: list[str] = []
    if projects:
        columns = projects["columns"]
        rows = projects["display"]
        total = dict(zip(columns, rows[-1], strict=True))
        k = len(rows) - 1
        if lang == "nl":
            paragraphs.append(
                f"Deze synthese brengt {k} projecten samen, met bij de start samen "
                f"{_less_than(total['n_start'], lang)} deelnemers."
            )
        else:
            paragraphs.append(
                f"This synthesis brings together {k} projects, with "
                f"{_less_than(total['n_start'], lang)} participants at the start in total."
            )
    interaction_text = ""
    for pooled in tables.get("pooled") or []:
        est = pooled.get("estimate")
        if est is None:
            continue
        decimals = pooled_decimals(pooled, table=False)
        size = points(abs(est), decimals, lang)
        interval = format_interval(pooled.get("ci_low"), pooled.get("ci_high"), decimals, lang)
        if pooled_kind(pooled) == "interaction":
            interaction_text = _pooled_interaction_sentence(pooled, size, interval, lang)
            continue
        text = _all_project_change_sentence(tables, pooled, lang)
        paragraphs.append(text + " " + heterogeneity_text(pooled, lang))
    matthew = _synthesis_matthew_paragraph(tables, lang, interaction_text)
    if matthew:
        paragraphs.append(matthew)
    return paragraphs


def _all_project_change_sentence(
    tables: Mapping[str, Any], pooled: Mapping[str, Any], lang: str
) -> str:
    """Return the sentence of the all-project yearly change: M1's participant-weighted average
    of the project slopes (docs/architecture.md, "Models") when model.json has it, else the
    pooled slope of the meta-analysis, each named as what it is."""
    change = (tables.get("model") or {}).get("slope") or {}
    weighted = change.get("estimand") is not None and change.get("estimate") is not None
    source = change if weighted else pooled
    est = source.get("estimate") or 0.0
    decimals = pooled_decimals(pooled, table=False)
    size = points(abs(est), decimals, lang)
    interval = format_interval(source.get("ci_low"), source.get("ci_high"), decimals, lang)
    outcome = outcome_scale("wellbeing", lang)
    if lang == "nl":
        direction = "steeg" if est > 0 else "daalde"
        how = (
            "gewogen naar het aantal deelnemers per project"
            if weighted
            else "gepoold over de projecten, waarbij projecten van elkaar mogen verschillen"
        )
        return (
            f"Over alle projecten samen {direction} het {outcome} met gemiddeld {size} "
            f"per jaar ({how}; 95%-betrouwbaarheidsinterval {interval})."
        )
    direction = "rose" if est > 0 else "fell"
    how = (
        "weighted by the number of participants per project"
        if weighted
        else "pooled across projects, allowing projects to differ"
    )
    return (
        f"Across all projects, {outcome} {direction} by {size} per year on average ({how}; "
        f"95% confidence interval {interval})."
    )


def _pooled_interaction_sentence(
    pooled: Mapping[str, Any], size: str, interval: str, lang: str
) -> str:
    more = pooled.get("estimate", 0.0) >= 0
    i2 = format_percent(pooled.get("i2"), 0, lang)
    if lang == "nl":
        return (
            f"Gepoold over de projecten, waarbij projecten van elkaar mogen verschillen, "
            f"veranderde het welbevinden per persoon meer in het netwerk {size} per jaar "
            f"{'meer' if more else 'minder'} (95%-betrouwbaarheidsinterval {interval}; "
            f"I² = {i2})."
        )
    return (
        f"Pooled across projects, allowing projects to differ, wellbeing changed {size} per year "
        f"{'more' if more else 'less'} per additional network member (95% confidence interval "
        f"{interval}; I² = {i2})."
    )


def _join(names: Sequence[str], lang: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {word('and', lang)} " + names[-1]


def _synthesis_matthew_paragraph(
    tables: Mapping[str, Any], lang: str, interaction_text: str
) -> str:
    """Return the synthesis summary's Matthew paragraph: all participants in one model, the
    verdict per project, and the pooled interaction."""
    entries = [m for m in tables.get("matthew_by_project") or [] if m.get("outcome") == "wellbeing"]
    primary = next((m for m in entries if m.get("project") == "all"), None)
    parts = []
    if primary:
        sentence = matthew_verdict_sentence({"matthew": {"primary": primary}}, lang)
        lead = (
            "In één model over alle deelnemers samen: "
            if lang == "nl"
            else ("In one model of all participants together: ")
        )
        parts.append(lead + sentence[:1].lower() + sentence[1:])
    per_project = [m for m in entries if m.get("project") != "all"]
    if per_project:
        by_verdict: dict[str, list[str]] = {}
        for entry in per_project:
            if entry.get("role") == "exploratory":
                continue
            by_verdict.setdefault(str(entry.get("verdict")), []).append(str(entry["name"]))
        phrases = []
        for verdict in ("matthew", "reverse", "no_evidence"):
            names = by_verdict.get(verdict)
            if names:
                phrases.append(f"{verdict_label(verdict, lang)} in {_join(names, lang)}")
        if phrases:
            head = "Per project: " if lang == "nl" else "By project: "
            parts.append(head + "; ".join(phrases) + ".")
        else:
            parts.append(
                "De toetsen per project zijn verkennend; ze staan met hun Holm-gecorrigeerde "
                "p-waarden in de tabel verderop."
                if lang == "nl"
                else "The tests by project are exploratory; they are listed with their "
                "Holm-adjusted p-values in the table below."
            )
    if interaction_text:
        parts.append(interaction_text)
    return " ".join(parts)


def verdict_counts_text(entries: Sequence[Mapping[str, Any]], lang: str) -> str:
    """Return how many project × outcome checks reached each verdict, in words."""
    per_project = [e for e in entries if e.get("project") != "all"]
    if not per_project:
        return ""
    counts: dict[str, int] = {}
    for entry in per_project:
        key = "exploratory" if entry.get("role") == "exploratory" else str(entry.get("verdict"))
        counts[key] = counts.get(key, 0) + 1
    parts = [f"{n}× {verdict_short(v, lang)}" for v, n in sorted(counts.items())]
    if lang == "nl":
        return (
            f"Van de {len(per_project)} controles per project en uitkomst: "
            + "; ".join(parts)
            + "."
        )
    return f"Of the {len(per_project)} checks by project and outcome: " + "; ".join(parts) + "."
