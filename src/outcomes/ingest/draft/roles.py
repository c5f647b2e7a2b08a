"""The non-item columns of an export: participant ID, date, completion, wave, demographics,
identifiers, free text and tool metadata; missing codes and gender labels seen in the data.

Names are compared squashed (lower case, letters and digits only) with the words survey tools
and Dutch projects use for them (the tables below); the readers' own knowledge of their tool
(``RawExport.metadata``, ``identifiers``, ``free_text``, ``completed_column``) and the privacy
rules (``outcomes.privacy.find_identifier_columns``) come first (docs/architecture.md,
"Drafting a spec").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from outcomes.ingest.canonical.meta import GENDER_LABELS
from outcomes.ingest.canonical.values import parse_date, parse_number
from outcomes.ingest.draft.items import MISSING_NUMBERS, words
from outcomes.instruments.base import normalise_label

#: participant-ID column names, best first (squashed)
ID_NAMES = (
    "participantid",
    "recordid",
    "deelnemernummer",
    "deelnemerid",
    "deelnemer",
    "deelnr",
    "respnr",
    "respondentnummer",
    "respondentid",
    "clientnummer",
    "clientid",
    "studienummer",
    "studyid",
    "subjectid",
    "pid",
    "externalreference",
    "externaldatareference",
)
_ID_WORDS = ("deelnemer", "deelnr", "respnr", "participant", "respondent", "client")
#: a survey tool's own ID of one filled-in questionnaire (squashed): the participant ID when
#: the export has no other (Qualtrics ``ResponseId``, LimeSurvey ``Response ID``)
RESPONSE_ID_NAMES = ("responseid", "recordid")
#: assessment-date names, best first (squashed)
DATE_NAMES = ("datumafname", "afnamedatum", "invuldatum", "startdate", "datum", "date")
_NOT_ASSESSMENT = ("geb", "birth", "creation", "end", "recorded", "sent", "submit", "stamp")
COMPLETED_NAMES = ("finished", "submitdate", "surveycompletedon", "completed", "voltooid")
WAVE_NAMES = (
    "meting",
    "meetmoment",
    "wave",
    "redcapeventname",
    "surveypackagename",
    "timepoint",
    "tijdstip",
    "fase",
    "ronde",
)
SITE_NAMES = ("site", "siteabbreviation", "sitename", "gemeente", "locatie", "vestiging", "regio")
ARM_NAMES = ("arm", "conditie", "condition", "randomizationgroupname", "interventiegroep")
#: canonical meta column → words of its name or question text
META_WORDS: dict[str, tuple[str, ...]] = {
    "gender": ("geslacht", "gender", "sekse", "sex"),
    "birth_date": ("geboortedatum", "gebdatum", "birthdate", "dateofbirth", "dob"),
    "birth_year": ("geboortejaar", "gebjaar", "birthyear", "yearofbirth"),
    "age": ("leeftijd", "age"),
}
FREE_TEXT_WORDS = (
    "opmerking",
    "opmerkingen",
    "opmerk",
    "toelichting",
    "comment",
    "comments",
    "remarks",
    "notes",
    "namelijk",
)
#: answers meaning "missing" (normalised labels)
MISSING_WORDS = frozenset(
    {
        "weet niet",
        "weet ik niet",
        "n.v.t.",
        "nvt",
        "n.v.t",
        "niet van toepassing",
        "geen antwoord",
        "onbekend",
        "wil ik niet zeggen",
        "don't know",
        "not applicable",
        "n/a",
        "no answer",
        "refused",
    }
)
_USER_MISSING = re.compile(r"^##USER_MISSING_\d+##$")
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%d.%m.%Y",
)
_BASELINE = ("baseline", "nulmeting", "voormeting", "intake", "start", "t0")


def squash(name: str) -> str:
    """Return ``name`` lower case with letters and digits only."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def find_named(columns: Sequence[str], names: Sequence[str]) -> str | None:
    """Return the first of ``columns`` whose squashed name is in ``names`` (``names`` order)."""
    squashed = {squash(c): c for c in reversed(columns)}
    for name in names:
        if name in squashed:
            return squashed[name]
    return None


def find_participant_id(
    columns: Sequence[str], values: Mapping[str, Sequence[str]]
) -> tuple[str | None, bool]:
    """Return (participant-ID column, sure): a known name, a name with a known word, else the
    first column of mostly distinct code-like values (unsure)."""
    named = find_named(columns, ID_NAMES)
    if named is not None:
        return named, True
    for column in columns:
        if any(word in squash(column) for word in _ID_WORDS):
            return column, False
    for column in columns:
        seen = values.get(column, ())
        if len(seen) >= 2 and all(re.search(r"\d", v) and len(v) <= 20 for v in seen[:50]):
            return column, False
    return None, False


