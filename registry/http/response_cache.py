"""Anonymous GraphQL responses kept in memory, with ETags and Cache-Control.

A public read that was answered before is answered again from memory, without parsing,
validating or touching PostgreSQL. Every committed change to public data ends the cache's
current generation: PostgreSQL notifies every listening process (registry.http.change_notices).
An entry of an ended generation is no longer fresh; for a short while after the change that
ended it (``stale_for``, half a second by default) it is still served (`X-Cache: STALE`) while
one request computes the fresh answer in the background, so that a stream of writes does not
send every reader to PostgreSQL at once; past that, readers wait for the fresh answer. A write
is thus visible to every public read on any process within a second. While a process is not
listening (its notice connection is lost), it neither serves nor stores entries.

Keys are the request itself (method, query string, content type and body: the document,
its variables and `lang` all live there). Only responses the GraphQL layer marked cacheable
(no errors) are kept, within a byte budget (least recently used first out) and a time to
live, so that what depends on the date (recognitions in force) is never stale for long.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.db import track_statements
from registry.http.asgi import on_response_start, read_body, replay, with_headers
from registry.http.metrics import CACHE
from registry.http.observability import STATS

log = logging.getLogger(__name__)

CACHEABLE = "registry.cacheable"  # the ASGI scope key a handler sets on a public answer it may share
# The ASGI scope key this cache sets on a request whose answer it may give to other callers: the
# handler leaves out of it what is this caller's alone (registry/app.py).
SHARED = "registry.shared"
ENTRY_OVERHEAD = 256  # bytes counted per entry beyond its body, for the budget
MAX_REFRESHING = 4  # background refreshes at once per process: they hold database connections
Headers = list[tuple[bytes, bytes]]  # an ASGI response's headers


@dataclass(frozen=True)
class Entry:
    """One stored response."""

    headers: Headers
    body: bytes
    etag: bytes
    stored_at: float
    generation: int = 0  # the cache generation the response was computed in

    @property
    def size(self) -> int:
        return len(self.body) + ENTRY_OVERHEAD


# What running a request gave: (status, headers, body, the entry when the answer may be shared:
# a 200 its handler marked CACHEABLE).
Computed = tuple[int, Headers, bytes, Entry | None]


class ResponseCache:
    """Responses by key: least recently used evicted past ``max_bytes``, none older than ``ttl``,
    none served more than ``stale_for`` seconds after the change that made it stale."""

    def __init__(
        self, max_bytes: int, ttl: float, stale_for: float = 0.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_bytes, self.ttl, self.stale_for, self.clock = max_bytes, ttl, stale_for, clock
        self.entries: OrderedDict[bytes, Entry] = OrderedDict()
        self.bytes = 0
        self.generation = 0  # ended by every change: a response computed before it is stale
        self.ended: dict[int, float] = {}  # generation -> when the change that ended it was heard
        self.blind = -1  # a generation begun while notices were lost: no stale window for it, ever
        self.listening = False  # only true while change notices are being received
        self.hits = self.misses = 0
        self.refreshing: dict[bytes, asyncio.Task[object]] = {}  # key -> its fresh answer, computed behind a stale one

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0 and self.listening

    def get(self, key: bytes) -> Entry | None:
        """The entry for ``key`` if it may be served: fresh, or stale for less than ``stale_for``."""
        entry = self.entries.get(key) if self.enabled else None
        if entry is not None and not self._servable(entry):
            self._drop(key)
            entry = None
        if entry is None:
            self.misses += 1
            return None
        self.entries.move_to_end(key)
        self.hits += 1
        return entry

    def is_fresh(self, entry: Entry) -> bool:
        """Whether no change was heard since ``entry`` was begun."""
        return entry.generation == self.generation

    def put(self, key: bytes, entry: Entry) -> None:
        """Store ``entry`` unless it may not be served any more, or a newer one is there."""
        if not self.enabled or entry.size > self.max_bytes or not self._servable(entry):
            return
        if key in self.entries:
            if self.entries[key].generation > entry.generation:
                return
            self._drop(key)
        self.entries[key] = entry
        self.bytes += entry.size
        while self.bytes > self.max_bytes:
            self._drop(next(iter(self.entries)))

    def change_heard(self) -> None:
        """Public data changed: every entry is stale from now on."""
        now = self.clock()
        if self.generation != self.blind:
            self.ended[self.generation] = now
        self.generation += 1
        self.ended = {generation: at for generation, at in self.ended.items() if now - at < self.stale_for}

    def clear(self) -> None:
        """Forget everything (notices were lost: what changed meanwhile is unknown, so nothing
        begun before the notices are heard again may be served, not even stale)."""
        self.entries.clear()
        self.bytes = 0
        self.generation += 1
        self.blind = self.generation

    async def stop_refreshing(self) -> None:
        """Cancel the background refreshes still running (the app is stopping)."""
        for task in self.refreshing.values():
            task.cancel()
        await asyncio.gather(*self.refreshing.values(), return_exceptions=True)

    def _servable(self, entry: Entry) -> bool:
        now = self.clock()
        if now - entry.stored_at > self.ttl:
            return False
        if self.is_fresh(entry):
            return True
        ended = self.ended.get(entry.generation)
        return ended is not None and now - ended < self.stale_for

    def _drop(self, key: bytes) -> None:
        self.bytes -= self.entries.pop(key).size


def etag_of(body: bytes) -> bytes:
    """A strong ETag: the same bytes, the same tag."""
    return b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'


class ResponseCacheMiddleware:
    """Serves and stores anonymous responses of the paths ``cached(path)`` accepts (GraphQL,
    the pages) that their handler marked CACHEABLE; adds ETag and Cache-Control, answers
    ``If-None-Match`` with 304. Requests with credentials pass through, marked no-store."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        cache: ResponseCache,
        max_age: int,
        cached: Callable[[str], bool] = lambda path: path == "/graphql",
    ) -> None:
        self.app, self.cache, self.cached = app, cache, cached
        # Whether an anonymous answer may reach another caller without coming back here: from
        # this cache, or from an HTTP cache allowed to serve it for max_age without asking.
        self.shares = cache.max_bytes > 0 or max_age > 0
        self.running: dict[bytes, tuple[int, asyncio.Future[Computed]]] = {}  # identical misses in flight
        self.public = (b"public, max-age=%d" % max_age) if max_age > 0 else b"public, no-cache"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.cached(scope["path"]) or scope["method"] not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if b"authorization" in headers:
            await self.app(
                scope, receive, on_response_start(send, lambda m: with_headers(m, [(b"cache-control", b"no-store")]))
            )
            return
        if self.shares:
            scope[SHARED] = True
        body = await read_body(receive)
        key = hashlib.blake2b(
            b"\n".join(
                [
                    scope["method"].encode(),
                    scope["path"].encode(),
                    scope["query_string"],
                    headers.get(b"content-type", b""),
                    headers.get(b"accept", b""),
                    body,
                ]
            ),
            digest_size=20,
        ).digest()
        entry = self.cache.get(key)
        state = "miss" if entry is None else "hit" if self.cache.is_fresh(entry) else "stale"
        CACHE.labels(state).inc()
        if entry is None:
            status, response_headers, content, entry = await self._compute(key, scope, body)
            if entry is None:  # this caller's own answer (a refusal, an error): for nobody else
                own = [h for h in response_headers if h[0] not in (b"content-length", b"cache-control")]
                await _send(send, status, [*own, (b"cache-control", b"no-store"), (b"x-cache", b"MISS")], content)
                return
        elif state == "stale":
            self._refresh(key, scope, body)
        extra = [(b"x-cache", state.upper().encode())]
        caching = [(b"etag", entry.etag), (b"cache-control", self.public)]
        if headers.get(b"if-none-match") in (entry.etag, b"*"):
            await _send(send, 304, caching + extra, b"")
            return
        await _send(send, 200, entry.headers + caching + extra, entry.body)

    async def _compute(self, key: bytes, scope: Scope, body: bytes) -> Computed:
        """Run the request, or wait for the same request already running (a burst of
        identical misses costs one execution). A follower joins only a run begun after the
        last change, so it never gets an answer older than its own arrival, and takes only an
        answer that may be shared: a refusal or an error is its caller's own (a caller over its
        rate limit must not pass its 429 to everyone asking the same). Returns (status,
        headers, body, the entry when the answer may be shared)."""
        running = self.running.get(key)
        if running is not None and running[0] == self.cache.generation and self.cache.enabled:
            try:
                led = await asyncio.shield(running[1])
                if led[3] is not None:
                    return led
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is None or task.cancelling():
                    raise  # this request was cancelled, not the one it waited for
            except Exception:  # the first run failed: this one tries for itself
                pass
        generation = self.cache.generation
        future: asyncio.Future[Computed] = asyncio.get_running_loop().create_future()
        self.running[key] = (generation, future)
        try:
            status, headers, content = await _capture(self.app, scope, replay(body))
            entry = None
            if status == 200 and scope.get(CACHEABLE):
                entry = Entry(
                    [h for h in headers if h[0] != b"content-length"],
                    content,
                    etag_of(content),
                    self.cache.clock(),
                    generation,
                )
                self.cache.put(key, entry)
            result: Computed = (status, headers, content, entry)
            future.set_result(result)
            return result
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as error:
            future.set_exception(error)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waited
            raise
        finally:
            if self.running.get(key, (None, None))[1] is future:
                del self.running[key]

    def _refresh(self, key: bytes, scope: Scope, body: bytes) -> None:
        """Compute the fresh answer to a request served stale, unless an answer to it is being
        computed already (whatever its generation: one at a time per key, so a stream of writes
        faster than the computation does not pile them up) or MAX_REFRESHING are running; then
        the stale answer is served until its window closes, and readers wait after that."""
        refreshing = self.cache.refreshing
        if key in self.running or key in refreshing or len(refreshing) >= MAX_REFRESHING:
            return
        task = asyncio.ensure_future(self._compute_apart(key, dict(scope), body))
        refreshing[key] = task
        task.add_done_callback(lambda done: self._refreshed(key, done))

    async def _compute_apart(self, key: bytes, scope: Scope, body: bytes) -> Computed:
        # Its statements are its own, not those of the request it was started by.
        track_statements()
        scope.pop(STATS, None)
        return await self._compute(key, scope, body)

    def _refreshed(self, key: bytes, task: asyncio.Task[Computed]) -> None:
        self.cache.refreshing.pop(key, None)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.warning("refreshing a stale answer failed: %r; readers wait for the next one", error)


async def _capture(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[int, Headers, bytes]:
    status = 500
    headers: Headers = []
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, headers, b"".join(chunks)


async def _send(send: Send, status: int, headers: Headers, body: bytes) -> None:
    length = [] if status == 304 else [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": [*headers, *length]})
    await send({"type": "http.response.body", "body": body})
