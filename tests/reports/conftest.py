"""A realistic small outcome panel and the documents the analysis writes about it, built through
their declarations in ``outcomes.documents`` (docs/architecture.md, "Documents"): the model of a
project (an entry of project_effects.json) and of all projects (model.json), matthew.json's scope of
a report, pooled.json and a validation summary."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import polars as pl
import pytest

from outcomes.documents import (
    Estimate,
    FileCounts,
    FittedModel,
    InteractionTest,
    MatthewDocument,
    MatthewScope,
    MetaAnalysis,
    ModelResult,
    PooledDocument,
    PooledResult,
    Study,
    Subgroup,
    ValidationSummary,
    YearlyChange,
)
from outcomes.documents.matthew import (
    Bootstrap,
    ChecklistItem,
    Multiplicity,
    PrimaryQuestion,
    ReplicateCounts,
    Settings,
    SimpleSlope,
)
from outcomes.documents.model import (
    Optimizer,
    RandomCovariance,
    RandomEffectInterval,
    RandomEffects,
)

PROJECTS = {"netwerkcoach": 160, "stamtafel": 90, "kwartiertafel": 70}
NAMES = {
    "netwerkcoach": "Natuurlijk een Netwerkcoach",
    "stamtafel": "De Stamtafel",
    "kwartiertafel": "De Kwartiertafel",
}


def _pseudonym(project: str, index: int) -> str:
    return "p" + hashlib.sha256(f"{project}-{index}".encode()).hexdigest()


def make_panel(seed: int = 8) -> pl.DataFrame:
    """Return an outcome panel: 3 projects, waves at 0/6/12 months, attrition, one tiny group.

    In ``netwerkcoach`` exactly 4 participants report gender "other" and 6 attend site "Zeist".
    """
    rng = np.random.default_rng(seed)
    rows = []
    start = dt.date(2024, 1, 8)
    for project, size in PROJECTS.items():
        for index in range(size):
            pid = _pseudonym(project, index)
            network = int(rng.poisson(9))
            group = "small" if network <= 6 else ("medium" if network <= 11 else "large")
            if project == "netwerkcoach":
                gender = "other" if index < 4 else ("female" if index % 2 else "male")
                site = "Zeist" if 4 <= index < 10 else ("Amsterdam" if index % 3 else "Utrecht")
            else:
                gender = "female" if rng.random() < 0.6 else "male"
                site = project.capitalize()
            intercept = rng.normal(55, 8)
            gain = rng.normal(4 + 0.3 * (network - 9), 2)
            enrolled = start + dt.timedelta(days=int(rng.integers(0, 120)))
            for wave, months in ((0, 0.0), (1, 6.0), (2, 12.0)):
                if wave > 0 and rng.random() < 0.15 * wave:
                    break
                years = months / 12
                wellbeing = float(np.clip(intercept + gain * years + rng.normal(0, 5), 0, 100))
                rows.append(
                    {
                        "participant_id": pid,
                        "project": project,
                        "site": site,
                        "arm": None,
                        "wave": wave,
                        "assessed_on": enrolled + dt.timedelta(days=int(months * 30.4)),
                        "months_since_baseline": months,
                        "years": years,
                        "wellbeing": wellbeing,
                        "mhi5": wellbeing,
                        "loneliness": float(np.clip(round(rng.normal(6 - years, 2)), 0, 11)),
                        "network_size": float(max(0, network + round(rng.normal(years, 1.5)))),
                        "network_size_bl": float(network),
                        "network_group": group,
                        "gender": gender,
                        "age_bl": int(rng.integers(25, 85)),
                        "status": "completer",
                    }
                )
    return pl.DataFrame(rows)


MODEL_FORMULA = "wellbeing ~ years * network_size_bl_c + project + (1 + years | participant_id)"


def _estimate(estimate: float, se: float, ci: tuple[float, float], p: float) -> Estimate:
    return Estimate(estimate=estimate, se=se, df=311.4, t=estimate / se, p=p, ci_low=ci[0],
                    ci_high=ci[1])  # fmt: skip


def make_model() -> FittedModel:
    """Return M1 fitted within one project, as project_effects.json's ``models`` holds it."""
    return FittedModel(
        engine="fast",
        formula=MODEL_FORMULA,
        random="(1 + years | participant_id)",
        random_structure="correlated",
        structure_note=None,
        inference="Satterthwaite degrees of freedom, t tests and t(df) 95% intervals (as lmerTest)",
        reml=True,
        n_observations=812,
        n_participants=320,
        n_dropped=0,
        fixed_effects={
            "Intercept": _estimate(55.1234, 0.71, (53.73, 56.52), 0.0),
            "years": _estimate(3.8172, 0.4413, (2.9523, 4.6821), 2.1e-9),
            "network_size_bl_c": _estimate(0.0815, 0.12, (-0.1537, 0.3167), 0.497),
            "years:network_size_bl_c": _estimate(0.2871, 0.0931, (0.1046, 0.4696), 0.00204),
        },
        random_effects=RandomEffects(
            intercept_var=61.2, slope_var=3.1, corr=-0.12, residual_var=24.8
        ),
        random_covariance=RandomCovariance(
            terms=("Intercept", "years"), matrix=((61.2, -1.66), (-1.66, 3.1))
        ),
        loglik=-2711.4,
        deviance=5422.8,
        aic=5434.8,
        bic=5463.0,
        converged=True,
        singular=False,
        seconds=0.12,
        optimizer=Optimizer(
            method="L-BFGS-B on θ (profiled deviance, analytic gradient)",
            theta=(1.571, -0.052, 0.352),
            iterations=9,
            evaluations=14,
            converged=True,
            gradient=(1e-6, -2e-6, 1e-6),
            max_abs_gradient=2e-6,
            message="CONVERGENCE: RELATIVE REDUCTION OF F <= FACTR*EPSMCH",
            objective=5422.8,
        ),
        warnings=(),
    )


