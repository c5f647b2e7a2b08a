"""A YAML file a user writes that fails its schema names every refused key with what was
expected, in Dutch and English: project specs, instrument files and the analysis
configuration, read by their loaders and by the commands that read them
(docs/architecture.md, "Schema problems in both languages")."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ValidationError

from outcomes import language
from outcomes.cli import main
from outcomes.errors import OutcomesError, in_language
from outcomes.instruments.loader import load_instrument
from outcomes.models.config import load_analysis_config
from outcomes.specs import load_spec
from outcomes.yamlfile import SCHEMA_WORDS, schema_problems

SOURCE = Path(__file__).resolve().parents[1] / "src" / "outcomes"

# -- the files ------------------------------------------------------------------------------

#: a spec without a name, an export format that does not exist, two ways of finding the wave,
#: text for a number and a misspelt key
BAD_SPEC = """\
id: proef
export:
  format: sas
participant_id: ID
wave:
  column: Meting
  date_order: true
columns:
  V1: mhi5_1
quarantine_threshold: hoog
colums: {}
"""

#: the spec's own checks of single keys
BAD_SPEC_CHECKS = """\
id: proef
name: Proefproject
export: {format: csv}
participant_id: ID
wave: {column: Meting}
columns:
  V1: mhi5_1
  V2: mhi5_1
intervention_type: befriending
"""

#: the spec's own check of the whole spec
BAD_SPEC_PRIMARY = """\
id: proef
name: Proefproject
export: {format: csv}
participant_id: ID
wave: {column: Meting}
columns: {V1: mhi5_1}
instruments: [mhi5]
primary_wellbeing: swemwbs
"""

GOOD_SPEC = """\
id: proef
name: Proefproject
export: {format: csv}
participant_id: ID
wave: {column: Meting}
columns: {V1: buurt_1}
"""

_INSTRUMENT = """\
key: buurt
name: {{en: Neighbourhood, nl: Buurt}}
citation: Author A (2020). A scale. Journal 1:1-2.
{licence}dutch_wording: {{source: Author A (2020), verified: {verified}}}
answers:
  - {{code: 1, nl: nooit, en: never}}
  - {{code: 2, nl: vaak, en: often}}
items:
  - {{column: buurt_1, nl: v1, en: q1}}
  - {{column: buurt_2, nl: v2, en: q2}}
scores:
  - column: buurt
    label: {{en: Neighbourhood, nl: Buurt}}
    range: [2, 4]
    higher_is_better: true
    rule: {{kind: {kind}}}
scoring_rule: {{en: Sum., nl: Som.}}
missing_rule: {{en: None missing., nl: Geen ontbrekend.}}
{extra}"""

#: an instrument without a licence, a word for true or false, a rule kind that does not exist
#: and an unknown key
BAD_INSTRUMENT = _INSTRUMENT.format(
    licence="", verified="misschien", kind="median", extra="colour: blue\n"
)

#: the instrument file's own check: the wellbeing score is one of its scores
BAD_INSTRUMENT_CHECK = _INSTRUMENT.format(
    licence="licence: Free to use.\n", verified="true", kind="sum", extra="wellbeing: welzijn\n"
)

#: a method that does not exist, a list for text, a negative count, a misspelt key and
#: percentiles outside 0–100 (every key of the configuration has a default: none is missing)
BAD_CONFIG = """\
primary:
  method: coin_toss
  scope: [all]
robustness:
  bootstrap_replicates: -5
  seeds: 1
simple_slopes:
  percentiles: [10, 150]
