"""The fast engine reproduces published lme4 results: sleepstudy (docs/architecture.md,
"Reference values") and the R
results statsmodels ships for its ``lme*.csv`` datasets (including a boundary fit)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from outcomes.models import fit_mixed

# lme4 1.1-31 (docs/architecture.md, "Reference values")
SLEEP_REML = {
    "criterion": 1743.628271959952,
    "beta": [251.40510485, 10.46728596],
    "se": [6.824597, 1.545790],
    "sd": [24.74065799, 5.92213766],
    "corr": 0.06555124,
    "residual_sd": 25.59179572,
}
SLEEP_ML = {
    "deviance": 1751.9393444647,
    "loglik": -875.9697,
    "sd": [23.781, 5.717],
    "corr": 0.0813,
    "residual_sd": 25.592,
    "se": [6.632, 1.502],
}


@pytest.mark.parametrize("engine", ["fast", "statsmodels"])
def test_sleepstudy_reml_matches_lme4(sleepstudy: pl.DataFrame, engine: str) -> None:
    result = fit_mixed(
        "Reaction ~ Days", sleepstudy, group="Subject", random="1 + Days", engine=engine
    )
    assert result.engine == engine
    assert result.reml
    assert result.n_observations == 180
    assert result.n_participants == 18
    assert result.deviance == pytest.approx(SLEEP_REML["criterion"], abs=1e-4)
    assert result.loglik == pytest.approx(-SLEEP_REML["criterion"] / 2, abs=1e-4)
    np.testing.assert_allclose(
        result.fixed_effects["estimate"].to_numpy(), SLEEP_REML["beta"], rtol=1e-6
    )
    np.testing.assert_allclose(result.fixed_effects["se"].to_numpy(), SLEEP_REML["se"], rtol=1e-3)
    sd = np.sqrt(np.diag(result.random_cov))
    np.testing.assert_allclose(sd, SLEEP_REML["sd"], rtol=1e-3)
    assert result.random_effects["corr"] == pytest.approx(SLEEP_REML["corr"], rel=1e-3)
    assert np.sqrt(result.residual_var) == pytest.approx(SLEEP_REML["residual_sd"], rel=1e-3)
    assert result.converged
    assert not result.singular
    assert list(result.fixed) == ["Intercept", "Days"]


@pytest.mark.parametrize("engine", ["fast", "statsmodels"])
def test_sleepstudy_ml_matches_lme4(sleepstudy: pl.DataFrame, engine: str) -> None:
    result = fit_mixed(
        "Reaction ~ Days",
        sleepstudy,
        group="Subject",
        random="1 + Days",
        reml=False,
        engine=engine,
    )
    assert not result.reml
    assert result.deviance == pytest.approx(SLEEP_ML["deviance"], abs=1e-4)
    assert result.loglik == pytest.approx(SLEEP_ML["loglik"], abs=1e-4)
    np.testing.assert_allclose(
        result.fixed_effects["estimate"].to_numpy(), SLEEP_REML["beta"], rtol=1e-6
    )
    # published to 4 significant digits
    np.testing.assert_allclose(result.fixed_effects["se"].to_numpy(), SLEEP_ML["se"], atol=6e-4)
    np.testing.assert_allclose(np.sqrt(np.diag(result.random_cov)), SLEEP_ML["sd"], atol=6e-4)
    assert result.random_effects["corr"] == pytest.approx(SLEEP_ML["corr"], abs=6e-5)
    assert np.sqrt(result.residual_var) == pytest.approx(SLEEP_ML["residual_sd"], abs=6e-4)
    # lme4: AIC = -2 logLik + 2 * 6 parameters (2 fixed, 3 theta, sigma)
    assert result.aic == pytest.approx(1763.939, abs=1e-3)


def test_sleepstudy_blups_match_lme4_ranef(sleepstudy: pl.DataFrame) -> None:
    result = fit_mixed(
        "Reaction ~ Days", sleepstudy, group="Subject", random="1 + Days", blups=True
    )
    assert result.blups is not None
    blups = result.blups.filter(pl.col("Subject") == "308").row(0, named=True)
    # ranef(fm1)$Subject["308", ] in lme4 1.1-31
    assert blups["Intercept"] == pytest.approx(2.2585, abs=2e-3)
    assert blups["Days"] == pytest.approx(9.1990, abs=2e-3)
    assert result.blups["Intercept"].sum() == pytest.approx(0.0, abs=1e-6)


def _lme_results_module() -> tuple[Path, object]:
    import statsmodels

    directory = Path(statsmodels.__file__).parent / "regression" / "tests" / "results"
    spec = importlib.util.spec_from_file_location("lme_r_results", directory / "lme_r_results.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return directory, module


LME_DIRECTORY, LME_R = _lme_results_module()


@pytest.mark.parametrize("dataset", range(12))
@pytest.mark.parametrize("reml", [True, False])
def test_statsmodels_shipped_lme4_results(dataset: int, reml: bool) -> None:
    data = pl.read_csv(LME_DIRECTORY / f"lme{dataset:02d}.csv")
    fixed = [c for c in data.columns if c.startswith("exog_fe")]
    random_terms = [c for c in data.columns if c.startswith("exog_re")]
    name = f"{'reml' if reml else 'ml'}_drf_{dataset}"
    coef = getattr(LME_R, f"coef_{name}")
    vcov = getattr(LME_R, f"vcov_{name}")
    cov_re = getattr(LME_R, f"cov_re_{name}")
    scale = float(getattr(LME_R, f"scale_{name}")[0])
    loglik = float(getattr(LME_R, f"loglike_{name}")[0])

    result = fit_mixed(
        "endog ~ 0 + " + " + ".join(fixed),
        data,
        group="groups",
        random="0 + " + " + ".join(random_terms),
        reml=reml,
        engine="fast",
    )
    assert result.converged
    np.testing.assert_allclose(result.fixed_effects["estimate"].to_numpy(), coef, rtol=2e-5)
    np.testing.assert_allclose(result.cov_fixed, vcov, rtol=2e-3, atol=1e-8)
    np.testing.assert_allclose(result.random_cov, cov_re, rtol=2e-3, atol=2e-6)
    assert result.residual_var == pytest.approx(scale, rel=1e-4)
    assert result.loglik == pytest.approx(loglik, abs=1e-4)
    boundary = bool(np.any(np.diag(cov_re) < 1e-6))
    assert result.singular == boundary
    if boundary:
        assert any("Singular fit" in w for w in result.warnings)
