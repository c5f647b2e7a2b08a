"""Quality-of-life grade: range, cut-off and rescaling to wellbeing."""

from __future__ import annotations

import polars as pl
import pytest

from outcomes.instruments import INSTRUMENTS

QOL = INSTRUMENTS["qol_grade"]


def score(values: list[float | None]) -> list[float | None]:
    return QOL.score(pl.DataFrame({"qol_grade": values}, schema={"qol_grade": pl.Float64}))[
        "qol_grade"
    ].to_list()


def test_grade_is_the_score() -> None:
    assert score([1.0, 7.0, 7.5, 10.0, None]) == [1.0, 7.0, 7.5, 10.0, None]


@pytest.mark.parametrize("bad", [0.0, 0.99, 10.5, 11.0, -3.0, float("nan")])
def test_out_of_range_is_null(bad: float) -> None:
    assert score([bad]) == [None]


def test_pass_mark_boundary() -> None:
    grade = QOL.score_by_column("qol_grade")
    assert grade.classify(5.5) == "insufficient"
    assert grade.classify(5.99) == "insufficient"
    assert grade.classify(6.0) == "sufficient"
    assert grade.classify(1.0, lang="nl") == "onvoldoende"
    assert grade.classify(10.0, lang="nl") == "voldoende"


def test_wellbeing_rescales_1_10_to_0_100() -> None:
    frame = pl.DataFrame({"qol_grade": [1.0, 5.5, 10.0]})
    assert frame.select(QOL.wellbeing_expr())["wellbeing"].to_list() == [0.0, 50.0, 100.0]
