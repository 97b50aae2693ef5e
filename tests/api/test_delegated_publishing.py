"""Delegated publishing: a publisher's client (a ministry, a college system office) writes
for the providers operators grant it, names the one on every write, and is refused for any
other, including right after a grant ends, with a token issued before."""

from __future__ import annotations

import json

import pytest

from registry.domain import ids, principals
from registry.services import operators
from registry.store import providers
from tests.support.commands import invoke
from tests.support.listings import COMPLETE, CREATE, DRAFT, PUBLISH, SUBMIT, UPDATE, gql, item
from tests.support.parties import Credentials, access_token
from tests.support.processes import process_env
from tests.support.webhooks import REGISTER, SECRET, deliver_all

VIEWER = "{ viewer { actsForProviders { slug } } }"
LISTING = "query($id: ID!) { credential(id: $id) { id status provider { slug } } }"
GRANT = """
mutation($input: ActingForInput!) { grantActingFor(input: $input) { done userErrors { field code } } }
"""
UNGRANT = """
mutation($input: ActingForInput!) { revokeActingFor(input: $input) { done userErrors { field code } } }
"""


@pytest.fixture
async def colleges(db, parties):
    """Three providers: two the publisher acts for (North College, South Polytechnic) and a
    third it does not (East Institute), by their global IDs."""
    east = await providers.create(
        db, slug="east-institute", name={"en": "East Institute"}, kind="COLLEGE", jurisdiction="CA-NS"
    )
    return {
        "north": ids.encode("Provider", parties.provider_id),
        "south": ids.encode("Provider", parties.other_provider_id),
        "east": ids.encode("Provider", east.id),
    }


@pytest.fixture
async def publisher(db, parties, colleges) -> Credentials:
    made = await operators.create_client(
        db,
        principals.operator("test"),
        name="Ministry publishing",
        scopes=["credentials:write", "credentials:publish"],
        acts_for=[parties.provider_id, parties.other_provider_id],
    )
    assert made.ok, made.problems
    return Credentials(made.value.client_id, made.value.client_secret)


async def _create(client, token, provider: str | None, key: str) -> dict:
    listing = {**DRAFT, **COMPLETE, "externalId": key}
    body = await gql(client, CREATE, {"input": {"providerId": provider, "credential": listing}}, token)
    return body


async def test_a_publisher_made_by_one_command_publishes_for_two_colleges_and_not_a_third(client, db_dsn, colleges):
    made = invoke(
        "clients", "create", "--name", "Ministry", "--acts-for", "north-college", "--acts-for", "south-polytechnic",
        "--scopes", "credentials:write credentials:publish", "--json", env=process_env(DATABASE_URL=db_dsn),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    found = json.loads(made.stdout)
    token = await access_token(client, Credentials(found["client_id"], found["client_secret"]))
    for college in ("north", "south"):
        created = (await _create(client, token, colleges[college], f"{college}-1"))["data"]["createCredential"]
        assert created["userErrors"] == [] and created["credential"]["provider"]["slug"].startswith(college)
        published = await gql(client, PUBLISH, {"input": {"id": created["credential"]["id"]}}, token)
        assert published["data"]["publishCredential"]["credential"]["status"] == "PUBLISHED"
    refused = await _create(client, token, colleges["east"], "east-1")
    assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_publisher_names_the_provider_of_every_new_listing(client, publisher):
    token = await access_token(client, publisher)
    answer = (await _create(client, token, None, "x-1"))["data"]["createCredential"]
    assert [(e["field"], e["code"]) for e in answer["userErrors"]] == [(["providerId"], "REQUIRED")]


async def test_a_publisher_submits_a_batch_for_a_provider_it_acts_for(client, publisher, colleges):
    token = await access_token(client, publisher)
    body = await gql(client, SUBMIT, {"input": {"providerId": colleges["south"], "credentials": [item("S-9")]}}, token)
    assert body["data"]["submitCredentials"]["createdCount"] == 1


async def test_a_grant_revoked_refuses_the_next_write_with_a_token_issued_before(
    client, db, parties, publisher, colleges
):
    token = await access_token(client, publisher)
    listing = (await _create(client, token, colleges["north"], "n-1"))["data"]["createCredential"]["credential"]
    ended = await operators.revoke_acting_for(db, principals.operator("test"), publisher.client_id, parties.provider_id)
    assert ended.ok
    change = {"input": {"id": listing["id"], "expectedVersion": listing["version"], "credential": {"workloadHours": 9}}}
    refused = (await gql(client, UPDATE, change, token))["data"]["updateCredential"]["userErrors"]
    assert [e["code"] for e in refused] == ["NOT_FOUND"]  # its draft is no longer the publisher's to see
    north = await access_token(client, parties.provider)
    published = await gql(client, PUBLISH, {"input": {"id": listing["id"]}}, north)  # now public
    change["input"]["expectedVersion"] = published["data"]["publishCredential"]["credential"]["version"]
    assert (await gql(client, UPDATE, change, token))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await _create(client, token, colleges["north"], "n-2"))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await db.fetchval("select count(*) from credentials") == 1


