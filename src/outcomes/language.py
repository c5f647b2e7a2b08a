"""The languages of outcomes, their words and their number and date formats.

Belongs here: the languages reports and validation messages exist in (Dutch by default,
English on request), the catalog of words and messages per language, and the locale formatting
of numbers, percentages and dates (``55,1``/``55.1``, ``1.471``/``1,471``, ``13 januari
2025``/``13 January 2025``). Every word a report or a quarantine message shows is looked up
with :func:`word`; every number, percentage and date goes through :func:`format_number`,
:func:`format_percent` and :func:`format_date`.

The words live in gettext catalogs, one per language: ``locale/<lang>/LC_MESSAGES/outcomes.po``
beside this module (docs/architecture.md, "Languages and words"). A ``.po`` file is plain text
that translators and their tools (Poedit, Weblate, Lokalise) read without Python; each entry's
``msgid`` is the key the code asks for, its ``msgstr`` the text, and ``#.`` comments say where
the text appears and what its ``{placeholders}`` hold. The catalogs are read at run time with
Babel (``babel.messages.pofile``); nothing is compiled or generated. Numbers and dates are
formatted with Babel's CLDR data for ``nl_NL`` and ``en_GB`` (British English writes ``13
January 2025``). Two house rules stay on top of CLDR: a value is rounded as Python rounds the
stored binary value (``f"{2.675:.2f}"`` is ``2.67``; Babel alone would round the shortest
decimal text half-to-even), and a negative number gets a true minus sign (U+2212), which the
reports' typography uses in both languages.
Does not belong here: the sentences of a report (``reports/*_text.py``) or which rule a row breaks
(``validation/rules.py``).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import string
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern

from outcomes.errors import ConfigurationError

#: The languages of reports and messages; the first is the default.
LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = LANGUAGES[0]

#: Babel (CLDR) locale per language: Dutch as written in the Netherlands, British English.
LOCALES = {"nl": "nl_NL", "en": "en_GB"}

#: gettext domain: the catalogs are ``locale/<lang>/LC_MESSAGES/outcomes.po``.
DOMAIN = "outcomes"

#: Shown for a number or date that is missing (None, NaN, an empty date).
MISSING = "–"

MINUS = "−"


class LanguageError(ConfigurationError, ValueError):
    """A language other than ``nl`` or ``en`` was asked for."""


class MissingWordError(KeyError):
    """A key has no text in a language's catalog."""


def check_language(lang: str) -> str:
    """Return ``lang`` when outcomes speaks it; raise :class:`LanguageError` otherwise."""
    if lang not in LANGUAGES:
        raise LanguageError(
            f"language {lang!r} is not available; use one of: {', '.join(LANGUAGES)}"
        )
    return lang


def catalog_file(lang: str) -> Traversable:
    """Return the gettext catalog (``.po``) of ``lang`` inside the installed package."""
    check_language(lang)
    return resources.files("outcomes") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalog(lang: str) -> Mapping[str, str]:
    """Return the words of ``lang``: key (``msgid``) → text (``msgstr``), read from its ``.po``.

    Untranslated and fuzzy entries are left out, as gettext's ``msgfmt`` leaves them out.
    """
    with catalog_file(lang).open("rb") as handle:
        entries = read_po(handle, locale=LOCALES[lang], domain=DOMAIN)
    return MappingProxyType(
        {
            str(message.id): str(message.string)
            for message in entries
            if message.id and message.string and not message.fuzzy
        }
    )


def has_word(key: str, lang: str) -> bool:
    """Return True when the catalog of ``lang`` has a text for ``key``."""
    return key in catalog(check_language(lang))


def word(key: str, lang: str, /, **fields: object) -> str:
    """Return the text of ``key`` in ``lang`` with its ``{placeholders}`` filled from ``fields``
    (which may hold a ``{key}`` or ``{lang}`` of their own).

    Without ``fields`` the text is returned as the catalog holds it, so a template with ``{}``
    can go to polars' ``pl.format``. A key missing from the catalog raises
    :class:`MissingWordError` naming the catalog file.
    """
    words = catalog(check_language(lang))
    try:
        text = words[key]
    except KeyError:
        raise MissingWordError(f"no text for {key!r} in {catalog_file(lang)}") from None
    return text.format(**fields) if fields else text


