"""Profile-likelihood intervals of the variance parameters (``outcomes.models.profile``) against
R: lme4 1.1-31's ``confint(m, method = "profile")`` and exact profiles computed in R with lme4's
deviance components (``data/r/profile.R`` wrote ``data/r/profile_results.json``; R is not needed
here).

lme4 refits REML fits by ML before profiling, so its intervals are compared with
``reml=False``; the REML profiles are compared with the exact REML profiles of ``profile.R``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy import stats

from outcomes.models import fit_mixed
from outcomes.models.formula import Design, build_design
from outcomes.models.profile import ProfileInterval, Profiler, profile_intervals
from outcomes.models.simulate import simulate_m1_panel

DATA = Path(__file__).resolve().parent / "data"
REFERENCE = json.loads((DATA / "r" / "profile_results.json").read_text())
M1 = "wellbeing ~ years * network_size_bl_c + project"

# name in profile_results.json: (formula, data file, group, random terms)
MODELS = {
    "sleep_reml": ("Reaction ~ Days", "sleepstudy.csv", "Subject", "1 + Days"),
    "sleep_ml": ("Reaction ~ Days", "sleepstudy.csv", "Subject", "1 + Days"),
    "sleep_intercept": ("Reaction ~ Days", "sleepstudy.csv", "Subject", "1"),
    "panel_reml": (M1, "r/profile_panel.csv", "participant_id", "1 + years"),
    "boundary_slope_ml": (M1, "r/profile_boundary_slope.csv", "participant_id", "1 + years"),
    "boundary_intercept_ml": (M1, "r/profile_boundary_intercept.csv", "participant_id", "1"),
    "sleep_quadratic_ml": (
        "Reaction ~ Days + Days2",
        "sleepstudy.csv",
        "Subject",
        "1 + Days + Days2",
    ),
}
REML_MODELS = [name for name in MODELS if REFERENCE["models"][name]["reml"]]

# Ends where lme4's spline through its grid of profile points misses the root of the profile:
# the exact ML ζ at lme4's end (``zeta_at_confint``, computed in R) is not ±1.96 there. In both
# the profile flattens towards a singular fit and lme4's grid has a wide gap (for the panel's
# slope SD, points at 0 and 0.81 only).
LME4_INTERPOLATION_MISSES = {
    ("panel_reml", "sd_years", 0),
    ("boundary_slope_ml", "sd_Intercept", 0),
}


def _data(name: str) -> pl.DataFrame:
    frame = pl.read_csv(DATA / MODELS[name][1])
    if name.startswith("sleep"):
        frame = frame.with_columns((pl.col("Days") ** 2 / 10).alias("Days2"))
    return frame


def _design(name: str) -> Design:
    formula, _, group, random = MODELS[name]
    return build_design(formula, _data(name), group=group, random=random)


_CACHE: dict[tuple[str, bool], tuple[Profiler, list[ProfileInterval]]] = {}


def _profiled(name: str, reml: bool) -> tuple[Profiler, list[ProfileInterval]]:
    key = (name, reml)
    if key not in _CACHE:
        profiler = Profiler(_design(name), reml=reml)
        _CACHE[key] = (profiler, profiler.intervals())
    return _CACHE[key]


def _lme4_name(parameter: str, group: str) -> str:
    """Return lme4's ``oldNames = FALSE`` row name of one of our parameter names."""

    def term(name: str) -> str:
        return "(Intercept)" if name == "Intercept" else name

    if parameter == "sigma":
        return "sigma"
    kind, terms = parameter.split("_", 1)
    if kind == "sd":
        return f"sd_{term(terms)}|{group}"
    column, row = terms.split(".")
    return f"cor_{term(row)}.{term(column)}|{group}"


def _close(ours: float | None, theirs: float, parameter: str, rel: float) -> bool:
    assert ours is not None
    absolute = rel if parameter.startswith("cor_") else 1e-9
    return abs(ours - theirs) <= max(rel * abs(theirs), absolute)


