"""Helpers of the deployment tests: workspaces with their own instance, snapshots, checks.

The pipeline runs here against real instances: the local profile (SQLite under DAGSTER_HOME)
and the team profile (``deploy/dagster.team.yaml`` on a PostgreSQL server started from Debian's
package on 127.0.0.1). The slow tests share one server and one SQLite reference run, so they
carry ``@pytest.mark.xdist_group("postgres")`` and run on one pytest-xdist worker.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
#: A fixed pseudonym key (64 hex characters), so that every workspace pseudonymises alike.
TEST_KEY = "5f" * 32
#: The demo as ``outcomes demo`` writes it (default size and seed): its planted defects stay
#: below every project's quarantine threshold only at the size the demo is calibrated for.
PARTICIPANTS: int | None = None
#: Figures measured by the slow tests (timings, concurrency), for the record.
FIGURES = REPO / "tests" / "artifacts" / "deploy-figures.json"
ENV_KEYS = (
    "DAGSTER_HOME",
    "OUTCOMES_HOME",
    "OUTCOMES_INSTANCE",
    "OUTCOMES_PSEUDONYM_KEY",
    "OUTCOMES_PSEUDONYM_KEY_FILE",
    "DAGSTER_PG_HOST",
    "DAGSTER_PG_PORT",
    "DAGSTER_PG_USER",
    "DAGSTER_PG_PASSWORD",
    "DAGSTER_PG_DB",
)


def record_figures(section: str, values: dict[str, Any]) -> None:
    """Merge ``values`` under ``section`` into tests/artifacts/deploy-figures.json.

    The file is replaced atomically, so test sessions running side by side never read half of
    it; each section carries the time it was measured.
    """
    from outcomes.atomic import write_json

    try:
        data = json.loads(FIGURES.read_text())
    except (OSError, ValueError):
        data = {}
    data[section] = {**values, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    write_json(FIGURES, data)
    print(f"\n{section}: {json.dumps(values, sort_keys=True)}")


@dataclass
class Setup:
    """One workspace with its own Dagster instance (DAGSTER_HOME) and instance profile."""

    base: Path
    profile: str
    pg_env: dict[str, str] | None = None

    @property
    def workspace(self) -> Path:
        return self.base / "workspace"

    @property
    def dagster_home(self) -> Path:
        return self.base / "dagster"

    def environment(self) -> dict[str, str]:
        """Return the variables a run of this setup needs (profile, homes, key, Postgres)."""
        env = {
            "DAGSTER_HOME": str(self.dagster_home),
            "OUTCOMES_HOME": str(self.workspace),
            "OUTCOMES_INSTANCE": self.profile,
            "OUTCOMES_PSEUDONYM_KEY": TEST_KEY,
        }
        env.update(self.pg_env or {})
        return env

    def process_environment(self) -> dict[str, str]:
        """Return ``os.environ`` with this setup's variables, for a subprocess."""
        env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
        env.update(self.environment())
        env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(REPO / "src")])
        return env

    @contextmanager
    def activated(self) -> Iterator[None]:
        """Set this setup's variables in this process; restore the old ones afterwards."""
        saved = {k: os.environ.get(k) for k in ENV_KEYS}
        for key in ENV_KEYS:
            os.environ.pop(key, None)
        os.environ.update(self.environment())
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def materialize(self) -> Any:
        """Materialize everything in this process (like ``outcomes run``); return the summary."""
        from pipelines.runner import materialize_all

        with self.activated():
            return materialize_all(home=str(self.workspace), progress=lambda line: None)

    def instance(self) -> Any:
        """Return this setup's DagsterInstance (use it inside ``activated()``)."""
        import dagster as dg

        from pipelines.runner import prepare_instance_home

        prepare_instance_home()
        return dg.DagsterInstance.get()


def new_setup(
    base: Path, landing: Path, profile: str, pg_env: dict[str, str] | None = None
) -> Setup:
    """Return a setup under ``base`` whose landing/ is a copy of ``landing``."""
    setup = Setup(base, profile, pg_env)
    setup.dagster_home.mkdir(parents=True, exist_ok=True)
    shutil.copytree(landing, setup.workspace / "landing")
    return setup


def is_temporary(path: Path) -> bool:
    """Return whether ``path`` is an in-flight file of ``outcomes.atomic`` (``.<name>.*.tmp``)."""
    return path.name.startswith(".") and path.name.endswith(".tmp")


def snapshot(workspace: Path) -> dict[str, str]:
    """Return relative path → sha256 of every file in ``workspace`` (temporary files left out)."""
    files: dict[str, str] = {}
    for path in sorted(workspace.rglob("*")):
        if path.is_file() and not is_temporary(path) and path.name != ".index.lock":
            files[path.relative_to(workspace).as_posix()] = hashlib.sha256(
                path.read_bytes()
            ).hexdigest()
    return files


#: Files whose bytes legitimately differ between two workspaces with the same data: the archive
#: index records when a file was first seen; the DuckDB catalogue stores the workspace's path.
WORKSPACE_SPECIFIC = {"archive/index.json", "warehouse/warehouse.duckdb"}


def archive_index_without_dates(workspace: Path) -> dict[str, Any]:
    """Return the archive index without its ``first_seen`` times."""
    index = json.loads((workspace / "archive" / "index.json").read_text())
    return {
        name: [{k: v for k, v in entry.items() if k != "first_seen"} for entry in versions]
        for name, versions in index.items()
    }


