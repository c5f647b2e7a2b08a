"""Pooling across projects reproduces metafor's dat.bcg results (REFERENCE.md) and agrees with
statsmodels' DerSimonian–Laird ``combine_effects``."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from statsmodels.stats.meta_analysis import combine_effects

from outcomes.models.meta import MetaAnalysisError, pool_effects


def _log_risk_ratios(bcg: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """metafor's escalc(measure = "RR") on dat.bcg."""
    tpos, tneg = bcg["tpos"].to_numpy(), bcg["tneg"].to_numpy()
    cpos, cneg = bcg["cpos"].to_numpy(), bcg["cneg"].to_numpy()
    yi = np.log((tpos / (tpos + tneg)) / (cpos / (cpos + cneg)))
    vi = 1 / tpos - 1 / (tpos + tneg) + 1 / cpos - 1 / (cpos + cneg)
    return yi, vi


def test_fixed_effect_matches_metafor(dat_bcg: pl.DataFrame) -> None:
    yi, vi = _log_risk_ratios(dat_bcg)
    pooled = pool_effects(yi, vi, method="FE")
    assert pooled.estimate == pytest.approx(-0.4303, abs=5e-5)
    assert pooled.ci_low == pytest.approx(-0.5097, abs=5e-5)
    assert pooled.ci_high == pytest.approx(-0.3509, abs=5e-5)
    assert pooled.q == pytest.approx(152.2330, abs=5e-5)
    assert pooled.q_df == 12
    assert pooled.tau2 == 0.0
    assert pooled.pi_low == pytest.approx(pooled.ci_low)


def test_dersimonian_laird_matches_metafor_and_statsmodels(dat_bcg: pl.DataFrame) -> None:
    yi, vi = _log_risk_ratios(dat_bcg)
    pooled = pool_effects(yi, vi, method="DL", labels=dat_bcg["author"].to_list())
    assert pooled.estimate == pytest.approx(-0.7141, abs=5e-5)
    assert pooled.se == pytest.approx(0.1787, abs=5e-5)
    assert pooled.ci_low == pytest.approx(-1.0644, abs=5e-5)
    assert pooled.ci_high == pytest.approx(-0.3638, abs=5e-5)
    assert pooled.tau2 == pytest.approx(0.3088, abs=5e-5)
    assert pooled.i2 == pytest.approx(92.12, abs=5e-3)
    assert pooled.q == pytest.approx(152.2330, abs=5e-5)

    reference = combine_effects(yi, vi, method_re="chi2")
    assert pooled.estimate == pytest.approx(reference.mean_effect_re, rel=1e-10)
    assert pooled.se == pytest.approx(reference.sd_eff_w_re, rel=1e-10)
    assert pooled.tau2 == pytest.approx(reference.tau2, rel=1e-10)
    assert pooled.q == pytest.approx(reference.q, rel=1e-10)
    assert pooled.i2 / 100 == pytest.approx(reference.i2, rel=1e-8)
    assert sum(pooled.weights) == pytest.approx(100.0)
    assert pooled.forest["label"].to_list()[0] == "Aronson"


def test_reml_matches_metafor(dat_bcg: pl.DataFrame) -> None:
    yi, vi = _log_risk_ratios(dat_bcg)
    pooled = pool_effects(yi, vi, method="REML")
    assert pooled.estimate == pytest.approx(-0.7145, abs=5e-5)
    assert pooled.se == pytest.approx(0.1798, abs=5e-5)
    assert pooled.ci_low == pytest.approx(-1.0669, abs=5e-5)
    assert pooled.ci_high == pytest.approx(-0.3622, abs=5e-5)
    assert pooled.tau2 == pytest.approx(0.3132, abs=5e-5)
    assert pooled.tau2_se == pytest.approx(0.1664, abs=5e-5)
    assert pooled.i2 == pytest.approx(92.22, abs=5e-3)
    assert pooled.q == pytest.approx(152.2330, abs=5e-5)
    assert pooled.pi_low < pooled.ci_low < pooled.ci_high < pooled.pi_high
    document = pooled.to_dict()
    assert document["z"] == pytest.approx(pooled.estimate / pooled.se)
    assert document["t"] is None
    assert len(document["studies"]) == 13


def test_reml_knapp_hartung_matches_metafor(dat_bcg: pl.DataFrame) -> None:
    yi, vi = _log_risk_ratios(dat_bcg)
    pooled = pool_effects(yi, vi, method="REML", knapp_hartung=True)
    assert pooled.estimate == pytest.approx(-0.7145, abs=5e-5)
    assert pooled.se == pytest.approx(0.1808, abs=5e-5)
    assert pooled.t == pytest.approx(-3.9522, abs=5e-5)
    assert pooled.df == 12
    assert pooled.ci_low == pytest.approx(-1.1084, abs=5e-5)
    assert pooled.ci_high == pytest.approx(-0.3206, abs=5e-5)


def test_homogeneous_studies_give_zero_tau2() -> None:
    pooled = pool_effects([0.10, 0.11, 0.09], [0.04, 0.05, 0.06], method="REML")
    assert pooled.tau2 == 0.0
    fixed = pool_effects([0.10, 0.11, 0.09], [0.04, 0.05, 0.06], method="FE")
    assert pooled.estimate == pytest.approx(fixed.estimate)


def test_invalid_input_is_reported() -> None:
    with pytest.raises(MetaAnalysisError, match="positive"):
        pool_effects([0.1, 0.2], [0.01, 0.0])
    with pytest.raises(MetaAnalysisError, match="equally long"):
        pool_effects([0.1, 0.2], [0.01])
    with pytest.raises(MetaAnalysisError, match="method"):
        pool_effects([0.1, 0.2], [0.01, 0.02], method="ML")
