"""Automatic persisted queries (Apollo's APQ protocol) and the optional safelist.

A client sends `extensions.persistedQuery.sha256Hash` instead of the document (over POST,
or over GET so that HTTP caches can keep the answer). An unknown hash is answered
PERSISTED_QUERY_NOT_FOUND; the client then sends the document with its hash once, which
registers it (the hash is checked) if it parses as GraphQL; one that does not is passed on
unregistered, to be answered as any syntax error is. Registered documents are bounded by
count and by total size. The named operations of `graphql/operations/` are known from the start.

Every request is checked here, where its body is first read: `query` must be text and
`extensions` an object, and neither `variables` nor `extensions` may nest deeper than
MAX_JSON_DEPTH (the layers after this one walk them recursively).

In safelist mode (`MICROCRED_SAFELIST=1`), anonymous requests may run only those named
operations, by hash or by their exact text, and nothing registers; clients with a token are
known parties and are not restricted.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import orjson
from graphql import GraphQLSyntaxError, parse
from starlette.types import ASGIApp, Receive, Scope, Send

from registry.api.limits import MAX_TOKENS
from registry.http.asgi import read_body, replay
from registry.http.guards import refuse

OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations"
MAX_DOCUMENTS = 5_000  # registered documents kept per process (least recently used out)
MAX_DOCUMENT_BYTES = 100_000  # longer documents are not registered
MAX_REGISTERED_BYTES = 20_000_000  # and all registered documents together (least recently used out)
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
    """Documents by hash: the named operations for ever, registered ones least recently used out."""

    def __init__(self, named: dict[str, str]) -> None:
        self.named = named
        self.registered: OrderedDict[str, str] = OrderedDict()
        self.registered_bytes = 0

    def resolve(self, request: dict, *, safelist: bool) -> str | None:
        """The document ``request`` runs, registering it when it comes with its hash;
        raises PersistedQueryError when the protocol or the safelist refuses it."""
        query, extensions = _checked_parts(request)
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if safelist and query not in self.named.values():
                raise PersistedQueryError(
                    "OPERATION_NOT_IN_SAFELIST",
                    "Only the registry's named operations (graphql/operations/) may run without a token here.",
                    400,
                )
            return query
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if (
            not isinstance(persisted, dict)
            or persisted.get("version") != 1
            or not isinstance(digest, str)
            or not _HASH.match(digest)
        ):
            raise PersistedQueryError(
                "PERSISTED_QUERY_INVALID",
                "persistedQuery needs version 1 and a lower-case hexadecimal sha256Hash.",
                400,
            )
        known = self.named.get(digest) or (None if safelist else self._registered(digest))
        if query is None:
            if known is None:
                raise PersistedQueryError("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
            return known
        if sha256(query) != digest:
            raise PersistedQueryError(
                "PERSISTED_QUERY_HASH_MISMATCH", "sha256Hash is not the SHA-256 of the query.", 400
            )
        if known is None:
            if safelist:
                raise PersistedQueryError(
                    "OPERATION_NOT_IN_SAFELIST",
                    "Only the registry's named operations (graphql/operations/) may run without a token here.",
                    400,
                )
            self._register(digest, query)
        return query

    def _registered(self, digest: str) -> str | None:
        document = self.registered.get(digest)
        if document is not None:
            self.registered.move_to_end(digest)
        return document

    def _register(self, digest: str, query: str) -> None:
        """Keep ``query`` if it is a GraphQL document of at most MAX_DOCUMENT_BYTES, then drop the
        least recently used documents until the count and the total size are within bounds."""
        size = len(query.encode())
        if size > MAX_DOCUMENT_BYTES or not _parses(query):
            return
        self.registered[digest] = query
        self.registered_bytes += size
        while len(self.registered) > MAX_DOCUMENTS or self.registered_bytes > MAX_REGISTERED_BYTES:
            _, dropped = self.registered.popitem(last=False)
            self.registered_bytes -= len(dropped.encode())


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
            document = self.store.resolve(request, safelist=safelist)
        except PersistedQueryError as error:
            await refuse(scope, send, error.status, error.code, error.message)
            return
        params["query"] = document
        # In place, not a copy: the layers outside read what the inner ones mark in the scope.
        scope["query_string"] = urlencode(params).encode()
        await self.app(scope, receive, send)

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
            document = self.store.resolve(request, safelist=safelist)
            if document != request.get("query"):
                body = _encode({**request, "query": document})
        except PersistedQueryError as error:
            await refuse(scope, send, error.status, error.code, error.message)
            return
        await self.app(scope, replay(body), send)


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


def _parses(document: str) -> bool:
    """Whether ``document`` is GraphQL as the schema will read it (its token limit included)."""
    try:
        parse(document, max_tokens=MAX_TOKENS)
    except GraphQLSyntaxError:
        return False
    return True


def _json_or_none(text: str | None) -> object:
    """``text`` as JSON; None when absent or not JSON (the GraphQL layer answers that)."""
    if not text:
        return None
    try:
        return orjson.loads(text)
    except ValueError:
        return None
