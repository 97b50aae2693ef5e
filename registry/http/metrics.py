"""Prometheus metrics at `/metrics`: request durations by operation and outcome, response
cache hits, database pool use, webhook queue depth and delivery failures.

With several worker processes (`serve --workers N`), each process writes its samples under
`PROMETHEUS_MULTIPROC_DIR` (the serve command sets one up) and `/metrics`, whichever process
answers, adds them all up. Operation labels are bounded: a named operation of
`graphql/operations/`, else `other`; outside GraphQL, the first segment of the path.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from starlette.requests import Request
from starlette.responses import Response

from registry.http.persisted_queries import OPERATIONS
from registry.store import webhooks

NAMED = frozenset(path.stem for path in OPERATIONS.glob("*.graphql"))
REQUESTS = Histogram(
    "microcred_request_duration_seconds",
    "Time to answer a request, by operation and outcome.",
    ["operation", "outcome"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CACHE = Counter("microcred_response_cache_total", "Anonymous GraphQL requests by response-cache result.", ["result"])
POOL = Gauge(
    "microcred_db_pool_connections",
    "Database connections of this process's pool, by state.",
    ["state"],
    multiprocess_mode="liveall",
)
RATE_LIMITED = Counter(
    "microcred_rate_limited_total", "Operations refused by rate limiting, by caller kind.", ["caller"]
)


# The first path segments the registry serves; any other path is "other", so that requests
# for made-up paths cannot grow the metrics without bound.
ROUTES = frozenset(
    {"", "fr", "credentials", "statistics", "static", "export", "oauth", ".well-known", "healthz", "readyz", "metrics"}
)


def operation_label(path: str, operation: str | None) -> str:
    """A bounded label for what a request did."""
    if path == "/graphql":
        return operation if operation in NAMED else "other"
    segment = path.strip("/").split("/")[0]
    return "/" + segment if segment in ROUTES else "other"


def observe(path: str, operation: str | None, status: int, seconds: float, pool) -> None:
    """Record one finished request (and the pool's state after it)."""
    outcome = "ok" if status < 400 else "client_error" if status < 500 else "server_error"
    REQUESTS.labels(operation_label(path, operation), outcome).observe(seconds)
    if pool is not None:
        POOL.labels("in_use").set(pool.get_size() - pool.get_idle_size())
        POOL.labels("idle").set(pool.get_idle_size())


async def metrics(request: Request) -> Response:
    """GET /metrics, in Prometheus's text format."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    queue = GaugeMetricFamily(
        "microcred_webhook_queue_depth",
        "Webhook deliveries waiting to be sent.",
        value=await webhooks.pending_count(request.app.state.db),
    )
    return Response(generate_latest(registry) + generate_latest(_Once(queue)), media_type=CONTENT_TYPE_LATEST)


class _Once(CollectorRegistry):
    """A registry of figures read from the database at scrape time (one value for the whole
    registry, not per process: no multiprocess files)."""

    def __init__(self, *families) -> None:
        super().__init__()
        self.families = families

    def collect(self):
        yield from self.families
