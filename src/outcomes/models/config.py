"""The declared analysis: the primary question, its method, robustness and simple slopes.

What belongs here: :class:`AnalysisConfig`, read from ``data_schemas/analysis.yaml`` (or the file
``OUTCOMES_ANALYSIS`` names) and validated on load; a mistake fails with the file, the key and
what was expected. The primary question — by default wellbeing × baseline network size over all
projects, tested by Satterthwaite t — is configuration, not code (docs/architecture.md,
"Models": one declared primary test, every other test exploratory). What does not: running it
(``analysis.py``, ``matthew.py``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from outcomes.errors import ConfigurationError, Phrases, worded
from outcomes.models.formula import ModelInputError
from outcomes.yamlfile import read_yaml, schema_error, schema_problems

#: The verdict methods: Satterthwaite t (lmerTest) or the parametric bootstrap (percentile
#: interval, null-model likelihood-ratio p as pbkrtest's PBmodcomp).
METHODS = ("satterthwaite", "bootstrap")


class AnalysisConfigError(ConfigurationError, ModelInputError):
    """The analysis configuration is missing, unreadable or invalid; the message names the file
    and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PrimaryQuestion(_Strict):
    """The one declared test whose verdict reports carry."""

    outcome: str = "wellbeing"
    moderator: str = "network_size_bl"
    #: "all" (every project, project × years in the model) or one project id
    scope: str = "all"
    method: Literal["satterthwaite", "bootstrap"] = "satterthwaite"


class Robustness(_Strict):
    """The parametric bootstrap run beside the primary method."""

    bootstrap_replicates: int = Field(default=1000, ge=0)
    seed: int = 20261122


class SimpleSlopes(_Strict):
    """Where the model-based yearly change is shown: percentiles and/or fixed network sizes."""

    percentiles: tuple[float, ...] = (10.0, 50.0, 90.0)
    sizes: tuple[float, ...] = ()

    @field_validator("percentiles")
    @classmethod
    def _within_0_100(cls, values: tuple[float, ...]) -> tuple[float, ...]:
        bad = [v for v in values if not 0.0 <= v <= 100.0]
        if bad:
            raise schema_error("schema_analysis_percentiles", bad=str(bad))
        return values


class Exploratory(_Strict):
    """The other outcomes and moderators, tested exploratorily with a multiplicity adjustment."""

    outcomes: tuple[str, ...] = ("wellbeing", "loneliness", "loneliness6", "swemwbs", "qol_grade")
    moderators: tuple[str, ...] = ("network_size_bl", "network_family_bl", "network_diversity_bl")
    adjustment: Literal["holm"] = "holm"


class AnalysisConfig(_Strict):
    """The declared analysis (``data_schemas/analysis.yaml``)."""

    primary: PrimaryQuestion = PrimaryQuestion()
    robustness: Robustness = Robustness()
    simple_slopes: SimpleSlopes = SimpleSlopes()
    exploratory: Exploratory = Exploratory()
    #: test–retest reliability of the baseline network size (0 < r ≤ 1); when set, the primary
    #: interaction is also reported corrected for measurement error (regression calibration,
    #: docs/architecture.md, "Measurement error in network size")
    network_size_reliability: float | None = Field(default=None, gt=0.0, le=1.0)


def default_config_path() -> Path:
    """Return ``OUTCOMES_ANALYSIS`` when set, else ``data_schemas/analysis.yaml`` of this
    checkout."""
    configured = os.environ.get("OUTCOMES_ANALYSIS")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "data_schemas" / "analysis.yaml"


def load_analysis_config(path: Path | str | None = None) -> AnalysisConfig:
    """Return the validated :class:`AnalysisConfig` in ``path`` (default
    :func:`default_config_path`); the defaults when that default file does not exist. Raises
    :class:`AnalysisConfigError` naming the file and key of a mistake."""
    explicit = path is not None or "OUTCOMES_ANALYSIS" in os.environ
    target = Path(path) if path is not None else default_config_path()
    if not explicit and not target.exists():
        return AnalysisConfig()
    data = read_yaml(target, "analysis configuration", AnalysisConfigError) or {}
    try:
        return AnalysisConfig.model_validate(data)
    except ValidationError as error:
        # one line per refused key, each naming the file
        problems = Phrases(schema_problems(error), f"\n{target}: ")
        raise worded(
            AnalysisConfigError,
            "error_analysis_configuration_invalid",
            file=str(target),
            problems=problems,
        ) from None
