"""Shared fixtures of the mixed-model tests: reference data and generated panels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
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


def generate_panel(
    n_participants: int,
    *,
    seed: int,
    waves: int = 4,
    dropout: float = 0.0,
    irregular: bool = False,
    single_share: float = 0.0,
    slope_sd: float = 2.0,
    intercept_sd: float = 8.0,
    corr: float = -0.3,
    residual_sd: float = 6.0,
    projects: tuple[str, ...] = ("netwerkcoach",),
    matthew: float = 0.15,
) -> pl.DataFrame:
    """Return a synthetic outcome panel (M1's columns) with known random-effect structure."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"p{seed:03d}{i:06d}" for i in range(n_participants)])
    project = rng.choice(np.array(projects), size=n_participants)
    network = rng.poisson(6.0, size=n_participants).astype(float)
    cov = np.array(
        [
            [intercept_sd**2, corr * intercept_sd * slope_sd],
            [corr * intercept_sd * slope_sd, slope_sd**2],
        ]
    )
    effects = rng.multivariate_normal(np.zeros(2), cov, size=n_participants)
    project_shift = {name: 3.0 * k for k, name in enumerate(projects)}
    rows_id, rows_months, rows_y, rows_project, rows_network = [], [], [], [], []
    for i in range(n_participants):
        n_waves = waves
        if rng.random() < single_share:
            n_waves = 1
        elif dropout and rng.random() < dropout:
            n_waves = int(rng.integers(1, waves + 1))
        months = np.arange(n_waves) * 6.0
        if irregular:
            months = months + np.where(months > 0, rng.uniform(-2.5, 2.5, n_waves), 0.0)
        years = months / 12.0
        mean = (
            55.0
            + project_shift[project[i]]
            + 0.5 * (network[i] - 6.0)
            + (1.5 + matthew * (network[i] - 6.0)) * years
        )
        y = mean + effects[i, 0] + effects[i, 1] * years + rng.normal(0, residual_sd, n_waves)
        rows_id += [ids[i]] * n_waves
        rows_months += list(months)
        rows_y += list(y)
        rows_project += [project[i]] * n_waves
        rows_network += [network[i]] * n_waves
    return pl.DataFrame(
        {
            "participant_id": rows_id,
            "project": rows_project,
            "months_since_baseline": rows_months,
            "network_size_bl": rows_network,
            "wellbeing": rows_y,
        }
    )
