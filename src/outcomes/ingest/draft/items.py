"""Which export column holds which instrument item: names, question texts and answer labels.

Every column is compared with every item of the instrument registry
(``outcomes.instruments.INSTRUMENTS``, through its public ``Instrument`` API only, so a new
instrument is matched without a change here; docs/architecture.md, "Drafting a spec"):

- the column name: the canonical item column itself (``mhi5_1``), or a stem of the instrument
  (its key without digits, its abbreviation in parentheses: ``mhi``, ``djg``, ``swem``) with the
  item's number (``MHI 1 zenuwachtig``, ``djg_3``, ``MHI[SQ001]``), or with words of the item
  text (``net_huis`` → "Huisgenoten: …");
- the question text (Qualtrics' second header row, SPSS variable labels, REDCap field labels,
  or the words of the name) against the item's Dutch and English texts, each " - " or ": "
  part of it on its own (a Qualtrics matrix writes "question - statement");
- the answers seen in the data: the share of distinct values that are the instrument's answer
  labels (``Instrument.label_codes``) or codes, which weakens a match the data contradict.

Instruments are then taken one at a time, the one whose items match best first, each item and
each column used once (two versions of a scale, DJG-11 and DJG-6, share their statements).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from outcomes.ingest.canonical.values import parse_number
from outcomes.instruments import Instrument
from outcomes.instruments.base import normalise_label

#: a mapped item whose score is below this is marked UNSURE in the draft
SURE = 0.8
#: below this a column is not mapped onto an item at all
THRESHOLD = 0.55

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_NUMBER = re.compile(r"\d+")
#: an opaque answer code (LimeSurvey ``A1``, ``AO01``): says nothing about the instrument
_CODE = re.compile(r"^[A-Za-z]{1,3}\d+$|^#")
#: numbers projects use for "missing" when they fall outside an item's range
MISSING_NUMBERS = frozenset({-9, -99, -999, -95, -96, -97, -98, 9, 88, 97, 98, 99, 999})
_ABBREVIATION = re.compile(r"\(([A-Za-z]+)(?:-\d+)?\)")
#: words that say nothing about which item is meant
_STOP = frozenset(
    {
        "de",
        "het",
        "een",
        "van",
        "en",
        "in",
        "op",
        "uw",
        "mijn",
        "mij",
        "zich",
        "zijn",
        "is",
        "er",
        "wel",
        "die",
        "dat",
        "met",
        "voor",
        "om",
        "te",
        "bij",
        "aan",
        "the",
        "and",
        "you",
        "your",
        "have",
        "been",
        "are",
        "was",
        "were",
        "with",
        "for",
        "that",
        "this",
        "what",
        "how",
        "from",
        "hoe",
        "wat",
        "welk",
        "welke",
        "heeft",
        "hebt",
        "had",
    }
)


@dataclass(frozen=True)
class ColumnEvidence:
    """What the export says about one column: its name, question text, distinct answers (a
    sample) and the file's value labels (code → label)."""

    name: str
    text: str = ""
    values: tuple[str, ...] = ()
    value_labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemMatch:
    """A proposed mapping of ``column`` onto item ``target`` of ``instrument``."""

    column: str
    target: str
    instrument: str
    score: float
    reason: str

    @property
    def sure(self) -> bool:
        return self.score >= SURE


@lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    """Return the content words of ``text``, lower case, in order (short and stop words out)."""
    return tuple(w for w in _WORD.findall(text.lower()) if len(w) >= 3 and w not in _STOP)


def _word_hit(word: str, others: Sequence[str]) -> bool:
    """Return True when ``word`` is one of ``others``, a prefix of one (4+ letters) or inside
    a compound (5+ letters: ``cijfer`` in ``rapportcijfer``)."""
    for other in others:
        if word == other:
            return True
        if len(word) >= 4 and (
            other.startswith(word) or (len(other) >= 4 and word.startswith(other))
        ):
            return True
        if len(word) >= 5 and word in other:
            return True
    return False


