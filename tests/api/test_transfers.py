"""Transfers: a listing moves to another provider keeping its ID, CTID, history,
recognitions and offerings; only operators, or a publisher acting for both sides, move one,
so that a transfer cannot take a listing."""

from __future__ import annotations

import json

import pytest

from registry.domain import ids, principals
from registry.services import operators
from tests.support.listings import COMPLETE, HISTORY, PUBLISH, RECOGNIZE, TRANSFER, create, gql
from tests.support.offerings import IN_SUDBURY
from tests.support.offerings import add_offering as _add
from tests.support.parties import Credentials, access_token
from tests.support.webhooks import REGISTER, SECRET, deliver_all

READ = """
query($id: ID!) { credential(id: $id) { ctid provider { slug } recognitions { kind } offerings { externalId } } }
"""


@pytest.fixture
async def listing(client, parties) -> dict:
    """North College's published listing, recognised, with an offering."""
    north = await access_token(client, parties.provider)
    made = (await create(client, north, externalId="N-1", **COMPLETE))["credential"]
    await gql(client, PUBLISH, {"input": {"id": made["id"]}}, north)
    authority = await access_token(client, parties.authority)
    await gql(client, RECOGNIZE, {"input": {"credentialId": made["id"], "kind": "ENDORSED"}}, authority)
    await _add(client, north, made["id"], IN_SUDBURY)
    return made


def _move(listing: dict, parties, reason: str = "Merged into South Polytechnic") -> dict:
    return {
        "input": {
            "id": listing["id"],
            "toProviderId": ids.encode("Provider", parties.other_provider_id),
            "reason": reason,
        }
    }


async def test_an_operator_moves_a_listing_with_its_id_ctid_history_recognitions_and_offerings(
    client, parties, listing
):
    before = (await gql(client, READ, {"id": listing["id"]}))["data"]["credential"]
    admin = await access_token(client, parties.admin)
    moved = (await gql(client, TRANSFER, _move(listing, parties), admin))["data"]["transferCredential"]
    assert moved["userErrors"] == [] and moved["credential"]["id"] == listing["id"]
    after = (await gql(client, READ, {"id": listing["id"]}))["data"]["credential"]
    assert after == {**before, "provider": {"slug": "south-polytechnic"}}
    south = await access_token(client, parties.other_provider)  # the new owner reads the whole history
    history = (await gql(client, HISTORY, {"id": listing["id"]}, south))["data"]["credential"]["history"]["nodes"]
    assert [(v["kind"], v["note"]) for v in history][0] == ("TRANSFERRED", "Merged into South Polytechnic")
    assert [v["kind"] for v in history][-2:] == ["PUBLISHED", "CREATED"]
    feed = (await gql(client, "{ changes(first: 50) { events { kind } } }", {}))["data"]["changes"]["events"]
    assert feed[-1]["kind"] == "TRANSFERRED"


async def test_a_publisher_acting_for_both_providers_moves_a_listing(client, db, parties, listing):
    both = await operators.create_client(
        db, principals.operator("t"), name="Consortium", scopes=["credentials:write"],
        acts_for=[parties.provider_id, parties.other_provider_id],
    )  # fmt: skip
    token = await access_token(client, Credentials(both.value.client_id, both.value.client_secret))
    moved = (await gql(client, TRANSFER, _move(listing, parties), token))["data"]["transferCredential"]
    assert moved["credential"]["provider"]["slug"] == "south-polytechnic"


async def test_a_publisher_acting_for_one_side_only_cannot_move_it(client, db, parties, listing):
    receiver_only = await operators.create_client(
        db, principals.operator("t"), name="South's publisher", scopes=["credentials:write"],
        acts_for=[parties.other_provider_id],
    )  # fmt: skip
    token = await access_token(client, Credentials(receiver_only.value.client_id, receiver_only.value.client_secret))
    refused = await gql(client, TRANSFER, _move(listing, parties), token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("who", ["provider", "other_provider"])
async def test_a_provider_s_client_can_neither_give_nor_take_a_listing(client, db, parties, listing, who):
    token = await access_token(client, getattr(parties, who))
    refused = await gql(client, TRANSFER, _move(listing, parties), token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await gql(client, READ, {"id": listing["id"]}))["data"]["credential"]["provider"]["slug"] == "north-college"


async def test_a_key_the_receiving_provider_already_uses_is_a_user_error_and_nothing_moves(client, parties, listing):
    south = await access_token(client, parties.other_provider)
    await create(client, south, externalId="N-1", url="https://south.example.ca/n-1", **COMPLETE)
    admin = await access_token(client, parties.admin)
    refused = (await gql(client, TRANSFER, _move(listing, parties), admin))["data"]["transferCredential"]
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(["toProviderId"], "DUPLICATE")]
    assert (await gql(client, READ, {"id": listing["id"]}))["data"]["credential"]["provider"]["slug"] == "north-college"


async def test_a_webhook_is_told_of_a_transfer(hook_client, db, parties, receiver):
    admin = await access_token(hook_client, parties.admin)
    await gql(
        hook_client, REGISTER, {"input": {"url": receiver.url, "secret": SECRET, "kinds": ["TRANSFERRED"]}}, admin
    )
    north = await access_token(hook_client, parties.provider)
    made = (await create(hook_client, north, externalId="N-1", **COMPLETE))["credential"]
    await gql(hook_client, PUBLISH, {"input": {"id": made["id"]}}, north)
    await gql(hook_client, TRANSFER, _move(made, parties), admin)
    await deliver_all(db)
    events = [json.loads(body) for _, body, _, status in receiver.received if status == 204]
    assert [(e["kind"], e["credentialId"]) for e in events] == [("TRANSFERRED", made["id"])]
