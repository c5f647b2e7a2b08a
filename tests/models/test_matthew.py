"""Tests of the Matthew check: verdicts, direction, LRT, bootstrap, subgroups, controlled trials."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import statsmodels.formula.api as smf

from outcomes.models.formula import ModelInputError
from outcomes.models.matthew import (
    analysed_column,
    higher_is_better,
    interaction_test,
    treated_indicator,
    verdict_for,
)
from outcomes.models.power import fitted_design, minimal_detectable_effect
from outcomes.models.simulate import simulate_m1_panel
from outcomes.models.subgroups import credibility_checklist, subgroup_slopes


@pytest.fixture(scope="module")
def panel() -> pl.DataFrame:
    return simulate_m1_panel(300, seed=7, matthew=0.4, projects=("a", "b"))


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0.01, 0.5, "matthew"),
        (1e-12, 0.5, "matthew"),
        (0.0, 0.5, "no_evidence"),
        (-0.5, 0.0, "no_evidence"),
        (-0.5, -1e-12, "reverse"),
        (-0.2, 0.2, "no_evidence"),
    ],
)
def test_verdict_at_the_boundaries(low: float, high: float, expected: str) -> None:
    assert verdict_for(low, high) == expected


def test_direction_from_the_registry() -> None:
    assert higher_is_better("wellbeing")
    assert higher_is_better("mhi5")
    assert not higher_is_better("loneliness")
    assert analysed_column("loneliness") == "loneliness_better"
    with pytest.raises(ModelInputError, match="no direction"):
        higher_is_better("network_size")


def test_loneliness_is_flipped(panel: pl.DataFrame) -> None:
    # loneliness built as a mirror image of wellbeing: the flipped analysis must give the same
    # interaction as wellbeing (larger network → larger decrease of loneliness = positive)
    mirrored = panel.with_columns((100.0 - pl.col("wellbeing")).alias("loneliness"))
    well, _ = interaction_test(mirrored, outcome="wellbeing", moderator="network_size_bl",
                               project="all", n_boot=0)  # fmt: skip
    lonely, _ = interaction_test(mirrored, outcome="loneliness", moderator="network_size_bl",
                                 project="all", n_boot=0)  # fmt: skip
    assert lonely["direction"] == "flipped"
    assert well["direction"] == "as scored"
    assert lonely["estimate"] == pytest.approx(well["estimate"], rel=1e-5)
    assert lonely["effect"] == pytest.approx(well["effect"], rel=1e-5)
    assert lonely["estimate"] > 0
    assert "−loneliness" in lonely["direction_note"]


def test_wald_and_lrt_against_statsmodels() -> None:
    panel = simulate_m1_panel(120, seed=17, matthew=0.4, projects=("a", "b"))
    result, _ = interaction_test(panel, outcome="wellbeing", moderator="network_size_bl",
                                     project="all", n_boot=0, mde=False)  # fmt: skip
    frame = panel.with_columns(
        (pl.col("months_since_baseline") / 12).alias("years"),
        (pl.col("network_size_bl") - result["moderator_mean"]).alias("network_size_bl_c"),
    ).to_pandas()
    fits = {}
    for name, formula in (
        ("full", "wellbeing ~ years * network_size_bl_c + project * years"),
        ("reduced", "wellbeing ~ years + network_size_bl_c + project * years"),
    ):
        fits[name] = smf.mixedlm(formula, frame, groups=frame["participant_id"],
                                 re_formula="~years").fit(reml=False, method="lbfgs")  # fmt: skip
    statistic = 2 * (fits["full"].llf - fits["reduced"].llf)
    assert result["lrt_stat"] == pytest.approx(statistic, abs=2e-3)
    reml = smf.mixedlm(
        "wellbeing ~ years * network_size_bl_c + project * years",
        frame,
        groups=frame["participant_id"],
        re_formula="~years",
    ).fit(reml=True)
    assert result["estimate"] == pytest.approx(reml.params["years:network_size_bl_c"], rel=1e-3)
    assert result["se"] == pytest.approx(reml.bse["years:network_size_bl_c"], rel=1e-2)


def test_bootstrap_is_reproducible_with_a_seed(panel: pl.DataFrame) -> None:
    kwargs = dict(outcome="wellbeing", moderator="network_size_bl", project="all", n_boot=25)
    first, _ = interaction_test(panel, seed=11, **kwargs)  # type: ignore[arg-type]
    again, _ = interaction_test(panel, seed=11, **kwargs)  # type: ignore[arg-type]
    other, _ = interaction_test(panel, seed=12, **kwargs)  # type: ignore[arg-type]
    assert first["boot_ci_low"] == again["boot_ci_low"]
    assert first["boot_ci_high"] == again["boot_ci_high"]
    assert first["boot_ci_low"] != other["boot_ci_low"]
    assert first["method"] == "satterthwaite"
    assert first["boot_lrt_p"] == again["boot_lrt_p"]
    assert first["bootstrap"]["replicates"] == 25
    assert (
        first["n_boot_converged"]
        + first["bootstrap"]["interval"]["not_converged"]
        + (first["bootstrap"]["interval"]["failed"])
        == 25
    )
    # the bootstrap SE agrees with the Wald SE on a well-specified model
    assert first["boot_se"] == pytest.approx(first["se"], rel=0.45)
    assert first["boot_ci_low"] < first["estimate"] < first["boot_ci_high"]


def test_refits_match_full_fits(panel: pl.DataFrame) -> None:
    from outcomes.models import fit_mixed

    _, model = interaction_test(panel, outcome="wellbeing", moderator="network_size_bl",
                                project="all", n_boot=0, mde=False)  # fmt: skip
    y = model.simulate(np.random.default_rng(3))
    beta, se, converged, _ = model.refit(y)
    frame = pl.DataFrame({"participant_id": model.design.groups.astype(str), "y": y}).with_columns(
        pl.Series("years", model.design.Z[:, 1]),
        *[pl.Series(f"x{k}", model.design.X[:, k]) for k in range(1, model.design.X.shape[1])],
    )
    terms = " + ".join(f"x{k}" for k in range(1, model.design.X.shape[1]))
    direct = fit_mixed(f"y ~ {terms}", frame, group="participant_id", engine="fast",
                       uncorrelated=model.uncorrelated)  # fmt: skip
    assert converged
    np.testing.assert_allclose(beta, direct.fixed_effects["estimate"].to_numpy(), rtol=1e-5,
                               atol=1e-6)  # fmt: skip
    np.testing.assert_allclose(se, direct.fixed_effects["se"].to_numpy(), rtol=1e-4)


def test_refit_statistics_equal_a_fresh_computation(panel: pl.DataFrame) -> None:
    from outcomes.models import fast

    _, model = interaction_test(panel, outcome="wellbeing", moderator="network_size_bl",
                                project="all", n_boot=0, mde=False)  # fmt: skip
    design = model.design
    y = model.simulate(np.random.default_rng(5))
    observed = fast.sufficient_statistics(design.X, design.y, design.Z, design.groups,
                                          design.n_groups)  # fmt: skip
    reused = fast.with_response(observed, design.X, y, design.Z, design.groups)
    fresh = fast.sufficient_statistics(design.X, y, design.Z, design.groups, design.n_groups)
    np.testing.assert_allclose(reused.cross, fresh.cross, rtol=1e-12)
    np.testing.assert_allclose(reused.ztxy, fresh.ztxy, rtol=1e-12, atol=1e-9)
    for mine, theirs in zip(reused.zt_rows, fresh.zt_rows, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-9)
    # the observed statistics are not changed by the reuse
    assert observed.cross[-1, -1] == pytest.approx(float(design.y @ design.y))


def test_refit_recovers_when_a_line_search_leaves_the_positive_definite_region() -> None:
    """Replicate 743 of this bootstrap once made L-BFGS-B try θ ≈ (0, 1.7e3, 3.1e4), where
    XᵀX − Σ… is no longer numerically positive definite; the refit must still reach the fit
    a fresh optimisation finds, not stop with an error or early."""
    from outcomes.models import fast, optimiser

    panel = simulate_m1_panel(500, seed=1058, matthew=0.15, dropout=0.2, irregular=True,
                              projects=("a", "b"))  # fmt: skip
    _, model = interaction_test(panel, outcome="wellbeing", moderator="network_size_bl",
                                project="all", n_boot=0, mde=False)  # fmt: skip
    rng = np.random.default_rng(58)
    for _ in range(743):
        model.simulate(rng)
    y = model.simulate(rng)
    beta, se, converged, _ = model.refit(y)
    design = model.design
    fresh = optimiser.optimise(
        fast.ProfiledDeviance(
            fast.sufficient_statistics(design.X, y, design.Z, design.groups, design.n_groups),
            reml=True,
        )
    )
    assert converged
    np.testing.assert_allclose(beta, fresh.solution.beta, rtol=1e-5, atol=1e-7)
    assert se[model.index] == pytest.approx(
        float(np.sqrt(fresh.solution.sigma2 * fresh.solution.a_inverse[model.index, model.index])),
        rel=1e-4,
    )


def test_deviance_is_infinite_where_a_is_not_positive_definite() -> None:
    from outcomes.models import fast

    rng = np.random.default_rng(1)
    groups = np.repeat(np.arange(30), 3)
    X = np.column_stack([np.ones(90), rng.normal(size=90)])
    Z = np.column_stack([np.ones(90), np.tile([0.0, 1.0, 2.0], 30)])
    stats = fast.sufficient_statistics(X, rng.normal(size=90), Z, groups, 30)
    broken = fast.SufficientStatistics(**{**stats.__dict__, "cross": -stats.cross})
    deviance = fast.ProfiledDeviance(broken, reml=True)
    value, gradient = deviance(np.array([1.0, 0.0, 1.0]))
    assert value == np.inf and not gradient.any()
    assert deviance.deviance(np.array([1.0, 0.0, 1.0])) == np.inf
    assert deviance.failures == 2


def test_mde_from_simulations_matches_the_normal_approximation(panel: pl.DataFrame) -> None:
    model = fitted_design(
        "wellbeing ~ years * x", panel.with_columns(
            (pl.col("months_since_baseline") / 12).alias("years"),
            (pl.col("network_size_bl") - 6.0).alias("x"),
        ), term="years:x",
    )  # fmt: skip
    draws = model.draws(100, 5)
    mde = minimal_detectable_effect(draws)
    assert mde is not None
    se = model.coefficient("years:x")["se"]
    assert mde == pytest.approx(2.8 * se, rel=0.25)


def test_subgroup_slopes_against_separate_fits(panel: pl.DataFrame) -> None:
    one = panel.filter(pl.col("project") == "a")
    grouped = one.with_columns(
        pl.when(pl.col("network_size_bl") <= 4).then(pl.lit("small"))
        .when(pl.col("network_size_bl") <= 7).then(pl.lit("medium"))
        .otherwise(pl.lit("large")).alias("network_group")
    )  # fmt: skip
    rows = subgroup_slopes(grouped, outcome="wellbeing", project="a")
    assert [r["network_group"] for r in rows] == ["small", "medium", "large"]
    frame = grouped.with_columns((pl.col("months_since_baseline") / 12).alias("years")).to_pandas()
    joint = smf.mixedlm(
        "wellbeing ~ C(network_group) + years:C(network_group)",
        frame,
        groups=frame["participant_id"],
        re_formula="~years",
    ).fit(reml=True)
    for row in rows:
        name = f"years:C(network_group)[{row['network_group']}]"
        assert row["slope"] == pytest.approx(joint.params[name], rel=1e-3, abs=1e-3)
        separate = frame[frame["network_group"] == row["network_group"]]
        alone = smf.mixedlm(
            "wellbeing ~ years", separate, groups=separate["participant_id"], re_formula="~years"
        ).fit(reml=True)
        # shared variance components move a group's slope only a little
        assert abs(row["slope"] - alone.params["years"]) < 0.5 * row["se"]
        assert row["n_participants"] == separate["participant_id"].nunique()
        assert row["ci_low"] < row["slope"] < row["ci_high"]


def _controlled(seed: int, three_way: float) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    n, waves = 400, 3
    arm = np.where(rng.random(n) < 0.5, "interventie", "controle")
    treated = (arm == "interventie").astype(float)
    network = rng.poisson(6.0, n).astype(float)
    c = network - 6.0
    u0, u1 = rng.normal(0, 6, n), rng.normal(0, 1.5, n)
    pid = np.repeat(np.arange(n), waves)
    years = np.tile(np.arange(waves) * 0.5, n)
    slope = 0.5 + 3.0 * treated + 0.1 * c + three_way * treated * c + u1
    y = 55 + 0.5 * c[pid] + u0[pid] + slope[pid] * years + rng.normal(0, 4, pid.size)
    return pl.DataFrame({
        "participant_id": [f"p{i}" for i in pid], "project": "trial", "arm": arm[pid],
        "months_since_baseline": years * 12, "network_size_bl": network[pid], "wellbeing": y,
    })  # fmt: skip


def test_three_way_interaction_in_a_controlled_design() -> None:
    frame = _controlled(3, 0.6)
    result, _ = interaction_test(frame, outcome="wellbeing", moderator="network_size_bl",
                                 project="trial", n_boot=0)  # fmt: skip
    assert result["design"] == "controlled"
    assert result["term"] == "years:treated:network_size_bl_c"
    assert result["effect_term"] == "years:treated"
    assert result["effect"] == pytest.approx(3.0, abs=4 * result["effect_se"])
    assert result["estimate"] == pytest.approx(0.6, abs=4 * result["se"])
    assert result["verdict"] == "matthew"
    # the control arm's own moderation (0.1) is not mistaken for a Matthew effect
    null, _ = interaction_test(
        _controlled(4, 0.0),
        outcome="wellbeing",
        moderator="network_size_bl",
        project="trial",
        n_boot=0,
    )
    assert abs(null["estimate"]) < 4 * null["se"]


def test_control_arm_must_be_recognisable() -> None:
    assert treated_indicator(["controle", "interventie", None]) == {
        "controle": 0.0, "interventie": 1.0}  # fmt: skip
    with pytest.raises(ModelInputError, match="control group"):
        treated_indicator(["a", "b"])


def test_checklist_items_and_consistency() -> None:
    def row(project: str, estimate: float, verdict: str, outcome: str = "wellbeing") -> dict:
        # as matthew.json writes them: only the primary ("all") row has a verdict; what a
        # project's t interval says is in ci_low/ci_high
        low, high = {"matthew": (0.05, 0.9), "reverse": (-0.9, -0.05),
                     "no_evidence": (-0.1, 0.5)}[verdict]  # fmt: skip
        return {"project": project, "outcome": outcome, "moderator": "network_size_bl",
                "estimate": estimate, "ci_low": low, "ci_high": high,
                "verdict": verdict if project == "all" else None}  # fmt: skip

    consistent = [row("all", 0.3, "matthew"), row("a", 0.2, "no_evidence"),
                  row("b", 0.4, "matthew")]  # fmt: skip
    items = {c["item"]: c for c in credibility_checklist(consistent, heterogeneity_p=0.5)}
    assert len(items) == 6
    assert items["consistent_across_projects_and_outcomes"]["answer"] == "yes"
    assert items["number_of_moderators_tested"]["answer"] == "yes"
    mixed = [row("all", 0.3, "matthew"), row("a", -0.5, "reverse"), row("b", 0.4, "matthew")]
    items = {c["item"]: c for c in credibility_checklist(mixed)}
    assert items["consistent_across_projects_and_outcomes"]["answer"] == "no"
    assert all(c["answer"] in ("yes", "no", "partly") and c["reason"] for c in items.values())


def test_null_model_bootstrap_lrt_is_reproducible_and_accounts_for_every_replicate() -> None:
    panel = simulate_m1_panel(120, seed=31, matthew=0.0, projects=("a", "b"))
    _, model = interaction_test(panel, outcome="wellbeing", moderator="network_size_bl",
                                project="all", n_boot=0, mde=False)  # fmt: skip
    null = model.null_likelihood_ratio(200, 9)
    assert null.n_used + null.n_failed + null.n_not_converged == 200
    assert null.n_used >= 190
    assert 0.0 < null.p <= 1.0
    again = model.null_likelihood_ratio(200, 9)
    assert again == null
    # the observed statistic agrees with the asymptotic LRT
    assert null.statistic == pytest.approx(model.likelihood_ratio()["lrt_stat"])


def test_bootstrap_counts_replicates_that_do_not_converge(panel: pl.DataFrame) -> None:
    _, model = interaction_test(panel, outcome="wellbeing", moderator="network_size_bl",
                                project="all", n_boot=0, mde=False)  # fmt: skip
    original = model._refitter.refit_statistics
    calls = {"n": 0}

    def flaky(statistics, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] % 5 == 0:
            raise np.linalg.LinAlgError("not positive definite")
        found = original(statistics, **kwargs)
        if calls["n"] % 7 == 0:
            from dataclasses import replace

            return replace(found, converged=False)
        return found

    model._refitter.refit_statistics = flaky  # type: ignore[method-assign]
    draws = model.draws(35, 1)
    assert draws.n_failed == 7
    assert draws.n_not_converged == 4  # calls 7, 14, 21, 28 (35 failed first)
    assert draws.n == 35 - 7 - 4
