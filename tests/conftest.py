"""Test fixtures: one real PostgreSQL per run, a migrated template, a clone per test.

With DATABASE_URL set, the suite uses that server (it creates and drops its own
databases there); otherwise it starts the embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import warnings
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest

from registry import migrate
from registry.app import create_app
from registry.config import Settings
from registry.db import connect, start_embedded, with_database
from registry.demo.seed import seed

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

# The registry as the tests run it: an issuer of their own and a fixed key-encryption secret.
# The response cache is off here so that tests see the real work a request costs
# (tests/test_response_cache.py turns it on); the rate limits are out of reach, as the
# suite sends thousands of requests from one address, and the statement-count tests ask for
# deliberately costly pages (tests/api/test_throttle.py brings the real limits back).
UNLIMITED = (1e12, 1e12)
SETTINGS = Settings(server_timing=True, issuer="https://registry.test", audience="microcred-registry",
                    secret_key="test-secret-key-for-signing-keys", response_cache_bytes=0,
                    rate_anonymous=UNLIMITED, rate_client=UNLIMITED, max_query_cost=10**9)
DEMO_LISTINGS = 400
DEMO_SEED = 7
_RUN = f"mc{os.getpid()}"
_counter = itertools.count()


async def _admin(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def server_dsn():
    """A DSN of the server the suite runs on, for creating and dropping databases."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    folder = Path(tempfile.mkdtemp(prefix="microcred-test-"))
    server = start_embedded(folder)
    # A throwaway server: durability buys nothing here and costs time.
    server.psql("alter system set fsync = off; alter system set synchronous_commit = off;"
                " alter system set full_page_writes = off; select pg_reload_conf();")
    yield server.get_uri()
    server.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


TEMPLATE = f"{_RUN}_template"


@pytest.fixture(scope="session")
async def template_dsn(server_dsn):
    """A migrated, empty database that every test database is cloned from."""
    name = TEMPLATE
    await _admin(server_dsn, f'drop database if exists "{name}"')
    await _admin(server_dsn, f'create database "{name}"')
    dsn = with_database(server_dsn, name)
    await migrate.upgrade(dsn)
    yield dsn
    await _admin(server_dsn, f'drop database if exists "{name}" with (force)')


async def _clone(server_dsn: str, name: str) -> str:
    template = TEMPLATE
    await _admin(server_dsn, f'create database "{name}" template "{template}" strategy file_copy')
    return with_database(server_dsn, name)


@pytest.fixture
async def db_dsn(server_dsn, template_dsn):
    """A fresh, migrated, empty database for one test."""
    name = f"{_RUN}_t{next(_counter)}"
    dsn = await _clone(server_dsn, name)
    yield dsn
    await _admin(server_dsn, f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="session")
async def demo_dsn(server_dsn, template_dsn):
    """A database with the deterministic demo listings, shared by read-only tests."""
    name = f"{_RUN}_demo"
    dsn = await _clone(server_dsn, name)
    db = await connect(dsn, Settings(), min_size=1, max_size=2)
    try:
        await seed(db, DEMO_LISTINGS, DEMO_SEED)
    finally:
        await db.close()
    yield dsn
    await _admin(server_dsn, f'drop database if exists "{name}" with (force)')


@asynccontextmanager
async def api_client(dsn: str):
    """An HTTP client talking to the registry app (lifespan included) over ASGI."""
    app = create_app(SETTINGS, dsn)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://registry.test") as client:
            yield client


@pytest.fixture(scope="session")
async def demo_client(demo_dsn):
    """A client of the app on the shared demo database (read-only tests only)."""
    async with api_client(demo_dsn) as client:
        yield client


@pytest.fixture
async def client(db_dsn):
    """A client of the app on a fresh empty database."""
    async with api_client(db_dsn) as client:
        yield client


@pytest.fixture
async def db(db_dsn):
    """A pool on the fresh database of this test."""
    database = await connect(db_dsn, Settings(), min_size=1, max_size=4)
    yield database
    await database.close()


from tests.parties import parties, signing_key  # noqa: E402,F401  (registered clients and the signing key)
