"""Network map: size, family / non-family split, diversity and professionals."""

from __future__ import annotations

import polars as pl
import pytest

from outcomes.instruments import INSTRUMENTS

NETWORK = INSTRUMENTS["network_map"]
COLUMNS = [
    "net_household",
    "net_family",
    "net_friends",
    "net_neighbours",
    "net_acquaintances",
    "net_professionals",
]
OUT = [
    "network_size",
    "network_family",
    "network_nonfamily",
    "network_diversity",
    "network_professionals",
]


def score(rows: list[list[float | None]]) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema={c: pl.Float64 for c in COLUMNS}, orient="row")
    return NETWORK.score(frame)


def test_score_columns_and_order() -> None:
    assert list(NETWORK.score_columns) == OUT


def test_hand_worked_row_excludes_professionals() -> None:
    # household 1, family 3, friends 2, neighbours 0, acquaintances 4, professionals 5
    result = score([[1, 3, 2, 0, 4, 5]])
    # family 4, non-family 6, size 10, four of five sectors used, 5 professionals
    assert result.rows() == [(10.0, 4.0, 6.0, 4.0, 5.0)]


def test_empty_network_and_only_professionals() -> None:
    assert score([[0, 0, 0, 0, 0, 3]]).rows() == [(0.0, 0.0, 0.0, 0.0, 3.0)]


def test_diversity_counts_each_sector_once() -> None:
    assert score([[0, 0, 30, 0, 0, 0]])["network_diversity"].to_list() == [1.0]
    assert score([[1, 1, 1, 1, 1, 0]])["network_diversity"].to_list() == [5.0]


def test_missing_sector_nulls_the_scores_that_need_it() -> None:
    result = score([[1, 3, None, 0, 4, None], [None, 3, 2, 0, 4, 1]])
    assert result["network_size"].to_list() == [None, None]
    assert result["network_diversity"].to_list() == [None, None]
    assert result["network_family"].to_list() == [4.0, None]
    assert result["network_nonfamily"].to_list() == [None, 6.0]
    assert result["network_professionals"].to_list() == [None, 1.0]


@pytest.mark.parametrize("bad", [-1.0, 2.5, 201.0, float("inf")])
def test_invalid_count_nulls_every_score(bad: float) -> None:
    result = score([[1, 3, bad, 0, 4, 5]])
    assert result.rows() == [(None, None, None, None, None)]


def test_boundary_counts_are_valid() -> None:
    assert score([[0, 0, 200, 0, 0, 0]])["network_size"].to_list() == [200.0]
    assert NETWORK.item_range() == (0.0, 200.0)
    assert NETWORK.codes == ()
