"""Resources shared by every stage: the workspace and the pseudonym key, from the environment."""

from __future__ import annotations

import dagster as dg

from outcomes.specs import ProjectSpec, load_specs
from outcomes.workspace import Workspace


class OutcomesWorkspace(dg.ConfigurableResource):
    """Where a run reads and writes (``OUTCOMES_HOME``), the report language and model engine."""

    home: str = "workspace"
    lang: str = "nl"
    engine: str = "auto"

    def workspace(self) -> Workspace:
        return Workspace.from_env(self.home).ensure()


class PseudonymKey(dg.ConfigurableResource):
    """The HMAC key for pseudonymisation (``OUTCOMES_PSEUDONYM_KEY`` or a key file)."""

    allow_generate: bool = False

    def key(self) -> bytes:
        from outcomes.privacy import load_pseudonym_key

        return load_pseudonym_key(allow_generate=self.allow_generate)


def project_specs() -> dict[str, ProjectSpec]:
    """Return the project specs of ``data_schemas/projects`` (or ``OUTCOMES_SPECS``)."""
    return load_specs()


def default_resources() -> dict[str, dg.ConfigurableResource]:
    """Return the resources configured from the environment."""
    return {
        "outcomes": OutcomesWorkspace(
            home=dg.EnvVar("OUTCOMES_HOME").get_value("workspace") or "workspace",
            lang=dg.EnvVar("OUTCOMES_LANG").get_value("nl") or "nl",
            engine=dg.EnvVar("OUTCOMES_ENGINE").get_value("auto") or "auto",
        ),
        "pseudonym": PseudonymKey(),
    }
