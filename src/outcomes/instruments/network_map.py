"""The network map (ecogram): contact counts per sector, network size and diversity.

Participants place the people in their life in sectors of a map (household, other family,
friends, neighbours, acquaintances and volunteers, professionals); exports carry the number of
contacts per sector. This module derives network size (family and non-family), diversity (how
many sectors hold anyone) and the number of professionals, which is kept apart: professionals are
not part of the personal network (docs/architecture.md, "Canonical items and coding").

Canonical items: ``net_household``, ``net_family``, ``net_friends``, ``net_neighbours``,
``net_acquaintances``, ``net_professionals``, whole counts from 0 to :data:`MAX_COUNT`.
"""

from __future__ import annotations

import polars as pl

from outcomes.instruments.base import Instrument, Item, Score, count_missing

FAMILY = "family"
NONFAMILY = "nonfamily"
PROFESSIONAL = "professional"

#: largest plausible count in one sector; larger values are treated as entry errors (invalid)
MAX_COUNT = 200

ITEMS = (
    Item(
        "net_household",
        "Huisgenoten: aantal personen met wie u samenwoont",
        "Household: number of people you live with",
        subscale=FAMILY,
    ),
    Item(
        "net_family",
        "Familie: aantal familieleden buiten uw huishouden",
        "Family: number of relatives outside your household",
        subscale=FAMILY,
    ),
    Item(
        "net_friends",
        "Vrienden: aantal vrienden en vriendinnen",
        "Friends: number of friends",
        subscale=NONFAMILY,
    ),
    Item(
        "net_neighbours",
        "Buren: aantal buren en buurtgenoten met wie u contact hebt",
        "Neighbours: number of neighbours you are in touch with",
        subscale=NONFAMILY,
    ),
    Item(
        "net_acquaintances",
        "Kennissen: aantal kennissen, vrijwilligers en contacten via werk, club of kerk",
        "Acquaintances: number of acquaintances, volunteers and contacts from work, club or church",
        subscale=NONFAMILY,
    ),
    Item(
        "net_professionals",
        "Professionals: aantal hulpverleners en andere beroepskrachten",
        "Professionals: number of care workers and other professionals",
        subscale=PROFESSIONAL,
    ),
)

SCORES = (
    Score(
        "network_size",
        "Netwerkgrootte (zonder professionals)",
        "Network size (professionals excluded)",
        0.0,
        5.0 * MAX_COUNT,
        higher_is_better=None,
    ),
    Score(
        "network_family",
        "Netwerk: familie (huisgenoten en familie)",
        "Network: family (household and relatives)",
        0.0,
        2.0 * MAX_COUNT,
        higher_is_better=None,
    ),
    Score(
        "network_nonfamily",
        "Netwerk: niet-familie (vrienden, buren, kennissen)",
        "Network: non-family (friends, neighbours, acquaintances)",
        0.0,
        3.0 * MAX_COUNT,
        higher_is_better=None,
    ),
    Score(
        "network_diversity",
        "Netwerkdiversiteit (aantal sectoren met contacten, 0–5)",
        "Network diversity (sectors with any contact, 0–5)",
        0.0,
        5.0,
        higher_is_better=None,
    ),
    Score(
        "network_professionals",
        "Aantal professionals",
        "Number of professionals",
        0.0,
        float(MAX_COUNT),
        higher_is_better=None,
    ),
)


def _columns(subscale: str) -> list[str]:
    return [item.column for item in ITEMS if item.subscale == subscale]


def score_network_map(items: pl.DataFrame) -> pl.DataFrame:
    """Return ``network_size``, ``network_family``, ``network_nonfamily``, ``network_diversity``
    and ``network_professionals``.

    ``network_family`` = household + family, ``network_nonfamily`` = friends + neighbours +
    acquaintances, ``network_size`` = their sum, ``network_diversity`` = how many of those five
    sectors hold at least one person (docs/architecture.md, "Canonical items and coding").
    Professionals are counted separately.

    Missing sectors: an empty sector in an export may mean "nobody" or "not asked", and the map's
    descriptions do not settle which, so we do not guess: a score is null when any sector it
    needs is missing (size and diversity need all five personal sectors). A project whose forms
    leave a sector empty for "nobody" should map empty cells to 0 in its spec. Any invalid
    count (negative, not whole, above :data:`MAX_COUNT`) makes every network score null.
    """
    family = _columns(FAMILY)
    nonfamily = _columns(NONFAMILY)
    personal = family + nonfamily
    valid = INSTRUMENT.all_items_valid_expr()
    diversity = pl.sum_horizontal([(pl.col(c) > 0).cast(pl.Int32) for c in personal])
    return items.select(
        pl.when(valid & (count_missing(personal) == 0))
        .then(pl.sum_horizontal(personal))
        .alias("network_size"),
        pl.when(valid & (count_missing(family) == 0))
        .then(pl.sum_horizontal(family))
        .alias("network_family"),
        pl.when(valid & (count_missing(nonfamily) == 0))
        .then(pl.sum_horizontal(nonfamily))
        .alias("network_nonfamily"),
        pl.when(valid & (count_missing(personal) == 0)).then(diversity).alias("network_diversity"),
        pl.when(valid).then(pl.col("net_professionals")).alias("network_professionals"),
    )


INSTRUMENT = Instrument(
    key="network_map",
    name="Network map (ecogram)",
    name_nl="Netwerkkaart (ecogram)",
    items=ITEMS,
    options=(),
    value_range=(0.0, float(MAX_COUNT)),
    scores=SCORES,
    citation=(
        "Network map after Tracy EM, Whittaker JK (1990). The social network map: assessing "
        "social support in clinical practice. Families in Society 71(8):461-470; sectors as in "
        "the ecogram used by Dutch social work (household, family, friends, neighbours, "
        "acquaintances, professionals)."
    ),
    scoring_rule=(
        "Contacts are counted per sector. Network size = household + family + friends + "
        "neighbours + acquaintances (professionals excluded), split into family (household + "
        "family) and non-family (friends + neighbours + acquaintances); diversity = number of "
        "these five sectors holding at least one person (0–5). Professionals are counted "
        "separately."
    ),
    scoring_rule_nl=(
        "Contacten worden per sector geteld. Netwerkgrootte = huisgenoten + familie + vrienden + "
        "buren + kennissen (zonder professionals), gesplitst in familie (huisgenoten + familie) "
        "en niet-familie (vrienden + buren + kennissen); diversiteit = het aantal van deze vijf "
        "sectoren met minstens één persoon (0–5). Professionals worden apart geteld."
    ),
    missing_rule=(
        "A score is null when any sector it needs is missing (an empty sector is not read as "
        "zero); size and diversity need all five personal sectors."
    ),
    missing_rule_nl=(
        "Een score ontbreekt als een sector die ervoor nodig is ontbreekt (een lege sector telt "
        "niet als nul); grootte en diversiteit vragen alle vijf persoonlijke sectoren."
    ),
    scorer=score_network_map,
)
