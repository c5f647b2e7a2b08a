"""Instrument files: the loader's checks, every rule kind, project-local instruments, the RCI."""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
import yaml

from outcomes.ingest import ingest_files
from outcomes.instruments import (
    INSTRUMENTS,
    InstrumentError,
    get_instrument,
    reliable_change,
    score_responses,
    unregister_project_instruments,
)
from outcomes.instruments.base import Instrument, Reliability
from outcomes.instruments.loader import (
    default_instruments_dir,
    load_directory,
    load_instrument,
    load_library,
    parse_instrument,
)
from outcomes.specs import load_spec, load_specs
from outcomes.validation import validate_responses

KEY = b"test-key-0123456789abcdef0123456789"
SEVEN = ["mhi5", "djg11", "djg6", "swemwbs", "lsns6", "network_map", "qol_grade"]


def declaration(**overrides: Any) -> dict[str, Any]:
    """Return a valid instrument declaration (four items coded 1–4, two subscales)."""
    data: dict[str, Any] = {
        "key": "demo",
        "name": {"en": "Demo scale", "nl": "Demoschaal"},
        "citation": "Author A (2020). A demo scale. Journal 1:1-2.",
        "licence": "Free to use.",
        "dutch_wording": {"source": "Author A (2020)", "verified": True},
        "answers": [
            {"code": 1, "nl": "nooit", "en": "never"},
            {"code": 2, "nl": "soms", "en": "sometimes"},
            {"code": 3, "nl": "vaak", "en": "often"},
            {"code": 4, "nl": "altijd", "en": "always", "aliases": ["steeds"]},
        ],
        "items": [
            {"column": "demo_1", "nl": "v1", "en": "q1", "subscale": "a"},
            {"column": "demo_2", "nl": "v2", "en": "q2", "subscale": "a", "reverse": True},
            {"column": "demo_3", "nl": "v3", "en": "q3", "subscale": "b"},
            {"column": "demo_4", "nl": "v4", "en": "q4", "subscale": "b", "reverse": True},
        ],
        "scores": [
            {
                "column": "demo",
                "label": {"en": "Demo", "nl": "Demo"},
                "range": [4, 16],
                "higher_is_better": True,
                "rule": {"kind": "sum"},
                "cutoffs": [{"en": "low", "nl": "laag", "from": 4, "to": 8}],
            }
        ],
        "scoring_rule": {"en": "Sum.", "nl": "Som."},
        "missing_rule": {"en": "None missing.", "nl": "Geen ontbrekend."},
    }
    data.update(overrides)
    return data


def with_score(**score: Any) -> Instrument:
    """Return the demo instrument whose only score has the given keys replaced."""
    data = declaration()
    data["scores"][0].update(score)
    data["scores"][0]["cutoffs"] = []
    return parse_instrument(data)


ROWS = pl.DataFrame(
    {
        "demo_1": [1.0, 4.0, None, 2.0, 3.0, 9.0],
        "demo_2": [1.0, 3.0, 2.0, None, 3.0, 1.0],
        "demo_3": [2.0, 4.0, None, 4.0, 1.0, 1.0],
        "demo_4": [4.0, 1.0, 1.0, 2.0, 1.0, 1.0],
    }
)


def scores(instrument: Instrument) -> list[Any]:
    return instrument.score(ROWS).to_series(0).to_list()


# --- the library ---------------------------------------------------------------------------


def test_library_holds_the_seven_in_their_declared_order() -> None:
    library = load_library([default_instruments_dir()])
    assert [key for key in library if key in SEVEN] == SEVEN
    assert list(INSTRUMENTS)[:7] == SEVEN
    for key in SEVEN:
        instrument = INSTRUMENTS[key]
        assert instrument.licence and instrument.dutch_wording.source
    assert INSTRUMENTS["lsns6"].dutch_wording.verified is False


