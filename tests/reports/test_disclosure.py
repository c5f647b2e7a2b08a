"""Disclosure control of report tables: each rule, complementary suppression, the threshold."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from outcomes.reports.disclosure import (
    WITHHELD,
    DisclosureError,
    protect_table,
    suppress_counts,
)


def _hidden(table, reason=None):
    return {(s.row, s.column) for s in table.suppressed if reason is None or s.reason == reason}


def test_counts_below_threshold_show_as_less_than_ten():
    assert suppress_counts([0, 3, 9, 10, 250, None]) == ["<10", "<10", "<10", "10", "250", "–"]


def test_threshold_is_configurable():
    assert suppress_counts([4, 5, 9, 10], threshold=5) == ["<5", "5", "9", "10"]
    frame = pl.DataFrame({"group": ["a", "b"], "n": [7, 30]})
    assert protect_table(frame, ["n"]).display["n"].to_list() == ["<10", "30"]
    assert protect_table(frame, ["n"], threshold=5).display["n"].to_list() == ["7", "30"]
    assert protect_table(frame, ["n"], threshold=40).display["n"].to_list() == ["<40", "<40"]
    with pytest.raises(DisclosureError):
        suppress_counts([1], threshold=0)


def test_mean_withheld_on_small_base_and_kept_otherwise():
    frame = pl.DataFrame(
        {"group": ["female", "male", "other"], "n": [40, 35, 4], "mean": [61.24, 58.0, 70.0]}
    )
    table = protect_table(frame, ["n"], mean_columns={"mean": "n"})
    assert table.display["n"].to_list() == ["40", "35", "<10"]
    assert table.display["mean"].to_list() == ["61.2", "58.0", WITHHELD]
    assert table.values["mean"].to_list() == [61.24, 58.0, None]
    assert (2, "mean") in _hidden(table, "small_base")


def test_percentage_withheld_on_small_base_or_hidden_numerator():
    frame = pl.DataFrame(
        {
            "wave": ["T0", "T1", "T2"],
            "n": [200, 120, 6],
            "base": [200, 200, 200],
            "pct": [100.0, 60.0, 3.0],
        }
    )
    table = protect_table(frame, ["n"], percent_columns={"pct": ("n", "base")})
    # 3% of 200 would reveal the hidden count of 6.
    assert table.display["pct"].to_list() == ["100", "60", WITHHELD]
    assert (2, "pct") in _hidden(table, "hidden_numerator")
    small = pl.DataFrame({"n": [5], "base": [8], "pct": [62.5]})
    assert protect_table(small, ["n"], percent_columns={"pct": ("n", "base")}).display[
        "pct"
    ].to_list() == [WITHHELD]


def test_complementary_suppression_in_a_row_with_a_total_column():
    frame = pl.DataFrame(
        {
            "wave": ["T0", "T1"],
            "small": [30, 4],
            "medium": [50, 40],
            "large": [60, 25],
            "total": [140, 69],
        }
    )
    table = protect_table(frame, ["small", "medium", "large"], total_column="total")
    assert _hidden(table, "small_count") == {(1, "small")}
    # The smallest other count of that row goes too, so 69 - 40 - 25 no longer reveals 4.
    assert _hidden(table, "complementary") == {(1, "large")}
    assert table.display.row(1) == ("T1", "<10", "40", "x", "69")


def test_complementary_suppression_in_a_column_with_a_total_row():
    frame = pl.DataFrame({"gender": ["female", "male", "other", "total"], "n": [150, 120, 4, 274]})
    table = protect_table(frame, ["n"], total_row=True)
    assert _hidden(table) == {(2, "n"), (1, "n")}
    assert table.display["n"].to_list() == ["150", "x", "<10", "274"]


def test_complementary_suppression_reaches_a_fixpoint_in_both_directions():
    frame = pl.DataFrame(
        {
            "site": ["a", "b", "c", "total"],
            "female": [3, 40, 55, 98],
            "male": [20, 35, 45, 100],
            "total": [23, 75, 100, 198],
        }
    )
    table = protect_table(frame, ["female", "male"], total_column="total", total_row=True)
    hidden = _hidden(table)
    grid = ["female", "male", "total"]
    # No row and no column may have exactly one hidden cell: it could be recomputed.
    for row in range(frame.height):
        assert sum((row, c) in hidden for c in grid) != 1
    for column in grid:
        assert sum((row, column) in hidden for row in range(frame.height)) != 1
    assert (0, "female") in hidden
    # Linear algebra: a hidden cell is pinned down by the published margins exactly when its unit
    # vector lies in the row space of the margin equations restricted to the hidden cells.
    cells = sorted(hidden)
    equations = [
        {(r, "female"): 1.0, (r, "male"): 1.0, (r, "total"): -1.0} for r in range(frame.height)
    ]
    equations += [{(0, c): 1.0, (1, c): 1.0, (2, c): 1.0, (3, c): -1.0} for c in grid]
    matrix = np.array([[eq.get(cell, 0.0) for cell in cells] for eq in equations])
    rank = np.linalg.matrix_rank(matrix)
    for index in range(len(cells)):
        unit = np.zeros(len(cells))
        unit[index] = 1.0
        assert np.linalg.matrix_rank(np.vstack([matrix, unit])) > rank, cells[index]


def test_no_minima_or_maxima_ever():
    frame = pl.DataFrame({"n": [20], "age_min": [18], "age_max": [90]})
    with pytest.raises(DisclosureError, match="minima or maxima"):
        protect_table(frame, ["n"])
    with pytest.raises(DisclosureError):
        protect_table(pl.DataFrame({"n": [20], "Maximum": [3]}), ["n"])
    # Interval bounds are not extremes of the data.
    protect_table(
        pl.DataFrame({"n": [20], "ci_low": [1.0], "ci_high": [2.0]}),
        ["n"],
        mean_columns={"ci_low": "n", "ci_high": "n"},
    )


def test_dutch_number_format_and_minus_sign_for_display():
    frame = pl.DataFrame({"n": [20, 30], "slope": [-1.25, 0.04]})
    table = protect_table(frame, ["n"], mean_columns={"slope": "n"}, decimals=2, lang="nl")
    assert table.display["slope"].to_list() == ["−1,25", "0,04"]


def test_missing_column_is_a_clear_error():
    with pytest.raises(DisclosureError, match="not in the table"):
        protect_table(pl.DataFrame({"n": [1]}), ["count"])


def test_to_dict_is_json_serialisable():
    import json

    frame = pl.DataFrame({"g": ["a", "b"], "n": [3, 40], "m": [1.0, 2.0]})
    data = protect_table(frame, ["n"], mean_columns={"m": "n"}).to_dict()
    assert json.loads(json.dumps(data))["display"] == [["a", "<10", "–"], ["b", "40", "2.0"]]