def make_synthesis_model() -> ModelResult:
    """Return model.json: M1 on all projects, its yearly change the participant-weighted
    average of the project slopes."""
    fitted = make_model()
    years = fitted.fixed_effects["years"]
    return ModelResult(
        **{f.name: getattr(fitted, f.name) for f in dataclasses.fields(FittedModel)},
        yearly_change=YearlyChange(
            estimand="participant-weighted average of the project slopes",
            weights=dict(PROJECTS),
            **{
                k: getattr(years, k)
                for k in ("estimate", "se", "df", "t", "p", "ci_low", "ci_high")
            },
        ),
        model="M1",
        moderator="network_size_bl",
        moderator_mean=9.0,
        random_effects_ci=(),
        random_effects_ci_note="profile intervals are computed for the Matthew check",
    )


#: Exploratory tests in the Holm family of the analysis (``multiplicity.exploratory_tests``).
EXPLORATORY_TESTS = 53

#: Words that state a Matthew verdict; a report may print none of them for an exploratory row.
VERDICT_WORDS = {
    "nl": ("aanwijzing voor een Mattheuseffect", "geen aanwijzing", "omgekeerd",
           "wijst op een Mattheuseffect", "Oordeel:"),
    "en": ("evidence of a Matthew effect", "no evidence", "reverse", "points to a Matthew effect",
           "Verdict:"),
}  # fmt: skip

METHOD_DESCRIPTION = "Satterthwaite t (lmerTest): t(df) 95% interval and p"


def make_simple_slopes() -> tuple[SimpleSlope, ...]:
    """Return ``simple_slopes`` as matthew.json has them: the yearly change at the 10th, 50th
    and 90th percentile of baseline network size."""
    return (
        SimpleSlope(percentile=10.0, moderator_value=3.0, estimate=2.3290, se=0.4254,
                    df=1277.46, t=5.4755, p=5.2e-08, ci_low=1.4946, ci_high=3.1635),
        SimpleSlope(percentile=50.0, moderator_value=8.0, estimate=3.3080, se=0.2880,
                    df=1441.87, t=11.4863, p=2.8e-29, ci_low=2.7430, ci_high=3.8729),
        SimpleSlope(percentile=90.0, moderator_value=16.0, estimate=4.8742, se=0.4369,
                    df=1183.12, t=11.1573, p=1.5e-27, ci_low=4.0171, ci_high=5.7313),
    )  # fmt: skip


def make_bootstrap(used: int = 200, failed: int = 0, not_converged: int = 0) -> Bootstrap:
    """Return the ``bootstrap`` counts of a primary row (interval and null-model LRT)."""
    counts = {"used": used, "failed": failed, "not_converged": not_converged, "singular": 4}
    return Bootstrap(
        interval=ReplicateCounts(
            simulated_from="the REML fit of the model (lme4's bootMer)", **counts
        ),
        lrt=ReplicateCounts(
            simulated_from="the ML fit without the interaction (pbkrtest's PBmodcomp)",
            statistic=9.61,
            p=0.0049751,
            **counts,
        ),
        replicates=used + failed + not_converged,
        rule="failed and non-converged replicates are left out and counted; singular ones "
        "are kept and counted",
    )


