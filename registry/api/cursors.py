"""Opaque page cursors: base64url JSON naming the list, and the key of the last row."""

from __future__ import annotations

import base64
import json
from typing import Any

from registry.api.errors import BadUserInput
from registry.domain.storable import finite_number, fits_bigint, is_canonical_uuid, is_storable_text
from registry.store.paging import Key

_MAX_CURSOR_LENGTH = 1000


def encode(list_name: str, key: Key, **extra: Any) -> str:
    """A cursor for the row with ``key`` in the list called ``list_name``."""
    body = {"l": list_name, "k": list(key), **extra}
    return base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(cursor: str | None, list_name: str, sort_type: type) -> tuple[Key | None, dict[str, Any]]:
    """(key, extra fields) of a cursor of ``list_name``; (None, {}) for no cursor.

    Raises BadUserInput when the cursor is malformed, belongs to another list, or holds a
    value the database cannot take (see ``_sort_value``): cursors are base64 JSON that
    anyone can rebuild, so nothing in one is trusted because we once wrote it.
    """
    if cursor is None:
        return None, {}
    body = _parse(cursor)
    key = body.get("k") if body is not None else None
    if body is None or body.get("l") != list_name or not isinstance(key, list) or len(key) != 2:
        raise _invalid(cursor)
    sort, row_id = _sort_value(key[0], sort_type), key[1]
    extra = {k: v for k, v in body.items() if k not in {"l", "k"}}
    # Extras are the names we encode (an order, a match mode): text, compared with enum values
    # (a list would not even hash), and never sent to the database.
    if sort is None or not is_canonical_uuid(row_id) or not all(isinstance(v, str) for v in extra.values()):
        raise _invalid(cursor)
    return (sort, row_id), extra


def _sort_value(value: Any, sort_type: type) -> Any | None:
    """The sort value as its column's type holds it, or None when it could not be one:
    text without NUL or lone surrogates, a finite float8, an int within bigint."""
    if sort_type is str:
        return value if is_storable_text(value) else None
    if sort_type is float:
        return finite_number(value)
    if sort_type is int:
        return value if fits_bigint(value) else None
    raise TypeError(f"no cursor sort values of type {sort_type.__name__}")


def _parse(cursor: str) -> dict[str, Any] | None:
    """The cursor's JSON object; None for anything else (a number, a list, not JSON at all)."""
    if not isinstance(cursor, str) or len(cursor) > _MAX_CURSOR_LENGTH:
        return None
    try:
        body = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


def _invalid(cursor: str) -> BadUserInput:
    shown = cursor if len(cursor) <= 60 else cursor[:57] + "..."
    return BadUserInput(f"`after` is not a cursor this list gave out: {shown!r}.", field="after")


def encode_position(list_name: str, position: tuple[int, int]) -> str:
    """A cursor for a position made of two integers (the change feed's (txid, seq))."""
    body = {"l": list_name, "p": list(position)}
    return base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_position(cursor: str | None, list_name: str) -> tuple[int, int] | None:
    """The position in a cursor of ``list_name``; None for no cursor; BadUserInput when malformed.

    Every part is a non-negative bigint. The change feed's (txid, seq) is an (xid8, bigint):
    a server's transaction IDs would need 2^31 wraparounds to pass 2^63, so a position
    beyond is one we never gave out, and it would not fit the statement's parameters.
    """
    if cursor is None:
        return None
    body = _parse(cursor)
    position = body.get("p") if body is not None else None
    if (
        body is None
        or body.get("l") != list_name
        or not isinstance(position, list)
        or len(position) != 2
        or not all(fits_bigint(n, minimum=0) for n in position)
    ):
        raise _invalid(cursor)
    first, second = position
    return first, second
