"""Labels and numbers in the report language: waves, groups, outcomes, verdicts, intervals, p.

Belongs here: the words and formatted numbers every part of a report shares — labels of waves,
network groups, composition categories, outcomes and verdicts, 95% intervals, p-values, values
with their unit, protected counts inside a sentence — and the rounding used throughout (the tests
rely on it): means and percentages 1 and 0 decimals, the yearly change ("slope") 1 decimal in
sentences and 2 in tables, the Matthew interaction 2 decimals in sentences and 3 in tables,
p-values 3 decimals (``< 0,001`` below that). Words come from the language catalogs and numbers
from the locale formatting of ``outcomes.language`` (docs/architecture.md, "Languages and words").
Does not belong here: sentences and paragraphs (``project_text.py``, ``matthew_text.py``,
``synthesis_text.py``), deciding what may be shown (``disclosure.py``) or layout (templates).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from outcomes.documents import ReportTables
from outcomes.language import format_number, has_word, word

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


def protected_count(display: str, lang: str) -> str:
    """Return a protected count for a sentence: ``"<10"`` → ``"minder dan 10"``."""
    if display == "x":
        return word("count_hidden", lang)
    if display.startswith("<"):
        return word("count_below", lang, n=display[1:])
    return display


def join_names(names: Sequence[str], lang: str) -> str:
    """Return names as a list in words: ``"A, B en C"`` (nl) or ``"A, B and C"`` (en)."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {word('and', lang)} " + names[-1]


def left_out_text(tables: ReportTables, lang: str) -> list[str]:
    """Return one paragraph per project the models left out (``tables.left_out``): the
    project's name and the reason, in the words of the language catalog (docs/architecture.md,
    "Specs without instruments and single measurements")."""
    names: dict[str, str] = {}
    if tables.project is not None:
        names[tables.project] = tables.project_name
    elif tables.projects is not None and {"project", "name"} <= set(tables.projects.columns):
        ids, shown = tables.projects.columns.index("project"), tables.projects.columns.index("name")
        names = {str(row[ids]): str(row[shown]) for row in tables.projects.values}
    return [
        word(f"left_out_{entry.reason}", lang, project=names.get(entry.project, entry.project))
        for entry in tables.left_out or ()
    ]