def _row(
    project: str, outcome: str, estimate: float, ci: tuple[float, float], p: float
) -> InteractionTest:
    """Return one test of matthew.json's ``results`` (exploratory, without bootstrap); the
    primary and exploratory rows replace what differs."""
    se = (ci[1] - ci[0]) / 3.92
    verdict = "matthew" if ci[0] > 0 else ("reverse" if ci[1] < 0 else "no_evidence")
    return InteractionTest(
        project=project, outcome=outcome, moderator="network_size_bl", design="uncontrolled",
        term="years:network_size_bl_c", formula=MODEL_FORMULA,
        random_structure="correlated", structure_note=None, singular=False,
        direction="as scored",
        direction_note="a positive interaction means a larger baseline network goes with a "
        "larger improvement",
        inference="Satterthwaite t (lmerTest)",
        estimate=estimate, se=se, df=311.4, t=estimate / se, p=p, ci_low=ci[0], ci_high=ci[1],
        estimate_per_sd=estimate * 3.0, moderator_mean=9.0, moderator_sd=3.0,
        lrt_stat=(estimate / se) ** 2, lrt_df=1, lrt_p=p,
        effect_term="years",
        effect_estimand="yearly change, participant-weighted average of the project slopes"
        if project == "all" else "yearly change",
        effect=3.8172, effect_se=0.4413, effect_df=311.4, effect_ci_low=2.9523,
        effect_ci_high=4.6821, effect_p=2.1e-9,
        project_slopes=(), simple_slopes=make_simple_slopes(),
        n_participants=320, n_observations=812, converged=True,
        boot_ci_low=None, boot_ci_high=None, boot_se=None, boot_lrt_p=None,
        n_boot=0, n_boot_converged=0, bootstrap=None,
        mde80=0.26, mde80_normal=0.25, mde_method="simulation from the fitted model",
        random_effects_ci=None,
        method="satterthwaite", method_description=METHOD_DESCRIPTION,
        verdict=None, verdict_ci_low=ci[0], verdict_ci_high=ci[1], verdict_p=p,
        satterthwaite_verdict=verdict, bootstrap_verdict=None, evidence=None,
        role="exploratory",
    )  # fmt: skip


def make_primary_row(project: str = "all", verdict: str = "matthew") -> InteractionTest:
    """Return the row of the declared primary test (wellbeing × baseline network size)."""
    return dataclasses.replace(
        _row(project, "wellbeing", 0.2871, (0.1046, 0.4696), 0.00204),
        role="primary", verdict=verdict, evidence="consistent", bootstrap_verdict="matthew",
        boot_ci_low=0.0987, boot_ci_high=0.4811, boot_se=0.0972, boot_lrt_p=0.0049751,
        n_boot=200, n_boot_converged=200, bootstrap=make_bootstrap(),
        random_effects_ci=(
            RandomEffectInterval(parameter="sd_years", estimate=1.76, ci_low=0.84, ci_high=2.41,
                                 method="profile (REML)", note=None),
        ),
    )  # fmt: skip


def make_exploratory_row(
    project: str, outcome: str, estimate: float, ci: tuple[float, float], p: float, p_holm: float
) -> InteractionTest:
    """Return an exploratory row: Holm-adjusted p, no verdict, no bootstrap."""
    return dataclasses.replace(
        _row(project, outcome, estimate, ci, p), p_holm=p_holm, family_size=EXPLORATORY_TESTS
    )


def _subgroup(project: str, group: str, slope: float, ci: tuple[float, float], n: int) -> Subgroup:
    return Subgroup(
        project=project, outcome="wellbeing", network_group=group, slope=slope,
        se=(ci[1] - ci[0]) / 3.92, ci_low=ci[0], ci_high=ci[1], n_participants=n,
        direction="as scored",
        formula="wellbeing ~ g_medium + g_large + years_small + years_medium + years_large "
        "+ (1 + years | participant_id)",
    )  # fmt: skip


