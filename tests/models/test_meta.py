"""Pooling across projects reproduces metafor's dat.bcg results (docs/architecture.md, "Reference
values"), metafor 3.8's rma/confint/predict on the cases of data/r/metafor_results.json (written by
data/r/metafor.R; the tests do not need R) and agrees with statsmodels' DerSimonian–Laird
``combine_effects``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from statsmodels.stats.meta_analysis import combine_effects

from outcomes.models.meta import (
    PI_FIXED_EFFECT,
    PI_NONE_FEW_STUDIES,
    PI_T_K_MINUS_2,
    MetaAnalysisError,
    heterogeneity_label,
    pool_effects,
)

METAFOR = json.loads(
    (Path(__file__).resolve().parent / "data" / "r" / "metafor_results.json").read_text()
)
FITS = [
    pytest.param(case, fit, id=f"{name}-{fit['method']}-{fit['test']}")
    for name, case in METAFOR["cases"].items()
    for fit in case["fits"]
]
#: fields compared with metafor (relative 1e-4; absolute 1e-8 for values at or near 0)
COMPARED = (
    "estimate", "se", "ci_low", "ci_high", "p", "tau2", "i2", "h2", "q", "q_p",
    "tau2_ci_low", "tau2_ci_high", "tau_ci_low", "tau_ci_high",
    "i2_ci_low", "i2_ci_high", "h2_ci_low", "h2_ci_high", "pi_low", "pi_high", "pi_df",
)  # fmt: skip


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
    assert pooled.knapp_hartung is False  # the default adjustment does not apply to FE
    assert pooled.z is not None and pooled.df is None
    assert pooled.estimate == pytest.approx(-0.4303, abs=5e-5)
    assert pooled.ci_low == pytest.approx(-0.5097, abs=5e-5)
    assert pooled.ci_high == pytest.approx(-0.3509, abs=5e-5)
    assert pooled.q == pytest.approx(152.2330, abs=5e-5)
    assert pooled.q_df == 12
    assert pooled.tau2 == 0.0
    assert pooled.pi_low == pytest.approx(pooled.ci_low)
    assert pooled.pi_method == PI_FIXED_EFFECT
    assert pooled.tau2_ci_low is None and pooled.to_dict()["i2_ci_high"] is None


def test_dersimonian_laird_matches_metafor_and_statsmodels(dat_bcg: pl.DataFrame) -> None:
    yi, vi = _log_risk_ratios(dat_bcg)
    pooled = pool_effects(
        yi, vi, method="DL", knapp_hartung=False, labels=dat_bcg["author"].to_list()
    )
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


def test_reml_wald_matches_metafor(dat_bcg: pl.DataFrame) -> None:
    yi, vi = _log_risk_ratios(dat_bcg)
    pooled = pool_effects(yi, vi, method="REML", knapp_hartung=False)
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


def test_reml_knapp_hartung_is_the_default_and_matches_metafor(dat_bcg: pl.DataFrame) -> None:
    yi, vi = _log_risk_ratios(dat_bcg)
    pooled = pool_effects(yi, vi)
    assert pooled.method == "REML"
    assert pooled.knapp_hartung is True
    assert pooled.z is None
    assert pooled.estimate == pytest.approx(-0.7145, abs=5e-5)
    assert pooled.se == pytest.approx(0.1808, abs=5e-5)
    assert pooled.t == pytest.approx(-3.9522, abs=5e-5)
    assert pooled.df == 12
    assert pooled.ci_low == pytest.approx(-1.1084, abs=5e-5)
    assert pooled.ci_high == pytest.approx(-0.3206, abs=5e-5)
    # metafor's confint(): tau^2 0.3132 [0.1197, 1.1115], I^2 92.22 [81.92, 97.68]
    assert pooled.tau2_ci_low == pytest.approx(0.1197, abs=5e-5)
    assert pooled.tau2_ci_high == pytest.approx(1.1115, abs=5e-5)
    assert pooled.i2_ci_low == pytest.approx(81.92, abs=5e-3)
    assert pooled.i2_ci_high == pytest.approx(97.68, abs=5e-3)
    assert pooled.pi_df == 11
    assert pooled.pi_method == PI_T_K_MINUS_2


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


def _close(actual: Any, expected: Any, key: str) -> None:
    if expected is None:
        assert actual is None, key
    else:
        assert actual == pytest.approx(expected, rel=1e-4, abs=1e-8), key


def test_reference_file_records_versions_and_the_bcg_data(dat_bcg: pl.DataFrame) -> None:
    assert METAFOR["metafor_version"].startswith("3.8")
    assert METAFOR["r_version"].startswith("R version 4")
    yi, vi = _log_risk_ratios(dat_bcg)
    bcg = METAFOR["cases"]["bcg"]
    np.testing.assert_allclose(bcg["yi"], yi, rtol=1e-12)
    np.testing.assert_allclose(bcg["vi"], vi, rtol=1e-12)
    np.testing.assert_allclose(METAFOR["cases"]["bcg4"]["yi"], yi[:4], rtol=1e-12)


@pytest.mark.parametrize(("case", "fit"), FITS)
def test_pool_effects_matches_metafor(case: dict[str, Any], fit: dict[str, Any]) -> None:
    knha = fit["test"] == "knha"
    pooled = pool_effects(case["yi"], case["vi"], method=fit["method"], knapp_hartung=knha)
    document = pooled.to_dict()
    assert pooled.k == fit["k"]
    assert pooled.knapp_hartung is knha
    for key in COMPARED:
        if key in fit:
            _close(document[key], fit[key], key)
    if knha:
        assert document["df"] == fit["df"] == pooled.k - 1
        _close(document["t"], fit["statistic"], "t")
        assert document["z"] is None
    else:
        assert document["df"] is None and document["t"] is None
        _close(document["z"], fit["statistic"], "z")
    if fit["method"] == "REML":
        _close(document["tau2_se"], fit["tau2_se"], "tau2_se")
    if fit["method"] != "FE":
        assert document["tau2_ci_high_at_limit"] is (fit["tau2_ci_ub_sign"] == ">")
        assert document["tau2_ci_low_at_limit"] is (fit["tau2_ci_lb_sign"] == ">")
    if pooled.k >= 3 and fit["method"] != "FE":
        # the hand-computed t(k - 2) interval is metafor's predict(pi.type = "riley")
        _close(document["pi_low"], fit["metafor_riley_pi_low"], "pi_low")
        _close(document["pi_high"], fit["metafor_riley_pi_high"], "pi_high")
        assert document["pi_method"] == PI_T_K_MINUS_2


def test_knapp_hartung_se_is_not_truncated() -> None:
    case = METAFOR["cases"]["bcg4"]
    knha = next(f for f in case["fits"] if f["method"] == "REML" and f["test"] == "knha")
    assert knha["s2w"] < 1  # metafor 3.8 does not truncate s²_w at 1
    adjusted = pool_effects(case["yi"], case["vi"])
    plain = pool_effects(case["yi"], case["vi"], knapp_hartung=False)
    assert adjusted.se == pytest.approx(math.sqrt(knha["s2w"]) * plain.se, rel=1e-8)
    assert adjusted.se < plain.se


def test_fewer_than_three_projects_give_no_prediction_interval() -> None:
    case = METAFOR["cases"]["bcg2"]
    pooled = pool_effects(case["yi"], case["vi"])  # k = 2 with Knapp–Hartung: t with 1 df
    assert pooled.knapp_hartung is True
    assert pooled.df == 1
    assert math.isfinite(pooled.statistic) and math.isfinite(pooled.ci_low)
    document = pooled.to_dict()
    assert document["pi_low"] is None and document["pi_high"] is None
    assert document["pi_df"] is None
    assert document["pi_method"] == PI_NONE_FEW_STUDIES
    # Q-profile with 1 df: the upper bound lies beyond the search interval (metafor: ">100")
    assert document["tau2_ci_low"] == 0.0
    assert document["tau2_ci_high"] == pytest.approx(100.0)
    assert document["tau2_ci_high_at_limit"] is True
    assert document["i2_label"] is None


def test_one_project_falls_back_to_z_as_metafor() -> None:
    pooled = pool_effects([0.3], [0.04])
    assert pooled.knapp_hartung is False
    assert pooled.estimate == pytest.approx(0.3)
    assert pooled.se == pytest.approx(0.2)
    assert pooled.pi_low is None and pooled.pi_method == PI_NONE_FEW_STUDIES
    assert pooled.tau2_ci_low is None and pooled.tau2_ci_high is None


def test_q_profile_interval_truncated_at_zero() -> None:
    zero5 = METAFOR["cases"]["zero5"]
    pooled = pool_effects(zero5["yi"], zero5["vi"])
    assert pooled.tau2 == 0.0
    assert pooled.tau2_ci_low == 0.0 and pooled.tau2_ci_high is not None
    assert pooled.tau2_ci_high > 0.0
    null4 = METAFOR["cases"]["null4"]
    assert all(fit["tau2_ci_null"] for fit in null4["fits"])
    pooled = pool_effects(null4["yi"], null4["vi"])
    assert pooled.tau2_ci_low == 0.0 and pooled.tau2_ci_high == 0.0
    assert pooled.i2_ci_high == 0.0 and pooled.h2_ci_high == 1.0


def test_heterogeneity_label() -> None:
    assert heterogeneity_label(92.0, 4) is None
    assert heterogeneity_label(None, 10) is None
    assert heterogeneity_label(0.0, 5) == "low"
    assert heterogeneity_label(24.9, 5) == "low"
    assert heterogeneity_label(25.0, 5) == "moderate"
    assert heterogeneity_label(50.0, 5) == "substantial"
    assert heterogeneity_label(75.0, 13) == "considerable"
    for name, expected in (("bcg4", None), ("bcg5", "considerable"), ("zero5", "low")):
        case = METAFOR["cases"][name]
        assert pool_effects(case["yi"], case["vi"]).to_dict()["i2_label"] == expected


def test_to_dict_keeps_the_fields_other_code_reads(dat_bcg: pl.DataFrame) -> None:
    yi, vi = _log_risk_ratios(dat_bcg)
    document = pool_effects(yi, vi).to_dict()
    kept = {
        "method", "knapp_hartung", "k", "estimate", "se", "ci_low", "ci_high", "z", "t", "df",
        "p", "tau2", "tau2_se", "tau", "i2", "h2", "q", "q_df", "q_p", "pi_low", "pi_high",
        "studies",
    }  # fmt: skip
    added = {
        "tau2_ci_low", "tau2_ci_high", "tau2_ci_low_at_limit", "tau2_ci_high_at_limit",
        "tau_ci_low", "tau_ci_high", "i2_ci_low", "i2_ci_high", "i2_label", "h2_ci_low",
        "h2_ci_high", "pi_df", "pi_method",
    }  # fmt: skip
    assert set(document) == kept | added
    json.dumps(document)
