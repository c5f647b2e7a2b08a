"""`./dev notebooks` opens JupyterLab from the locked environment, on the notebooks folder."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_dev_notebooks_serves_jupyterlab_on_the_notebooks_folder(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "NOTEBOOK_PORT": str(port),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "DAGSTER_HOME": str(tmp_path / "dagster"),
    }
    command = [
        "bash",
        str(REPO / "dev"),
        "notebooks",
        "--no-browser",
        "--IdentityProvider.token=test-token",
    ]
    server = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        listing = None
        deadline = time.monotonic() + 120
        url = f"http://127.0.0.1:{port}/api/contents?token=test-token"
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    listing = json.load(response)
                break
            except OSError:
                time.sleep(0.5)
        assert listing is not None, server.stderr.read().decode() if server.stderr else ""
        names = {entry["name"] for entry in listing["content"]}
        assert {"01_data_quality.ipynb", "02_outcomes_over_time.ipynb"} <= names
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token=test-token") as page:
            assert page.status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
