"""De Jong Gierveld loneliness scales (11 and 6 items) against hand-worked examples."""

from __future__ import annotations

import polars as pl
import pytest

from outcomes.instruments import INSTRUMENTS
from outcomes.instruments.base import normalise_label

DJG11 = INSTRUMENTS["djg11"]
DJG6 = INSTRUMENTS["djg6"]
C11 = [f"djg11_{i}" for i in range(1, 12)]
C6 = [f"djg6_{i}" for i in range(1, 7)]
NEGATIVE = [2, 3, 5, 6, 9, 10]  # emotional, 11-item numbering
POSITIVE = [1, 4, 7, 8, 11]  # social

# 11-item codes
JA_BANG, JA, MOM, NEE, NEE_BANG = 1.0, 2.0, 3.0, 4.0, 5.0


def frame11(rows: list[list[float | None]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={c: pl.Float64 for c in C11}, orient="row")


def not_lonely_row() -> list[float | None]:
    """Every answer on the not-lonely side: nee! on negative items, ja! on positive items."""
    return [NEE_BANG if i in NEGATIVE else JA_BANG for i in range(1, 12)]


def score11(rows: list[list[float | None]]) -> pl.DataFrame:
    return DJG11.score(frame11(rows))


def test_djg11_not_lonely_and_maximally_lonely() -> None:
    lonely = [JA_BANG if i in NEGATIVE else NEE_BANG for i in range(1, 12)]
    result = score11([not_lonely_row(), lonely])
    assert result.rows() == [(0.0, 0.0, 0.0), (11.0, 6.0, 5.0)]


@pytest.mark.parametrize(
    ("code", "counts"),
    [(JA_BANG, 1), (JA, 1), (MOM, 1), (NEE, 0), (NEE_BANG, 0)],
)
@pytest.mark.parametrize("item", NEGATIVE)
def test_djg11_negative_items_count_yes_side_and_more_or_less(
    item: int, code: float, counts: int
) -> None:
    row = not_lonely_row()
    row[item - 1] = code
    result = score11([row]).row(0, named=True)
    assert result["loneliness"] == counts
    assert result["loneliness_emotional"] == counts
    assert result["loneliness_social"] == 0


@pytest.mark.parametrize(
    ("code", "counts"),
    [(JA_BANG, 0), (JA, 0), (MOM, 1), (NEE, 1), (NEE_BANG, 1)],
)
@pytest.mark.parametrize("item", POSITIVE)
def test_djg11_positive_items_are_reversed(item: int, code: float, counts: int) -> None:
    row = not_lonely_row()
    row[item - 1] = code
    result = score11([row]).row(0, named=True)
    assert result["loneliness"] == counts
    assert result["loneliness_social"] == counts
    assert result["loneliness_emotional"] == 0


def test_djg11_hand_worked_mixed_row() -> None:
    # items 1..11: ja, ja, nee, min of meer, nee!, ja!, nee, ja, min of meer, nee, nee!
    row = [JA, JA, NEE, MOM, NEE_BANG, JA_BANG, NEE, JA, MOM, NEE, NEE_BANG]
    # emotional (2,3,5,6,9,10): ja=1, nee=0, nee!=0, ja!=1, mom=1, nee=0 -> 3
    # social (1,4,7,8,11): ja=0, mom=1, nee=1, ja=0, nee!=1 -> 3
    assert score11([row]).rows() == [(6.0, 3.0, 3.0)]


def test_djg11_missing_items() -> None:
    two_missing = not_lonely_row()
    two_missing[1] = None  # emotional item
    two_missing[0] = None  # social item
    three_missing = list(two_missing)
    three_missing[2] = None
    one_social_missing = not_lonely_row()
    one_social_missing[3] = None
    one_social_missing[4] = JA  # emotional item 5 lonely
    result = score11([two_missing, three_missing, one_social_missing])
    assert result["loneliness"].to_list() == [0.0, None, 1.0]
    assert result["loneliness_emotional"].to_list() == [None, None, 1.0]
    assert result["loneliness_social"].to_list() == [None, None, None]


@pytest.mark.parametrize("bad", [0.0, 6.0, 2.5])
def test_djg11_invalid_code_nulls_every_score(bad: float) -> None:
    row = not_lonely_row()
    row[5] = bad
    assert score11([row]).rows() == [(None, None, None)]


@pytest.mark.parametrize(
    ("total", "label"),
    [
        (0, "not lonely"),
        (2, "not lonely"),
        (3, "moderately lonely"),
        (8, "moderately lonely"),
        (9, "severely lonely"),
        (10, "severely lonely"),
        (11, "very severely lonely"),
    ],
)
def test_djg11_cutoff_boundaries(total: int, label: str) -> None:
    # make exactly `total` items lonely, emotional items first
    order = NEGATIVE + POSITIVE
    row = not_lonely_row()
    for item in order[:total]:
        row[item - 1] = JA if item in NEGATIVE else NEE
    result = score11([row])
    assert result["loneliness"].to_list() == [float(total)]
    score = DJG11.score_by_column("loneliness")
    assert score.classify(float(total)) == label
    assert result.select(score.category_expr())["loneliness_category"].to_list() == [label]


def test_djg11_labels_normalise() -> None:
    codes = DJG11.label_codes()
    assert codes[normalise_label("Ja!")] == 1
    assert codes[normalise_label(" ja ! ")] == 1
    assert codes[normalise_label("JA")] == 2
    assert codes[normalise_label("Min of meer")] == 3
    assert codes[normalise_label("min-of-meer")] == 3
    assert codes[normalise_label(" nee ")] == 4
    assert codes[normalise_label("Nee!")] == 5
    assert codes[normalise_label("NEE !")] == 5


# ---- 6 items: codes 1 ja, 2 min of meer, 3 nee; items 1-3 emotional, 4-6 social


def score6(rows: list[list[float | None]]) -> pl.DataFrame:
    return DJG6.score(pl.DataFrame(rows, schema={c: pl.Float64 for c in C6}, orient="row"))


NOT_LONELY6: list[float | None] = [3.0, 3.0, 3.0, 1.0, 1.0, 1.0]


@pytest.mark.parametrize(("code", "counts"), [(1.0, 1), (2.0, 1), (3.0, 0)])
@pytest.mark.parametrize("item", [1, 2, 3])
def test_djg6_emotional_items(item: int, code: float, counts: int) -> None:
    row = list(NOT_LONELY6)
    row[item - 1] = code
    assert score6([row]).rows() == [(float(counts), float(counts), 0.0)]


@pytest.mark.parametrize(("code", "counts"), [(1.0, 0), (2.0, 1), (3.0, 1)])
@pytest.mark.parametrize("item", [4, 5, 6])
def test_djg6_social_items_are_reversed(item: int, code: float, counts: int) -> None:
    row = list(NOT_LONELY6)
    row[item - 1] = code
    assert score6([row]).rows() == [(float(counts), 0.0, float(counts))]


def test_djg6_hand_worked_and_extremes() -> None:
    # ja, nee, min of meer | ja, min of meer, nee -> emotional 2, social 2
    rows = [[1.0, 3.0, 2.0, 1.0, 2.0, 3.0], [1.0, 1.0, 1.0, 3.0, 3.0, 3.0]]
    assert score6(rows).rows() == [(4.0, 2.0, 2.0), (6.0, 3.0, 3.0)]


def test_djg6_missing_rule_follows_manual_syntax() -> None:
    one_missing = [None, 1.0, 3.0, 1.0, 1.0, 3.0]
    two_missing = [None, None, 3.0, 1.0, 1.0, 3.0]
    result = score6([one_missing, two_missing])
    assert result["loneliness6"].to_list() == [2.0, None]
    assert result["loneliness6_emotional"].to_list() == [None, None]
    assert result["loneliness6_social"].to_list() == [1.0, 1.0]


def test_djg6_invalid_code_nulls_every_score() -> None:
    assert score6([[4.0, 3.0, 3.0, 1.0, 1.0, 1.0]]).rows() == [(None, None, None)]


@pytest.mark.parametrize(
    ("total", "label"),
    [
        (0, "not lonely"),
        (1, "not lonely"),
        (2, "moderately lonely"),
        (4, "moderately lonely"),
        (5, "severely lonely"),
        (6, "severely lonely"),
    ],
)
def test_djg6_cutoff_boundaries(total: int, label: str) -> None:
    row = list(NOT_LONELY6)
    for index in range(total):
        row[index] = 1.0 if index < 3 else 3.0
    result = score6([row])
    assert result["loneliness6"].to_list() == [float(total)]
    assert DJG6.score_by_column("loneliness6").classify(float(total)) == label


def test_djg6_subscale_cutoffs() -> None:
    emotional = DJG6.score_by_column("loneliness6_emotional")
    assert emotional.classify(0.0) == "not lonely"
    assert emotional.classify(1.0) == "lonely"
    assert emotional.classify(3.0, lang="nl") == "eenzaam"


def test_djg6_labels_normalise() -> None:
    codes = DJG6.label_codes()
    assert codes[normalise_label("Ja")] == 1
    assert codes[normalise_label("MIN OF MEER")] == 2
    assert codes[normalise_label(" nee ")] == 3
    assert sorted(set(codes.values())) == [1, 2, 3]
