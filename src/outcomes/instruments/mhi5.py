"""MHI-5: the Mental Health Inventory, five items of the RAND-36 / SF-36 mental health scale.

Definition and scoring of the MHI-5 only: items with the Dutch texts of the RAND-36 (Van der Zee
& Sanderman 1993, items 24, 25, 26, 28 and 30), answer options, the 0–100 score and the CBS
cut-off. Value mapping at ingest and validation use this definition; they live elsewhere.

Canonical coding (docs/architecture.md, "Canonical items and coding"): ``mhi5_1``…``mhi5_5`` are
items a–e, coded 1 ("all of the time", "Voortdurend") … 6 ("none of the time", "Nooit").
"""

from __future__ import annotations

import polars as pl

from outcomes.instruments.base import AnswerOption, Cutoff, Instrument, Item, Score, count_missing

ITEMS = (
    Item(
        "mhi5_1",
        "Voelde u zich erg zenuwachtig?",
        "Have you been a very nervous person?",
    ),
    Item(
        "mhi5_2",
        "Zat u zo erg in de put dat niets u kon opvrolijken?",
        "Have you felt so down in the dumps that nothing could cheer you up?",
    ),
    Item(
        "mhi5_3",
        "Voelde u zich kalm en rustig?",
        "Have you felt calm and peaceful?",
        reverse=True,
    ),
    Item(
        "mhi5_4",
        "Voelde u zich neerslachtig en somber?",
        "Have you felt downhearted and blue?",
    ),
    Item(
        "mhi5_5",
        "Voelde u zich gelukkig?",
        "Have you been a happy person?",
        reverse=True,
    ),
)

OPTIONS = (
    AnswerOption(1, "Voortdurend", "All of the time", ("altijd", "de hele tijd")),
    AnswerOption(2, "Meestal", "Most of the time", ("het grootste deel van de tijd",)),
    AnswerOption(3, "Vaak", "A good bit of the time", ("een groot deel van de tijd",)),
    AnswerOption(4, "Soms", "Some of the time", ("af en toe",)),
    AnswerOption(5, "Zelden", "A little of the time", ("een klein deel van de tijd",)),
    AnswerOption(6, "Nooit", "None of the time", ("geen enkele keer", "helemaal niet")),
)

#: fewest answered items for a score (of five); fewer answered → null
MIN_ANSWERED = 4

SCORES = (
    Score(
        "mhi5",
        "Psychische gezondheid (MHI-5)",
        "Mental health (MHI-5)",
        0.0,
        100.0,
        higher_is_better=True,
        cutoffs=(
            Cutoff("mentally unhealthy", 0.0, 60.0, "psychisch ongezond", upper_inclusive=False),
            Cutoff("mentally healthy", 60.0, 100.0, "psychisch gezond"),
        ),
    ),
)


def score_mhi5(items: pl.DataFrame) -> pl.DataFrame:
    """Return ``mhi5``: 100 · (S − 5) / 25, where S is the item sum on the 1–6 scale.

    Items a, b, d (``mhi5_1``, ``mhi5_2``, ``mhi5_4``) count their code as is (1 = all of the time
    nervous … 6 = none of the time), items c and e (calm, happy) are reversed (7 − code), so a
    higher score is better mental health (RAND-36 scoring rules; Berwick et al. 1991).

    Missing items: RAND averages whatever items were answered; we are stricter and score only
    when at least four of five items are answered, prorating S as 5 × the mean of the answered
    items. Any invalid code makes the score null.
    """
    columns = [item.column for item in ITEMS]
    recoded = [
        (7.0 - pl.col(item.column)) if item.reverse else pl.col(item.column) for item in ITEMS
    ]
    answered = len(columns) - count_missing(columns)
    item_mean = pl.mean_horizontal(recoded)
    score = 100.0 * (5.0 * item_mean - 5.0) / 25.0
    ok = (answered >= MIN_ANSWERED) & INSTRUMENT.all_items_valid_expr()
    return items.select(pl.when(ok).then(score).otherwise(None).alias("mhi5"))


INSTRUMENT = Instrument(
    key="mhi5",
    name="Mental Health Inventory (MHI-5)",
    name_nl="Mental Health Inventory (MHI-5)",
    items=ITEMS,
    options=OPTIONS,
    scores=SCORES,
    citation=(
        "Berwick DM, Murphy JM, Goldman PA, Ware JE Jr, Barsky AJ, Weinstein MC (1991). "
        "Performance of a five-item mental health screening test. Medical Care 29(2):169-176. "
        "Dutch version: Van der Zee KI, Sanderman R (1993). Het meten van de algemene "
        "gezondheidstoestand met de RAND-36. Groningen: Noordelijk Centrum voor "
        "Gezondheidsvraagstukken."
    ),
    scoring_rule=(
        "Items c (calm) and e (happy) are reversed (7 − code); the item sum S (5–30) is "
        "transformed to 100 · (S − 5) / 25, so 0–100 with higher = better mental health. "
        "Below 60 counts as mentally unhealthy (CBS)."
    ),
    scoring_rule_nl=(
        "Items c (kalm) en e (gelukkig) worden omgescoord (7 − code); de somscore S (5–30) wordt "
        "omgerekend naar 100 · (S − 5) / 25, dus 0–100 waarbij hoger beter is. Een score onder "
        "60 geldt als psychisch ongezond (CBS)."
    ),
    missing_rule=(
        "Scored when at least 4 of the 5 items are answered; the sum is prorated (5 × mean of "
        "the answered items). Stricter than RAND-36, which averages any answered items."
    ),
    missing_rule_nl=(
        "Een score wordt berekend als minstens 4 van de 5 items zijn beantwoord; de som wordt "
        "dan naar rato aangevuld (5 × het gemiddelde van de beantwoorde items)."
    ),
    scorer=score_mhi5,
    wellbeing_column="mhi5",
)