def duckdb_views(workspace: Path) -> dict[str, int]:
    """Return view name → row count of ``warehouse/warehouse.duckdb``."""
    import duckdb

    with duckdb.connect(str(workspace / "warehouse" / "warehouse.duckdb"), read_only=True) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT view_name FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
        ]
        return {
            name: db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in sorted(names)
        }


#: Keys that hold how long something took (``model.json``'s ``seconds``;
#: docs/architecture.md, "What the analysis writes"): a
#: measurement of the run, not a result, so two runs of the same data differ there.
TIMING_KEYS = {"seconds"}


def without_timings(value: Any) -> Any:
    """Return ``value`` (parsed JSON) with every ``TIMING_KEYS`` entry removed, recursively."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def compare_outputs(actual: Path, expected: Path) -> dict[str, list[str]]:
    """Compare two workspaces file by file; return the files that differ, by kind.

    ``identical`` differ in nothing; ``timings`` are analysis JSON files that differ only in
    ``TIMING_KEYS``; ``workspace_specific`` (``WORKSPACE_SPECIFIC``) are compared by content;
    ``different`` differ in substance. Asserts that both hold the same file names.
    """
    got, want = snapshot(actual), snapshot(expected)
    assert sorted(got) == sorted(want), (
        f"missing: {sorted(set(want) - set(got))}, extra: {sorted(set(got) - set(want))}"
    )
    result: dict[str, list[str]] = {
        "identical": [],
        "timings": [],
        "workspace_specific": [],
        "different": [],
    }
    for name in want:
        if got[name] == want[name]:
            result["identical"].append(name)
        elif name in WORKSPACE_SPECIFIC:
            result["workspace_specific"].append(name)
        elif (
            name.startswith("analysis/")
            and name.endswith(".json")
            and without_timings(json.loads((actual / name).read_text()))
            == without_timings(json.loads((expected / name).read_text()))
        ):
            result["timings"].append(name)
        else:
            result["different"].append(name)
    if "archive/index.json" in result["workspace_specific"]:
        assert archive_index_without_dates(actual) == archive_index_without_dates(expected)
    if "warehouse/warehouse.duckdb" in result["workspace_specific"]:
        assert duckdb_views(actual) == duckdb_views(expected)
    return result


def assert_same_outputs(actual: Path, expected: Path) -> dict[str, list[str]]:
    """Assert that two workspaces hold the same outputs and return ``compare_outputs``.

    Every warehouse parquet file, PDF, CSV, validation and report-table JSON must be
    byte-identical; analysis JSON may differ only in fit timings; the archive index and the
    DuckDB catalogue only in what is specific to the workspace (dates first seen, paths).
    """
    result = compare_outputs(actual, expected)
    assert result["different"] == [], f"files differ: {result['different']}"
    for name in result["timings"] + result["workspace_specific"]:
        assert not name.startswith(("warehouse/", "reports/")) or name.endswith(".duckdb"), name
    return result


def check_complete(path: Path) -> None:
    """Raise AssertionError unless the file at ``path`` is whole (parses to its end)."""
    suffix = path.suffix.lower()
    data = path.read_bytes()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        assert data[:4] == b"PAR1" and data[-4:] == b"PAR1", f"{path}: truncated parquet"
        pq.read_table(path)
    elif suffix == ".json":
        json.loads(data.decode("utf-8"))
    elif suffix == ".pdf":
        assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:], f"{path}: truncated PDF"
    elif suffix == ".csv" and "quarantine" in path.parts:
        text = data.decode("utf-8-sig")
        assert text == "" or text.endswith("\n"), f"{path}: CSV does not end with a full line"
    elif suffix == ".duckdb":
        import duckdb

        with duckdb.connect(str(path), read_only=True) as db:
            db.execute("SELECT count(*) FROM duckdb_views()").fetchall()
    if path.parent.name == "archive" and len(path.stem) == 64:
        assert hashlib.sha256(data).hexdigest() == path.stem, f"{path}: archive copy incomplete"


def outputs(workspace: Path) -> list[Path]:
    """Return every output file under its final name (landing/ and temporary files left out)."""
    return [
        p
        for p in sorted(workspace.rglob("*"))
        if p.is_file()
        and not is_temporary(p)
        and p.name != ".index.lock"
        and "landing" not in p.relative_to(workspace).parts
    ]


@dataclass
class Reference:
    """A workspace materialized once, uninterrupted, on the local (SQLite) profile."""

    setup: Setup
    seconds: float
    files: dict[str, str]
    #: seconds of a second SQLite run in the same process (set by the idempotence test), the
    #: fair comparison for later runs: the first run of a process also pays for warming up
    warm_seconds: float | None = None


def warm_up() -> None:
    """Import what the pipeline's steps import lazily, so that timed runs compare runs, not
    first imports."""
    import importlib

    import pipelines.definitions  # noqa: F401

    for name in (
        "outcomes.ingest",
        "outcomes.validation",
        "outcomes.instruments",
        "outcomes.panel",
        "outcomes.models",
        "outcomes.models.meta",
        "outcomes.reports.tables",
        "outcomes.reports.render",
        "outcomes.warehouse",
        "statsmodels.api",
        "duckdb",
    ):
        importlib.import_module(name)
