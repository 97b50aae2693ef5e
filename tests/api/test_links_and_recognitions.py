"""Stackability links between listings, and authorities' recognitions of them."""

from __future__ import annotations

import asyncio

import pytest

from registry.domain import ids
from tests.support.listings import LINK, RECOGNIZE, create, gql, published
from tests.support.parties import access_token

REVOKE = """
mutation Revoke($input: RevokeRecognitionInput!) {
  revokeRecognition(input: $input) { recognition { id revokedAt isActive } userErrors { field code } }
}
"""


async def test_a_provider_links_its_listing_and_the_link_shows(client, parties):
    token = await access_token(client, parties.provider)
    module, program = await published(client, token, "M-1"), await published(client, token, "P-1")
    body = await gql(client, LINK, {"input": {"fromId": module, "toId": program, "kind": "PART_OF"}}, token)
    result = body["data"]["linkCredentials"]
    assert result["userErrors"] == [] and result["credential"]["version"] == 3
    assert result["credential"]["links"] == [{"kind": "PART_OF", "target": {"id": program}}]
    again = await gql(client, LINK, {"input": {"fromId": module, "toId": program, "kind": "PART_OF"}}, token)
    assert again["data"]["linkCredentials"]["credential"]["version"] == 3  # nothing new, nothing versioned


async def test_links_never_form_a_cycle(client, parties):
    token = await access_token(client, parties.provider)
    a, b = await published(client, token, "A"), await published(client, token, "B")
    await gql(client, LINK, {"input": {"fromId": a, "toId": b, "kind": "PART_OF"}}, token)
    back = await gql(client, LINK, {"input": {"fromId": b, "toId": a, "kind": "PART_OF"}}, token)
    assert back["data"]["linkCredentials"]["userErrors"] == [{"field": ["toId"], "code": "CYCLE"}]
    itself = await gql(client, LINK, {"input": {"fromId": a, "toId": a, "kind": "PREPARES_FOR"}}, token)
    assert itself["data"]["linkCredentials"]["userErrors"][0]["code"] == "SELF_LINK"


async def test_a_provider_cannot_link_another_providers_listing(client, parties):
    mine = await access_token(client, parties.provider)
    theirs = await access_token(client, parties.other_provider)
    a = await published(client, mine, "MINE")
    b = await published(client, theirs, "THEIRS")
    body = await gql(client, LINK, {"input": {"fromId": b, "toId": a, "kind": "PREPARES_FOR"}}, mine)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_authority_recognises_a_published_listing(client, parties, db):
    listing = await published(client, await access_token(client, parties.provider), "R-1")
    token = await access_token(client, parties.authority)
    body = await gql(
        client,
        RECOGNIZE,
        {
            "input": {
                "credentialId": listing,
                "kind": "APPROVED_FOR_FUNDING",
                "validUntil": "2030-12-31",
                "note": "Skills grant",
            }
        },
        token,
    )
    made = body["data"]["recognizeCredential"]["recognition"]
    assert made["isActive"] and made["credential"] == {"id": listing, "isRecognized": True}
    assert made["authority"]["id"] == ids.encode("RecognitionAuthority", parties.authority_id)
    feed = await db.fetch("select kind::text from changes order by seq")
    assert feed[-1]["kind"] == "RECOGNIZED"


async def test_recognitions_need_a_published_listing_and_a_sane_period(client, parties):
    provider = await access_token(client, parties.provider)
    draft = (await create(client, provider, externalId="DRAFT-R"))["credential"]["id"]
    token = await access_token(client, parties.authority)
    body = await gql(
        client,
        RECOGNIZE,
        {"input": {"credentialId": draft, "kind": "ENDORSED", "validFrom": "2026-05-01", "validUntil": "2026-04-01"}},
        token,
    )
    codes = {e["code"] for e in body["data"]["recognizeCredential"]["userErrors"]}
    assert codes == {"NOT_FOUND", "EMPTY_RANGE"}


async def test_providers_cannot_recognise(client, parties):
    listing = await published(client, await access_token(client, parties.provider), "R-2")
    token = await access_token(client, parties.provider)
    body = await gql(client, RECOGNIZE, {"input": {"credentialId": listing, "kind": "ENDORSED"}}, token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_authority_revokes_its_recognition_and_it_stays_on_record(client, parties, db):
    listing = await published(client, await access_token(client, parties.provider), "R-3")
    token = await access_token(client, parties.authority)
    made = await gql(client, RECOGNIZE, {"input": {"credentialId": listing, "kind": "ENDORSED"}}, token)
    recognition = made["data"]["recognizeCredential"]["recognition"]["id"]
    body = await gql(client, REVOKE, {"input": {"id": recognition, "reason": "Programme ended"}}, token)
    revoked = body["data"]["revokeRecognition"]["recognition"]
    assert revoked["revokedAt"] and not revoked["isActive"]
    again = await gql(client, REVOKE, {"input": {"id": recognition, "reason": "twice"}}, token)
    assert again["data"]["revokeRecognition"]["userErrors"][0]["code"] == "ALREADY_REVOKED"
    assert await db.fetchval("select count(*) from recognitions") == 1
    assert (await db.fetch("select kind::text from changes order by seq"))[-1]["kind"] == "RECOGNITION_REVOKED"


@pytest.mark.parametrize("who", ["provider", "no token"])
async def test_only_authorities_revoke(client, parties, who):
    listing = await published(client, await access_token(client, parties.provider), "R-4")
    token = await access_token(client, parties.authority)
    made = await gql(client, RECOGNIZE, {"input": {"credentialId": listing, "kind": "ENDORSED"}}, token)
    recognition = made["data"]["recognizeCredential"]["recognition"]["id"]
    caller = await access_token(client, parties.provider) if who == "provider" else None
    body = await gql(client, REVOKE, {"input": {"id": recognition, "reason": "no"}}, caller)
    assert body["errors"][0]["extensions"]["code"] in {"FORBIDDEN", "UNAUTHENTICATED"}


async def test_concurrent_links_never_close_a_cycle_nor_fail(client, parties):
    """Found by attacking a running copy: X->Y and Y->X sent at once deadlocked (the loser got
    INTERNAL_SERVER_ERROR), and Y->Z with Z->X at once stored a cycle."""
    token = await access_token(client, parties.provider)
    x, y, z = [(await create(client, token, externalId=key))["credential"]["id"] for key in ("X", "Y", "Z")]
    await gql(client, LINK, {"input": {"fromId": x, "toId": y, "kind": "PART_OF"}}, token)
    answers = await asyncio.gather(
        gql(client, LINK, {"input": {"fromId": y, "toId": z, "kind": "PART_OF"}}, token),
        gql(client, LINK, {"input": {"fromId": z, "toId": x, "kind": "PART_OF"}}, token),
        gql(client, LINK, {"input": {"fromId": y, "toId": x, "kind": "PART_OF"}}, token),
    )
    assert all("errors" not in a for a in answers)
    errors = [e["code"] for a in answers for e in a["data"]["linkCredentials"]["userErrors"]]
    assert errors.count("CYCLE") == 2  # of three links into a loop, only the first in line is kept
