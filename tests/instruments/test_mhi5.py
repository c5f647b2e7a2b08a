"""MHI-5 scoring against hand-worked examples (RAND-36 rules, CBS cut-off)."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outcomes.instruments import INSTRUMENTS

MHI5 = INSTRUMENTS["mhi5"]
COLUMNS = [f"mhi5_{i}" for i in range(1, 6)]


def score(*rows: tuple[float | None, ...]) -> list[float | None]:
    frame = pl.DataFrame(
        [dict(zip(COLUMNS, row, strict=True)) for row in rows],
        schema={c: pl.Float64 for c in COLUMNS},
    )
    return MHI5.score(frame)["mhi5"].to_list()


def test_best_and_worst_answers_give_100_and_0() -> None:
    # best: never nervous/down/downhearted (6), always calm/happy (1, reversed to 6)
    # worst: always nervous/down/downhearted (1), never calm/happy (6 -> 1)
    assert score((6, 6, 1, 6, 1), (1, 1, 6, 1, 6)) == [100.0, 0.0]


def test_hand_worked_mixed_answers() -> None:
    # a=4 (soms), b=5, c=2 -> 5, d=3, e=3 -> 4: S = 4+5+5+3+4 = 21 -> 100*(21-5)/25 = 64
    assert score((4, 5, 2, 3, 3)) == [64.0]


@pytest.mark.parametrize("position", [2, 4])
def test_calm_and_happy_are_reversed(position: int) -> None:
    best = [6.0, 6.0, 1.0, 6.0, 1.0]  # S = 6+6+6+6+6 = 30 -> 100
    changed = list(best)
    changed[position] = 6.0  # never calm (or never happy) counts 7 - 6 = 1: S = 25 -> 80
    assert score(tuple(best), tuple(changed)) == [100.0, 80.0]


@pytest.mark.parametrize("position", [0, 1, 3])
def test_other_items_are_not_reversed(position: int) -> None:
    row = [6.0, 6.0, 1.0, 6.0, 1.0]
    row[position] = 1.0  # nervous / down / downhearted all of the time counts 1
    assert score(tuple(row)) == [80.0]


def test_one_missing_item_is_prorated() -> None:
    # a missing; b=5, c=2 -> 5, d=3, e=3 -> 4: mean 4.25, S = 21.25 -> 65
    assert score((None, 5, 2, 3, 3)) == [pytest.approx(65.0)]


def test_two_missing_items_give_null() -> None:
    assert score((None, None, 2, 3, 3)) == [None]
    assert score((None, None, None, None, None)) == [None]


@pytest.mark.parametrize("bad", [0.0, 7.0, 2.5, -1.0, math.nan])
def test_invalid_code_gives_null_not_a_partial_score(bad: float) -> None:
    assert score((bad, 5, 2, 3, 3)) == [None]


def test_cutoff_boundary_below_60_is_unhealthy() -> None:
    cut = MHI5.score_by_column("mhi5")
    assert cut.classify(56.0) == "mentally unhealthy"
    assert cut.classify(59.99) == "mentally unhealthy"
    assert cut.classify(60.0) == "mentally healthy"
    assert cut.classify(0.0) == "mentally unhealthy"
    assert cut.classify(100.0) == "mentally healthy"
    assert cut.classify(60.0, lang="nl") == "psychisch gezond"
    # S = 19 -> 56; S = 20 -> 60
    scores = score((3, 4, 3, 4, 3), (4, 4, 3, 4, 3))
    assert scores == [56.0, 60.0]
    frame = pl.DataFrame({"mhi5": scores})
    assert frame.select(cut.category_expr())["mhi5_category"].to_list() == [
        "mentally unhealthy",
        "mentally healthy",
    ]


def test_labels_normalise() -> None:
    codes = MHI5.label_codes()
    assert codes["voortdurend"] == 1
    assert codes["nooit"] == 6
    from outcomes.instruments.base import normalise_label

    assert codes[normalise_label("  MEESTAL ")] == 2
    assert codes[normalise_label("None of the time")] == 6
    assert sorted(set(codes.values())) == [1, 2, 3, 4, 5, 6]


def test_missing_item_columns_count_as_missing() -> None:
    frame = pl.DataFrame({"mhi5_1": [4.0]})
    assert MHI5.score(frame)["mhi5"].to_list() == [None]


def mhi5_reference(row: list[float | None]) -> float | None:
    """Score one row the slow way: reverse c and e, need 4 answers, prorate the sum."""
    if any(v is not None and v not in {1, 2, 3, 4, 5, 6} for v in row):
        return None
    answered = [7 - v if i in (2, 4) else v for i, v in enumerate(row) if v is not None]
    if len(answered) < 4:
        return None
    total = 5 * sum(answered) / len(answered)
    return 100 * (total - 5) / 25


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(st.none(), st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), st.just(9.0)),
            min_size=5,
            max_size=5,
        ),
        min_size=1,
        max_size=25,
    )
)
def test_vectorised_matches_row_by_row_reference(rows: list[list[float | None]]) -> None:
    result = score(*(tuple(row) for row in rows))
    expected = [mhi5_reference(row) for row in rows]
    assert result == [pytest.approx(e) if e is not None else None for e in expected]
