"""LSNS-6 against hand-worked examples (Lubben et al. 2006)."""

from __future__ import annotations

import polars as pl
import pytest

from outcomes.instruments import INSTRUMENTS
from outcomes.instruments.base import normalise_label

LSNS6 = INSTRUMENTS["lsns6"]
COLUMNS = [f"lsns6_{i}" for i in range(1, 7)]


def score(rows: list[list[float | None]]) -> pl.DataFrame:
    return LSNS6.score(pl.DataFrame(rows, schema={c: pl.Float64 for c in COLUMNS}, orient="row"))


def test_hand_worked_row() -> None:
    # family: two (2), three or four (3), one (1) = 6; friends: none, one, five to eight = 5
    result = score([[2, 3, 1, 0, 1, 4]])
    assert result.rows() == [(11.0, 6.0, 5.0, True)]
    assert result.schema["lsns6_isolated"] == pl.Boolean


def test_extremes() -> None:
    assert score([[0] * 6, [5] * 6]).rows() == [(0.0, 0.0, 0.0, True), (30.0, 15.0, 15.0, False)]


def test_no_item_is_reversed() -> None:
    assert not any(item.reverse for item in LSNS6.items)
    for position in range(6):
        row = [2.0] * 6
        row[position] = 3.0
        result = score([row]).row(0, named=True)
        assert result["lsns6"] == 13.0
        subscale = "lsns6_family" if position < 3 else "lsns6_friends"
        assert result[subscale] == 7.0


@pytest.mark.parametrize(("total", "isolated"), [(11, True), (12, False), (0, True), (30, False)])
def test_isolation_boundary(total: int, isolated: bool) -> None:
    row = [0.0] * 6
    left = total
    for position in range(6):
        row[position] = float(min(5, left))
        left -= int(row[position])
    result = score([row]).row(0, named=True)
    assert result["lsns6"] == total
    assert result["lsns6_isolated"] is isolated
    expected = "at risk of social isolation" if isolated else "not at risk"
    assert LSNS6.score_by_column("lsns6").classify(float(total)) == expected


def test_subscale_cutoff_boundary() -> None:
    family = LSNS6.score_by_column("lsns6_family")
    assert family.classify(5.0) == "marginal family ties"
    assert family.classify(6.0) == "not marginal"
    friends = LSNS6.score_by_column("lsns6_friends")
    assert friends.classify(5.0, lang="nl") == "weinig vriendschapsbanden"


def test_missing_items_need_all_items() -> None:
    result = score([[None, 3, 1, 0, 1, 4], [2, 3, 1, 0, 1, None]])
    assert result["lsns6"].to_list() == [None, None]
    assert result["lsns6_isolated"].to_list() == [None, None]
    assert result["lsns6_family"].to_list() == [None, 6.0]
    assert result["lsns6_friends"].to_list() == [5.0, None]


@pytest.mark.parametrize("bad", [-1.0, 6.0, 2.5])
def test_invalid_code_nulls_every_score(bad: float) -> None:
    assert score([[bad, 3, 1, 0, 1, 4]]).rows() == [(None, None, None, None)]


def test_labels_normalise() -> None:
    codes = LSNS6.label_codes()
    assert codes[normalise_label("Geen")] == 0
    assert codes[normalise_label("één")] == 1
    assert codes[normalise_label("een")] == 1
    assert codes[normalise_label("Twee")] == 2
    assert codes[normalise_label("drie of vier")] == 3
    assert codes[normalise_label("Vijf tot acht")] == 4
    assert codes[normalise_label("negen of meer ")] == 5
    assert codes[normalise_label("3-4")] == 3
    assert LSNS6.item_range() == (0, 5)