def _check_names(name: str, intervals: list[ProfileInterval]) -> list[str]:
    group = MODELS[name][2]
    lme4_names = [_lme4_name(iv.parameter, group) for iv in intervals]
    assert lme4_names == REFERENCE["models"][name]["parameters"]
    return lme4_names


@pytest.mark.parametrize("name", list(MODELS))
def test_ml_profile_matches_lme4_confint(name: str) -> None:
    """Every end within 1e-2 of lme4's confint (absolute near 0 for correlations); where lme4's
    interpolation misses, ours is the root and lme4's end is not (ζ there ≠ ±1.96)."""
    _, intervals = _profiled(name, reml=False)
    reference = REFERENCE["models"][name]
    z = stats.norm.ppf(0.975)
    lme4_names = _check_names(name, intervals)
    for interval, lme4_name in zip(intervals, lme4_names, strict=True):
        ends = (interval.ci_low, interval.ci_high)
        for side in (0, 1):
            theirs = reference["confint"][lme4_name][side]
            if (name, interval.parameter, side) in LME4_INTERPOLATION_MISSES:
                zeta = reference["exact_ml"]["zeta_at_confint"][lme4_name][side]
                assert abs(abs(zeta) - z) > 0.01, "lme4's end is right after all"
                exact = reference["exact_ml"]["intervals"][lme4_name][side]
                assert _close(ends[side], exact, interval.parameter, rel=1e-4)
                continue
            assert _close(ends[side], theirs, interval.parameter, rel=1e-2), (
                interval.parameter,
                side,
                ends[side],
                theirs,
            )


@pytest.mark.parametrize("name", list(MODELS))
def test_ml_profile_matches_exact_r_profile(name: str) -> None:
    profiler, intervals = _profiled(name, reml=False)
    exact = REFERENCE["models"][name]["exact_ml"]
    assert profiler.d_hat == pytest.approx(exact["criterion"], abs=1e-6)
    for interval, lme4_name in zip(intervals, _check_names(name, intervals), strict=True):
        assert _close(interval.estimate, exact["estimates"][lme4_name], interval.parameter, 1e-4)
        for side, ours in enumerate((interval.ci_low, interval.ci_high)):
            theirs = exact["intervals"][lme4_name][side]
            assert _close(ours, theirs, interval.parameter, rel=1e-4), (
                interval.parameter,
                side,
                ours,
                theirs,
            )


@pytest.mark.parametrize("name", REML_MODELS)
def test_reml_profile_matches_exact_r_profile(name: str) -> None:
    profiler, intervals = _profiled(name, reml=True)
    reference = REFERENCE["models"][name]
    exact = reference["exact_reml"]
    assert profiler.d_hat == pytest.approx(reference["criterion"], abs=1e-6)
    for interval, lme4_name in zip(intervals, _check_names(name, intervals), strict=True):
        assert _close(interval.estimate, exact["estimates"][lme4_name], interval.parameter, 1e-4)
        for side, ours in enumerate((interval.ci_low, interval.ci_high)):
            theirs = exact["intervals"][lme4_name][side]
            assert _close(ours, theirs, interval.parameter, rel=1e-4), (
                interval.parameter,
                side,
                ours,
                theirs,
            )


def test_reml_intervals_contain_the_reml_estimates_and_differ_from_ml() -> None:
    _, reml = _profiled("sleep_reml", reml=True)
    _, ml = _profiled("sleep_reml", reml=False)
    fit = fit_mixed("Reaction ~ Days", _data("sleep_reml"), group="Subject", random="1 + Days")
    sd = np.sqrt(np.diag(fit.random_cov))
    assert reml[0].estimate == pytest.approx(sd[0], rel=1e-5)
    assert reml[2].estimate == pytest.approx(sd[1], rel=1e-5)
    assert reml[3].estimate == pytest.approx(math.sqrt(fit.residual_var), rel=1e-5)
    for interval in reml:
        assert interval.ci_low is not None and interval.ci_high is not None
        assert interval.ci_low < interval.estimate < interval.ci_high
    # REML widens the intercept SD's interval (lme4's ML-based one is 14.38-37.72)
    assert reml[0].ci_high > ml[0].ci_high + 1.0


