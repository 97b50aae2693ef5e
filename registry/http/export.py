"""`GET /export/credentials.jsonl` (and HEAD): the bulk export served from files.

No database connection is held while a client reads, however slowly (the audit's finding:
ten sockets that read nothing pinned ten pooled connections in open transactions). The
file is a snapshot file when the current set has one for the request's jurisdiction (the
tail of it for ``updatedSince``), else a spool written at the database's pace first; then
registry.http.files sends it. Each caller may have ``MICROCRED_EXPORTS_PER_CALLER``
downloads running at once in this process; more get 429 with Retry-After.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from registry.api import cursors
from registry.api.feed import FEED
from registry.config import Settings
from registry.db import Database, PoolExhausted
from registry.http.export_limits import RETRY_AFTER_SECONDS, ConcurrencyLimit, caller_of
from registry.http.files import Representation, send_representation
from registry.http.guards import refuse
from registry.http.metrics import RATE_LIMITED
from registry.services.export import parse_filters
from registry.services.export.build import spool
from registry.services.export.files import FULL, Shelf, micros, tail_offset
from registry.store import export


async def export_folder(settings: Settings, dsn: str, db: Database) -> Path:
    """This database's snapshot folder: one per database (server address, name and oid), so
    that processes pointed at other databases never serve each other's files."""
    name, oid = await export.database_identity(db)
    parts = urlsplit(dsn)  # the address only: no password goes into a name, even hashed
    where = hashlib.blake2b(f"{parts.hostname}:{parts.port}/{name}#{oid}".encode(), digest_size=6).hexdigest()
    return (settings.export_dir or settings.data_dir / "exports") / f"{name}-{where}"


@dataclass
class Opened:
    """A representation ready to send, and what to close once it is sent."""

    representation: Representation
    close: Callable[[], None]


class Exports:
    """One process's export: the snapshot shelf, the per-caller limit, and the spool slots."""

    def __init__(self, db: Database, folder: Path, settings: Settings) -> None:
        self.db, self.folder, self.shelf = db, folder, Shelf(folder)
        self.limit = ConcurrencyLimit(settings.exports_per_caller)
        # Spooling holds a pooled connection (at the database's pace): never more than a quarter of the pool.
        self.spool_slots = asyncio.Semaphore(max(1, settings.pool_max_size // 4))
        self.spool_wait = settings.pool_timeout_seconds

    async def open(self, jurisdiction: str | None, since: datetime | None) -> Opened:
        """The export with these filters: from the snapshot set when it has the file, else spooled."""
        found = await asyncio.to_thread(self._from_snapshot, jurisdiction or FULL, since)
        return found if found is not None else await self._spooled(jurisdiction, since)

    def _from_snapshot(self, label: str, since: datetime | None) -> Opened | None:
        for _ in range(3):  # a build may prune the index between opening the file and reading the index
            opened = self.shelf.open(label)
            if opened is None:
                return None
            fd, entry, snapshot = opened
            start, etag = 0, entry.etag
            try:
                if since is not None:
                    start = tail_offset(self.folder / entry.index, micros(since), entry.size)
            except FileNotFoundError:
                os.close(fd)
                continue
            except BaseException:
                os.close(fd)
                raise
            if start:  # other bytes, another tag: the file's, and where the tail begins
                etag = f'"{entry.etag.strip(chr(34))}.{start}"'
            headers = _headers("snapshot", snapshot.position)
            return Opened(
                Representation(fd, start, entry.size - start, etag, entry.last_modified, headers), partial(os.close, fd)
            )
        return None

    async def _spooled(self, jurisdiction: str | None, since: datetime | None) -> Opened:
        try:
            await asyncio.wait_for(self.spool_slots.acquire(), self.spool_wait)
        except TimeoutError as error:  # answered 503 with Retry-After, like a busy pool
            raise PoolExhausted(f"no export spool slot came free within {self.spool_wait} s") from error
        try:
            spooled = await spool(self.db, self.folder, jurisdiction=jurisdiction, updated_since=since)
        finally:
            self.spool_slots.release()
        representation = Representation(
            spooled.file.fileno(),
            0,
            spooled.size,
            spooled.etag,
            spooled.last_modified,
            _headers("spooled", spooled.position),
        )
        return Opened(representation, spooled.file.close)


def _headers(source: str, position: tuple[int, int] | None) -> tuple[tuple[str, str], ...]:
    """The export's headers; the feed position becomes the `changes(after:)` cursor to follow from."""
    cursor = cursors.encode_position(FEED, position) if position is not None else None
    return (
        ("content-type", "application/x-ndjson"),
        ("content-disposition", 'attachment; filename="credentials.jsonl"'),
        ("cache-control", "public, no-cache"),  # shared caches may keep it, revalidating by ETag
        ("x-microcred-export", source),
        *((("x-microcred-changes-cursor", cursor),) if cursor else ()),
    )


class CredentialsExport:
    """GET (and HEAD) /export/credentials.jsonl, as an ASGI app: the caller's slot is held until
    the last byte has gone (or the client has hung up), not only until a response object exists."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            jurisdiction, since = parse_filters(
                request.query_params.get("jurisdiction"), request.query_params.get("updatedSince")
            )
        except ValueError as error:
            response = JSONResponse({"error": "invalid_request", "error_description": str(error)}, status_code=400)
            await response(scope, receive, send)
            return
        exports: Exports = scope["app"].state.exports
        caller = caller_of(scope)
        with exports.limit.slot(caller) as admitted:
            if not admitted:
                RATE_LIMITED.labels(caller[0]).inc()
                await refuse(
                    scope,
                    send,
                    429,
                    "RATE_LIMITED",
                    f"At most {exports.limit.per_caller} export downloads at once per caller; "
                    "retry when one has finished.",
                    [(b"retry-after", str(RETRY_AFTER_SECONDS).encode())],
                )
                return
            opened = await exports.open(jurisdiction, since)
            try:
                await send_representation(scope, receive, send, opened.representation)
            finally:
                opened.close()


credentials_jsonl = CredentialsExport()
