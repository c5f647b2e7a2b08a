"""Load instrument files (``<key>.yaml``) into :class:`~outcomes.instruments.base.Instrument`.

The library lives in ``data_schemas/instruments/`` of the checkout; ``OUTCOMES_INSTRUMENTS``
names further folders of library instruments (separated like ``PATH``). A project may declare
its own instruments in ``<specs dir>/<project id>/instruments/`` in the same format. Every file
is validated on load and a mistake fails with :class:`InstrumentError` reading
``<file>: key '<dotted.key>': <what was expected>`` (docs/architecture.md, "Instruments as
data"; the format is described in ``data_schemas/instruments/README.md``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import ValidationError

from outcomes.errors import Phrases, worded
from outcomes.instruments.base import (
    AnswerOption,
    Cutoff,
    DutchWording,
    Instrument,
    InstrumentError,
    Item,
    Reliability,
    Score,
)
from outcomes.instruments.schema import InstrumentDeclaration, ScoreDeclaration
from outcomes.instruments.scoring import compile_scorer
from outcomes.yamlfile import read_yaml, schema_problems

__all__ = [
    "default_instruments_dir",
    "library_dirs",
    "load_directory",
    "load_instrument",
    "load_library",
    "parse_instrument",
]

#: Rule keys each rule kind may use besides ``kind``, ``items`` and ``min_answered``.
_KIND_KEYS = {
    "sum": {"reverse", "prorate"},
    "mean": {"reverse"},
    "count": {"codes", "above"},
    "lookup": {"reverse", "table"},
    "threshold": {"of", "below", "above"},
}


def default_instruments_dir() -> Path:
    """Return ``data_schemas/instruments`` of this checkout (found like the specs folder,
    :func:`outcomes.specs.default_specs_dir`)."""
    return Path(__file__).resolve().parents[3] / "data_schemas" / "instruments"


def library_dirs() -> list[Path]:
    """Return the library folders: the checkout's, then those named in ``OUTCOMES_INSTRUMENTS``."""
    extra = os.environ.get("OUTCOMES_INSTRUMENTS", "")
    return [default_instruments_dir(), *(Path(p) for p in extra.split(os.pathsep) if p)]


class _Problem(Exception):
    """A key of an instrument file that does not hold what it must: the dotted ``key`` and the
    catalog's ``error_instrument_<words>`` saying what was expected, filled with ``fields``."""

    def __init__(self, key: str, words: str, **fields: object) -> None:
        super().__init__(key, words)
        self.key, self.words, self.fields = key, words, fields


def _check_items(declaration: InstrumentDeclaration) -> None:
    if (declaration.answers is None) == (declaration.value_range is None):
        raise _Problem("answers", "answers_or_range")
    if declaration.answers is not None:
        codes = [answer.code for answer in declaration.answers]
        if not codes:
            raise _Problem("answers", "no_answers")
        for i, code in enumerate(codes):
            if codes.index(code) != i:
                raise _Problem(f"answers.{i}.code", "code_repeated", code=code)
    elif (
        declaration.value_range is not None
        and declaration.value_range[0] > declaration.value_range[1]
    ):
        raise _Problem("value_range", "value_range_order")
    seen: set[str] = set()
    for i, item in enumerate(declaration.items):
        if item.column in seen:
            raise _Problem(f"items.{i}.column", "column_repeated", column=item.column)
        seen.add(item.column)


