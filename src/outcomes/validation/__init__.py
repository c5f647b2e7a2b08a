"""Validation of canonical tables: pandera schemas, quarantine with reasons, blocking checks.

The pipeline calls :func:`validate_responses` per project, writes the results with
:func:`write_validation_json` and :func:`write_quarantine_csv`, and turns :func:`reconcile` and
:func:`check_quarantine_share` into blocking asset checks. ``outcomes validate`` prints
:func:`format_summary`. The schemas of every warehouse table (:func:`table_schema`) are
generated from the catalog (``outcomes.catalog``).
"""

from outcomes.language import LanguageError
from outcomes.validation.messages import message, rule_label
from outcomes.validation.quarantine import (
    format_summary,
    neutralise_formulas,
    write_quarantine_csv,
    write_validation_json,
)
from outcomes.validation.rules import (
    DUPLICATE_POLICIES,
    ResponsesStructureError,
    ValidationResult,
    check_quarantine_share,
    reconcile,
    validate_responses,
)
from outcomes.validation.schemas import (
    panel_schema,
    quarantine_schema,
    responses_schema,
    table_schema,
)

__all__ = [
    "DUPLICATE_POLICIES",
    "LanguageError",
    "ResponsesStructureError",
    "ValidationResult",
    "check_quarantine_share",
    "format_summary",
    "message",
    "neutralise_formulas",
    "panel_schema",
    "quarantine_schema",
    "reconcile",
    "responses_schema",
    "rule_label",
    "table_schema",
    "validate_responses",
    "write_quarantine_csv",
    "write_validation_json",
]
