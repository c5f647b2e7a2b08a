"""The instrument registry and scoring of a responses frame.

``INSTRUMENTS`` maps each registry key (``mhi5``, ``djg11``, ``djg6``, ``swemwbs``, ``lsns6``,
``network_map``, ``qol_grade``, …) to its :class:`~outcomes.instruments.base.Instrument`,
loaded from the instrument files of ``data_schemas/instruments/`` (and the folders named in
``OUTCOMES_INSTRUMENTS``) by :mod:`outcomes.instruments.loader`; the scoring rules are compiled
by :mod:`outcomes.instruments.scoring`. A project's own instruments
(``<specs dir>/<project id>/instruments/<key>.yaml``) join the registry when its spec is loaded
(:func:`register_project_instruments`, called by :func:`outcomes.specs.load_spec`).
:func:`score_responses` adds the score columns of a project's instruments and the 0–100
``wellbeing`` column to a canonical responses frame. :func:`methods_text` writes the methods
paragraph of a report from the same definitions (docs/architecture.md, "Instruments as data").
Nothing here reads exports.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from outcomes.instruments.base import Instrument, InstrumentError
from outcomes.instruments.loader import load_directory, load_library
from outcomes.specs import ProjectSpec

__all__ = [
    "INSTRUMENTS",
    "Instrument",
    "InstrumentError",
    "categorise_scores",
    "get_instrument",
    "methods_text",
    "register_project_instruments",
    "reliable_change",
    "score_responses",
    "unregister_project_instruments",
]

#: The library instruments, in their declared ``order``; never changed after import.
LIBRARY: dict[str, Instrument] = load_library()

#: Every instrument the code can use: the library, then the project-local instruments of the
#: specs loaded so far (see :func:`register_project_instruments`).
INSTRUMENTS: dict[str, Instrument] = dict(LIBRARY)

#: Project-local instrument key → the project id that declares it.
_LOCAL_OWNERS: dict[str, str] = {}


def register_project_instruments(project_id: str, directory: Path | str) -> dict[str, Instrument]:
    """Add the instruments of ``directory`` (a project's ``instruments/`` folder) to
    :data:`INSTRUMENTS` as the local instruments of ``project_id`` and return them.

    Loading the same project again replaces its earlier local instruments. Raises
    :class:`InstrumentError` naming the file when a local key is a library key or the local key
    of another project (docs/architecture.md, "Instruments as data").
    """
    directory = Path(directory)
    local = load_directory(directory)
    for key in local:
        where = directory / f"{key}.yaml"
        if key in LIBRARY:
            raise InstrumentError(
                f"{where}: key 'key': a key that is not a library instrument, but {key!r} is one; "
                "rename the project's instrument (its item and score columns too)"
            )
        owner = _LOCAL_OWNERS.get(key)
        if owner is not None and owner != project_id:
            raise InstrumentError(
                f"{where}: key 'key': a key no other project declares, but project {owner!r} "
                f"declares an instrument {key!r} too; rename one of them"
            )
    unregister_project_instruments(project_id)
    for key, instrument in local.items():
        INSTRUMENTS[key] = instrument
        _LOCAL_OWNERS[key] = project_id
    return local


def unregister_project_instruments(project_id: str) -> None:
    """Remove the local instruments of ``project_id`` from :data:`INSTRUMENTS`."""
    for key in [k for k, owner in _LOCAL_OWNERS.items() if owner == project_id]:
        del _LOCAL_OWNERS[key]
        INSTRUMENTS.pop(key, None)


def get_instrument(key: str) -> Instrument:
    """Return the registered instrument ``key``; raise :class:`InstrumentError` listing keys."""
    try:
        return INSTRUMENTS[key]
    except KeyError:
        known = ", ".join(INSTRUMENTS)
        raise InstrumentError(f"unknown instrument {key!r}; known instruments: {known}") from None


def _instrument_keys(
    spec_or_instruments: ProjectSpec | Sequence[str], primary_wellbeing: str | None
) -> tuple[list[str], str | None]:
    if isinstance(spec_or_instruments, str):
        return [spec_or_instruments], primary_wellbeing
    if isinstance(spec_or_instruments, ProjectSpec):
        primary = primary_wellbeing or spec_or_instruments.primary_wellbeing
        return list(spec_or_instruments.instruments), primary
    return list(spec_or_instruments), primary_wellbeing


def score_responses(
    frame: pl.DataFrame,
    spec_or_instruments: ProjectSpec | Sequence[str],
    primary_wellbeing: str | None = None,
) -> pl.DataFrame:
    """Return ``frame`` with every score column of the instruments and ``wellbeing`` added.

    ``spec_or_instruments`` is a :class:`~outcomes.specs.ProjectSpec` (its
    ``instruments`` and ``primary_wellbeing`` are used) or a list of registry keys. ``wellbeing``
    is the primary instrument's wellbeing score on 0–100, higher = better (MHI-5 as is, SWEMWBS
    metric 7–35 and the quality-of-life grade 1–10 rescaled linearly); it is null when no primary
    instrument is given. Existing columns of the same names are replaced. Item columns of a
    listed instrument that are absent count as missing, so its scores are null.
    """
    keys, primary = _instrument_keys(spec_or_instruments, primary_wellbeing)
    instruments = [get_instrument(key) for key in dict.fromkeys(keys)]
    if primary is not None and primary not in keys:
        raise InstrumentError(
            f"primary wellbeing instrument {primary!r} is not among the instruments {keys}"
        )
    scored = [instrument.score(frame) for instrument in instruments]
    result = frame.with_columns(column for part in scored for column in part.iter_columns())
    if primary is None:
        wellbeing = pl.lit(None, dtype=pl.Float64).alias("wellbeing")
    else:
        wellbeing = get_instrument(primary).wellbeing_expr()
    return result.with_columns(wellbeing)


def categorise_scores(frame: pl.DataFrame, keys: Sequence[str], lang: str = "en") -> pl.DataFrame:
    """Return ``frame`` with a ``<score>_category`` column for every score with cut-offs.

    The label is the published band of the score (``"moderately lonely"``, Dutch with
    ``lang="nl"``), null when the score is null. Score columns absent from ``frame`` are skipped.
    """
    if lang not in {"nl", "en"}:
        raise InstrumentError(f"language must be 'nl' or 'en', got {lang!r}")
    categories = [
        score.category_expr(lang)
        for key in dict.fromkeys(keys)
        for score in get_instrument(key).scores
        if score.cutoffs and score.column in frame.columns
    ]
    return frame.with_columns(categories)


def methods_text(keys: Sequence[str], lang: str = "en") -> str:
    """Return one methods paragraph per instrument in ``keys`` ("nl" or "en"), blank-line separated.

    Each paragraph names the instrument, its items, the scoring rule, the missing-item rule and
    the citation, all taken from the registry.
    """
    if lang not in {"nl", "en"}:
        raise InstrumentError(f"language must be 'nl' or 'en', got {lang!r}")
    paragraphs = []
    for key in dict.fromkeys(keys):
        instrument = get_instrument(key)
        n_items = len(instrument.items)
        if lang == "nl":
            name = instrument.name_nl or instrument.name
            unit = "item" if n_items == 1 else "items"
            text = (
                f"{name} ({n_items} {unit}). Scoring: "
                f"{instrument.scoring_rule_nl or instrument.scoring_rule} "
                f"Ontbrekende antwoorden: {instrument.missing_rule_nl or instrument.missing_rule} "
                f"Bron: {instrument.citation}"
            )
        else:
            unit = "item" if n_items == 1 else "items"
            text = (
                f"{instrument.name} ({n_items} {unit}). Scoring: {instrument.scoring_rule} "
                f"Missing items: {instrument.missing_rule} Source: {instrument.citation}"
            )
        paragraphs.append(text)
    return "\n\n".join(paragraphs)


def reliable_change(
    instrument: Instrument | str,
    baseline: float | str | pl.Expr,
    followup: float | str | pl.Expr,
    sd: float | None = None,
) -> float | pl.Expr:
    """Return the reliable change index of ``instrument``'s main score.

    RCI = (followup − baseline) / (SD · √2 · √(1 − r)) with the instrument's declared
    reliability and ``sd`` or else its declared normative SD (Jacobson NS, Truax P (1991).
    Clinical significance: a statistical approach to defining meaningful change in
    psychotherapy research. Journal of Consulting and Clinical Psychology 59(1):12-19). Two
    numbers give a number; column names or expressions give a polars expression. Raises
    :class:`InstrumentError` when no reliability is declared, or no SD is declared or given.
    """
    chosen = get_instrument(instrument) if isinstance(instrument, str) else instrument
    if isinstance(baseline, int | float) and isinstance(followup, int | float):
        if chosen.reliability is None:
            chosen.reliable_change_expr("baseline", "followup")  # raises the InstrumentError
        assert chosen.reliability is not None
        return chosen.reliability.reliable_change(float(baseline), float(followup), sd)
    if isinstance(baseline, int | float) or isinstance(followup, int | float):
        raise InstrumentError("give baseline and followup both as numbers or both as columns")
    return chosen.reliable_change_expr(baseline, followup, sd)
