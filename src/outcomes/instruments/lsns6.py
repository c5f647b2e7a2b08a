"""LSNS-6: the abbreviated Lubben Social Network Scale, six items.

Items in English (Lubben et al. 2006) and Dutch, the six count categories with their published
codes 0–5, the total, the family and friends subscales and the isolation flag (total below 12).

Canonical coding (docs/architecture.md, "Canonical items and coding"): ``lsns6_1``…``lsns6_3``
family (seen or heard from monthly; can talk about private matters; could call on for help),
``lsns6_4``…``lsns6_6`` the same for friends; codes 0 none, 1 one, 2 two, 3 three or four, 4 five to
eight, 5 nine or more.
"""

from __future__ import annotations

import polars as pl

from outcomes.instruments.base import AnswerOption, Cutoff, Instrument, Item, Score, count_missing

FAMILY = "family"
FRIENDS = "friends"

ITEMS = (
    Item(
        "lsns6_1",
        "Hoeveel familieleden ziet of spreekt u minstens één keer per maand?",
        "How many relatives do you see or hear from at least once a month?",
        subscale=FAMILY,
    ),
    Item(
        "lsns6_2",
        "Met hoeveel familieleden voelt u zich zo op uw gemak dat u met hen over persoonlijke "
        "zaken kunt praten?",
        "How many relatives do you feel at ease with that you can talk about private matters?",
        subscale=FAMILY,
    ),
    Item(
        "lsns6_3",
        "Hoeveel familieleden voelt u zich zo nabij dat u hen om hulp zou kunnen vragen?",
        "How many relatives do you feel close to such that you could call on them for help?",
        subscale=FAMILY,
    ),
    Item(
        "lsns6_4",
        "Hoeveel vrienden ziet of spreekt u minstens één keer per maand?",
        "How many of your friends do you see or hear from at least once a month?",
        subscale=FRIENDS,
    ),
    Item(
        "lsns6_5",
        "Met hoeveel vrienden voelt u zich zo op uw gemak dat u met hen over persoonlijke zaken "
        "kunt praten?",
        "How many friends do you feel at ease with that you can talk about private matters?",
        subscale=FRIENDS,
    ),
    Item(
        "lsns6_6",
        "Hoeveel vrienden voelt u zich zo nabij dat u hen om hulp zou kunnen vragen?",
        "How many friends do you feel close to such that you could call on them for help?",
        subscale=FRIENDS,
    ),
)

OPTIONS = (
    AnswerOption(0, "geen", "none", ("niemand", "geen enkele")),
    AnswerOption(1, "één", "one", ("een", "één persoon", "1 persoon")),
    AnswerOption(2, "twee", "two", ("2 personen",)),
    AnswerOption(3, "drie of vier", "three or four", ("3-4", "3 of 4", "3 tot 4", "drie tot vier")),
    AnswerOption(4, "vijf tot acht", "five to eight", ("5-8", "5 tot 8", "five thru eight")),
    AnswerOption(5, "negen of meer", "nine or more", ("9+", "9 of meer", "negen en meer")),
)

#: total below this value marks risk of social isolation (Lubben et al. 2006)
ISOLATION_THRESHOLD = 12

