"""Mixed models of the outcome panel: engines (fast, statsmodels), M1 and meta-analysis.

Public API: :func:`fit_mixed` (one formula API over both engines), :class:`MixedResult`,
:func:`fit_m1` and :func:`analyse_panel` (M1 and ``model.json``, docs/architecture.md,
"Models"), and
``outcomes.models.meta`` (random-effects pooling across projects).
"""

from outcomes.models.fit import fit_mixed
from outcomes.models.formula import ModelInputError
from outcomes.models.m1 import analyse_panel, fit_m1, prepare_m1_panel
from outcomes.models.result import MixedResult, OptimizerState

__all__ = [
    "MixedResult",
    "ModelInputError",
    "OptimizerState",
    "analyse_panel",
    "fit_m1",
    "fit_mixed",
    "prepare_m1_panel",
]
