"""The dropout tipping point (docs/architecture.md, "Dropout tipping point"): Rubin's rules
against R's mice, the imputation under the mixed model, the direction of δ and reproducibility.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from outcomes.documents import TippingPoint, checked
from outcomes.documents.report_tables import ReportTables
from outcomes.documents.tipping_point import ShownTippingEdge, ShownTippingPoint
from outcomes.models.m1 import fit_m1
from outcomes.models.tipping_point import (
    missing_follow_ups,
    rubin_pool,
    scan,
    scope_seed,
    tipping_point_analysis,
    tipping_point_result,
    tipping_scope,
)
from outcomes.reports.tipping_point_text import tipping_point_paragraphs

R_RESULTS = Path(__file__).parent / "data" / "r" / "tipping_point_results.json"
TERM = "years:network_size_bl_c"


@pytest.fixture(scope="module")
def mice() -> dict:
    return json.loads(R_RESULTS.read_text(encoding="utf-8"))


def test_rubins_rules_match_mice_pool_on_the_nhanes_fits(mice: dict) -> None:
    case = mice["nhanes_lm"]
    for index, expected in enumerate(case["pooled"]):
        pooled = rubin_pool(case["estimates"][index], case["variances"][index], case["dfcom"])
        assert pooled.estimate == pytest.approx(expected["qbar"], rel=1e-12)
        assert pooled.within == pytest.approx(expected["ubar"], rel=1e-12)
        assert pooled.between == pytest.approx(expected["b"], rel=1e-12)
        assert pooled.total == pytest.approx(expected["t"], rel=1e-12)
        assert pooled.df == pytest.approx(expected["df"], rel=1e-10)
        assert pooled.riv == pytest.approx(expected["riv"], rel=1e-10)
        assert pooled.fmi == pytest.approx(expected["fmi"], rel=1e-10)
        assert pooled.ci_low == pytest.approx(expected["ci_low"], rel=1e-10)
        assert pooled.ci_high == pytest.approx(expected["ci_high"], rel=1e-10)


@pytest.mark.parametrize("name", ["scalar_m20", "scalar_m20_large_sample", "scalar_m3_small"])
def test_rubins_rules_match_mice_pool_scalar(mice: dict, name: str) -> None:
    case = mice["scalar"][name]
    dfcom = math.inf if case["dfcom"] == "Inf" else float(case["dfcom"])
    pooled = rubin_pool(case["q"], case["u"], dfcom)
    assert pooled.estimate == pytest.approx(case["qbar"], rel=1e-12)
    assert pooled.total == pytest.approx(case["t"], rel=1e-12)
    assert pooled.df == pytest.approx(case["df"], rel=1e-10)
    assert pooled.riv == pytest.approx(case["r"], rel=1e-10)
    assert pooled.fmi == pytest.approx(case["fmi"], rel=1e-10)


def simulated_panel(
    n: int = 500, *, seed: int = 7, deficit: float = 0.0
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (observed panel, full panel) of a three-wave panel without a Matthew effect in
    which half of the small-network participants and a fifth of the others stop after wave 0
    or 1. ``deficit`` points are added to the missed measurements of the small-network
    dropouts in the full panel: they did that much worse than the model predicts from their
    measured values (not missing at random)."""
    rng = np.random.default_rng(seed)
    size = rng.poisson(6.0, n).astype(float) + 1.0
    low, high = np.quantile(size, [1 / 3, 2 / 3])
    group = np.where(size <= low, "small", np.where(size > high, "large", "medium"))
    intercept = rng.normal(0.0, 8.0, n)
    slope = rng.normal(0.0, 3.0, n)
    stops = rng.random(n) < np.where(group == "small", 0.5, 0.2)
    last = np.where(stops, rng.integers(0, 2, n), 2)
    status = np.where(last == 2, "completer", np.where(last == 0, "baseline_only", "dropout"))
    rows = []
    for i in range(n):
        for wave, months in enumerate((0.0, 6.0, 12.0)):
            months = months + (rng.normal(0.0, 0.3) if wave else 0.0)
            years = months / 12.0
            y = 50.0 + 0.5 * size[i] + intercept[i] + (4.0 + slope[i]) * years
            y += rng.normal(0.0, 5.0)
            missed = bool(wave > last[i])
            if missed and group[i] == "small":
                y += deficit
            rows.append((f"p{i:04d}", "sim", wave, months, float(y), float(size[i]),
                         str(group[i]), str(status[i]), missed))  # fmt: skip
    full = pl.DataFrame(
        rows,
        schema=["participant_id", "project", "wave", "months_since_baseline", "wellbeing",
                "network_size_bl", "network_group", "status", "missed"],
        orient="row",
    )  # fmt: skip
    observed = full.filter(~pl.col("missed")).drop("missed")
    return observed, full.drop("missed")


