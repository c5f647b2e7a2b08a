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


class OutcomesError(Exception):
    """A mistake the user can fix; the message says what is wrong, where, and what was expected."""


class SpecError(OutcomesError, ValueError):
    """A project spec is missing, unreadable or invalid; the message names file and key."""


class ExportError(OutcomesError, ValueError):
    """An export cannot be read as its project spec describes; the message names the file, and
    the row and column where there is one."""


class ConfigurationError(OutcomesError):
    """A setting in the environment or a configuration file is missing or invalid; the message
    names the setting and how to set it."""
