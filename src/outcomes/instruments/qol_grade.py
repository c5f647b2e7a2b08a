"""Quality of life as a report grade (rapportcijfer) from 1 to 10.

A single question, common in Dutch evaluations: "Welk rapportcijfer geeft u uw leven op dit
moment?" The score is the grade itself. Half grades (7.5, written "7,5") are valid answers.

Canonical item (docs/architecture.md, "Canonical items and coding"): ``qol_grade``, 1 … 10; the
score column has the same name.
"""

from __future__ import annotations

import polars as pl

from outcomes.instruments.base import Cutoff, Instrument, Item, Score

#: grades below this value are "onvoldoende" (insufficient) in the Dutch grading convention
PASS_MARK = 6.0

ITEMS = (
    Item(
        "qol_grade",
        "Welk rapportcijfer (1–10) geeft u uw leven op dit moment?",
        "What grade from 1 to 10 would you give your life at the moment?",
    ),
)

SCORES = (
    Score(
        "qol_grade",
        "Kwaliteit van leven (rapportcijfer 1–10)",
        "Quality of life (grade 1–10)",
        1.0,
        10.0,
        higher_is_better=True,
        cutoffs=(
            Cutoff("insufficient", 1.0, PASS_MARK, "onvoldoende", upper_inclusive=False),
            Cutoff("sufficient", PASS_MARK, 10.0, "voldoende"),
        ),
    ),
)


def score_qol_grade(items: pl.DataFrame) -> pl.DataFrame:
    """Return ``qol_grade``: the grade as given (1–10), null when missing or out of range.

    There are no items to combine, so there is no missing-item rule beyond "missing grade,
    missing score". A grade outside 1–10 is invalid and gives null, never a clipped value.
    """
    valid = INSTRUMENT.all_items_valid_expr()
    return items.select(pl.when(valid).then(pl.col("qol_grade")).alias("qol_grade"))


INSTRUMENT = Instrument(
    key="qol_grade",
    name="Quality of life grade (1–10)",
    name_nl="Rapportcijfer kwaliteit van leven (1–10)",
    items=ITEMS,
    options=(),
    value_range=(1.0, 10.0),
    integer_items=False,
    scores=SCORES,
    citation=(
        "Single-item global quality-of-life rating on the Dutch 1–10 report-grade scale, as "
        "used in Dutch population surveys (e.g. CBS, SCP). Single-item measures: de Boer AGEM, "
        "van Lanschot JJB, Stalmeier PFM, et al. (2004). Is a single-item visual analogue scale "
        "as valid, reliable and responsive as multi-item scales in measuring quality of life? "
        "Quality of Life Research 13(2):311-320."
    ),
    scoring_rule=(
        "The grade is the score (1–10, half grades allowed), higher = better quality of life; "
        "a grade below 6 is insufficient ('onvoldoende')."
    ),
    scoring_rule_nl=(
        "Het rapportcijfer is de score (1–10, halve cijfers toegestaan), hoger = betere "
        "kwaliteit van leven; een cijfer onder de 6 is onvoldoende."
    ),
    missing_rule="A single item: a missing or out-of-range grade gives no score.",
    missing_rule_nl="Eén vraag: een ontbrekend of ongeldig cijfer geeft geen score.",
    scorer=score_qol_grade,
    wellbeing_column="qol_grade",
)
