"""Shared fixtures of the mixed-model tests: reference data and generated panels."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

SHARED_REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"
if not SHARED_REFERENCE.exists():
    SHARED_REFERENCE = Path("/work/shared/reference")


@pytest.fixture(scope="session")
def sleepstudy() -> pl.DataFrame:
    return pl.read_csv(SHARED_REFERENCE / "sleepstudy.csv")


@pytest.fixture(scope="session")
def dat_bcg() -> pl.DataFrame:
    return pl.read_csv(SHARED_REFERENCE / "dat_bcg.csv")
