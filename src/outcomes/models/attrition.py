"""Attrition analysis: who drops out, and how do completers differ?

What belongs here: dropout by network group (participants by status, counts and shares, with a
χ² test of status against group) and the descriptive comparison of M1's interaction on
completers only with all available data. Mixed models use all available data and are valid when
dropout depends on observed values (missing at random); a completers-only fit is valid only when
dropout is completely at random, which it is not when small networks drop out more, so it
describes and does not test. The sensitivity analysis of the Matthew check under dropout is the
tipping point (``tipping_point.py``; docs/architecture.md, "Dropout tipping point"). The
retention table per wave is ``panel.attrition_table``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from outcomes.catalog.vocabulary import NETWORK_GROUPS
from outcomes.models.matthew import interaction_test

#: Sort position of each network group, smallest first; an unknown group sorts last.
GROUP_ORDER = {group: position for position, group in enumerate(NETWORK_GROUPS)}


def dropout_by_group(panel: pl.DataFrame, *, by_project: bool = True) -> dict[str, Any]:
    """Return dropout by network group: one row per (project,) network group with
    participants, completers, dropouts, baseline_only, and the share not completed; plus the
    χ² test of completed/not completed against network group (all projects together)."""
    people = panel.group_by("project", "participant_id", maintain_order=True).agg(
        pl.col("network_group").first(), pl.col("status").first()
    )
    people = people.filter(pl.col("network_group").is_not_null())

    def table(keys: list[str]) -> pl.DataFrame:
        return (
            people.group_by(keys, maintain_order=True)
            .agg(
                pl.len().alias("participants"),
                (pl.col("status") == "completer").sum().alias("completers"),
                (pl.col("status") == "dropout").sum().alias("dropouts"),
                (pl.col("status") == "baseline_only").sum().alias("baseline_only"),
            )
            .with_columns(
                (1.0 - pl.col("completers") / pl.col("participants")).alias("share_not_completed"),
                pl.col("network_group")
                .replace_strict(GROUP_ORDER, default=len(GROUP_ORDER))
                .alias("_order"),
            )
            .sort([*keys[:-1], "_order"])
            .drop("_order")
        )

    overall = table(["network_group"])
    result: dict[str, Any] = {"overall": overall.to_dicts()}
    if by_project:
        result["by_project"] = table(["project", "network_group"]).to_dicts()
    counts = np.array(
        [[row["completers"], row["participants"] - row["completers"]] for row in overall.to_dicts()]
    )
    if counts.shape[0] >= 2 and np.all(counts.sum(axis=0) > 0):
        statistic, p, df, _ = stats.chi2_contingency(counts, correction=False)
        result["test"] = {"chi2": float(statistic), "df": int(df), "p": float(p),
                          "what": "completed vs not completed by network group"}  # fmt: skip
    else:
        result["test"] = None
    return result


def completers_sensitivity(
    panel: pl.DataFrame,
    *,
    outcome: str = "wellbeing",
    moderator: str = "network_size_bl",
    projects: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Return M1's interaction on all available data and on completers only, per scope
    (``"all"`` and each project): estimate, CI and verdict for both, and their difference. A
    descriptive comparison: completers only is valid only when dropout is completely at
    random (docs/architecture.md, "Dropout tipping point")."""
    scopes: list[tuple[str, pl.DataFrame]] = [("all", panel)]
    for project in projects or sorted(panel.get_column("project").unique().to_list()):
        scopes.append((project, panel.filter(pl.col("project") == project)))
    rows = []
    for scope, frame in scopes:
        if frame.get_column(outcome).drop_nulls().is_empty():
            continue
        completers = frame.filter(pl.col("status") == "completer")
        all_data, _ = interaction_test(
            frame, outcome=outcome, moderator=moderator, project=scope, n_boot=0, mde=False
        )
        only, _ = interaction_test(
            completers, outcome=outcome, moderator=moderator, project=scope, n_boot=0, mde=False
        )
        rows.append(
            {
                "project": scope,
                "outcome": outcome,
                "moderator": moderator,
                "all_available": {k: all_data[k] for k in (
                    "estimate", "se", "ci_low", "ci_high", "p", "verdict", "n_participants")},
                "completers_only": {k: only[k] for k in (
                    "estimate", "se", "ci_low", "ci_high", "p", "verdict", "n_participants")},
                "difference": only["estimate"] - all_data["estimate"],
                "same_verdict": only["verdict"] == all_data["verdict"],
            }
        )  # fmt: skip
    return rows


def attrition_analysis(
    panel: pl.DataFrame, *, outcome: str = "wellbeing", moderator: str = "network_size_bl"
) -> dict[str, Any]:
    """Return dropout by network group and the descriptive completers-only comparison (under
    ``sensitivity``)."""
    return {
        "dropout": dropout_by_group(panel),
        "sensitivity": completers_sensitivity(panel, outcome=outcome, moderator=moderator),
        "note": "Descriptive: the completers-only fit is valid only when dropout is completely "
        "at random, and dropout is higher in small networks. Mixed models use every available "
        "measurement and stay unbiased when dropout depends on observed values (e.g. baseline "
        "network size); the sensitivity analysis under dropout that is not at random is the "
        "tipping point in analysis/tipping_point.json.",
    }
