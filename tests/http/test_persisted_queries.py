"""Automatic persisted queries (Apollo's protocol), queries over GET, and safelist mode."""

from __future__ import annotations

import dataclasses
import json

import httpx
import pytest

from registry.api.kept_documents import KEPT
from registry.api.limits import MAX_DOCUMENT_CHARS, MAX_TOKENS
from registry.app import create_app
from registry.http.persisted_queries import named_operations, sha256
from tests.support.apps import SETTINGS
from tests.support.parties import access_token
from tests.support.throttle import STILL, serving

QUERY = "{ searchCredentials(first: 1) { totalCount } }"
SEARCH_PAGE = next(text for text in named_operations().values() if text.lstrip().startswith("# A portal's search"))


def _persisted(digest: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def _code(response: httpx.Response) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


async def test_an_unknown_hash_is_not_found_then_registers_with_its_document(client):
    first = await client.post("/graphql", json={"extensions": _persisted(sha256(QUERY))})
    assert first.status_code == 200 and _code(first) == "PERSISTED_QUERY_NOT_FOUND"
    registered = await client.post("/graphql", json={"query": QUERY, "extensions": _persisted(sha256(QUERY))})
    again = await client.post("/graphql", json={"extensions": _persisted(sha256(QUERY))})
    # The same answer (the cost report beside it is the rate ledger's running estimate).
    assert (
        registered.json()["data"] == again.json()["data"] and "totalCount" in again.json()["data"]["searchCredentials"]
    )


async def test_a_document_too_long_to_run_is_not_registered(client):
    """It was registered, free, before the GraphQL layer refused it (an outside review)."""
    document = '{ credential(id: "%s") { id } }' % ("x" * MAX_DOCUMENT_CHARS)
    sent = await client.post("/graphql", json={"query": document, "extensions": _persisted(sha256(document))})
    again = await client.post("/graphql", json={"extensions": _persisted(sha256(document))})
    assert _code(sent) == "DOCUMENT_TOO_LONG" and _code(again) == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_document_refused_its_parse_is_neither_parsed_nor_registered(db_dsn):
    """The registration parsed every document sent with its hash, even from a caller whose
    bucket was empty: 57 ms a request for nothing (an outside review)."""
    document = "{ skills(first: 1) { nodes { id } } }" + " " * 6_000  # 1,200 points; the bucket holds 1,000
    async with serving(db_dsn, STILL) as client:
        sent = await client.post("/graphql", json={"query": document, "extensions": _persisted(sha256(document))})
        again = await client.post("/graphql", json={"extensions": _persisted(sha256(document))})
    assert sent.status_code == 429 and not KEPT.keeps(document, max_tokens=MAX_TOKENS)
    assert _code(again) == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_document_must_match_its_hash(client):
    response = await client.post("/graphql", json={"query": QUERY, "extensions": _persisted("0" * 64)})
    assert response.status_code == 400 and _code(response) == "PERSISTED_QUERY_HASH_MISMATCH"


async def test_a_malformed_persisted_query_is_refused(client):
    response = await client.post("/graphql", json={"extensions": {"persistedQuery": {"version": 2, "sha256Hash": "x"}}})
    assert response.status_code == 400 and _code(response) == "PERSISTED_QUERY_INVALID"


async def test_named_operations_run_by_hash_over_get(client):
    params = {"extensions": json.dumps(_persisted(sha256(SEARCH_PAGE))), "variables": json.dumps({"first": 2})}
    response = await client.get("/graphql", params=params)
    assert response.status_code == 200 and len(response.json()["data"]["searchCredentials"]["nodes"]) <= 2


async def test_mutations_are_refused_over_get(client):
    response = await client.get(
        "/graphql", params={"query": 'mutation { revokeClient(clientId: "x") { userErrors { code } } }'}
    )
    assert response.status_code == 400 and "mutations are not allowed" in response.text.lower()


@pytest.fixture
async def safelisted(db_dsn):
    app = create_app(dataclasses.replace(SETTINGS, safelist=True), db_dsn)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://registry.test"
        ) as client:
            yield client


async def test_safelist_mode_runs_named_operations_by_text_or_hash(safelisted):
    by_text = await safelisted.post("/graphql", json={"query": SEARCH_PAGE, "variables": {"first": 1}})
    by_hash = await safelisted.post(
        "/graphql", json={"extensions": _persisted(sha256(SEARCH_PAGE)), "variables": {"first": 1}}
    )
    assert by_text.status_code == by_hash.status_code == 200 and by_text.json()["data"] == by_hash.json()["data"]


async def test_safelist_mode_refuses_other_anonymous_documents_and_registrations(safelisted):
    other = await safelisted.post("/graphql", json={"query": QUERY})
    registering = await safelisted.post("/graphql", json={"query": QUERY, "extensions": _persisted(sha256(QUERY))})
    assert other.status_code == registering.status_code == 400
    assert _code(other) == _code(registering) == "OPERATION_NOT_IN_SAFELIST"


async def test_safelist_mode_leaves_clients_with_a_token_free(safelisted, parties):
    token = await access_token(safelisted, parties.provider)
    response = await safelisted.post("/graphql", json={"query": QUERY}, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200 and "errors" not in response.json()
