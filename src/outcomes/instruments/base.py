"""The shape of an instrument definition: items, answer options, scores, citation.

Every instrument module in this package builds one :class:`Instrument`. The definition is the
single source of truth for item columns, allowed codes, Dutch and English answer labels,
reverse-scored items, score columns with their ranges and direction, cut-offs, the missing-item
rule and the citation. Schemas, value mapping at ingest, the codebook and the report's methods
text are all generated from it. Scoring logic itself lives in each instrument's module.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl


@dataclass(frozen=True)
class AnswerOption:
    """One answer option: its canonical ``code`` and the labels projects use for it."""

    code: int
    label_nl: str
    label_en: str
    #: other spellings seen in exports ("Nee!", "nee !", "min of meer (soms)")
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    """One questionnaire item under its canonical column name."""

    column: str
    text_nl: str
    text_en: str
    reverse: bool = False
    #: subscale the item belongs to (``"emotional"``, ``"family"``, …), if any
    subscale: str | None = None


@dataclass(frozen=True)
class Cutoff:
    """A published cut-off: scores ``>= lower`` and ``<= upper`` get ``label``."""

    label: str
    lower: float
    upper: float
    label_nl: str = ""


@dataclass(frozen=True)
class Score:
    """One score column an instrument produces."""

    column: str
    label_nl: str
    label_en: str
    minimum: float
    maximum: float
    #: True when a higher score means better wellbeing, False when worse (loneliness),
    #: None when the score has no direction (counts, flags)
    higher_is_better: bool | None
    cutoffs: tuple[Cutoff, ...] = ()
    dtype: type[pl.DataType] = pl.Float64


@dataclass(frozen=True)
class Instrument:
    """An instrument definition with its scoring function.

    ``score(frame)`` takes a frame holding (at least) the canonical item columns with canonical
    codes and returns a frame of the same height with exactly the columns of ``scores``.
    """

    key: str
    name: str
    items: tuple[Item, ...]
    #: answer options shared by all items; empty for count items (network map)
    options: tuple[AnswerOption, ...]
    scores: tuple[Score, ...]
    citation: str
    missing_rule: str
    scoring_rule: str
    scorer: Callable[[pl.DataFrame], pl.DataFrame] = field(repr=False)
    #: inclusive range of item values when there are no answer options (counts)
    value_range: tuple[float, float] | None = None
    #: the score column that is this instrument's wellbeing measure on 0–100, and how to get it
    wellbeing_column: str | None = None

    @property
    def item_columns(self) -> tuple[str, ...]:
        return tuple(item.column for item in self.items)

    @property
    def score_columns(self) -> tuple[str, ...]:
        return tuple(score.column for score in self.scores)

    @property
    def codes(self) -> tuple[int, ...]:
        """Return the allowed item codes (empty when items are counts)."""
        return tuple(option.code for option in self.options)

    def item_range(self) -> tuple[float, float]:
        """Return the inclusive (minimum, maximum) of a valid item value."""
        if self.options:
            return (min(self.codes), max(self.codes))
        assert self.value_range is not None, f"{self.key}: count items need a value_range"
        return self.value_range

    def label_codes(self) -> dict[str, int]:
        """Return normalised answer label → code for every label and alias (nl and en)."""
        mapping: dict[str, int] = {}
        for option in self.options:
            for label in (option.label_nl, option.label_en, *option.aliases):
                mapping[normalise_label(label)] = option.code
        return mapping

    def score(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Return the score columns for every row of ``frame`` (see each module's docstring)."""
        missing = [c for c in self.item_columns if c not in frame.columns]
        if missing:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(c) for c in missing)
        return self.scorer(frame)


def normalise_label(label: str) -> str:
    """Return ``label`` lower-cased, accents kept, white space collapsed, for label matching."""
    text = unicodedata.normalize("NFC", str(label)).strip().lower()
    return " ".join(text.split())
