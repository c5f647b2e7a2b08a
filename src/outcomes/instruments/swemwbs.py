"""SWEMWBS: the Short Warwick-Edinburgh Mental Wellbeing Scale, seven items, metric score.

Items in English and the Dutch wording of the Dutch WEMWBS, the five answer options, the raw sum
and its conversion to the Rasch-based metric score with the published table (Stewart-Brown et al.
2009; Warwick Medical School scoring guidance). No cut-offs are declared: the guidance's
population bands are not used in this project's reports.

Canonical coding (docs/architecture.md, "Canonical items and coding"): ``swemwbs_1``…``swemwbs_7``,
coded 1 "none of the time" ("Nooit") … 5 "all of the time" ("Altijd"). All items are positively
worded; none is reversed.
"""

from __future__ import annotations

import polars as pl

from outcomes.instruments.base import AnswerOption, Instrument, Item, Score, count_missing

ITEMS = (
    Item(
        "swemwbs_1",
        "Ik voelde me optimistisch over de toekomst",
        "I've been feeling optimistic about the future",
    ),
    Item("swemwbs_2", "Ik voelde me nuttig", "I've been feeling useful"),
    Item("swemwbs_3", "Ik voelde me ontspannen", "I've been feeling relaxed"),
    Item("swemwbs_4", "Ik ging goed om met problemen", "I've been dealing with problems well"),
    Item("swemwbs_5", "Ik kon helder denken", "I've been thinking clearly"),
    Item(
        "swemwbs_6",
        "Ik voelde me dicht bij andere mensen staan",
        "I've been feeling close to other people",
    ),
    Item(
        "swemwbs_7",
        "Ik kon zelf beslissingen nemen over dingen",
        "I've been able to make up my own mind about things",
    ),
)

OPTIONS = (
    AnswerOption(1, "Nooit", "None of the time", ("geen enkele keer",)),
    AnswerOption(2, "Zelden", "Rarely", ("bijna nooit",)),
    AnswerOption(3, "Soms", "Some of the time", ("af en toe",)),
    AnswerOption(4, "Vaak", "Often", ("dikwijls",)),
    AnswerOption(5, "Altijd", "All of the time", ("de hele tijd", "voortdurend")),
)

#: raw sum (7–35) → metric score, Warwick Medical School SWEMWBS conversion table
METRIC_TABLE: dict[int, float] = {
    7: 7.00,
    8: 9.51,
    9: 11.25,
    10: 12.40,
    11: 13.33,
    12: 14.08,
    13: 14.75,
    14: 15.32,
    15: 15.84,
    16: 16.36,
    17: 16.88,
    18: 17.43,
    19: 17.98,
    20: 18.59,
    21: 19.25,
    22: 19.98,
    23: 20.73,
    24: 21.54,
    25: 22.35,
    26: 23.21,
    27: 24.11,
    28: 25.03,
    29: 26.02,
    30: 27.03,
    31: 28.13,
    32: 29.31,
    33: 30.70,
    34: 32.55,
    35: 35.00,
}

SCORES = (
    Score(
        "swemwbs",
        "Mentaal welbevinden (SWEMWBS, metrische score)",
        "Mental wellbeing (SWEMWBS, metric score)",
        7.0,
        35.0,
        higher_is_better=True,
    ),
)


def score_swemwbs(items: pl.DataFrame) -> pl.DataFrame:
    """Return ``swemwbs``: the metric score of the raw item sum (7–35 → 7.00–35.00).

    The raw sum of the seven items is converted with :data:`METRIC_TABLE`, the Rasch-based
    conversion table of the Warwick scoring guidance (Stewart-Brown et al. 2009). The table is
    defined for complete raw sums only, so the score is null when any item is missing (a
    conservative rule: we found no missing-item rule for the metric score in the guidance) or
    any code is invalid.
    """
    columns = [item.column for item in ITEMS]
    raw = pl.sum_horizontal(columns).cast(pl.Int64, strict=False)
    metric = raw.replace_strict(METRIC_TABLE, default=None, return_dtype=pl.Float64)
    ok = (count_missing(columns) == 0) & INSTRUMENT.all_items_valid_expr()
    return items.select(pl.when(ok).then(metric).otherwise(None).alias("swemwbs"))


INSTRUMENT = Instrument(
    key="swemwbs",
    name="Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)",
    name_nl="Korte Warwick-Edinburgh schaal voor mentaal welbevinden (SWEMWBS)",
    items=ITEMS,
    options=OPTIONS,
    scores=SCORES,
    citation=(
        "Stewart-Brown S, Tennant A, Tennant R, Platt S, Parkinson J, Weich S (2009). Internal "
        "construct validity of the Warwick-Edinburgh Mental Well-being Scale (WEMWBS): a Rasch "
        "analysis using data from the Scottish Health Education Population Survey. Health and "
        "Quality of Life Outcomes 7:15. Metric conversion table: Warwick Medical School, "
        "SWEMWBS scoring guidance."
    ),
    scoring_rule=(
        "The seven items (1 none of the time … 5 all of the time) are summed to a raw score "
        "7–35, which is converted to the metric score (7.00–35.00) with the published Rasch "
        "conversion table; higher = better mental wellbeing."
    ),
    scoring_rule_nl=(
        "De zeven items (1 nooit … 5 altijd) worden opgeteld tot een ruwe score 7–35, die met de "
        "gepubliceerde Rasch-conversietabel wordt omgezet naar de metrische score (7,00–35,00); "
        "hoger = beter mentaal welbevinden."
    ),
    missing_rule=(
        "No missing items allowed: the conversion table needs the complete raw sum, so the "
        "score is null when any item is missing."
    ),
    missing_rule_nl=(
        "Geen ontbrekende items toegestaan: de conversietabel vraagt de volledige ruwe som, dus "
        "geen score als een item ontbreekt."
    ),
    scorer=score_swemwbs,
    wellbeing_column="swemwbs",
)
