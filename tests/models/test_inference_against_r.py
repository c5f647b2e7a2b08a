"""Small-sample inference agrees with R on the same data: lmerTest's Satterthwaite df, t and p,
``contest`` for the all-project yearly change, emmeans' ``emtrends`` at fixed network sizes,
and lme4's uncorrelated and intercept-only fits (the singular-fit rule's simpler models).

The R script and its output are fixtures (``data/r/inference.R``, ``inference_results.json``);
the tests do not need R."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from outcomes.models import fit_mixed
from outcomes.models.matthew import interaction_test

R_DATA = Path(__file__).resolve().parent / "data" / "r"
R = json.loads((R_DATA / "inference_results.json").read_text())
PANEL_FORMULA = "wellbeing ~ years * network_size_bl_c + project * years"


def _r_name(name: str) -> str:
    """Return lme4's name of a fixed effect: ``project[T.b]:years`` → ``years:projectb``."""
    if name == "Intercept":
        return "(Intercept)"
    if name.startswith("project[T.") and name.endswith(":years"):
        return f"years:project{name[len('project[T.') : -len(']:years')]}"
    if name.startswith("project[T."):
        return f"project{name[len('project[T.') : -1]}"
    return name


@pytest.fixture(scope="module")
def panel() -> pl.DataFrame:
    return pl.read_csv(R_DATA / "inference_panel.csv")


def _assert_coefficients(result, expected: dict) -> None:  # type: ignore[no-untyped-def]
    assert len(result.fixed) == len(expected)
    for name, row in result.fixed.items():
        r = expected[_r_name(name)]
        assert row["estimate"] == pytest.approx(r["estimate"], rel=1e-5, abs=1e-7), name
        assert row["se"] == pytest.approx(r["se"], rel=1e-4), name
        assert row["df"] == pytest.approx(r["df"], rel=1e-3), name
        assert row["t"] == pytest.approx(r["t"], rel=1e-4), name
        assert row["p"] == pytest.approx(r["p"], rel=1e-3, abs=1e-12), name
        half = row["ci_high"] - row["estimate"]
        from scipy import stats

        assert half == pytest.approx(stats.t.ppf(0.975, r["df"]) * r["se"], rel=1e-3), name


@pytest.mark.parametrize("engine", ["fast", "statsmodels"])
def test_sleepstudy_satterthwaite_matches_lmertest(sleepstudy: pl.DataFrame, engine: str) -> None:
    result = fit_mixed("Reaction ~ Days", sleepstudy, group="Subject", random="1 + Days",
                       engine=engine)  # fmt: skip
    _assert_coefficients(result, R["sleepstudy"]["coefficients"])


def test_m1_with_project_slopes_matches_lmertest(panel: pl.DataFrame) -> None:
    result = fit_mixed(PANEL_FORMULA, panel, group="participant_id")
    assert result.deviance == pytest.approx(R["panel"]["reml_criterion"], abs=1e-4)
    _assert_coefficients(result, R["panel"]["coefficients"])
    assert result.to_dict()["fixed_effects"]["years"]["df"] == pytest.approx(
        R["panel"]["coefficients"]["years"]["df"], rel=1e-3
    )


@pytest.mark.parametrize(
    ("key", "random", "uncorrelated"),
    [("uncorrelated", "1 + years", True), ("intercept_only", "1", False)],
)
def test_simpler_random_parts_match_lme4(
    panel: pl.DataFrame, key: str, random: str, uncorrelated: bool
) -> None:
    result = fit_mixed(PANEL_FORMULA, panel, group="participant_id", random=random,
                       uncorrelated=uncorrelated)  # fmt: skip
    assert result.deviance == pytest.approx(R[key]["reml_criterion"], abs=1e-4)
    _assert_coefficients(result, R[key]["coefficients"])
    variances = {(v["var1"], v["var2"]): v["vcov"] for v in R[key]["varcorr"]}
    residual = variances.get(("", ""))
    assert residual is None or result.residual_var == pytest.approx(residual, rel=1e-3)
    assert result.random_cov[0, 0] == pytest.approx(variances[("(Intercept)", "")], rel=1e-3)
    if uncorrelated:
        assert result.random_cov[0, 1] == 0.0
        assert result.random_cov[1, 1] == pytest.approx(variances[("years", "")], rel=1e-3)


