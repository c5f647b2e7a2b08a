"""Sensitivity checks of the declared Matthew test: regression to the mean and measurement error.

What belongs here: the baseline-adjusted model of the primary test (change from baseline per
year regressed on the baseline moderator and the baseline outcome, an ANCOVA of change) and the
interaction corrected for measurement error in the moderator (regression calibration), both
written beside the primary test in ``matthew.json`` (docs/architecture.md, "Regression to the
mean", "Measurement error in network size"). What does not: the primary test itself
(``matthew.py``), orchestration (``analysis.py``).

The baseline-adjusted model, in lme4 notation, on the follow-up rows (``years`` > 0):

    change_per_year ~ m_c + outcome_bl_c (+ project) + (1 | participant_id)

with ``change_per_year = (outcome − outcome at baseline) / years``. Adjusting change for the
baseline value is the analysis Barnett, van der Pols & Dobson (2005, "Regression to the mean:
what it is and how to deal with it", Int J Epidemiol 34:215–220) recommend: people who start
low gain more by regression to the mean alone, and when baseline wellbeing differs by network
size that shows up as a Matthew term. The ``m_c`` coefficient is on M1's scale (points per year
per network member). Controlled designs add ``treated * m_c`` and test ``treated:m_c``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from outcomes.models.config import AnalysisConfig
from outcomes.models.fit import fit_mixed
from outcomes.models.formula import ModelInputError
from outcomes.models.matthew import analysed_column, is_controlled, prepare_scope

#: Citations of the two checks, as matthew.json names them.
BASELINE_ADJUSTED_REFERENCE = (
    "Barnett, van der Pols & Dobson (2005), Int J Epidemiol 34:215–220: ANCOVA of change "
    "adjusted for the baseline value"
)
MEASUREMENT_ERROR_REFERENCE = (
    "regression calibration (Carroll, Ruppert, Stefanski & Crainiceanu 2006, Measurement Error "
    "in Nonlinear Models, 2nd ed., §3.2.1; Fuller 1987): estimate / λ"
)


def baseline_adjusted_formula(
    moderator: str, baseline: str, *, with_project: bool, controlled: bool
) -> tuple[str, str]:
    """Return (fixed-effects formula, tested term) of the baseline-adjusted model (module
    docstring): ``change_per_year ~ m_c + <outcome>_bl_c (+ project)``, term ``m_c``; with
    ``controlled``, ``change_per_year ~ treated * m_c + <outcome>_bl_c``, term ``treated:m_c``."""
    centred = f"{moderator}_c"
    if controlled:
        formula, term = (
            f"change_per_year ~ treated * {centred} + {baseline}_c",
            f"treated:{centred}",
        )
    else:
        formula, term = f"change_per_year ~ {centred} + {baseline}_c", centred
    return formula + (" + project" if with_project else ""), term


def change_frame(
    panel: pl.DataFrame, outcome: str, moderator: str, *, controlled: bool
) -> tuple[pl.DataFrame, str, bool]:
    """Return (follow-up rows with ``change_per_year`` and the centred baseline outcome, the
    baseline column's name, with_project) for one scope of the panel.

    The baseline value is the participant's row at ``years`` = 0; participants without one are
    left out. The moderator and the baseline outcome are centred at their means over the
    participants with at least one usable follow-up row.
    """
    frame, _, with_project = prepare_scope(panel, outcome, moderator, controlled=controlled)
    column = analysed_column(outcome)
    baseline = f"{column}_bl"
    first = (
        frame.filter((pl.col("years") == 0.0) & pl.col(column).is_not_null())
        .group_by("participant_id", maintain_order=True)
        .agg(pl.col(column).cast(pl.Float64).first().alias(baseline))
    )
    follow = (
        frame.drop(f"{moderator}_c")
        .join(first, on="participant_id", how="inner")
        .filter(
            (pl.col("years") > 0.0) & pl.col(column).is_not_null() & pl.col(moderator).is_not_null()
        )
        .with_columns(
            ((pl.col(column).cast(pl.Float64) - pl.col(baseline)) / pl.col("years")).alias(
                "change_per_year"
            )
        )
    )
    if follow.height == 0:
        raise ModelInputError(
            f"no participant has {outcome} both at baseline (years = 0) and at a later wave"
        )
    people = follow.group_by("participant_id", maintain_order=True).agg(
        pl.col(moderator).cast(pl.Float64).first(), pl.col(baseline).first()
    )
    means = {c: float(people.get_column(c).mean()) for c in (moderator, baseline)}  # type: ignore[arg-type]
    follow = follow.with_columns(
        (pl.col(moderator).cast(pl.Float64) - means[moderator]).alias(f"{moderator}_c"),
        (pl.col(baseline) - means[baseline]).alias(f"{baseline}_c"),
    )
    with_project = with_project and follow.get_column("project").n_unique() > 1
    return follow, baseline, with_project


def _ols(formula: str, frame: pl.DataFrame, term: str) -> dict[str, Any]:
    """Return the ordinary least-squares estimate of ``term`` (t with n − p df), for a scope
    where every participant has one follow-up row (the random intercept is not identified)."""
    import statsmodels.formula.api as smf

    fit = smf.ols(formula, data=frame.to_pandas()).fit()
    low, high = fit.conf_int().loc[term]
    return {
        "estimate": float(fit.params[term]), "se": float(fit.bse[term]),
        "df": float(fit.df_resid), "t": float(fit.tvalues[term]), "p": float(fit.pvalues[term]),
        "ci_low": float(low), "ci_high": float(high),
    }  # fmt: skip


def baseline_adjusted(
    panel: pl.DataFrame, *, outcome: str, moderator: str, controlled: bool | None = None
) -> dict[str, Any]:
    """Return the baseline-adjusted Matthew term of one scope (module docstring): its estimate,
    se, Satterthwaite df, t, p and t(df) 95% interval (lmerTest), the formula, the number of
    participants and follow-up rows, and the reference.

    With one follow-up row per participant the random intercept is not identified and the
    model is an ordinary regression (t with n − p df). Raises :class:`ModelInputError` when no
    participant has the outcome at baseline and later.
    """
    if controlled is None:
        controlled = is_controlled(panel)
    frame, baseline, with_project = change_frame(panel, outcome, moderator, controlled=controlled)
    formula, term = baseline_adjusted_formula(
        moderator, baseline, with_project=with_project, controlled=controlled
    )
    participants = frame.get_column("participant_id").n_unique()
    if frame.height > participants:
        result = fit_mixed(formula, frame, group="participant_id", random="1", engine="fast")
        estimate = result.fixed[term]
        written = f"{formula} + (1 | participant_id)"
        inference = "Satterthwaite t (lmerTest)"
    else:
        estimate = _ols(formula, frame, term)
        written = formula
        inference = "t (ordinary least squares, one follow-up per participant)"
    return {
        "formula": written,
        "term": term,
        "inference": inference,
        **{
            k: _finite(estimate[k]) for k in ("estimate", "se", "df", "t", "p", "ci_low", "ci_high")
        },
        "n_participants": participants,
        "n_observations": frame.height,
        "reference": BASELINE_ADJUSTED_REFERENCE,
    }


def _finite(value: Any) -> float | None:
    return float(value) if value is not None and math.isfinite(float(value)) else None


def moderator_attenuation(
    moderator_values: np.ndarray, projects: np.ndarray | None, reliability: float
) -> float:
    """Return λ, the attenuation factor of the moderator's coefficients given its reliability
    (Carroll et al. 2006, §3.2.1): λ = σ²ₓ|z / (σ²ₓ|z + σ²ᵤ) with the error variance
    σ²ᵤ = (1 − reliability)·var(W) over the participants and σ²ₓ|z = var(W | project) − σ²ᵤ,
    var(W | project) the within-project variance of the observed moderator (the model has
    project terms). With one project λ is the reliability itself. Raises
    :class:`ModelInputError` when the error variance is not below the within-project variance.
    """
    values = np.asarray(moderator_values, dtype=float)
    total = float(np.var(values, ddof=1))
    error = (1.0 - reliability) * total
    within = total
    if projects is not None and len(set(projects.tolist())) > 1:
        labels = np.asarray(projects)
        residual = values.copy()
        for label in set(labels.tolist()):
            mask = labels == label
            residual[mask] = values[mask] - values[mask].mean()
        within = float(residual @ residual) / (len(values) - len(set(labels.tolist())))
    if within <= error:
        raise ModelInputError(
            f"a network-size reliability of {reliability} leaves no true variance within "
            "projects: the measurement error variance is at least the observed variance"
        )
    return (within - error) / within


def measurement_error_correction(
    panel: pl.DataFrame, row: dict[str, Any], reliability: float
) -> dict[str, Any]:
    """Return the primary interaction of ``row`` (a Matthew-check row of ``panel``'s scope)
    corrected for measurement error in the moderator by regression calibration: estimate / λ
    and the interval's bounds / λ (:func:`moderator_attenuation`; the p-value is the
    uncorrected one, the uncertainty of the reliability is not included)."""
    frame = panel.filter(pl.col(analysed_column(row["outcome"])).is_not_null())
    people = frame.group_by("participant_id", maintain_order=True).agg(
        pl.col(row["moderator"]).cast(pl.Float64).drop_nulls().first(),
        pl.col("project").first() if "project" in frame.columns else pl.lit("all"),
    ).drop_nulls(row["moderator"])  # fmt: skip
    lam = moderator_attenuation(
        people.get_column(row["moderator"]).to_numpy(),
        people.get_column("project").to_numpy(),
        reliability,
    )
    scale = {k: (row[k] / lam if row[k] is not None else None) for k in ("estimate", "se")}
    return {
        "reliability": reliability,
        "attenuation": lam,
        **scale,
        "ci_low": row["verdict_ci_low"] / lam if row["verdict_ci_low"] is not None else None,
        "ci_high": row["verdict_ci_high"] / lam if row["verdict_ci_high"] is not None else None,
        "p": row["verdict_p"],
        "method": MEASUREMENT_ERROR_REFERENCE,
    }


def primary_sensitivity(
    panel: pl.DataFrame, row: dict[str, Any], config: AnalysisConfig
) -> dict[str, Any]:
    """Return the keys added to the primary Matthew row ``row`` of scope ``panel``:
    ``baseline_adjusted`` (:func:`baseline_adjusted`, or None with ``baseline_adjusted_note``
    saying why) and, when ``network_size_reliability`` is configured and the moderator is a
    network size, ``measurement_error`` (:func:`measurement_error_correction`)."""
    extra: dict[str, Any] = {}
    try:
        extra["baseline_adjusted"] = baseline_adjusted(
            panel, outcome=row["outcome"], moderator=row["moderator"],
            controlled=row["design"] == "controlled",
        )  # fmt: skip
    except ModelInputError as error:
        extra["baseline_adjusted"] = None
        extra["baseline_adjusted_note"] = str(error)
    reliability = config.network_size_reliability
    if reliability is not None and row["moderator"].startswith("network_size"):
        extra["measurement_error"] = measurement_error_correction(panel, row, reliability)
    return extra
