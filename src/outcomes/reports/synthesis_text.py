"""The sentences of the synthesis and of pooling across projects, in Dutch (default) and English.

Belongs here: the decimals a pooled estimate is shown with, its heterogeneity (I² with its
interval and the Q test; no level word below 5 projects) and prediction interval (none below 3
projects) in words, the methods of the pooling (REML, Knapp–Hartung), the synthesis summary and
the count of verdicts by project (docs/architecture.md, "Pooling across projects", "One declared
primary test"). Sentences built around numbers stay here, per language (docs/architecture.md,
"Languages and words").
Does not belong here: labels and number formatting (``labels.py``), the Matthew verdict sentence
(``matthew_text.py``), pooling itself (``outcomes.models``), layout (``synthesis_content.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from outcomes.documents import MatthewGridEntry, PooledResult, ReportTables
from outcomes.language import check_language, format_number, format_percent, has_word, word
from outcomes.reports.design_text import synthesis_control_sentence, uncertainty_explanation
from outcomes.reports.labels import (
    INTERACTION_TABLE_DECIMALS,
    INTERACTION_TEXT_DECIMALS,
    SLOPE_TABLE_DECIMALS,
    SLOPE_TEXT_DECIMALS,
    format_interval,
    format_p,
    join_names,
    outcome_scale,
    points,
    protected_count,
    verdict_label,
    verdict_short,
)
from outcomes.reports.matthew_text import matthew_verdict_sentence


def pooled_kind(pooled: PooledResult) -> str:
    """Return ``"interaction"`` for a pooled Matthew interaction, else ``"slope"``."""
    from outcomes.reports.synthesis_tables import INTERACTION_OUTCOME

    return "interaction" if pooled.outcome == INTERACTION_OUTCOME else "slope"


def pooled_decimals(pooled: PooledResult, *, table: bool) -> int:
    """Return the decimals a pooled estimate is shown with (sentences or tables/figures)."""
    if pooled_kind(pooled) == "interaction":
        return INTERACTION_TABLE_DECIMALS if table else INTERACTION_TEXT_DECIMALS
    return SLOPE_TABLE_DECIMALS if table else SLOPE_TEXT_DECIMALS


#: Fewest projects for which pooled.json gives a prediction interval and an I² label.
MIN_PROJECTS_PREDICTION = 3
MIN_PROJECTS_I2_LABEL = 5


def heterogeneity_text(pooled: PooledResult, lang: str) -> str:
    """Return the heterogeneity of a pooled estimate in words, then its prediction interval.

    The level word comes from the analysis' ``i2_label``; without one (fewer than 5 projects) the
    text says I² is imprecise and gives its interval. Without a prediction interval (fewer than
    3 projects) it says none is given.
    """
    lang = check_language(lang)
    parts = [_heterogeneity_sentence(pooled, lang), prediction_interval_sentence(pooled, lang)]
    return " ".join(p for p in parts if p)


def _i2_with_interval(pooled: PooledResult, lang: str) -> str:
    """Return ``"I² = 77%, 95%-BI 35 tot 97%"``; the interval only when both bounds exist."""
    text = f"I² = {format_percent(pooled.i2, 0, lang)}"
    low, high = pooled.i2_ci_low, pooled.i2_ci_high
    if low is None or high is None:
        return text
    return f"{text}, {word('ci', lang)} {format_interval(low, high, 0, lang)}%"


def _heterogeneity_sentence(pooled: PooledResult, lang: str) -> str:
    i2 = _i2_with_interval(pooled, lang)
    q_p = format_p(pooled.q_p, lang)
    label = pooled.i2_label
    if label is None:
        k = pooled.k
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
    level = word(f"i2_{label}", lang) if has_word(f"i2_{label}", lang) else label
    if lang == "nl":
        return (
            f"Tussen de projecten was er {level} verschil in uitkomst ({i2}; toets op "
            f"verschillen {q_p})."
        )
    return (
        f"Between projects there was {level} variation in outcome ({i2}; test of differences "
        f"{q_p})."
    )


def prediction_interval_sentence(pooled: PooledResult, lang: str) -> str:
    """Return the 95% prediction interval of a pooled estimate in words, or that none is given
    (fewer than 3 projects)."""
    low, high = pooled.pi_low, pooled.pi_high
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


def pooled_method_items(pooled: Sequence[PooledResult], lang: str) -> list[str]:
    """Return the methods of the pooling in words: random effects by REML, Knapp–Hartung
    intervals (t with k − 1 df), the prediction interval (t with k − 2 df, none below 3
    projects)."""
    lang = check_language(lang)
    k = max((p.k for p in pooled), default=0)
    knapp_hartung = any(p.knapp_hartung or p.df is not None for p in pooled)
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


def synthesis_summary(tables: ReportTables, lang: str) -> list[str]:
    """Return the plain-language summary of the synthesis report, one string per paragraph."""
    lang = check_language(lang)
    projects = tables.projects
    paragraphs: list[str] = []
    if projects is not None:
        columns = projects.columns
        rows = projects.display
        total = dict(zip(columns, rows[-1], strict=True))
        k = len(rows) - 1
        if lang == "nl":
            paragraphs.append(
                f"Deze synthese brengt {k} projecten samen, met bij de start samen "
                f"{protected_count(total['n_start'], lang)} deelnemers."
            )
        else:
            paragraphs.append(
                f"This synthesis brings together {k} projects, with "
                f"{protected_count(total['n_start'], lang)} participants at the start in total."
            )
    interaction_text = ""
    for pooled in tables.pooled:
        decimals = pooled_decimals(pooled, table=False)
        size = points(abs(pooled.estimate), decimals, lang)
        interval = format_interval(pooled.ci_low, pooled.ci_high, decimals, lang)
        if pooled_kind(pooled) == "interaction":
            interaction_text = _pooled_interaction_sentence(pooled, size, interval, lang)
            continue
        text = _all_project_change_sentence(tables, pooled, lang)
        paragraphs.append(text + " " + heterogeneity_text(pooled, lang))
    matthew = _synthesis_matthew_paragraph(tables, lang, interaction_text)
    if matthew:
        paragraphs.append(matthew)
    design = synthesis_control_sentence(tables.matthew_by_project, lang)
    if design:
        paragraphs.append(design)
    if tables.pooled or matthew:
        paragraphs.append(uncertainty_explanation(lang))
    return paragraphs


def _all_project_change_sentence(tables: ReportTables, pooled: PooledResult, lang: str) -> str:
    """Return the sentence of the all-project yearly change: M1's participant-weighted average
    of the project slopes (docs/architecture.md, "Models") when model.json has it, else the
    pooled slope of the meta-analysis, each named as what it is."""
    change = tables.model.slope if tables.model is not None else None
    weighted = change is not None and change.estimand is not None and change.estimate is not None
    source = change if change is not None and weighted else pooled
    est = source.estimate or 0.0
    decimals = pooled_decimals(pooled, table=False)
    size = points(abs(est), decimals, lang)
    interval = format_interval(source.ci_low, source.ci_high, decimals, lang)
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


def _pooled_interaction_sentence(pooled: PooledResult, size: str, interval: str, lang: str) -> str:
    more = pooled.estimate >= 0
    i2 = format_percent(pooled.i2, 0, lang)
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


def _synthesis_matthew_paragraph(tables: ReportTables, lang: str, interaction_text: str) -> str:
    """Return the synthesis summary's Matthew paragraph: all participants in one model, the
    verdict per project, and the pooled interaction."""
    entries = [m for m in tables.matthew_by_project if m.outcome == "wellbeing"]
    primary = next((m for m in entries if m.project == "all"), None)
    parts = []
    if primary is not None:
        sentence = matthew_verdict_sentence(primary, lang)
        lead = (
            "In één model over alle deelnemers samen: "
            if lang == "nl"
            else ("In one model of all participants together: ")
        )
        parts.append(lead + sentence[:1].lower() + sentence[1:])
    per_project = [m for m in entries if m.project != "all"]
    if per_project:
        by_verdict: dict[str, list[str]] = {}
        for entry in per_project:
            if entry.role == "exploratory":
                continue
            # the interval and p the verdict came from (docs/architecture.md, "Report wording")
            interval = format_interval(entry.verdict_ci_low, entry.verdict_ci_high,
                                       INTERACTION_TEXT_DECIMALS, lang)  # fmt: skip
            by_verdict.setdefault(str(entry.verdict), []).append(
                f"{entry.name} ({word('ci', lang)} {interval}; {format_p(entry.verdict_p, lang)})"
            )
        phrases = []
        for verdict in ("matthew", "reverse", "no_evidence"):
            names = by_verdict.get(verdict)
            if names:
                phrases.append(f"{verdict_label(verdict, lang)} in {join_names(names, lang)}")
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


def verdict_counts_text(entries: Sequence[MatthewGridEntry], lang: str) -> str:
    """Return how many project × outcome checks reached each verdict, in words."""
    per_project = [e for e in entries if e.project != "all"]
    if not per_project:
        return ""
    counts: dict[str, int] = {}
    for entry in per_project:
        key = "exploratory" if entry.role == "exploratory" else str(entry.verdict)
        counts[key] = counts.get(key, 0) + 1
    parts = [f"{n}× {verdict_short(v, lang)}" for v, n in sorted(counts.items())]
    if lang == "nl":
        return (
            f"Van de {len(per_project)} controles per project en uitkomst: "
            + "; ".join(parts)
            + "."
        )
    return f"Of the {len(per_project)} checks by project and outcome: " + "; ".join(parts) + "."
