"""Shared fixtures of the mixed-model tests: reference data and generated panels."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

#: lme4's sleepstudy and metafor's dat.bcg, as written from R (see data/README.md)
SHARED_REFERENCE = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def sleepstudy() -> pl.DataFrame:
    return pl.read_csv(SHARED_REFERENCE / "sleepstudy.csv")


@pytest.fixture(scope="session")
def dat_bcg() -> pl.DataFrame:
    return pl.read_csv(SHARED_REFERENCE / "dat_bcg.csv")
