"""The harmonised outcome panel: one row per participant per wave across all projects.

Builds ``outcome_panel`` (its columns: the catalog, docs/architecture.md "Catalog") from the
scored responses of each project: time since baseline from assessment dates, the primary
wellbeing score on 0–100, baseline moderators and the network group, baseline age and gender,
and each participant's attrition status. Also builds the ``attrition`` table (participants and
retention per project × network group × wave). Scoring lives in ``outcomes.instruments``;
validation of the panel in ``outcomes.validation``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from outcomes.catalog.vocabulary import NETWORK_GROUPS, STATUSES
from outcomes.errors import OutcomesError

if TYPE_CHECKING:
    from outcomes.instruments.base import Instrument

#: Days per month used for ``months_since_baseline`` (365.25 / 12).
DAYS_PER_MONTH = 365.25 / 12


def score_columns(instruments: Mapping[str, Instrument] | None = None) -> dict[str, pl.DataType]:
    """Return the score columns of ``instruments`` (default: the registry) with their dtypes,
    in registry order: the panel's score columns (docs/architecture.md, "Catalog")."""
    if instruments is None:
        from outcomes.instruments import INSTRUMENTS

        instruments = INSTRUMENTS
    return {
        score.column: score.dtype()
        for instrument in instruments.values()
        for score in instrument.scores
    }


class PanelError(OutcomesError, ValueError):
    """The scored responses cannot form a panel (the message says which project and why)."""


@dataclass(frozen=True)
class PanelConfig:
    """Choices for building the panel.

    ``network_cutoffs`` are the upper bounds (inclusive) of the small and medium groups of
    baseline network size; ``None`` uses the tertiles of the pooled baseline distribution.
    ``months_per_wave`` is used only for waves without any dated assessment in a project.
    """

    network_cutoffs: tuple[float, float] | None = None
    months_per_wave: float = 6.0


@dataclass
class Panel:
    """The panel frame and what was decided while building it."""

    frame: pl.DataFrame
    network_cutoffs: tuple[float, float]
    cutoff_source: str
    notes: list[str] = field(default_factory=list)


