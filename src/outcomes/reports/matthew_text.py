"""The sentences of the Matthew check, in Dutch (default) and English, written from the results.

Belongs here: the verdict sentence of the declared primary test (with the interval and p of the
method the verdict comes from), the sentence of an exploratory test (no verdict word, its
Holm-adjusted p), how the verdict was reached (declared method, robustness check, bootstrap
replicates, the number of exploratory tests), the note on a random part simplified after a
singular fit, the note under the simple-slopes table, and the lay explanation of the Matthew
question with its result — for project reports and the synthesis alike (docs/architecture.md,
"M1 and the Matthew check", "One declared primary test", "Simple slopes", "Singular fits").
Sentences built around numbers stay here, per language (docs/architecture.md, "Languages and
words").
Does not belong here: labels and number formatting (``labels.py``), the project report's other
paragraphs (``project_text.py``), pooling and the synthesis summary (``synthesis_text.py``).
"""

from __future__ import annotations

from outcomes.documents import InteractionTest, MatthewGridEntry, MatthewSummary, ShownTable
from outcomes.documents.matthew import Bootstrap, ReplicateCounts
from outcomes.language import check_language, format_number, has_word, word
from outcomes.reports.design_text import baseline_adjusted_sentence, is_controlled_row
from outcomes.reports.labels import (
    INTERACTION_TEXT_DECIMALS,
    SLOPE_TEXT_DECIMALS,
    format_interval,
    format_p,
    group_label,
    points,
    protected_count,
)

#: A Matthew test as a report reads it: a test of ``matthew.json`` or a row of the synthesis'
#: grid by project (both carry the verdict with its method's interval and p, the role and the
#: Holm-adjusted p).
MatthewRow = InteractionTest | MatthewGridEntry


def matthew_verdict_sentence(primary: MatthewRow | None, lang: str, *, with_p: bool = True) -> str:
    """Return one sentence stating the Matthew verdict of ``primary`` (the test a report
    describes) with the interval and p-value the verdict came from, worded as change without a
    control group and as the intervention's effect with one (docs/architecture.md, "Report
    wording"); the sentence of an exploratory test for a row without a verdict, ``""`` without
    a test."""
    if primary is None:
        return ""
    verdict = primary.verdict
    if primary.role == "exploratory" or verdict is None:
        return exploratory_sentence(primary, lang)
    est = points(abs(primary.estimate or 0.0), INTERACTION_TEXT_DECIMALS, lang)
    # the interval and p of the method the verdict comes from (docs/architecture.md, "Models")
    interval = format_interval(
        primary.verdict_ci_low, primary.verdict_ci_high, INTERACTION_TEXT_DECIMALS, lang
    )
    more = (primary.estimate or 0.0) >= 0
    if with_p:
        interval += f"; {format_p(primary.verdict_p, lang)}"
    sentence = _verdict_sentence(verdict, est, interval, more, lang, is_controlled_row(primary))
    if primary.evidence == "borderline":
        sentence += " " + (
            "De controle met de parametrische bootstrap komt niet tot hetzelfde oordeel over "
            "nul: het bewijs is een grensgeval."
            if lang == "nl"
            else "The parametric-bootstrap check does not agree about zero: the evidence is "
            "borderline."
        )
    return sentence


def exploratory_sentence(row: MatthewRow, lang: str) -> str:
    """Return the sentence of an exploratory Matthew test: its estimate, interval, p and
    Holm-adjusted p, without a verdict word (only the declared primary test has one)."""
    est = format_number(row.estimate, INTERACTION_TEXT_DECIMALS, lang)
    interval = format_interval(row.ci_low, row.ci_high, INTERACTION_TEXT_DECIMALS, lang)
    holm = _holm_clause(row, lang)
    if lang == "nl":
        return (
            f"Verkennend (geen oordeel): per persoon meer in het netwerk bij de start veranderde "
            f"het welbevinden {est} punt per jaar (95%-betrouwbaarheidsinterval {interval}; "
            f"{format_p(row.p, lang)}{holm}). De vooraf vastgelegde toets betreft alle "
            "projecten samen."
        )
    return (
        f"Exploratory (no verdict): per additional network member at the start, wellbeing "
        f"changed {est} points per year (95% confidence interval {interval}; "
        f"{format_p(row.p, lang)}{holm}). The pre-declared test concerns all projects "
        "together."
    )


