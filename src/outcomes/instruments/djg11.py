"""De Jong Gierveld loneliness scale, 11 items: definition and dichotomous scoring.

Items in the original Dutch wording (De Jong Gierveld & Kamphuis 1985) with the English wording of
the manual (De Jong Gierveld & Van Tilburg 1999), the five answer options of the manual
("ja!", "ja", "min of meer", "nee", "nee!") and the total, emotional and social loneliness scores
with the manual's cut-offs. The 6-item short scale is ``djg6``.

Canonical coding (docs/architecture.md, "Canonical items and coding"): ``djg11_1``…``djg11_11`` in
the manual's item order, coded 1 ja!, 2 ja, 3 min of meer, 4 nee, 5 nee!. Exports with only ja / min
of meer / nee map onto codes 2, 3 and 4.
"""

from __future__ import annotations

import polars as pl

from outcomes.instruments.base import (
    AnswerOption,
    Cutoff,
    Instrument,
    Item,
    Score,
    loneliness_scores,
)

EMOTIONAL = "emotional"
SOCIAL = "social"

# Negatively worded items (2, 3, 5, 6, 9, 10) form emotional loneliness; positively worded items
# (1, 4, 7, 8, 11) form social loneliness. ``reverse`` marks the positive items: on them the
# "no" side of the answers counts as lonely.
ITEMS = (
    Item(
        "djg11_1",
        "Er is altijd wel iemand in mijn omgeving bij wie ik met mijn dagelijkse probleempjes "
        "terecht kan.",
        "There is always someone I can talk to about my day-to-day problems.",
        reverse=True,
        subscale=SOCIAL,
    ),
    Item(
        "djg11_2",
        "Ik mis een echt goede vriend of vriendin.",
        "I miss having a really close friend.",
        subscale=EMOTIONAL,
    ),
    Item(
        "djg11_3",
        "Ik ervaar een leegte om me heen.",
        "I experience a general sense of emptiness.",
        subscale=EMOTIONAL,
    ),
    Item(
        "djg11_4",
        "Er zijn genoeg mensen op wie ik in geval van narigheid kan terugvallen.",
        "There are plenty of people I can lean on when I have problems.",
        reverse=True,
        subscale=SOCIAL,
    ),
    Item(
        "djg11_5",
        "Ik mis gezelligheid om me heen.",
        "I miss the pleasure of the company of others.",
        subscale=EMOTIONAL,
    ),
    Item(
        "djg11_6",
        "Ik vind mijn kring van kennissen te beperkt.",
        "I find my circle of friends and acquaintances too limited.",
        subscale=EMOTIONAL,
    ),
    Item(
        "djg11_7",
        "Ik heb veel mensen op wie ik volledig kan vertrouwen.",
        "There are many people I can trust completely.",
        reverse=True,
        subscale=SOCIAL,
    ),
    Item(
        "djg11_8",
        "Er zijn voldoende mensen met wie ik me nauw verbonden voel.",
        "There are enough people I feel close to.",
        reverse=True,
        subscale=SOCIAL,
    ),
    Item(
        "djg11_9",
        "Ik mis mensen om me heen.",
        "I miss having people around me.",
        subscale=EMOTIONAL,
    ),
    Item(
        "djg11_10",
        "Vaak voel ik me in de steek gelaten.",
        "I often feel rejected.",
        subscale=EMOTIONAL,
    ),
    Item(
        "djg11_11",
        "Wanneer ik daar behoefte aan heb, kan ik altijd bij mijn vrienden terecht.",
        "I can call on my friends whenever I need them.",
        reverse=True,
        subscale=SOCIAL,
    ),
)

OPTIONS = (
    AnswerOption(1, "ja!", "yes!", ("ja !", "ja!!", "zeker wel", "ja, zeker")),
    AnswerOption(2, "ja", "yes", ("yes", "ja.")),
    AnswerOption(
        3,
        "min of meer",
        "more or less",
        ("min-of-meer", "min of meer.", "min of meer (soms)", "more-or-less"),
    ),
    AnswerOption(4, "nee", "no", ("neen", "nee.")),
    AnswerOption(5, "nee!", "no!", ("nee !", "nee!!", "zeker niet", "nee, zeker niet")),
)

#: codes counted as lonely on negatively worded (emotional) items: ja!, ja, min of meer
LONELY_ON_NEGATIVE = (1, 2, 3)
#: codes counted as lonely on positively worded (social) items: min of meer, nee, nee!
LONELY_ON_POSITIVE = (3, 4, 5)

#: most missing items for the total score (of 11); more missing → null
MAX_MISSING_TOTAL = 2

