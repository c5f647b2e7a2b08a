"""The ``report_tables`` step: everything a report shows, computed from the data and protected.

What belongs here: turning the outcome panel, ``model.json``, ``matthew.json``, the validation
summary, the export file list and ``pooled.json`` into :class:`ReportTables` — participation and
retention per wave and network group, means with 95% confidence intervals per wave, the model's
slope and Matthew interaction, the verdict, data quality and provenance — with every person count
and every mean already passed through :mod:`outcomes.reports.disclosure`. ``ReportTables`` is
plain JSON (``to_dict``/``from_dict``) so the pipeline can store it; the renderer needs nothing
else. What does not belong here: wording and number formatting (``text.py``), figures
(``figures.py``), typst (``render.py``), and fitting or pooling models (``outcomes.models``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from typing import Any

import polars as pl
from scipy import stats

from outcomes.documents import (
    FittedModel,
    InteractionTest,
    MatthewScope,
    ModelResult,
    PooledDocument,
    PooledResult,
    Study,
    ValidationSummary,
)
from outcomes.errors import OutcomesError
from outcomes.reports.disclosure import DEFAULT_THRESHOLD, ProtectedTable, protect_table

#: Network groups in report order (docs/architecture.md, "Canonical panel columns").
NETWORK_GROUPS = ("small", "medium", "large")

#: Outcome families a report shows, each with the panel columns to try in order.
OUTCOME_CANDIDATES: dict[str, tuple[str, ...]] = {
    "wellbeing": ("wellbeing",),
    "loneliness": ("loneliness", "loneliness6"),
    "network": ("network_size", "lsns6"),
}

MATTHEW_TERM = "years:network_size_bl_c"

#: ``outcome`` of the synthesis' pooled entries: pooled.json's slope and interaction of the
#: primary outcome, renamed for the report.
SLOPE_OUTCOME = "wellbeing_slope"
INTERACTION_OUTCOME = "matthew_interaction"
SLOPE_TERM = "years"


class ReportDataError(OutcomesError, ValueError):
    """The inputs of a report are unusable; the message says which input and what is missing."""


@dataclass
class ReportTables:
    """Everything one report shows, disclosure-controlled and JSON-serialisable.

    ``kind`` is ``"project"`` or ``"synthesis"``. Protected tables are stored in the shape of
    :meth:`ProtectedTable.to_dict` (columns, display strings, values with hidden cells null,
    suppressions). Dates are ISO strings.
    """

    kind: str
    project: str | None
    project_name: str
    organisation: str | None
    threshold: int
    data_date: str | None
    report_timestamp: str
    software_version: str
    waves: list[dict[str, Any]] = field(default_factory=list)
    participation: dict[str, Any] = field(default_factory=dict)
    composition: dict[str, dict[str, Any]] = field(default_factory=dict)
    outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)
    matthew: dict[str, Any] = field(default_factory=dict)
    quality: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    projects: dict[str, Any] = field(default_factory=dict)
    pooled: list[dict[str, Any]] = field(default_factory=list)
    matthew_by_project: list[dict[str, Any]] = field(default_factory=list)
    suppressed: list[dict[str, Any]] = field(default_factory=list)
    instruments: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the tables as plain JSON-serialisable data."""
        return _jsonable(asdict(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReportTables:
        """Return the tables stored by :meth:`to_dict`."""
        return cls(**dict(data))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def software_version() -> str:
    """Return the version of the ``outcomes`` package (``outcomes.__version__`` or metadata)."""
    import outcomes

    version = getattr(outcomes, "__version__", None)
    if isinstance(version, str):
        return version
    try:
        return metadata.version("outcomes")
    except metadata.PackageNotFoundError:
        return "unknown"


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


def _protected(table: ProtectedTable, keep: Sequence[str] | None = None) -> dict[str, Any]:
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


def _require(panel: pl.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in panel.columns]
    if missing:
        raise ReportDataError(
            f"outcome panel lacks column(s) {missing}; expected the canonical panel columns "
            '(docs/architecture.md, "Canonical panel columns")'
        )


def _wave_table(panel: pl.DataFrame) -> list[dict[str, Any]]:
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


def _participation(
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
    return {"groups": groups, **_protected(table, keep)}


def _composition(
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
    return _protected(table, ["category", "n", "pct", "mean", "ci_low", "ci_high"])


def _outcome_tables(
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


def _effect(model: FittedModel, name: str) -> dict[str, Any] | None:
    effect = model.fixed_effects.get(name)
    if effect is None:
        return None
    return {k: getattr(effect, k) for k in ("estimate", "se", "ci_low", "ci_high", "p")}


def _yearly_change(model: FittedModel) -> dict[str, Any] | None:
    if not isinstance(model, ModelResult):
        return _effect(model, SLOPE_TERM)
    change = model.yearly_change
    return {k: getattr(change, k) for k in ("estimate", "se", "ci_low", "ci_high", "p", "estimand")}


def _model_summary(model: FittedModel | None) -> dict[str, Any]:
    """Return the numbers of model.json a report shows: M1's slope and Matthew interaction."""
    if model is None:
        return {}
    return {
        "engine": model.engine,
        "formula": model.formula,
        "n_observations": model.n_observations,
        "n_participants": model.n_participants,
        "converged": model.converged,
        "singular": model.singular,
        # with several projects "years" is the reference project's slope: the all-project
        # yearly change is model.json's participant-weighted average (docs/architecture.md)
        "slope": _yearly_change(model),
        "interaction": _effect(model, MATTHEW_TERM),
    }


def _matthew_summary(matthew: MatthewScope | None, threshold: int) -> dict[str, Any]:
    """Return the primary Matthew result, all results, and protected subgroup slopes."""
    if matthew is None:
        return {}
    # the declared primary test when this scope holds it, else the scope's wellbeing ×
    # network size row (exploratory: reported without a verdict)
    declared = next((r for r in matthew.results if r.role == "primary"), None)
    chosen = declared or next(
        (
            r
            for r in matthew.results
            if r.outcome == "wellbeing" and r.moderator == "network_size_bl"
        ),
        matthew.results[0] if matthew.results else None,
    )
    order = {g: i for i, g in enumerate(NETWORK_GROUPS)}
    subgroups = sorted(matthew.subgroups, key=lambda s: (s.outcome, order.get(s.network_group, 9)))
    table = None
    if subgroups:
        frame = pl.DataFrame(
            {
                "outcome": [s.outcome for s in subgroups],
                "network_group": [s.network_group for s in subgroups],
                "n_participants": [s.n_participants for s in subgroups],
                "slope": [s.slope for s in subgroups],
                "ci_low": [s.ci_low for s in subgroups],
                "ci_high": [s.ci_high for s in subgroups],
            },
            schema_overrides={
                "n_participants": pl.Int64, "slope": pl.Float64, "ci_low": pl.Float64,
                "ci_high": pl.Float64,
            },
        )  # fmt: skip
        table = protect_table(
            frame,
            ["n_participants"],
            mean_columns={c: "n_participants" for c in ("slope", "ci_low", "ci_high")},
            threshold=threshold,
            decimals=2,
        ).to_dict()
    return {
        "project": matthew.project,
        "primary": None if chosen is None else chosen.to_json(),
        "results": [r.to_json() for r in matthew.results],
        "subgroups": table,
        "exploratory_tests": matthew.multiplicity.exploratory_tests,
        "simple_slopes": shown_simple_slopes(chosen, threshold),
    }


def shown_simple_slopes(primary: InteractionTest | None, threshold: int) -> list[dict[str, Any]]:
    """Return the model-based yearly changes at fixed baseline network sizes (``simple_slopes``)
    a report shows: only for the declared primary test, and none when the model rests on fewer
    participants than ``threshold`` (a percentile of so few people is nearly one person's value)."""
    if primary is None or primary.role != "primary":
        return []
    if primary.n_participants < threshold:
        return []
    keep = ("percentile", "moderator_value", "estimate", "ci_low", "ci_high", "p")
    return [
        {k: getattr(s, k) for k in keep} for s in primary.simple_slopes if s.estimate is not None
    ]


def _quality(validation: ValidationSummary | None) -> dict[str, Any]:
    """Return rows received, valid and quarantined with the quarantined rows per rule (export
    rows, exact; ``rows_by_rule`` of the validation summary)."""
    if validation is None:
        return {}
    received = validation.rows_read
    share = None
    if received:
        share = 100.0 * float(validation.rows_quarantined) / float(received)
    rules = [{"rule": rule, "count": count} for rule, count in validation.rows_by_rule.items()]
    return {
        "rows_received": received,
        "rows_valid": validation.rows_valid,
        "rows_quarantined": validation.rows_quarantined,
        "quarantine_share": share,
        "rules": sorted(rules, key=lambda r: (-r["count"], r["rule"])),
    }


def _files(files: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    entries = []
    for f in files or []:
        name, sha = f["file"], f.get("sha256")
        entries.append({"file": str(name), "sha256": None if sha is None else str(sha)})
    return sorted(entries, key=lambda e: e["file"])


def _dates(panel: pl.DataFrame) -> tuple[str | None, str]:
    """Return the date of the data (latest assessment) and the report timestamp derived from it.

    The timestamp is midnight UTC of the data date, so identical data give identical reports.
    """
    latest = None
    if "assessed_on" in panel.columns and panel["assessed_on"].drop_nulls().len():
        latest = panel["assessed_on"].drop_nulls().max()
    if isinstance(latest, dt.datetime):
        latest = latest.date()
    if not isinstance(latest, dt.date):
        return None, dt.datetime(1980, 1, 1, tzinfo=dt.UTC).isoformat()
    stamp = dt.datetime(latest.year, latest.month, latest.day, tzinfo=dt.UTC)
    return latest.isoformat(), stamp.isoformat()


def _shown_pooled(
    pooled: PooledDocument | None, primary_outcome: str = "wellbeing"
) -> list[PooledResult]:
    """Return the pooled estimates the synthesis shows: the yearly change and the Matthew
    interaction of the primary outcome.

    pooled.json names each entry by ``outcome`` and ``parameter`` (``slope`` or
    ``interaction``) for every outcome; those of the primary outcome are renamed to the
    report's ``wellbeing_slope`` / ``matthew_interaction`` and the other outcomes' are left to
    the analysis files.
    """
    if pooled is None:
        return []
    renamed = {"slope": SLOPE_OUTCOME, "interaction": INTERACTION_OUTCOME}
    return [
        dataclasses.replace(entry, outcome=renamed[entry.parameter])
        for entry in pooled.results
        if entry.outcome == primary_outcome and entry.parameter in renamed
    ]


def _synthesis_projects(
    panel: pl.DataFrame,
    names: Mapping[str, str],
    pooled: Sequence[PooledResult],
    threshold: int,
) -> dict[str, Any]:
    """Return one row per project (participants, retention, wellbeing, slope) plus a total."""
    projects = sorted(panel["project"].drop_nulls().unique().to_list())
    primary = next((p for p in pooled if p.outcome == SLOPE_OUTCOME), None)
    slopes: dict[str, Study] = {s.label: s for s in primary.studies} if primary else {}
    rows: dict[str, list[Any]] = {
        "project": [], "name": [], "n_start": [], "n_last": [], "base": [], "pct_last": [],
        "n_wb0": [], "wb0": [], "n_wbl": [], "wbl": [], "slope": [], "slope_low": [],
        "slope_high": [], "n_slope": [],
    }  # fmt: skip
    for project in [*projects, None]:
        part = panel if project is None else panel.filter(pl.col("project") == project)
        first = part["wave"].min()
        last = part["wave"].max()
        start = part.filter(pl.col("wave") == first)
        if project is None:
            # Per project, the last wave differs; the total sums each project's last wave.
            n_last = sum(
                panel.filter(
                    (pl.col("project") == p)
                    & (pl.col("wave") == panel.filter(pl.col("project") == p)["wave"].max())
                )["participant_id"].n_unique()
                for p in projects
            )
            end = part.filter(pl.lit(False))
        else:
            end = part.filter(pl.col("wave") == last)
            n_last = end["participant_id"].n_unique()
        n_start = start["participant_id"].n_unique()
        n_wb0, wb0, _, _ = mean_ci(start["wellbeing"].to_list())
        n_wbl, wbl, _, _ = mean_ci(end["wellbeing"].to_list())
        name = "total" if project is None else names.get(project, project)
        study = None if project is None else slopes.get(project)
        for key, value in (
            ("project", project or "total"), ("name", name), ("n_start", n_start),
            ("n_last", n_last), ("base", n_start),
            ("pct_last", 100.0 * n_last / n_start if n_start else None),
            ("n_wb0", n_wb0), ("wb0", wb0), ("n_wbl", n_wbl), ("wbl", wbl),
            ("slope", study and study.estimate), ("slope_low", study and study.ci_low),
            ("slope_high", study and study.ci_high), ("n_slope", n_start),
        ):  # fmt: skip
            rows[key].append(value)
    floats = ("pct_last", "wb0", "wbl", "slope", "slope_low", "slope_high")
    table = protect_table(
        pl.DataFrame(rows, schema_overrides={c: pl.Float64 for c in floats}),
        ["n_start", "n_last"],
        total_row=True,
        mean_columns={"wb0": "n_wb0", "wbl": "n_wbl", "slope": "n_slope",
                      "slope_low": "n_slope", "slope_high": "n_slope"},
        percent_columns={"pct_last": ("n_last", "base")},
        threshold=threshold,
    )  # fmt: skip
    keep = ["project", "name", "n_start", "n_last", "pct_last", "wb0", "wbl", "slope",
            "slope_low", "slope_high"]  # fmt: skip
    return _protected(table, keep)


def _matthew_grid(
    matthew: MatthewScope | None,
    matthew_by_project: Mapping[str, MatthewScope] | None,
    names: Mapping[str, str],
) -> list[dict[str, Any]]:
    """Return Matthew results across projects and outcomes: one entry per project × outcome,
    for the primary moderator (baseline network size); the other moderators stay in the
    analysis files."""
    entries = []
    sources: list[tuple[str, MatthewScope]] = sorted((matthew_by_project or {}).items())
    if matthew is not None:
        sources.append(("all", matthew))
    for project, data in sources:
        for result in data.results:
            if result.moderator != "network_size_bl":
                continue
            entries.append(
                {
                    "project": project,
                    "name": names.get(project, project),
                    **{k: getattr(result, k) for k in (
                        "outcome", "moderator", "estimate", "ci_low", "ci_high", "p", "verdict",
                        "role", "p_holm", "family_size", "evidence", "verdict_ci_low",
                        "verdict_ci_high", "verdict_p",
                    )},
                }
            )  # fmt: skip
    return entries


def build_report_tables(
    panel: pl.DataFrame,
    model: FittedModel | None,
    matthew: MatthewScope | None,
    validation: ValidationSummary | None,
    files: Sequence[Mapping[str, Any]] | None,
    *,
    project: str | None,
    threshold: int = DEFAULT_THRESHOLD,
    project_name: str | None = None,
    organisation: str | None = None,
    project_names: Mapping[str, str] | None = None,
    pooled: PooledDocument | None = None,
    matthew_by_project: Mapping[str, MatthewScope] | None = None,
    instruments: Sequence[str] | None = None,
    primary_wellbeing: str | None = None,
) -> ReportTables:
    """Return the disclosure-controlled tables of one project's report, or of the synthesis.

    ``panel`` is the outcome panel (all projects or one); with ``project`` set the panel is
    filtered to that project and a project report's tables are built; with ``project=None`` the
    synthesis tables are built (``pooled``: pooled.json; ``matthew_by_project``: matthew.json's
    scope of each project id). ``model`` is model.json (synthesis) or the project's entry of
    project_effects.json, ``matthew`` matthew.json's scope of the report, ``validation``
    ``validation/<project>.json`` (docs/architecture.md, "Documents"); ``files`` lists the
    export files as ``{"file", "sha256"}``. ``project_name``/``project_names`` give display
    names (from the project spec); the id is used when absent. ``instruments`` and
    ``primary_wellbeing`` (the spec's keys) name the questionnaires in the methods text, from
    the instrument registry.

    Raises :class:`ReportDataError` when the panel lacks canonical columns or the project.
    """
    _require(panel, ["participant_id", "project", "wave", "wellbeing", "network_group"])
    names = dict(project_names or {})
    if project is not None:
        panel = panel.filter(pl.col("project") == project)
        if panel.height == 0:
            raise ReportDataError(f"outcome panel has no rows for project {project!r}")
        names.setdefault(project, project_name or project)
    panel = panel.sort("project", "participant_id", "wave")
    data_date, stamp = _dates(panel)
    waves = _wave_table(panel)
    tables = ReportTables(
        kind="project" if project is not None else "synthesis",
        project=project,
        project_name=names.get(project, project) if project is not None else "",
        organisation=organisation,
        threshold=threshold,
        data_date=data_date,
        report_timestamp=stamp,
        software_version=software_version(),
        waves=waves,
        model=_model_summary(model),
        matthew=_matthew_summary(matthew, threshold),
        provenance={"files": _files(files), "software_version": software_version(),
                    "data_date": data_date, "report_timestamp": stamp},
    )  # fmt: skip
    tables.participation = _participation(panel, waves, threshold)
    for family, candidates in OUTCOME_CANDIDATES.items():
        column = next(
            (c for c in candidates if c in panel.columns and panel[c].drop_nulls().len()), None
        )
        if column is not None:
            tables.outcomes[family] = _outcome_tables(panel, column, waves, threshold)
    if project is not None:
        first = waves[0]["wave"] if waves else 0
        baseline = panel.filter(pl.col("wave") == first)
        if "gender" in panel.columns:
            tables.composition["gender"] = _composition(
                baseline, "gender", ("female", "male", "other"), threshold
            )
        if "site" in panel.columns and baseline["site"].n_unique() > 1:
            tables.composition["site"] = _composition(baseline, "site", (), threshold)
        tables.quality = _quality(validation)
    else:
        shown = _shown_pooled(pooled)
        tables.pooled = [entry.to_json() for entry in shown]
        tables.projects = _synthesis_projects(panel, names, shown, threshold)
        tables.matthew_by_project = _matthew_grid(matthew, matthew_by_project, names)
        tables.quality = _quality(validation)
    tables.instruments = _instrument_entries(instruments or [], primary_wellbeing)
    tables.suppressed = _suppression_record(tables)
    return tables


def _instrument_entries(keys: Sequence[str], primary: str | None) -> list[dict[str, Any]]:
    """Return name (en/nl), citation and primary flag of each instrument key, from the registry."""
    from outcomes.instruments import INSTRUMENTS

    entries = []
    for key in keys:
        instrument = INSTRUMENTS.get(key)
        if instrument is None:
            raise ReportDataError(
                f"unknown instrument {key!r}; expected one of {sorted(INSTRUMENTS)}"
            )
        entries.append(
            {
                "key": key,
                "name_en": instrument.name,
                "name_nl": instrument.name_nl or instrument.name,
                "citation": instrument.citation,
                "primary": key == primary,
            }
        )
    return entries


def _suppression_record(tables: ReportTables) -> list[dict[str, Any]]:
    """Return every hidden cell of the report as ``{table, row, column, reason}``."""
    named: list[tuple[str, dict[str, Any] | None]] = [
        ("participation", tables.participation),
        *[(f"composition.{k}", v) for k, v in sorted(tables.composition.items())],
        *[
            (f"outcomes.{family}.{part}", outcome[part])
            for family, outcome in sorted(tables.outcomes.items())
            for part in ("overall", "by_group")
        ],
        ("matthew.subgroups", tables.matthew.get("subgroups") if tables.matthew else None),
        ("projects", tables.projects),
    ]
    record = []
    for name, table in named:
        for cell in (table or {}).get("suppressed", []):
            record.append({"table": name, **cell})
    return record
