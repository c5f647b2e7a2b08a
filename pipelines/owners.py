"""Asset owners per pipeline stage, read from configuration (``pipelines/owners.yaml``).

Belongs here: loading and checking the owners file and applying it to asset specs. The stage
folders do not name people; a deployment sets ``OUTCOMES_OWNERS`` to its own file.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import dagster as dg
import yaml

from outcomes.errors import ConfigurationError

DEFAULT_OWNERS_FILE = Path(__file__).with_name("owners.yaml")

#: Dagster accepts an e-mail address or ``team:<name>`` as an owner.
_OWNER = re.compile(r"^(team:[A-Za-z0-9_-]+|[^@\s]+@[^@\s]+\.[^@\s]+)$")


class OwnersConfigError(ConfigurationError, ValueError):
    """The owners file is malformed; the message names the file, the stage and the value."""


def owners_file() -> Path:
    """Return the owners file in use: ``$OUTCOMES_OWNERS`` or ``pipelines/owners.yaml``."""
    return Path(os.environ.get("OUTCOMES_OWNERS") or DEFAULT_OWNERS_FILE)


def load_owners(path: Path | None = None) -> dict[str, list[str]]:
    """Return stage (asset group) → owners from ``path`` (default :func:`owners_file`)."""
    path = path or owners_file()
    if not path.exists():
        raise OwnersConfigError(f"{path}: owners file not found (set OUTCOMES_OWNERS)")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise OwnersConfigError(f"{path}: expected a mapping of stage → list of owners")
    owners: dict[str, list[str]] = {}
    for stage, names in data.items():
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list):
            raise OwnersConfigError(f"{path}: stage {stage!r}: expected a list of owners")
        for name in names:
            if not isinstance(name, str) or not _OWNER.match(name):
                raise OwnersConfigError(
                    f"{path}: stage {stage!r}: owner {name!r} is neither an e-mail address "
                    "nor team:<name>"
                )
        owners[str(stage)] = list(names)
    return owners


def with_owners(defs: dg.Definitions, owners: dict[str, list[str]]) -> dg.Definitions:
    """Return ``defs`` with each asset's owners set from its group's entry in ``owners``."""

    def apply(spec: dg.AssetSpec) -> dg.AssetSpec:
        names = owners.get(spec.group_name or "", [])
        return spec.replace_attributes(owners=names) if names else spec

    with warnings.catch_warnings():
        # map_asset_specs is marked preview in Dagster 1.13; tests pin its behaviour here.
        warnings.simplefilter("ignore", category=dg.PreviewWarning)
        return defs.map_asset_specs(func=apply)
