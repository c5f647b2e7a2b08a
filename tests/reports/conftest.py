"""A realistic small outcome panel and model results in the shapes of contracts.md."""

from __future__ import annotations

import datetime as dt
import hashlib
from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest

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


def make_model() -> dict:
    return {
        "engine": "fast",
        "formula": "wellbeing ~ years * network_size_bl_c + project + (1 + years | participant_id)",
        "n_observations": 812,
        "n_participants": 320,
        "fixed_effects": {
            "Intercept": {
                "estimate": 55.1234,
                "se": 0.71,
                "ci_low": 53.73,
                "ci_high": 56.52,
                "p": 0.0,
            },
            "years": {
                "estimate": 3.8172,
                "se": 0.4413,
                "ci_low": 2.9523,
                "ci_high": 4.6821,
                "p": 2.1e-9,
            },
            "network_size_bl_c": {
                "estimate": 0.0815,
                "se": 0.12,
                "ci_low": -0.1537,
                "ci_high": 0.3167,
                "p": 0.497,
            },
            "years:network_size_bl_c": {
                "estimate": 0.2871,
                "se": 0.0931,
                "ci_low": 0.1046,
                "ci_high": 0.4696,
                "p": 0.00204,
            },
        },
        "random_effects": {
            "intercept_var": 61.2,
            "slope_var": 3.1,
            "corr": -0.12,
            "residual_var": 24.8,
        },
        "loglik": -2711.4,
        "converged": True,
        "singular": False,
        "seconds": 0.12,
    }


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


def make_simple_slopes() -> list[dict]:
    """Return ``simple_slopes`` as matthew.json has them: the yearly change at the 10th, 50th
    and 90th percentile of baseline network size."""
    return [
        {"percentile": 10.0, "moderator_value": 3.0, "estimate": 2.3290, "se": 0.4254,
         "df": 1277.46, "t": 5.4755, "p": 5.2e-08, "ci_low": 1.4946, "ci_high": 3.1635},
        {"percentile": 50.0, "moderator_value": 8.0, "estimate": 3.3080, "se": 0.2880,
         "df": 1441.87, "t": 11.4863, "p": 2.8e-29, "ci_low": 2.7430, "ci_high": 3.8729},
        {"percentile": 90.0, "moderator_value": 16.0, "estimate": 4.8742, "se": 0.4369,
         "df": 1183.12, "t": 11.1573, "p": 1.5e-27, "ci_low": 4.0171, "ci_high": 5.7313},
    ]  # fmt: skip


def make_bootstrap(used: int = 200, failed: int = 0, not_converged: int = 0) -> dict:
    """Return the ``bootstrap`` counts of a primary row (interval and null-model LRT)."""
    counts = {"used": used, "failed": failed, "not_converged": not_converged, "singular": 4}
    return {
        "interval": {"simulated_from": "the REML fit of the model (lme4's bootMer)", **counts},
        "lrt": {
            "simulated_from": "the ML fit without the interaction (pbkrtest's PBmodcomp)",
            "statistic": 9.61, "p": 0.0049751, **counts,
        },
        "replicates": used + failed + not_converged,
        "rule": "failed and non-converged replicates are left out and counted; singular ones "
        "are kept and counted",
    }  # fmt: skip


def _row(project: str, outcome: str, estimate: float, ci: tuple[float, float], p: float) -> dict:
    """Return the fields every row of ``results`` in matthew.json has."""
    return {
        "project": project, "outcome": outcome, "moderator": "network_size_bl",
        "term": "years:network_size_bl_c", "estimate": estimate, "se": (ci[1] - ci[0]) / 3.92,
        "df": 311.4, "t": estimate / ((ci[1] - ci[0]) / 3.92), "p": p,
        "ci_low": ci[0], "ci_high": ci[1], "method": "satterthwaite",
        "method_description": METHOD_DESCRIPTION, "inference": "Satterthwaite t (lmerTest)",
        "n_participants": 320, "n_observations": 812, "effect": 3.8172,
        "effect_ci_low": 2.9523, "effect_ci_high": 4.6821,
        "effect_estimand": "yearly change, participant-weighted average of the project slopes"
        if project == "all" else "yearly change",
        "project_slopes": [], "random_structure": "correlated", "structure_note": None,
        "singular": False, "converged": True, "mde80": 0.26,
    }  # fmt: skip