def _check_rule(
    declaration: InstrumentDeclaration, index: int, score: ScoreDeclaration, earlier: list[str]
) -> None:
    rule, at = score.rule, f"scores.{index}.rule"
    extra = sorted(
        key
        for key in ("reverse", "prorate", "codes", "above", "table", "of", "below")
        if key in rule.model_fields_set and key not in _KIND_KEYS[rule.kind]
    )
    if extra:
        allowed = ", ".join(sorted(_KIND_KEYS[rule.kind]))
        raise _Problem(f"{at}.{extra[0]}", "rule_key_foreign", kind=rule.kind, allowed=allowed)
    subscales = {item.subscale for item in declaration.items if item.subscale}
    if rule.items != "all":
        for j, name in enumerate(rule.items):
            if name not in subscales:
                raise _Problem(f"{at}.items.{j}", "rule_items", subscales=str(sorted(subscales)))
    items = [
        item for item in declaration.items if rule.items == "all" or item.subscale in rule.items
    ]
    if rule.min_answered is not None and rule.min_answered > len(items):
        raise _Problem(f"{at}.min_answered", "min_answered", n=len(items))
    if rule.kind == "threshold":
        if rule.of not in earlier:
            raise _Problem(f"{at}.of", "threshold_of", earlier=str(earlier))
        if (rule.below is None) == (rule.above is None):
            raise _Problem(at, "threshold_below_above")
        if score.dtype != "boolean":
            raise _Problem(f"scores.{index}.dtype", "threshold_dtype")
        return
    if score.dtype != "float":
        raise _Problem(f"scores.{index}.dtype", "rule_dtype", kind=rule.kind)
    if rule.kind == "count":
        if (rule.codes is None) == (rule.above is None):
            raise _Problem(at, "count_codes_above")
        if isinstance(rule.codes, dict):
            if any(item.subscale is None for item in items):
                raise _Problem(f"{at}.codes", "count_codes_list")
            needed = {str(item.subscale) for item in items}
            missing = sorted(needed - set(rule.codes))
            if missing:
                raise _Problem(f"{at}.codes", "count_codes_missing", missing=str(missing))
    if rule.kind == "lookup" and not rule.table:
        raise _Problem(f"{at}.table", "lookup_table")


def _check_scores(declaration: InstrumentDeclaration) -> None:
    columns: list[str] = []
    item_scores: list[str] = []
    for i, score in enumerate(declaration.scores):
        if score.column in columns:
            raise _Problem(f"scores.{i}.column", "column_repeated", column=score.column)
        low, high = score.range
        if low >= high:
            raise _Problem(f"scores.{i}.range", "score_range_order")
        _check_rule(declaration, i, score, item_scores)
        if score.transform is not None and score.transform.source[0] == score.transform.source[1]:
            raise _Problem(f"scores.{i}.transform.from", "transform_from")
        for j, cutoff in enumerate(score.cutoffs):
            if not (low <= cutoff.lower <= cutoff.upper <= high):
                raise _Problem(
                    f"scores.{i}.cutoffs.{j}",
                    "cutoff_band",
                    low=f"{low:g}",
                    high=f"{high:g}",
                    lower=f"{cutoff.lower:g}",
                    upper=f"{cutoff.upper:g}",
                )
        columns.append(score.column)
        if score.rule.kind != "threshold":
            item_scores.append(score.column)
    if declaration.wellbeing is not None:
        wellbeing = next((s for s in declaration.scores if s.column == declaration.wellbeing), None)
        if wellbeing is None:
            raise _Problem("wellbeing", "wellbeing_column", columns=str(columns))
        if wellbeing.higher_is_better is None:
            raise _Problem("wellbeing", "wellbeing_direction")


def _instrument(declaration: InstrumentDeclaration) -> Instrument:
    options = tuple(
        AnswerOption(a.code, a.nl, a.en, tuple(a.aliases)) for a in declaration.answers or ()
    )
    scores = tuple(
        Score(
            s.column,
            s.label.nl,
            s.label.en,
            float(s.range[0]),
            float(s.range[1]),
            higher_is_better=s.higher_is_better,
            cutoffs=tuple(
                Cutoff(c.en, c.lower, c.upper, c.nl, upper_inclusive=c.upper_inclusive)
                for c in s.cutoffs
            ),
            dtype=pl.Boolean if s.dtype == "boolean" else pl.Float64,
        )
        for s in declaration.scores
    )
    reliability = declaration.reliability
    value_range = declaration.value_range
    instrument = Instrument(
        key=declaration.key,
        name=declaration.name.en,
        name_nl=declaration.name.nl,
        items=tuple(Item(i.column, i.nl, i.en, i.reverse, i.subscale) for i in declaration.items),
        options=options,
        scores=scores,
        citation=declaration.citation,
        scoring_rule=declaration.scoring_rule.en,
        scoring_rule_nl=declaration.scoring_rule.nl,
        missing_rule=declaration.missing_rule.en,
        missing_rule_nl=declaration.missing_rule.nl,
        scorer=_unscored,
        value_range=(float(value_range[0]), float(value_range[1])) if value_range else None,
        wellbeing_column=declaration.wellbeing,
        integer_items=declaration.integer_items,
        licence=declaration.licence,
        dutch_wording=DutchWording(
            declaration.dutch_wording.source, declaration.dutch_wording.verified
        ),
        reliability=None
        if reliability is None
        else Reliability(
            reliability.coefficient, reliability.kind, reliability.sd, reliability.source
        ),
    )
    return dataclasses.replace(instrument, scorer=compile_scorer(instrument, declaration.scores))


