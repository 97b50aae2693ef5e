"""Idempotency-Key: retries of a write return the first response and act once."""

from __future__ import annotations

import dataclasses
import json

from tests.support.apps import SETTINGS, api_client
from tests.support.listings import CREATE, DRAFT
from tests.support.parties import access_token


async def _create(client, token, key, external_id="IDEM-1"):
    body = {"query": CREATE, "variables": {"input": {"credential": {**DRAFT, "externalId": external_id}}}}
    return await client.post(
        "/graphql", json=body, headers={"authorization": f"Bearer {token}", "idempotency-key": key}
    )


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


async def test_a_request_that_writes_marks_its_key_applied_in_the_same_commit(client, parties, db):
    token = await access_token(client, parties.provider)
    await _create(client, token, "req-applied")
    assert await db.fetchval("select applied_at is not null from idempotency_keys where key = 'req-applied'")


async def test_a_claim_left_by_a_request_that_died_before_writing_is_taken_over_by_its_retry(client, parties, db):
    token = await access_token(client, parties.provider)
    body = json.dumps({"query": CREATE, "variables": {"input": {"credential": {**DRAFT, "externalId": "DIED"}}}})
    # What a process killed between claiming the key and writing leaves behind, an hour ago.
    await db.execute(
        "insert into idempotency_keys (client_id, key, request_sha256, created_at)"
        " values ($1, 'req-died', sha256($2::bytea), now() - interval '1 hour')",
        parties.provider.client_id,
        body.encode(),
    )
    retry = await client.post(
        "/graphql",
        content=body,
        headers={"authorization": f"Bearer {token}", "idempotency-key": "req-died", "content-type": "application/json"},
    )
    assert retry.json()["data"]["createCredential"]["userErrors"] == []
    assert await db.fetchval("select count(*) from credentials") == 1


async def test_a_fresh_unanswered_claim_is_still_running(client, parties, db):
    token = await access_token(client, parties.provider)
    body = json.dumps({"query": CREATE, "variables": {"input": {"credential": {**DRAFT, "externalId": "BUSY"}}}})
    await db.execute(
        "insert into idempotency_keys (client_id, key, request_sha256) values ($1, 'req-busy', sha256($2::bytea))",
        parties.provider.client_id,
        body.encode(),
    )
    retry = await client.post(
        "/graphql",
        content=body,
        headers={"authorization": f"Bearer {token}", "idempotency-key": "req-busy", "content-type": "application/json"},
    )
    assert retry.status_code == 409 and await db.fetchval("select count(*) from credentials") == 0


async def test_a_retry_of_a_write_whose_answer_was_lost_is_told_so_and_not_run_again(client, parties, db):
    token = await access_token(client, parties.provider)
    await _create(client, token, "req-lost")
    # The process died after the write committed, before it recorded the answer.
    await db.execute(
        "update idempotency_keys set status = null, response = null,"
        " created_at = now() - interval '1 hour' where key = 'req-lost'"
    )
    retry = await _create(client, token, "req-lost")
    assert retry.json()["errors"][0]["extensions"]["code"] == "APPLIED_ANSWER_LOST"
    assert await db.fetchval("select count(*) from credentials") == 1


async def test_a_rate_limited_request_frees_its_key_for_the_retry(client, parties, db, db_dsn):
    """Found by attacking a running copy: a 429 was kept as the key's final answer and replayed
    for a day, so a throttled client retrying with its key (as it should) never wrote."""
    token = await access_token(client, parties.provider)
    throttled = dataclasses.replace(SETTINGS, rate_client=(1.0, 0.001))  # too small for any mutation
    async with api_client(db_dsn, throttled) as limited:
        await limited.post(
            "/graphql", json={"query": "{ viewer { clientId } }"}, headers={"authorization": f"Bearer {token}"}
        )
        refused = await _create(limited, token, "req-throttled")  # the bucket is full now
    assert refused.status_code == 429
    retried = await _create(client, token, "req-throttled")
    assert retried.status_code == 200 and "idempotent-replayed" not in retried.headers
    assert await db.fetchval("select count(*) from credentials") == 1
