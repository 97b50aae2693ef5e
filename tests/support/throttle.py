"""The app under tight cost and rate limits, for the throttling tests."""

from __future__ import annotations

import dataclasses
from contextlib import asynccontextmanager

import httpx

from registry.api.kept_documents import KEPT
from registry.api.limits import MAX_TOKENS
from registry.app import create_app
from tests.support.apps import SETTINGS

LIMITED = dataclasses.replace(
    SETTINGS, max_query_cost=5_000, rate_anonymous=(1_000.0, 10.0), rate_client=(1_000.0, 10.0)
)
# Buckets that do not leak within a test: levels are exact.
STILL = dataclasses.replace(LIMITED, rate_anonymous=(1_000.0, 0.001), rate_client=(1_000.0, 0.001))


@asynccontextmanager
async def serving(dsn: str, settings=LIMITED, address: str = "127.0.0.1"):
    """A client of the app with ``settings`` (tight limits by default), lifespan included,
    calling from ``address`` (whose bucket it charges)."""
    app = create_app(settings, dsn)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(address, 123)), base_url="https://registry.test"
        ) as client:
            yield client


def parsed_already(*texts: str) -> None:
    """Parses ``texts`` as a request does, so that requests sending them are not charged the
    document toll (registry/api/throttle.py: once per process), which would make the levels
    the tests expect depend on the tests run before."""
    for text in texts:
        KEPT.parse(text, max_tokens=MAX_TOKENS)