def placeholders(text: str) -> list[str]:
    """Return the ``{placeholders}`` of a catalog text in order (``""`` for a positional
    ``{}``), as :meth:`str.format` reads them."""
    return [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]


def _locale(lang: str) -> Locale:
    return Locale.parse(LOCALES[check_language(lang)])


def _rounded(value: float | int, decimals: int | None) -> Decimal:
    """Return ``value`` as a decimal: rounded to ``decimals`` as Python rounds the stored
    binary value, or with all its digits (``7.0`` → ``7``) when ``decimals`` is None."""
    if decimals is not None:
        return Decimal(f"{value:.{decimals}f}")
    if isinstance(value, float):
        exact = Decimal(repr(value))
        return exact.quantize(Decimal(1)) if value.is_integer() else exact
    return Decimal(value)


def _signed(number: Decimal, body: str, signed: bool) -> str:
    if number < 0:
        return MINUS + body
    return "+" + body if signed and number > 0 else body


def _pattern(base: NumberPattern, decimals: int | None) -> NumberPattern:
    """Return the locale's pattern with exactly ``decimals`` decimals (its own when None)."""
    if decimals is None:
        return base
    pattern = copy.copy(base)
    pattern.frac_prec = (decimals, decimals)
    return pattern


def format_number(
    value: float | None,
    decimals: int | None,
    lang: str,
    *,
    signed: bool = False,
    grouping: bool = True,
) -> str:
    """Return ``value`` in the number format of ``lang``: ``55,1`` and ``1.471`` (nl), ``55.1``
    and ``1,471`` (en).

    ``decimals`` rounds to that many decimals; None keeps every digit the value has (``7`` not
    ``7.0``, for values a data manager typed). Negative numbers get a true minus sign (U+2212);
    a value that rounds to zero has no sign; ``signed`` adds ``+`` to positive values;
    ``grouping=False`` leaves out the thousands separator (years, codes). None or NaN gives
    ``"–"``. Separators come from CLDR via Babel (docs/architecture.md, "Languages and words").
    """
    if value is None or not math.isfinite(value):
        return MISSING
    number = _rounded(value, decimals)
    locale = _locale(lang)
    body = _pattern(locale.decimal_formats[None], decimals).apply(
        abs(number),
        locale,
        decimal_quantization=decimals is not None,
        group_separator=grouping,
    )
    return _signed(number, body, signed)


def format_percent(value: float | None, decimals: int, lang: str) -> str:
    """Return a percentage given in percent points (``55.1``) as ``lang`` writes it:
    ``55,1%`` (nl), ``55.1%`` (en); ``"–"`` for None or NaN.

    Rounding and the minus sign as in :func:`format_number`; the percent pattern (sign,
    spacing) is the locale's own from CLDR via Babel.
    """
    if value is None or not math.isfinite(value):
        return MISSING
    number = _rounded(value, decimals)
    locale = _locale(lang)
    body = _pattern(locale.percent_formats[None], decimals).apply(abs(number) / 100, locale)
    return _signed(number, body, signed=False)


def format_date(value: str | dt.date | None, lang: str) -> str:
    """Return a date (or the date part of an ISO timestamp) in the long format of ``lang``:
    ``13 januari 2025`` (nl), ``13 January 2025`` (en); ``"–"`` without a date.

    Month names and order come from CLDR via Babel (``nl_NL`` and ``en_GB`` long dates).
    """
    if not value:
        return MISSING
    if isinstance(value, str):
        day = dt.date.fromisoformat(value[:10])
    elif isinstance(value, dt.datetime):
        day = value.date()
    else:
        day = value
    return str(babel_format_date(day, format="long", locale=LOCALES[check_language(lang)]))