def test_profile_intervals_api_and_names() -> None:
    design = _design("sleep_ml")
    intervals = profile_intervals(design, reml=False)
    assert [iv.parameter for iv in intervals] == [
        "sd_Intercept",
        "cor_Intercept.Days",
        "sd_Days",
        "sigma",
    ]
    assert all(iv.method == "profile (ML)" and iv.note is None for iv in intervals)
    with pytest.raises(AttributeError):
        setattr(intervals[0], "estimate", 0.0)  # noqa: B010
    # a given θ̂ (here lme4's) gives the same intervals without refitting
    theta = np.array(REFERENCE["models"]["sleep_ml"]["theta"])
    again = profile_intervals(design, reml=False, theta_hat=theta)
    for first, second in zip(intervals, again, strict=True):
        assert second.ci_low == pytest.approx(first.ci_low, rel=1e-6, abs=1e-9)
        assert second.ci_high == pytest.approx(first.ci_high, rel=1e-6, abs=1e-9)
    with pytest.raises(ValueError, match="theta_hat"):
        profile_intervals(design, theta_hat=np.ones(2))
    with pytest.raises(ValueError, match="level"):
        profile_intervals(design, level=1.5)


def test_lower_level_gives_nested_intervals_at_its_own_cutoff() -> None:
    profiler = Profiler(_design("sleep_intercept"), reml=True)
    wide = profiler.intervals(0.95)
    narrow = profiler.intervals(0.80)
    for w, n in zip(wide, narrow, strict=True):
        assert None not in (w.ci_low, w.ci_high, n.ci_low, n.ci_high)
        assert w.ci_low < n.ci_low < n.estimate < n.ci_high < w.ci_high
    # the ends are where the deviance has risen by qnorm(0.9)² = 1.64
    interval = narrow[0]
    assert interval.ci_high is not None
    rise = _rise_at(profiler, 0, interval.ci_high)
    assert rise == pytest.approx(stats.norm.ppf(0.9) ** 2, abs=1e-4)


def _rise_at(profiler: Profiler, k: int, t: float) -> float:
    track = profiler._track(k)
    return profiler._point(track, t).deviance - profiler.d_hat


def test_boundary_slope_sd_lower_limit_is_zero() -> None:
    """A singular fit (slope SD 0.01 simulated; correlation estimated at −1): no error, the
    slope SD's lower limit is 0 and the correlation's interval is (−1, 1), as lme4 reports."""
    for reml in (False, True):
        _, intervals = _profiled("boundary_slope_ml", reml=reml)
        by_name = {iv.parameter: iv for iv in intervals}
        slope = by_name["sd_years"]
        assert slope.ci_low == 0.0
        assert slope.note is not None and "lower limit 0" in slope.note
        assert slope.ci_high is not None and slope.ci_high > slope.estimate > 0
        corr = by_name["cor_Intercept.years"]
        assert corr.estimate == pytest.approx(-1.0)
        assert (corr.ci_low, corr.ci_high) == (-1.0, 1.0)
        assert corr.note is not None and "boundary" in corr.note
        for interval in intervals:
            assert interval.ci_low is not None and interval.ci_high is not None


def test_sd_estimated_at_zero_has_lower_limit_zero() -> None:
    for reml in (False, True):
        _, intervals = _profiled("boundary_intercept_ml", reml=reml)
        sd = intervals[0]
        assert sd.parameter == "sd_Intercept"
        assert sd.estimate == 0.0
        assert sd.ci_low == 0.0
        assert sd.ci_high is not None and sd.ci_high > 0.5
        assert sd.note is not None and "estimate at the boundary 0" in sd.note


