"""The shape of an instrument definition: items, answer options, scores, citation.

Every instrument is declared in ``data_schemas/instruments/<key>.yaml`` (or next to a project's
spec) and loaded into one :class:`Instrument` by :mod:`outcomes.instruments.loader`. The
definition is the single source of truth for item columns, allowed codes, Dutch and English
answer labels, reverse-scored items, score columns with their ranges and direction, cut-offs,
the missing-item rule, the citation, the terms of use and the reliability used for reliable
change. Schemas, value mapping at ingest, the codebook and the report's methods text are all
generated from it; the ``scorer`` is compiled from the declared rules by
:mod:`outcomes.instruments.scoring` (docs/architecture.md, "Instruments as data").
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from outcomes.errors import OutcomesError


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
    """A published cut-off: scores ``>= lower`` and ``<= upper`` get ``label``.

    With ``upper_inclusive=False`` the band is ``lower <= score < upper`` (for rules written as
    "below 60", where prorated scores can fall between whole numbers).
    """

    label: str
    lower: float
    upper: float
    label_nl: str = ""
    upper_inclusive: bool = True

    def contains(self, value: float) -> bool:
        """Return True when ``value`` falls in this band."""
        if self.upper_inclusive:
            return self.lower <= value <= self.upper
        return self.lower <= value < self.upper

    def expr(self, column: str) -> pl.Expr:
        """Return a boolean expression: is ``column`` in this band (null stays null)."""
        score = pl.col(column)
        upper = score <= self.upper if self.upper_inclusive else score < self.upper
        return (score >= self.lower) & upper


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

    def classify(self, value: float | None, lang: str = "en") -> str | None:
        """Return the cut-off label of ``value`` (Dutch with ``lang="nl"``), None outside bands."""
        if value is None:
            return None
        for cutoff in self.cutoffs:
            if cutoff.contains(value):
                return cutoff.label_nl if lang == "nl" and cutoff.label_nl else cutoff.label
        return None

    def category_expr(self, lang: str = "en") -> pl.Expr:
        """Return an expression with the cut-off label of this score column (null outside)."""
        if not self.cutoffs:
            return pl.lit(None, dtype=pl.String).alias(f"{self.column}_category")
        chain: Any = pl
        for cutoff in self.cutoffs:
            label = cutoff.label_nl if lang == "nl" and cutoff.label_nl else cutoff.label
            chain = chain.when(cutoff.expr(self.column)).then(pl.lit(label))
        return chain.otherwise(pl.lit(None, dtype=pl.String)).alias(f"{self.column}_category")


@dataclass(frozen=True)
class DutchWording:
    """Where the Dutch item texts come from; ``verified=False`` marks a working translation
    that was not checked against an official Dutch version."""

    source: str = ""
    verified: bool = False


@dataclass(frozen=True)
class Reliability:
    """The published reliability of an instrument's main score, for reliable change.

    ``coefficient`` is Cronbach's alpha or a test-retest correlation (``kind``), ``sd`` the
    published normative standard deviation of the main score (None when the instrument's file
    gives none: the analysis then uses the baseline SD of its participants, Jacobson & Truax's
    pre-test SD), ``source`` the publication.
    """

    coefficient: float
    kind: Literal["alpha", "test-retest"]
    sd: float | None
    source: str

    def standard_error_of_difference(self, sd: float | None = None) -> float:
        """Return S_diff = SD · √2 · √(1 − r), the standard error of the difference between
        two scores (Jacobson NS, Truax P (1991). Clinical significance: a statistical approach
        to defining meaningful change in psychotherapy research. Journal of Consulting and
        Clinical Psychology 59(1):12-19), with ``sd`` or else the declared normative SD.
        Raises :class:`InstrumentError` when neither is there."""
        chosen = self.sd if sd is None else sd
        if chosen is None or not chosen > 0:
            raise InstrumentError(
                "reliable change needs a standard deviation: the reliability declares no "
                "normative 'sd', so pass the baseline SD of the analysed participants"
            )
        return chosen * math.sqrt(2.0) * math.sqrt(1.0 - self.coefficient)

    def reliable_change(self, baseline: float, followup: float, sd: float | None = None) -> float:
        """Return the reliable change index (followup − baseline) / S_diff (Jacobson & Truax
        1991), S_diff from ``sd`` or the declared normative SD; |RCI| > 1.96 is change unlikely
        to be measurement error alone (p < .05)."""
        return (followup - baseline) / self.standard_error_of_difference(sd)


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
    #: the score column that is this instrument's wellbeing measure; ``wellbeing_expr`` rescales
    #: it to 0–100 (higher = better) from the score's own minimum and maximum
    wellbeing_column: str | None = None
    name_nl: str = ""
    scoring_rule_nl: str = ""
    missing_rule_nl: str = ""
    #: True when item values must be whole numbers (counts); answer codes are always whole
    integer_items: bool = True
    #: terms of use of the instrument, in one sentence
    licence: str = ""
    #: where the Dutch item texts come from and whether they were checked
    dutch_wording: DutchWording = field(default_factory=DutchWording)
    #: published reliability of the main (first) score; None when none is declared
    reliability: Reliability | None = None

    def score_by_column(self, column: str) -> Score:
        """Return the :class:`Score` named ``column``; raise KeyError naming the instrument."""
        for score in self.scores:
            if score.column == column:
                return score
        raise KeyError(f"instrument {self.key!r} has no score column {column!r}")

    def item_valid_expr(self, column: str) -> pl.Expr:
        """Return an expression: is the value in ``column`` a valid item value?

        Null (missing) counts as valid here; missing items are handled by each missing rule.
        A value that is not an allowed code (or outside ``value_range`` / not a whole number for
        counts) is invalid: scores of a row with an invalid item are null, never computed from
        the remaining items.
        """
        value = pl.col(column).cast(pl.Float64)
        if self.options:
            ok = value.is_in([float(code) for code in self.codes])
        else:
            low, high = self.item_range()
            ok = (value >= low) & (value <= high) & value.is_finite()
            if self.integer_items:
                ok = ok & (value.round(0) == value)
        return value.is_null() | ok.fill_null(False)

    def all_items_valid_expr(self) -> pl.Expr:
        """Return an expression: are all item values of the row valid (or missing)?"""
        return pl.all_horizontal([self.item_valid_expr(c) for c in self.item_columns])

    def wellbeing_expr(self) -> pl.Expr:
        """Return ``wellbeing``: the wellbeing score rescaled to 0–100, higher = better.

        100 · (score − minimum) / (maximum − minimum) with the score's declared range, reversed
        when lower scores are better. Raises :class:`InstrumentError` when the instrument has no
        wellbeing score.
        """
        if self.wellbeing_column is None:
            from outcomes.instruments import INSTRUMENTS

            choices = [key for key, other in INSTRUMENTS.items() if other.wellbeing_column]
            raise InstrumentError(
                f"instrument {self.key!r} has no wellbeing score; choose a primary_wellbeing "
                f"instrument among {', '.join(choices)}"
            )
        score = self.score_by_column(self.wellbeing_column)
        value = pl.col(score.column).cast(pl.Float64)
        if (score.minimum, score.maximum, score.higher_is_better) == (0.0, 100.0, True):
            return value.alias("wellbeing")  # already 0–100: taken as is, no rounding noise
        scaled = (value - score.minimum) / (score.maximum - score.minimum) * 100.0
        if score.higher_is_better is False:
            scaled = 100.0 - scaled
        return scaled.alias("wellbeing")

    def reliable_change_expr(
        self, baseline: str | pl.Expr, followup: str | pl.Expr, sd: float | None = None
    ) -> pl.Expr:
        """Return the reliable change index of the main score between two columns.

        RCI = (followup − baseline) / (SD · √2 · √(1 − r)) with the declared reliability and
        ``sd`` or else the declared normative SD (Jacobson & Truax 1991, see
        :meth:`Reliability.standard_error_of_difference`); null where either score is null.
        Raises :class:`InstrumentError` when the instrument declares no reliability, or no SD
        is declared or given.
        """
        if self.reliability is None:
            raise InstrumentError(
                f"instrument {self.key!r} declares no reliability; add 'reliability' "
                "(coefficient, kind, source and, when published, sd) to its definition to compute "
                "reliable change"
            )
        first = pl.col(baseline) if isinstance(baseline, str) else baseline
        second = pl.col(followup) if isinstance(followup, str) else followup
        return (second - first) / self.reliability.standard_error_of_difference(sd)

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
        """Return the score columns for every row of ``frame`` (rules of the instrument's file).

        Item columns absent from ``frame`` count as missing. The result has the height of
        ``frame`` and exactly the columns of ``scores``, in that order, with their dtypes.
        """
        missing = [c for c in self.item_columns if c not in frame.columns]
        if missing:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(c) for c in missing)
        items = frame.select(pl.col(c).cast(pl.Float64) for c in self.item_columns)
        scored = self.scorer(items)
        return scored.select(pl.col(s.column).cast(s.dtype) for s in self.scores)


class InstrumentError(OutcomesError, ValueError):
    """An instrument key or score request that the registry cannot satisfy."""


def count_missing(columns: Sequence[str]) -> pl.Expr:
    """Return an expression: how many of ``columns`` are null in the row."""
    return pl.sum_horizontal([pl.col(c).is_null().cast(pl.Int32) for c in columns])


def normalise_label(label: str) -> str:
    """Return ``label`` normalised for matching answer labels across exports.

    Lower-cased (accents kept), Unicode NFC, white space collapsed and trimmed, surrounding
    quotes removed and no space before an exclamation mark (``" Nee ! "`` → ``"nee!"``).
    """
    text = unicodedata.normalize("NFC", str(label)).strip().lower()
    text = text.strip("\"'‘’“”").strip()
    text = " ".join(text.split())
    return text.replace(" !", "!")
