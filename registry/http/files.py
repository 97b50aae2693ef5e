"""Sending a stretch of an open file as an HTTP representation: strong ETag, Last-Modified,
conditional requests (304) and single byte ranges (206, 416), per RFC 9110.

The file is already open when sending starts (a snapshot file may be replaced meanwhile;
an open descriptor keeps reading the bytes it was opened on), and nothing here touches the
database: a client may read as slowly as it likes and holds only its descriptor.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from typing import Literal

from starlette.types import Message, Receive, Scope, Send

CHUNK_BYTES = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
# A byte position past any file (an exabyte): what a Range number of more than 18 digits reads
# as, without asking int() for thousands of digits (it refuses more than 4,300).
_BEYOND_ANY_FILE = 10**18


@dataclass(frozen=True)
class Representation:
    """``size`` bytes of file descriptor ``fd`` from ``start``, and what describes them.

    etag: a strong entity tag, quotes included (the same bytes, the same tag);
    last_modified: seconds since the epoch, whole; headers: the rest (content type ...)."""

    fd: int
    start: int
    size: int
    etag: str
    last_modified: int
    headers: tuple[tuple[str, str], ...] = ()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _tags(value: str) -> list[str]:
    """The entity tags of an If-None-Match list, weak marks dropped (it compares weakly)."""
    return [tag.strip().removeprefix("W/") for tag in value.split(",") if tag.strip()]


def _date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None  # an invalid date is ignored, as RFC 9110 says


def not_modified(scope: Scope, representation: Representation) -> bool:
    """Whether a GET or HEAD gets 304: If-None-Match decides when present (weak comparison);
    else If-Modified-Since."""
    none_match = _header(scope, b"if-none-match")
    if none_match is not None:
        tags = _tags(none_match)
        return "*" in tags or representation.etag in tags
    since = _date(_header(scope, b"if-modified-since"))
    return since is not None and representation.last_modified <= since


def byte_range(scope: Scope, representation: Representation) -> tuple[int, int] | None | Literal["unsatisfiable"]:
    """The one range a GET asks for as (first, last) inclusive, None to send everything, or
    "unsatisfiable". Several ranges, a malformed header, or an If-Range that no longer holds
    (the representation changed) mean everything, as RFC 9110 allows."""
    asked = _header(scope, b"range")
    if asked is None or scope["method"] != "GET":
        return None
    if_range = _header(scope, b"if-range")
    if if_range is not None:
        if if_range.startswith(('"', "W/")):
            if if_range != representation.etag:  # strong comparison: a weak tag never matches
                return None
        elif _date(if_range) != representation.last_modified:
            return None
    found = _RANGE.fullmatch(asked.replace(" ", ""))
    if not found or found.group(1) == found.group(2) == "":
        return None
    size = representation.size
    if found.group(1) == "":  # the last N bytes
        suffix = _position(found.group(2))
        return (max(0, size - suffix), size - 1) if suffix > 0 and size > 0 else "unsatisfiable"
    first = _position(found.group(1))
    last = _position(found.group(2)) if found.group(2) else size - 1
    if found.group(2) and last < first:
        return None  # not a range at all: ignored
    if first >= size:
        return "unsatisfiable"
    return first, min(last, size - 1)


def _position(digits: str) -> int:
    """A byte position of a Range header; any number past every file's size reads as one that is."""
    significant = digits.lstrip("0")
    return int(significant or "0") if len(significant) <= 18 else _BEYOND_ANY_FILE


def _start(status: int, headers: list[tuple[str, str]]) -> Message:
    return {
        "type": "http.response.start",
        "status": status,
        "headers": [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers],
    }


async def send_representation(scope: Scope, receive: Receive, send: Send, representation: Representation) -> None:
    """Answer a GET or HEAD with ``representation``: 304, 416, 206 or 200."""
    validators = [
        ("etag", representation.etag),
        ("last-modified", formatdate(representation.last_modified, usegmt=True)),
        *representation.headers,
    ]
    if not_modified(scope, representation):
        await send(_start(304, validators))
        await send({"type": "http.response.body", "body": b""})
        return
    chosen = byte_range(scope, representation)
    if chosen == "unsatisfiable":
        await send(
            _start(416, [("content-range", f"bytes */{representation.size}"), ("content-length", "0"), *validators])
        )
        await send({"type": "http.response.body", "body": b""})
        return
    first, last = chosen if chosen is not None else (0, representation.size - 1)
    length = last - first + 1
    headers = [*validators, ("accept-ranges", "bytes"), ("content-length", str(length))]
    if chosen is not None:
        headers.append(("content-range", f"bytes {first}-{last}/{representation.size}"))
    await send(_start(206 if chosen is not None else 200, headers))
    if scope["method"] == "HEAD" or length == 0:
        await send({"type": "http.response.body", "body": b""})
        return
    await _send_bytes(receive, send, representation.fd, representation.start + first, length)


async def _send_bytes(receive: Receive, send: Send, fd: int, offset: int, length: int) -> None:
    """Send ``length`` bytes of ``fd`` from ``offset``, a chunk at a time, until done or until
    the client hangs up (the server's send would then drop them silently)."""
    gone = asyncio.Event()

    async def watch() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        gone.set()

    watcher = asyncio.create_task(watch())
    try:
        while length > 0 and not gone.is_set():
            chunk = await asyncio.to_thread(os.pread, fd, min(CHUNK_BYTES, length), offset)
            if not chunk:
                raise RuntimeError("the file is shorter than its representation")
            offset, length = offset + len(chunk), length - len(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": length > 0})
    finally:
        watcher.cancel()