def test_simulated_tiny_slope_sd_profiles_without_error() -> None:
    panel = simulate_m1_panel(200, seed=20, slope_sd=0.01, dropout=0.2, projects=("a", "b"))
    mean = (
        panel.group_by("participant_id")
        .agg(pl.col("network_size_bl").first())["network_size_bl"]
        .mean()
    )
    panel = panel.with_columns(
        (pl.col("months_since_baseline") / 12).alias("years"),
        (pl.col("network_size_bl") - mean).alias("network_size_bl_c"),
    )
    design = build_design(M1, panel, group="participant_id", random="1 + years")
    fit = fit_mixed(M1, panel, group="participant_id", random="1 + years", engine="fast")
    assert fit.singular
    intervals = profile_intervals(design, theta_hat=fit.theta)
    slope = intervals[2]
    assert slope.parameter == "sd_years"
    assert slope.ci_low == 0.0
    assert slope.ci_high is not None and slope.ci_high > 0


def test_evaluations_on_a_large_panel() -> None:
    """Each evaluation is one vectorised pass over all participants; a regular panel of 10,000
    participants needs about a hundred for all four parameters."""
    panel = simulate_m1_panel(10_000, seed=11, projects=("a", "b", "c"))
    panel = panel.with_columns(
        (pl.col("months_since_baseline") / 12).alias("years"),
        (pl.col("network_size_bl") - 6.0).alias("network_size_bl_c"),
    )
    design = build_design(M1, panel, group="participant_id", random="1 + years")
    profiler = Profiler(design, reml=True)
    intervals = profiler.intervals()
    assert profiler.evaluations < 150
    truth = {"sd_Intercept": 8.0, "cor_Intercept.years": -0.3, "sd_years": 2.0, "sigma": 6.0}
    for interval in intervals:
        assert interval.ci_low is not None and interval.ci_high is not None
        assert interval.ci_low < truth[interval.parameter] < interval.ci_high


@pytest.mark.parametrize(("name", "reml"), [("sleep_reml", True), ("sleep_quadratic_ml", False)])
def test_gradient_matches_finite_differences(name: str, reml: bool) -> None:
    """The analytic gradient of the unprofiled criterion in every coordinate system (q = 2
    REML, q = 3 ML), away from the optimum."""
    profiler, _ = _profiled(name, reml=reml)
    rng = np.random.default_rng(1)
    for k in range(profiler.m):
        track = profiler._track(k)
        centre = track.centre
        for t in (centre, 0.3 * centre if track.kind == "sd" else centre):
            system = profiler._system_at(track, t)
            x = system.x_hat + 0.05 * system.scale * rng.standard_normal(profiler.m)
            x = np.clip(x, system.lower + 0.01, system.upper - 0.01)
            _, gradient = profiler._value(system, x)
            for i in range(profiler.m):
                h = 1e-6 * system.scale[i]
                up, down = x.copy(), x.copy()
                up[i] += h
                down[i] -= h
                numeric = (profiler._value(system, up)[0] - profiler._value(system, down)[0]) / (
                    2 * h
                )
                assert gradient[i] == pytest.approx(numeric, rel=1e-4, abs=1e-4)


def test_model_json_and_the_primary_test_carry_profile_intervals(tmp_path: Path) -> None:
    from outcomes.models.analysis import analyse
    from outcomes.models.m1 import analyse_panel
    from outcomes.models.simulate import simulate_m1_panel

    panel = simulate_m1_panel(300, seed=21, projects=("a", "b"), slope_sd=3.0, corr=0.0)
    document = json.loads(analyse_panel(panel, tmp_path)["model"].read_text())
    intervals = {i["parameter"]: i for i in document["random_effects_ci"]}
    if document["random_structure"] == "correlated":
        assert set(intervals) == {"sd_Intercept", "cor_Intercept.years", "sd_years", "sigma"}
    residual_sd = math.sqrt(document["random_effects"]["residual_var"])
    assert intervals["sigma"]["ci_low"] < residual_sd < intervals["sigma"]["ci_high"]
    assert intervals["sigma"]["method"] == "profile (REML)"
    result = analyse(panel, outcomes=("wellbeing",), moderators=("network_size_bl",), n_boot=0,
                     growth=False, attrition=False, models=False)  # fmt: skip
    rows = result.matthew["results"]
    primary = next(r for r in rows if r["role"] == "primary")
    assert primary["random_effects_ci"]
    assert all(r["random_effects_ci"] is None for r in rows if r["role"] != "primary")
