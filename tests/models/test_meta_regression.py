"""The meta-regression of the synthesis by intervention type reproduces metafor 3.8's
``rma(yi, vi, mods = ~ type, method = "REML", test = "knha")`` on the cases of
data/r/meta_regression_results.json (written by data/r/meta_regression.R; the tests do not need
R): dat.bcg with allocation as a three- and a two-level moderator, and two sets of project
effects like the synthesis pools (docs/architecture.md, "Pooling across projects")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from outcomes.models.meta import MetaAnalysisError
from outcomes.models.meta_regression import categorical_design, meta_regression

METAFOR = json.loads(
    (Path(__file__).resolve().parent / "data" / "r" / "meta_regression_results.json").read_text()
)
CASES = [pytest.param(case, id=name) for name, case in METAFOR["cases"].items()]
#: relative tolerance against metafor (fitted with a 1e-10 threshold); absolute for values near 0
RELATIVE = 1e-6
ABSOLUTE = 1e-8


def _close(ours: float | None, theirs: float | None) -> bool:
    if theirs is None:
        return ours is None
    assert ours is not None
    return bool(ours == pytest.approx(theirs, rel=RELATIVE, abs=ABSOLUTE))


def _fit(case: dict[str, Any]) -> Any:
    design, names = categorical_design(case["type"])
    return meta_regression(case["yi"], case["vi"], design, names)


@pytest.mark.parametrize("case", CASES)
def test_coefficients_match_metafor(case: dict[str, Any]) -> None:
    ours = _fit(case)
    theirs = case["fit"]
    assert ours.k == theirs["k"] and ours.p == theirs["p"]
    assert [c.name for c in ours.coefficients] == ["intercept", *theirs["levels"][1:]]
    for mine, r in zip(ours.coefficients, theirs["coefficients"], strict=True):
        for field in ("estimate", "se", "t", "p", "ci_low", "ci_high"):
            assert _close(getattr(mine, field), r[field]), (mine.name, field)
        assert mine.df == r["df"] == theirs["k"] - theirs["p"]


@pytest.mark.parametrize("case", CASES)
def test_omnibus_test_and_heterogeneity_match_metafor(case: dict[str, Any]) -> None:
    ours = _fit(case)
    theirs = case["fit"]
    assert (ours.f_df1, ours.f_df2) == (theirs["f_df1"], theirs["f_df2"])
    for field in ("f", "f_p", "qe", "qe_p", "tau2", "tau2_se", "r2", "i2", "h2"):
        assert _close(getattr(ours, field), theirs[field]), field
    assert ours.s2 == pytest.approx(theirs["s2w"], rel=RELATIVE, abs=ABSOLUTE)


def test_levels_are_treatment_coded_against_the_first_level() -> None:
    design, names = categorical_design(["b", "a", "c", "a"], order=["c", "a", "b"])
    assert names == ["intercept", "a", "b"]
    assert design.tolist() == [[1, 0, 1], [1, 1, 0], [1, 0, 0], [1, 1, 0]]


def test_too_few_estimates_for_the_coefficients_are_refused() -> None:
    design, names = categorical_design(["a", "b", "c"])
    with pytest.raises(MetaAnalysisError, match="more estimates than coefficients"):
        meta_regression([0.1, 0.2, 0.3], [0.01, 0.01, 0.01], design, names)


def test_one_level_has_no_omnibus_test() -> None:
    design, names = categorical_design(["a", "a", "a"])
    fit = meta_regression([0.1, 0.2, 0.4], [0.01, 0.02, 0.01], design, names)
    assert np.isnan(fit.f) and fit.f_df1 == 0


def test_no_r2_when_the_intercept_only_model_has_no_heterogeneity() -> None:
    design, names = categorical_design(["a", "a", "b", "b"])
    fit = meta_regression([0.10, 0.11, 0.09, 0.10], [0.04, 0.05, 0.06, 0.05], design, names)
    assert fit.tau2_intercept_only == 0.0 and fit.r2 is None