def _holm_clause(row: MatthewRow, lang: str) -> str:
    """Return ``"; na Holm-correctie voor 53 verkennende toetsen p = 1,000"`` (empty without a
    Holm-adjusted p)."""
    if row.p_holm is None:
        return ""
    n = row.family_size
    holm_p = format_p(row.p_holm, lang)
    if lang == "nl":
        tests = f" voor {n} verkennende toetsen" if n else ""
        return f"; na Holm-correctie{tests} {holm_p}"
    tests = f" for {n} exploratory tests" if n else ""
    return f"; Holm-adjusted{tests} {holm_p}"


def method_words(row: InteractionTest, lang: str) -> str:
    """Return the method of a Matthew test in plain words (``method_<method>`` of the catalog;
    ``method_description`` when the method has no words there)."""
    method = row.method or "satterthwaite"
    if has_word(f"method_{method}", lang):
        return word(f"method_{method}", lang)
    return row.method_description or method


def primary_method_text(row: InteractionTest, exploratory_tests: int | None, lang: str) -> str:
    """Return how the Matthew verdict was reached: the declared method in plain words, the
    robustness check and what it gave, and how many exploratory tests were Holm-adjusted.
    For an exploratory row: its method, and that it belongs to the Holm-adjusted family."""
    lang = check_language(lang)
    if row.role == "exploratory" or row.verdict is None:
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


def _exploratory_method_text(row: InteractionTest, exploratory_tests: int | None, lang: str) -> str:
    n = exploratory_tests or row.family_size
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


def _robustness_sentence(row: InteractionTest, lang: str) -> str:
    """Return what the robustness check gave: the parametric bootstrap (interval, p, usable
    replicates), or the Satterthwaite test when the bootstrap is the declared method."""
    decimals = INTERACTION_TEXT_DECIMALS
    replicates = _replicates_phrase(row.bootstrap, lang)
    if row.method == "bootstrap":
        interval = format_interval(row.ci_low, row.ci_high, decimals, lang)
        p = format_p(row.p, lang)
        if lang == "nl":
            used = f" De bootstrap gebruikte {replicates}." if replicates else ""
            return f"Ter controle gaf de Satterthwaite t-toets 95%-BI {interval}, {p}.{used}"
        used = f" The bootstrap used {replicates}." if replicates else ""
        return f"As a check, the Satterthwaite t-test gave 95% CI {interval}, {p}.{used}"
    if row.boot_ci_low is None and row.boot_lrt_p is None:
        return (
            "Er is geen parametrische bootstrap ter controle gedaan."
            if lang == "nl"
            else "No parametric bootstrap was run as a check."
        )
    interval = format_interval(row.boot_ci_low, row.boot_ci_high, decimals, lang)
    p = format_p(row.boot_lrt_p, lang)
    if lang == "nl":
        on = f", op {replicates}" if replicates else ""
        return f"Ter controle gaf een parametrische bootstrap 95%-BI {interval} en {p}{on}."
    on = f", from {replicates}" if replicates else ""
    return f"As a check, a parametric bootstrap gave 95% CI {interval} and {p}{on}."


def _replicates_phrase(bootstrap: Bootstrap | None, lang: str) -> str:
    """Return the usable bootstrap replicates in words, with failed and non-converged ones only
    when there are any; the interval's and the test's when they differ."""
    if bootstrap is None:
        return ""
    interval = _replicate_counts(bootstrap.interval, lang)
    test = _replicate_counts(bootstrap.lrt, lang)
    if not interval or interval == test:
        return test
    if not test:
        return interval
    if lang == "nl":
        return f"{interval} voor het interval en {test} voor de toets"
    return f"{interval} for the interval and {test} for the test"


