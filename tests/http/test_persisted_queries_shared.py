"""Registered persisted queries are shared by every process and instance (stored in PostgreSQL),
bounded, and a database that is away answers 503, not PERSISTED_QUERY_NOT_FOUND nor a 500."""

from __future__ import annotations

import dataclasses
import json
from contextlib import asynccontextmanager

import asyncpg
import httpx
import pytest

from registry.api.kept_documents import KEPT
from registry.api.limits import MAX_TOKENS
from registry.app import create_app
from registry.config import Settings
from registry.db import PoolExhausted, connect
from registry.http import persisted_queries
from registry.http.persisted_queries import DocumentStore, named_operations, sha256
from tests.support.apps import SETTINGS, api_client

QUERY = "{ searchCredentials(first: 1) { totalCount } }"


async def _stored(store: DocumentStore, db, query: str) -> None:
    """``query`` sent with its hash and parsed by the GraphQL layer, as a request registers it."""
    request = {"query": query, "extensions": _persisted(sha256(query))}
    await store.resolve(request, db=db, safelist=False)
    KEPT.parse(query, max_tokens=MAX_TOKENS)
    await store.register_parsed(request, db=db, answered_from_cache=False)


def _persisted(digest: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def _by_hash(digest: str) -> dict:
    return {"extensions": json.dumps(_persisted(digest))}


def _code(response: httpx.Response) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


async def _register(client: httpx.AsyncClient, document: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": document, "extensions": _persisted(sha256(document))})


@asynccontextmanager
async def _two_instances(dsn: str):
    async with api_client(dsn) as one, api_client(dsn) as other:
        yield one, other


async def _row(dsn: str) -> asyncpg.Record | None:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchrow("select xmin::text, registered_at, last_used_at from persisted_queries")
    finally:
        await conn.close()


async def test_a_hash_registered_on_one_instance_runs_by_get_on_another(db_dsn):
    async with _two_instances(db_dsn) as (one, other):
        registered = await _register(one, QUERY)
        by_get = await other.get("/graphql", params=_by_hash(sha256(QUERY)))
    assert registered.status_code == by_get.status_code == 200
    assert by_get.json()["data"] == registered.json()["data"] == {"searchCredentials": {"totalCount": 0}}


async def test_a_hash_registered_again_is_not_rewritten(db_dsn):
    async with _two_instances(db_dsn) as (one, other):
        await _register(one, QUERY)
        before = await _row(db_dsn)
        again = await _register(other, QUERY)
    assert again.status_code == 200 and "errors" not in again.json()
    assert before is not None and await _row(db_dsn) == before


async def test_the_registrations_are_bounded_the_least_recently_used_out(db_dsn, monkeypatch):
    monkeypatch.setattr(persisted_queries, "MAX_DOCUMENTS", 2)
    documents = [f"{{ a{n}: __typename }}" for n in range(3)]
    async with _two_instances(db_dsn) as (one, other):
        for document in documents:
            assert "errors" not in (await _register(one, document)).json()
        answers = [await other.get("/graphql", params=_by_hash(sha256(document))) for document in documents]
    assert _code(answers[0]) == "PERSISTED_QUERY_NOT_FOUND"
    assert [answer.json()["data"] for answer in answers[1:]] == [{"a1": "Query"}, {"a2": "Query"}]


async def test_a_wrong_hash_is_refused_and_registers_nothing(db_dsn):
    async with _two_instances(db_dsn) as (one, other):
        wrong = await one.post("/graphql", json={"query": QUERY, "extensions": _persisted(sha256(QUERY + " "))})
        unknown = await other.get("/graphql", params=_by_hash(sha256(QUERY + " ")))
    assert wrong.status_code == 400 and _code(wrong) == "PERSISTED_QUERY_HASH_MISMATCH"
    assert _code(unknown) == "PERSISTED_QUERY_NOT_FOUND" and await _row(db_dsn) is None


async def test_a_document_postgresql_cannot_store_runs_unregistered(db_dsn):
    """GraphQL allows a NUL in a comment; PostgreSQL's text does not. Such a document runs (no
    500) and is simply not registered."""
    document = "# \x00\n{ __typename }"
    async with _two_instances(db_dsn) as (one, other):
        ran = await _register(one, document)
        by_hash = await other.get("/graphql", params=_by_hash(sha256(document)))
    assert ran.status_code == 200 and ran.json()["data"] == {"__typename": "Query"}
    assert _code(by_hash) == "PERSISTED_QUERY_NOT_FOUND"


ONE_CONNECTION = dataclasses.replace(SETTINGS, pool_min_size=1, pool_max_size=1, pool_timeout_seconds=0.2)


async def test_an_unknown_hash_while_the_database_is_away_is_answered_503(db_dsn):
    app = create_app(ONE_CONNECTION, db_dsn)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://registry.test"
        ) as client:
            async with app.state.db.pool.acquire():  # the only connection: none comes free
                response = await client.get("/graphql", params=_by_hash(sha256(QUERY)))
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert _code(response) == "SERVICE_UNAVAILABLE"


@pytest.fixture
async def one_connection(db_dsn):
    db = await connect(db_dsn, Settings(pool_timeout_seconds=0.2), min_size=1, max_size=1)
    yield db
    await db.close()


async def test_documents_this_process_knows_resolve_while_the_database_is_away(one_connection, monkeypatch):
    store = DocumentStore(named_operations())
    await _stored(store, one_connection, QUERY)
    monkeypatch.setattr(persisted_queries, "RECHECK_SECONDS", 0)  # due for a check in the table: it fails
    async with one_connection.pool.acquire():
        known = await store.resolve({"extensions": _persisted(sha256(QUERY))}, db=one_connection, safelist=False)
        with pytest.raises(PoolExhausted):
            await store.resolve({"extensions": _persisted(sha256(QUERY + " "))}, db=one_connection, safelist=False)
    assert known == QUERY


async def test_a_document_pruned_from_the_table_is_forgotten_at_its_next_check(db_dsn, monkeypatch):
    store = DocumentStore(named_operations())
    db = await connect(db_dsn, Settings(), min_size=1, max_size=1)
    try:
        await _stored(store, db, QUERY)
        await db.execute("delete from persisted_queries")
        fresh = await store.resolve({"extensions": _persisted(sha256(QUERY))}, db=db, safelist=False)
        monkeypatch.setattr(persisted_queries, "RECHECK_SECONDS", 0)
        with pytest.raises(persisted_queries.PersistedQueryError) as checked:
            await store.resolve({"extensions": _persisted(sha256(QUERY))}, db=db, safelist=False)
    finally:
        await db.close()
    assert fresh == QUERY and checked.value.code == "PERSISTED_QUERY_NOT_FOUND"


async def test_an_answer_stands_when_its_document_cannot_be_registered(db_dsn):
    """Registration comes after the GraphQL layer has parsed the document, while the answer is
    being sent: a table that cannot be written (here, locked past the lock timeout) loses the
    registration, not the answer; the client sends the document again."""
    document = "{ __typename }"
    holder = await asyncpg.connect(db_dsn)
    database = await holder.fetchval("select current_database()")
    try:
        await holder.execute(f"alter database {database} set lock_timeout = '200ms'")  # the app's sessions
        async with api_client(db_dsn) as client:
            async with holder.transaction():
                await holder.execute("lock table persisted_queries in access exclusive mode")
                answered = await _register(client, document)
            again = await client.post("/graphql", json={"extensions": _persisted(sha256(document))})
    finally:
        await holder.execute(f"alter database {database} reset lock_timeout")
        await holder.close()
    assert answered.status_code == 200 and answered.json()["data"] == {"__typename": "Query"}
    assert _code(again) == "PERSISTED_QUERY_NOT_FOUND"
