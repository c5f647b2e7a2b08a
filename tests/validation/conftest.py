"""Fixtures of the validation tests (see ``helpers.py`` for the data they build)."""

from __future__ import annotations

import polars as pl
import pytest

from outcomes.specs import ProjectSpec

from .helpers import clean_responses, make_spec


@pytest.fixture
def spec() -> ProjectSpec:
    return make_spec()


@pytest.fixture
def responses() -> pl.DataFrame:
    return clean_responses()
