"""The Starlette application: the routes (GraphQL, OAuth, health, readiness, metrics, export,
listing documents) and the request layers around them."""

from __future__ import annotations

import asyncio
import gc
import os
from contextlib import asynccontextmanager

import orjson
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from auth.keys import Keys
from auth.resource import BearerAuthMiddleware
from auth.secrets import fernet
from auth.server import OAuthEndpoints
from registry import migrate
from registry.api.context import SUB_RESPONSE, Context
from registry.api.errors import ServiceUnavailable, shape_errors
from registry.api.planned_execution import count_planned_objects
from registry.api.schema import build_schema
from registry.api.throttle import for_every_caller
from registry.config import Settings
from registry.db import connect, resolve_database_url, track_statements
from registry.http.asgi import on_response_start, with_headers
from registry.http.change_notices import ChangeNotices
from registry.http.export import Exports, credentials_jsonl, export_folder
from registry.http.guards import (
    RETRY_AFTER_SECONDS,
    BodyLimitMiddleware,
    SecurityHeadersMiddleware,
    ServiceUnavailableMiddleware,
)
from registry.http.idempotency import IdempotencyMiddleware
from registry.http.metrics import metrics
from registry.http.observability import STATS, RequestLogMiddleware, configure_logging
from registry.http.persisted_queries import (
    DocumentStore,
    PersistedQueryMiddleware,
    named_operations,
)
from registry.http.response_cache import (
    CACHEABLE,
    SHARED,
    ResponseCache,
    ResponseCacheMiddleware,
)
from registry.pages import routes as pages
from registry.pages.calendar import offerings_calendar
from registry.pages.documents import credential_document
from registry.read_routing import ReadRouter
from registry.services import currency
from registry.services.export.keeper import Keeper
from registry.services.facet_index import LiveFacetIndex
from registry.services.rate_ledger import RateLedger
from registry.services.webhook_delivery import Worker
from registry.store import health as health_store


class RegistryGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI endpoint with the registry's request context."""

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)  # several times faster than json.dumps on search pages

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        request.scope[SUB_RESPONSE] = response  # process_result may set its status
        return Context.of_request(request.scope, request.app.state)

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        # The one place every result passes, parse errors included.
        if result.errors:
            result.errors = shape_errors(result.errors)
            if any(isinstance(error, ServiceUnavailable) for error in result.errors):
                response = request.scope[SUB_RESPONSE]
                response.status_code = 503
                response.headers["retry-after"] = str(RETRY_AFTER_SECONDS)
        else:
            request.scope[CACHEABLE] = True  # the response cache may keep it (anonymous requests only)
            if request.scope.get(SHARED):
                result.extensions = for_every_caller(result.extensions)
        return await super().process_result(request, result)


