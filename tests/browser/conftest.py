"""A Dagster UI (``dagster dev``) over a copy of the materialized demo, and Debian's chromium.

The browser is the system's ``/usr/bin/chromium`` (``./dev test`` installs it); Playwright never
downloads one. The server runs in its own process group and is stopped with SIGTERM, then
SIGKILL after a timeout (``dagster dev`` may wait for its runs and ignore the first signal).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from outcomes.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

#: The test instance: the project's dagster.yaml (its queue of one run at a time, so that a
#: killed run would block it), with backfills submitting their partitions from threads.
BACKFILL_YAML = """
backfills:
  use_threads: true
  num_workers: 2
  num_submit_workers: 4
"""

STARTUP_SECONDS = 240
STOP_SECONDS = 20


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's chromium with flags that keep it offline and headless."""
    assert CHROMIUM.exists(), "chromium is missing: apt-get install chromium (./dev test does)"
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class DagsterUI:
    """A running ``dagster dev``: its address, process, log file, workspace and instance."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    workspace: Workspace
    instance: Path

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Return the ``data`` of a GraphQL query against the webserver."""
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            f"{self.url}/graphql", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = json.load(response)
        assert "errors" not in payload, payload
        return payload["data"]

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def stop_process_group(process: subprocess.Popen[bytes], timeout: float = STOP_SECONDS) -> None:
    """Stop ``process`` and everything in its process group: SIGTERM, then SIGKILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # also children that outlived the parent
    process.wait(timeout=timeout)


def _wait_until_serving(ui: DagsterUI) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if ui.process.poll() is not None:
            pytest.fail(f"dagster dev exited with {ui.process.returncode}:\n{ui.log_tail()}")
        try:
            with urllib.request.urlopen(f"{ui.url}/server_info", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    pytest.fail(f"the Dagster UI did not answer within {STARTUP_SECONDS} s:\n{ui.log_tail()}")


@pytest.fixture(scope="module")
def dagster_ui(
    demo_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DagsterUI]:
    """Return a ``dagster dev`` serving a copy of the demo's instance and workspace."""
    base = tmp_path_factory.mktemp("ui")
    instance = base / "dagster"
    shutil.copytree(os.environ["DAGSTER_HOME"], instance)
    (instance / "dagster.yaml").write_text(
        (REPO / "dagster.yaml").read_text(encoding="utf-8") + BACKFILL_YAML, encoding="utf-8"
    )
    workspace = Workspace(base / "workspace")
    shutil.copytree(demo_workspace.home, workspace.home)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(instance),
        "OUTCOMES_HOME": str(workspace.home),
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
    }
    port = free_port()
    log = base / "dagster-dev.log"
    dagster = Path(sys.executable).with_name("dagster")
    # From the repository root, as `./dev ui` does: pyproject.toml names the code location.
    command = [str(dagster), "dev", "-h", "127.0.0.1", "-p", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as a whole
        )
    ui = DagsterUI(f"http://127.0.0.1:{port}", process, log, workspace, instance)
    try:
        _wait_until_serving(ui)
        yield ui
    finally:
        stop_process_group(process)
