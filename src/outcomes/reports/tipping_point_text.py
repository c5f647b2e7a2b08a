"""What a report says about dropout: the tipping point of the Matthew check in words.

Belongs here: the report tables' summary of ``analysis/tipping_point.json`` for one scope
(:func:`shown_tipping_point`, :func:`with_tipping_point`) and its paragraph in Dutch (B1) and
English (:func:`tipping_point_paragraphs`): how much worse (or better) the people who stopped
must have done than similar people who stayed before the conclusion changes
(docs/architecture.md, "Dropout tipping point").
"""

from __future__ import annotations

import dataclasses

from outcomes.documents import ReportTables
from outcomes.documents.tipping_point import ShownTippingEdge, ShownTippingPoint, TippingPoint
from outcomes.language import check_language, format_number

#: Decimals of a tipping δ in report text (wellbeing points, 0–100).
DELTA_DECIMALS = 1


def shown_tipping_point(document: TippingPoint | None, scope: str) -> ShownTippingPoint | None:
    """Return the summary a report shows of ``scope`` (``all`` or a project) in ``document``,
    or None when the document or the scope is missing (no dropout missed a follow-up, or the
    model could not be fitted)."""
    if document is None:
        return None
    found = next((s for s in document.scopes if s.project == scope), None)
    if found is None or not found.scans:
        return None
    return ShownTippingPoint(
        project=scope,
        measured_verdict=found.measured.verdict,
        verdict_at_zero=found.scans[0].verdict_at_zero,
        delta_limit=document.delta_limit,
        imputations=document.imputations,
        edges=tuple(
            ShownTippingEdge(scan.parametrisation, scan.tipping_below, scan.tipping_above)
            for scan in found.scans
        ),
    )


def with_tipping_point(
    tables: ReportTables, document: TippingPoint | None, scope: str
) -> ReportTables:
    """Return ``tables`` with the tipping-point summary of ``scope``
    (:func:`shown_tipping_point`)."""
    return dataclasses.replace(tables, tipping_point=shown_tipping_point(document, scope))


def _points(value: float, lang: str, decimals: int | None = DELTA_DECIMALS) -> str:
    return format_number(abs(value), decimals, lang)


def _unless(edge: ShownTippingEdge, limit: float, who: str, lang: str) -> str:
    """Return the clause after "the conclusion holds": unless they did more than X points
    worse (or better), or "even if …" when the verdict held over the whole scan."""
    below, above = edge.tipping_below, edge.tipping_above
    if lang == "nl":
        if below is None and above is None:
            return (
                f"ook als {who} het tot {_points(limit, lang, None)} punten slechter of beter "
                "deden dan vergelijkbare mensen die bleven"
            )
        parts = []
        if below is not None:
            parts.append(f"meer dan {_points(below, lang)} punten slechter")
        if above is not None:
            parts.append(f"meer dan {_points(above, lang)} punten beter")
        return f"tenzij {who} het {' of '.join(parts)} deden dan vergelijkbare mensen die bleven"
    if below is None and above is None:
        return (
            f"even if {who} did up to {_points(limit, lang, None)} points worse or better than "
            "similar people who stayed"
        )
    parts = []
    if below is not None:
        parts.append(f"more than {_points(below, lang)} points worse")
    if above is not None:
        parts.append(f"more than {_points(above, lang)} points better")
    return f"unless {who} did {' or '.join(parts)} than similar people who stayed"


def tipping_point_paragraphs(tables: ReportTables, lang: str) -> list[str]:
    """Return the paragraph on dropout of a report (none without a tipping-point summary): what
    was done, the tipping δ for every dropout alike, and for the dropouts with a small network
    alone (docs/architecture.md, "Dropout tipping point")."""
    lang = check_language(lang)
    shown = tables.tipping_point
    if shown is None:
        return []
    edges = {edge.parametrisation: edge for edge in shown.edges}
    limit = shown.delta_limit
    # the synthesis holds the primary test's verdict; a project's own test is exploratory
    primary = shown.project == "all"
    subject_nl = "De conclusie" if primary else "De uitkomst van de verkennende toets"
    subject_en = "The conclusion" if primary else "The result of the exploratory test"
    sentences = []
    if lang == "nl":
        sentences.append(
            "Niet iedereen deed tot het einde mee. Voor wie stopte, hebben we de gemiste "
            f"metingen {shown.imputations} keer bijgeschat met het model. Zo gaan we na hoe "
            f"sterk {subject_nl.lower()} over het Mattheuseffect afhangt van wie stopte."
        )
        if "all_groups" in edges:
            sentences.append(
                f"{subject_nl} blijft staan, "
                + _unless(edges["all_groups"], limit, "mensen die stopten", lang)
                + "."
            )
        if "small_group" in edges:
            sentences.append(
                f"Kijken we alleen naar mensen met een klein netwerk: {subject_nl.lower()} blijft "
                "staan, " + _unless(edges["small_group"], limit, "zij", lang) + "."
            )
        sentences.append(
            "Het gaat om punten op de schaal van welbevinden (0 tot 100), bij elke gemiste meting."
        )
        if shown.verdict_at_zero != shown.measured_verdict:
            sentences.append(
                "Let op: met de bijgeschatte metingen is de uitkomst al anders dan zonder. Het "
                "resultaat is dus niet stevig."
            )
        return [" ".join(sentences)]
    sentences.append(
        "Not everyone took part until the end. For those who stopped, we estimated the missed "
        f"measurements {shown.imputations} times with the model. This shows how much "
        f"{subject_en.lower()} about the Matthew effect depends on who stopped."
    )
    if "all_groups" in edges:
        sentences.append(
            f"{subject_en} holds "
            + _unless(edges["all_groups"], limit, "people who dropped out", lang)
            + "."
        )
    if "small_group" in edges:
        sentences.append(
            f"Looking only at people with a small network: {subject_en.lower()} holds "
            + _unless(edges["small_group"], limit, "they", lang)
            + "."
        )
    sentences.append(
        "These are points on the wellbeing scale (0 to 100), at each missed measurement."
    )
    if shown.verdict_at_zero != shown.measured_verdict:
        sentences.append(
            "Note: with the estimated measurements the result already differs from the one "
            "without them, so the result is not robust."
        )
    return [" ".join(sentences)]
