"""A throwaway PostgreSQL server for tests: Debian's ``initdb`` and ``pg_ctl`` on loopback.

``PostgresServer`` creates a cluster in a fresh temporary folder, starts it on 127.0.0.1 and a
free port with password authentication (scram-sha-256), creates the database Dagster uses, and
removes everything again on ``stop()``. ``initdb`` refuses to run as root, so as root the cluster
belongs to the ``postgres`` system user of Debian's package and every server command runs
through ``runuser``. ``environment()`` returns the ``DAGSTER_PG_*`` variables that
``deploy/dagster.team.yaml`` reads.

Also usable by hand (prints the variables to export; Ctrl-C stops and removes the server)::

    uv run python tests/deploy/postgres.py
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

#: The Debian package that provides initdb and pg_ctl (``./dev test`` installs it when missing).
PACKAGE = "postgresql"
SERVICE_USER = "postgres"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's server programs are missing or the server would not start."""


def find_bindir() -> Path:
    """Return the folder holding ``initdb``, ``pg_ctl`` and ``postgres`` (newest major version).

    Debian installs them under ``/usr/lib/postgresql/<major>/bin`` (``PG_BINDIR`` overrides).
    """
    configured = os.environ.get("PG_BINDIR")
    candidates = [configured] if configured else []
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").is_file():
            return Path(candidate)
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise PostgresUnavailable(
        "PostgreSQL's server programs (initdb, pg_ctl) are not installed; `./dev test` installs "
        f"them, or run: sudo apt-get install {PACKAGE}"
    )


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """One throwaway cluster; ``start()`` it, read ``environment()``, ``stop()`` it."""

    database: str = "dagster"
    user: str = "outcomes"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    port: int = 0
    root: Path | None = None
    bindir: Path | None = None
    started: bool = False

    @property
    def data(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    @property
    def log(self) -> Path:
        assert self.root is not None
        return self.root / "server.log"

    def _as_owner(self, command: list[str]) -> list[str]:
        """Return ``command`` run as the cluster's owner (``postgres`` when we are root)."""
        if os.geteuid() == 0:
            return ["runuser", "-u", SERVICE_USER, "--", *command]
        return command

    def _run(self, command: list[str], timeout: float = 120) -> str:
        completed = subprocess.run(
            self._as_owner(command),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.root,
        )
        if completed.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise PostgresUnavailable(
                f"{Path(command[0]).name} failed (exit {completed.returncode}): "
                f"{completed.stderr.strip() or completed.stdout.strip()}\n{log}"
            )
        return completed.stdout

    def start(self) -> PostgresServer:
        """Create the cluster, start the server and create the database; return self."""
        self.bindir = self.bindir or find_bindir()
        # /tmp, not pytest's tmp_path: the postgres user must be able to enter the folder.
        self.root = Path(tempfile.mkdtemp(prefix="outcomes-pg-"))
        os.chmod(self.root, 0o700)
        if os.geteuid() == 0:
            shutil.chown(self.root, SERVICE_USER, SERVICE_USER)
        secret = self.root / "pwfile"
        secret.write_text(self.password + "\n")
        if os.geteuid() == 0:
            shutil.chown(secret, SERVICE_USER, SERVICE_USER)
        os.chmod(secret, 0o600)
        self._run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                self.user,
                f"--pwfile={secret}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )
        secret.unlink()
        for _ in range(5):
            self.port = self.port or free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=100"
            )
            try:
                self._run(
                    [
                        str(self.bindir / "pg_ctl"),
                        "-D",
                        str(self.data),
                        "-l",
                        str(self.log),
                        "-o",
                        options,
                        "-w",
                        "-t",
                        "60",
                        "start",
                    ]
                )
                break
            except PostgresUnavailable:
                if "already in use" not in self.log.read_text(errors="replace"):
                    raise
                self.port = 0  # lost the race for the port: try another
        self.started = True
        self._createdb()
        return self

    def _createdb(self) -> None:
        import psycopg2

        deadline = time.monotonic() + 30
        while True:
            try:
                connection = psycopg2.connect(
                    host="127.0.0.1",
                    port=self.port,
                    user=self.user,
                    password=self.password,
                    dbname="postgres",
                )
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{self.database}"')
        connection.close()

    def environment(self) -> dict[str, str]:
        """Return the ``DAGSTER_PG_*`` variables of ``deploy/dagster.team.yaml``."""
        return {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_USER": self.user,
            "DAGSTER_PG_PASSWORD": self.password,
            "DAGSTER_PG_DB": self.database,
        }

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove the cluster's folder."""
        try:
            if self.started and self.bindir is not None:
                self._run(
                    [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]
                )
        finally:
            self.started = False
            if self.root is not None:
                shutil.rmtree(self.root, ignore_errors=True)

    def is_running(self) -> bool:
        """Return whether something accepts connections on the server's port."""
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(1)
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":  # pragma: no cover - manual use
    with PostgresServer() as server:
        for name, value in server.environment().items():
            print(f"export {name}={value}")
        print("export OUTCOMES_INSTANCE=team\n# Ctrl-C stops the server and removes it")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
