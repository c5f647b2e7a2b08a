"""The registry as a whole: contract names, output shape, ranges, score_responses, methods text."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outcomes.instruments import (
    INSTRUMENTS,
    InstrumentError,
    categorise_scores,
    get_instrument,
    methods_text,
    score_responses,
)
from outcomes.instruments.base import normalise_label
from outcomes.specs import parse_spec

# Canonical items and score names (docs/architecture.md, "Canonical items and coding"), written
# out independently of the modules.
DESIGN_ITEMS = {
    "mhi5": [f"mhi5_{i}" for i in range(1, 6)],
    "djg11": [f"djg11_{i}" for i in range(1, 12)],
    "djg6": [f"djg6_{i}" for i in range(1, 7)],
    "swemwbs": [f"swemwbs_{i}" for i in range(1, 8)],
    "lsns6": [f"lsns6_{i}" for i in range(1, 7)],
    "network_map": [
        "net_household",
        "net_family",
        "net_friends",
        "net_neighbours",
        "net_acquaintances",
        "net_professionals",
    ],
    "qol_grade": ["qol_grade"],
}
DESIGN_SCORES = {
    "mhi5": ["mhi5"],
    "djg11": ["loneliness", "loneliness_emotional", "loneliness_social"],
    "djg6": ["loneliness6", "loneliness6_emotional", "loneliness6_social"],
    "swemwbs": ["swemwbs"],
    "lsns6": ["lsns6", "lsns6_family", "lsns6_friends", "lsns6_isolated"],
    "network_map": [
        "network_size",
        "network_family",
        "network_nonfamily",
        "network_diversity",
        "network_professionals",
    ],
    "qol_grade": ["qol_grade"],
}
DESIGN_CODES = {
    "mhi5": (1, 6),
    "djg11": (1, 5),
    "djg6": (1, 3),
    "swemwbs": (1, 5),
    "lsns6": (0, 5),
}


#: the library beyond the seven of the canonical coding (tests/instruments/test_library.py)
LIBRARY = {"who5", "k10", "phq9", "gad7", "ucla3", "cantril", "pearlin"}


def test_registry_keys_match_the_contract() -> None:
    assert set(INSTRUMENTS) == set(DESIGN_ITEMS) | LIBRARY
    assert list(INSTRUMENTS)[: len(DESIGN_ITEMS)] == list(DESIGN_ITEMS)
    assert all(key == instrument.key for key, instrument in INSTRUMENTS.items())


@pytest.mark.parametrize("key", sorted(DESIGN_ITEMS))
def test_item_and_score_columns_match_design(key: str) -> None:
    instrument = INSTRUMENTS[key]
    assert list(instrument.item_columns) == DESIGN_ITEMS[key]
    assert list(instrument.score_columns) == DESIGN_SCORES[key]


@pytest.mark.parametrize("key", sorted(DESIGN_CODES))
def test_answer_codes_are_consecutive(key: str) -> None:
    low, high = DESIGN_CODES[key]
    assert INSTRUMENTS[key].codes == tuple(range(low, high + 1))
    assert INSTRUMENTS[key].item_range() == (low, high)


@pytest.mark.parametrize("key", sorted(DESIGN_CODES))
def test_labels_are_unambiguous(key: str) -> None:
    seen: dict[str, int] = {}
    for option in INSTRUMENTS[key].options:
        for label in (option.label_nl, option.label_en, *option.aliases):
            normal = normalise_label(label)
            assert seen.setdefault(normal, option.code) == option.code, (key, label)
            assert INSTRUMENTS[key].label_codes()[normal] == option.code


@pytest.mark.parametrize("key", sorted(DESIGN_ITEMS))
def test_every_instrument_documents_its_rules(key: str) -> None:
    instrument = INSTRUMENTS[key]
    for text in (
        instrument.citation,
        instrument.scoring_rule,
        instrument.scoring_rule_nl,
        instrument.missing_rule,
        instrument.missing_rule_nl,
        instrument.name_nl,
    ):
        assert len(text) > 20
    for item in instrument.items:
        assert item.text_nl and item.text_en


@pytest.mark.parametrize("key", sorted(DESIGN_ITEMS))
def test_score_shape_on_empty_missing_and_absent_items(key: str) -> None:
    instrument = INSTRUMENTS[key]
    empty = pl.DataFrame(schema={c: pl.Float64 for c in instrument.item_columns})
    assert instrument.score(empty).columns == list(instrument.score_columns)
    assert instrument.score(empty).height == 0
    absent = pl.DataFrame({"participant_id": ["p1", "p2"]})
    result = instrument.score(absent)
    assert result.height == 2
    assert {s.column: s.dtype for s in instrument.scores} == dict(result.schema)
    assert all(result[c].null_count() == 2 for c in result.columns)


def valid_value(key: str) -> st.SearchStrategy[float]:
    instrument = INSTRUMENTS[key]
    if instrument.options:
        return st.sampled_from([float(c) for c in instrument.codes])
    low = instrument.item_range()[0]
    if key == "qol_grade":
        return st.sampled_from([float(v) / 2 for v in range(2, 21)])
    return st.integers(int(low), 30).map(float)


@pytest.mark.parametrize("key", sorted(DESIGN_ITEMS))
def test_complete_valid_rows_score_within_declared_ranges(key: str) -> None:
    instrument = INSTRUMENTS[key]

    @settings(max_examples=30, deadline=None)
    @given(
        st.lists(
            st.lists(
                valid_value(key), min_size=len(instrument.items), max_size=len(instrument.items)
            ),
            min_size=1,
            max_size=20,
        )
    )
    def check(rows: list[list[float]]) -> None:
        frame = pl.DataFrame(
            rows, schema={c: pl.Float64 for c in instrument.item_columns}, orient="row"
        )
        result = instrument.score(frame)
        for score in instrument.scores:
            values = result[score.column]
            assert values.null_count() == 0, score.column
            if score.dtype == pl.Boolean:
                continue
            assert values.min() >= score.minimum  # type: ignore[operator]
            assert values.max() <= score.maximum  # type: ignore[operator]

    check()


def djg11_reference(row: list[float]) -> float:
    """Count lonely answers one row at a time, straight from the manual's wording."""
    negative = {2, 3, 5, 6, 9, 10}
    lonely = 0
    for number, code in enumerate(row, start=1):
        label = ["ja!", "ja", "min of meer", "nee", "nee!"][int(code) - 1]
        yes_side = label in {"ja!", "ja"}
        no_side = label in {"nee", "nee!"}
        more_or_less = label == "min of meer"
        counts = more_or_less or (yes_side if number in negative else no_side)
        lonely += int(counts)
    return float(lonely)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(1, 5), min_size=11, max_size=11), min_size=1, max_size=30))
