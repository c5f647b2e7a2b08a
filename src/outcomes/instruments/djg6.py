"""De Jong Gierveld loneliness scale, 6-item short version: definition and scoring.

Items in Dutch and English, the three answer options (ja / min of meer / nee), and the total,
emotional and social scores with the manual's cut-offs (De Jong Gierveld & Van Tilburg 2006;
manual §8). The 11-item scale is ``djg11``.

Canonical coding (docs/architecture.md, "Canonical items and coding"): ``djg6_1``…``djg6_6`` are
emptiness, miss people around, rejected (the emotional items, 11-item numbering 3, 9, 10) and rely
on, trust, feel close (the social items, 11-item numbering 4, 7, 8); codes 1 ja, 2 min of meer, 3
nee.
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

ITEMS = (
    Item(
        "djg6_1",
        "Ik ervaar een leegte om me heen.",
        "I experience a general sense of emptiness.",
        subscale=EMOTIONAL,
    ),
    Item(
        "djg6_2",
        "Ik mis mensen om me heen.",
        "I miss having people around me.",
        subscale=EMOTIONAL,
    ),
    Item(
        "djg6_3",
        "Vaak voel ik me in de steek gelaten.",
        "I often feel rejected.",
        subscale=EMOTIONAL,
    ),
    Item(
        "djg6_4",
        "Er zijn genoeg mensen op wie ik in geval van narigheid kan terugvallen.",
        "There are plenty of people I can rely on when I have problems.",
        reverse=True,
        subscale=SOCIAL,
    ),
    Item(
        "djg6_5",
        "Ik heb veel mensen op wie ik volledig kan vertrouwen.",
        "There are many people I can trust completely.",
        reverse=True,
        subscale=SOCIAL,
    ),
    Item(
        "djg6_6",
        "Er zijn voldoende mensen met wie ik me nauw verbonden voel.",
        "There are enough people I feel close to.",
        reverse=True,
        subscale=SOCIAL,
    ),
)

OPTIONS = (
    AnswerOption(1, "ja", "yes", ("ja!", "ja.", "yes!")),
    AnswerOption(
        2,
        "min of meer",
        "more or less",
        ("min-of-meer", "min of meer.", "min of meer (soms)", "more-or-less"),
    ),
    AnswerOption(3, "nee", "no", ("nee!", "neen", "nee.", "no!")),
)

#: codes counted as lonely on the emotional items: ja, min of meer
LONELY_ON_EMOTIONAL = (1, 2)
#: codes counted as lonely on the social items: min of meer, nee
LONELY_ON_SOCIAL = (2, 3)

#: most missing items for the total (of 6), from the manual's SPSS syntax
MAX_MISSING_TOTAL = 1

SCORES = (
    Score(
        "loneliness6",
        "Eenzaamheid (De Jong Gierveld, 6 items)",
        "Loneliness (De Jong Gierveld, 6 items)",
        0.0,
        6.0,
        higher_is_better=False,
        cutoffs=(
            Cutoff("not lonely", 0, 1, "niet eenzaam"),
            Cutoff("moderately lonely", 2, 4, "matig eenzaam"),
            Cutoff("severely lonely", 5, 6, "ernstig eenzaam"),
        ),
    ),
    Score(
        "loneliness6_emotional",
        "Emotionele eenzaamheid (De Jong Gierveld, 6 items)",
        "Emotional loneliness (De Jong Gierveld, 6 items)",
        0.0,
        3.0,
        higher_is_better=False,
        cutoffs=(
            Cutoff("not lonely", 0, 0, "niet eenzaam"),
            Cutoff("lonely", 1, 3, "eenzaam"),
        ),
    ),
    Score(
        "loneliness6_social",
        "Sociale eenzaamheid (De Jong Gierveld, 6 items)",
        "Social loneliness (De Jong Gierveld, 6 items)",
        0.0,
        3.0,
        higher_is_better=False,
        cutoffs=(
            Cutoff("not lonely", 0, 0, "niet eenzaam"),
            Cutoff("lonely", 1, 3, "eenzaam"),
        ),
    ),
)


def score_djg6(items: pl.DataFrame) -> pl.DataFrame:
    """Return ``loneliness6`` (0–6), ``loneliness6_emotional`` and ``loneliness6_social`` (0–3).

    Manual §8 (De Jong Gierveld & Van Tilburg 1999, updated; 2006 paper): emotional items count 1
    for "ja" or "min of meer", social items count 1 for "nee" or "min of meer".

    Missing items, as the manual's SPSS syntax: the total counts the lonely answers among the
    answered items and is null when more than one item is missing; each subscale is null when
    any of its three items is missing. Any invalid code makes all three scores null.
    """
    return items.select(
        loneliness_scores(
            INSTRUMENT,
            LONELY_ON_EMOTIONAL,
            LONELY_ON_SOCIAL,
            MAX_MISSING_TOTAL,
            ("loneliness6", "loneliness6_emotional", "loneliness6_social"),
        )
    )


INSTRUMENT = Instrument(
    key="djg6",
    name="De Jong Gierveld Loneliness Scale (6 items)",
    name_nl="Eenzaamheidsschaal van De Jong Gierveld (6 items)",
    items=ITEMS,
    options=OPTIONS,
    scores=SCORES,
    citation=(
        "De Jong Gierveld J, Van Tilburg TG (2006). A 6-item scale for overall, emotional, and "
        "social loneliness: confirmatory tests on survey data. Research on Aging 28(5):582-598. "
        "De Jong Gierveld J, Van Tilburg TG (2008). De ingekorte schaal voor algemene, "
        "emotionele en sociale eenzaamheid. Tijdschrift voor Gerontologie en Geriatrie "
        "39:4-15."
    ),
    scoring_rule=(
        "Emotional items (emptiness, miss people, rejected) count 1 for 'ja' or 'min of meer'; "
        "social items (rely on, trust, feel close) count 1 for 'nee' or 'min of meer'. Subscales "
        "0–3, total 0–6, higher = lonelier: 0–1 not lonely, 2–4 moderately, 5–6 severely lonely; "
        "a subscale of 1–3 counts as lonely."
    ),
    scoring_rule_nl=(
        "Emotionele items (leegte, mensen missen, in de steek gelaten) tellen 1 bij 'ja' of 'min "
        "of meer'; sociale items (terugvallen, vertrouwen, verbonden) tellen 1 bij 'nee' of 'min "
        "of meer'. Subschalen 0–3, totaal 0–6, hoger = eenzamer: 0–1 niet eenzaam, 2–4 matig, "
        "5–6 ernstig eenzaam."
    ),
    missing_rule=(
        "As the manual's syntax: total null when more than 1 of the 6 items is missing (lonely "
        "answers among the answered items are counted); each subscale null when any of its 3 "
        "items is missing."
    ),
    missing_rule_nl=(
        "Volgens de handleiding: geen totaalscore als meer dan 1 van de 6 items ontbreekt (de "
        "eenzame antwoorden onder de beantwoorde items worden geteld); geen subschaalscore als "
        "een van de 3 items ontbreekt."
    ),
    scorer=score_djg6,
)
