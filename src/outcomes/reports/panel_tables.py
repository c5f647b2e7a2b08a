"""The descriptive tables of a report, from the outcome panel: participation and means per wave.

Belongs here: participants per wave and network group with retention against baseline, the
composition of the baseline group (share and mean wellbeing per category), and the means with
t-based 95% confidence intervals of each outcome per wave, overall and per network group — each
passed through :mod:`outcomes.reports.disclosure` before it leaves this module. Network groups
and outcome columns are the canonical panel columns (docs/architecture.md, "Canonical panel
columns").
Does not belong here: the numbers of the analysis documents (``analysis_tables.py``), the
synthesis' own tables (``synthesis_tables.py``), assembling
:class:`~outcomes.reports.tables.ReportTables` (``tables.py``), wording and number formatting
(``labels.py``, ``*_text.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import polars as pl
from scipy import stats

from outcomes.catalog.vocabulary import NETWORK_GROUPS
from outcomes.reports.disclosure import ProtectedTable, protect_table

#: Outcome families a report shows, each with the panel columns to try in order.
OUTCOME_CANDIDATES: dict[str, tuple[str, ...]] = {
    "wellbeing": ("wellbeing",),
    "loneliness": ("loneliness", "loneliness6"),
    "network": ("network_size", "lsns6"),
}


def mean_ci(values: Sequence[float]) -> tuple[int, float | None, float | None, float | None]:
    """Return ``(n, mean, ci_low, ci_high)``: the mean with its t-based 95% confidence interval.

    Bounds are None when fewer than two values are present.
    """
    clean = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    n = len(clean)
    if n == 0:
        return 0, None, None, None
    mean = sum(clean) / n
    if n < 2:
        return n, mean, None, None
    variance = sum((v - mean) ** 2 for v in clean) / (n - 1)
    half = float(stats.t.ppf(0.975, n - 1)) * math.sqrt(variance / n)
    return n, mean, mean - half, mean + half


def protected_dict(table: ProtectedTable, keep: Sequence[str] | None = None) -> dict[str, Any]:
    """Return ``table.to_dict()``, keeping only ``keep`` columns (helper bases are dropped)."""
    if keep is not None:
        kept = [c for c in table.display.columns if c in keep]
        table = ProtectedTable(
            display=table.display.select(kept),
            values=table.values.select(kept),
            suppressed=[s for s in table.suppressed if s.column in kept],
            threshold=table.threshold,
        )
    return table.to_dict()


def wave_table(panel: pl.DataFrame) -> list[dict[str, Any]]:
    """Return one entry per wave: number and median months since baseline (rounded)."""
    waves = []
    for wave in sorted(w for w in panel["wave"].unique().to_list() if w is not None):
        months = None
        if "months_since_baseline" in panel.columns:
            median = panel.filter(pl.col("wave") == wave)["months_since_baseline"].median()
            months = None if median is None else round(float(median))  # type: ignore[arg-type]
        waves.append({"wave": int(wave), "months": months})
    return waves


def _groups_present(panel: pl.DataFrame) -> list[str]:
    present = set(panel["network_group"].drop_nulls().unique().to_list())
    groups = [g for g in NETWORK_GROUPS if g in present]
    groups += sorted(present - set(NETWORK_GROUPS))
    if panel["network_group"].null_count() > 0:
        groups.append("unknown")
    return groups


def participation_table(
    panel: pl.DataFrame, waves: list[dict[str, Any]], threshold: int
) -> dict[str, Any]:
    """Return participants per wave and network group, with retention against baseline."""
    frame = panel.with_columns(pl.col("network_group").fill_null("unknown"))
    groups = _groups_present(panel)
    counts = (
        frame.group_by("wave", "network_group", maintain_order=True)
        .agg(pl.col("participant_id").n_unique().alias("n"))
        .to_dicts()
    )
    lookup = {(c["wave"], c["network_group"]): int(c["n"]) for c in counts}
    totals = {
        row["wave"]: int(row["n"])
        for row in frame.group_by("wave", maintain_order=True)
        .agg(pl.col("participant_id").n_unique().alias("n"))
        .to_dicts()
    }
    first = waves[0]["wave"] if waves else 0
    rows: dict[str, list[Any]] = {"wave": []}
    for group in [*groups, "total"]:
        rows[group] = []
        rows[f"base_{group}"] = []
        rows[f"pct_{group}"] = []
    for entry in waves:
        wave = entry["wave"]
        rows["wave"].append(wave)
        for group in [*groups, "total"]:
            n = totals.get(wave, 0) if group == "total" else lookup.get((wave, group), 0)
            base = totals.get(first, 0) if group == "total" else lookup.get((first, group), 0)
            rows[group].append(n)
            rows[f"base_{group}"].append(base)
            rows[f"pct_{group}"].append(100.0 * n / base if base else None)
    table = protect_table(
        pl.DataFrame(rows),
        groups,
        total_column="total",
        percent_columns={f"pct_{g}": (g, f"base_{g}") for g in [*groups, "total"]},
        threshold=threshold,
    )
    keep = ["wave", *groups, "total", *[f"pct_{g}" for g in [*groups, "total"]]]
    return {"groups": groups, **protected_dict(table, keep)}


def composition_table(
    baseline: pl.DataFrame, column: str, order: Sequence[str], threshold: int
) -> dict[str, Any]:
    """Return baseline participants by ``column`` with share and mean wellbeing, plus a total."""
    frame = baseline.with_columns(pl.col(column).cast(pl.Utf8).fill_null("unknown"))
    present = frame[column].unique().to_list()
    categories = [c for c in order if c in present]
    categories += sorted(c for c in present if c not in categories and c != "unknown")
    if "unknown" in present:
        categories.append("unknown")
    total = frame["participant_id"].n_unique()
    rows: dict[str, list[Any]] = {
        "category": [], "n": [], "base": [], "pct": [], "n_mean": [], "mean": [],
        "ci_low": [], "ci_high": [],
    }  # fmt: skip
    for category in [*categories, "total"]:
        part = frame if category == "total" else frame.filter(pl.col(column) == category)
        n = part["participant_id"].n_unique()
        n_mean, mean, low, high = mean_ci(part["wellbeing"].to_list())
        for key, value in (
            ("category", category), ("n", n), ("base", total),
            ("pct", 100.0 * n / total if total else None), ("n_mean", n_mean), ("mean", mean),
            ("ci_low", low), ("ci_high", high),
        ):  # fmt: skip
            rows[key].append(value)
    table = protect_table(
        pl.DataFrame(rows, schema_overrides={"pct": pl.Float64, "mean": pl.Float64,
                                             "ci_low": pl.Float64, "ci_high": pl.Float64}),
        ["n"],
        total_row=True,
        mean_columns={"mean": "n_mean", "ci_low": "n_mean", "ci_high": "n_mean"},
        percent_columns={"pct": ("n", "base")},
        threshold=threshold,
    )  # fmt: skip
    return protected_dict(table, ["category", "n", "pct", "mean", "ci_low", "ci_high"])


def outcome_tables(
    panel: pl.DataFrame, column: str, waves: list[dict[str, Any]], threshold: int
) -> dict[str, Any]:
    """Return means with 95% CIs of ``column`` per wave, overall and per network group."""
    overall: dict[str, list[Any]] = {"wave": [], "n": [], "mean": [], "ci_low": [], "ci_high": []}
    by_group: dict[str, list[Any]] = {"network_group": [], **{k: [] for k in overall}}
    groups = [g for g in _groups_present(panel) if g != "unknown"]
    for entry in waves:
        wave = entry["wave"]
        at_wave = panel.filter(pl.col("wave") == wave)
        for key, value in zip(overall, (wave, *mean_ci(at_wave[column].to_list())), strict=True):
            overall[key].append(value)
        for group in groups:
            part = at_wave.filter(pl.col("network_group") == group)
            by_group["network_group"].append(group)
            for key, value in zip(overall, (wave, *mean_ci(part[column].to_list())), strict=True):
                by_group[key].append(value)
    means = {"mean": "n", "ci_low": "n", "ci_high": "n"}
    schema = {"mean": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64}
    return {
        "column": column,
        "overall": protect_table(
            pl.DataFrame(overall, schema_overrides=schema), ["n"], mean_columns=means,
            threshold=threshold,
        ).to_dict(),
        "by_group": protect_table(
            pl.DataFrame(by_group, schema_overrides=schema), ["n"], mean_columns=means,
            threshold=threshold,
        ).to_dict(),
    }  # fmt: skip
