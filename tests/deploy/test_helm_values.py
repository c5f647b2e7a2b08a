"""The Helm values and the Dockerfile, checked offline against the chart's documented keys."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
VALUES = REPO / "deploy" / "helm" / "values.yaml"
KEYS = REPO / "deploy" / "helm" / "chart-keys.txt"
DOCKERFILE = REPO / "deploy" / "Dockerfile"


def documented_keys() -> tuple[set[str], set[str]]:
    """Return the chart's exact key paths and its free-form prefixes (``path.*``)."""
    exact: set[str] = set()
    free: set[str] = set()
    for line in KEYS.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith(".*"):
            free.add(line[:-2])
        else:
            exact.add(line)
    return exact, free


def key_paths(value: Any, prefix: str = "") -> list[str]:
    """Return the dotted key path of every leaf and mapping in ``value`` (``[]`` for list items)."""
    paths: list[str] = []
    if isinstance(value, dict):
        for key, child in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            paths.append(path)
            paths += key_paths(child, path)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                paths += key_paths(item, f"{prefix}[]")
    return paths


def undocumented(paths: list[str], exact: set[str], free: set[str]) -> list[str]:
    """Return the paths that are neither documented keys nor inside a free-form key."""

    def allowed(path: str) -> bool:
        if path in exact or path in free:
            return True
        if any(path.startswith(f"{p}.") or path.startswith(f"{p}[]") for p in free):
            return True
        # a mapping whose own keys are documented (e.g. `global` above `global.dagsterHome`)
        return any(key.startswith(f"{path}.") or key.startswith(f"{path}[]") for key in exact)

    return [p for p in paths if not allowed(p)]


def values() -> dict[str, Any]:
    return yaml.safe_load(VALUES.read_text())


def test_every_value_is_a_documented_chart_key() -> None:
    exact, free = documented_keys()
    paths = key_paths(values())
    assert len(paths) > 30
    assert undocumented(paths, exact, free) == []


def test_the_check_catches_a_misspelt_key() -> None:
    exact, free = documented_keys()
    broken = values()
    broken["runLauncher"]["config"]["k8sRunLaunchers"] = broken["runLauncher"]["config"].pop(
        "k8sRunLauncher"
    )
    broken["dagster-user-deployments"]["deployments"][0]["grpcArgs"] = ["-m", "x"]
    found = undocumented(key_paths(broken), exact, free)
    assert "dagster-user-deployments.deployments[].grpcArgs" in found
    assert "runLauncher.config.k8sRunLaunchers" in found
    assert all("grpcArgs" in p or "k8sRunLaunchers" in p for p in found)


def test_values_launch_runs_as_kubernetes_jobs_on_postgres() -> None:
    data = values()
    assert data["runLauncher"]["type"] == "K8sRunLauncher"
    assert data["dagsterDaemon"]["runCoordinator"]["type"] == "QueuedRunCoordinator"
    # the Postgres password comes from a secret made outside the chart, never from values
    assert data["generatePostgresqlPasswordSecret"] is False
    assert data["global"]["postgresqlSecretName"]
    assert "postgresqlPassword" not in data["postgresql"]
    # the same driver as the team profile (deploy/dagster.team.yaml)
    team = yaml.safe_load((REPO / "deploy" / "dagster.team.yaml").read_text())
    scheme = team["storage"]["postgres"]["postgres_db"]["scheme"]
    assert data["postgresql"]["postgresqlScheme"] == scheme


def test_values_run_the_projects_image_with_the_pseudonym_key_secret() -> None:
    data = values()
    (deployment,) = data["dagster-user-deployments"]["deployments"]
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert deployment["image"]["tag"] == version
    args = deployment["dagsterApiGrpcArgs"]
    module = args[args.index("-m") + 1]
    assert (REPO / (module.replace(".", "/") + ".py")).is_file(), module
    key_secret = {"name": "outcomes-pseudonym-key"}
    assert key_secret in deployment["envSecrets"]
    assert key_secret in data["runLauncher"]["config"]["k8sRunLauncher"]["envSecrets"]
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is True
    env = {e["name"]: e.get("value") for e in deployment["env"]}
    mounts = {m["mountPath"] for m in deployment["volumeMounts"]}
    assert env["OUTCOMES_HOME"] in mounts, "the workspace must live on the shared volume"
    assert "OUTCOMES_PSEUDONYM_KEY" not in env, "the key belongs in a secret"


def test_dockerfile_matches_the_values_and_the_locked_dagster() -> None:
    import dagster

    text = DOCKERFILE.read_text()
    (deployment,) = values()["dagster-user-deployments"]["deployments"]
    assert f'"-p", "{deployment["port"]}"' in text and f"EXPOSE {deployment['port']}" in text
    assert '"-m", "pipelines.definitions"' in text
    # dagster 1.13.N pairs with the integration libraries 0.29.N
    minor, patch = dagster.__version__.split(".")[1:3]
    match = re.search(r"ARG DAGSTER_K8S_VERSION=(\S+)", text)
    assert match is not None
    assert match.group(1) == f"0.{int(minor) + 16}.{patch}"
    for source in re.findall(r"^COPY (?!--)(.+) \S+$", text, flags=re.MULTILINE):
        for item in source.split():
            assert (REPO / item).exists(), f"Dockerfile copies {item}, which does not exist"
    assert "uv sync --frozen --no-dev" in text
    assert "USER outcomes" in text
    ignored = (REPO / "deploy" / "Dockerfile.dockerignore").read_text().splitlines()
    assert {".venv", "workspace", ".dagster"} <= set(ignored)
