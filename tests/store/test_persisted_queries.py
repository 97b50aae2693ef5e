"""Registered persisted queries in PostgreSQL: written once, found by hash, the least recently
used pruned past the count and the byte bounds."""

from __future__ import annotations

import asyncpg
import pytest

from registry.http.persisted_queries import sha256
from registry.store import persisted_queries

ROOMY = {"max_documents": 100, "max_bytes": 10**6}


def _document(n: int, padding: int = 0) -> str:
    return f"# {'x' * padding}\n{{ a{n}: __typename }}"


async def _register(db, document: str, **bounds) -> None:
    await persisted_queries.register(db, sha256(document), document, **(bounds or ROOMY))


async def _kept(db) -> set[str]:
    return {row["document"] for row in await db.fetch("select document from persisted_queries")}


async def test_a_registered_document_is_found_by_its_hash(db):
    await _register(db, _document(1))
    assert await persisted_queries.use(db, sha256(_document(1))) == _document(1)
    assert await persisted_queries.use(db, sha256(_document(2))) is None


async def test_registering_a_hash_again_writes_nothing(db):
    await _register(db, _document(1))
    before = await db.fetchrow("select xmin::text, registered_at, last_used_at from persisted_queries")
    await _register(db, _document(1))
    assert await db.fetchrow("select xmin::text, registered_at, last_used_at from persisted_queries") == before


async def test_past_the_count_the_least_recently_used_go(db):
    for n in range(5):
        await _register(db, _document(n), max_documents=3, max_bytes=10**6)
    assert await _kept(db) == {_document(2), _document(3), _document(4)}


async def test_past_the_bytes_the_least_recently_used_go(db):
    documents = [_document(n, padding=1000) for n in range(5)]
    for document in documents:
        await _register(db, document, max_documents=100, max_bytes=2 * len(documents[0]) + 10)
    assert await _kept(db) == set(documents[3:])


async def test_a_document_used_lately_outlives_older_registrations(db):
    for n in range(3):
        await _register(db, _document(n), max_documents=3, max_bytes=10**6)
    await persisted_queries.use(db, sha256(_document(0)))
    await _register(db, _document(3), max_documents=3, max_bytes=10**6)
    assert await _kept(db) == {_document(0), _document(2), _document(3)}


async def test_the_table_refuses_a_hash_that_is_not_its_documents(db):
    with pytest.raises(asyncpg.CheckViolationError):
        await persisted_queries.register(db, sha256(_document(1)), _document(2), **ROOMY)
