"""Idempotency-Key: retries of a write return the first response and act once."""

from __future__ import annotations

import json

from tests.api.test_mutations import CREATE, DRAFT
from tests.parties import access_token


async def _create(client, token, key, external_id="IDEM-1"):
    body = {"query": CREATE, "variables": {"input": {"credential": {**DRAFT, "externalId": external_id}}}}
    return await client.post("/graphql", json=body,
                             headers={"authorization": f"Bearer {token}", "idempotency-key": key})


async def test_a_retried_create_returns_the_first_response_and_creates_one_listing(client, parties, db):
    token = await access_token(client, parties.provider)
    first = await _create(client, token, "req-1")
    again = await _create(client, token, "req-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert await db.fetchval("select count(*) from credentials") == 1


async def test_the_same_key_with_another_body_is_refused(client, parties, db):
    token = await access_token(client, parties.provider)
    await _create(client, token, "req-2", "A")
    reused = await _create(client, token, "req-2", "B")
    assert reused.status_code == 422
    assert reused.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await db.fetchval("select count(*) from credentials") == 1


async def test_keys_belong_to_their_client(client, parties, db):
    mine = await access_token(client, parties.provider)
    theirs = await access_token(client, parties.other_provider)
    await _create(client, mine, "shared-key", "MINE")
    other = await _create(client, theirs, "shared-key", "MINE")
    assert "idempotent-replayed" not in other.headers
    assert json.loads(other.text)["data"]["createCredential"]["credential"]["provider"]["slug"] == "south-polytechnic"


async def test_without_the_header_each_request_acts(client, parties, db):
    token = await access_token(client, parties.provider)
    body = {"query": CREATE, "variables": {"input": {"credential": {**DRAFT, "externalId": "NO-KEY"}}}}
    await client.post("/graphql", json=body, headers={"authorization": f"Bearer {token}"})
    second = await client.post("/graphql", json=body, headers={"authorization": f"Bearer {token}"})
    assert second.json()["data"]["createCredential"]["userErrors"][0]["code"] == "DUPLICATE"
