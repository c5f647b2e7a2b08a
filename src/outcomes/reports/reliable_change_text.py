"""Sentences about reliable change, in Dutch (B1) and English (docs/architecture.md,
"Reliable change").

Belongs here: the plain sentence a funder reads ("Van de 120 deelnemers gingen er 35
betrouwbaar vooruit, 70 bleven gelijk en 15 gingen betrouwbaar achteruit."), what "reliable"
means, the method note under the table and why a project has no reliable change. Numbers come
from the protected table only: a count hidden there is never recovered here (a sum with a hidden
part is named only when it is below the threshold itself, else the sentence points to the table).
Does not belong here: building or protecting the table (``reliable_change_tables.py``), the
figure (``reliable_change_figure.py``) or the layout of the section
(``reliable_change_content.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outcomes.documents.reliable_change import NotAssessed, ReliableChangeInstrument
from outcomes.documents.report_tables import ShownReliableChange
from outcomes.language import format_number
from outcomes.reports.content_blocks import zipped_rows


def instrument_name(key: str, lang: str) -> str:
    """Return the instrument's name in ``lang`` from the registry (its key when unknown)."""
    from outcomes.instruments import INSTRUMENTS

    instrument = INSTRUMENTS.get(key)
    if instrument is None:
        return key
    return (instrument.name_nl or instrument.name) if lang == "nl" else instrument.name


def _total_row(shown: ShownReliableChange) -> tuple[dict[str, Any], dict[str, str]] | None:
    """Return the values and display strings of the table's ``total`` row."""
    if shown.table is None:
        return None
    rows = zipped_rows(shown.table)
    return rows[-1] if rows else None


def _count(
    shown: ShownReliableChange,
    values: Mapping[str, Any],
    classes: tuple[str, ...],
    threshold: int,
    lang: str,
) -> str | None:
    """Return the number of participants in ``classes`` (of the ``total`` row) as the sentence
    says it: the sum when every part is shown, "fewer than t" for a single class hidden as a
    small count, "at least" the shown parts when others are hidden, None when nothing can be
    said without revealing a hidden count."""
    parts = [values.get(c) for c in classes]
    if all(p is not None for p in parts):
        return str(sum(int(p) for p in parts if p is not None))
    assert shown.table is not None
    last = len(shown.table.values) - 1
    small = {
        c.column for c in shown.table.suppressed if c.row == last and c.reason == "small_count"
    }
    if len(classes) == 1 and classes[0] in small:
        return f"minder dan {threshold}" if lang == "nl" else f"fewer than {threshold}"
    shown_sum = sum(int(p) for p in parts if p is not None)
    if shown_sum > 0:
        # true whatever the hidden parts hold, so it reveals none of them
        return f"minstens {shown_sum}" if lang == "nl" else f"at least {shown_sum}"
    return None


def change_sentence(shown: ShownReliableChange, threshold: int, lang: str) -> str | None:
    """Return the one plain sentence: of the n participants, how many changed reliably for the
    better, stayed the same and changed reliably for the worse; None without a table."""
    total = _total_row(shown)
    if total is None:
        return None
    values, _ = total
    n = values.get("n")
    if n is None:
        return (
            f"Te weinig deelnemers (minder dan {threshold}) om betrouwbare verandering te tonen."
            if lang == "nl"
            else f"Too few participants (fewer than {threshold}) to show reliable change."
        )
    up = _count(shown, values, ("recovered", "improved"), threshold, lang)
    same = _count(shown, values, ("unchanged",), threshold, lang)
    down = _count(shown, values, ("deteriorated",), threshold, lang)
    if up is None or same is None or down is None:
        return (
            f"Van {n} deelnemers is bekend hoe hun score veranderde. Groepen van minder dan "
            f"{threshold} mensen staan niet apart in de tabel."
            if lang == "nl"
            else f"For {n} participants we know how their score changed. Groups of fewer than "
            f"{threshold} people are not shown separately in the table."
        )
    if lang == "nl":
        return (
            f"Van de {n} deelnemers gingen er {up} betrouwbaar vooruit, {same} bleven gelijk en "
            f"{down} gingen betrouwbaar achteruit."
        )
    return (
        f"Of the {n} participants, {up} improved reliably, {same} stayed the same and {down} "
        "got reliably worse."
    )


