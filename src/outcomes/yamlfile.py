"""Reading the YAML files a user writes: project specs, instrument files, the analysis settings.

One reader, so every such file fails the same way on a user's mistake: the error class of the
file's kind, naming the file and what is wrong with it (docs/architecture.md, "Ingest and
errors"). What the keys must hold is each kind's own pydantic schema; when a file fails it,
:func:`schema_problems` words every refused key in the language catalog, in Dutch and English
alike, and the schemas' own checks raise :func:`schema_error` to be worded the same way
(docs/architecture.md, "Schema problems in both languages").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from outcomes.errors import OutcomesError, Phrase, worded


def read_yaml(path: Path, kind: str, error: type[OutcomesError]) -> Any:
    """Return the parsed YAML of ``path`` (None for an empty file).

    Raises ``error`` naming ``path`` when the file is missing (``"<kind> not found"``), is not
    UTF-8 text or is not valid YAML; ``kind`` names the file's role ("project spec"), and the
    language catalogs word its messages as ``error_<kind>_not_found`` and
    ``error_<kind>_not_utf8`` (spaces as ``_``).
    """
    words = "error_" + kind.replace(" ", "_")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise worded(error, f"{words}_not_found", file=str(path)) from None
    except UnicodeDecodeError:
        raise worded(error, f"{words}_not_utf8", file=str(path)) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as problem:
        raise worded(error, "error_yaml_invalid", file=str(path), problem=str(problem)) from None


#: The pydantic error type of :func:`schema_error`: its context carries the catalog key.
WORDED = "outcomes_worded"

#: Characters of a refused value a problem quotes before cutting it short.
_QUOTED = 60


def _as_written(value: object) -> str:
    """Return ``value`` as a YAML file shows it: ``true``, ``null``, ``'nul'``, ``1.5``; long
    lists and mappings cut short with ``…``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= _QUOTED else text[: _QUOTED - 1] + "…"


def _limit(value: object) -> str:
    """Return a bound as a YAML file writes it: ``1`` for ``1.0``, ``0.5``."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _allowed(expected: object) -> str:
    """Return the values pydantic lists as ``'a', 'b' or 'c'`` as ``'a', 'b', 'c'``."""
    values = re.findall(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s,]+", str(expected))
    return ", ".join(value for value in values if value != "or")


def _found(problem: ErrorDetails) -> dict[str, object]:
    return {"found": _as_written(problem["input"])}


def _bound(name: str) -> Callable[[ErrorDetails], dict[str, object]]:
    def fields(problem: ErrorDetails) -> dict[str, object]:
        return {"limit": _limit(problem.get("ctx", {})[name]), **_found(problem)}

    return fields


def _length(problem: ErrorDetails) -> dict[str, object]:
    ctx = problem.get("ctx", {})
    return {"min": ctx.get("min_length"), "max": ctx.get("max_length"), "n": ctx["actual_length"]}


def _one_of(problem: ErrorDetails) -> dict[str, object]:
    return {"allowed": _allowed(problem.get("ctx", {})["expected"]), **_found(problem)}


def _pattern(problem: ErrorDetails) -> dict[str, object]:
    return {"pattern": problem.get("ctx", {})["pattern"], **_found(problem)}


def _nothing(problem: ErrorDetails) -> dict[str, object]:
    return {}


#: pydantic error type → the catalog key of its words and the fields they are filled with
#: (``found``: the refused value as written; ``limit``: a bound; ``allowed``: the values a
#: key takes; ``pattern``: the regular expression text must match). Any other type keeps
#: pydantic's English (``schema_untranslated``).
SCHEMA_WORDS: Mapping[str, tuple[str, Callable[[ErrorDetails], dict[str, object]]]] = {
    "missing": ("schema_missing", _nothing),
    "extra_forbidden": ("schema_extra_forbidden", _nothing),
    "string_type": ("schema_string_type", _found),
    "string_pattern_mismatch": ("schema_pattern_mismatch", _pattern),
    "int_type": ("schema_int", _found),
    "int_parsing": ("schema_int", _found),
    "int_from_float": ("schema_int", _found),
    "float_type": ("schema_float", _found),
    "float_parsing": ("schema_float", _found),
    "bool_type": ("schema_bool", _found),
    "bool_parsing": ("schema_bool", _found),
    "literal_error": ("schema_one_of", _one_of),
    "enum": ("schema_one_of", _one_of),
    "greater_than": ("schema_greater_than", _bound("gt")),
    "greater_than_equal": ("schema_greater_than_equal", _bound("ge")),
    "less_than": ("schema_less_than", _bound("lt")),
    "less_than_equal": ("schema_less_than_equal", _bound("le")),
    "list_type": ("schema_list", _found),
    "tuple_type": ("schema_list", _found),
    "set_type": ("schema_list", _found),
    "dict_type": ("schema_mapping", _found),
    "model_type": ("schema_mapping", _found),
    "model_attributes_type": ("schema_mapping", _found),
    "too_short": ("schema_too_short", _length),
    "too_long": ("schema_too_long", _length),
}


def schema_error(key: str, *, at: str | None = None, **fields: object) -> PydanticCustomError:
    """Return the error a check of a user's YAML file raises (inside a pydantic validator):
    worded as the catalog's ``key`` filled with ``fields``, so :func:`schema_problems` prints it
    in the user's language. ``at`` names the key the problem is about when the check sees the
    whole mapping (a ``model_validator``): it is added to the dotted key pydantic reports
    (docs/architecture.md, "Schema problems in both languages")."""
    from outcomes import language

    message = language.word(key, "en", **fields)
    return PydanticCustomError(WORDED, message, {"words": key, "fields": fields, "at": at})


def _problem(problem: ErrorDetails) -> Phrase:
    """Return the words of one refused key, without the key."""
    kind, ctx = problem["type"], problem.get("ctx", {})
    if kind == WORDED:
        return Phrase(str(ctx["words"]), **dict(ctx["fields"]))
    if kind in SCHEMA_WORDS:
        key, fields = SCHEMA_WORDS[kind]
        return Phrase(key, **fields(problem))
    message = problem["msg"]
    if kind == "value_error" and isinstance(ctx.get("error"), ValueError):
        message = str(ctx["error"])
    return Phrase("schema_untranslated", message=message)


#: How pydantic names the member of a union (``sheet: str | int``) in an error's location;
#: left out of the key, so that ``export.sheet`` is named as the file writes it.
_UNION_MEMBER = re.compile(
    r"^(str|int|float|bool|none|bytes"
    r"|(list|dict|tuple|set|frozenset|literal|nullable)\[.*\]"
    r"|(function|constrained|lax|strict|json)-.*)$"
)


def schema_problems(error: ValidationError) -> tuple[Phrase, ...]:
    """Return one phrase per key pydantic refused in a user's YAML file: ``key
    'export.format': expected one of 'qualtrics', …, got 'sas'`` (``sleutel …`` in Dutch),
    worded in the language catalog per pydantic error type (:data:`SCHEMA_WORDS`) or per
    :func:`schema_error` of our own checks; any other type keeps pydantic's English, marked as
    English (docs/architecture.md, "Schema problems in both languages")."""
    phrases = []
    for problem in error.errors():
        where = [
            str(part)
            for index, part in enumerate(problem["loc"])
            if not (index and isinstance(part, str) and _UNION_MEMBER.match(part))
        ]
        at = problem.get("ctx", {}).get("at") if problem["type"] == WORDED else None
        if at:
            where.append(str(at))
        key = ".".join(where) or "(top level)"
        phrases.append(Phrase("schema_key", key=key, problem=_problem(problem)))
    return tuple(phrases)