def word_similarity(
    text_words: Sequence[str], item_words: Sequence[str], extra: Sequence[str]
) -> float:
    """Return 0–1: how well ``text_words`` name an item with ``item_words`` (``extra``: words
    of the instrument's name, which count for the text but never alone)."""
    if not text_words or not item_words:
        return 0.0
    if not any(_word_hit(w, item_words) for w in text_words):
        return 0.0
    covered = sum(1 for w in text_words if _word_hit(w, item_words) or _word_hit(w, extra))
    weights = [2.0 if i == 0 else 1.0 for i in range(len(item_words))]
    hit = sum(wt for w, wt in zip(item_words, weights, strict=True) if _word_hit(w, text_words))
    return 0.75 * covered / len(text_words) + 0.25 * hit / sum(weights)


@lru_cache(maxsize=65536)
def _ratio(a: str, b: str, floor: float) -> float:
    """Return the similarity ratio of ``a`` and ``b``, or 0 when it cannot exceed ``floor``."""
    matcher = SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() <= floor or matcher.quick_ratio() <= floor:
        return 0.0
    return matcher.ratio()


@lru_cache(maxsize=4096)
def _parts(text: str) -> list[str]:
    """Return ``text`` and its " - " / ": " / "…" parts, normalised."""
    parts = [text]
    for separator in (" - ", ": ", "…", "..."):
        parts += [p for chunk in list(parts) for p in chunk.split(separator)]
    return list(dict.fromkeys(normalise_label(p) for p in parts if len(p.strip()) >= 3))


def text_similarity(text: str, item_texts: Sequence[str], extra: Sequence[str]) -> float:
    """Return 0–1: the best match of ``text`` (or one of its parts) with an item text."""
    best = 0.0
    for part in _parts(text):
        part_words = words(part)
        for item_text in item_texts:
            target = normalise_label(item_text).rstrip(".?!")
            best = max(best, word_similarity(part_words, words(item_text), extra))
            if len(part) >= 12:
                best = max(best, _ratio(part.rstrip(".?!"), target, max(best, 0.6)))
    return best


def instrument_stems(instrument: Instrument) -> set[str]:
    """Return the name stems of ``instrument``: its key without digits and the key's parts,
    and its abbreviation in parentheses (``MHI-5`` → ``mhi``), lower case."""
    stems = {instrument.key.lower(), re.sub(r"\d+$", "", instrument.key.lower())}
    stems |= {part for part in instrument.key.lower().split("_") if len(part) >= 3}
    for name in (instrument.name, instrument.name_nl):
        stems |= {m.lower() for m in _ABBREVIATION.findall(name or "")}
    return {s for s in stems if len(s) >= 3}


def _stem_of(name: str) -> str:
    match = re.match(r"[A-Za-z]+", name.strip())
    return match.group(0).lower() if match else ""


def _stem_matches(stem: str, stems: set[str]) -> bool:
    return len(stem) >= 3 and any(s.startswith(stem) or stem == s for s in stems)


_LABEL_CODES: dict[int, tuple[Instrument, dict[str, int]]] = {}


def _label_codes(instrument: Instrument) -> dict[str, int]:
    """Return ``instrument.label_codes()``, computed once per instrument object."""
    cached = _LABEL_CODES.get(id(instrument))
    if cached is None or cached[0] is not instrument:
        cached = (instrument, instrument.label_codes())
        _LABEL_CODES[id(instrument)] = cached
    return cached[1]


def value_fit(instrument: Instrument, column: ColumnEvidence) -> float | None:
    """Return the share of the column's known answers that fit ``instrument`` (answer labels
    and codes, or counts in range), None when no answer says either way (opaque codes)."""
    labels = _label_codes(instrument)
    low, high = instrument.item_range()
    good = bad = 0
    for value in column.values:
        label = column.value_labels.get(value, value)
        if normalise_label(label) in labels:
            good += 1
            continue
        number = parse_number(value, None)
        if number is None:
            number = parse_number(value, True)
        if number is not None:
            if low <= number <= high:
                good += 1
            elif not (number.is_integer() and int(number) in MISSING_NUMBERS):
                bad += 1
            continue
        if not _CODE.match(label) and any(len(w) >= 3 for w in _WORD.findall(label)):
            bad += 1
    return good / (good + bad) if good + bad else None