def date_format(values: Sequence[str]) -> str | None:
    """Return the strptime format that reads at least 95% of ``values``, else None."""
    sample = [v.strip() for v in values[:200] if v.strip()]
    if not sample:
        return None
    for candidate in DATE_FORMATS:
        read = 0
        for value in sample:
            try:
                dt.datetime.strptime(value, candidate)
                read += 1
            except ValueError:
                pass
        if read >= 0.95 * len(sample):
            return candidate
    return None


def is_date_column(values: Sequence[str]) -> bool:
    """Return True when most of ``values`` (a sample) read as dates."""
    sample = [v for v in values[:100] if v.strip()]
    return bool(sample) and sum(parse_date(v) is not None for v in sample) >= 0.8 * len(sample)


def find_assessment_date(columns: Sequence[str], values: Mapping[str, Sequence[str]]) -> str | None:
    """Return the column with the assessment date: a known name, else a name holding
    ``datum``/``date`` (not a birth, creation or end date) whose values are dates."""
    candidates = [c for c in columns if not any(w in squash(c) for w in _NOT_ASSESSMENT)]
    named = find_named(candidates, DATE_NAMES)
    if named is not None and is_date_column(values.get(named, ())):
        return named
    for column in candidates:
        if ("datum" in squash(column) or "date" in squash(column)) and is_date_column(
            values.get(column, ())
        ):
            return column
    return None


#: a question text longer than this many words asks something else than gender or age, even
#: when one of their words occurs in it ("… visit any of these places? [Sex club]")
META_TEXT_WORDS = 8


