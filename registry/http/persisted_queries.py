"""Automatic persisted queries (Apollo's APQ protocol) and the optional safelist.

A client sends `extensions.persistedQuery.sha256Hash` instead of the document (over POST,
or over GET so that HTTP caches can keep the answer). An unknown hash is answered
PERSISTED_QUERY_NOT_FOUND; the client then sends the document with its hash once, which
registers it (the hash is checked) if the GraphQL layer parsed it: registration waits for that
layer, which charges the parse (registry/api/throttle.py) and refuses documents too long, so
that nothing is parsed or stored here for free. A document that does not parse is answered as
any syntax error is, unregistered. The named operations of
`graphql/operations/` are known from the start, in every process.

Registered documents live in PostgreSQL (registry.store.persisted_queries), so a hash registered
through one process is known to every other, on any machine; the table keeps the most recently
used, bounded by count and by total size. Each process also keeps the documents it used last in
memory, within the same bounds, and trusts them for RECHECK_SECONDS without asking the table:
the hot path costs no SQL. An unknown hash met while the database is away is not answered
PERSISTED_QUERY_NOT_FOUND (the process cannot know): the error goes up and the request is
answered 503 with Retry-After, as anything else that needs the database is.

Every request is checked here, where its body is first read: `query` must be text and
`extensions` an object, and neither `variables` nor `extensions` may nest deeper than
MAX_JSON_DEPTH (the layers after this one walk them recursively).

In safelist mode (`MICROCRED_SAFELIST=1`), anonymous requests may run only those named
operations, by hash or by their exact text, and nothing registers; clients with a token are
known parties and are not restricted.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import OrderedDict
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.api.kept_documents import KEPT
from registry.api.limits import MAX_TOKENS
from registry.db import Executor, is_unavailable
from registry.http.asgi import read_body, replay
from registry.http.guards import refuse
from registry.store import persisted_queries as table

OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations"
log = logging.getLogger("microcred.http")
MAX_DOCUMENTS = 5_000  # registered documents kept, in the table and in each process (least recently used out)
MAX_REGISTERED_BYTES = 20_000_000  # and all registered documents together (least recently used out)
# How long a process serves a document from memory before reading it from the table again, which
# marks it used there (so that documents in use are not pruned) and forgets it if it was pruned.
RECHECK_SECONDS = 600
# Nesting of `variables` and `extensions`: the deepest honest input (a batch of listings with their
# language maps) nests 5 levels; Python's stack holds about 1,000, and orjson reads up to 1,024.
MAX_JSON_DEPTH = 64
_HASH = re.compile(r"^[0-9a-f]{64}$")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def named_operations(folder: Path = OPERATIONS) -> dict[str, str]:
    """The repository's named operations by the SHA-256 of their text."""
    return {sha256(text): text for text in (path.read_text() for path in sorted(folder.glob("*.graphql")))}


