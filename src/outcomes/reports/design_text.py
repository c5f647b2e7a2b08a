"""Sentences that follow from the design, in Dutch (default) and English.

Belongs here: whether a report may speak of effects (docs/architecture.md, "Report wording"):
the control-group sentence of a project report (from its Matthew test's ``design``) and of the
synthesis (how many projects had a control group), the limitation it implies, the effect of the
intervention in a controlled design, the plain explanation of an interval and a p-value, and the
sentences of the two sensitivity checks beside the declared Matthew test — the baseline-adjusted
model (docs/architecture.md, "Regression to the mean") and the correction for measurement error
in network size ("Measurement error in network size"). Sentences built around numbers stay
here, per language (docs/architecture.md, "Languages and words").
Does not belong here: the verdict sentence itself (``matthew_text.py``), the other paragraphs
(``project_text.py``, ``synthesis_text.py``), labels and number formatting (``labels.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from outcomes.documents import InteractionTest, MatthewGridEntry, ReportTables
from outcomes.language import format_number
from outcomes.reports.labels import (
    INTERACTION_TEXT_DECIMALS,
    SLOPE_TEXT_DECIMALS,
    format_interval,
    format_p,
    points,
)


def is_controlled_row(row: InteractionTest | MatthewGridEntry | None) -> bool:
    """Return whether a Matthew test (or grid row) comes from a design with a control group."""
    return getattr(row, "design", None) == "controlled"


def project_design(tables: ReportTables) -> str | None:
    """Return ``controlled`` or ``uncontrolled`` for a project report (from the ``design`` of its
    Matthew tests, as ``outcomes.models.matthew.is_controlled`` decided it from the ``arm``
    column), None when the report has no Matthew test."""
    matthew = tables.matthew
    rows = (
        []
        if matthew is None
        else [*matthew.results, *([matthew.primary] if matthew.primary else [])]
    )
    if not rows:
        return None
    return "controlled" if any(r.design == "controlled" for r in rows) else "uncontrolled"


def control_group_sentence(tables: ReportTables, lang: str) -> str:
    """Return the summary's sentence on the control group of a project report (``""`` when the
    design is not known): without one, change is no proof of an effect; with one, the
    difference with the control group is the effect."""
    design = project_design(tables)
    if design is None:
        return ""
    if design == "controlled":
        return (
            "Er was een controlegroep: mensen die de interventie niet kregen. Het verschil met "
            "die groep laat zien wat de interventie deed."
            if lang == "nl"
            else "There was a control group: people who did not receive the intervention. The "
            "difference with that group shows what the intervention did."
        )
    return (
        "Er was geen controlegroep. De cijfers laten zien hoe het de deelnemers verging. Ze "
        "laten niet zien of dat door de interventie kwam."
        if lang == "nl"
        else "There was no control group. The figures show how participants fared. They do not "
        "show whether that was due to the intervention."
    )


def control_group_limit(tables: ReportTables, lang: str) -> str:
    """Return the limitation that follows from the design of a project report (``""`` when the
    design is not known)."""
    design = project_design(tables)
    if design is None:
        return ""
    if design == "controlled":
        return (
            "Controlegroep: het verschil met de controlegroep is alleen het effect van de "
            "interventie als beide groepen bij de start vergelijkbaar waren."
            if lang == "nl"
            else "Control group: the difference with the control group is the effect of the "
            "intervention only if both groups were comparable at the start."
        )
    return (
        "Geen controlegroep: we weten niet hoe het de deelnemers zonder de interventie was "
        "vergaan. Het rapport beschrijft daarom verandering, geen effect."
        if lang == "nl"
        else "No control group: we do not know how participants would have fared without the "
        "intervention. The report therefore describes change, not an effect."
    )


def synthesis_control_sentence(entries: Sequence[MatthewGridEntry], lang: str) -> str:
    """Return how many of the analysed projects had a control group, from the ``design`` of the
    synthesis grid's project rows, and what that means for the wording."""
    designs: dict[str, bool] = {}
    for entry in entries:
        if entry.project != "all" and entry.design is not None:
            designs[entry.project] = designs.get(entry.project, False) or is_controlled_row(entry)
    k = len(designs)
    controlled = sum(designs.values())
    if k == 0:
        return ""
    if lang == "nl":
        if controlled == 0:
            return (
                f"Geen van de {k} projecten had een controlegroep. De synthese beschrijft daarom "
                "verandering, geen effect van de interventies."
            )
        return (
            f"{controlled} van de {k} projecten had een controlegroep. Alleen daar is het "
            "verschil met de controlegroep een effect. Het model over alle projecten samen "
            "gebruikt alleen de deelnemers die de interventie kregen, en beschrijft dus "
            "verandering."
        )
    if controlled == 0:
        return (
            f"None of the {k} projects had a control group. The synthesis therefore describes "
            "change, not an effect of the interventions."
        )
    return (
        f"{controlled} of the {k} projects had a control group. Only there is the difference "
        "with the control group an effect. The model of all projects together uses only the "
        "participants who received the intervention, so it describes change."
    )


