"""Errors a user can act on: one base class and one subclass per kind of mistake.

Every error whose message tells the user what to fix derives from :class:`OutcomesError`: a
project spec (:class:`SpecError`), an export file (:class:`ExportError`), the environment or a
configuration file (:class:`ConfigurationError`), and, defined next to the code that raises them,
model inputs (``outcomes.models.formula.ModelInputError``), a panel that cannot be built, a stage
input not materialized yet. The command line (``outcomes.cli``) prints such an error as one line
without a traceback and exits with code 2; any other exception is a defect and keeps its
traceback (docs/architecture.md, "Ingest and errors").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar


class OutcomesError(Exception):
    """A mistake the user can fix; the message says what is wrong, where, and what was expected.

    ``words`` is the language catalog's key of the message and the fields it fills in (a field
    may be a :class:`Wording`), when the error is worded in every language (see
    :func:`worded`); None: English only.
    """

    words: tuple[str, dict[str, object]] | None = None


class Wording:
    """A field of a worded error that is words itself, so it follows the printed language: the
    problems pydantic found in a YAML file, say. :func:`worded` renders it in English for the
    message, :func:`in_language` in the user's language; ``str()`` gives the English
    (docs/architecture.md, "Schema problems in both languages")."""

    def in_language(self, lang: str) -> str:
        """Return the words in ``lang``."""
        raise NotImplementedError

    def __str__(self) -> str:
        return self.in_language("en")


class Phrase(Wording):
    """The catalog's ``key`` filled with ``fields`` (which may be :class:`Wording` themselves)."""

    def __init__(self, key: str, /, **fields: object) -> None:
        self.key, self.fields = key, fields

    def in_language(self, lang: str) -> str:
        """Return the catalog's text of the key in ``lang``, its fields filled in ``lang``."""
        from outcomes import language

        return language.word(self.key, lang, **fields_in(self.fields, lang))

    def __repr__(self) -> str:
        return f"Phrase({self.key!r}, **{self.fields!r})"


class Phrases(Wording):
    """Several phrases as one text, in order: ``between`` them, ``before`` the first."""

    def __init__(self, parts: Iterable[Wording], between: str, before: str = "") -> None:
        self.parts, self.between, self.before = tuple(parts), between, before

    def in_language(self, lang: str) -> str:
        """Return every part in ``lang``, joined by ``between``, after ``before``."""
        return self.before + self.between.join(part.in_language(lang) for part in self.parts)


def fields_in(fields: dict[str, object], lang: str) -> dict[str, object]:
    """Return ``fields`` with every :class:`Wording` rendered in ``lang``."""
    return {
        name: value.in_language(lang) if isinstance(value, Wording) else value
        for name, value in fields.items()
    }


E = TypeVar("E", bound="OutcomesError")


def worded(error_class: type[E], key: str, **fields: object) -> E:
    """Return an ``error_class`` whose message is the catalog's ``key`` in English, filled with
    ``fields``, and which carries key and fields so the command line can print it in the user's
    language; a field that is a :class:`Wording` is rendered in the language printed
    (docs/architecture.md, "Validation report")."""
    from outcomes import language

    error = error_class(language.word(key, "en", **fields_in(fields, "en")))
    error.words = (key, dict(fields))
    return error


def in_language(error: OutcomesError, lang: str) -> str:
    """Return the line the command line prints for ``error`` in ``lang``: ``fout: …`` in the
    catalog's words when the error is worded (:func:`worded`), else its English message
    marked as English (docs/architecture.md, "Validation report")."""
    from outcomes import language

    if error.words is not None:
        key, fields = error.words
        message = language.word(key, lang, **fields_in(fields, lang))
        return language.word("error_line", lang, message=message)
    return language.word("error_untranslated", lang, message=str(error))


class SpecError(OutcomesError, ValueError):
    """A project spec is missing, unreadable or invalid; the message names file and key."""


class ExportError(OutcomesError, ValueError):
    """An export cannot be read as its project spec describes; the message names the file, and
    the row and column where there is one."""


class ConfigurationError(OutcomesError):
    """A setting in the environment or a configuration file is missing or invalid; the message
    names the setting and how to set it."""
