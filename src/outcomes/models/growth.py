"""Network growth: follow-up network size by baseline network size, adjusted for baseline.

What belongs here: the ANCOVA-type regression of the network size at each participant's last
follow-up on the baseline size, project and time since baseline, a descriptive table by network
group, and the regression-to-the-mean caveat (docs/architecture.md, "Change and effect sizes"). When
the outcome's own baseline defines the groups, change scores correlate negatively with baseline
without any real effect; the baseline-adjusted follow-up is analysed instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from outcomes.catalog.vocabulary import NETWORK_GROUPS
from outcomes.models.formula import ModelInputError

CAVEAT = {
    "en": (
        "Regression to the mean: people who start with an unusually small network tend to "
        "report a larger one later, and people with a large network a smaller one, even "
        "without any effect of the intervention. Growth is therefore analysed as follow-up "
        "network size adjusted for baseline size (ANCOVA), not as change scores by baseline "
        "group; the change by group below is descriptive and overstates growth in small "
        "networks."
    ),
    "nl": (
        "Regressie naar het gemiddelde: wie met een ongewoon klein netwerk begint, meldt later "
        "vaak een groter netwerk, en wie een groot netwerk heeft een kleiner, ook zonder enig "
        "effect van de interventie. De groei is daarom geanalyseerd als netwerkomvang bij de "
        "laatste vervolgmeting, gecorrigeerd voor de omvang bij de start (ANCOVA), niet als "
        "verschilscore per startgroep; de verandering per groep hieronder is beschrijvend en "
        "overschat de groei bij kleine netwerken."
    ),
}


def follow_up_frame(panel: pl.DataFrame, *, size: str = "network_size") -> pl.DataFrame:
    """Return one row per participant with a follow-up network size: project, participant_id,
    network_group, ``<size>_bl``, ``<size>_fu`` (at the last follow-up wave with a value) and
    ``years`` (time since baseline at that wave)."""
    baseline = f"{size}_bl"
    needed = ["participant_id", "project", "wave", size, baseline]
    missing = [c for c in needed if c not in panel.columns]
    if missing:
        raise ModelInputError("the panel lacks column(s) for network growth: " + ", ".join(missing))
    frame = panel
    if "years" not in frame.columns:
        frame = frame.with_columns((pl.col("months_since_baseline") / 12.0).alias("years"))
    group = [pl.col("network_group").first()] if "network_group" in frame.columns else []
    return (
        frame.filter((pl.col("wave") > 0) & pl.col(size).is_not_null()
                     & pl.col(baseline).is_not_null() & pl.col("years").is_not_null())
        .sort("project", "participant_id", "wave")
        .group_by("project", "participant_id", maintain_order=True)
        .agg(
            pl.col(baseline).last().cast(pl.Float64),
            pl.col(size).last().cast(pl.Float64).alias(f"{size}_fu"),
            pl.col("years").last().cast(pl.Float64),
            pl.col("wave").last().alias("wave_fu"),
            *group,
        )
    )  # fmt: skip


def ols(y: np.ndarray, x: np.ndarray, names: list[str]) -> dict[str, Any]:
    """Return ordinary least squares estimates with classical SEs, t-based 95% CIs and p,
    residual df, R² and residual SD."""
    n, p = x.shape
    if n <= p:
        raise ModelInputError(f"{n} participant(s) cannot estimate {p} coefficients")
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ y
    residuals = y - x @ beta
    df = n - p
    sigma2 = float(residuals @ residuals) / df
    se = np.sqrt(np.diagonal(xtx_inv) * sigma2)
    crit = float(stats.t.ppf(0.975, df))
    t = beta / se
    total = float(((y - y.mean()) ** 2).sum())
    return {
        "coefficients": {
            name: {
                "estimate": float(b), "se": float(s), "ci_low": float(b - crit * s),
                "ci_high": float(b + crit * s), "t": float(tt),
                "p": float(2 * stats.t.sf(abs(tt), df)),
            }
            for name, b, s, tt in zip(names, beta, se, t, strict=True)
        },
        "df_residual": df,
        "r2": 1.0 - float(residuals @ residuals) / total if total > 0 else None,
        "residual_sd": float(np.sqrt(sigma2)),
        "n": n,
    }  # fmt: skip


def network_growth(panel: pl.DataFrame, *, size: str = "network_size") -> dict[str, Any]:
    """Return the network-growth analysis (the content of the ``network_growth`` asset).

    ``model``: OLS of ``<size>_fu ~ <size>_bl + project + years`` (project term when there are
    several projects), one row per participant at the last follow-up with a value. The
    coefficient of ``<size>_bl`` below 1 is what regression to the mean alone produces;
    ``change_on_baseline`` (that coefficient − 1) is the naive change-score slope. ``by_group``
    describes baseline, follow-up and change per network group. ``caveat`` holds the
    regression-to-the-mean text in nl and en.
    """
    people = follow_up_frame(panel, size=size)
    baseline, follow = f"{size}_bl", f"{size}_fu"
    result: dict[str, Any] = {
        "formula": f"{follow} ~ {baseline} + project + years (OLS, one row per participant)",
        "outcome": follow,
        "caveat": CAVEAT,
        "n_participants": people.height,
    }
    if people.height < 5:
        result.update(model=None, by_group=[], note="fewer than 5 participants with follow-up")
        return result
    projects = sorted(people.get_column("project").unique().to_list())
    columns = [np.ones(people.height), people[baseline].to_numpy(), people["years"].to_numpy()]
    names = ["Intercept", baseline, "years"]
    for project in projects[1:]:
        columns.append((people["project"] == project).cast(pl.Float64).to_numpy())
        names.append(f"project[T.{project}]")
    model = ols(people[follow].to_numpy(), np.column_stack(columns), names)
    slope = model["coefficients"][baseline]
    result["model"] = model
    result["change_on_baseline"] = {
        "estimate": slope["estimate"] - 1.0,
        "ci_low": slope["ci_low"] - 1.0,
        "ci_high": slope["ci_high"] - 1.0,
        "note": "slope of (follow-up − baseline) on baseline; negative under regression to "
        "the mean alone",
    }
    result["mean_growth"] = {
        "estimate": float((people[follow] - people[baseline]).mean()),  # type: ignore[arg-type]
        "note": "mean change from baseline to the last follow-up (unadjusted)",
    }
    if "network_group" in people.columns:
        table = (
            people.group_by("network_group", maintain_order=True)
            .agg(
                pl.len().alias("n_participants"),
                pl.col(baseline).mean().alias("mean_baseline"),
                pl.col(follow).mean().alias("mean_follow_up"),
                (pl.col(follow) - pl.col(baseline)).mean().alias("mean_change"),
            )
            .with_columns(
                pl.col("network_group")
                .replace_strict(
                    {g: i for i, g in enumerate(NETWORK_GROUPS)}, default=len(NETWORK_GROUPS)
                )
                .alias("_order")
            )
            .sort("_order")
            .drop("_order")
        )
        result["by_group"] = table.to_dicts()
    else:
        result["by_group"] = []
    return result
