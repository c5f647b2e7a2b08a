"""The declaration format of an instrument file (``data_schemas/instruments/<key>.yaml``).

Pydantic models with ``extra="forbid"``, like :mod:`outcomes.specs`: a misspelt or unknown key
fails on load. Checks that need more than one key (a score rule naming an unknown subscale, a
cut-off outside the score's range, …) are in :mod:`outcomes.instruments.loader`, which turns
every problem into an :class:`~outcomes.instruments.base.InstrumentError` naming the file, the
dotted key and what was expected (docs/architecture.md, "Instruments as data";
``data_schemas/instruments/README.md`` describes each key).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AnswerDeclaration",
    "CutoffDeclaration",
    "DutchWordingDeclaration",
    "InstrumentDeclaration",
    "ItemDeclaration",
    "ReliabilityDeclaration",
    "RuleDeclaration",
    "ScoreDeclaration",
    "Text",
    "TransformDeclaration",
]

#: Pattern of instrument keys, item and score columns and subscale names.
NAME = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Strict):
    """A text in English and Dutch, kept exactly as written."""

    en: str
    nl: str


class AnswerDeclaration(_Strict):
    """One answer option shared by all items: its code and the labels exports use for it."""

    code: int
    nl: str
    en: str
    aliases: list[str] = Field(default_factory=list)


class ItemDeclaration(_Strict):
    """One item under its canonical column."""

    column: str = Field(pattern=NAME)
    nl: str
    en: str
    reverse: bool = False
    subscale: str | None = Field(None, pattern=NAME)


class TransformDeclaration(_Strict):
    """A linear map of a rule's result: ``from`` [a, b] onto ``to`` [c, d]."""

    source: tuple[float, float] = Field(alias="from")
    target: tuple[float, float] = Field(alias="to")


class RuleDeclaration(_Strict):
    """How one score is computed from the items (see the README for each ``kind``)."""

    kind: Literal["sum", "mean", "count", "lookup", "threshold"]
    items: Literal["all"] | list[str] = "all"
    reverse: bool = False
    min_answered: int | None = Field(None, ge=1)
    prorate: bool = False
    codes: dict[str, list[int]] | list[int] | None = None
    above: float | None = None
    table: dict[int, float] | None = None
    of: str | None = None
    below: float | None = None


class CutoffDeclaration(_Strict):
    """A published band of a score: ``from`` <= score <= ``to`` (or < ``to``)."""

    en: str
    nl: str
    lower: float = Field(alias="from")
    upper: float = Field(alias="to")
    upper_inclusive: bool = True


class ScoreDeclaration(_Strict):
    """One score column: its label, range, direction, rule and cut-offs."""

    column: str = Field(pattern=NAME)
    label: Text
    range: tuple[float, float]
    higher_is_better: bool | None
    dtype: Literal["float", "boolean"] = "float"
    rule: RuleDeclaration
    transform: TransformDeclaration | None = None
    cutoffs: list[CutoffDeclaration] = Field(default_factory=list)


class DutchWordingDeclaration(_Strict):
    """Where the Dutch item texts come from; ``verified: false`` marks a working translation."""

    source: str
    verified: bool


class ReliabilityDeclaration(_Strict):
    """Published reliability of the main score, for the reliable change index; ``sd`` is the
    published normative SD when there is one (without it the analysis uses the baseline SD of
    the analysed participants)."""

    coefficient: float = Field(gt=0, lt=1)
    kind: Literal["alpha", "test-retest"]
    sd: float | None = Field(None, gt=0)
    source: str


class InstrumentDeclaration(_Strict):
    """A whole instrument file."""

    key: str = Field(pattern=NAME)
    order: int | None = Field(
        None, description="position in the library; instruments without one follow, by key"
    )
    name: Text
    citation: str
    licence: str
    dutch_wording: DutchWordingDeclaration
    answers: list[AnswerDeclaration] | None = None
    value_range: tuple[float, float] | None = None
    integer_items: bool = True
    items: list[ItemDeclaration] = Field(min_length=1)
    scores: list[ScoreDeclaration] = Field(min_length=1)
    wellbeing: str | None = None
    reliability: ReliabilityDeclaration | None = None
    scoring_rule: Text
    missing_rule: Text
