"""The instrument registry and scoring of a responses frame.

``INSTRUMENTS`` maps each registry key (``mhi5``, ``djg11``, ``djg6``, ``swemwbs``, ``lsns6``,
``network_map``, ``qol_grade``) to its :class:`~outcomes.instruments.base.Instrument`; each
instrument's definition and scoring live in its own module. :func:`score_responses` adds the
score columns of a project's instruments and the 0–100 ``wellbeing`` column to a canonical
responses frame. :func:`methods_text` writes the methods paragraph of a report from the same
definitions. Nothing here reads files or knows about exports.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from outcomes.instruments import djg6, djg11, lsns6, mhi5, network_map, qol_grade, swemwbs
from outcomes.instruments.base import Instrument, InstrumentError
from outcomes.specs import ProjectSpec

__all__ = [
    "INSTRUMENTS",
    "Instrument",
    "InstrumentError",
    "categorise_scores",
    "get_instrument",
    "methods_text",
    "score_responses",
]

INSTRUMENTS: dict[str, Instrument] = {
    module.INSTRUMENT.key: module.INSTRUMENT
    for module in (mhi5, djg11, djg6, swemwbs, lsns6, network_map, qol_grade)
}


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