def test_djg11_vectorised_matches_row_by_row_reference(rows: list[list[int]]) -> None:
    frame = pl.DataFrame(
        [[float(v) for v in row] for row in rows],
        schema={c: pl.Float64 for c in DESIGN_ITEMS["djg11"]},
        orient="row",
    )
    expected = [djg11_reference([float(v) for v in row]) for row in rows]
    assert INSTRUMENTS["djg11"].score(frame)["loneliness"].to_list() == expected


def responses() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "participant_id": ["p1", "p2"],
            "wave": [0, 1],
            "mhi5_1": [4.0, 6.0],
            "mhi5_2": [5.0, 6.0],
            "mhi5_3": [2.0, 1.0],
            "mhi5_4": [3.0, 6.0],
            "mhi5_5": [3.0, 1.0],
            "qol_grade": [7.0, None],
        }
    )


def test_score_responses_with_keys_adds_scores_and_wellbeing() -> None:
    result = score_responses(responses(), ["mhi5", "qol_grade", "djg6"], primary_wellbeing="mhi5")
    assert result["mhi5"].to_list() == [64.0, 100.0]
    assert result["wellbeing"].to_list() == [64.0, 100.0]
    assert result["loneliness6"].to_list() == [None, None]  # items absent: scored as missing
    assert result["participant_id"].to_list() == ["p1", "p2"]
    assert result.columns[: len(responses().columns)] == responses().columns


def test_score_responses_with_qol_grade_as_primary() -> None:
    result = score_responses(responses(), ["mhi5", "qol_grade"], primary_wellbeing="qol_grade")
    assert result["wellbeing"].to_list() == [pytest.approx(600 / 9), None]