class PersistedQueryError(Exception):
    """A request the protocol refuses; ``code`` is the GraphQL error code clients look for."""

    def __init__(self, code: str, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class DocumentStore:
    """Documents by hash: the named operations for ever, registered ones in PostgreSQL (shared by
    every process), the most recently used of them also in this process's memory."""

    def __init__(self, named: dict[str, str]) -> None:
        self.named = named
        self.registered: OrderedDict[str, tuple[str, float]] = OrderedDict()  # document, when checked
        self.registered_bytes = 0

    async def resolve(self, request: dict, *, db: Executor, safelist: bool) -> str | None:
        """The document ``request`` runs, registering it when it comes with its hash;
        raises PersistedQueryError when the protocol or the safelist refuses it."""
        query, extensions = _checked_parts(request)
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if safelist and query not in self.named.values():
                raise _not_in_safelist()
            return query
        digest = _digest(persisted)
        if query is None:
            known = self.named.get(digest) or (None if safelist else await self._registered(db, digest))
            if known is None:
                raise PersistedQueryError("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
            return known
        if sha256(query) != digest:
            raise PersistedQueryError(
                "PERSISTED_QUERY_HASH_MISMATCH", "sha256Hash is not the SHA-256 of the query.", 400
            )
        if digest not in self.named and safelist:
            raise _not_in_safelist()
        return query

    async def register_parsed(self, request: dict, *, db: Executor, answered_from_cache: bool) -> None:
        """Register the document ``request`` brought with its hash (``resolve`` checked both), once
        the GraphQL layer has parsed it (this process keeps it parsed), or when the response cache
        answered it (an answer it holds was parsed and accepted before)."""
        query, extensions = _checked_parts(request)
        persisted = (extensions or {}).get("persistedQuery")
        if query is None or persisted is None:
            return
        if not (answered_from_cache or KEPT.keeps(query, max_tokens=MAX_TOKENS)):
            return
        digest = _digest(persisted)
        if digest not in self.named:
            await self._register(db, digest, query)

    async def _registered(self, db: Executor, digest: str) -> str | None:
        """The document registered under ``digest``: from memory if checked in the last
        RECHECK_SECONDS, else from the table (which marks it used). While the database is
        away, what memory holds still serves; without it, the error goes up (a 503)."""
        kept = self._remembered(digest)
        if kept is not None and _fresh(kept):
            return kept[0]
        try:
            document = await table.use(db, digest)
        except Exception as error:
            if kept is None or not is_unavailable(error):
                raise
            return kept[0]
        self._keep(digest, document)
        return document

    async def _register(self, db: Executor, digest: str, query: str) -> None:
        """Register ``query`` if PostgreSQL can store it as text, unless this process checked it
        was registered recently."""
        kept = self._remembered(digest)
        if kept is not None and _fresh(kept):
            return
        if "\x00" in query:
            return
        await table.register(db, digest, query, max_documents=MAX_DOCUMENTS, max_bytes=MAX_REGISTERED_BYTES)
        self._keep(digest, query)

    def _remembered(self, digest: str) -> tuple[str, float] | None:
        kept = self.registered.get(digest)
        if kept is not None:
            self.registered.move_to_end(digest)
        return kept

    def _keep(self, digest: str, document: str | None) -> None:
        """Remember ``document`` (forget ``digest`` when None), then drop the least recently used
        documents until this process's copies are within MAX_DOCUMENTS and MAX_REGISTERED_BYTES."""
        if (old := self.registered.pop(digest, None)) is not None:
            self.registered_bytes -= len(old[0].encode())
        if document is None:
            return
        self.registered[digest] = (document, time.monotonic())
        self.registered_bytes += len(document.encode())
        while len(self.registered) > MAX_DOCUMENTS or self.registered_bytes > MAX_REGISTERED_BYTES:
            _, (dropped, _) = self.registered.popitem(last=False)
            self.registered_bytes -= len(dropped.encode())


def _fresh(kept: tuple[str, float]) -> bool:
    """Whether a document this process remembers was checked in the table in the last RECHECK_SECONDS."""
    return time.monotonic() - kept[1] < RECHECK_SECONDS


def _digest(persisted: object) -> str:
    """The hash of an `extensions.persistedQuery`; raises PersistedQueryError (400) when it is
    not version 1 with a lower-case hexadecimal SHA-256."""
    digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    if (
        isinstance(persisted, dict)
        and persisted.get("version") == 1
        and isinstance(digest, str)
        and _HASH.fullmatch(digest)
    ):
        return digest
    raise PersistedQueryError(
        "PERSISTED_QUERY_INVALID", "persistedQuery needs version 1 and a lower-case hexadecimal sha256Hash.", 400
    )


def _not_in_safelist() -> PersistedQueryError:
    return PersistedQueryError(
        "OPERATION_NOT_IN_SAFELIST",
        "Only the registry's named operations (graphql/operations/) may run without a token here.",
        400,
    )


class PersistedQueryMiddleware:
    """Resolves persisted queries on the GraphQL path before Strawberry sees the request."""

    def __init__(self, app: ASGIApp, *, store: DocumentStore, safelist: bool, path: str = "/graphql") -> None:
        self.app, self.store, self.safelist, self.path = app, store, safelist, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        anonymous = not any(name == b"authorization" for name, _ in scope["headers"])
        safelist = self.safelist and anonymous
        if scope["method"] == "GET":
            await self._get(scope, receive, send, safelist)
        elif scope["method"] == "POST":
            await self._post(scope, receive, send, safelist)
        else:
            await self.app(scope, receive, send)

    async def _get(self, scope: Scope, receive: Receive, send: Send, safelist: bool) -> None:
        params = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        if "query" not in params and "extensions" not in params:
            await self.app(scope, receive, send)  # GraphiQL
            return
        try:
            request = {"query": params.get("query"), "extensions": _json_object(params.get("extensions"))}
            _check_depth("variables", _json_or_none(params.get("variables")))
            document = await self.store.resolve(request, db=scope["app"].state.db, safelist=safelist)
        except PersistedQueryError as error:
            await refuse(scope, send, error.status, error.code, error.message)
            return
        params["query"] = document
        # In place, not a copy: the layers outside read what the inner ones mark in the scope.
        scope["query_string"] = urlencode(params).encode()
        await self.app(scope, receive, self._registering(scope, request, send))

    async def _post(self, scope: Scope, receive: Receive, send: Send, safelist: bool) -> None:
        body = await read_body(receive)
        try:
            # orjson, not json: it refuses nesting past 1,024 levels with a ValueError where
            # the standard library overflows Python's stack (RecursionError).
            request = orjson.loads(body)
        except ValueError:
            request = None
        if not isinstance(request, dict):  # batches and malformed bodies: Strawberry answers them
            await self.app(scope, replay(body), send)
            return
        try:
            _check_depth("variables", request.get("variables"))
            document = await self.store.resolve(request, db=scope["app"].state.db, safelist=safelist)
            if document != request.get("query"):
                body = _encode({**request, "query": document})
        except PersistedQueryError as error:
            await refuse(scope, send, error.status, error.code, error.message)
            return
        await self.app(scope, replay(body), self._registering(scope, request, send))

    def _registering(self, scope: Scope, request: dict, send: Send) -> Send:
        """``send``, registering the request's document before the answer starts (so that a
        client told the answer may then send the hash alone), once GraphQL has parsed it."""
        if request.get("query") is None or "persistedQuery" not in (request.get("extensions") or {}):
            return send

        async def registering(message: Message) -> None:
            if message["type"] == "http.response.start":
                cached = (b"x-cache", b"HIT") in message.get("headers", [])
                try:
                    await self.store.register_parsed(request, db=scope["app"].state.db, answered_from_cache=cached)
                except Exception as error:  # the answer stands; the client will send the document again
                    log.warning("persisted query not registered: %s", error)
            await send(message)

        return registering


def _encode(request: dict) -> bytes:
    """The request with its resolved document, as the body Strawberry reads."""
    try:
        return orjson.dumps(request)
    except TypeError as error:  # orjson stops at 254 levels of nesting
        raise PersistedQueryError("BAD_REQUEST", "The request is nested too deeply.", 400) from error


def _json_object(text: str | None) -> dict | None:
    if not text:
        return None
    try:
        value = orjson.loads(text)
    except ValueError as error:
        raise PersistedQueryError("BAD_REQUEST", f"`extensions` is not JSON: {error}.", 400) from error
    if not isinstance(value, dict):
        raise PersistedQueryError("BAD_REQUEST", "`extensions` must be a JSON object.", 400)
    return value


def _checked_parts(request: dict) -> tuple[str | None, dict | None]:
    """The request's `query` and `extensions`, each of the type the protocol gives it;
    raises PersistedQueryError (400) otherwise."""
    query, extensions = request.get("query"), request.get("extensions")
    if query is not None and not isinstance(query, str):
        raise PersistedQueryError("BAD_REQUEST", "`query` must be a string.", 400)
    if extensions is not None and not isinstance(extensions, dict):
        raise PersistedQueryError("BAD_REQUEST", "`extensions` must be a JSON object.", 400)
    _check_depth("extensions", extensions)
    return query, extensions


def _check_depth(name: str, value: object) -> None:
    """Raises PersistedQueryError (400) when ``value`` nests lists and objects more than
    MAX_JSON_DEPTH levels. Level by level, not recursively, so that no depth overflows here."""
    level = [value]
    for _ in range(MAX_JSON_DEPTH + 1):
        level = [child for item in level for child in _children(item)]
        if not level:
            return
    raise PersistedQueryError(
        "BAD_REQUEST", f"`{name}` may nest lists and objects at most {MAX_JSON_DEPTH} levels deep.", 400
    )


def _children(value: object) -> list | tuple:
    if isinstance(value, dict):
        return list(value.values())
    return value if isinstance(value, list) else ()


def _json_or_none(text: str | None) -> object:
    """``text`` as JSON; None when absent or not JSON (the GraphQL layer answers that)."""
    if not text:
        return None
    try:
        return orjson.loads(text)
    except ValueError:
        return None
