"""SWEMWBS: raw sum and the full raw → metric conversion table."""

from __future__ import annotations

import polars as pl
import pytest

from outcomes.instruments import INSTRUMENTS
from outcomes.instruments.base import normalise_label

SWEMWBS = INSTRUMENTS["swemwbs"]
COLUMNS = [f"swemwbs_{i}" for i in range(1, 8)]

# Written out from the published Warwick conversion table (docs/architecture.md, "Reference
# values"), independent of the module's table.
PUBLISHED = """7 7.00; 8 9.51; 9 11.25; 10 12.40; 11 13.33; 12 14.08; 13 14.75; 14 15.32;
15 15.84; 16 16.36; 17 16.88; 18 17.43; 19 17.98; 20 18.59; 21 19.25; 22 19.98; 23 20.73;
24 21.54; 25 22.35; 26 23.21; 27 24.11; 28 25.03; 29 26.02; 30 27.03; 31 28.13; 32 29.31;
33 30.70; 34 32.55; 35 35.00"""
TABLE = {
    int(raw): float(metric)
    for raw, metric in (pair.split() for pair in PUBLISHED.replace("\n", " ").split(";"))
}


def items_for_sum(raw: int) -> list[float]:
    """Return seven codes 1–5 summing to ``raw``, spread as evenly as possible."""
    base, extra = divmod(raw, 7)
    return [float(base + (1 if i < extra else 0)) for i in range(7)]


def score(rows: list[list[float | None]]) -> list[float | None]:
    frame = pl.DataFrame(rows, schema={c: pl.Float64 for c in COLUMNS}, orient="row")
    return SWEMWBS.score(frame)["swemwbs"].to_list()


def test_table_has_every_raw_sum() -> None:
    assert sorted(TABLE) == list(range(7, 36))


def test_full_conversion_table() -> None:
    rows = [items_for_sum(raw) for raw in range(7, 36)]
    assert [sum(row) for row in rows] == list(range(7, 36))
    assert score(rows) == [pytest.approx(TABLE[raw], abs=1e-9) for raw in range(7, 36)]


def test_metric_depends_on_sum_not_on_which_items() -> None:
    # raw 21 reached two different ways
    assert score([[5, 5, 5, 1, 1, 1, 3], [3, 3, 3, 3, 3, 3, 3]]) == [19.25, 19.25]


def test_no_item_is_reversed() -> None:
    assert not any(item.reverse for item in SWEMWBS.items)
    # raising any single item by one raises the raw sum by one
    for position in range(7):
        row = [3.0] * 7
        row[position] = 4.0
        assert score([row]) == [TABLE[22]]


def test_any_missing_item_gives_null() -> None:
    for position in range(7):
        row: list[float | None] = [3.0] * 7
        row[position] = None
        assert score([row]) == [None]


@pytest.mark.parametrize("bad", [0.0, 6.0, 3.5, float("nan"), 1e30])
def test_invalid_code_gives_null(bad: float) -> None:
    row = [3.0] * 7
    row[0] = bad
    assert score([row]) == [None]


def test_labels_normalise() -> None:
    codes = SWEMWBS.label_codes()
    assert codes[normalise_label("Nooit")] == 1
    assert codes[normalise_label(" zelden")] == 2
    assert codes[normalise_label("SOMS")] == 3
    assert codes[normalise_label("Vaak ")] == 4
    assert codes[normalise_label("Altijd")] == 5
    assert codes[normalise_label("All of the time")] == 5


def test_wellbeing_rescales_metric_to_0_100() -> None:
    frame = pl.DataFrame({"swemwbs": [7.0, 21.0, 35.0]})
    result = frame.select(SWEMWBS.wellbeing_expr())["wellbeing"].to_list()
    assert result == [0.0, 50.0, 100.0]