def _unscored(items: pl.DataFrame) -> pl.DataFrame:
    raise InstrumentError("instrument scorer not compiled")


def parse_instrument(data: Any, source: Path | str = "<instrument>") -> Instrument:
    """Return the :class:`Instrument` declared by already-parsed YAML ``data``.

    Raises :class:`InstrumentError` naming ``source``, the dotted key and what was expected;
    for a ``.yaml`` source the key must equal the file stem.
    """
    path = Path(source)
    if not isinstance(data, dict):
        raise worded(
            InstrumentError,
            "error_instrument_not_mapping",
            file=str(path),
            type=type(data).__name__,
        )
    try:
        declaration = InstrumentDeclaration.model_validate(data)
    except ValidationError as error:
        # one line per refused key, each naming the file
        problems = Phrases(schema_problems(error), f"\n{path}: ")
        raise worded(
            InstrumentError, "error_instrument_invalid", file=str(path), problems=problems
        ) from None
    try:
        if path.suffix in {".yaml", ".yml"} and path.stem != declaration.key:
            raise _Problem("key", "key_stem", stem=path.stem, declared=declaration.key)
        _check_items(declaration)
        _check_scores(declaration)
    except _Problem as problem:
        raise worded(
            InstrumentError,
            f"error_instrument_{problem.words}",
            file=str(path),
            at=problem.key,
            **problem.fields,
        ) from None
    return _instrument(declaration)


def _read(path: Path) -> tuple[Any, int | None]:
    data = read_yaml(path, "instrument file", InstrumentError)
    order = data.get("order") if isinstance(data, dict) else None
    return data, order if isinstance(order, int) else None


def load_instrument(path: Path | str) -> Instrument:
    """Return the validated instrument in ``path``; raise :class:`InstrumentError` naming the
    file, the key and what was expected."""
    path = Path(path)
    data, _ = _read(path)
    return parse_instrument(data, path)


def load_directory(directory: Path | str) -> dict[str, Instrument]:
    """Return every instrument file (``*.yaml``) of ``directory`` keyed by instrument key:
    first those with an ``order``, by it, then the others by key. A missing folder holds none."""
    directory = Path(directory)
    if not directory.is_dir():
        return {}
    loaded = []
    for path in sorted(directory.glob("*.yaml")):
        data, order = _read(path)
        loaded.append((order is None, order or 0, path.stem, parse_instrument(data, path)))
    return {item[3].key: item[3] for item in sorted(loaded, key=lambda item: item[:3])}


def load_library(directories: Iterable[Path | str] | None = None) -> dict[str, Instrument]:
    """Return the instrument library: every file of ``directories`` (default
    :func:`library_dirs`), in folder order. Raises :class:`InstrumentError` when two folders
    declare the same key."""
    library: dict[str, Instrument] = {}
    origin: dict[str, Path] = {}
    for directory in directories if directories is not None else library_dirs():
        for key, instrument in load_directory(directory).items():
            if key in library:
                raise worded(
                    InstrumentError,
                    "error_instrument_declared_twice",
                    file=str(Path(directory) / (key + ".yaml")),
                    instrument=key,
                    origin=str(origin[key]),
                )
            library[key] = instrument
            origin[key] = Path(directory)
    return library
