"""A realistic small outcome panel and model results in the shapes of contracts.md."""

from __future__ import annotations

import datetime as dt
import hashlib

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


def make_matthew(project: str = "netwerkcoach", verdict: str = "matthew") -> dict:
    return {
        "project": project,
        "results": [
            {
                "outcome": "wellbeing",
                "moderator": "network_size_bl",
                "estimate": 0.2871,
                "se": 0.0931,
                "ci_low": 0.1046,
                "ci_high": 0.4696,
                "p": 0.00204,
                "verdict": verdict,
                "lrt_p": 0.0019,
                "boot_ci_low": 0.0987,
                "boot_ci_high": 0.4811,
                "mde80": 0.26,
            },
            {
                "outcome": "loneliness",
                "moderator": "network_size_bl",
                "estimate": -0.0123,
                "se": 0.02,
                "ci_low": -0.0515,
                "ci_high": 0.0269,
                "p": 0.538,
                "verdict": "no_evidence",
                "lrt_p": 0.54,
                "boot_ci_low": None,
                "boot_ci_high": None,
                "mde80": 0.056,
            },
        ],
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
    }


def make_pooled(outcome: str = "wellbeing") -> dict:
    return {
        "outcome": outcome,
        "method": "REML",
        "estimate": 3.7311,
        "se": 0.5102,
        "ci_low": 2.7311,
        "ci_high": 4.7311,
        "tau2": 0.3112,
        "i2": 27.4,
        "q": 2.755,
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
    """Return a pooled Matthew interaction as ``outcomes.stages`` writes it (no prediction
    interval width beyond the CI when tau² is 0)."""
    return {
        "outcome": "matthew_interaction",
        "method": "REML",
        "estimate": 0.2417,
        "se": 0.0712,
        "ci_low": 0.1021,
        "ci_high": 0.3813,
        "tau2": 0.0,
        "i2": 0.0,
        "q": 1.204,
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