def make_primary_row(project: str = "all", verdict: str = "matthew") -> dict:
    """Return the row of the declared primary test (wellbeing × baseline network size)."""
    return {
        **_row(project, "wellbeing", 0.2871, (0.1046, 0.4696), 0.00204),
        "role": "primary", "verdict": verdict, "evidence": "consistent",
        "verdict_ci_low": 0.1046, "verdict_ci_high": 0.4696, "verdict_p": 0.00204,
        "boot_ci_low": 0.0987, "boot_ci_high": 0.4811, "boot_lrt_p": 0.0049751,
        "bootstrap": make_bootstrap(), "simple_slopes": make_simple_slopes(),
        "random_effects_ci": [
            {"parameter": "sd_years", "estimate": 1.76, "ci_low": 0.84, "ci_high": 2.41,
             "method": "profile (REML)", "note": None},
        ],
    }  # fmt: skip


def make_exploratory_row(
    project: str, outcome: str, estimate: float, ci: tuple[float, float], p: float, p_holm: float
) -> dict:
    """Return an exploratory row: Holm-adjusted p, no verdict, no bootstrap."""
    return {
        **_row(project, outcome, estimate, ci, p),
        "role": "exploratory", "verdict": None, "evidence": None,
        "verdict_ci_low": ci[0], "verdict_ci_high": ci[1], "verdict_p": p,
        "p_holm": p_holm, "family_size": EXPLORATORY_TESTS,
        "boot_ci_low": None, "boot_ci_high": None, "boot_lrt_p": None, "bootstrap": None,
        "satterthwaite_verdict": "matthew" if ci[0] > 0 else "no_evidence",
        "simple_slopes": make_simple_slopes(),
    }  # fmt: skip


def make_matthew(
    project: str = "netwerkcoach", verdict: str = "matthew", role: str = "primary"
) -> dict:
    """Return matthew.json for one scope: with ``role="primary"`` the scope holds the declared
    test (wellbeing row with ``verdict``), else every row is exploratory."""
    wellbeing = (
        make_primary_row(project, verdict)
        if role == "primary"
        else make_exploratory_row(project, "wellbeing", 0.2871, (0.1046, 0.4696), 0.00204, 0.0918)
    )
    loneliness = make_exploratory_row(project, "loneliness", -0.0123, (-0.0515, 0.0269), 0.538, 1.0)
    return {
        "project": project,
        "primary": {
            "outcome": "wellbeing", "moderator": "network_size_bl", "scope": project,
            "method": "satterthwaite", "method_description": METHOD_DESCRIPTION,
        },
        "multiplicity": {
            "exploratory_tests": EXPLORATORY_TESTS,
            "adjustment": "Holm (1979) over all exploratory outcome × moderator × scope tests",
        },
        "skipped": [],
        "results": [wellbeing, loneliness],
        "subgroups": [
            {
                "outcome": "wellbeing",
                "network_group": "small",
                "slope": 1.9312,
                "ci_low": 0.4411,
                "ci_high": 3.4213,
                "n_participants": 71,
            },
            {
                "outcome": "wellbeing",
                "network_group": "medium",
                "slope": 3.9021,
                "ci_low": 2.7719,
                "ci_high": 5.0323,
                "n_participants": 140,
            },
            {
                "outcome": "wellbeing",
                "network_group": "large",
                "slope": 5.6644,
                "ci_low": 4.1032,
                "ci_high": 7.2256,
                "n_participants": 109,
            },
        ],
    }  # fmt: skip


def _pooled_fields(k: int) -> dict:
    """Return the fields of a pooled.json entry that depend on the number of projects k:
    Knapp–Hartung df, the prediction interval's df (none below 3 projects)."""
    return {
        "k": k, "df": k - 1, "knapp_hartung": True, "method": "REML",
        "pi_df": k - 2 if k >= 3 else None,
        "pi_method": "t(k-2): estimate ± t(k−2)·√(SE² + τ²), Higgins, Thompson & Spiegelhalter "
        "2009" if k >= 3 else "none: fewer than 3 projects",
    }  # fmt: skip


