"""Instance profiles: local (SQLite, the default) and team (Postgres), switched by environment."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
LOCAL = REPO / "dagster.yaml"
TEAM = REPO / "deploy" / "dagster.team.yaml"
PG_VARIABLES = {
    "hostname": "DAGSTER_PG_HOST",
    "port": "DAGSTER_PG_PORT",
    "username": "DAGSTER_PG_USER",
    "password": "DAGSTER_PG_PASSWORD",
    "db_name": "DAGSTER_PG_DB",
}


def _validated(path: Path, tmp_path: Path) -> dict:
    """Return the instance config of ``path`` as Dagster validates it (schema and env vars)."""
    from dagster._core.instance.config import dagster_instance_config

    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_bytes(path.read_bytes())
    config, _ = dagster_instance_config(str(home))
    return config


def test_team_profile_takes_every_credential_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = yaml.safe_load(TEAM.read_text())
    postgres_db = raw["storage"]["postgres"]["postgres_db"]
    credentials = {k: v for k, v in postgres_db.items() if k != "scheme"}
    assert credentials == {field: {"env": var} for field, var in PG_VARIABLES.items()}
    # the driver the lock file installs (SQLAlchemy >= 2.1 defaults to psycopg 3 otherwise)
    assert postgres_db["scheme"] == "postgresql+psycopg2"
    import psycopg2  # noqa: F401

    for var in PG_VARIABLES.values():
        monkeypatch.setenv(var, "5432" if var.endswith("PORT") else f"value-of-{var}")
    config = _validated(TEAM, tmp_path)
    assert "postgres" in config["storage"]
    assert config["telemetry"]["enabled"] is False


def test_team_profile_runs_projects_side_by_side_but_one_run_per_project(tmp_path: Path) -> None:
    coordinator = yaml.safe_load(TEAM.read_text())["run_coordinator"]
    assert coordinator["class"] == "QueuedRunCoordinator"
    assert coordinator["config"]["max_concurrent_runs"] > 1
    limits = coordinator["config"]["tag_concurrency_limits"]
    assert {
        "key": "dagster/partition",
        "limit": 1,
        "value": {"applyLimitPerUniqueValue": True},
    } in limits


def test_local_profile_is_sqlite_with_a_queue_of_one(tmp_path: Path) -> None:
    """SQLite takes one writer at a time, so the local run queue launches one run at a time."""
    import dagster as dg

    config = _validated(LOCAL, tmp_path)
    assert "storage" not in config or "sqlite" in (config["storage"] or {})
    assert config["run_coordinator"]["config"]["max_concurrent_runs"] == 1
    with dg.DagsterInstance.from_config(str(tmp_path / "home")) as instance:
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"
        assert instance.run_coordinator.get_run_queue_config().max_concurrent_runs == 1


def test_outcomes_instance_switches_the_profile_without_code_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.runner import prepare_instance_home

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.delenv("OUTCOMES_INSTANCE", raising=False)
    config = prepare_instance_home() / "dagster.yaml"
    assert config.read_bytes() == LOCAL.read_bytes()

    monkeypatch.setenv("OUTCOMES_INSTANCE", "team")
    prepare_instance_home()
    assert config.read_bytes() == TEAM.read_bytes()

    monkeypatch.setenv("OUTCOMES_INSTANCE", "local")
    prepare_instance_home()
    assert config.read_bytes() == LOCAL.read_bytes()
    assert not [p for p in config.parent.iterdir() if p.name.endswith(".tmp")]


def test_without_a_profile_a_hand_made_dagster_yaml_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.runner import prepare_instance_home

    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.delenv("OUTCOMES_INSTANCE", raising=False)
    prepare_instance_home()
    assert (home / "dagster.yaml").read_text() == "telemetry:\n  enabled: false\n"


def test_an_unknown_profile_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipelines.cli import main

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.setenv("OUTCOMES_INSTANCE", "cluster")
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY", "5f" * 32)
    code = main(["run", "--home", str(tmp_path / "workspace")])
    err = capsys.readouterr().err
    assert code != 0
    assert "OUTCOMES_INSTANCE='cluster'" in err and "local, team" in err
    assert "Traceback" not in err


def test_both_profiles_monitor_runs_with_the_same_timeouts() -> None:
    """A run that never starts, never finishes canceling or runs for hours is ended by the
    daemon in the team profile as in the local one (docs/architecture.md, "Runs that never
    hang")."""
    local = yaml.safe_load(LOCAL.read_text())["run_monitoring"]
    team = yaml.safe_load(TEAM.read_text())["run_monitoring"]
    assert local["enabled"] and team["enabled"]
    for key in ("start_timeout_seconds", "cancel_timeout_seconds", "max_runtime_seconds"):
        assert team[key] == local[key] > 0, key