@pytest.fixture(scope="module")
def primary(panel: pl.DataFrame) -> dict:
    raw = panel.drop("years", "network_size_bl_c")
    result, _ = interaction_test(raw, outcome="wellbeing", moderator="network_size_bl",
                                 project="all", n_boot=0, mde=False)  # fmt: skip
    return result


def test_interaction_is_estimated_within_projects(primary: dict) -> None:
    r = R["panel"]["coefficients"]["years:network_size_bl_c"]
    assert primary["formula"].startswith(PANEL_FORMULA)
    assert primary["estimate"] == pytest.approx(r["estimate"], rel=1e-5)
    assert primary["df"] == pytest.approx(r["df"], rel=1e-3)
    assert primary["p"] == pytest.approx(r["p"], rel=1e-3)
    assert primary["verdict_p"] == primary["p"]
    assert (primary["verdict_ci_low"], primary["verdict_ci_high"]) == (
        primary["ci_low"], primary["ci_high"]
    )  # fmt: skip


def test_all_project_yearly_change_matches_contest(primary: dict) -> None:
    r = R["panel"]["average_slope"]
    weights = {p["project"]: p["weight"] for p in primary["project_slopes"]}
    assert weights == pytest.approx(R["panel"]["project_weights"])
    assert primary["effect"] == pytest.approx(r["estimate"], rel=1e-5)
    assert primary["effect_se"] == pytest.approx(r["se"], rel=1e-4)
    assert primary["effect_df"] == pytest.approx(r["df"], rel=1e-3)
    assert primary["effect_ci_low"] == pytest.approx(r["ci_low"], rel=1e-3)
    assert primary["effect_ci_high"] == pytest.approx(r["ci_high"], rel=1e-3)
    assert "participant-weighted" in primary["effect_estimand"]


def test_simple_slopes_match_emtrends(primary: dict) -> None:
    slopes = primary["simple_slopes"]
    assert [s["percentile"] for s in slopes] == [10.0, 50.0, 90.0]
    assert [s["moderator_value"] for s in slopes] == pytest.approx(R["panel"]["network_sizes"])
    for ours, r in zip(slopes, R["panel"]["emtrends"], strict=True):
        assert ours["estimate"] == pytest.approx(r["slope"], rel=1e-5)
        assert ours["se"] == pytest.approx(r["se"], rel=1e-4)
        assert ours["df"] == pytest.approx(r["df"], rel=1e-3)
        assert ours["ci_low"] == pytest.approx(r["ci_low"], rel=1e-3, abs=1e-4)
        assert ours["ci_high"] == pytest.approx(r["ci_high"], rel=1e-3, abs=1e-4)
        assert ours["p"] == pytest.approx(r["p"], rel=1e-3)


def test_satterthwaite_df_is_not_capped_by_data_size() -> None:
    from outcomes.models.simulate import simulate_m1_panel

    panel = simulate_m1_panel(3000, seed=5, projects=("a", "b"))
    result = fit_mixed("wellbeing ~ years * network_size_bl_c", panel.with_columns(
        years=pl.col("months_since_baseline") / 12,
        network_size_bl_c=pl.col("network_size_bl") - 6.0,
    ), group="participant_id")  # fmt: skip
    assert result.n_observations > 3000
    df = result.fixed_effects["df"].to_numpy()
    assert np.all(np.isfinite(df))
    # with thousands of participants the t reference is close to, but not, the normal one
    assert 1000 < float(df.min()) < math.inf


def test_model_json_yearly_change_is_the_weighted_average_of_contest(panel: pl.DataFrame) -> None:
    from outcomes.models.m1 import YEARLY_CHANGE_ESTIMAND, model_document

    document = model_document(panel.drop("years", "network_size_bl_c"))
    change = document["yearly_change"]
    r = R["panel"]["average_slope"]
    assert change["estimand"] == YEARLY_CHANGE_ESTIMAND
    assert change["weights"] == {"a": 24, "b": 30, "c": 36}
    assert change["estimate"] == pytest.approx(r["estimate"], rel=1e-5)
    assert change["df"] == pytest.approx(r["df"], rel=1e-3)
    assert change["ci_low"] == pytest.approx(r["ci_low"], rel=1e-3)
    assert change["ci_high"] == pytest.approx(r["ci_high"], rel=1e-3)