def _replicate_counts(counts: ReplicateCounts, lang: str) -> str:
    dropped = []
    if counts.failed:
        dropped.append(f"{counts.failed} " + ("mislukte" if lang == "nl" else "failed"))
    if counts.not_converged:
        dropped.append(
            f"{counts.not_converged} "
            + ("niet-geconvergeerde" if lang == "nl" else "non-converged")
        )
    if lang == "nl":
        left_out = f" ({' en '.join(dropped)} weggelaten)" if dropped else ""
        return f"{counts.used} bruikbare herhalingen{left_out}"
    left_out = f" ({' and '.join(dropped)} left out)" if dropped else ""
    return f"{counts.used} usable replicates{left_out}"


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


def structure_note_sentence(row: InteractionTest, lang: str) -> str:
    """Return one plain sentence saying the random part of the model was simplified after a
    singular fit (``structure_note`` set), or ``""``."""
    if not row.structure_note:
        return ""
    structure = row.random_structure
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


def simple_slopes_note(row: InteractionTest | None, lang: str) -> str:
    """Return the sentence under the table of yearly changes at fixed network sizes (``row``:
    the report's primary Matthew test): they are model-based (as emmeans' emtrends), the
    network-group slopes are descriptive (docs/architecture.md, "Simple slopes")."""
    weighted = row is not None and (row.project == "all" or bool(row.project_slopes))
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


def _verdict_sentence(
    verdict: str, est: str, interval: str, more: bool, lang: str, controlled: bool
) -> str:
    if controlled:
        return _controlled_verdict_sentence(verdict, est, interval, more, lang)
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


def _controlled_verdict_sentence(
    verdict: str, est: str, interval: str, more: bool, lang: str
) -> str:
    """Return the verdict of the years × arm × network-size interaction of a controlled
    design: how the intervention's effect (the difference with the control group) depends on
    network size at the start."""
    if lang == "nl":
        per = (
            f"per persoon meer in het netwerk bij de start was het effect van de interventie "
            f"{est} per jaar {'groter' if more else 'kleiner'} "
            f"(95%-betrouwbaarheidsinterval {interval})"
        )
        if verdict == "matthew":
            return (
                f"De interventie hielp deelnemers die bij de start al een groter netwerk hadden "
                f"meer: {per}. Dat wijst op een Mattheuseffect."
            )
        if verdict == "reverse":
            return (
                f"De interventie hielp deelnemers met een kleiner netwerk bij de start juist "
                f"meer: {per}. Dat is het omgekeerde van een Mattheuseffect."
            )
        return (
            f"We vonden geen aanwijzing dat het effect van de interventie afhing van de grootte "
            f"van het netwerk bij de start: {per}. Dat betekent niet dat zo’n verschil er zeker "
            "niet is."
        )
    per = (
        f"per additional network member at the start, the effect of the intervention was {est} "
        f"per year {'larger' if more else 'smaller'} (95% confidence interval {interval})"
    )
    if verdict == "matthew":
        return (
            f"The intervention helped participants who already had a larger network at the "
            f"start more: {per}. This points to a Matthew effect."
        )
    if verdict == "reverse":
        return (
            f"The intervention helped participants with a smaller network at the start more: "
            f"{per}. This is the reverse of a Matthew effect."
        )
    return (
        f"We found no evidence that the effect of the intervention depended on network size at "
        f"the start: {per}. This does not mean that such a difference certainly does not exist."
    )