def make_pooled(outcome: str = "wellbeing") -> dict:
    """Return a pooled.json entry of the yearly change over 3 projects (I² unlabelled)."""
    return {
        "outcome": outcome,
        "parameter": "slope",
        **_pooled_fields(3),
        "estimate": 3.7311,
        "se": 0.5102,
        "t": 7.313,
        "p": 0.0182,
        "ci_low": 2.7311,
        "ci_high": 4.7311,
        "tau2": 0.3112,
        "tau2_ci_low": 0.0,
        "tau2_ci_high": 9.8412,
        "i2": 27.4,
        "i2_ci_low": 0.0,
        "i2_ci_high": 96.3,
        "i2_label": None,
        "q": 2.755,
        "q_df": 2,
        "q_p": 0.2522,
        "pi_low": 1.0112,
        "pi_high": 6.4510,
        "studies": [
            {
                "label": "netwerkcoach",
                "estimate": 4.2113,
                "ci_low": 3.0501,
                "ci_high": 5.3725,
                "weight": 45.1,
            },
            {
                "label": "stamtafel",
                "estimate": 3.1022,
                "ci_low": 1.6011,
                "ci_high": 4.6033,
                "weight": 30.2,
            },
            {
                "label": "kwartiertafel",
                "estimate": 3.6503,
                "ci_low": 1.9015,
                "ci_high": 5.3991,
                "weight": 24.7,
            },
        ],
    }


def make_pooled_interaction() -> dict:
    """Return the pooled Matthew interaction of wellbeing as pooled.json has it (τ² at 0, so
    the prediction interval is about the confidence interval)."""
    return {
        "outcome": "wellbeing",
        "parameter": "interaction",
        **_pooled_fields(3),
        "estimate": 0.2417,
        "se": 0.0712,
        "t": 3.395,
        "p": 0.0769,
        "ci_low": 0.1021,
        "ci_high": 0.3813,
        "tau2": 0.0,
        "tau2_ci_low": 0.0,
        "tau2_ci_high": 0.0917,
        "i2": 0.0,
        "i2_ci_low": 0.0,
        "i2_ci_high": 89.2,
        "i2_label": None,
        "q": 1.204,
        "q_df": 2,
        "q_p": 0.5477,
        "pi_low": 0.1021,
        "pi_high": 0.3813,
        "studies": [
            {
                "label": "netwerkcoach",
                "estimate": 0.2871,
                "ci_low": 0.1046,
                "ci_high": 0.4696,
                "weight": 52.0,
            },
            {
                "label": "stamtafel",
                "estimate": 0.1532,
                "ci_low": -0.1201,
                "ci_high": 0.4265,
                "weight": 27.5,
            },
            {
                "label": "kwartiertafel",
                "estimate": 0.2514,
                "ci_low": -0.0612,
                "ci_high": 0.5640,
                "weight": 20.5,
            },
        ],
    }


def make_validation() -> dict:
    return {
        "rows_read": 431,
        "rows_valid": 425,
        "rows_quarantined": 6,
        "per_rule": {"bad_date": 4, "item_out_of_range": 2},
    }


def make_files() -> list[dict]:
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
def model() -> dict:
    return make_model()


@pytest.fixture(scope="session")
def matthew() -> dict:
    return make_matthew()


@pytest.fixture(scope="session")
def pooled() -> dict:
    return make_pooled()


@pytest.fixture(scope="session")
def validation() -> dict:
    return make_validation()


@pytest.fixture(scope="session")
def files() -> list[dict]:
    return make_files()


@pytest.fixture(scope="session")
def make_matthew_for():
    return make_matthew


@pytest.fixture(scope="session")
def make_pooled_for():
    return make_pooled


@pytest.fixture(scope="session")
def pooled_interaction() -> dict:
    return make_pooled_interaction()


@pytest.fixture(scope="session")
def shapes() -> SimpleNamespace:
    """Return the builders of matthew.json rows (primary, exploratory, bootstrap counts) and the
    size of the exploratory family, for tests that vary one field of the real shapes."""
    return SimpleNamespace(
        primary_row=make_primary_row,
        exploratory_row=make_exploratory_row,
        bootstrap=make_bootstrap,
        matthew=make_matthew,
        exploratory_tests=EXPLORATORY_TESTS,
        verdict_words=VERDICT_WORDS,
    )
