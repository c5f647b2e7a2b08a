"""The instrument library: WHO-5, K10, PHQ-9, GAD-7, UCLA-3, Cantril ladder and Pearlin mastery.

Scoring examples, cut-offs, missing-item rules, invalid codes, answer labels and the 0–100
wellbeing mapping, each worked by hand from the published scoring rules named in the YAML files
of data_schemas/instruments/ (docs/architecture.md, "Instrument library").
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from outcomes.instruments import INSTRUMENTS, InstrumentError, score_responses
from outcomes.instruments.base import normalise_label

LIBRARY = ("who5", "k10", "phq9", "gad7", "ucla3", "cantril", "pearlin")
DEFINITIONS = Path(__file__).resolve().parents[2] / "data_schemas" / "instruments"

Row = tuple[float | None, ...]


def columns(key: str) -> list[str]:
    return list(INSTRUMENTS[key].item_columns)


def frame(key: str, *rows: Row) -> pl.DataFrame:
    names = columns(key)
    return pl.DataFrame(
        [dict(zip(names, row, strict=True)) for row in rows],
        schema={c: pl.Float64 for c in names},
    )


def score(key: str, *rows: Row) -> list[Any]:
    return INSTRUMENTS[key].score(frame(key, *rows))[key].to_list()


def wellbeing(key: str, *rows: Row) -> list[Any]:
    scored = score_responses(frame(key, *rows), [key], primary_wellbeing=key)
    return scored["wellbeing"].to_list()


def definition(key: str) -> dict[str, Any]:
    with (DEFINITIONS / f"{key}.yaml").open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def classify(key: str, value: float, lang: str = "en") -> str | None:
    return INSTRUMENTS[key].score_by_column(key).classify(value, lang=lang)


# --- registry -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", LIBRARY)
def test_registered_with_canonical_columns(key: str) -> None:
    instrument = INSTRUMENTS[key]
    expected_items = {
        "who5": 5,
        "k10": 10,
        "phq9": 9,
        "gad7": 7,
        "ucla3": 3,
        "cantril": 1,
        "pearlin": 7,
    }[key]
    if key == "cantril":
        assert instrument.item_columns == ("cantril",)
    else:
        assert instrument.item_columns == tuple(f"{key}_{i}" for i in range(1, expected_items + 1))
    assert instrument.score_columns == (key,)


@pytest.mark.parametrize(
    ("key", "codes"),
    [
        ("who5", [0, 1, 2, 3, 4, 5]),
        ("k10", [1, 2, 3, 4, 5]),
        ("phq9", [0, 1, 2, 3]),
        ("gad7", [0, 1, 2, 3]),
        ("ucla3", [1, 2, 3]),
        ("pearlin", [1, 2, 3, 4, 5]),
        ("cantril", []),
    ],
)
def test_canonical_codes(key: str, codes: list[int]) -> None:
    assert sorted(INSTRUMENTS[key].codes) == codes


@pytest.mark.parametrize(
    ("key", "low", "high", "higher_is_better"),
    [
        ("who5", 0, 100, True),
        ("k10", 10, 50, False),
        ("phq9", 0, 27, False),
        ("gad7", 0, 21, False),
        ("ucla3", 3, 9, False),
        ("cantril", 0, 10, True),
        ("pearlin", 7, 35, True),
    ],
)
def test_score_range_and_direction(
    key: str, low: float, high: float, higher_is_better: bool
) -> None:
    main = INSTRUMENTS[key].score_by_column(key)
    assert (main.minimum, main.maximum) == (low, high)
    assert main.higher_is_better is higher_is_better


# --- WHO-5 ----------------------------------------------------------------------------------


def test_who5_raw_sum_times_four() -> None:
    # raw 12 (3+3+2+2+2) -> 48; all 5 -> 100; all 0 -> 0
    assert score("who5", (3, 3, 2, 2, 2), (5, 5, 5, 5, 5), (0, 0, 0, 0, 0)) == [48.0, 100.0, 0.0]


def test_who5_cutoffs() -> None:
    assert classify("who5", 28) == "likely depression"
    assert classify("who5", 32) == "poor wellbeing"
    assert classify("who5", 48) == "poor wellbeing"
    assert classify("who5", 50) == "poor wellbeing"
    assert classify("who5", 52) == "no indication of poor wellbeing"
    assert classify("who5", 0) == "likely depression"
    assert classify("who5", 100) == "no indication of poor wellbeing"
    assert classify("who5", 48, lang="nl") == "laag welbevinden"


def test_who5_missing_item_gives_null() -> None:
    assert score("who5", (3, 3, 2, 2, None)) == [None]


@pytest.mark.parametrize("bad", [6.0, -1.0, 2.5, math.nan])
def test_who5_invalid_code_gives_null(bad: float) -> None:
    assert score("who5", (bad, 3, 2, 2, 2)) == [None]


def test_who5_wellbeing_is_the_percentage_score() -> None:
    assert wellbeing("who5", (3, 3, 2, 2, 2), (5, 5, 5, 5, 5)) == [48.0, 100.0]


def test_who5_labels() -> None:
    codes = INSTRUMENTS["who5"].label_codes()
    assert codes[normalise_label("At no time")] == 0
    assert codes[normalise_label("Meer dan de helft van de tijd")] == 3
    assert codes[normalise_label(" De hele tijd ")] == 5
    assert codes["all the time"] == 5
    assert sorted(set(codes.values())) == [0, 1, 2, 3, 4, 5]


# --- K10 ------------------------------------------------------------------------------------


def test_k10_sum_and_extremes() -> None:
    assert score("k10", (1,) * 10, (5,) * 10, (1, 2, 3, 4, 5, 1, 2, 3, 4, 5)) == [10.0, 50.0, 30.0]


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (10, "no or low risk of anxiety disorder or depression"),
        (15, "no or low risk of anxiety disorder or depression"),
        (15.6, "no or low risk of anxiety disorder or depression"),
        (16, "moderate risk of anxiety disorder or depression"),
        (29, "moderate risk of anxiety disorder or depression"),
        (30, "high risk of anxiety disorder or depression"),
        (50, "high risk of anxiety disorder or depression"),
    ],
)
def test_k10_gezondheidsmonitor_bands(total: float, band: str) -> None:
    assert classify("k10", total) == band


def test_k10_band_labels_in_dutch() -> None:
    assert classify("k10", 30, lang="nl") == "hoog risico op angststoornis of depressie"


def test_k10_up_to_two_missing_items_are_prorated() -> None:
    # nine answered, all 2 -> mean 2 -> 20; eight answered (3,3,3,3,3,3,2,2) -> mean 2.75 -> 27.5
    one_missing = (None, 2, 2, 2, 2, 2, 2, 2, 2, 2)
    two_missing = (3, 3, 3, 3, 3, 3, 2, 2, None, None)
    assert score("k10", one_missing, two_missing) == [pytest.approx(20.0), pytest.approx(27.5)]


def test_k10_three_missing_items_give_null() -> None:
    assert score("k10", (None, None, None, 2, 2, 2, 2, 2, 2, 2)) == [None]


@pytest.mark.parametrize("bad", [0.0, 6.0, 1.5])
def test_k10_invalid_code_gives_null(bad: float) -> None:
    assert score("k10", (bad, 2, 2, 2, 2, 2, 2, 2, 2, 2)) == [None]


def test_k10_wellbeing_is_reversed_onto_0_100() -> None:
    rows = ((1,) * 10, (5,) * 10, (1, 2, 3, 4, 5, 1, 2, 3, 4, 5))
    # 10 -> 100, 50 -> 0, 30 -> 100 - 100 * 20 / 40 = 50
    assert wellbeing("k10", *rows) == [
        pytest.approx(100.0),
        pytest.approx(0.0),
        pytest.approx(50.0),
    ]


def test_k10_labels_follow_the_published_scoring() -> None:
    codes = INSTRUMENTS["k10"].label_codes()
    # Gezondheidsmonitor order: altijd, meestal, soms, af en toe, nooit; altijd scores 5
    assert [codes[label] for label in ("altijd", "meestal", "soms", "af en toe", "nooit")] == [
        5,
        4,
        3,
        2,
        1,
    ]
    assert codes[normalise_label("A little of the time")] == 2


# --- PHQ-9 ----------------------------------------------------------------------------------


def test_phq9_sum() -> None:
    assert score("phq9", (0,) * 9, (3,) * 9, (1, 1, 1, 1, 1, 2, 2, 1, 0)) == [0.0, 27.0, 10.0]


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal depression"),
        (4, "minimal depression"),
        (5, "mild depression"),
        (9, "mild depression"),
        (10, "moderate depression"),
        (14, "moderate depression"),
        (15, "moderately severe depression"),
        (19, "moderately severe depression"),
        (20, "severe depression"),
        (27, "severe depression"),
        (9.5, "mild depression"),
    ],
)
def test_phq9_bands_5_10_15_20(total: float, band: str) -> None:
    assert classify("phq9", total) == band


def test_phq9_up_to_two_missing_items_take_the_mean() -> None:
    # eight answered summing 16 -> mean 2 -> 18; seven answered summing 7 -> mean 1 -> 9
    one_missing = (2, 2, 2, 2, 2, 2, 2, 2, None)
    two_missing = (1, 1, 1, 1, 1, 1, 1, None, None)
    assert score("phq9", one_missing, two_missing) == [pytest.approx(18.0), pytest.approx(9.0)]


def test_phq9_three_missing_items_give_null() -> None:
    assert score("phq9", (1, 1, 1, 1, 1, 1, None, None, None)) == [None]


@pytest.mark.parametrize("bad", [4.0, -1.0, 0.5, math.nan])
def test_phq9_invalid_code_gives_null(bad: float) -> None:
    assert score("phq9", (bad, 1, 1, 1, 1, 1, 1, 1, 1)) == [None]


def test_phq9_wellbeing_is_reversed_onto_0_100() -> None:
    # 0 -> 100, 27 -> 0, 9 -> 100 - 100 * 9 / 27
    rows = ((0,) * 9, (3,) * 9, (1,) * 9)
    assert wellbeing("phq9", *rows) == [
        pytest.approx(100.0),
        pytest.approx(0.0),
        pytest.approx(200.0 / 3.0),
    ]


def test_phq9_labels() -> None:
    codes = INSTRUMENTS["phq9"].label_codes()
    assert codes[normalise_label("Helemaal niet")] == 0
    assert codes[normalise_label("Several days")] == 1
    assert codes[normalise_label("Meer dan de helft van de dagen")] == 2
    assert codes[normalise_label("Nearly every day")] == 3


# --- GAD-7 ----------------------------------------------------------------------------------


def test_gad7_sum() -> None:
    assert score("gad7", (0,) * 7, (3,) * 7, (2, 2, 1, 1, 1, 2, 1)) == [0.0, 21.0, 10.0]


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal anxiety"),
        (4, "minimal anxiety"),
        (5, "mild anxiety"),
        (9, "mild anxiety"),
        (10, "moderate anxiety"),
        (14, "moderate anxiety"),
        (15, "severe anxiety"),
        (21, "severe anxiety"),
    ],
)
def test_gad7_bands_5_10_15(total: float, band: str) -> None:
    assert classify("gad7", total) == band


def test_gad7_any_missing_item_gives_null() -> None:
    assert score("gad7", (2, 2, 1, 1, 1, 2, None)) == [None]


@pytest.mark.parametrize("bad", [4.0, 1.5])
def test_gad7_invalid_code_gives_null(bad: float) -> None:
    assert score("gad7", (bad, 2, 1, 1, 1, 2, 1)) == [None]


def test_gad7_wellbeing_is_reversed_onto_0_100() -> None:
    # 0 -> 100, 21 -> 0, 7 -> 100 - 100 * 7 / 21
    rows = ((0,) * 7, (3,) * 7, (1,) * 7)
    assert wellbeing("gad7", *rows) == [
        pytest.approx(100.0),
        pytest.approx(0.0),
        pytest.approx(200.0 / 3.0),
    ]


# --- UCLA-3 ---------------------------------------------------------------------------------


def test_ucla3_range_3_to_9() -> None:
    assert score("ucla3", (1, 1, 1), (3, 3, 3), (1, 2, 3)) == [3.0, 9.0, 6.0]


def test_ucla3_missing_and_invalid_give_null() -> None:
    assert score("ucla3", (1, 2, None), (0, 2, 2), (4, 2, 2)) == [None, None, None]


def test_ucla3_labels() -> None:
    codes = INSTRUMENTS["ucla3"].label_codes()
    assert codes[normalise_label("Hardly ever")] == 1
    assert codes[normalise_label("Soms")] == 2
    assert codes[normalise_label("Often")] == 3


def test_ucla3_has_no_published_cutoff() -> None:
    assert INSTRUMENTS["ucla3"].score_by_column("ucla3").cutoffs == ()


# --- Cantril ladder -------------------------------------------------------------------------


def test_cantril_is_the_step() -> None:
    assert score("cantril", (0,), (7,), (10,)) == [0.0, 7.0, 10.0]


@pytest.mark.parametrize("bad", [11.0, -1.0, 6.5, math.nan])
def test_cantril_out_of_range_or_half_step_gives_null(bad: float) -> None:
    assert score("cantril", (bad,)) == [None]


def test_cantril_missing_gives_null() -> None:
    assert score("cantril", (None,)) == [None]


def test_cantril_hbsc_bands() -> None:
    assert classify("cantril", 5) == "low life satisfaction"
    assert classify("cantril", 6) == "high life satisfaction"
    assert classify("cantril", 0) == "low life satisfaction"
    assert classify("cantril", 10) == "high life satisfaction"
    assert classify("cantril", 6, lang="nl") == "hoge levenstevredenheid"


def test_cantril_wellbeing_times_ten() -> None:
    assert wellbeing("cantril", (0,), (7,), (10,)) == [
        pytest.approx(0.0),
        pytest.approx(70.0),
        pytest.approx(100.0),
    ]


# --- Pearlin mastery ------------------------------------------------------------------------


def test_pearlin_extremes_and_reversal() -> None:
    # most mastery: strongly disagree (5) with statements 1-5, strongly agree (1) with 6 and 7
    most = (5, 5, 5, 5, 5, 1, 1)
    least = (1, 1, 1, 1, 1, 5, 5)
    assert score("pearlin", most, least) == [35.0, 7.0]


@pytest.mark.parametrize("position", [5, 6])
def test_pearlin_positive_statements_are_reversed(position: int) -> None:
    row = [5.0, 5.0, 5.0, 5.0, 5.0, 1.0, 1.0]
    row[position] = 5.0  # strongly disagreeing with a positive statement counts 6 - 5 = 1
    assert score("pearlin", tuple(row)) == [31.0]


@pytest.mark.parametrize("position", [0, 1, 2, 3, 4])
def test_pearlin_negative_statements_count_their_code(position: int) -> None:
    row = [5.0, 5.0, 5.0, 5.0, 5.0, 1.0, 1.0]
    row[position] = 1.0  # strongly agreeing with a negative statement counts 1
    assert score("pearlin", tuple(row)) == [31.0]


def test_pearlin_items_marked_reverse() -> None:
    reversed_columns = [item.column for item in INSTRUMENTS["pearlin"].items if item.reverse]
    assert reversed_columns == ["pearlin_6", "pearlin_7"]


def test_pearlin_rivm_cutoff() -> None:
    # all 3 (neutral): 15 + (6 - 3) + (6 - 3) = 21; (3, 3, 3, 3, 1, 3, 3): 13 + 3 + 3 = 19
    assert score("pearlin", (3,) * 7, (3, 3, 3, 3, 1, 3, 3)) == [21.0, 19.0]
    assert classify("pearlin", 19) == "insufficient control over own life"
    assert classify("pearlin", 20) == "moderate or much control over own life"
    assert classify("pearlin", 19, lang="nl") == "onvoldoende regie over eigen leven"


def test_pearlin_missing_and_invalid_give_null() -> None:
    assert score("pearlin", (3, 3, 3, 3, 3, 3, None), (3, 3, 3, 3, 3, 3, 6)) == [None, None]


def test_pearlin_labels() -> None:
    codes = INSTRUMENTS["pearlin"].label_codes()
    assert codes[normalise_label("Helemaal mee eens")] == 1
    assert codes[normalise_label("Niet mee eens, niet mee oneens")] == 3
    assert codes[normalise_label("Strongly disagree")] == 5


# --- wellbeing, labels, Dutch wording -------------------------------------------------------


@pytest.mark.parametrize("key", ["ucla3", "pearlin"])
def test_loneliness_and_mastery_are_not_wellbeing(key: str) -> None:
    assert INSTRUMENTS[key].wellbeing_column is None
    with pytest.raises(InstrumentError):
        score_responses(frame(key, (1,) * len(columns(key))), [key], primary_wellbeing=key)


@pytest.mark.parametrize("key", ["who5", "k10", "phq9", "gad7", "cantril"])
def test_wellbeing_stays_within_0_100(key: str) -> None:
    instrument = INSTRUMENTS[key]
    low, high = instrument.item_range()
    rows = [(low,) * len(columns(key)), (high,) * len(columns(key))]
    values = wellbeing(key, *rows)
    assert sorted(values) == [pytest.approx(0.0), pytest.approx(100.0)]


@pytest.mark.parametrize("key", [k for k in LIBRARY if k != "cantril"])
def test_every_label_and_alias_is_unambiguous(key: str) -> None:
    seen: dict[str, int] = {}
    for option in INSTRUMENTS[key].options:
        for label in (option.label_nl, option.label_en, *option.aliases):
            normalised = normalise_label(label)
            assert seen.setdefault(normalised, option.code) == option.code, label


@pytest.mark.parametrize(
    ("key", "verified"),
    [
        ("who5", False),
        ("k10", True),
        ("phq9", False),
        ("gad7", False),
        ("ucla3", False),
        ("cantril", False),
        ("pearlin", True),
    ],
)
def test_dutch_wording_verification_is_declared(key: str, verified: bool) -> None:
    wording = definition(key)["dutch_wording"]
    assert wording["verified"] is verified
    if not verified:
        assert "working translation" in wording["source"].lower()


@pytest.mark.parametrize("key", LIBRARY)
def test_missing_rule_is_stated_in_both_languages(key: str) -> None:
    rule = definition(key)["missing_rule"]
    assert rule["en"].strip() and rule["nl"].strip()
    if key in {"who5", "gad7", "ucla3"}:
        assert "conservative" in rule["en"]