def meta_role(name: str, text: str) -> str | None:
    """Return the canonical meta column (gender, birth_date, birth_year, age) the column's
    short name or question text (at most :data:`META_TEXT_WORDS` words) names, else None."""
    name_words = set(words(re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ")))
    name_words |= set(name.lower().replace("_", " ").split())
    if len(name_words) > META_TEXT_WORDS:  # a question text as heading, about something else
        name_words = set()
    name_words.add(squash(name))
    question = words(text.split(" - ")[0]) if text else []
    text_words = set(question) if len(question) <= META_TEXT_WORDS else set()
    for role, vocabulary in META_WORDS.items():
        if name_words & set(vocabulary) or text_words & set(vocabulary):
            return role
    return None


#: the plausible numbers of a meta column, checked against its values before it is mapped
META_NUMBERS: dict[str, tuple[float, float]] = {"age": (0, 120), "birth_year": (1900, 2100)}


def values_fit(role: str, values: Sequence[str]) -> bool:
    """Return whether ``values`` can be the meta column ``role``: for age and birth year, at
    least 80% of the non-empty values are numbers in :data:`META_NUMBERS`' range (an
    inclusion criterion "inc_age" answered Yes/No is no age); other roles always fit."""
    if role not in META_NUMBERS:
        return True
    low, high = META_NUMBERS[role]
    texts = [v.strip() for v in values if v.strip()]
    if not texts:
        return True  # nothing to judge by: the name decides

    def plausible(text: str) -> bool:
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            return False
        return low <= number <= high

    return sum(map(plausible, texts)) >= 0.8 * len(texts)


def is_free_text(name: str, text: str, values: Sequence[str]) -> bool:
    """Return True for a free-text column: a name or question about remarks, or answers that
    are mostly distinct sentences."""
    tokens = set(words(f"{name.replace('_', ' ')} {text}")) | {squash(name)}
    if any(any(t.startswith(w) for w in FREE_TEXT_WORDS) for t in tokens):
        return True
    texts = [v for v in values if v.strip()]
    return len(texts) >= 5 and sum(v.count(" ") >= 3 for v in texts) >= 0.6 * len(texts)


@dataclass
class WaveProposal:
    """How the wave is found: a column or a file-name pattern, its labels, and doubts."""

    column: str | None = None
    file_pattern: str | None = None
    date_order: bool = False
    labels: dict[str, int] = field(default_factory=dict)
    unsure: str | None = None
    note: str | None = None


def _wave_key(label: str) -> tuple[int, float] | None:
    """Return the ordering key of a wave label: baseline words first, then its number."""
    text = normalise_label(label)
    if any(text.startswith(word) for word in _BASELINE):
        return (0, 0.0)
    numbers = re.findall(r"\d+(?:[.,]\d+)?", text)
    if numbers:
        number = parse_number(numbers[0], True)
        return (1, number if number is not None else 0.0)
    return None


def wave_labels(
    values: Sequence[str], value_labels: Mapping[str, str]
) -> tuple[dict[str, int], str | None]:
    """Return (raw value → wave number, doubt) for the distinct wave values of a column.

    Baseline words (``Voormeting``, ``Nulmeting``, ``baseline``) are 0; the rest are numbered
    in the order of the number they hold (``Nameting 1``, ``Vervolgmeting 6 maanden``, ``A2``).
    Coded values go through their value labels, and the labels are listed too."""
    keyed: dict[str, tuple[int, float]] = {}
    for value in values:
        key = _wave_key(value_labels.get(value, value))
        if key is None:
            return {}, f"wave values {list(values)[:6]} could not be ordered; number them"
        keyed[value] = key
        if value in value_labels:
            keyed[value_labels[value]] = key
    order = sorted(set(keyed.values()))
    has_baseline = (0, 0.0) in order
    starts_at_zero = has_baseline or (order and order[0] == (1, 0.0))
    labels = {value: order.index(key) for value, key in keyed.items()}
    doubt = None
    if not starts_at_zero:
        first = min(labels, key=lambda v: labels[v])
        doubt = f"no baseline word among the values; {first!r} taken as baseline (wave 0)"
    return labels, doubt


def file_wave(names: Sequence[str]) -> WaveProposal | None:
    """Return the wave rule the file names give (``NEN_T0_baseline.csv``, ``…_nameting1``),
    else None."""
    t_numbers = [re.search(r"(?<![A-Za-z0-9])[Tt](\d+)(?![0-9])", n) for n in names]
    if all(t_numbers) and len({m.group(1) for m in t_numbers if m}) == len(names):
        starts = {n[: m.start()] for n, m in zip(names, t_numbers, strict=True) if m}
        prefix = starts.pop() if len(starts) == 1 else None
        letter = t_numbers[0].group(0)[0] if t_numbers[0] else "T"
        pattern = (
            f"^{re.escape(prefix)}{letter}(?P<wave>\\d+)"
            if prefix is not None
            else r"(?<![A-Za-z0-9])[Tt](?P<wave>\d+)(?![0-9])"
        )
        numbers = sorted(int(m.group(1)) for m in t_numbers if m)
        labels = (
            {str(n): i for i, n in enumerate(numbers)}
            if numbers[0]
            else {str(n): n for n in numbers}
        )
        doubt = None if numbers[0] == 0 else f"T{numbers[0]} taken as baseline (wave 0)"
        return WaveProposal(file_pattern=pattern, labels=labels, unsure=doubt, note="file names")
    found = []
    for name in names:
        match = re.search(
            r"(?i)(baseline|nulmeting|voormeting|intake|(?:nameting|vervolgmeting|follow[-_ ]?up)"
            r"[-_ ]?\d*)",
            name,
        )
        if match is None:
            return None
        found.append(match.group(1))
    if len(set(found)) != len(names) or len(names) < 2:
        return None
    labels, doubt = wave_labels(found, {})
    if not labels:
        return None
    pattern = "(?i)(?P<wave>" + "|".join(re.escape(f) for f in found) + ")"
    return WaveProposal(file_pattern=pattern, labels=labels, unsure=doubt, note="file names")


def missing_codes(
    values: Sequence[str], value_labels: Mapping[str, str], low: float, high: float
) -> list[str]:
    """Return the values of an item column that mean "missing": missing words, Castor's
    ``##USER_MISSING_nn##``, and numbers like -9 or 99 outside the item range ``low``–``high``
    (by label when the file labels them)."""
    found: list[str] = []
    for value in values:
        label = value_labels.get(value)
        if label is not None and normalise_label(label) in MISSING_WORDS:
            found.append(label)
            continue
        if normalise_label(value) in MISSING_WORDS or _USER_MISSING.match(value.strip()):
            found.append(value.strip())
            continue
        number = parse_number(value, True)
        if (
            number is not None
            and number.is_integer()
            and not low <= number <= high
            and int(number) in MISSING_NUMBERS
        ):
            found.append(str(int(number)))
    return found


def gender_labels(
    values: Sequence[str], value_labels: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """Return (raw value → female/male/other, values whose meaning is unknown) for the
    distinct values of a gender column (the file's value labels first, then
    ``GENDER_LABELS`` and labels starting with such a word: ``Anders, namelijk:``)."""
    mapped: dict[str, str] = {}
    unknown: list[str] = []
    for value in values:
        label = value_labels.get(value, value)
        text = normalise_label(label)
        gender = GENDER_LABELS.get(text)
        if gender is None and text not in GENDER_LABELS:
            first = re.split(r"[\s,:;]+", text)[0] if text else ""
            gender = GENDER_LABELS.get(first)
        if gender is not None:
            mapped[value] = gender
        elif text not in GENDER_LABELS and normalise_label(label) not in MISSING_WORDS:
            unknown.append(value)
    return mapped, unknown
