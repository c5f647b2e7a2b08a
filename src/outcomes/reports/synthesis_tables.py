"""The synthesis' own tables: the pooled estimates, the projects side by side, the Matthew grid.

Belongs here: the pooled yearly change and Matthew interaction of the primary outcome from
``pooled.json`` (renamed for the report; docs/architecture.md, "Pooling across projects"), one
row per project with participants, retention, wellbeing and the project's slope plus a total
(passed through :mod:`outcomes.reports.disclosure`), and the Matthew results of every project ×
outcome for the primary moderator (docs/architecture.md, "One declared primary test").
Does not belong here: pooling itself (``outcomes.models``), the tables a project report shows too
(``panel_tables.py``, ``analysis_tables.py``), wording (``synthesis_text.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from outcomes.documents import MatthewScope, PooledDocument, PooledResult, Study
from outcomes.reports.disclosure import protect_table
from outcomes.reports.panel_tables import mean_ci, protected_dict

#: ``outcome`` of the synthesis' pooled entries: pooled.json's slope and interaction of the
#: primary outcome, renamed for the report.
SLOPE_OUTCOME = "wellbeing_slope"
INTERACTION_OUTCOME = "matthew_interaction"


def shown_pooled(
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


def synthesis_projects(
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
    return protected_dict(table, keep)


def matthew_grid(
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
                        "verdict_ci_high", "verdict_p", "design",
                    )},
                }
            )  # fmt: skip
    return entries