def test_every_library_file_loads_alone() -> None:
    for path in sorted(default_instruments_dir().glob("*.yaml")):
        assert load_instrument(path).key == path.stem


# --- rule kinds ----------------------------------------------------------------------------


def test_sum_needs_all_items_by_default_and_nulls_invalid_rows() -> None:
    assert scores(with_score()) == [8.0, 12.0, None, None, 8.0, None]


def test_sum_with_reverse_min_answered_and_prorate() -> None:
    rule = {"kind": "sum", "reverse": True, "min_answered": 3, "prorate": True}
    got = scores(with_score(rule=rule))
    # reversed items 2 and 4: 5 − code. Row 1: 1 + 4 + 2 + 1 = 8; row 2: 4 + 2 + 4 + 4 = 14;
    # row 3: two answered < 3 → null; row 4: 4 × mean(2, 4, 3) = 12; row 6: invalid 9 → null
    assert got == [8.0, 14.0, None, 12.0, 4 * ((3 + 2 + 1 + 4) / 4), None]


def test_mean_of_answered_items() -> None:
    got = scores(with_score(rule={"kind": "mean", "min_answered": 2}, range=[1, 4]))
    assert got == [2.0, 3.0, 1.5, 8 / 3, 2.0, None]


def test_count_with_one_code_set_with_codes_per_subscale_and_above() -> None:
    same = with_score(rule={"kind": "count", "codes": [3, 4], "min_answered": 1}, range=[0, 4])
    assert scores(same) == [1.0, 3.0, 0.0, 1.0, 2.0, None]
    per = with_score(
        rule={"kind": "count", "codes": {"a": [1], "b": [4]}, "min_answered": 1}, range=[0, 4]
    )
    assert scores(per) == [3.0, 1.0, 0.0, 1.0, 0.0, None]
    above = with_score(
        rule={"kind": "count", "above": 2, "items": ["b"], "min_answered": 1}, range=[0, 2]
    )
    assert scores(above) == [1.0, 1.0, 0.0, 1.0, 0.0, None]


def test_lookup_applies_the_table_to_the_sum_and_gives_null_outside() -> None:
    rule = {"kind": "lookup", "table": {8: 80.5, 12: 120.25}}
    assert scores(with_score(rule=rule, range=[0, 200])) == [80.5, 120.25, None, None, 80.5, None]


def test_threshold_flags_an_earlier_score_and_transform_maps_linearly() -> None:
    data = declaration()
    data["scores"][0]["transform"] = {"from": [4, 16], "to": [0, 100]}
    data["scores"][0]["range"] = [0, 100]
    data["scores"][0]["cutoffs"] = []
    data["scores"].append(
        {
            "column": "demo_low",
            "label": {"en": "Low", "nl": "Laag"},
            "range": [0, 1],
            "higher_is_better": None,
            "dtype": "boolean",
            "rule": {"kind": "threshold", "of": "demo", "below": 50},
        }
    )
    frame = parse_instrument(data).score(ROWS)
    assert frame["demo"].null_count() == 3
    expected = [100 * 4 / 12, 100 * 8 / 12, 100 * 4 / 12]
    assert frame["demo"].drop_nulls().to_list() == pytest.approx(expected, rel=1e-15)
    assert frame["demo_low"].to_list() == [True, False, None, None, True, None]
    assert frame.schema == pl.Schema({"demo": pl.Float64, "demo_low": pl.Boolean})


def test_transform_with_nonzero_target_start() -> None:
    got = scores(with_score(rule={"kind": "sum"}, transform={"from": [4, 16], "to": [1, 4]}))
    assert got[:2] == pytest.approx([1 + 3 * 4 / 12, 1 + 3 * 8 / 12], rel=1e-15)