def test_missing_follow_ups_are_the_waves_after_the_last_one_at_the_typical_time() -> None:
    frame = pl.DataFrame(
        {
            "participant_id": ["a", "a", "a", "b", "b", "c"],
            "project": ["x"] * 6,
            "wave": [0, 1, 2, 0, 1, 0],
            "years": [0.0, 0.5, 1.0, 0.0, 0.6, 0.0],
            "wellbeing": [50.0, 52.0, 55.0, 40.0, 41.0, 60.0],
            "status": ["completer", "completer", "completer", "dropout", "dropout",
                       "baseline_only"],
            "size_c": [1.0, 1.0, 1.0, -2.0, -2.0, 3.0],
        }
    )  # fmt: skip
    missed = missing_follow_ups(frame, "wellbeing", ["participant_id", "project", "size_c"])
    assert missed.select("participant_id", "wave", "years", "size_c").rows() == [
        ("b", 2, 1.0, -2.0),
        ("c", 1, 0.55, 3.0),
        ("c", 2, 1.0, 3.0),
    ]
    assert missed.get_column("wellbeing").to_list() == [0.0, 0.0, 0.0]


@pytest.fixture(scope="module")
def worse_dropouts() -> tuple[pl.DataFrame, pl.DataFrame]:
    return simulated_panel(deficit=-12.0)


@pytest.fixture(scope="module")
def worse_scope(worse_dropouts):
    observed, _ = worse_dropouts
    return tipping_scope(observed, project="sim", m=10, seed=scope_seed(5, "sim"))


def test_imputation_at_delta_zero_reproduces_the_all_data_estimate(
    worse_dropouts, worse_scope
) -> None:
    observed, full = worse_dropouts
    measured = worse_scope.model.coefficient(TERM)
    at_zero = worse_scope.pooled(0.0, "all_groups")
    # missing at random: imputing under the fitted model adds no information on the term
    assert at_zero.estimate == pytest.approx(measured["estimate"], abs=0.25 * measured["se"])
    assert at_zero.se == pytest.approx(measured["se"], rel=0.2)
    stopped = observed.filter(pl.col("status") != "completer")
    assert worse_scope.completed.n_dropouts == stopped.get_column("participant_id").n_unique()
    assert worse_scope.completed.imputed.sum() == full.height - observed.height
    assert worse_scope.failed == 0


def test_shifting_the_small_groups_dropouts_by_their_true_deficit_recovers_the_full_data(
    worse_dropouts, worse_scope
) -> None:
    _, full = worse_dropouts
    truth = fit_m1(full).fixed[TERM]
    measured = worse_scope.model.coefficient(TERM)["estimate"]
    shifted = worse_scope.pooled(-12.0, "small_group").estimate
    # the measured data miss the small-network dropouts' deficit; δ = −12 puts it back
    assert measured < truth["estimate"] - truth["se"]
    assert shifted == pytest.approx(truth["estimate"], abs=truth["se"])


