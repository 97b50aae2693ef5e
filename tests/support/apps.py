"""The registry app as the tests run it, and an HTTP client talking to it over ASGI."""

from __future__ import annotations

import tempfile
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from registry.app import create_app
from registry.config import Settings

# The registry as the tests run it: an issuer of their own and a fixed key-encryption secret.
# The response cache is off here so that tests see the real work a request costs
# (tests/test_response_cache.py turns it on); the rate limits are out of reach, as the
# suite sends thousands of requests from one address, and the statement-count tests ask for
# deliberately costly pages (tests/api/test_throttle.py brings the real limits back).
# The export's snapshot files go to a folder of this run's (tests/conftest.py removes it), rebuilt
# soon after each change.
UNLIMITED = (1e12, 1e12)
EXPORTS = Path(tempfile.mkdtemp(prefix="microcred-test-exports-"))
SETTINGS = Settings(
    server_timing=True,
    issuer="https://registry.test",
    audience="microcred-registry",
    secret_key="test-secret-key-for-signing-keys",
    response_cache_bytes=0,
    rate_anonymous=UNLIMITED,
    rate_client=UNLIMITED,
    max_query_cost=10**9,
    export_dir=EXPORTS,
    export_debounce_seconds=0.2,
)
# The shared demo database: this many listings, generated from this seed (tests/support/demo_oracle.py
# computes the expected answers from the same generator).
DEMO_LISTINGS = 400
DEMO_SEED = 7


@asynccontextmanager
async def api_client(dsn: str, settings: Settings = SETTINGS):
    """An HTTP client talking to the registry app (lifespan included) over ASGI, its facet
    index built (so that the tests' searches are counted by it, not by PostgreSQL meanwhile)."""
    app = create_app(settings, dsn)
    async with app.router.lifespan_context(app):
        if app.state.facet_index is not None:
            await app.state.facet_index.warm()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://registry.test") as client:
            yield client