SCORES = (
    Score(
        "loneliness",
        "Eenzaamheid (De Jong Gierveld, 11 items)",
        "Loneliness (De Jong Gierveld, 11 items)",
        0.0,
        11.0,
        higher_is_better=False,
        cutoffs=(
            Cutoff("not lonely", 0, 2, "niet eenzaam"),
            Cutoff("moderately lonely", 3, 8, "matig eenzaam"),
            Cutoff("severely lonely", 9, 10, "ernstig eenzaam"),
            Cutoff("very severely lonely", 11, 11, "zeer ernstig eenzaam"),
        ),
    ),
    Score(
        "loneliness_emotional",
        "Emotionele eenzaamheid (De Jong Gierveld)",
        "Emotional loneliness (De Jong Gierveld)",
        0.0,
        6.0,
        higher_is_better=False,
    ),
    Score(
        "loneliness_social",
        "Sociale eenzaamheid (De Jong Gierveld)",
        "Social loneliness (De Jong Gierveld)",
        0.0,
        5.0,
        higher_is_better=False,
    ),
)


def score_djg11(items: pl.DataFrame) -> pl.DataFrame:
    """Return ``loneliness`` (0–11), ``loneliness_emotional`` (0–6), ``loneliness_social`` (0–5).

    Dichotomous scoring of the manual (De Jong Gierveld & Van Tilburg 1999, §7): on the negatively
    worded items "ja!", "ja" and "min of meer" count 1; on the positively worded items
    "min of meer", "nee" and "nee!" count 1. The total is the sum of both subscales.

    Missing items: like the manual's SPSS syntax, the total counts the lonely answers among the
    answered items and is null when more than two of the eleven items are missing (the manual's
    syntax for the short scale allows one of six; verify against §7 of the edition used). The
    subscales are null when any of their items is missing, as the manual prescribes for the
    subscales of the short scale. Any invalid code makes all three scores null.
    """
    return items.select(
        loneliness_scores(
            INSTRUMENT,
            LONELY_ON_NEGATIVE,
            LONELY_ON_POSITIVE,
            MAX_MISSING_TOTAL,
            ("loneliness", "loneliness_emotional", "loneliness_social"),
        )
    )


INSTRUMENT = Instrument(
    key="djg11",
    name="De Jong Gierveld Loneliness Scale (11 items)",
    name_nl="Eenzaamheidsschaal van De Jong Gierveld (11 items)",
    items=ITEMS,
    options=OPTIONS,
    scores=SCORES,
    citation=(
        "De Jong Gierveld J, Kamphuis FH (1985). The development of a Rasch-type loneliness "
        "scale. Applied Psychological Measurement 9(3):289-299. De Jong Gierveld J, Van Tilburg "
        "TG (1999). Manual of the Loneliness Scale. Vrije Universiteit Amsterdam. Cut-offs: Van "
        "Tilburg TG, De Jong Gierveld J (1999). Cesuurbepaling van de eenzaamheidsschaal. "
        "Tijdschrift voor Gerontologie en Geriatrie 30:158-163."
    ),
    scoring_rule=(
        "Dichotomous scoring: on the six negatively worded items (2, 3, 5, 6, 9, 10; emotional "
        "loneliness, 0–6) 'ja!', 'ja' and 'min of meer' count 1; on the five positively worded "
        "items (1, 4, 7, 8, 11; social loneliness, 0–5) 'min of meer', 'nee' and 'nee!' count 1. "
        "Total 0–11, higher = lonelier: 0–2 not lonely, 3–8 moderately, 9–10 severely, "
        "11 very severely lonely."
    ),
    scoring_rule_nl=(
        "Gedichotomiseerde scoring: op de zes negatief geformuleerde items (2, 3, 5, 6, 9, 10; "
        "emotionele eenzaamheid, 0–6) tellen 'ja!', 'ja' en 'min of meer' als 1; op de vijf "
        "positief geformuleerde items (1, 4, 7, 8, 11; sociale eenzaamheid, 0–5) tellen 'min of "
        "meer', 'nee' en 'nee!' als 1. Totaal 0–11, hoger = eenzamer: 0–2 niet eenzaam, 3–8 matig, "
        "9–10 ernstig, 11 zeer ernstig eenzaam."
    ),
    missing_rule=(
        "Total: the lonely answers among the answered items are counted; null when more than 2 of "
        "the 11 items are missing. Emotional and social subscales: null when any of their items "
        "is missing."
    ),
    missing_rule_nl=(
        "Totaal: de eenzame antwoorden onder de beantwoorde items worden geteld; geen score als "
        "meer dan 2 van de 11 items ontbreken. Emotionele en sociale subschaal: geen score als "
        "een van hun items ontbreekt."
    ),
    scorer=score_djg11,
)