def make_matthew_document(
    project: str = "netwerkcoach", verdict: str = "matthew", role: str = "primary"
) -> MatthewDocument:
    """Return matthew.json with the tests of one scope: with ``role="primary"`` the scope holds
    the declared test (wellbeing row with ``verdict``), else every row is exploratory."""
    wellbeing = (
        make_primary_row(project, verdict)
        if role == "primary"
        else make_exploratory_row(project, "wellbeing", 0.2871, (0.1046, 0.4696), 0.00204, 0.0918)
    )
    loneliness = make_exploratory_row(project, "loneliness", -0.0123, (-0.0515, 0.0269), 0.538, 1.0)
    return MatthewDocument(
        project="all",
        results=(wellbeing, loneliness),
        subgroups=(
            _subgroup(project, "small", 1.9312, (0.4411, 3.4213), 71),
            _subgroup(project, "medium", 3.9021, (2.7719, 5.0323), 140),
            _subgroup(project, "large", 5.6644, (4.1032, 7.2256), 109),
        ),
        checklist=(
            ChecklistItem(
                item="moderator_measured_at_baseline",
                answer="yes",
                reason="Moderators are the baseline (wave 0) values.",
            ),
        ),
        primary=PrimaryQuestion(
            outcome="wellbeing",
            moderator="network_size_bl",
            scope=project,
            method="satterthwaite",
            method_description=METHOD_DESCRIPTION,
            robustness="parametric bootstrap: percentile interval and null-model "
            "likelihood-ratio test",
        ),
        multiplicity=Multiplicity(
            primary=True,
            exploratory_tests=EXPLORATORY_TESTS,
            adjustment="Holm (1979) over all exploratory outcome × moderator × scope tests",
        ),
        skipped=(),
        settings=Settings(
            n_boot=200,
            seed=20261122,
            mde=True,
            n_power=0,
            outcomes=("wellbeing", "loneliness"),
            moderators=("network_size_bl",),
            simple_slope_percentiles=(10.0, 50.0, 90.0),
            simple_slope_sizes=(),
        ),
        verdict_rule="the declared test's 95% interval above 0: matthew; below 0: reverse",
        direction="a positive interaction means a larger baseline network goes with a larger "
        "improvement",
        controlled_designs="none",
        seconds=1.0,
    )


def make_matthew(
    project: str = "netwerkcoach", verdict: str = "matthew", role: str = "primary"
) -> MatthewScope:
    """Return the scope of matthew.json a report of ``project`` reads (see
    :func:`make_matthew_document`)."""
    return make_matthew_document(project, verdict, role).scope(project)


def _studies(*rows: tuple[str, float, float, float, float]) -> tuple[Study, ...]:
    return tuple(
        Study(label=label, estimate=estimate, ci_low=low, ci_high=high, weight=weight)
        for label, estimate, low, high, weight in rows
    )


def _pooled(
    outcome: str, parameter: str, k: int, studies: tuple[Study, ...], **numbers: Any
) -> PooledResult:
    """Return a pooled.json entry over ``k`` projects: Knapp–Hartung df, the prediction
    interval's df (none below 3 projects) and τ, H² from τ², I²."""
    tau2, i2 = numbers["tau2"], numbers["i2"]
    meta = MetaAnalysis(
        method="REML", knapp_hartung=True, k=k, z=None, df=k - 1, tau2_se=None,
        tau=math.sqrt(tau2), tau2_ci_low_at_limit=numbers["tau2_ci_low"] == 0.0,
        tau2_ci_high_at_limit=False,
        tau_ci_low=math.sqrt(numbers["tau2_ci_low"] or 0.0),
        tau_ci_high=math.sqrt(numbers["tau2_ci_high"] or 0.0),
        h2=1 / (1 - i2 / 100), h2_ci_low=None, h2_ci_high=None,
        pi_df=k - 2 if k >= 3 else None,
        pi_method="t(k-2): estimate ± t(k−2)·√(SE² + τ²), Higgins, Thompson & Spiegelhalter "
        "2009" if k >= 3 else "none: fewer than 3 projects",
        studies=studies, **numbers,
    )  # fmt: skip
    return PooledResult(
        **{f.name: getattr(meta, f.name) for f in dataclasses.fields(MetaAnalysis)},
        outcome=outcome,
        parameter=parameter,
        dl=dataclasses.replace(meta, method="DL", knapp_hartung=False),
        estimands=("yearly change",) if parameter == "slope" else ("interaction",),
    )


def make_pooled(outcome: str = "wellbeing") -> PooledResult:
    """Return pooled.json's entry of the yearly change over 3 projects (I² unlabelled)."""
    return _pooled(
        outcome, "slope", 3,
        _studies(("netwerkcoach", 4.2113, 3.0501, 5.3725, 45.1),
                 ("stamtafel", 3.1022, 1.6011, 4.6033, 30.2),
                 ("kwartiertafel", 3.6503, 1.9015, 5.3991, 24.7)),
        estimate=3.7311, se=0.5102, t=7.313, p=0.0182, ci_low=2.7311, ci_high=4.7311,
        tau2=0.3112, tau2_ci_low=0.0, tau2_ci_high=9.8412, i2=27.4, i2_ci_low=0.0,
        i2_ci_high=96.3, i2_label=None, q=2.755, q_df=2, q_p=0.2522, pi_low=1.0112,
        pi_high=6.4510,
    )  # fmt: skip