def test_mhi5_gives_the_bits_of_the_manuals_formula_for_every_answer_pattern() -> None:
    mhi5 = get_instrument("mhi5")
    codes = [None, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 2.5]
    frame = pl.DataFrame(
        list(itertools.product(codes, repeat=5)),
        schema={c: pl.Float64 for c in mhi5.item_columns},
        orient="row",
    )
    recoded = [
        (7.0 - pl.col(c)) if c in ("mhi5_3", "mhi5_5") else pl.col(c) for c in mhi5.item_columns
    ]
    answered = pl.sum_horizontal(pl.col(c).is_not_null() for c in mhi5.item_columns)
    valid = pl.all_horizontal(
        pl.col(c).is_in(codes[1:7]) | pl.col(c).is_null() for c in mhi5.item_columns
    )
    manual = frame.select(
        pl.when((answered >= 4) & valid)
        .then(100.0 * (5.0 * pl.mean_horizontal(recoded) - 5.0) / 25.0)
        .alias("mhi5")
    )
    got = mhi5.score(frame)
    assert got["mhi5"].null_count() == manual["mhi5"].null_count() > 0
    assert got.equals(manual)
    bits = got["mhi5"].drop_nulls().to_numpy().view(np.uint64)
    assert np.array_equal(bits, manual["mhi5"].drop_nulls().to_numpy().view(np.uint64))


def test_qol_grade_is_a_single_item_sum_that_keeps_half_grades() -> None:
    grade = get_instrument("qol_grade")
    frame = pl.DataFrame({"qol_grade": [7.5, None, 10.0, 10.5, 1.0]})
    assert grade.score(frame)["qol_grade"].to_list() == [7.5, None, 10.0, None, 1.0]


# --- loader errors -------------------------------------------------------------------------


