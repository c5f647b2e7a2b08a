"""The language catalogs and the locale formatting of numbers, percentages and dates."""

from __future__ import annotations

import datetime as dt

import pytest
from babel.messages.pofile import read_po

from outcomes import language
from outcomes.language import (
    LANGUAGES,
    LanguageError,
    MissingWordError,
    catalog,
    catalog_file,
    format_date,
    format_number,
    format_percent,
    placeholders,
    word,
)
from outcomes.validation import messages
from outcomes.validation.messages import expected_text


def _entries(lang: str) -> list:
    with catalog_file(lang).open("rb") as handle:
        return [m for m in read_po(handle, locale=language.LOCALES[lang]) if m.id]


def test_every_key_has_a_text_in_every_language():
    keys = {lang: set(catalog(lang)) for lang in LANGUAGES}
    assert keys["nl"] == keys["en"]
    assert len(keys["nl"]) > 150
    for lang in LANGUAGES:
        entries = _entries(lang)
        assert [m.id for m in entries if not m.string or m.fuzzy] == [], lang
        ids = [m.id for m in entries]
        assert len(ids) == len(set(ids)), f"{lang}: a key occurs twice"


def test_placeholders_match_between_languages():
    nl, en = catalog("nl"), catalog("en")
    differ = {
        key: (placeholders(nl[key]), placeholders(en[key]))
        for key in nl
        if sorted(placeholders(nl[key])) != sorted(placeholders(en[key]))
    }
    assert differ == {}
    # the positional templates go to polars' pl.format in this order
    assert placeholders(nl["kept"]) == placeholders(en["kept"]) == ["", ""]


def test_placeholders_are_filled_in():
    assert word("months", "nl", m=6) == "6 mnd"
    assert word("months", "en", m=6) == "6 mo"
    assert word("between", "en", low="2020-01-01", high="2025-06-30") == (
        "between 2020-01-01 and 2025-06-30"
    )
    # without fields a template is returned as the catalog holds it (for pl.format)
    assert word("kept", "nl") == "bewaard is rij {} van {}"


def test_every_rule_message_and_label_is_in_the_catalog():
    nl = catalog("nl")
    rules = [k.removeprefix("message_") for k in nl if k.startswith("message_")]
    assert "out_of_range" in rules and "ingest_other" in rules
    labelled = {k.removeprefix("rule_") for k in nl if k.startswith("rule_")}
    assert set(rules) - {"ingest_other"} == labelled
    assert messages.rule_label("out_of_range", "nl") == "waarde buiten bereik"
    assert messages.rule_label("no_such_rule", "en") == "no_such_rule"


def test_unknown_language_and_unknown_key_are_refused():
    with pytest.raises(LanguageError, match="'de'"):
        word("report", "de")
    with pytest.raises(LanguageError):
        format_number(1.0, 1, "fr")
    with pytest.raises(MissingWordError, match="no_such_key"):
        word("no_such_key", "nl")


def test_numbers_follow_the_locale():
    assert format_number(55.1, 1, "nl") == "55,1"
    assert format_number(55.1, 1, "en") == "55.1"
    assert format_number(1471, 0, "nl") == "1.471"
    assert format_number(1471, 0, "en") == "1,471"
    assert format_number(1471, 0, "nl", grouping=False) == "1471"
    assert format_number(-1.234, 2, "nl") == "−1,23"
    assert format_number(-0.004, 2, "en") == "0.00"
    assert format_number(2.5, 1, "nl", signed=True) == "+2,5"
    assert format_number(float("nan"), 1, "en") == "–"


def test_rounding_is_of_the_stored_value():
    # 2.675 is stored as 2.67499…; 0.45 as 0.45000…01: rounded as Python's format rounds them
    assert format_number(2.675, 2, "en") == f"{2.675:.2f}" == "2.67"
    assert format_number(0.45, 1, "nl") == "0,5"
    assert format_number(0.125, 2, "en") == f"{0.125:.2f}"


def test_values_keep_their_digits_without_decimals():
    assert format_number(7.0, None, "nl") == "7"
    assert format_number(0.25, None, "nl") == "0,25"
    assert format_number(1900, None, "nl", grouping=False) == "1900"
    assert expected_text("in_range", {"min_value": 1900, "max_value": 2025}, "nl") == "1900–2025"
    assert expected_text("in_range", {"min_value": 1.0, "max_value": 6.0}, "en") == "1–6"
    assert expected_text("isin", {"allowed_values": [1, 2, 3]}, "nl") == "één van 1, 2, 3"


def test_percentages_follow_the_locale():
    assert format_percent(55.1, 1, "nl") == "55,1%"
    assert format_percent(55.1, 1, "en") == "55.1%"
    assert format_percent(97.4, 0, "nl") == "97%"
    assert format_percent(None, 0, "nl") == "–"


def test_dates_follow_the_locale():
    assert format_date("2025-01-13", "nl") == "13 januari 2025"
    assert format_date("2025-01-13", "en") == "13 January 2025"
    assert format_date("2025-05-05T00:00:00+00:00", "nl") == "5 mei 2025"
    assert format_date(dt.date(2025, 1, 13), "en") == "13 January 2025"
    assert format_date(None, "nl") == "–"
