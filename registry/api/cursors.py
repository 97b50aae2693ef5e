"""Opaque page cursors: base64url JSON naming the list, and the key of the last row."""

from __future__ import annotations

import base64
import json
from typing import Any
from uuid import UUID

from registry.api.errors import BadUserInput
from registry.store.paging import Key

_MAX_CURSOR_LENGTH = 1000


def encode(list_name: str, key: Key, **extra: Any) -> str:
    """A cursor for the row with ``key`` in the list called ``list_name``."""
    body = {"l": list_name, "k": list(key), **extra}
    return base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(cursor: str | None, list_name: str, sort_type: type) -> tuple[Key | None, dict[str, Any]]:
    """(key, extra fields) of a cursor of ``list_name``; (None, {}) for no cursor.

    Raises BadUserInput when the cursor is malformed or belongs to another list.
    """
    if cursor is None:
        return None, {}
    body = _parse(cursor)
    key = body.get("k") if body is not None else None
    if body is None or body.get("l") != list_name or not isinstance(key, list) or len(key) != 2:
        raise _invalid(cursor)
    sort, row_id = key
    valid_sort = isinstance(sort, sort_type) and not isinstance(sort, bool)
    if sort_type is float and isinstance(sort, int) and not isinstance(sort, bool):
        sort, valid_sort = float(sort), True
    if not valid_sort or not _is_uuid(row_id):
        raise _invalid(cursor)
    extra = {k: v for k, v in body.items() if k not in {"l", "k"}}
    return (sort, row_id), extra


def _parse(cursor: str) -> dict[str, Any] | None:
    """The cursor's JSON object; None for anything else (a number, a list, not JSON at all)."""
    if not isinstance(cursor, str) or len(cursor) > _MAX_CURSOR_LENGTH:
        return None
    try:
        body = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


def _is_uuid(value: Any) -> bool:
    try:
        UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def _invalid(cursor: str) -> BadUserInput:
    shown = cursor if len(cursor) <= 60 else cursor[:57] + "..."
    return BadUserInput(f"`after` is not a cursor this list gave out: {shown!r}.", field="after")


def encode_position(list_name: str, position: tuple[int, ...]) -> str:
    """A cursor for a position made of integers (the change feed's (txid, seq))."""
    body = {"l": list_name, "p": list(position)}
    return base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_position(cursor: str | None, list_name: str, length: int) -> tuple[int, ...] | None:
    """The position in a cursor of ``list_name``; None for no cursor; BadUserInput when malformed."""
    if cursor is None:
        return None
    body = _parse(cursor)
    position = body.get("p") if body is not None else None
    if (
        body is None
        or body.get("l") != list_name
        or not isinstance(position, list)
        or len(position) != length
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in position)
    ):
        raise _invalid(cursor)
    return tuple(position)
