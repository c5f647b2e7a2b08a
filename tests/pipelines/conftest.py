"""Fixtures for tests of the Dagster layer: a small demo workspace and a pseudonym key."""

from __future__ import annotations

from pathlib import Path

import pytest

from outcomes.demo import write_demo


@pytest.fixture
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """Set a test pseudonym key in the environment and return it."""
    key = "test-key-for-the-dagster-layer-0123456789abcdef"
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY", key)
    return key


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a workspace home whose landing/ holds small demo exports of the five projects."""
    home = tmp_path_factory.mktemp("small-demo")
    write_demo(home, n_participants=150, seed=7)
    return home
