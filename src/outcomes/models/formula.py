"""Design matrices for mixed models: fixed effects, random-effects terms and the grouping factor.

What belongs here: turning a formula string, a random-effects term list and a data frame into the
numeric arrays both engines fit (``y``, ``X``, ``Z``, group codes), with the fixed-effect names the
project reports (``Intercept``, ``years``, ``network_size_bl_c``, ``years:network_size_bl_c``,
``project[T.stamtafel]``). Rows with a missing value in a used column are dropped and counted.
What does not: any fitting; that is ``fast.py`` and ``reference.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import polars as pl
from formulaic import Formula, model_matrix

from outcomes.errors import OutcomesError


class ModelInputError(OutcomesError, ValueError):
    """A model cannot be fitted on the data as given (missing column, empty data, bad formula)."""


@dataclass(frozen=True)
class Design:
    """Numeric arrays of one mixed model, after dropping rows with missing values.

    ``groups`` holds integer codes 0..n_groups-1 into ``group_labels``.
    """

    y: np.ndarray
    X: np.ndarray
    Z: np.ndarray
    groups: np.ndarray
    group_labels: list[str]
    fixed_names: list[str]
    random_names: list[str]
    outcome: str
    group: str
    n_dropped: int

    @property
    def n_groups(self) -> int:
        return len(self.group_labels)


_CATEGORICAL_CALL = re.compile(r"C\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)")


def term_name(formulaic_name: str) -> str:
    """Return the reported name of a design column: ``C(project)[T.a]`` becomes ``project[T.a]``."""
    return _CATEGORICAL_CALL.sub(r"\1", formulaic_name)


def _as_polars(data: pl.DataFrame | pd.DataFrame) -> pl.DataFrame:
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pd.DataFrame):
        return pl.from_pandas(data)
    raise ModelInputError(f"data must be a polars or pandas DataFrame, got {type(data).__name__}")


def _parse(formula: str) -> tuple[str, Formula]:
    if "~" not in formula:
        raise ModelInputError(
            f"formula {formula!r} has no '~': write it as 'outcome ~ term + term'"
        )
    try:
        parsed = Formula(formula)
    except Exception as error:  # formulaic raises several classes for syntax errors
        raise ModelInputError(f"cannot parse formula {formula!r}: {error}") from error
    outcome = formula.split("~", 1)[0].strip()
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", outcome):
        raise ModelInputError(
            f"the outcome of {formula!r} must be one column name, got {outcome!r}"
        )
    return outcome, parsed


def build_design(
    formula: str,
    data: pl.DataFrame | pd.DataFrame,
    *,
    group: str,
    random: str = "1 + years",
) -> Design:
    """Return the :class:`Design` of ``formula`` with random terms ``random`` by ``group``.

    ``random`` is the right-hand side of lme4's ``(random | group)``, e.g. ``"1 + years"``;
    ``"0 + x"`` drops the random intercept as in lme4.
    """
    frame = _as_polars(data)
    outcome, parsed = _parse(formula)
    try:
        random_formula = Formula(random)
    except Exception as error:
        raise ModelInputError(f"cannot parse random-effects terms {random!r}: {error}") from error

    used = sorted(set(parsed.required_variables) | set(random_formula.required_variables) | {group})
    missing = [column for column in used if column not in frame.columns]
    if missing:
        raise ModelInputError(
            "the data lack column(s) the model needs: "
            + ", ".join(missing)
            + f" (formula {formula!r}, random {random!r}, group {group!r})"
        )
    selected = frame.select(used)
    not_missing = [pl.col(c).is_not_null() for c in used]
    not_missing += [
        pl.col(c).is_not_nan() for c in used if selected.schema[c] in (pl.Float32, pl.Float64)
    ]
    complete = selected.filter(pl.all_horizontal(not_missing))
    n_dropped = selected.height - complete.height
    if complete.height == 0:
        raise ModelInputError(
            f"no complete rows: every row misses a value in one of {', '.join(used)}"
        )

    labels_series = complete.get_column(group).cast(pl.String)
    codes = (
        complete.select(pl.col(group).cast(pl.String).rank("dense") - 1)
        .to_series()
        .to_numpy()
        .astype(np.int64)
    )
    group_labels = labels_series.unique().sort().to_list()

    formula_columns = set(parsed.required_variables) | set(random_formula.required_variables)
    pandas_frame = complete.select([c for c in used if c in formula_columns]).to_pandas()
    try:
        matrices = model_matrix(parsed, pandas_frame, na_action="raise")
        random_matrix = model_matrix(random_formula, pandas_frame, na_action="raise")
    except Exception as error:
        raise ModelInputError(f"cannot build the design of {formula!r}: {error}") from error
    X = np.ascontiguousarray(matrices.rhs.to_numpy(), dtype=float)
    y = np.ascontiguousarray(matrices.lhs.to_numpy(), dtype=float).ravel()
    Z = np.ascontiguousarray(random_matrix.to_numpy(), dtype=float)
    if Z.ndim == 1:
        Z = Z[:, None]
    fixed_names = [term_name(str(c)) for c in matrices.rhs.columns]
    random_names = [term_name(str(c)) for c in random_matrix.columns]
    if Z.shape[1] == 0:
        raise ModelInputError(f"random-effects terms {random!r} give no column")
    if X.shape[1] and np.linalg.matrix_rank(X.T @ X) < X.shape[1]:
        raise ModelInputError(
            f"the fixed effects of {formula!r} are not identifiable on these data "
            f"(columns {', '.join(fixed_names)} are linearly dependent, e.g. a project "
            "term with one project, or a moderator that does not vary)"
        )
    return Design(
        y=y,
        X=X,
        Z=Z,
        groups=codes,
        group_labels=group_labels,
        fixed_names=fixed_names,
        random_names=random_names,
        outcome=outcome,
        group=group,
        n_dropped=n_dropped,
    )
