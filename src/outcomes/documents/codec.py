"""Typed JSON documents: frozen dataclasses whose field names are the JSON keys.

A document class derives from :class:`Document`; ``from_json`` checks a parsed JSON object
against the declaration (every key declared, every required key present, values of the declared
kind; nested documents, lists and string-keyed maps are checked recursively) and ``to_json``
returns the plain JSON data again, equal to what ``from_json`` was given. JSON arrays are held
as tuples. A field declared with ``metadata=OPTIONAL`` is a key that may be absent: it reads as None
and is left out when None, unless the document read held the key with null; every other field
is written, null included. A field declared with ``metadata=EMPTY`` is an object that is
written as ``{}`` when there is nothing to hold: ``{}`` reads as None and None is written as ``{}``.
A document whose ``root`` names one field is that field's value as a whole (a file that is one
JSON object keyed by name) (docs/architecture.md, "Documents").

The keys are written in the order of the dataclass fields, and a dataclass takes the fields of
its bases in reverse order of the bases. So a document that ends with the keys of another lists
that one first and, after it, a plain frozen dataclass with the keys that come before:
``class SimpleSlope(Estimate, ModeratorPoint)`` writes ``percentile``, ``moderator_value`` and
then the keys of ``Estimate``. A document that starts with another's keys simply derives from
it.
"""

from __future__ import annotations

import dataclasses
import numbers
import types
import typing
from collections.abc import Mapping
from typing import Any, ClassVar, Self

from outcomes.errors import OutcomesError

#: Field metadata of a key that may be absent from the document:
#: ``field(default=None, metadata=OPTIONAL)`` reads None when the key is absent and leaves the
#: key out of ``to_json`` when None (unless the document read held it with null).
OPTIONAL = {"optional": True}

#: Field metadata of an object written as ``{}`` when it holds nothing:
#: ``field(metadata=EMPTY)`` on a ``Part | None`` field reads ``{}`` as None and writes None as
#: ``{}``.
EMPTY = {"empty": True}


class DocumentError(OutcomesError, ValueError):
    """A JSON document does not match its declaration; the message names the document, the key
    and what was expected."""


class Document:
    """Base of the typed documents: ``from_json`` / ``to_json`` over the dataclass fields.

    ``file`` names the written file (``analysis/model.json``) for top-level documents; error
    messages start with it.
    """

    file: ClassVar[str] = ""
    #: The one field the file holds as a whole (its JSON is that field's value), or "".
    root: ClassVar[str] = ""
    #: Optional keys the document read held with null (written back as null).
    _null_keys: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def from_json(cls, data: Any, *, where: str | None = None) -> Self:
        """Return the document held by ``data`` (a parsed JSON object).

        Raises :class:`DocumentError` naming the document and the key when a key is missing,
        undeclared or holds a value of another kind.
        """
        place = where if where is not None else (cls.file or cls.__name__)
        hints = _hints(cls)
        if cls.root:
            return cls(**{cls.root: _read(hints[cls.root], data, place)})
        if not isinstance(data, Mapping):
            raise DocumentError(
                f"{place}: expected a JSON object ({cls.__name__}), got {_kind(data)}"
            )
        fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise DocumentError(
                f"{place}: key {unknown[0]!r} is not declared in {cls.__name__} "
                f"(declared: {', '.join(sorted(fields))})"
            )
        values: dict[str, Any] = {}
        null_keys = []
        for name, spec in fields.items():
            if name not in data:
                if spec.metadata.get("optional"):
                    values[name] = None
                    continue
                raise DocumentError(f"{place}: key {name!r} of {cls.__name__} is missing")
            if spec.metadata.get("empty") and data[name] == {}:
                values[name] = None
                continue
            values[name] = _read(hints[name], data[name], f"{place}.{name}")
            if values[name] is None and spec.metadata.get("optional"):
                null_keys.append(name)
        document = cls(**values)
        if null_keys:
            object.__setattr__(document, "_null_keys", frozenset(null_keys))
        return document

    def to_json(self) -> dict[str, Any]:
        """Return the document as plain JSON data (dicts, lists, str, numbers, bool, None)."""
        if self.root:
            whole: dict[str, Any] = _write(getattr(self, self.root))
            return whole
        out: dict[str, Any] = {}
        for spec in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, spec.name)
            if value is None and spec.metadata.get("optional") and spec.name not in self._null_keys:
                continue
            if value is None and spec.metadata.get("empty"):
                out[spec.name] = {}
                continue
            out[spec.name] = _write(value)
        return out


def declared_keys(cls: type[Document]) -> list[tuple[str, str, bool]]:
    """Return (key, type as written, optional) for every field of ``cls`` in declaration order;
    an ``EMPTY`` field's type reads ``Part | {}``."""
    hints = _hints(cls)
    return [
        (f.name, _field_type_name(hints[f.name], f), bool(f.metadata.get("optional")))
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
    ]


def _field_type_name(hint: Any, spec: dataclasses.Field[Any]) -> str:
    if not spec.metadata.get("empty"):
        return _type_name(hint)
    held = [a for a in typing.get_args(hint) if a is not type(None)]
    return " | ".join([*(_type_name(a) for a in held), "{}"])


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({value!r})"
    if isinstance(value, str):
        return f"a string ({value[:40]!r})"
    if isinstance(value, numbers.Real):
        return f"a number ({value!r})"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return type(value).__name__


def _read(hint: Any, value: Any, place: str) -> Any:
    origin = typing.get_origin(hint)
    if hint is Any:
        return value
    if origin in (types.UnionType, typing.Union):
        arguments = typing.get_args(hint)
        if value is None:
            if type(None) in arguments:
                return None
            raise DocumentError(f"{place}: expected {_type_name(hint)}, got null")
        chosen = [a for a in arguments if a is not type(None)]
        errors = []
        for argument in chosen:
            try:
                return _read(argument, value, place)
            except DocumentError as error:
                errors.append(error)
        raise DocumentError(f"{place}: expected {_type_name(hint)}, got {_kind(value)}")
    if isinstance(hint, type) and issubclass(hint, Document):
        return hint.from_json(value, where=place)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise DocumentError(f"{place}: expected an array, got {_kind(value)}")
        (item, _) = typing.get_args(hint)
        return tuple(_read(item, v, f"{place}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, Mapping):
            raise DocumentError(f"{place}: expected an object, got {_kind(value)}")
        _, item = typing.get_args(hint)
        return {str(k): _read(item, v, f"{place}.{k}") for k, v in value.items()}
    if hint is bool:
        if isinstance(value, bool):
            return value
    elif hint is int:
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return value
    elif hint is float:
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            return value
    elif hint is str:
        if isinstance(value, str):
            return value
    else:
        raise TypeError(f"{place}: documents cannot declare {hint!r}")
    raise DocumentError(f"{place}: expected {_type_name(hint)}, got {_kind(value)}")


def _write(value: Any) -> Any:
    if isinstance(value, Document):
        return value.to_json()
    if isinstance(value, tuple | list):
        return [_write(v) for v in value]
    if isinstance(value, dict):
        return {k: _write(v) for k, v in value.items()}
    return value


def _type_name(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if hint is Any:
        return "any"
    if origin in (types.UnionType, typing.Union):
        return " | ".join(_type_name(a) for a in typing.get_args(hint))
    if origin is tuple:
        return f"list of {_type_name(typing.get_args(hint)[0])}"
    if origin is dict:
        return f"object of {_type_name(typing.get_args(hint)[1])}"
    names = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null"}
    if hint in names:
        return names[hint]
    return getattr(hint, "__name__", str(hint))