class ServerTimingMiddleware:
    """Adds ``Server-Timing: db;dur=<ms>;desc="<n> statements", graphql;desc="<m> objects planned"``
    to every HTTP response.

    Lets operators (and the tests) see how many SQL statements a request cost, and how many
    objects its GraphQL execution completed from plans (registry/api/planned_execution.py).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        stats = scope.get(STATS) or track_statements()
        planned = count_planned_objects()

        def timed(message: Message) -> Message:
            timing = (
                f'db;dur={stats.seconds * 1000:.1f};desc="{stats.count} statements", '
                f'graphql;desc="{planned.objects} objects planned"'
            )
            return with_headers(message, [(b"server-timing", timing.encode())])

        await self.app(scope, receive, on_response_start(send, timed))


async def health(request: Request) -> JSONResponse:
    """Liveness: the process answers. It does not touch the database, so that an orchestrator
    does not restart every process while PostgreSQL is away (readiness says that)."""
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> JSONResponse:
    """Readiness: the database answers and its schema is at this code's migration head. It
    also says whether this process's facet index is built (a process whose index is not yet
    built is ready: PostgreSQL counts its facets meanwhile), and whether its export keeper has
    every change it heard of in the snapshot files (`building` while it is deciding or building)."""
    current, head = await health_store.schema_revision(request.app.state.db), migrate.head_revision()
    if current != head:
        return JSONResponse(
            {"status": "migrating", "database": current, "code": head},
            status_code=503,
            headers={"retry-after": str(RETRY_AFTER_SECONDS)},
        )
    index = request.app.state.facet_index
    facets = "off" if index is None else "ready" if index.ready else "building"
    export = "current" if request.app.state.export_keeper.current else "building"
    return JSONResponse({"status": "ready", "revision": head, "facetIndex": facets, "export": export})


def create_app(settings: Settings | None = None, dsn: str | None = None, *, worker: bool = False) -> Starlette:
    """The registry's ASGI app; it opens its pool on ``dsn`` (or the configured database).
    With ``worker``, it also delivers webhooks in-process."""
    settings = settings or Settings.from_env()
    cache = ResponseCache(
        settings.response_cache_bytes, settings.response_cache_ttl_seconds, settings.response_cache_stale_seconds
    )

    @asynccontextmanager
    async def lifespan(app: Starlette):
        app.state.settings, app.state.response_cache = settings, cache
        database_url = dsn or await resolve_database_url(settings)
        app.state.db = await connect(database_url, settings)
        replicas = [await connect(url, settings) for url in settings.read_database_urls]
        app.state.router = ReadRouter(app.state.db, replicas)
        app.state.facet_index = LiveFacetIndex(app.state.db) if settings.facet_index else None
        folder = await export_folder(settings, database_url, app.state.db)
        app.state.exports = Exports(app.state.db, folder, settings)
        keeper = app.state.export_keeper = Keeper(database_url, settings, folder)  # rebuilds the export's files
        stop = asyncio.Event()
        tasks = [asyncio.create_task(Worker(app.state.db, settings, fernet(settings)).run(stop))] if worker else []
        if worker:  # listings due for confirmation: their providers' webhooks are told (once each)
            tasks.append(asyncio.create_task(currency.keep_reminding(app.state.db, settings, stop)))
        tasks.append(asyncio.create_task(keeper.run(stop)))
        # The notices feed the keeper always; the read router only with the cache (as before: without
        # a cache, nothing needs reads fenced behind the changes this process heard of).
        router = app.state.router if settings.response_cache_bytes > 0 else None
        tasks.append(asyncio.create_task(ChangeNotices(database_url, cache, router, on_change=keeper.heard).run(stop)))
        # Rate-limit charges admitted in this process, settled with the shared buckets every second
        # and once more when the app stops (before the pool closes).
        app.state.rate_ledger = RateLedger(app.state.db)
        tasks.append(asyncio.create_task(app.state.rate_ledger.run(stop)))
        # Built in the background (PostgreSQL counts until it is done); stopped with the app.
        if app.state.facet_index is not None:
            app.state.facet_index.start()
        try:
            yield
        finally:
            stop.set()
            if app.state.facet_index is not None:
                await app.state.facet_index.stop()
            await cache.stop_refreshing()
            await asyncio.gather(*tasks)
            for db in (app.state.db, *replicas):
                await db.close()

    keys = Keys(fernet(settings))
    oauth = OAuthEndpoints(settings, keys)
    app = Starlette(
        routes=[
            *pages.routes(),
            Route("/healthz", health),
            Route("/readyz", ready),
            Route("/metrics", metrics),
            Route(
                "/graphql",
                RegistryGraphQL(build_schema(settings.production, settings.planned_execution), graphql_ide="graphiql"),
                methods=["GET", "POST"],
            ),
            Route("/oauth/token", oauth.token, methods=["POST"]),
            Route("/oauth/revoke", oauth.revoke, methods=["POST"]),
            Route("/oauth/introspect", oauth.introspect, methods=["POST"]),
            Route("/.well-known/jwks.json", oauth.jwks),
            Route("/.well-known/oauth-authorization-server", oauth.metadata),
            Route("/export/credentials.jsonl", credentials_jsonl, methods=["GET", "HEAD"]),
            Route("/credentials/{id}", credential_document),
            Route("/credentials/{id}/offerings.ics", offerings_calendar),
        ],
        lifespan=lifespan,
        exception_handlers={404: pages.not_found},
    )
    _add_middleware(app, settings, keys, cache)
    return app


def _add_middleware(app: Starlette, settings: Settings, keys: Keys, cache: ResponseCache) -> None:
    """The request layers, innermost first (each one added wraps those before it)."""
    # Inside the bearer check, so that it knows the client.
    app.add_middleware(IdempotencyMiddleware)
    # /export/ for its per-caller limit: a valid token makes the caller its client, not its address.
    app.add_middleware(
        BearerAuthMiddleware, settings=settings, keys=keys, paths=("/graphql", "/credentials/", "/export/")
    )
    app.add_middleware(PersistedQueryMiddleware, store=DocumentStore(named_operations()), safelist=settings.safelist)
    # Outside those: a cached anonymous answer needs no bearer check, no document, no GraphQL.
    app.add_middleware(
        ResponseCacheMiddleware,
        cache=cache,
        max_age=settings.cache_max_age_seconds,
        cached=lambda path: path == "/graphql" or pages.is_page(path) or path.startswith("/credentials/"),
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=[
                "authorization",
                "content-type",
                "idempotency-key",
                "if-none-match",
                "if-modified-since",
                "range",
                "if-range",
            ],
            expose_headers=[
                "etag",
                "x-cache",
                "retry-after",
                "last-modified",
                "content-range",
                "x-microcred-changes-cursor",
            ],
            max_age=600,
        )
    app.add_middleware(SecurityHeadersMiddleware, https=settings.issuer.startswith("https://"))
    app.add_middleware(ServiceUnavailableMiddleware)
    if settings.server_timing:
        app.add_middleware(ServerTimingMiddleware)
    # Outermost: every request gets its id, its log line and its metrics, whatever happens inside.
    app.add_middleware(RequestLogMiddleware)


def app_from_env() -> Starlette:
    """The app as `microcred serve --workers N` starts it in each worker process: settings
    from the environment, the database the parent prepared in ``MICROCRED_SERVE_DSN``."""
    configure_logging()
    app = create_app(
        Settings.from_env(), os.environ["MICROCRED_SERVE_DSN"], worker=os.environ.get("MICROCRED_SERVE_WORKER") == "1"
    )
    spare_the_collector()
    return app


def spare_the_collector() -> None:
    """A serving process keeps what it has built so far (modules, the schema) for its whole
    life, and answering a page of listings allocates tens of thousands of short-lived objects:
    the long-lived ones leave the cyclic collector's sight, and young collections run less
    often. With the defaults the collector took 11-13% of a listing page's CPU, about 6% so
    (issue 16: bench/profile_versus.py, bench/results/profile-2026-12-01-execution.md)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