def test_score_responses_without_primary_gives_null_wellbeing() -> None:
    result = score_responses(responses(), ["mhi5"])
    assert result["wellbeing"].to_list() == [None, None]
    assert result.schema["wellbeing"] == pl.Float64


def spec_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "proef",
        "name": "Proefproject",
        "export": {"format": "csv"},
        "participant_id": "respnr",
        "wave": {"column": "meting"},
        "columns": {"MHI_a": "mhi5_1", "cijfer": "qol_grade"},
        "instruments": ["mhi5", "qol_grade"],
        "primary_wellbeing": "mhi5",
    }
    data.update(changes)
    return data


def test_score_responses_with_a_project_spec() -> None:
    spec = parse_spec(spec_data())
    result = score_responses(responses(), spec)
    assert result["wellbeing"].to_list() == result["mhi5"].to_list() == [64.0, 100.0]
    overridden = score_responses(responses(), spec, primary_wellbeing="qol_grade")
    assert overridden["wellbeing"][0] == pytest.approx(600 / 9)


def test_score_responses_errors_are_clear() -> None:
    with pytest.raises(InstrumentError, match="unknown instrument 'whoqol'"):
        score_responses(responses(), ["whoqol"])
    with pytest.raises(InstrumentError, match="not among the instruments"):
        score_responses(responses(), ["mhi5"], primary_wellbeing="swemwbs")
    with pytest.raises(InstrumentError, match="no wellbeing score"):
        score_responses(responses(), ["djg6"], primary_wellbeing="djg6")
    with pytest.raises(InstrumentError, match="known instruments"):
        get_instrument("ucla")


def test_wellbeing_of_every_wellbeing_instrument_spans_0_100() -> None:
    for key in ("mhi5", "swemwbs", "qol_grade"):
        instrument = INSTRUMENTS[key]
        score = instrument.score_by_column(instrument.wellbeing_column or "")
        frame = pl.DataFrame({score.column: [score.minimum, score.maximum]})
        assert frame.select(instrument.wellbeing_expr())["wellbeing"].to_list() == [0.0, 100.0]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_methods_text_has_a_paragraph_per_instrument(lang: str) -> None:
    keys = ["mhi5", "djg11", "network_map"]
    text = methods_text(keys, lang)
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 3
    for key, paragraph in zip(keys, paragraphs, strict=True):
        assert INSTRUMENTS[key].citation in paragraph
    if lang == "nl":
        assert "Ontbrekende antwoorden" in text
        assert INSTRUMENTS["djg11"].scoring_rule_nl in text
    else:
        assert "Missing items" in text
        assert INSTRUMENTS["djg11"].scoring_rule in text


def test_methods_text_rejects_unknown_language() -> None:
    with pytest.raises(InstrumentError, match="'nl' or 'en'"):
        methods_text(["mhi5"], "de")


def test_mhi5_wellbeing_is_the_score_exactly() -> None:
    values = [0.0, 65.0, 64.99999, 100.0, None]
    frame = pl.DataFrame({"mhi5": values})
    assert frame.select(INSTRUMENTS["mhi5"].wellbeing_expr())["wellbeing"].to_list() == values


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["not lonely", "moderately lonely", "severely lonely", None]),
        ("nl", ["niet eenzaam", "matig eenzaam", "ernstig eenzaam", None]),
    ],
)
def test_categorise_scores(lang: str, expected: list[str | None]) -> None:
    frame = pl.DataFrame({"loneliness6": [1.0, 2.0, 5.0, None], "mhi5": [59.0, 60.0, 0.0, None]})
    result = categorise_scores(frame, ["djg6", "mhi5", "network_map"], lang)
    assert result["loneliness6_category"].to_list() == expected
    assert result["mhi5_category"][1] == (
        "mentally healthy" if lang == "en" else "psychisch gezond"
    )
    assert "network_size_category" not in result.columns  # absent and without cut-offs
    assert "loneliness6_emotional_category" not in result.columns  # absent from the frame


def test_the_registry_and_the_specs_load_without_ingest() -> None:
    """Specs and instruments sit below every stage: importing them loads no ingest module."""
    import subprocess
    import sys

    code = (
        "import sys, outcomes.instruments, outcomes.specs; "
        "print(sorted(m for m in sys.modules if m.startswith('outcomes.ingest')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
