"""Compile the declared score rules of an instrument file into its ``scorer``.

Each score of ``data_schemas/instruments/<key>.yaml`` has one rule (docs/architecture.md,
"Instruments as data"; ``data_schemas/instruments/README.md``):

- ``sum``: the sum of the rule's items; with ``prorate`` the number of items times the mean of
  the answered items (always, also when none is missing, so a prorated score has one formula).
- ``mean``: the mean of the rule's answered items.
- ``count``: how many of the rule's answered items hold one of ``codes`` (one set for every
  item, or one per subscale) or a value above ``above``.
- ``lookup``: ``table`` applied to the item sum; null for a sum outside the table.
- ``threshold``: boolean, an earlier score of the instrument below ``below`` (or above
  ``above``).

``reverse`` reverses the items marked ``reverse`` as lowest code + highest code − code.
``min_answered`` (default: all of the rule's items) makes the score null when fewer items are
answered. ``transform`` maps the result linearly, evaluated as
``(to1 − to0) · (x − from0) / (from1 − from0)`` plus ``to0`` when ``to0`` is not 0, in that
order, so that a transform to 0–100 gives the bits of the manuals' "100 · (S − min) / span".
Every score is null in a row where any item of the instrument holds an invalid value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from outcomes.instruments.base import Instrument, Item, count_missing
from outcomes.instruments.schema import RuleDeclaration, ScoreDeclaration, TransformDeclaration

__all__ = ["compile_scorer", "rule_items", "score_expr"]


def rule_items(instrument: Instrument, rule: RuleDeclaration) -> list[Item]:
    """Return the items a rule combines, in the instrument's item order: every item for
    ``items: all``, else the items of the listed subscales."""
    if rule.items == "all":
        return list(instrument.items)
    chosen = set(rule.items)
    return [item for item in instrument.items if item.subscale in chosen]


def _values(instrument: Instrument, items: Sequence[Item], reverse: bool) -> list[pl.Expr]:
    low, high = instrument.item_range()
    mirror = float(low + high)
    return [
        (mirror - pl.col(item.column)) if reverse and item.reverse else pl.col(item.column)
        for item in items
    ]


def _count(items: Sequence[Item], rule: RuleDeclaration) -> pl.Expr:
    hits = []
    for item in items:
        value = pl.col(item.column)
        if rule.above is not None:
            hit = value > rule.above
        else:
            codes = (
                rule.codes
                if isinstance(rule.codes, list)
                else (rule.codes or {})[item.subscale or ""]
            )
            hit = value.is_in([float(code) for code in codes])
        hits.append(hit.fill_null(False).cast(pl.Int32))
    return pl.sum_horizontal(hits)


def _transform(value: pl.Expr, transform: TransformDeclaration | None) -> pl.Expr:
    if transform is None:
        return value
    (from0, from1), (to0, to1) = transform.source, transform.target
    scaled = (to1 - to0) * (value - from0) / (from1 - from0)
    return scaled if to0 == 0 else to0 + scaled


def score_expr(instrument: Instrument, score: ScoreDeclaration) -> pl.Expr:
    """Return the expression of one non-threshold score, null where its missing-item rule or an
    invalid item value forbids a score (rules as in this module's docstring)."""
    rule = score.rule
    items = rule_items(instrument, rule)
    columns = [item.column for item in items]
    values = _values(instrument, items, rule.reverse)
    if rule.kind == "sum":
        result = (
            float(len(values)) * pl.mean_horizontal(values)
            if rule.prorate
            else pl.sum_horizontal(values)
        )
    elif rule.kind == "mean":
        result = pl.mean_horizontal(values)
    elif rule.kind == "count":
        result = _count(items, rule)
    elif rule.kind == "lookup":
        raw = pl.sum_horizontal(values).cast(pl.Int64, strict=False)
        result = raw.replace_strict(rule.table or {}, default=None, return_dtype=pl.Float64)
    else:
        raise ValueError(f"score {score.column!r}: a {rule.kind} rule is not an item rule")
    if rule.min_answered is None:
        enough = count_missing(columns) == 0
    else:
        enough = (len(columns) - count_missing(columns)) >= rule.min_answered
    ok = enough & instrument.all_items_valid_expr()
    return pl.when(ok).then(_transform(result, score.transform)).alias(score.column)


def threshold_expr(score: ScoreDeclaration) -> pl.Expr:
    """Return the boolean flag of a ``threshold`` rule: the earlier score ``of`` below
    ``below`` (or above ``above``); null where that score is null."""
    rule = score.rule
    of = pl.col(rule.of or "")
    flag = of < rule.below if rule.below is not None else of > rule.above
    return flag.alias(score.column)


def compile_scorer(
    instrument: Instrument, scores: Sequence[ScoreDeclaration]
) -> Callable[[pl.DataFrame], pl.DataFrame]:
    """Return the ``scorer`` of ``instrument``: frame of item columns → frame of its scores.

    Item rules are evaluated first, then ``threshold`` rules on their results; the columns come
    out in the declared order. ``scores`` are the validated declarations of the instrument's
    file (:mod:`outcomes.instruments.loader` checks that every rule fits the items).
    """
    item_scores = [score_expr(instrument, s) for s in scores if s.rule.kind != "threshold"]
    flags = [threshold_expr(s) for s in scores if s.rule.kind == "threshold"]
    order = [s.column for s in scores]

    def scorer(items: pl.DataFrame) -> pl.DataFrame:
        result = items.select(item_scores)
        if flags:
            result = result.with_columns(flags)
        return result.select(order)

    return scorer
