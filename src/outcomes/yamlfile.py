"""Reading the YAML files a user writes: project specs, instrument files, the analysis settings.

One reader, so every such file fails the same way on a user's mistake: the error class of the
file's kind, naming the file and what is wrong with it (docs/architecture.md, "Ingest and
errors"). What the keys must hold is each kind's own check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from outcomes.errors import OutcomesError, worded


def read_yaml(path: Path, kind: str, error: type[OutcomesError]) -> Any:
    """Return the parsed YAML of ``path`` (None for an empty file).

    Raises ``error`` naming ``path`` when the file is missing (``"<kind> not found"``), is not
    UTF-8 text or is not valid YAML; ``kind`` names the file's role ("project spec"), and the
    language catalogs word its messages as ``error_<kind>_not_found`` and
    ``error_<kind>_not_utf8`` (spaces as ``_``).
    """
    words = "error_" + kind.replace(" ", "_")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise worded(error, f"{words}_not_found", file=str(path)) from None
    except UnicodeDecodeError:
        raise worded(error, f"{words}_not_utf8", file=str(path)) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as problem:
        raise worded(error, "error_yaml_invalid", file=str(path), problem=str(problem)) from None
