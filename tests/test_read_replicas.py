"""Reads on streaming replicas: public reads go there, writes and a writer's own reads right
after its writes stay on the primary, and the response cache never fills from a replica that
is behind a change it has heard of. A real primary, a real replica (pg_basebackup -R)."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import asyncpg
import httpx
import pytest

from registry import migrate
from registry.app import create_app
from registry.db import connect
from registry.domain.search import PUBLIC, SearchRequest
from registry.services import operators
from registry.services.facet_index import LiveFacetIndex
from registry.services.seeding import seed
from registry.store import providers, search
from tests.support.apps import SETTINGS
from tests.support.parties import Credentials, access_token
from tests.support.replication import primary_and_replica

PROVIDER = '{ provider(slug: "harbour") { name } }'


@pytest.fixture(scope="module")
async def replicated():
    with primary_and_replica("registry") as dsns:
        await migrate.upgrade(dsns.primary)
        db = await connect(dsns.primary, SETTINGS, min_size=1, max_size=2)
        await providers.create(db, slug="harbour", name={"en": "Harbour College"}, kind="COLLEGE", jurisdiction="CA-NS")
        await db.close()
        yield dsns


async def _sql(dsn: str, sql: str, *args):
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


@pytest.fixture
async def replay_paused(replicated):
    """The replica stops applying the primary's changes until the test ends."""
    await _caught_up(replicated)
    await _sql(replicated.replica, "select pg_wal_replay_pause()")
    yield replicated
    await _sql(replicated.replica, "select pg_wal_replay_resume()")
    await _caught_up(replicated)


async def _caught_up(dsns) -> None:
    target = await _sql(dsns.primary, "select pg_current_wal_lsn()::text")
    deadline = time.monotonic() + 10
    while not await _sql(dsns.replica, "select pg_last_wal_replay_lsn() >= $1::text::pg_lsn", target):
        assert time.monotonic() < deadline, "the replica did not catch up"
        await asyncio.sleep(0.05)


async def _rename(dsns, name: str) -> None:
    await _sql(
        dsns.primary, "update providers set name = jsonb_build_object('en', $1::text) where slug = 'harbour'", name
    )


@pytest.fixture
async def app_client(replicated):
    async def start(**settings):
        app = create_app(
            dataclasses.replace(SETTINGS, read_database_urls=(replicated.replica,), **settings), replicated.primary
        )
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        started.append(lifespan)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://registry.test")
        clients.append(client)
        return client, app

    started, clients = [], []
    yield start
    for client in clients:
        await client.aclose()
    for lifespan in started:
        await lifespan.__aexit__(None, None, None)


async def _name(client, headers=None) -> str:
    response = await client.post("/graphql", json={"query": PROVIDER}, headers=headers or {})
    return response.json()["data"]["provider"]["name"]


async def test_public_reads_are_answered_by_the_replica(app_client, replay_paused):
    client, _ = await app_client()
    before = await _name(client)
    await _rename(replay_paused, "Harbour Community College")
    assert await _name(client) == before  # the replica has not replayed the rename


async def test_a_writer_reads_its_own_write_while_the_replica_lags(app_client, replay_paused):
    client, _ = await app_client()
    db = await connect(replay_paused.primary, SETTINGS, min_size=1, max_size=2)
    provider = await providers.by_slug(db, "harbour")
    created = await operators.register_client(
        db, name=f"Harbour SIS {time.time_ns()}", scopes=["credentials:write"], provider_id=provider.id
    )
    await db.close()
    token = await access_token(client, Credentials(created.client_id, created.client_secret))
    headers = {"authorization": f"Bearer {token}"}
    made = await client.post(
        "/graphql",
        headers=headers,
        json={
            "query": """mutation {
        createCredential(input: {credential: {externalId: "H-1", title: [{lang: "en", value: "Marine Safety"}],
          workloadHours: 12, deliveryMode: IN_PERSON, pace: SCHEDULED, assessment: PRACTICAL_DEMONSTRATION,
          url: "https://harbour.example.ca/marine"}}) { credential { id } userErrors { code } } }"""
        },
    )
    listing = made.json()["data"]["createCredential"]["credential"]["id"]
    mine = await client.post("/graphql", headers=headers, json={"query": f'{{ credential(id: "{listing}") {{ id }} }}'})
    assert mine.json()["data"]["credential"] == {"id": listing}  # read on the primary: the replica has no such row
    assert await _sql(replay_paused.replica, "select count(*) from credentials") == 0


async def test_the_cache_never_fills_from_a_replica_behind_a_change_it_heard_of(app_client, replay_paused):
    client, app = await app_client(response_cache_bytes=2**20)
    deadline = time.monotonic() + 5
    while not app.state.response_cache.listening:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    await _name(client)
    await _rename(replay_paused, "Harbour Marine Institute")
    deadline = time.monotonic() + 1
    while await _name(client) != "Harbour Marine Institute":  # from the primary: the replica is paused
        assert time.monotonic() < deadline, "a stale answer outlived the change"
        await asyncio.sleep(0.02)
    assert await _name(client) == "Harbour Marine Institute"


@pytest.fixture(scope="module")
async def replicated_listings():
    with primary_and_replica("facets") as dsns:
        await migrate.upgrade(dsns.primary)
        primary = await connect(dsns.primary, SETTINGS, min_size=1, max_size=3)
        replica = await connect(dsns.replica, SETTINGS, min_size=1, max_size=2)
        await seed(primary, 60, 3)
        yield dsns, primary, replica
        await primary.close()
        await replica.close()


async def test_facet_counts_routed_to_a_replica_miss_no_write_in_progress_on_the_primary(replicated_listings):
    # A replica's snapshot does not list the primary's transactions in progress: the facet index
    # must not learn "what changed" from it, or a write in progress then would never be counted.
    dsns, primary, replica = replicated_listings
    await _caught_up(dsns)
    index = LiveFacetIndex(primary)
    await index.warm()
    writer = await asyncpg.connect(dsns.primary)
    try:
        async with writer.transaction():
            await writer.execute(
                "update credentials set regions = array['ZZ-R1'] where id ="
                " (select id from credentials where status = 'PUBLISHED' order by id limit 1)"
            )
            await primary.execute(
                "update credentials set pace = pace where ordinal = (select max(ordinal) from credentials)"
            )
            await _caught_up(dsns)
            await index.counts(replica, SearchRequest(), PUBLIC, search.MatchMode.ALL)  # a public read, on the replica
    finally:
        await writer.close()
    await _caught_up(dsns)
    counts, total = await index.counts(replica, SearchRequest(), PUBLIC, search.MatchMode.ALL)
    assert [(c.value, c.count) for c in counts["region"] if c.value == "ZZ-R1"] == [("ZZ-R1", 1)]
    assert (counts, total) == await _sql_facets(replica)
    assert index.answered == {"by index": 2}


async def _sql_facets(db):
    counts, total = await search.facets(db, SearchRequest(), PUBLIC, search.MatchMode.ALL, None, with_total=True)
    return counts, total
