"""Write ``inference_panel.csv``: a small three-project panel for the R comparisons.

The projects differ in their yearly change and in their mean baseline network size, and network
size changes nothing inside any project except a small interaction in the largest one, so the
within-project interaction is small while a model without ``project × years`` would find a
large one. Run from the repository root:

    uv run python tests/models/data/r/inference_panel.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent

#: project → (participants, mean network size, yearly change, within-project interaction)
PROJECTS = {
    "a": (24, 4.0, 0.5, 0.0),
    "b": (30, 8.0, 3.0, 0.0),
    "c": (36, 12.0, 6.0, 0.15),
}


def panel(seed: int = 20261206) -> pl.DataFrame:
    """Return the long panel: participant_id, project, wave, months_since_baseline,
    network_size_bl and wellbeing (four waves six months apart, about 20% dropout)."""
    rng = np.random.default_rng(seed)
    rows = []
    for project, (n, network_mean, slope, interaction) in PROJECTS.items():
        for i in range(n):
            network = float(rng.poisson(network_mean))
            intercept = rng.normal(0.0, 8.0)
            own_slope = rng.normal(0.0, 2.5)
            waves = 4 if rng.random() > 0.2 else int(rng.integers(1, 4))
            for wave in range(waves):
                months = 6.0 * wave + (rng.uniform(-1.5, 1.5) if wave else 0.0)
                years = months / 12.0
                wellbeing = (
                    55.0 + 0.4 * (network - network_mean) + intercept
                    + (slope + interaction * (network - network_mean) + own_slope) * years
                    + rng.normal(0.0, 6.0)
                )  # fmt: skip
                rows.append((f"{project}{i:03d}", project, wave, months, network, wellbeing))
    return pl.DataFrame(
        rows,
        schema=["participant_id", "project", "wave", "months_since_baseline",
                "network_size_bl", "wellbeing"],
        orient="row",
    )  # fmt: skip


if __name__ == "__main__":
    frame = panel()
    years = frame["months_since_baseline"] / 12.0
    mean = (
        frame.group_by("participant_id")
        .agg(pl.col("network_size_bl").first())["network_size_bl"]
        .mean()
    )
    frame = frame.with_columns(
        years=years.round(10), network_size_bl_c=(pl.col("network_size_bl") - mean).round(10)
    )
    frame.write_csv(HERE / "inference_panel.csv", float_precision=10)