def recovered_sentence(shown: ShownReliableChange, threshold: int, lang: str) -> str | None:
    """Return how many of those who improved also crossed the instrument's cut-off
    (recovered), in the cut-off's own words; None when nobody can count as recovered."""
    total = _total_row(shown)
    bands = [i for i in shown.instruments if i.functional is not None and i.dysfunctional]
    if total is None or not shown.recovered_possible or not bands or total[0].get("n") is None:
        return None
    values, _ = total
    count = _count(shown, values, ("recovered",), threshold, lang)
    if count is None:
        return None
    first = bands[0]
    assert first.functional is not None and first.dysfunctional is not None
    if lang == "nl":
        return (
            f"{count.capitalize()} van hen gingen bovendien van ‘{first.dysfunctional.label_nl}’ "
            f"naar ‘{first.functional.label_nl}’. Zij staan in de tabel als hersteld."
        )
    return (
        f"{count.capitalize()} of them also moved from ‘{first.dysfunctional.label_en}’ to "
        f"‘{first.functional.label_en}’. The table shows them as recovered."
    )


def meaning_sentence(lang: str) -> str:
    """Return what "reliable" means, in plain words."""
    if lang == "nl":
        return (
            "Betrouwbaar betekent: de verandering is groter dan de meetfout van de vragenlijst. "
            "Een kleine verschuiving kan ook toeval zijn; die telt hier als gelijk gebleven."
        )
    return (
        "Reliable means: the change is larger than the measurement error of the questionnaire. "
        "A small shift can be chance; it counts as unchanged here."
    )


def method_note(instrument: ReliableChangeInstrument, lang: str) -> str:
    """Return the method note of one instrument: the rule (Jacobson & Truax 1991), the
    smallest reliable difference, the reliability and which SD was used."""
    name = instrument_name(instrument.instrument, lang)
    digits = 1
    diff = (
        format_number(instrument.reliable_difference, digits, lang)
        if instrument.reliable_difference is not None
        else "–"
    )
    sd = format_number(instrument.sd, digits, lang) if instrument.sd is not None else "–"
    r = format_number(instrument.coefficient, 2, lang)
    coefficient = "α" if instrument.kind == "alpha" else "r"
    if lang == "nl":
        basis = (
            f"de standaarddeviatie van de startscores van de {instrument.sd_n} deelnemers "
            "(geen normgroep gepubliceerd)"
            if instrument.sd_basis == "baseline_sample"
            else "de standaarddeviatie van de normgroep"
        )
        return (
            f"{name}: een verandering van {diff} punten of meer telt als betrouwbaar "
            f"(Jacobson & Truax 1991; betrouwbaarheid {coefficient} = {r}; {basis} = {sd})."
        )
    basis = (
        f"the standard deviation of the {instrument.sd_n} participants' baseline scores "
        "(no published norm group)"
        if instrument.sd_basis == "baseline_sample"
        else "the standard deviation of the norm group"
    )
    return (
        f"{name}: a change of {diff} points or more counts as reliable (Jacobson & Truax 1991; "
        f"reliability {coefficient} = {r}; {basis} = {sd})."
    )


def not_assessed_sentence(entry: NotAssessed, name: str, lang: str) -> str:
    """Return why project ``name`` has no reliable change."""
    if entry.reason == "no_reliability" and entry.instrument:
        instrument = instrument_name(entry.instrument, lang)
        if lang == "nl":
            return (
                f"Voor {name} is betrouwbare verandering niet berekend: van de vragenlijst "
                f"{instrument} is geen gepubliceerde betrouwbaarheid bekend."
            )
        return (
            f"Reliable change is not computed for {name}: no published reliability is known "
            f"for the questionnaire {instrument}."
        )
    if lang == "nl":
        return (
            f"Voor {name} is betrouwbare verandering niet berekend: het project heeft geen "
            "primaire maat voor welbevinden."
        )
    return (
        f"Reliable change is not computed for {name}: the project has no primary measure of "
        "wellbeing."
    )