def matthew_explanation(matthew: MatthewSummary | None, lang: str) -> list[str]:
    """Return the lay explanation of the Matthew question and, from ``matthew`` (the report
    tables' Matthew test; None without one), its result and what it means."""
    lang = check_language(lang)
    primary = matthew.primary if matthew is not None else None
    controlled = is_controlled_row(primary)
    paragraphs = []
    if lang == "nl":
        paragraphs.append(
            "Het Mattheuseffect is genoemd naar een bijbeltekst: ‘wie heeft, zal meer gegeven "
            "worden’. Voor deze interventies is de vraag: gaan deelnemers die bij de start al "
            "een groot sociaal netwerk hadden er meer op vooruit dan deelnemers met een klein "
            "netwerk? "
            + (
                "Dan zou de interventie juist de kwetsbaarste deelnemers het minst helpen. "
                if controlled
                else "Dan gaan juist de kwetsbaarste deelnemers het minst vooruit. "
            )
            + "We toetsen dat door na te gaan of de verandering per jaar samenhangt met het "
            "aantal mensen in het netwerk bij de start."
        )
    else:
        paragraphs.append(
            "The Matthew effect is named after a Bible verse: ‘to everyone who has, more will be "
            "given’. For these interventions the question is: do participants who already had a "
            "large social network at the start gain more than those with a small one? "
            + (
                "Then the intervention would help the most vulnerable participants least. "
                if controlled
                else "Then the most vulnerable participants would gain least. "
            )
            + "We test this by asking whether the change per year depends on the number of "
            "people in the network at the start."
        )
    if primary is not None:
        sentence = matthew_verdict_sentence(primary, lang, with_p=True)
        note = structure_note_sentence(primary, lang)
        paragraphs.append(f"{sentence} {note}" if note else sentence)
        adjusted = baseline_adjusted_sentence(primary, lang)
        if adjusted:
            paragraphs.append(adjusted)
    subgroup_text = _subgroup_sentence(matthew.subgroups if matthew is not None else None, lang)
    if subgroup_text:
        paragraphs.append(subgroup_text)
    verdict = primary.verdict if primary is not None else None
    if primary is not None and verdict == "no_evidence":
        mde = primary.mde80
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
    elif verdict == "reverse" and controlled:
        paragraphs.append(
            "Dat kan betekenen dat de interventie vooral mensen met een klein netwerk helpt, "
            "maar ook regressie naar het gemiddelde kan meespelen (zie Methode en beperkingen)."
            if lang == "nl"
            else "This may mean that the intervention mainly helps people with a small network, "
            "but regression to the mean may also play a part (see Methods and limitations)."
        )
    elif verdict == "reverse":
        paragraphs.append(
            "Zonder controlegroep weten we niet of dat door de interventie komt. Ook regressie "
            "naar het gemiddelde kan meespelen (zie Methode en beperkingen)."
            if lang == "nl"
            else "Without a control group we do not know whether this was due to the intervention. "
            "Regression to the mean may also play a part (see Methods and limitations)."
        )
    return paragraphs


def _subgroup_sentence(subgroups: ShownTable | None, lang: str) -> str:
    if subgroups is None:
        return ""
    columns = subgroups.columns
    parts = []
    for display, values in zip(subgroups.display, subgroups.values, strict=True):
        row = dict(zip(columns, values, strict=True))
        shown = dict(zip(columns, display, strict=True))
        if row["outcome"] != "wellbeing":
            continue
        label = group_label(str(row["network_group"]), lang)
        slope = row["slope"]
        if not isinstance(slope, int | float):
            hidden = protected_count(shown["n_participants"], lang)
            parts.append(
                f"{label}: niet getoond ({hidden} deelnemers)"
                if lang == "nl"
                else f"{label}: not shown ({hidden} participants)"
            )
        else:
            parts.append(f"{label} {format_number(slope, SLOPE_TEXT_DECIMALS, lang, signed=True)}")
    if not parts:
        return ""
    if lang == "nl":
        return "Verandering in welbevinden per jaar per groep: " + "; ".join(parts) + "."
    return "Change in wellbeing per year by group: " + "; ".join(parts) + "."


def matthew_method_text(matthew: MatthewSummary | None, lang: str) -> str:
    """Return :func:`primary_method_text` for the Matthew test a report describes (``matthew``,
    the report tables' Matthew test; ``""`` without one)."""
    if matthew is None or matthew.primary is None:
        return ""
    return primary_method_text(matthew.primary, matthew.exploratory_tests, lang)
