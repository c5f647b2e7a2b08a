"""Item answers: raw answers of the instruments' items → the instruments' canonical codes.

An answer is coded by, in turn, the spec's ``value_labels`` (per instrument or per item), the
file's own codebook (SPSS value labels, REDCap choices: code → label, then the label is coded),
the instrument registry's answer labels (``"Voortdurend"`` → 1 for MHI-5), and a plain number.
Network-map columns (number of friends, family, …) are items of the ``network_map`` instrument
without answer options: they are read as numbers, with decimal commas where the spec allows them.
A value that maps to nothing becomes null plus an ``unknown_label`` or ``not_a_number`` issue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import polars as pl

from outcomes.errors import ExportError, SpecError, worded
from outcomes.ingest.canonical.coding import ExportColumns, ValueMap
from outcomes.ingest.canonical.values import as_code, normalised_labels, number_key, parse_number
from outcomes.specs import ProjectSpec

if TYPE_CHECKING:
    from outcomes.instruments.base import Instrument


class SpecMismatchError(ExportError, SpecError):
    """A spec asks for something its instruments cannot hold (an unknown canonical column or
    instrument). Both an :class:`ExportError` (so ``outcomes validate`` reports it as
    unreadable) and a :class:`SpecError` (the fix is in the spec)."""


def instrument_registry() -> Mapping[str, Instrument]:
    """Return ``outcomes.instruments.INSTRUMENTS`` (imported lazily)."""
    from outcomes.instruments import INSTRUMENTS

    return INSTRUMENTS


def item_instruments(
    spec: ProjectSpec, registry: Mapping[str, Instrument] | None = None
) -> dict[str, str]:
    """Return canonical item column → instrument key for every instrument of ``spec`` (none
    for a spec without instruments).

    Raises :class:`SpecMismatchError` for an instrument the registry does not know and for a
    ``primary_wellbeing`` instrument that declares no wellbeing score (its
    ``wellbeing_column``; docs/architecture.md, "Specs without instruments and single
    measurements")."""
    registry = registry if registry is not None else instrument_registry()
    items: dict[str, str] = {}
    for key in spec.instruments:
        if key not in registry:
            raise worded(
                SpecMismatchError,
                "error_unknown_instrument",
                spec=spec.id,
                instrument=key,
                known=str(sorted(registry)),
            )
        for column in registry[key].item_columns:
            items[column] = key
    primary = spec.primary_wellbeing
    if primary is not None and registry[primary].wellbeing_column is None:
        scored = sorted(k for k, i in registry.items() if i.wellbeing_column is not None)
        raise worded(
            SpecMismatchError,
            "error_primary_without_wellbeing",
            spec=spec.id,
            instrument=primary,
            scored=", ".join(scored),
        )
    return items


def decimal_comma(spec: ProjectSpec) -> bool | None:
    """Return whether answers may use a decimal comma: the spec's ``export.decimal_comma`` when
    it is true or given, None (detect) when the spec is silent."""
    if spec.export.decimal_comma:
        return True
    return spec.export.decimal_comma if "decimal_comma" in spec.export.model_fields_set else None


def item_map(
    values: list[str],
    *,
    raw_column: str,
    canonical: str,
    spec_labels: dict[str, Any],
    registry_labels: dict[str, int],
    codebook_labels: dict[str, str] | None,
    missing: set[str],
    decimal_comma: bool | None,
    has_options: bool,
    instrument: str,
) -> ValueMap:
    """Return the code of every distinct raw value of one item column."""
    result = ValueMap()
    codebook_keys = (
        {number_key(code): label for code, label in codebook_labels.items()}
        if codebook_labels
        else {}
    )
    for raw in values:
        key = number_key(raw)
        if not raw.strip() or key in missing:
            result.values[raw] = None
            continue
        if key in spec_labels:
            code = as_code(spec_labels[key])
            if code is None and spec_labels[key] is not None:
                result.bad(raw, "unknown_label", f"value_labels maps {raw!r} to a non-number")
            else:
                result.values[raw] = code
            continue
        if key in codebook_keys:
            label = codebook_keys[key]
            label_key = number_key(label)
            if label_key in missing:
                result.values[raw] = None
            elif label_key in spec_labels:
                result.values[raw] = as_code(spec_labels[label_key])
            elif label_key in registry_labels:
                result.values[raw] = float(registry_labels[label_key])
            else:
                result.bad(
                    raw,
                    "unknown_label",
                    f"{raw_column} → {canonical}: code {raw!r} is labelled {label!r} in the "
                    f"file, which is not an answer label of {instrument} nor in the spec's "
                    "value_labels",
                )
            continue
        if key in registry_labels:
            result.values[raw] = float(registry_labels[key])
            continue
        number = parse_number(raw, decimal_comma)
        if number is not None:
            result.values[raw] = number
            continue
        if has_options:
            result.bad(
                raw,
                "unknown_label",
                f"{raw_column} → {canonical}: {raw!r} is not an answer label of {instrument} "
                "nor in the spec's value_labels",
            )
        else:
            result.bad(raw, "not_a_number", f"{raw_column} → {canonical}: {raw!r} is not a number")
    return result


def map_items(
    export: ExportColumns,
    items: Mapping[str, str],
    columns: Mapping[str, str],
    registry: Mapping[str, Instrument],
) -> list[pl.Expr]:
    """Return one column per canonical item of ``items`` (item → instrument key), coded from
    the export column ``columns`` maps it to; an item no column is mapped to stays empty and
    the file gets a warning naming it."""
    spec, raw = export.spec, export.raw
    comma = decimal_comma(spec)
    mapped: list[pl.Expr] = []
    for canonical in items:
        column = columns.get(canonical)
        if not column:
            mapped.append(pl.lit(None, dtype=pl.Float64).alias(canonical))
            continue
        instrument = registry[items[canonical]]
        spec_labels = normalised_labels(
            {**spec.value_labels.get(instrument.key, {}), **spec.value_labels.get(canonical, {})}
        )
        mapping = item_map(
            export.codes.distinct(column),
            raw_column=column,
            canonical=canonical,
            spec_labels=spec_labels,
            registry_labels=instrument.label_codes(),
            codebook_labels=raw.value_labels.get(column),
            missing=export.missing,
            decimal_comma=comma,
            has_options=bool(instrument.options),
            instrument=instrument.key,
        )
        mapped.append(export.apply(column, mapping, pl.Float64(), canonical))
    unmapped = [c for c in items if c not in columns]
    if unmapped:
        export.warn(
            "items_unmapped",
            f"{export.name}: no raw column is mapped to {', '.join(unmapped)}; left empty",
            items=", ".join(unmapped),
        )
    return mapped