SCORES = (
    Score(
        "lsns6",
        "Sociaal netwerk (LSNS-6)",
        "Social network (LSNS-6)",
        0.0,
        30.0,
        higher_is_better=True,
        cutoffs=(
            Cutoff(
                "at risk of social isolation",
                0,
                ISOLATION_THRESHOLD,
                "risico op sociaal isolement",
                upper_inclusive=False,
            ),
            Cutoff("not at risk", ISOLATION_THRESHOLD, 30, "geen risico"),
        ),
    ),
    Score(
        "lsns6_family",
        "Familienetwerk (LSNS-6)",
        "Family network (LSNS-6)",
        0.0,
        15.0,
        higher_is_better=True,
        cutoffs=(
            Cutoff("marginal family ties", 0, 6, "weinig familiebanden", upper_inclusive=False),
            Cutoff("not marginal", 6, 15, "voldoende familiebanden"),
        ),
    ),
    Score(
        "lsns6_friends",
        "Vriendennetwerk (LSNS-6)",
        "Friends network (LSNS-6)",
        0.0,
        15.0,
        higher_is_better=True,
        cutoffs=(
            Cutoff(
                "marginal friendship ties", 0, 6, "weinig vriendschapsbanden", upper_inclusive=False
            ),
            Cutoff("not marginal", 6, 15, "voldoende vriendschapsbanden"),
        ),
    ),
    Score(
        "lsns6_isolated",
        "Risico op sociaal isolement (LSNS-6 < 12)",
        "At risk of social isolation (LSNS-6 < 12)",
        0.0,
        1.0,
        higher_is_better=None,
        dtype=pl.Boolean,
    ),
)


def _columns(subscale: str) -> list[str]:
    return [item.column for item in ITEMS if item.subscale == subscale]


def score_lsns6(items: pl.DataFrame) -> pl.DataFrame:
    """Return ``lsns6`` (0–30), ``lsns6_family``, ``lsns6_friends`` (0–15), ``lsns6_isolated``.

    Lubben et al. (2006): the total is the sum of the six item codes (0–5 each), each subscale
    the sum of its three items; a total below 12 flags risk of social isolation, a subscale
    below 6 marginal ties. No item is reversed.

    Missing items: the scale's papers give no proration rule, so every score needs all of its
    items (conservative): the total and the flag need all six, a subscale its three. Any
    invalid code makes all four scores null.
    """
    family = _columns(FAMILY)
    friends = _columns(FRIENDS)
    valid = INSTRUMENT.all_items_valid_expr()
    total = pl.sum_horizontal(family + friends)
    total_ok = valid & (count_missing(family + friends) == 0)
    return items.select(
        pl.when(total_ok).then(total).alias("lsns6"),
        pl.when(valid & (count_missing(family) == 0))
        .then(pl.sum_horizontal(family))
        .alias("lsns6_family"),
        pl.when(valid & (count_missing(friends) == 0))
        .then(pl.sum_horizontal(friends))
        .alias("lsns6_friends"),
        pl.when(total_ok).then(total < ISOLATION_THRESHOLD).alias("lsns6_isolated"),
    )


INSTRUMENT = Instrument(
    key="lsns6",
    name="Lubben Social Network Scale, 6 items (LSNS-6)",
    name_nl="Lubben Social Network Scale, 6 items (LSNS-6)",
    items=ITEMS,
    options=OPTIONS,
    scores=SCORES,
    citation=(
        "Lubben J, Blozik E, Gillmann G, Iliffe S, von Renteln Kruse W, Beck JC, Stuck AE (2006). "
        "Performance of an abbreviated version of the Lubben Social Network Scale among three "
        "European community-dwelling older adult populations. The Gerontologist 46(4):503-513."
    ),
    scoring_rule=(
        "Items are coded 0 (none) to 5 (nine or more); family (3 items) and friends (3 items) "
        "subscales 0–15, total 0–30, higher = larger network. A total below 12 marks risk of "
        "social isolation; a subscale below 6 marginal family or friendship ties."
    ),
    scoring_rule_nl=(
        "Items worden gecodeerd van 0 (geen) tot 5 (negen of meer); subschalen familie en "
        "vrienden (elk 3 items) 0–15, totaal 0–30, hoger = groter netwerk. Een totaal onder 12 "
        "wijst op risico op sociaal isolement; een subschaal onder 6 op weinig familie- of "
        "vriendschapsbanden."
    ),
    missing_rule=(
        "No missing items allowed: the total and the isolation flag need all six items, each "
        "subscale its three items."
    ),
    missing_rule_nl=(
        "Geen ontbrekende items toegestaan: het totaal en de isolementsvlag vragen alle zes "
        "items, elke subschaal haar drie items."
    ),
    scorer=score_lsns6,
)
