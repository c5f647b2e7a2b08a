"""The reliable change figure: one stacked bar per network group of the shares of the four
classes, in greyscale (docs/architecture.md, "Reliable change").

Belongs here: drawing from the protected table of the report tables, in the house style of
``figures.py`` (its rc settings, deterministic SVG). The four classes are told apart by grey
level and hatching, so the figure reads on a black-and-white print. A group whose shares are
withheld (small base, hidden counts) gets no bar but the words "too few participants".
Does not belong here: computing or protecting the shares (``reliable_change_tables.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from outcomes.documents.report_tables import ShownReliableChange
from outcomes.language import format_number, word
from outcomes.models.reliable_change import CLASSES
from outcomes.reports.content_blocks import capitalise, zipped_rows
from outcomes.reports.figures import GRID, NEUTRAL, RC, WIDTH_IN, _svg
from outcomes.reports.labels import group_label

#: Fill, hatch and text colour per class, darkest = best, so the order reads without colour.
CLASS_STYLE: dict[str, dict[str, str]] = {
    "recovered": {"fill": "#252525", "hatch": "", "text": "#FFFFFF"},
    "improved": {"fill": "#737373", "hatch": "", "text": "#FFFFFF"},
    "unchanged": {"fill": "#E0E0E0", "hatch": "", "text": "#000000"},
    "deteriorated": {"fill": "#FFFFFF", "hatch": "////", "text": "#000000"},
}

#: The part of a bar whose classes are hidden by disclosure control (their sum is what the
#: table's n minus its shown counts says already).
HIDDEN_STYLE: dict[str, str] = {"fill": "#FFFFFF", "hatch": "...", "text": "#000000",
                                "edge": "#9E9E9E"}  # fmt: skip


def shown_classes(shown: ShownReliableChange) -> tuple[str, ...]:
    """Return the classes the report shows: without a usable cut-off nobody can be
    recovered, so that class is left out."""
    return CLASSES if shown.recovered_possible else CLASSES[1:]


def reliable_change_figure(shown: ShownReliableChange, lang: str) -> bytes:
    """Return an SVG of horizontal stacked bars: per network group (and all together, at the
    top) the share of participants in each class, labelled with the share where it fits."""
    assert shown.table is not None
    classes = shown_classes(shown)
    rows = zipped_rows(shown.table)
    ordered = [rows[-1], *rows[:-1]]
    with rc_context(cast(Any, RC)):
        figure = Figure(figsize=(WIDTH_IN, 0.42 * len(ordered) + 1.0), layout="constrained")
        axes = figure.subplots()
        labels = []
        hidden_any = False
        for index, (values, _) in enumerate(ordered):
            y = len(ordered) - 1 - index
            group = values["network_group"]
            labels.append(
                capitalise(word("total", lang) if group == "total" else group_label(group, lang))
            )
            if values.get("n") is None:
                axes.text(1, y, word("rc_hidden_bar", lang), va="center", color="#555555")
                continue
            hidden_any |= _bar(axes, y, [values.get(f"pct_{c}") for c in classes], classes, lang)
        axes.set_yticks(range(len(ordered)))
        axes.set_yticklabels(list(reversed(labels)))
        axes.set_xlim(0, 100)
        axes.set_ylim(-0.7, len(ordered) - 0.3)  # room for a text-only row at the bottom
        axes.set_xlabel(word("rc_axis", lang))
        axes.grid(axis="x", color=GRID, linewidth=0.6)
        axes.set_axisbelow(True)
        axes.spines["left"].set_visible(False)
        axes.tick_params(axis="y", length=0)
        handles = [
            Patch(
                facecolor=CLASS_STYLE[c]["fill"],
                hatch=CLASS_STYLE[c]["hatch"],
                edgecolor=NEUTRAL,
                linewidth=0.6,
                label=capitalise(word(f"rc_{c}", lang)),
            )
            for c in classes
        ]
        if hidden_any:
            handles.append(
                Patch(
                    facecolor=HIDDEN_STYLE["fill"],
                    hatch=HIDDEN_STYLE["hatch"],
                    edgecolor=HIDDEN_STYLE["edge"],
                    linewidth=0.6,
                    label=word("rc_hidden_share", lang),
                )
            )
        figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 3))
        return _svg(figure)


def _bar(
    axes: Any, y: float, shares: list[float | None], classes: tuple[str, ...], lang: str
) -> bool:
    """Draw one bar of class shares (None: hidden by disclosure control) and return whether a
    part was hidden. Hidden classes that sit next to each other in the class order are drawn as
    one dotted part in their place; hidden classes apart from each other cannot be placed, so
    their sum goes at the end of the bar."""
    hidden = [i for i, share in enumerate(shares) if share is None]
    rest = 100.0 - sum(share for share in shares if share is not None)
    in_place = bool(hidden) and hidden == list(range(hidden[0], hidden[-1] + 1))
    left = 0.0
    for index, (name, share) in enumerate(zip(classes, shares, strict=True)):
        if share is not None:
            _segment(axes, y, left, share, CLASS_STYLE[name], lang)
            left += share
        elif in_place and index == hidden[0] and rest > 0.05:
            _segment(axes, y, left, rest, HIDDEN_STYLE, lang, label=False)
            left += rest
    if not in_place and rest > 0.05:
        _segment(axes, y, left, rest, HIDDEN_STYLE, lang, label=False)
    return rest > 0.05


def _segment(
    axes: Any,
    y: float,
    left: float,
    share: float,
    style: Mapping[str, str],
    lang: str,
    label: bool = True,
) -> None:
    """Draw one part of a bar, with its share written in it where it fits."""
    axes.barh(
        y, share, left=left, height=0.62, color=style["fill"], hatch=style["hatch"],
        edgecolor=style.get("edge", NEUTRAL), linewidth=0.6,
    )  # fmt: skip
    if label and share >= 7:
        axes.text(
            left + share / 2, y, format_number(share, 0, lang), ha="center", va="center",
            color=style["text"], fontsize=7.5,
            bbox={"facecolor": "#FFFFFF", "edgecolor": "none", "pad": 0.6}
            if style["hatch"] else None,
        )  # fmt: skip
