"""The exception classes that mean "the user can fix this" (shown as one line, no traceback)."""

from __future__ import annotations

import importlib

_USER_ERROR_CLASSES = (
    ("outcomes.ingest.spec", "SpecError"),
    ("outcomes.ingest", "ExportError"),
    ("outcomes.privacy", "MissingKeyError"),
    ("outcomes.stages", "StageInputMissing"),
    ("outcomes.panel", "PanelError"),
    ("outcomes.models", "ModelInputError"),
)


def _collect() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = []
    for module_name, class_name in _USER_ERROR_CLASSES:
        module = importlib.import_module(module_name)
        found.append(getattr(module, class_name))
    return tuple(found)


USER_ERRORS: tuple[type[BaseException], ...] = _collect()
