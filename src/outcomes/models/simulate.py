"""Synthetic M1 panels with a known random-effects structure, for tests and benchmarks.

What belongs here: :func:`simulate_m1_panel`, which draws participants with a random intercept
and a random slope of time around M1's fixed part. What does not: the demo exports of the seed
projects (``outcomes.demo``), which model questionnaires, not model parameters.
"""

from __future__ import annotations

import numpy as np
import polars as pl


def simulate_m1_panel(
    n_participants: int,
    *,
    seed: int,
    waves: int = 4,
    months_between_waves: float = 6.0,
    dropout: float = 0.0,
    irregular: bool = False,
    single_share: float = 0.0,
    intercept_sd: float = 8.0,
    slope_sd: float = 2.0,
    corr: float = -0.3,
    residual_sd: float = 6.0,
    projects: tuple[str, ...] = ("netwerkcoach",),
    matthew: float = 0.15,
) -> pl.DataFrame:
    """Return a long panel (participant_id, project, months_since_baseline, network_size_bl,
    wellbeing) drawn from M1 with the given random-effect SDs and correlation.

    ``dropout`` is the share of participants who stop after a uniformly drawn wave;
    ``single_share`` the share seen at baseline only; ``irregular`` jitters follow-up timing by
    up to ±2.5 months. The true Matthew effect (years × network size) is ``matthew``.
    """
    rng = np.random.default_rng(seed)
    network = rng.poisson(6.0, size=n_participants).astype(float)
    project_index = rng.integers(0, len(projects), size=n_participants)
    cov = np.array(
        [
            [intercept_sd**2, corr * intercept_sd * slope_sd],
            [corr * intercept_sd * slope_sd, slope_sd**2],
        ]
    )
    effects = rng.multivariate_normal(np.zeros(2), cov, size=n_participants)
    n_waves = np.full(n_participants, waves)
    if dropout:
        stops = rng.random(n_participants) < dropout
        n_waves = np.where(stops, rng.integers(1, waves + 1, size=n_participants), n_waves)
    if single_share:
        n_waves = np.where(rng.random(n_participants) < single_share, 1, n_waves)
    participant = np.repeat(np.arange(n_participants), n_waves)
    wave = np.arange(participant.size) - np.repeat(np.cumsum(n_waves) - n_waves, n_waves)
    months = wave * months_between_waves
    if irregular:
        months = months + np.where(wave > 0, rng.uniform(-2.5, 2.5, size=months.size), 0.0)
    years = months / 12.0
    shift = 3.0 * project_index[participant]
    centred = network[participant] - 6.0
    wellbeing = (
        55.0
        + shift
        + 0.5 * centred
        + (1.5 + matthew * centred) * years
        + effects[participant, 0]
        + effects[participant, 1] * years
        + rng.normal(0.0, residual_sd, size=participant.size)
    )
    width = len(str(n_participants))
    ids = np.char.add(f"p{seed}-", np.char.zfill(np.arange(n_participants).astype(str), width))
    return pl.DataFrame(
        {
            "participant_id": ids[participant],
            "project": np.array(projects)[project_index[participant]],
            "wave": wave.astype(np.int64),
            "months_since_baseline": months.astype(float),
            "network_size_bl": network[participant],
            "wellbeing": wellbeing,
        }
    )
