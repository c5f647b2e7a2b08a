"""Reliable change of the primary wellbeing score per participant: recovered, improved,
unchanged or deteriorated (docs/architecture.md, "Reliable change").

For every participant with a baseline (wave 0) and at least one later measurement of the score
column the project's primary instrument names as its wellbeing score, the change from baseline
to the LAST measurement is divided by the standard error of the difference,

    RCI = (x_last − x_baseline) / (SD · √2 · √(1 − r))

(Jacobson NS, Truax P (1991). Clinical significance: a statistical approach to defining
meaningful change in psychotherapy research. Journal of Consulting and Clinical Psychology
59(1):12-19), in the score's own units. ``r`` is the instrument's declared ``reliability``; SD
is the declared normative SD, or else the baseline SD of the analysed participants measured with
that instrument (all projects together, Jacobson & Truax's pre-test SD). The change counts as
an improvement when it is beyond ±1.96 in the better direction (a decrease where lower is
better), as a deterioration when beyond it in the worse direction. An improved participant is
``recovered`` when the instrument declares exactly two cut-off bands for the score (a
dysfunctional and a functional side, as MHI-5 below 60 / 60 or more) and the participant moved
from the dysfunctional band at baseline to the functional band at the last measurement.
Projects whose primary instrument declares no reliability (or that have no primary instrument)
are listed under ``not_assessed`` with the reason; they are not part of the pooled shares.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from outcomes.catalog.vocabulary import NETWORK_GROUPS
from outcomes.instruments import get_instrument
from outcomes.instruments.base import Cutoff, Instrument, Score

__all__ = [
    "CLASSES",
    "CRITICAL_VALUE",
    "classify",
    "clinical_bands",
    "participant_changes",
    "reliable_change_document",
]

#: The four classes, best first.
CLASSES: tuple[str, ...] = ("recovered", "improved", "unchanged", "deteriorated")

#: |RCI| beyond this is change unlikely to be measurement error alone (p < .05, two-sided;
#: Jacobson & Truax 1991).
CRITICAL_VALUE = 1.96

#: The group name of a row over all network groups.
ALL = "all"

#: The group of participants without a baseline network size.
UNKNOWN = "unknown"


def clinical_bands(score: Score) -> tuple[Cutoff, Cutoff] | None:
    """Return the (dysfunctional, functional) cut-off bands of ``score``, or None.

    Only a score with a direction and exactly two declared bands has a cut-off usable for
    "recovered" (Jacobson & Truax 1991, criterion c: the two sides of the cut-off); the band at
    the worse end of the range is the dysfunctional one.
    """
    if score.higher_is_better is None or len(score.cutoffs) != 2:
        return None
    low, high = sorted(score.cutoffs, key=lambda band: (band.lower, band.upper))
    return (low, high) if score.higher_is_better else (high, low)


def classify(
    rci: float,
    baseline: float,
    last: float,
    higher_is_better: bool,
    bands: tuple[Cutoff, Cutoff] | None = None,
) -> str:
    """Return the class of one participant's change: ``recovered``, ``improved``,
    ``unchanged`` or ``deteriorated``.

    ``rci`` is (last − baseline) / S_diff in the score's own direction; with
    ``higher_is_better`` False a decrease is an improvement. Beyond ±1.96 in the better
    direction is improved, in the worse direction deteriorated; an improvement that moves from
    the dysfunctional to the functional band of ``bands`` (:func:`clinical_bands`) is recovered
    (Jacobson & Truax 1991).
    """
    better = rci if higher_is_better else -rci
    if better > CRITICAL_VALUE:
        if bands is not None:
            dysfunctional, functional = bands
            if dysfunctional.contains(baseline) and functional.contains(last):
                return "recovered"
        return "improved"
    if better < -CRITICAL_VALUE:
        return "deteriorated"
    return "unchanged"


def participant_changes(panel: pl.DataFrame, primary: Mapping[str, str]) -> pl.DataFrame:
    """Return one row per participant with a baseline and a later score on the primary
    instrument of their project: ``project``, ``participant_id``, ``network_group``
    (``unknown`` when null), ``instrument``, ``baseline`` (wave 0) and ``last`` (the latest
    later wave with a score), in the score's own units.

    ``primary`` maps project → the key of its primary instrument; other projects are left out.
    """
    parts = []
    for project, key in sorted(primary.items()):
        column = _score(get_instrument(key)).column
        if column not in panel.columns:
            continue
        rows = panel.filter((pl.col("project") == project) & pl.col(column).is_not_null())
        if rows.height == 0:
            continue
        base = rows.filter(pl.col("wave") == 0).select(
            "participant_id",
            pl.col(column).cast(pl.Float64).alias("baseline"),
            pl.col("network_group").fill_null(UNKNOWN),
        )
        last = (
            rows.filter(pl.col("wave") > 0)
            .sort("participant_id", "wave")
            .group_by("participant_id", maintain_order=True)
            .agg(pl.col(column).cast(pl.Float64).last().alias("last"))
        )
        joined = base.join(last, on="participant_id", how="inner")
        parts.append(
            joined.select(
                pl.lit(project).alias("project"),
                "participant_id",
                "network_group",
                pl.lit(key).alias("instrument"),
                "baseline",
                "last",
            )
        )
    schema = {
        "project": pl.String,
        "participant_id": pl.String,
        "network_group": pl.String,
        "instrument": pl.String,
        "baseline": pl.Float64,
        "last": pl.Float64,
    }
    if not parts:
        return pl.DataFrame(schema=schema)
    changes = pl.concat([p.cast(schema) for p in parts])  # type: ignore[arg-type]
    return changes.sort("project", "participant_id")


def _score(instrument: Instrument) -> Score:
    """Return the score of ``instrument`` its ``wellbeing`` names (the primary score)."""
    assert instrument.wellbeing_column is not None
    return instrument.score_by_column(instrument.wellbeing_column)


def _instrument_entry(key: str, changes: pl.DataFrame) -> dict[str, Any]:
    """Return the reliability, the SD used (normative or the baseline SD of ``changes`` for
    ``key``), S_diff and the cut-off bands of one instrument."""
    instrument = get_instrument(key)
    reliability = instrument.reliability
    assert reliability is not None
    score = _score(instrument)
    if reliability.sd is not None:
        sd, basis, sd_n = reliability.sd, "normative", None
    else:
        baseline = changes.filter(pl.col("instrument") == key)["baseline"]
        sd_n = baseline.len()
        value = baseline.std(ddof=1) if sd_n > 1 else None
        sd = float(value) if isinstance(value, int | float) and value > 0 else math.nan
        basis = "baseline_sample"
    s_diff = sd * math.sqrt(2.0) * math.sqrt(1.0 - reliability.coefficient)
    bands = clinical_bands(score)
    entry: dict[str, Any] = {
        "instrument": key,
        "score": score.column,
        "higher_is_better": bool(score.higher_is_better),
        "coefficient": reliability.coefficient,
        "kind": reliability.kind,
        "reliability_source": reliability.source,
        "sd": None if math.isnan(sd) else sd,
        "sd_basis": basis,
        "sd_n": sd_n,
        "s_diff": None if math.isnan(s_diff) else s_diff,
        "reliable_difference": None if math.isnan(s_diff) else CRITICAL_VALUE * s_diff,
        "dysfunctional": None,
        "functional": None,
    }
    if bands is not None:
        entry["dysfunctional"] = _band(bands[0])
        entry["functional"] = _band(bands[1])
    return entry


def _band(band: Cutoff) -> dict[str, Any]:
    return {
        "label_en": band.label,
        "label_nl": band.label_nl or band.label,
        "lower": band.lower,
        "upper": band.upper,
        "upper_inclusive": band.upper_inclusive,
    }


def _classified(changes: pl.DataFrame, entries: Mapping[str, Mapping[str, Any]]) -> pl.DataFrame:
    """Return ``changes`` with ``rci`` and ``class`` per participant."""
    rcis: list[float | None] = []
    classes: list[str | None] = []
    for row in changes.iter_rows(named=True):
        entry = entries[row["instrument"]]
        s_diff = entry["s_diff"]
        if s_diff is None or not s_diff > 0:
            rcis.append(None)
            classes.append(None)
            continue
        rci = (row["last"] - row["baseline"]) / s_diff
        score = _score(get_instrument(row["instrument"]))
        rcis.append(rci)
        classes.append(
            classify(
                rci, row["baseline"], row["last"], entry["higher_is_better"], clinical_bands(score)
            )
        )
    return changes.with_columns(
        pl.Series("rci", rcis, dtype=pl.Float64), pl.Series("class", classes, dtype=pl.String)
    )


def _counts(frame: pl.DataFrame, group: str) -> dict[str, Any]:
    """Return ``n``, the count and the share (percent, null without participants) of each
    class in ``frame``, for the row named ``group``."""
    n = frame.height
    row: dict[str, Any] = {"network_group": group, "n": n}
    for name in CLASSES:
        count = int((frame["class"] == name).sum()) if n else 0
        row[name] = count
        row[f"pct_{name}"] = 100.0 * count / n if n else None
    return row


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Return the row over all participants, then one per network group present (in the
    vocabulary's order, ``unknown`` last)."""
    present = set(frame["network_group"].unique().to_list())
    groups = [g for g in NETWORK_GROUPS if g in present]
    groups += sorted(present - set(NETWORK_GROUPS) - {UNKNOWN})
    if UNKNOWN in present:
        groups.append(UNKNOWN)
    return [_counts(frame, ALL)] + [
        _counts(frame.filter(pl.col("network_group") == g), g) for g in groups
    ]


