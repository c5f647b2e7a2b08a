"""Write the simulated panels of ``profile.R``: ``profile_panel.csv`` (model (d)) and the two
boundary cases ``profile_boundary_slope.csv`` (model (e): slope SD 0.01, a singular fit with
correlation −1) and ``profile_boundary_intercept.csv`` (model (f): no random intercept at all,
its SD estimated at exactly 0).

Run from the repository root: ``uv run --frozen python tests/models/data/r/profile_panel.py``.
The CSVs are committed; R and the tests both read them, so neither depends on this script's
output being reproduced bit for bit.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from outcomes.models.simulate import simulate_m1_panel

HERE = Path(__file__).parent


def prepared(panel: pl.DataFrame) -> pl.DataFrame:
    """Return the model columns: years since baseline and the network size centred on its mean
    over participants (not over rows)."""
    mean = (
        panel.group_by("participant_id")
        .agg(pl.col("network_size_bl").first())["network_size_bl"]
        .mean()
    )
    return panel.select(
        "participant_id",
        "project",
        (pl.col("months_since_baseline") / 12).alias("years"),
        (pl.col("network_size_bl") - mean).round(6).alias("network_size_bl_c"),
        pl.col("wellbeing").round(6),
    )


if __name__ == "__main__":
    projects = ("a", "b")
    prepared(simulate_m1_panel(300, seed=7, dropout=0.2, projects=projects)).write_csv(
        HERE / "profile_panel.csv"
    )
    prepared(
        simulate_m1_panel(150, seed=7, dropout=0.2, projects=projects, slope_sd=0.01)
    ).write_csv(HERE / "profile_boundary_slope.csv")
    prepared(
        simulate_m1_panel(
            150, seed=2, dropout=0.2, projects=projects, intercept_sd=0.0, slope_sd=0.0
        )
    ).write_csv(HERE / "profile_boundary_intercept.csv")