def mutate(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(declaration())
    target: Any = data
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    last = parts[-1]
    if value is DELETE:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return data


DELETE = object()

ERRORS = [
    ("nonsense", 1, "nonsense", "unknown key; check its spelling"),
    ("key", "Demo", "key", "expected text matching the pattern"),
    ("licence", DELETE, "licence", "missing; this key is required"),
    ("dutch_wording.verified", "perhaps", "dutch_wording.verified", "true or false"),
    ("scores.0.rule.kind", "median", "scores.0.rule.kind", "'sum', 'mean', 'count'"),
    ("items.1.column", "demo_1", "items.1.column", "a column not used before"),
    ("value_range", [0, 4], "answers", "exactly one of 'answers'"),
    ("answers", DELETE, "answers", "exactly one of 'answers'"),
    ("scores.0.rule.items", ["c"], "scores.0.rule.items.0", "a subscale of the items ['a', 'b']"),
    ("scores.0.cutoffs.0.to", 20, "scores.0.cutoffs.0", "4 <= from <= to <= 16"),
    ("scores.0.rule.min_answered", 5, "scores.0.rule.min_answered", "at most the rule's 4"),
    ("scores.0.rule.table", {4: 1.0}, "scores.0.rule.table", "a key of a sum rule"),
    ("scores.0.rule", {"kind": "count"}, "scores.0.rule", "exactly one of 'codes' or 'above'"),
    ("scores.0.rule", {"kind": "lookup"}, "scores.0.rule.table", "a table of item sum"),
    (
        "scores.0.rule",
        {"kind": "count", "codes": {"a": [1]}},
        "scores.0.rule.codes",
        "missing ['b']",
    ),
    (
        "scores.0.rule",
        {"kind": "threshold", "of": "demo", "below": 3},
        "scores.0.rule.of",
        "an earlier item score",
    ),
    ("wellbeing", "demo_total", "wellbeing", "one of the score columns ['demo']"),
]


@pytest.mark.parametrize(("path", "value", "key", "expected"), ERRORS)
def test_loader_errors_name_file_key_and_expectation(
    tmp_path: Path, path: str, value: Any, key: str, expected: str
) -> None:
    file = tmp_path / "demo.yaml"
    file.write_text(yaml.safe_dump(mutate(path, value), allow_unicode=True), encoding="utf-8")
    with pytest.raises(InstrumentError) as caught:
        load_instrument(file)
    message = str(caught.value)
    assert message.startswith(f"{file}: key '{key}': "), message
    assert expected in message


def test_key_must_equal_the_file_stem(tmp_path: Path) -> None:
    file = tmp_path / "other.yaml"
    file.write_text(yaml.safe_dump(declaration()), encoding="utf-8")
    with pytest.raises(InstrumentError, match=r"other\.yaml: key 'key': the file's stem 'other'"):
        load_instrument(file)


def test_threshold_of_a_later_score_is_refused() -> None:
    data = declaration()
    flag = {
        "column": "demo_low",
        "label": {"en": "Low", "nl": "Laag"},
        "range": [0, 1],
        "higher_is_better": None,
        "dtype": "boolean",
        "rule": {"kind": "threshold", "of": "demo", "below": 8},
    }
    data["scores"].insert(0, flag)
    with pytest.raises(InstrumentError, match=r"key 'scores\.0\.rule\.of': an earlier item score"):
        parse_instrument(data, "demo.yaml")


def test_a_broken_library_file_raises_instead_of_being_skipped(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(yaml.safe_dump(mutate("licence", DELETE)), "utf-8")
    with pytest.raises(InstrumentError, match=r"demo\.yaml: key 'licence'"):
        load_library([tmp_path])


def test_extra_library_folder_may_not_redeclare_a_key(tmp_path: Path) -> None:
    (tmp_path / "mhi5.yaml").write_text(yaml.safe_dump(declaration(key="mhi5")), "utf-8")
    with pytest.raises(InstrumentError, match="'mhi5' is also declared in"):
        load_library([default_instruments_dir(), tmp_path])


def test_wellbeing_error_lists_the_instruments_that_declare_one() -> None:
    with pytest.raises(InstrumentError) as caught:
        get_instrument("lsns6").wellbeing_expr()
    with_wellbeing = [key for key, i in INSTRUMENTS.items() if i.wellbeing_column]
    assert str(caught.value).endswith(", ".join(with_wellbeing))
    assert {"mhi5", "swemwbs", "qol_grade"} <= set(with_wellbeing)


# --- project-local instruments -------------------------------------------------------------


LOCAL = declaration(
    key="buurt_contact",
    items=[{"column": f"buurt_{i}", "nl": f"vraag {i}", "en": f"question {i}"} for i in (1, 2, 3)],
    scores=[
        {
            "column": "buurt_contact",
            "label": {"en": "Neighbourhood contact", "nl": "Buurtcontact"},
            "range": [3, 12],
            "higher_is_better": True,
            "rule": {"kind": "sum", "min_answered": 2, "prorate": True},
        }
    ],
    wellbeing="buurt_contact",
)

SPEC = {
    "id": "buurtproject",
    "name": "Buurtproject",
    "export": {"format": "csv"},
    "participant_id": "ID",
    "wave": {"column": "Meting", "labels": {"Nulmeting": 0, "Vervolg": 1}},
    "columns": {"B1": "buurt_1", "B2": "buurt_2", "B3": "buurt_3"},
    "instruments": ["buurt_contact"],
    "primary_wellbeing": "buurt_contact",
}


def write_project(specs: Path, spec: dict[str, Any], instrument: dict[str, Any]) -> Path:
    specs.mkdir(parents=True, exist_ok=True)
    path = specs / f"{spec['id']}.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    local = specs / spec["id"] / "instruments"
    local.mkdir(parents=True, exist_ok=True)
    file = local / f"{instrument['key']}.yaml"
    file.write_text(yaml.safe_dump(instrument, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def clean_registry() -> Iterator[None]:
    yield
    for project in ("buurtproject", "tweede", "derde"):
        unregister_project_instruments(project)


@pytest.mark.usefixtures("clean_registry")
def test_local_instrument_goes_through_ingest_validation_and_scoring(tmp_path: Path) -> None:
    spec = load_spec(write_project(tmp_path / "specs", SPEC, LOCAL))
    assert "buurt_contact" in INSTRUMENTS
    export = tmp_path / "export.csv"
    export.write_text(
        "ID,Meting,B1,B2,B3\n"
        "p1,Nulmeting,nooit,soms,altijd\n"
        "p2,Nulmeting,4,4,\n"
        "p3,Nulmeting,1,7,2\n"
        "p1,Vervolg,steeds,vaak,vaak\n",
        encoding="utf-8",
    )
    ingested = ingest_files([export], spec, KEY)
    result = validate_responses(ingested.responses, spec, lang="en")
    assert result.summary["rows_valid"] == 3
    assert result.quarantine["column"].to_list() == ["buurt_2"]
    scored = score_responses(result.valid, spec)
    assert scored["buurt_contact"].to_list() == [7.0, 3 * 4.0, 10.0]
    assert scored["wellbeing"].to_list() == pytest.approx([100 * 4 / 9, 100.0, 100 * 7 / 9])


@pytest.mark.usefixtures("clean_registry")
def test_local_instrument_may_not_take_a_library_or_another_projects_key(tmp_path: Path) -> None:
    load_specs(write_project(tmp_path / "ok", SPEC, LOCAL).parent)
    again = load_spec(write_project(tmp_path / "ok", SPEC, LOCAL))  # reloading is fine
    assert again.id == "buurtproject"
    other = {**SPEC, "id": "tweede"}
    with pytest.raises(InstrumentError, match="project 'buurtproject' declares an instrument"):
        load_spec(write_project(tmp_path / "other", other, LOCAL))
    clash = {**SPEC, "id": "derde", "instruments": ["mhi5"], "primary_wellbeing": "mhi5"}
    with pytest.raises(InstrumentError, match=r"mhi5\.yaml: key 'key': .* 'mhi5' is one"):
        load_spec(write_project(tmp_path / "lib", clash, declaration(key="mhi5")))
    assert get_instrument("mhi5").key == "mhi5"


def test_a_folder_without_instruments_holds_none(tmp_path: Path) -> None:
    assert load_directory(tmp_path / "absent") == {}


# --- reliable change -----------------------------------------------------------------------


def test_reliable_change_index_by_hand() -> None:
    # SD 18, r = .84: SE = 18 · √.16 = 7.2, S_diff = √(2 · 7.2²) = 10.182…; 40 → 60 gives 1.964
    reliability = Reliability(0.84, "alpha", 18.0, "hand computation")
    assert reliability.standard_error_of_difference() == pytest.approx(math.sqrt(2 * 7.2**2))
    assert reliability.reliable_change(40.0, 60.0) == pytest.approx(20 / math.sqrt(2 * 7.2**2))
    assert reliability.reliable_change(40.0, 60.0) == pytest.approx(1.9642, abs=1e-4)
    data = declaration(
        reliability={"coefficient": 0.84, "kind": "alpha", "sd": 18.0, "source": "hand"}
    )
    instrument = parse_instrument(data)
    assert reliable_change(instrument, 40.0, 60.0) == pytest.approx(1.9642, abs=1e-4)
    frame = pl.DataFrame({"t0": [40.0, 50.0, None], "t1": [60.0, 45.0, 50.0]})
    rci = frame.select(reliable_change(instrument, "t0", "t1")).to_series().to_list()
    assert rci[0] == pytest.approx(1.9642, abs=1e-4)
    assert rci[1] == pytest.approx(-5 / math.sqrt(2 * 7.2**2))
    assert rci[2] is None


def test_reliable_change_needs_a_declared_reliability() -> None:
    with pytest.raises(InstrumentError, match="declares no reliability"):
        reliable_change(parse_instrument(declaration()), 1.0, 2.0)