"""

# -- what they give -------------------------------------------------------------------------

SPEC = {
    "en": "error: {file}: invalid project spec\n"
    "  key 'name': missing; this key is required\n"
    "  key 'export.format': expected one of 'qualtrics', 'limesurvey', 'castor', 'redcap', "
    "'spss', 'excel', 'csv', got 'sas'\n"
    "  key 'wave': give exactly one of 'column', 'file_pattern', 'date_order: true' or "
    "'constant'\n"
    "  key 'quarantine_threshold': expected a number, got 'hoog'\n"
    "  key 'colums': unknown key; check its spelling or remove it",
    "nl": "fout: {file}: ongeldige projectspec\n"
    "  sleutel 'name': ontbreekt; deze sleutel is verplicht\n"
    "  sleutel 'export.format': verwacht een van 'qualtrics', 'limesurvey', 'castor', 'redcap', "
    "'spss', 'excel', 'csv', gevonden: 'sas'\n"
    "  sleutel 'wave': geef precies één van 'column', 'file_pattern', 'date_order: true' of "
    "'constant'\n"
    "  sleutel 'quarantine_threshold': verwacht een getal, gevonden: 'hoog'\n"
    "  sleutel 'colums': onbekende sleutel; controleer de spelling of haal de sleutel weg",
}

_TYPES = (
    "'individual_skills_training', 'group_skills_training', 'supported_community_engagement', "
    "'group_community_activities', 'employment', 'peer_support'"
)

SPEC_CHECKS = {
    "en": "error: {file}: invalid project spec\n"
    "  key 'columns': raw columns 'V1' and 'V2' both map to 'mhi5_1'; map each canonical "
    "column from one raw column\n"
    f"  key 'intervention_type': expected one of {_TYPES}, got 'befriending'",
    "nl": "fout: {file}: ongeldige projectspec\n"
    "  sleutel 'columns': de exportkolommen 'V1' en 'V2' zijn allebei gekoppeld aan 'mhi5_1'; "
    "koppel elke canonieke kolom aan één exportkolom\n"
    f"  sleutel 'intervention_type': verwacht een van {_TYPES}, gevonden: 'befriending'",
}

SPEC_PRIMARY = {
    "en": "error: {file}: invalid project spec\n"
    "  key 'primary_wellbeing': primary_wellbeing 'swemwbs' is not among instruments "
    "['mhi5']; add it to 'instruments' or choose one of them",
    "nl": "fout: {file}: ongeldige projectspec\n"
    "  sleutel 'primary_wellbeing': primary_wellbeing 'swemwbs' staat niet bij de instruments "
    "['mhi5']; zet het bij 'instruments' of kies er een van",
}

INSTRUMENT = {
    "en": "error: {file}: key 'licence': missing; this key is required\n"
    "{file}: key 'dutch_wording.verified': expected true or false, got 'misschien'\n"
    "{file}: key 'scores.0.rule.kind': expected one of 'sum', 'mean', 'count', 'lookup', "
    "'threshold', got 'median'\n"
    "{file}: key 'colour': unknown key; check its spelling or remove it",
    "nl": "fout: {file}: sleutel 'licence': ontbreekt; deze sleutel is verplicht\n"
    "{file}: sleutel 'dutch_wording.verified': verwacht true of false, gevonden: 'misschien'\n"
    "{file}: sleutel 'scores.0.rule.kind': verwacht een van 'sum', 'mean', 'count', 'lookup', "
    "'threshold', gevonden: 'median'\n"
    "{file}: sleutel 'colour': onbekende sleutel; controleer de spelling of haal de sleutel weg",
}

INSTRUMENT_CHECK = {
    "en": "error: {file}: key 'wellbeing': one of the score columns ['buurt']",
    "nl": "fout: {file}: sleutel 'wellbeing': verwacht een van de scorekolommen ['buurt']",
}

CONFIG = {
    "en": "error: {file}: key 'primary.scope': expected text, got ['all']\n"
    "{file}: key 'primary.method': expected one of 'satterthwaite', 'bootstrap', got "
    "'coin_toss'\n"
    "{file}: key 'robustness.bootstrap_replicates': expected a number of at least 0, got -5\n"
    "{file}: key 'robustness.seeds': unknown key; check its spelling or remove it\n"
    "{file}: key 'simple_slopes.percentiles': expected percentiles between 0 and 100, got "
    "[150.0]",
    "nl": "fout: {file}: sleutel 'primary.scope': verwacht tekst, gevonden: ['all']\n"
    "{file}: sleutel 'primary.method': verwacht een van 'satterthwaite', 'bootstrap', gevonden: "
    "'coin_toss'\n"
    "{file}: sleutel 'robustness.bootstrap_replicates': verwacht een getal van minstens 0, "
    "gevonden: -5\n"
    "{file}: sleutel 'robustness.seeds': onbekende sleutel; controleer de spelling of haal de "
    "sleutel weg\n"
    "{file}: sleutel 'simple_slopes.percentiles': verwacht percentielen tussen 0 en 100, "
    "gevonden: [150.0]",
}

LOADED = [
    ("spec", "proef.yaml", BAD_SPEC, load_spec, SPEC),
    ("spec_checks", "proef.yaml", BAD_SPEC_CHECKS, load_spec, SPEC_CHECKS),
    ("spec_primary", "proef.yaml", BAD_SPEC_PRIMARY, load_spec, SPEC_PRIMARY),
    ("instrument", "buurt.yaml", BAD_INSTRUMENT, load_instrument, INSTRUMENT),
    ("instrument_check", "buurt.yaml", BAD_INSTRUMENT_CHECK, load_instrument, INSTRUMENT_CHECK),
    ("config", "analysis.yaml", BAD_CONFIG, load_analysis_config, CONFIG),
]


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize(
    ("name", "text", "load", "lines"), [c[1:] for c in LOADED], ids=[c[0] for c in LOADED]
)
def test_a_bad_file_gives_every_refused_key_in_dutch_and_english(
    tmp_path: Path,
    lang: str,
    name: str,
    text: str,
    load: Callable[[Path], object],
    lines: dict[str, str],
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OutcomesError) as caught:
        load(path)
    assert caught.value.words is not None
    assert in_language(caught.value, lang) == lines[lang].format(file=path)
    # the error's own message is the English, without "error: "
    assert "error: " + str(caught.value) == lines["en"].format(file=path)


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize(
    ("text", "lines"),
    [(BAD_SPEC, SPEC), (BAD_SPEC_CHECKS, SPEC_CHECKS), (BAD_SPEC_PRIMARY, SPEC_PRIMARY)],
    ids=["spec", "spec_checks", "spec_primary"],
)
def test_validate_prints_a_bad_spec_in_the_language_of_lang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, text: str, lines: dict[str, str]
) -> None:
    spec = tmp_path / "proef.yaml"
    spec.write_text(text, encoding="utf-8")
    args = ["validate", str(tmp_path / "export.csv"), "--project", "proef", "--spec", str(spec)]
    assert main([*args, "--home", str(tmp_path / "ws"), "--lang", lang]) == 2
    assert capsys.readouterr().err == lines[lang].format(file=spec) + "\n"


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize(
    ("text", "lines"),
    [(BAD_INSTRUMENT, INSTRUMENT), (BAD_INSTRUMENT_CHECK, INSTRUMENT_CHECK)],
    ids=["instrument", "instrument_check"],
)
def test_validate_prints_a_bad_project_instrument_in_the_language_of_lang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, text: str, lines: dict[str, str]
) -> None:
    spec = tmp_path / "specs" / "proef.yaml"
    local = tmp_path / "specs" / "proef" / "instruments"
    local.mkdir(parents=True)
    spec.write_text(GOOD_SPEC, encoding="utf-8")
    (local / "buurt.yaml").write_text(text, encoding="utf-8")
    args = ["validate", str(tmp_path / "export.csv"), "--project", "proef", "--spec", str(spec)]
    assert main([*args, "--home", str(tmp_path / "ws"), "--lang", lang]) == 2
    assert capsys.readouterr().err == lines[lang].format(file=local / "buurt.yaml") + "\n"


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_analyse_prints_a_bad_configuration_in_the_language_of_lang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    config = tmp_path / "analysis.yaml"
    config.write_text(BAD_CONFIG, encoding="utf-8")
    panel = tmp_path / "panel.csv"
    panel.write_text("participant_id,months_since_baseline,network_size_bl,wellbeing\n")
    args = ["analyse", str(panel), "--out", str(tmp_path / "out"), "--config", str(config)]
    assert main([*args, "--lang", lang]) == 2
    assert capsys.readouterr().err == CONFIG[lang].format(file=config) + "\n"


# -- the words of each problem --------------------------------------------------------------


class _Sample(BaseModel):
    """Keys of the kinds the YAML files have, and one (a date) outcomes has no words for."""

    level: Literal[1, 2]
    share: float = 0.5
    names: list[str] = []
    on: dt.date | None = None


def _problem(data: dict[str, object], lang: str) -> str:
    with pytest.raises(ValidationError) as caught:
        _Sample.model_validate(data)
    (phrase,) = schema_problems(caught.value)
    return phrase.in_language(lang)


@pytest.mark.parametrize(
    ("data", "english", "dutch"),
    [
        (
            {"level": 3},
            "key 'level': expected one of 1, 2, got 3",
            "sleutel 'level': verwacht een van 1, 2, gevonden: 3",
        ),
        (
            {"level": 1, "share": True, "names": "a"},
            "key 'names': expected a list, got 'a'",
            "sleutel 'names': verwacht een lijst, gevonden: 'a'",
        ),
        (
            {"level": 1, "names": [None]},
            "key 'names.0': expected text, got null",
            "sleutel 'names.0': verwacht tekst, gevonden: null",
        ),
        (
            {"level": 1, "share": "x" * 80},
            f"key 'share': expected a number, got '{'x' * 58}…",
            f"sleutel 'share': verwacht een getal, gevonden: '{'x' * 58}…",
        ),
        (
            {"level": 1, "on": "maandag"},
            "key 'on': Input should be a valid date or datetime, input is too short",
            "sleutel 'on': (alleen in het Engels beschreven) Input should be a valid date or "
            "datetime, input is too short",
        ),
    ],
    ids=["literal_of_numbers", "list", "text", "long_value", "untranslated"],
)
def test_each_problem_says_what_was_expected_in_both_languages(
    data: dict[str, object], english: str, dutch: str
) -> None:
    assert _problem(data, "en") == english
    assert _problem(data, "nl") == dutch


def _schema_error_calls() -> list[ast.Call]:
    calls = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "schema_error":
                calls.append(node)
    return calls


def _assert_worded(key: str, fields: set[str]) -> None:
    for lang in language.LANGUAGES:
        assert language.has_word(key, lang), f"{key} is missing in {lang}"
        used = set(language.placeholders(language.word(key, lang)))
        assert used <= fields, f"{key} ({lang}) needs {used - fields}"
    assert sorted(language.placeholders(language.word(key, "nl"))) == sorted(
        language.placeholders(language.word(key, "en"))
    )


def test_every_schema_problem_is_in_both_catalogs_with_its_fields() -> None:
    fields = {"found", "limit", "allowed", "pattern", "min", "max", "n"}
    for key, _ in SCHEMA_WORDS.values():
        _assert_worded(key, fields)
    _assert_worded("schema_key", {"key", "problem"})
    _assert_worded("schema_untranslated", {"message"})
    calls = _schema_error_calls()
    assert len(calls) >= 5
    for call in calls:
        key = call.args[0]
        assert isinstance(key, ast.Constant), ast.dump(key)
        _assert_worded(key.value, {k.arg for k in call.keywords if k.arg is not None} - {"at"})


def test_a_key_of_several_types_is_named_as_the_file_writes_it(tmp_path: Path) -> None:
    """``export.sheet`` takes a sheet name or number: each expectation names the key itself,
    not pydantic's name of the type tried (``export.sheet.str``); a column mapping's key with
    brackets (LimeSurvey's ``Q2[SQ001]``) keeps them."""
    spec = tmp_path / "proef.yaml"
    spec.write_text(
        "id: proef\nname: Proef\nexport:\n  format: limesurvey\n  sheet: [1, 2]\n"
        "participant_id: id\nwave:\n  constant: 0\ncolumns:\n  Q2[SQ001]: [mhi5_1]\n",
        encoding="utf-8",
    )
    with pytest.raises(OutcomesError) as raised:
        load_spec(spec)
    lines = in_language(raised.value, "en").splitlines()
    assert "  key 'export.sheet': expected text, got [1, 2]" in lines
    assert "  key 'export.sheet': expected a whole number, got [1, 2]" in lines
    assert not any("export.sheet.str" in line or "sheet.int" in line for line in lines)
    assert any(line.startswith("  key 'columns.Q2[SQ001]': ") for line in lines), lines
