"""The descriptive columns of a row: site, trial arm, gender, and whether it was completed.

Site and arm are text as the export has it, relabelled by the spec's ``value_labels`` where it
gives them (``default_site`` fills a missing site). Gender labels in Dutch and English become
``female``/``male``/``other`` (the spec's ``value_labels.gender`` first, then the file's
codebook). ``completed`` is false for an empty cell or a "not finished" word in the spec's
``completed`` column or the tool's own completion marker, true otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from outcomes.ingest.canonical.coding import ExportColumns, ValueMap
from outcomes.ingest.canonical.values import normalised_labels, number_key

GENDER_LABELS: dict[str, str | None] = {
    **dict.fromkeys(
        ["vrouw", "v", "female", "f", "woman", "vrouwelijk", "meisje", "girl", "w"], "female"
    ),
    **dict.fromkeys(["man", "m", "male", "mannelijk", "jongen", "boy"], "male"),
    **dict.fromkeys(
        ["anders", "other", "x", "non-binair", "non-binary", "nonbinary", "divers", "overig"],
        "other",
    ),
    **dict.fromkeys(
        [
            "zeg ik liever niet",
            "wil ik niet zeggen",
            "prefer not to say",
            "onbekend",
            "unknown",
            "weet niet",
        ],
        None,
    ),
}
#: the gender labels a message lists as accepted, per language (all of ``GENDER_LABELS`` are)
GENDER_LABELS_SHOWN: dict[str, tuple[str, ...]] = {
    "nl": ("vrouw", "man", "anders", "zeg ik liever niet"),
    "en": ("female", "male", "other", "prefer not to say"),
}
_FALSE_VALUES = frozenset(
    {"0", "false", "onwaar", "nee", "no", "n", "incomplete", "onvolledig", "niet afgerond"}
)


def map_site_and_arm(export: ExportColumns, columns: Mapping[str, str]) -> list[pl.Expr]:
    """Return the ``site`` and ``arm`` columns from the export columns ``columns`` maps them to."""
    spec, codes = export.spec, export.codes
    mapped: list[pl.Expr] = []
    for target in ("site", "arm"):
        column = columns.get(target)
        relabel = {number_key(str(k)): str(v) for k, v in spec.value_labels.get(target, {}).items()}
        if column:
            text = pl.col(column).str.strip_chars()
            if relabel:
                relabelled = {
                    v: relabel.get(number_key(v), v.strip()) for v in codes.distinct(column)
                }
                text = codes.lookup(column, relabelled, pl.String())
            if target == "site" and spec.default_site:
                text = pl.coalesce(text, pl.lit(spec.default_site))
            mapped.append(text.alias(target))
        else:
            default = spec.default_site if target == "site" else None
            mapped.append(pl.lit(default, dtype=pl.String).alias(target))
    return mapped


def _gender_value(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    return GENDER_LABELS.get(text, text if text in {"female", "male", "other"} else None)


def map_gender(export: ExportColumns, column: str | None) -> pl.Expr:
    """Return the ``gender`` column (empty without ``column``); an unknown label becomes null
    plus an ``unknown_label`` issue."""
    if not column:
        return pl.lit(None, dtype=pl.String).alias("gender")
    spec_gender = normalised_labels(export.spec.value_labels.get("gender", {}))
    codebook = {number_key(k): v for k, v in export.raw.value_labels.get(column, {}).items()}
    gender_map = ValueMap()
    for value in export.codes.distinct(column):
        key = number_key(value)
        if not value.strip() or key in export.missing:
            gender_map.values[value] = None
            continue
        candidates = [key]
        if key in codebook:
            candidates.append(number_key(codebook[key]))
        for candidate in candidates:
            if candidate in spec_gender:
                gender_map.values[value] = _gender_value(spec_gender[candidate])
                break
            if candidate in GENDER_LABELS:
                gender_map.values[value] = GENDER_LABELS[candidate]
                break
        else:
            gender_map.bad(
                value,
                "unknown_label",
                f"{column} → gender: {value!r} is not a known gender label; map it in the "
                "spec's value_labels.gender (female/male/other)",
            )
    return export.apply(column, gender_map, pl.String(), "gender")


def map_completed(column: str | None) -> pl.Expr:
    """Return the ``completed`` column from ``column`` (true for every row without one).

    An empty cell means "not submitted" (LimeSurvey's quoted empty submitdate, "")."""
    if not column:
        return pl.lit(True).alias("completed")
    answer = pl.col(column).str.strip_chars().str.to_lowercase()
    completed = answer.is_not_null() & (answer != "") & ~answer.is_in(list(_FALSE_VALUES))
    return completed.alias("completed")
