"""The exception classes that mean "the user can fix this" (shown as one line, no traceback)."""

from __future__ import annotations

import sys

_USER_ERROR_CLASSES = (
    ("outcomes.ingest.spec", "SpecError"),
    ("outcomes.ingest", "ExportError"),
    ("outcomes.privacy", "MissingKeyError"),
    ("outcomes.stages", "StageInputMissing"),
    ("outcomes.panel", "PanelError"),
    ("outcomes.models", "ModelInputError"),
)


def user_errors() -> tuple[type[BaseException], ...]:
    """Return the user-error classes of the modules imported so far.

    A module that was never imported cannot have raised its error, so nothing is imported here:
    ``outcomes validate`` does not pay for loading the model engines just to catch their errors.
    """
    return tuple(
        getattr(sys.modules[module_name], class_name)
        for module_name, class_name in _USER_ERROR_CLASSES
        if module_name in sys.modules
    )