def test_the_tipping_delta_moves_the_way_it_should(worse_scope) -> None:
    small = scan(worse_scope, "small_group", limit=20.0, step=5.0, tolerance=0.1)
    estimates = [point["estimate"] for point in small["grid"]]
    # dropouts of the small-network group doing worse makes the Matthew interaction larger
    assert estimates == sorted(estimates, reverse=True)
    assert small["verdict_at_zero"] == "no_evidence"
    assert small["tipping_below"] is not None and -12.0 < small["tipping_below"] < 0.0
    assert small["verdict_below"] == "matthew"
    assert small["tipping_above"] is not None and small["tipping_above"] > 0.0
    assert small["verdict_above"] == "reverse"
    by_delta = {point["delta"]: point["verdict"] for point in small["grid"]}
    assert by_delta[small["tipping_below"]] == "matthew"
    # bisection leaves a δ with the verdict of δ = 0 within the tolerance of the tipping δ
    assert any(
        small["tipping_below"] < d <= small["tipping_below"] + 0.1 and v == "no_evidence"
        for d, v in by_delta.items()
    )

    # the same δ for every dropout moves the interaction less: fewer dropouts in larger groups
    def moved(parametrisation: str) -> float:
        at_zero = worse_scope.pooled(0.0, parametrisation).estimate
        return worse_scope.pooled(-10.0, parametrisation).estimate - at_zero

    assert 0.0 < moved("all_groups") < moved("small_group")


def test_a_seed_gives_the_same_document_bit_for_bit(worse_dropouts) -> None:
    observed, _ = worse_dropouts
    panel = observed.head(450)

    def run(seed: int) -> str:
        result = tipping_point_result(panel, project="sim", seed=seed, m=3, limit=5.0,
                                      step=5.0, tolerance=5.0)  # fmt: skip
        return json.dumps(result, sort_keys=True)

    first = run(11)
    assert run(11) == first
    assert run(12) != first


def test_the_document_of_a_two_project_panel_is_declared(worse_dropouts) -> None:
    observed, _ = worse_dropouts
    other = observed.with_columns(
        pl.lit("other").alias("project"), ("q" + pl.col("participant_id")).alias("participant_id")
    )
    panel = pl.concat([observed.head(300), other.head(300)])
    document = checked(TippingPoint, tipping_point_analysis(panel, m=3, limit=5.0, step=5.0,
                                                             tolerance=5.0))  # fmt: skip
    assert [s["project"] for s in document["scopes"]] == ["all", "other", "sim"]
    assert [s["role"] for s in document["scopes"]] == ["primary", "exploratory", "exploratory"]
    assert document["imputations"] == 3 and document["seed"] == 20261122


def _tables_with(shown: ShownTippingPoint) -> ReportTables:
    base = {f.name: None for f in dataclasses.fields(ReportTables)}
    return ReportTables(**{**base, "tipping_point": shown})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nl", "De conclusie blijft staan, tenzij mensen die stopten het meer dan 5,8 punten "
         "slechter deden dan vergelijkbare mensen die bleven."),
        ("en", "The conclusion holds unless people who dropped out did more than 5.8 points "
         "worse than similar people who stayed."),
    ],
)  # fmt: skip
def test_the_report_says_how_much_worse_dropouts_must_have_done(lang: str, expected: str) -> None:
    shown = ShownTippingPoint(
        project="all", measured_verdict="matthew", verdict_at_zero="matthew", delta_limit=20.0,
        imputations=20,
        edges=(ShownTippingEdge("all_groups", -5.78125, None),
               ShownTippingEdge("small_group", None, None)),
    )  # fmt: skip
    (paragraph,) = tipping_point_paragraphs(_tables_with(shown), lang)
    assert expected in paragraph
    held = "ook als zij het tot 20 punten" if lang == "nl" else "even if they did up to 20 points"
    assert held in paragraph
    assert tipping_point_paragraphs(_tables_with(None), lang) == []  # type: ignore[arg-type]