def intervention_effect_sentence(row: InteractionTest | None, lang: str) -> str:
    """Return the effect of the intervention in a controlled design (the arm × time difference
    per year with its interval and p), ``""`` otherwise."""
    if row is None or not is_controlled_row(row) or row.effect is None:
        return ""
    size = points(abs(row.effect), SLOPE_TEXT_DECIMALS, lang)
    interval = format_interval(row.effect_ci_low, row.effect_ci_high, SLOPE_TEXT_DECIMALS, lang)
    p = format_p(row.effect_p, lang)
    if lang == "nl":
        more = "meer" if row.effect >= 0 else "minder"
        return (
            f"Het effect van de interventie: het welbevinden veranderde per jaar {size} {more} "
            f"dan in de controlegroep (95%-betrouwbaarheidsinterval {interval}; {p})."
        )
    more = "more" if row.effect >= 0 else "less"
    return (
        f"The effect of the intervention: wellbeing changed {size} per year {more} than in the "
        f"control group (95% confidence interval {interval}; {p})."
    )


def uncertainty_explanation(lang: str) -> str:
    """Return the plain explanation of a 95% interval and a p-value, for a summary."""
    if lang == "nl":
        return (
            "Hoe lees je de getallen tussen haakjes? Het 95%-betrouwbaarheidsinterval geeft aan "
            "tussen welke waarden de echte uitkomst waarschijnlijk ligt. De p-waarde zegt hoe "
            "goed de uitkomst past bij toeval alleen. Onder 0,05 noemen we dat onwaarschijnlijk."
        )
    return (
        "How to read the numbers in brackets? The 95% confidence interval shows between which "
        "values the true result probably lies. The p-value says how well the result fits "
        "chance alone. Below 0.05 we call that unlikely."
    )


def baseline_adjusted_sentence(row: InteractionTest | None, lang: str) -> str:
    """Return the result of the baseline-adjusted model beside the primary Matthew test, in
    words, or ``""`` when it was not fitted."""
    adjusted = None if row is None else row.baseline_adjusted
    if adjusted is None or adjusted.estimate is None:
        return ""
    decimals = INTERACTION_TEXT_DECIMALS
    more = adjusted.estimate >= 0
    size = points(abs(adjusted.estimate), decimals, lang)
    interval = format_interval(adjusted.ci_low, adjusted.ci_high, decimals, lang)
    p = format_p(adjusted.p, lang)
    if lang == "nl":
        return (
            "Controle op regressie naar het gemiddelde: we vergeleken ook deelnemers die bij de "
            "start even goed in hun vel zaten. Dan veranderde het welbevinden per persoon meer "
            f"in het netwerk {size} per jaar {'meer' if more else 'minder'} "
            f"(95%-betrouwbaarheidsinterval {interval}; {p})."
        )
    return (
        "Check for regression to the mean: we also compared participants with the same wellbeing "
        f"at the start. Then wellbeing changed {size} per year {'more' if more else 'less'} per "
        f"additional network member (95% confidence interval {interval}; {p})."
    )


def measurement_error_sentence(row: InteractionTest | None, lang: str) -> str:
    """Return the limitation on measurement error in network size, with the corrected
    interaction when a reliability is configured."""
    correction = None if row is None else row.measurement_error
    if lang == "nl":
        text = (
            "Meetfout in de netwerkgrootte: deelnemers tellen hun netwerk niet altijd precies "
            "hetzelfde. Zo’n meetfout maakt het gevonden verschil tussen kleine en grote "
            "netwerken kleiner dan het echt is."
        )
    else:
        text = (
            "Measurement error in network size: participants do not always count their network "
            "the same way. Such error makes the difference found between small and large "
            "networks smaller than it truly is."
        )
    if correction is None or correction.estimate is None:
        return text
    decimals = INTERACTION_TEXT_DECIMALS
    more = correction.estimate >= 0
    est = points(abs(correction.estimate), decimals, lang)
    interval = format_interval(correction.ci_low, correction.ci_high, decimals, lang)
    reliability = format_number(correction.reliability, 2, lang)
    p = format_p(correction.p, lang)
    if lang == "nl":
        return text + (
            f" Gecorrigeerd voor een betrouwbaarheid van {reliability} veranderde het welbevinden "
            f"per persoon meer in het netwerk {est} per jaar {'meer' if more else 'minder'} "
            f"(95%-betrouwbaarheidsinterval {interval}; {p})."
        )
    return text + (
        f" Corrected for a reliability of {reliability}, wellbeing changed {est} per year "
        f"{'more' if more else 'less'} per additional network member (95% confidence interval "
        f"{interval}; {p})."
    )
