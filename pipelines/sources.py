"""The exports in ``landing/<project>/`` as an observable source asset, ``landing_exports``.

Belongs here: what Dagster knows of the exports before ingest reads them — one observation per
project whose data version is the SHA-256 of the project's export files, so that a new or
changed export marks that project's ``raw_responses`` and ``responses`` (and everything
downstream) stale (docs/architecture.md, "Freshness and automation"). Does not belong here:
reading or archiving the exports (``outcomes.ingest``).
"""

import hashlib
import warnings
from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from outcomes.ingest import export_files
from outcomes.ingest.archive import sha256_of
from outcomes.specs import ProjectSpec
from outcomes.workspace import Workspace
from pipelines.partitions import PROJECTS
from pipelines.resources import OutcomesWorkspace, project_specs

LANDING_EXPORTS = dg.AssetKey("landing_exports")


def export_versions(workspace: Workspace, spec: ProjectSpec) -> list[tuple[str, str]]:
    """Return [(file name relative to ``landing/<project>/``, sha256)] of the project's export
    files, as ingest lists and hashes them (data dictionaries and hidden files are not
    exports; docs/architecture.md, "Raw export → canonical responses")."""
    folder = workspace.project_landing(spec.id)
    return [(p.relative_to(folder).as_posix(), sha256_of(p)) for p in export_files(spec, folder)]


def landing_data_version(workspace: Workspace, spec: ProjectSpec) -> str:
    """Return the data version of a project's exports: the SHA-256 over each export's name and
    SHA-256, in name order. It changes when an export is added, removed, renamed or edited and
    only then (docs/architecture.md, "Freshness and automation")."""
    digest = hashlib.sha256()
    for name, sha in export_versions(workspace, spec):
        digest.update(f"{name}\0{sha}\n".encode())
    return digest.hexdigest()


#: The observation's code version: the SHA-256 of this module, which holds all of its code.
CODE_VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]

LANDING_SPEC = dg.AssetSpec(
    LANDING_EXPORTS,
    group_name="ingest",
    kinds={"csv", "excel"},
    code_version=CODE_VERSION,
    description=(
        "The export files a project delivered in `landing/<project>/`, as found there: an "
        "observation records one data version per project, the SHA-256 over every export's "
        "name and SHA-256. A new or changed export gives a new data version, which marks the "
        "project's ingest and everything after it stale."
    ),
)


def _observe_landing_exports(
    context: dg.AssetExecutionContext, outcomes: OutcomesWorkspace
) -> Iterator[dg.ObserveResult]:
    """Observe one project's exports: the data version and the files seen."""
    project = context.partition_key
    workspace = outcomes.workspace()
    spec = project_specs()[project]
    files = export_versions(workspace, spec)
    yield dg.ObserveResult(
        asset_key=LANDING_EXPORTS,
        data_version=dg.DataVersion(landing_data_version(workspace, spec)),
        metadata={
            "files": len(files),
            "exports": dg.MetadataValue.md(
                "\n".join(f"- `{name}` `{sha[:12]}`" for name, sha in files) or "no exports"
            ),
            "folder": dg.MetadataValue.path(str(workspace.project_landing(project))),
        },
    )


with warnings.catch_warnings():
    # multi_observable_source_asset is marked beta in Dagster 1.13; tests pin its behaviour.
    warnings.simplefilter("ignore", category=dg.BetaWarning)
    landing_exports = dg.multi_observable_source_asset(
        name="observe_landing_exports", specs=[LANDING_SPEC], partitions_def=PROJECTS
    )(_observe_landing_exports)