def make_pooled_interaction() -> PooledResult:
    """Return pooled.json's Matthew interaction of wellbeing (τ² at 0, so the prediction
    interval is about the confidence interval)."""
    return _pooled(
        "wellbeing", "interaction", 3,
        _studies(("netwerkcoach", 0.2871, 0.1046, 0.4696, 52.0),
                 ("stamtafel", 0.1532, -0.1201, 0.4265, 27.5),
                 ("kwartiertafel", 0.2514, -0.0612, 0.5640, 20.5)),
        estimate=0.2417, se=0.0712, t=3.395, p=0.0769, ci_low=0.1021, ci_high=0.3813,
        tau2=0.0, tau2_ci_low=0.0, tau2_ci_high=0.0917, i2=0.0, i2_ci_low=0.0,
        i2_ci_high=89.2, i2_label=None, q=1.204, q_df=2, q_p=0.5477, pi_low=0.1021,
        pi_high=0.3813,
    )  # fmt: skip


def make_pooled_document(*results: PooledResult) -> PooledDocument:
    """Return pooled.json holding ``results``."""
    return PooledDocument(
        results=results,
        moderator="network_size_bl",
        method_note="REML with Knapp–Hartung; DerSimonian–Laird under dl",
    )


def make_validation() -> ValidationSummary:
    """Return validation/netwerkcoach.json: 6 of 431 rows quarantined, 4 for a bad date and 2
    for an item out of range (3 records: one row has two items out of range)."""
    return ValidationSummary(
        project="netwerkcoach",
        rows_read=431,
        rows_valid=425,
        rows_quarantined=6,
        quarantined_share=6 / 431,
        threshold=0.05,
        passed_threshold=True,
        rules={"bad_date": 4, "item_out_of_range": 3},
        rows_by_rule={"bad_date": 4, "item_out_of_range": 2},
        files={
            "netwerkcoach_T0.csv": FileCounts(rows_read=431, rows_valid=425, rows_quarantined=6)
        },
        duplicate_policy="keep_latest_complete",
    )


def make_files() -> list[dict]:
    """Return the export files of the provenance section (``{"file", "sha256"}``)."""
    return [
        {"file": "netwerkcoach_T0.csv", "sha256": hashlib.sha256(b"T0").hexdigest()},
        {"file": "netwerkcoach_T1.csv", "sha256": hashlib.sha256(b"T1").hexdigest()},
        {"file": "netwerkcoach_T2.csv", "sha256": hashlib.sha256(b"T2").hexdigest()},
    ]


@pytest.fixture(scope="session")
def panel() -> pl.DataFrame:
    return make_panel()


@pytest.fixture(scope="session")
def names() -> dict[str, str]:
    return dict(NAMES)


@pytest.fixture(scope="session")
def model() -> FittedModel:
    return make_model()


@pytest.fixture(scope="session")
def synthesis_model() -> ModelResult:
    return make_synthesis_model()


@pytest.fixture(scope="session")
def matthew() -> MatthewScope:
    return make_matthew()


@pytest.fixture(scope="session")
def pooled() -> PooledResult:
    return make_pooled()


@pytest.fixture(scope="session")
def pooled_interaction() -> PooledResult:
    return make_pooled_interaction()


@pytest.fixture(scope="session")
def pooled_document() -> PooledDocument:
    return make_pooled_document(make_pooled(), make_pooled_interaction())


@pytest.fixture(scope="session")
def validation() -> ValidationSummary:
    return make_validation()


@pytest.fixture(scope="session")
def files() -> list[dict]:
    return make_files()


@pytest.fixture(scope="session")
def make_matthew_for():
    return make_matthew


@pytest.fixture(scope="session")
def shapes() -> SimpleNamespace:
    """Return the builders of matthew.json rows (primary, exploratory, bootstrap counts) and the
    size of the exploratory family, for tests that vary one field with ``dataclasses.replace``."""
    return SimpleNamespace(
        primary_row=make_primary_row,
        exploratory_row=make_exploratory_row,
        bootstrap=make_bootstrap,
        matthew=make_matthew,
        exploratory_tests=EXPLORATORY_TESTS,
        verdict_words=VERDICT_WORDS,
    )
