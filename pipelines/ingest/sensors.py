"""The landing-folder sensor: one run per new or changed export file version."""

from __future__ import annotations

import json

import dagster as dg

from outcomes.workspace import Workspace
from pipelines.resources import project_specs
from pipelines.sources import export_versions


def landing_file_versions(workspace: Workspace) -> dict[str, list[tuple[str, str]]]:
    """Return project → [(file name, sha256)] of every export now in ``landing/``, as ingest
    lists and hashes them (:func:`pipelines.sources.export_versions`); projects without
    exports are left out."""
    versions: dict[str, list[tuple[str, str]]] = {}
    for project, spec in project_specs().items():
        files = export_versions(workspace, spec)
        if files:
            versions[project] = files
    return versions


def build_landing_sensor(job: dg.UnresolvedAssetJobDefinition) -> dg.SensorDefinition:
    """Return a sensor that requests ``job`` for a project when an export arrives or changes."""

    @dg.sensor(
        name="landing_sensor",
        job=job,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Watches `landing/<project>/` and starts a run when a new or changed export "
        "arrives (one run per file version).",
    )
    def landing_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        workspace = Workspace.from_env()
        seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
        requests = []
        current = landing_file_versions(workspace)
        for project, files in current.items():
            for name, sha in files:
                key = f"{project}/{name}"
                if seen.get(key) == sha:
                    continue
                seen[key] = sha
                requests.append(
                    dg.RunRequest(run_key=f"{project}:{name}:{sha}", partition_key=project)
                )
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(seen, sort_keys=True))

    return landing_sensor