def reliable_change_document(
    panel: pl.DataFrame, primary: Mapping[str, str | None], projects: Sequence[str] | None = None
) -> dict[str, Any]:
    """Return ``analysis/reliable_change.json`` as JSON data (docs/architecture.md,
    "Reliable change"; declared by ``outcomes.documents.reliable_change``).

    ``panel`` is the outcome panel, ``primary`` maps each project id to the key of its primary
    wellbeing instrument (None: the project has none), ``projects`` the projects to cover
    (default: those of the panel). Per instrument the reliability and the SD used; per project
    the counts and shares of the four classes over all its participants and per network group;
    ``pooled`` the same over every assessed project; ``not_assessed`` the projects left out
    (reason ``no_primary_wellbeing``, ``no_reliability`` or ``no_spec``).
    """
    chosen = sorted(panel["project"].unique().to_list()) if projects is None else list(projects)
    assessed: dict[str, str] = {}
    not_assessed: list[dict[str, Any]] = []
    for project in chosen:
        if project not in primary:
            not_assessed.append(
                {
                    "project": project,
                    "instrument": None,
                    "reason": "no_spec",
                    "note": f"project {project!r} has no spec",
                }
            )
            continue
        key = primary[project]
        if key is None:
            not_assessed.append(
                {
                    "project": project,
                    "instrument": None,
                    "reason": "no_primary_wellbeing",
                    "note": f"project {project!r}: its spec names no primary_wellbeing instrument",
                }
            )
            continue
        if get_instrument(key).reliability is None:
            not_assessed.append(
                {
                    "project": project,
                    "instrument": key,
                    "reason": "no_reliability",
                    "note": f"project {project!r}: its primary instrument {key!r} declares no "
                    "published reliability, so reliable change cannot be computed",
                }
            )
            continue
        assessed[project] = key
    changes = participant_changes(panel, assessed)
    keys = sorted(set(assessed.values()))
    entries = {key: _instrument_entry(key, changes) for key in keys}
    classified = _classified(changes, entries).filter(pl.col("class").is_not_null())
    project_rows = []
    for project, key in sorted(assessed.items()):
        own = classified.filter(pl.col("project") == project)
        project_rows.append({"project": project, "instrument": key, "rows": _rows(own)})
    return {
        "critical_value": CRITICAL_VALUE,
        "instruments": [entries[key] for key in keys],
        "projects": project_rows,
        "pooled": {
            "projects": sorted(assessed),
            "instruments": keys,
            "rows": _rows(classified),
        },
        "not_assessed": not_assessed,
    }
