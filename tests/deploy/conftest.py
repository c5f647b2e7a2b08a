"""Fixtures of the deployment tests: a throwaway Postgres server, demo exports, a reference run.

The pipeline runs here against real instances: the local profile (SQLite under DAGSTER_HOME)
and the team profile (``deploy/dagster.team.yaml`` on a PostgreSQL server started from Debian's
package on 127.0.0.1). The slow tests share one server and one SQLite reference run, so they
carry ``@pytest.mark.xdist_group("postgres")`` and run on one pytest-xdist worker. Helpers live
in ``support.py`` and ``postgres.py`` beside this file (the ``support`` fixture returns the first).
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent


def load_helper(name: str) -> ModuleType:
    """Import ``tests/deploy/<name>.py`` under a unique module name and return it."""
    module_name = f"outcomes_deploy_tests_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


support_module = load_helper("support")


@pytest.fixture(scope="session")
def support() -> ModuleType:
    """Return the helper module ``tests/deploy/support.py``."""
    return support_module


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """Start a throwaway PostgreSQL server on 127.0.0.1 for the session; stop it afterwards."""
    server = load_helper("postgres").PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()
        assert not server.is_running(), "the test Postgres server did not stop"


@pytest.fixture(scope="session")
def demo_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a landing/ folder with the demo exports of the five seed projects."""
    from outcomes.demo import write_demo

    home = tmp_path_factory.mktemp("demo-exports")
    truth = write_demo(home)
    support_module.PARTICIPANTS = getattr(truth, "n_participants", None)
    return home / "landing"


@pytest.fixture(scope="session")
def sqlite_reference(tmp_path_factory: pytest.TempPathFactory, demo_landing: Path) -> Any:
    """Return the uninterrupted reference run (local profile) and its file hashes."""
    setup = support_module.new_setup(
        tmp_path_factory.mktemp("sqlite-reference"), demo_landing, "local"
    )
    support_module.warm_up()
    started = time.perf_counter()
    summary = setup.materialize()
    seconds = time.perf_counter() - started
    assert summary.succeeded, f"reference run failed: {summary.failure}"
    support_module.record_figures("sqlite_reference_run", {"seconds": round(seconds, 1)})
    return support_module.Reference(setup, seconds, support_module.snapshot(setup.workspace))
