"""Tests of the network-growth ANCOVA."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import statsmodels.formula.api as smf

from outcomes.models.growth import follow_up_frame, network_growth


@pytest.fixture(scope="module")
def panel() -> pl.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    for i in range(240):
        project = "a" if i % 3 else "b"
        true = rng.gamma(4.0, 2.0)
        baseline = max(0.0, round(true + rng.normal(0, 2)))
        group = "small" if baseline <= 5 else ("medium" if baseline <= 9 else "large")
        for wave in range(3 if i % 7 else 2):
            size = baseline if wave == 0 else max(0.0, round(true + 0.8 * wave + rng.normal(0, 2)))
            rows.append({"participant_id": f"p{i}", "project": project, "wave": wave,
                         "months_since_baseline": 6.0 * wave + rng.uniform(-1, 1) * (wave > 0),
                         "network_size": float(size), "network_size_bl": float(baseline),
                         "network_group": group})  # fmt: skip
    return pl.DataFrame(rows)


def test_ancova_matches_statsmodels_ols(panel: pl.DataFrame) -> None:
    growth = network_growth(panel)
    people = follow_up_frame(panel).to_pandas()
    reference = smf.ols("network_size_fu ~ network_size_bl + years + C(project)", people).fit()
    coefficients = growth["model"]["coefficients"]
    for ours, theirs in (("Intercept", "Intercept"), ("network_size_bl", "network_size_bl"),
                         ("years", "years"), ("project[T.b]", "C(project)[T.b]")):  # fmt: skip
        assert coefficients[ours]["estimate"] == pytest.approx(reference.params[theirs], rel=1e-8)
        assert coefficients[ours]["se"] == pytest.approx(reference.bse[theirs], rel=1e-8)
        assert coefficients[ours]["p"] == pytest.approx(reference.pvalues[theirs], rel=1e-6)
    assert growth["model"]["r2"] == pytest.approx(reference.rsquared)
    assert growth["n_participants"] == len(people) == 240


def test_last_follow_up_is_used(panel: pl.DataFrame) -> None:
    people = follow_up_frame(panel)
    two_waves = people.filter(pl.col("participant_id") == "p0")
    assert two_waves["wave_fu"].item() == 1
    assert people.filter(pl.col("participant_id") == "p1")["wave_fu"].item() == 2


def test_regression_to_the_mean_is_stated(panel: pl.DataFrame) -> None:
    growth = network_growth(panel)
    assert "regression to the mean" in growth["caveat"]["en"].lower()
    assert "regressie naar het gemiddelde" in growth["caveat"]["nl"].lower()
    # measurement noise in the baseline: the slope is below 1 and the naive change slope < 0
    assert growth["model"]["coefficients"]["network_size_bl"]["estimate"] < 1
    assert growth["change_on_baseline"]["estimate"] < 0
    groups = [g["network_group"] for g in growth["by_group"]]
    assert groups == ["small", "medium", "large"]
    small, large = growth["by_group"][0], growth["by_group"][-1]
    assert small["mean_change"] > large["mean_change"]