def _conform(frame: pl.DataFrame, project: str, scores: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """Return ``frame`` with every panel input column present (null when absent)."""
    wanted: dict[str, pl.DataType] = {
        "participant_id": pl.Utf8(),
        "wave": pl.Int64(),
        "assessed_on": pl.Date(),
        "site": pl.Utf8(),
        "arm": pl.Utf8(),
        "gender": pl.Utf8(),
        "birth_year": pl.Int64(),
        "age": pl.Int64(),
        "wellbeing": pl.Float64(),
        **scores,
    }
    for column in ("participant_id", "wave"):
        if column not in frame.columns:
            raise PanelError(f"project {project!r}: scored responses have no {column!r} column")
    columns = []
    for name, dtype in wanted.items():
        if name in frame.columns:
            columns.append(pl.col(name).cast(dtype))
        else:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
    return frame.select(pl.lit(project).alias("project"), *columns)


def network_cutoffs_from(baseline_sizes: pl.Series) -> tuple[float, float]:
    """Return the tertile cut-offs (1/3 and 2/3 quantiles) of baseline network size.

    Counts are discrete, so ties at a cut-off fall into the lower group: small ≤ c₁ < medium ≤ c₂
    < large.
    """
    sizes = baseline_sizes.drop_nulls().cast(pl.Float64)
    if sizes.is_empty():
        raise PanelError("no participant has a baseline network size; cannot form network groups")
    lower = sizes.quantile(1 / 3, interpolation="lower")
    upper = sizes.quantile(2 / 3, interpolation="lower")
    assert lower is not None and upper is not None
    return (float(lower), float(upper))


def network_group_expr(column: str, cutoffs: tuple[float, float]) -> pl.Expr:
    """Return an expression mapping ``column`` to small / medium / large by ``cutoffs``."""
    lower, upper = cutoffs
    small, medium, large = NETWORK_GROUPS
    value = pl.col(column)
    return (
        pl.when(value.is_null())
        .then(None)
        .when(value <= lower)
        .then(pl.lit(small))
        .when(value <= upper)
        .then(pl.lit(medium))
        .otherwise(pl.lit(large))
    )


def build_panel(
    scored: Mapping[str, pl.DataFrame],
    config: PanelConfig | None = None,
    instruments: Mapping[str, Instrument] | None = None,
) -> Panel:
    """Return the outcome panel of all projects in ``scored`` (project id → scored responses).

    Each input frame holds validated responses with score columns and ``wellbeing`` (see
    ``outcomes.instruments.score_responses``), one row per participant × wave. The panel
    carries the score columns of ``instruments`` (the pipeline passes the instruments its
    projects use, ``outcomes.catalog.instruments_in_use``; default: the registry); a project
    that does not use one of them gets nulls there.
    """
    config = config or PanelConfig()
    scores = score_columns(instruments)
    if not scored:
        raise PanelError("no scored responses: nothing to build a panel from")
    long = pl.concat(
        [_conform(frame, project, scores) for project, frame in sorted(scored.items())]
    )
    duplicated = long.select(pl.struct("project", "participant_id", "wave").is_duplicated().any())
    if duplicated.item():
        raise PanelError(
            "a participant has two rows for the same wave after validation; "
            "validation should have quarantined the duplicate"
        )
    long = long.sort("project", "participant_id", "wave")
    notes: list[str] = []

    baseline = long.filter(pl.col("wave") == 0).select(
        "project",
        "participant_id",
        pl.col("assessed_on").alias("_baseline_on"),
        pl.col("network_size").alias("network_size_bl"),
        pl.col("network_family").alias("network_family_bl"),
        pl.col("network_diversity").alias("network_diversity_bl"),
        pl.coalesce(
            pl.col("age"),
            (pl.col("assessed_on").dt.year() - pl.col("birth_year")).cast(pl.Int64),
        ).alias("age_bl"),
        pl.col("site").alias("_site_bl"),
        pl.col("arm").alias("_arm_bl"),
        pl.col("gender").alias("_gender_bl"),
    )
    without_baseline = long.join(baseline, on=["project", "participant_id"], how="anti")
    if without_baseline.height:
        notes.append(f"{without_baseline.height} rows of participants without a baseline left out")
    long = long.join(baseline, on=["project", "participant_id"], how="inner")

    dated_months = (pl.col("assessed_on") - pl.col("_baseline_on")).dt.total_days() / DAYS_PER_MONTH
    long = long.with_columns(dated_months.alias("_months_dated"))
    typical = long.group_by("project", "wave", maintain_order=True).agg(
        pl.col("_months_dated").median().alias("_months_typical")
    )
    long = long.join(typical, on=["project", "wave"], how="left").with_columns(
        pl.coalesce(
            "_months_dated",
            "_months_typical",
            pl.col("wave").cast(pl.Float64) * config.months_per_wave,
        ).alias("months_since_baseline")
    )
    undated = long.filter(pl.col("_months_dated").is_null()).height
    if undated:
        notes.append(f"{undated} rows without dates placed at their wave's typical time")
    long = long.with_columns((pl.col("months_since_baseline") / 12).alias("years"))

    per_participant = baseline.select("project", "participant_id", "network_size_bl")
    if config.network_cutoffs is not None:
        lower, upper = config.network_cutoffs
        cutoffs, source = (float(lower), float(upper)), "configuration"
    else:
        cutoffs, source = network_cutoffs_from(per_participant["network_size_bl"]), "tertiles"

    completer, dropout, baseline_only = STATUSES
    last_wave = long.group_by("project", maintain_order=True).agg(
        pl.col("wave").max().alias("_last_wave")
    )
    status = (
        long.group_by("project", "participant_id", maintain_order=True)
        .agg(pl.col("wave").max().alias("_max_wave"), pl.len().alias("_n_waves"))
        .join(last_wave, on="project")
        .select(
            "project",
            "participant_id",
            pl.when(pl.col("_n_waves") == 1)
            .then(pl.lit(baseline_only))
            .when(pl.col("_max_wave") >= pl.col("_last_wave"))
            .then(pl.lit(completer))
            .otherwise(pl.lit(dropout))
            .alias("status"),
        )
    )
    long = long.join(status, on=["project", "participant_id"], how="left")

    frame = long.select(
        "participant_id",
        "project",
        pl.coalesce("_site_bl", "site").alias("site"),
        pl.coalesce("_arm_bl", "arm").alias("arm"),
        pl.col("wave").cast(pl.Int64),
        "assessed_on",
        "months_since_baseline",
        "years",
        *scores,
        "wellbeing",
        "network_size_bl",
        "network_family_bl",
        "network_diversity_bl",
        network_group_expr("network_size_bl", cutoffs).alias("network_group"),
        "age_bl",
        pl.coalesce("_gender_bl", "gender").alias("gender"),
        "status",
    ).sort("project", "participant_id", "wave")
    return Panel(frame=frame, network_cutoffs=cutoffs, cutoff_source=source, notes=notes)


def attrition_table(panel: pl.DataFrame, waves: Sequence[int] | None = None) -> pl.DataFrame:
    """Return participants per project × network group × wave and the share retained.

    ``retained`` is the number seen at the wave divided by the number seen at baseline in the
    same project and network group (dropout that differs by network size is itself part of the
    Matthew question).
    """
    counts = panel.group_by("project", "network_group", "wave", maintain_order=True).agg(
        pl.col("participant_id").n_unique().alias("participants")
    )
    if waves is not None:
        counts = counts.filter(pl.col("wave").is_in(list(waves)))
    baseline = counts.filter(pl.col("wave") == 0).select(
        "project", "network_group", pl.col("participants").alias("baseline_participants")
    )
    return (
        counts.join(baseline, on=["project", "network_group"], how="left")
        .with_columns((pl.col("participants") / pl.col("baseline_participants")).alias("retained"))
        .sort("project", "network_group", "wave")
    )
