"""The Matthew interaction is estimated within projects: panels whose projects differ in their
yearly change and in their mean network size, with no interaction inside any project, give
``no_evidence`` at about the nominal rate, where a model without ``project × years`` mistakes
the between-project association for a Matthew effect."""

from __future__ import annotations

import numpy as np
import polars as pl

from outcomes.models.matthew import interaction_test
from outcomes.models.power import fitted_design

#: project → (mean baseline network size, yearly change)
PROJECTS = {"a": (3.0, 0.0), "b": (8.0, 3.0), "c": (13.0, 6.0)}


def confounded_panel(seed: int, per_project: int = 40) -> pl.DataFrame:
    """Return a panel with no within-project interaction but projects whose yearly change
    rises with their mean network size."""
    rng = np.random.default_rng(seed)
    rows = []
    for project, (network_mean, slope) in PROJECTS.items():
        for i in range(per_project):
            network = float(rng.poisson(network_mean))
            intercept, own_slope = rng.normal(0, 6.0), rng.normal(0, 1.5)
            for wave in range(3):
                years = 0.5 * wave
                wellbeing = 55 + intercept + (slope + own_slope) * years + rng.normal(0, 4.0)
                rows.append((f"{project}{i}", project, 6.0 * wave, network, wellbeing))
    return pl.DataFrame(
        rows,
        schema=["participant_id", "project", "months_since_baseline", "network_size_bl",
                "wellbeing"],
        orient="row",
    )  # fmt: skip


def test_no_within_project_interaction_gives_no_evidence_at_the_nominal_rate() -> None:
    n_panels = 60
    within = between = 0
    for seed in range(n_panels):
        panel = confounded_panel(seed)
        result, model = interaction_test(panel, outcome="wellbeing", moderator="network_size_bl",
                                         project="all", n_boot=0, mde=False)  # fmt: skip
        within += result["verdict"] != "no_evidence"
        # the model of before, without project × years
        frame = model.design
        assert "project[T.b]:years" in frame.fixed_names
        old = fitted_design(
            "wellbeing ~ years * network_size_bl_c + project",
            panel.with_columns(
                years=pl.col("months_since_baseline") / 12,
                network_size_bl_c=pl.col("network_size_bl") - result["moderator_mean"],
            ),
            term="years:network_size_bl_c",
        )
        between += old.coefficient("years:network_size_bl_c")["ci_low"] > 0
    # 5% expected; 9 or more of 60 has probability below 2% under the nominal rate
    assert within <= 8, within
    # the old model finds a spurious Matthew effect in most panels
    assert between >= n_panels // 2, between
