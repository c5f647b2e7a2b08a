"""Shared fixtures: a fully materialized demo workspace, built once per test session.

Tests that use ``demo_workspace`` must carry ``@pytest.mark.xdist_group("demo")`` (or the
module-level ``pytestmark``) so that pytest-xdist runs them on one worker and the demo is
materialized once.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from outcomes.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep each ``xdist_group`` on one worker under pytest 9.

    pytest-xdist 3.8 marks a grouped test by rewriting ``item._nodeid``; pytest 9 reads node
    ids from ``item._id``, so ``--dist loadgroup`` would silently spread a group over workers
    (and every worker would materialize its own demo). Same suffix, set where pytest 9 reads it.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        if "@" in item.nodeid:
            continue
        names = sorted(
            {
                str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                for mark in item.iter_markers("xdist_group")
            }
        )
        if names:
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(names)}")  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def demo_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Return a temporary folder with DAGSTER_HOME, the workspace and a pseudonym key file."""
    base = tmp_path_factory.mktemp("demo")
    saved = {
        k: os.environ.get(k)
        for k in (
            "DAGSTER_HOME",
            "OUTCOMES_HOME",
            "OUTCOMES_PSEUDONYM_KEY_FILE",
            "OUTCOMES_PSEUDONYM_KEY",
        )
    }
    dagster_home = base / "dagster"
    dagster_home.mkdir()
    shutil.copyfile(REPO / "dagster.yaml", dagster_home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    os.environ["OUTCOMES_HOME"] = str(base / "workspace")
    os.environ["OUTCOMES_PSEUDONYM_KEY_FILE"] = str(base / "keys" / "pseudonym.key")
    os.environ.pop("OUTCOMES_PSEUDONYM_KEY", None)
    try:
        yield base
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def demo_workspace(demo_environment: Path) -> Workspace:
    """Return a workspace where ``outcomes demo`` has materialized everything (default size)."""
    from pipelines.cli import main

    workspace = Workspace(demo_environment / "workspace")
    code = main(["demo", "--home", str(workspace.home)])
    assert code == 0, "outcomes demo failed; run it by hand to see why"
    return workspace
