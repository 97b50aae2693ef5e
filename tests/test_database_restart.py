"""PostgreSQL restarted under the running API: 503 quickly while it is away, answers again
by itself once it is back, and no acknowledged write lost, no write half-applied."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from registry import migrate
from registry.app import create_app
from registry.db import ConnectionLost, connect, is_unavailable
from registry.services import operators
from registry.store import providers
from tests.support.apps import SETTINGS
from tests.support.parties import Credentials, access_token
from tests.support.restartable_postgres import RestartablePostgres

COUNT = {"query": "{ searchCredentials { totalCount } }"}
SUBMIT = """mutation($input: SubmitCredentialsInput!) { submitCredentials(input: $input) { createdCount } }"""


@pytest.fixture(scope="module")
async def server():
    folder = Path(tempfile.mkdtemp(prefix="microcred-restart-"))
    folder.chmod(0o777)
    found = RestartablePostgres(folder)
    dsn = found.create_database("registry")
    await migrate.upgrade(dsn)
    yield found, dsn
    found.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


def _items(prefix: str, count: int) -> list[dict]:
    return [
        {
            "externalId": f"{prefix}-{n}",
            "title": [{"lang": "en", "value": f"Welding {n}"}],
            "workloadHours": 10,
            "deliveryMode": "IN_PERSON",
            "pace": "SCHEDULED",
            "assessment": "EXAM",
            "url": f"https://harbour.example.ca/{prefix}/{n}",
        }
        for n in range(count)
    ]


async def test_the_api_answers_503_while_the_database_is_away_and_recovers_by_itself(server):
    found, dsn = server
    db = await connect(dsn, SETTINGS, min_size=1, max_size=2)
    provider = await providers.create(
        db, slug=f"harbour-{time.time_ns()}", name={"en": "Harbour"}, kind="COLLEGE", jurisdiction="CA-NS"
    )
    created = await operators.register_client(
        db, name="Harbour SIS", scopes=["credentials:write"], provider_id=provider.id
    )
    await db.close()
    app = create_app(dataclasses.replace(SETTINGS, pool_timeout_seconds=1.0, response_cache_bytes=2**20), dsn)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://registry.test"
        ) as client:
            headers = {
                "authorization": f"Bearer {await access_token(client, Credentials(created.client_id, created.client_secret))}"
            }
            acknowledged = await client.post(
                "/graphql",
                headers=headers,
                json={"query": SUBMIT, "variables": {"input": {"credentials": _items("ACK", 5)}}},
            )
            assert acknowledged.json()["data"]["submitCredentials"]["createdCount"] == 5

            in_flight = asyncio.create_task(
                client.post(
                    "/graphql",
                    headers=headers,
                    json={"query": SUBMIT, "variables": {"input": {"credentials": _items("FLY", 300)}}},
                )
            )
            await asyncio.sleep(0.05)
            await asyncio.to_thread(found.stop)
            await asyncio.wait_for(in_flight, 30)  # it ends, one way or the other, without hanging

            started = time.monotonic()
            away = await client.post("/graphql", json={"query": "{ searchCredentials(first: 2) { totalCount } }"})
            assert away.status_code == 503 and away.headers["retry-after"] == "1"
            assert time.monotonic() - started < 5, "the outage must be reported quickly, not waited out"

            await asyncio.to_thread(found.start)
            back = time.monotonic()
            while (await client.post("/graphql", json=COUNT)).status_code != 200:
                assert time.monotonic() - back < 15, "the API did not recover by itself"
                await asyncio.sleep(0.2)

    db = await connect(dsn, SETTINGS, min_size=1, max_size=1)
    try:
        assert await db.fetchval("select count(*) from credentials where external_id like 'ACK-%'") == 5
        flying = await db.fetchval("select count(*) from credentials where external_id like 'FLY-%'")
        assert flying in (0, 300), "a batch was half-applied"
        versions = await db.fetchval(
            "select count(*) from credential_versions v join credentials c on c.id ="
            " v.credential_id where c.external_id like 'FLY-%'"
        )
        assert versions == flying
    finally:
        await db.close()


async def test_a_connection_lost_inside_a_transaction_counts_as_unavailable(db):
    """Found by the soak: the loss surfaced as the error of leaving the transaction, a 500."""
    with pytest.raises(Exception) as raised:
        async with db.transaction() as tx:
            pid = await tx.fetchval("select pg_backend_pid()")
            await db.execute("select pg_terminate_backend($1)", pid)
            await tx.execute("select 1")
    assert isinstance(raised.value, ConnectionLost) and is_unavailable(raised.value)