def _pair_score(column: ColumnEvidence, instrument: Instrument, index: int) -> tuple[float, str]:
    """Return (score 0–1, reason) of ``column`` holding item ``index`` of ``instrument``."""
    item = instrument.items[index]
    name = column.name.strip()
    if normalise_label(name) == item.column:
        return 1.0, "the canonical item name"
    extra = words(f"{instrument.name} {instrument.name_nl} {instrument.key}")
    texts = [item.text_nl, item.text_en]
    if len(instrument.items) == 1:
        texts += [instrument.name, instrument.name_nl]
    by_name = 0.0
    stem = _stem_of(name)
    if _stem_matches(stem, instrument_stems(instrument)):
        numbers = [int(n) for n in _NUMBER.findall(name[len(stem) :])]
        if numbers and numbers[-1] == index + 1 and len(numbers) <= 2:
            by_name = 0.9
        elif not numbers:
            rest = words(name[len(stem) :].replace("_", " "))
            similarity = word_similarity(rest, words(item.text_nl) + words(item.text_en), extra)
            by_name = 0.6 + 0.4 * similarity if similarity else 0.0
    by_text = text_similarity(column.text, texts, extra) if column.text else 0.0
    name_words = " ".join(words(name.replace("_", " ")))
    if name_words and not by_name:
        by_text = max(by_text, text_similarity(name_words, texts, extra))
    score = min(1.0, max(by_name, by_text) + 0.1 * min(by_name, by_text))
    reason = (
        f"name {name!r}"
        if by_name >= by_text
        else f"text {re.split(r' - |: ', column.text or name)[-1][:60]!r} ~ {texts[0][:50]!r}"
    )
    return score, reason


Candidates = dict[str, list[tuple[float, int, str]]]


def _candidates(column: ColumnEvidence, instrument: Instrument) -> list[tuple[float, int, str]]:
    """Return (score, item index, reason) of every item ``column`` may hold (score at least
    :data:`THRESHOLD`), the answers seen weakening a match they contradict."""
    fit = value_fit(instrument, column)
    factor = 1.0 if fit is None else 0.5 + 0.5 * fit
    found = []
    for index in range(len(instrument.items)):
        score, reason = _pair_score(column, instrument, index)
        if score * factor >= THRESHOLD:
            found.append((score * factor, index, reason))
    return found


def _instrument_matches(
    columns: Sequence[ColumnEvidence], instrument: Instrument, candidates: Candidates
) -> list[ItemMatch]:
    """Return the best one-to-one matches of ``columns`` onto the items of ``instrument``."""
    ranked = [
        (score, c, index, reason)
        for c, column in enumerate(columns)
        for score, index, reason in candidates[column.name]
    ]
    ranked.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_columns: set[int] = set()
    used_items: set[int] = set()
    matches: list[ItemMatch] = []
    for score, c, index, reason in ranked:
        if c in used_columns or index in used_items:
            continue
        used_columns.add(c)
        used_items.add(index)
        target = instrument.items[index].column
        matches.append(ItemMatch(columns[c].name, target, instrument.key, round(score, 2), reason))
    return matches


def match_items(
    columns: Sequence[ColumnEvidence], instruments: Mapping[str, Instrument]
) -> list[ItemMatch]:
    """Return the proposed item mapping of ``columns``: instruments taken best first (sum of
    match scores weighted by the share of their items matched, so a complete short version of
    a scale beats a long one half matched), each column used once, in column order."""
    remaining = dict(instruments)
    free = list(columns)
    candidates = {
        key: {column.name: _candidates(column, instrument) for column in columns}
        for key, instrument in instruments.items()
    }
    chosen: list[ItemMatch] = []
    while remaining and free:
        best_key, best = None, []
        best_rank = (0.0, 0.0)
        for key, instrument in remaining.items():
            matches = _instrument_matches(free, instrument, candidates[key])
            if not matches:
                continue
            coverage = len(matches) / len(instrument.items)
            rank = (round(sum(m.score for m in matches) * (0.5 + 0.5 * coverage), 6), coverage)
            if rank > best_rank:
                best_key, best, best_rank = key, matches, rank
        if best_key is None:
            break
        chosen += best
        del remaining[best_key]
        taken = {m.column for m in best}
        free = [c for c in free if c.name not in taken]
    order = {column.name: i for i, column in enumerate(columns)}
    return sorted(chosen, key=lambda m: order[m.column])
