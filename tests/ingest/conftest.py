"""Shared helpers for ingest tests: a pseudonym key, a spec builder, a tiny instrument registry."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from outcomes.instruments.base import AnswerOption, Instrument, Item, Score
from outcomes.specs import ProjectSpec, parse_spec

KEY = b"test-key-0123456789abcdef0123456789"


def _no_scores(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select()


def fake_registry() -> dict[str, Instrument]:
    """Return a two-instrument registry independent of the real definitions."""
    mood = Instrument(
        key="mood",
        name="Mood test scale",
        items=tuple(Item(f"mood_{i}", f"vraag {i}", f"item {i}") for i in (1, 2, 3)),
        options=(
            AnswerOption(1, "Nooit", "Never", aliases=("nooit!",)),
            AnswerOption(2, "Soms", "Sometimes"),
            AnswerOption(3, "Vaak", "Often"),
        ),
        scores=(Score("mood", "stemming", "mood", 1, 3, True),),
        citation="test",
        missing_rule="none",
        scoring_rule="none",
        scorer=_no_scores,
        wellbeing_column="mood",
    )
    counts = Instrument(
        key="counts",
        name="Counts",
        items=(Item("n_friends", "vrienden", "friends"),),
        options=(),
        scores=(),
        citation="test",
        missing_rule="none",
        scoring_rule="none",
        scorer=_no_scores,
        value_range=(0, 100),
    )
    return {"mood": mood, "counts": counts}


def make_spec(**overrides: Any) -> ProjectSpec:
    """Return a valid spec for the fake registry with ``overrides`` applied (top-level keys;
    ``export`` is merged)."""
    data: dict[str, Any] = {
        "id": "testproj",
        "name": "Test project",
        "export": {"format": "csv"},
        "participant_id": "ID",
        "wave": {"column": "Meting", "labels": {"Nulmeting": 0, "Vervolg": 1}},
        "assessed_on": "Datum",
        "columns": {"V1": "mood_1", "V2": "mood_2", "V3": "mood_3", "Vrienden": "n_friends"},
        "instruments": ["mood", "counts"],
        "primary_wellbeing": "mood",
    }
    export = overrides.pop("export", {})
    data.update(overrides)
    data["export"] = {**data["export"], **export}
    return parse_spec(data)


@pytest.fixture
def registry() -> dict[str, Instrument]:
    return fake_registry()


@pytest.fixture
def key() -> bytes:
    return KEY
