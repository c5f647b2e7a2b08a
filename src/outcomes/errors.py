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

from typing import TypeVar


class OutcomesError(Exception):
    """A mistake the user can fix; the message says what is wrong, where, and what was expected.

    ``words`` is the language catalog's key of the message and the fields it fills in, when the
    error is worded in every language (see :func:`worded`); None: English only.
    """

    words: tuple[str, dict[str, object]] | None = None


E = TypeVar("E", bound="OutcomesError")


def worded(error_class: type[E], key: str, **fields: object) -> E:
    """Return an ``error_class`` whose message is the catalog's ``key`` in English, filled with
    ``fields``, and which carries key and fields so the command line can print it in the user's
    language (docs/architecture.md, "Validation report")."""
    from outcomes import language

    error = error_class(language.word(key, "en", **fields))
    error.words = (key, dict(fields))
    return error


def in_language(error: OutcomesError, lang: str) -> str:
    """Return the line the command line prints for ``error`` in ``lang``: ``fout: …`` in the
    catalog's words when the error is worded (:func:`worded`), else its English message
    marked as English (docs/architecture.md, "Validation report")."""
    from outcomes import language

    if error.words is not None:
        key, fields = error.words
        return language.word("error_line", lang, message=language.word(key, lang, **fields))
    return language.word("error_untranslated", lang, message=str(error))


class SpecError(OutcomesError, ValueError):
    """A project spec is missing, unreadable or invalid; the message names file and key."""


class ExportError(OutcomesError, ValueError):
    """An export cannot be read as its project spec describes; the message names the file, and
    the row and column where there is one."""


class ConfigurationError(OutcomesError):
    """A setting in the environment or a configuration file is missing or invalid; the message
    names the setting and how to set it."""