async def test_history_records_the_publisher_and_the_provider_it_acted_for(client, db, parties, publisher, colleges):
    token = await access_token(client, publisher)
    listing = (await _create(client, token, colleges["north"], "n-1"))["data"]["createCredential"]["credential"]
    version = await db.fetchrow(
        "select actor, snapshot->>'provider_id' as provider_id from credential_versions where credential_id = $1",
        ids.decode_as(listing["id"], "Credential"),
    )
    assert (version["actor"], version["provider_id"]) == (publisher.client_id, str(parties.provider_id))


async def test_a_publisher_sees_the_drafts_of_those_it_acts_for_and_no_others(client, parties, publisher, colleges):
    token = await access_token(client, publisher)
    mine = (await _create(client, token, colleges["north"], "n-1"))["data"]["createCredential"]["credential"]["id"]
    east_token = await access_token(client, parties.other_provider)  # South's own client
    south_draft = (await _create(client, east_token, None, "s-own"))["data"]["createCredential"]["credential"]["id"]
    assert (await gql(client, LISTING, {"id": mine}, token))["data"]["credential"]["id"] == mine
    assert (await gql(client, LISTING, {"id": south_draft}, token))["data"]["credential"]["id"] == south_draft
    assert (await gql(client, LISTING, {"id": mine}))["data"]["credential"] is None  # the public does not


async def test_operators_grant_and_revoke_over_graphql_and_every_act_is_audited(
    client, db, parties, publisher, colleges
):
    admin = await access_token(client, parties.admin)
    grant = {"input": {"clientId": publisher.client_id, "providerId": colleges["east"]}}
    assert (await gql(client, GRANT, grant, admin))["data"]["grantActingFor"] == {"done": True, "userErrors": []}
    token = await access_token(client, publisher)
    viewer = (await gql(client, VIEWER, {}, token))["data"]["viewer"]
    assert [p["slug"] for p in viewer["actsForProviders"]] == ["east-institute", "north-college", "south-polytechnic"]
    assert (await gql(client, UNGRANT, grant, admin))["data"]["revokeActingFor"]["done"] is True
    again = (await gql(client, UNGRANT, grant, admin))["data"]["revokeActingFor"]["userErrors"]
    assert again == [{"field": ["providerId"], "code": "NOT_GRANTED"}]
    actions = [r["action"] for r in await db.fetch("select action from audit_log order by id")]
    assert actions[-3:] == ["client.created", "client.granted", "client.ungranted"]


async def test_only_a_publisher_s_client_is_granted_providers(client, parties, colleges):
    admin = await access_token(client, parties.admin)
    grant = {"input": {"clientId": parties.provider.client_id, "providerId": colleges["east"]}}
    answer = (await gql(client, GRANT, grant, admin))["data"]["grantActingFor"]
    assert answer == {"done": False, "userErrors": [{"field": ["clientId"], "code": "NOT_A_PUBLISHER"}]}


async def test_a_publisher_s_webhooks_hear_the_drafts_of_those_it_acts_for(
    hook_client, db, parties, colleges, receiver
):
    made = await operators.create_client(
        db,
        principals.operator("test"),
        name="Ministry hooks",
        scopes=["credentials:write", "webhooks:manage"],
        acts_for=[parties.provider_id],
    )
    token = await access_token(hook_client, Credentials(made.value.client_id, made.value.client_secret))
    await gql(hook_client, REGISTER, {"input": {"url": receiver.url, "secret": SECRET}}, token)
    draft = (await _create(hook_client, token, colleges["north"], "n-1"))["data"]["createCredential"]["credential"]
    south = await access_token(hook_client, parties.other_provider)
    await _create(hook_client, south, None, "s-1")  # a draft of a provider it does not act for
    await deliver_all(db)
    heard = [json.loads(body)["credentialId"] for _, body, _, status in receiver.received if status == 204]
    assert heard == [draft["id"]]
