"""Whether a value holds what its annotation says, for values that arrive from outside as
parsed JSON (a JSON Lines import, a CTDL document): a listing's rules assume a title is a
language map of strings, not whatever a file put there."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any
from uuid import UUID


def conforms(value: Any, annotation: Any) -> bool:
    """Whether ``value`` is an instance of ``annotation``: plain classes, ``X | None``,
    ``list[X]``, ``dict[K, V]`` and dataclasses (field by field). A bool is no number."""
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, option) for option in arguments)
    if origin is list:
        return isinstance(value, list) and all(conforms(item, arguments[0]) for item in value)
    if origin is dict:
        key, item = arguments
        return isinstance(value, dict) and all(conforms(k, key) and conforms(v, item) for k, v in value.items())
    if annotation is type(None):
        return value is None
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return isinstance(value, annotation) and all(
            conforms(getattr(value, name), hint) for name, hint in typing.get_type_hints(annotation).items()
        )
    if annotation in (str, int, UUID):
        return isinstance(value, annotation) and not isinstance(value, bool)
    raise TypeError(f"no conformance rule for {annotation!r}")


def mistyped_fields(record: Any) -> list[str]:
    """The fields of a dataclass instance that do not hold what their annotations say."""
    hints = typing.get_type_hints(type(record))
    return [f.name for f in dataclasses.fields(record) if not conforms(getattr(record, f.name), hints[f.name])]
