"""Test fixtures: one real PostgreSQL per run, a migrated template, a clone per test.

With DATABASE_URL set, the suite uses that server (it creates and drops its own
databases there); otherwise it starts the embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from registry import migrate
from registry.config import Settings
from registry.db import connect, start_embedded, with_database
from registry.services.seeding import seed
from tests.support.apps import DEMO_LISTINGS, DEMO_SEED, EXPORTS, api_client
from tests.support.databases import RUN, TEMPLATE, admin, clone, drop, next_name

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

# Property tests and the fuzzer: the same examples on every run of `make test` (a fixed seed
# per test, no example database carried between runs), so CI is deterministic; `make fuzz`
# loads "explore" with a random seed it prints, to find what the fixed seeds do not.
hypothesis_settings.register_profile("deterministic", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False, database=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


@pytest.fixture(scope="session", autouse=True)
def export_snapshots_removed():
    """The test apps' export snapshot files are gone when the run ends."""
    yield
    shutil.rmtree(EXPORTS, ignore_errors=True)


@pytest.fixture(scope="session")
def server_dsn():
    """A DSN of the server the suite runs on, for creating and dropping databases."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    folder = Path(tempfile.mkdtemp(prefix="microcred-test-"))
    server = start_embedded(folder)
    # A throwaway server: durability buys nothing here and costs time.
    server.psql(
        "alter system set fsync = off; alter system set synchronous_commit = off;"
        " alter system set full_page_writes = off; select pg_reload_conf();"
    )
    yield server.get_uri()
    server.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
async def template_dsn(server_dsn):
    """A migrated, empty database that every test database is cloned from."""
    await drop(server_dsn, TEMPLATE)
    await admin(server_dsn, f'create database "{TEMPLATE}"')
    dsn = with_database(server_dsn, TEMPLATE)
    await migrate.upgrade(dsn)
    yield dsn
    await drop(server_dsn, TEMPLATE)


@pytest.fixture
async def db_dsn(server_dsn, template_dsn):
    """A fresh, migrated, empty database for one test."""
    name = next_name()
    yield await clone(server_dsn, name)
    await drop(server_dsn, name)


@pytest.fixture
async def other_db_dsn(server_dsn, template_dsn):
    """A second fresh database for one test: another registry's."""
    name = next_name()
    yield await clone(server_dsn, name)
    await drop(server_dsn, name)


@pytest.fixture(scope="session")
async def demo_dsn(server_dsn, template_dsn):
    """A database with the deterministic demo listings, shared by read-only tests."""
    name = f"{RUN}_demo"
    dsn = await clone(server_dsn, name)
    db = await connect(dsn, Settings(), min_size=1, max_size=2)
    try:
        await seed(db, DEMO_LISTINGS, DEMO_SEED)
    finally:
        await db.close()
    yield dsn
    await drop(server_dsn, name)


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


from tests.support.parties import parties, signing_key  # noqa: E402,F401  (registered clients and the signing key)
from tests.support.province import province, province_dsn, province_template  # noqa: E402,F401  (another registry)
from tests.support.webhooks import hook_client, receiver  # noqa: E402,F401  (webhook fixtures)
