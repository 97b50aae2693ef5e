"""Portal clients: a provincial portal's own OAuth client, bound to the jurisdictions it
serves, with webhooks for them only, its own rate-limit tier, and no right to write."""

from __future__ import annotations

import dataclasses
import json

from registry.domain import principals
from registry.services import operators
from tests.support.commands import invoke
from tests.support.listings import COMPLETE, PUBLISH, create, gql
from tests.support.parties import Credentials, access_token, registered_client
from tests.support.processes import process_env
from tests.support.throttle import LIMITED, serving
from tests.support.webhooks import REGISTER, SECRET, deliver_all

VIEWER = "{ viewer { clientId scopes portalJurisdictions } }"


def _portal_by_command(db_dsn: str, *jurisdictions: str) -> Credentials:
    """A portal's client made as the README says: one command."""
    portals = [arg for code in jurisdictions for arg in ("--portal", code)]
    made = invoke(
        "clients", "create", "--name", "Portal", *portals, "--scopes", "webhooks:manage", "--json",
        env=process_env(DATABASE_URL=db_dsn),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    found = json.loads(made.stdout)
    return Credentials(found["client_id"], found["client_secret"])


async def _publish(client, creds: Credentials, key: str, url: str, region: str) -> str:
    token = await access_token(client, creds)
    listing = {**COMPLETE, "externalId": key, "url": url, "regions": [region]}
    made = (await create(client, token, **listing))["credential"]["id"]
    await gql(client, PUBLISH, {"input": {"id": made}}, token)
    return made


async def test_a_portal_made_by_one_command_hears_only_its_province_s_events(
    hook_client, db_dsn, db, parties, receiver
):
    portal = _portal_by_command(db_dsn, "CA-ON")
    token = await access_token(hook_client, portal)
    registered = await gql(hook_client, REGISTER, {"input": {"url": receiver.url, "secret": SECRET}}, token)
    assert registered["data"]["registerWebhook"]["userErrors"] == []
    ontario = await _publish(hook_client, parties.provider, "ON-1", "https://north.example.ca/on-1", "CA-ON")
    await _publish(hook_client, parties.other_provider, "BC-1", "https://south.example.ca/bc-1", "CA-BC")
    await deliver_all(db)
    heard = {json.loads(body)["credentialId"] for _, body, _, status in receiver.received if status == 204}
    assert heard == {ontario}


async def test_a_portal_s_webhook_must_stay_within_its_jurisdictions(client, db):
    portal = await registered_client(db, name="Prairies", scopes=["webhooks:manage"], portal=["CA-MB", "CA-SK"])
    token = await access_token(client, portal)

    async def codes(jurisdiction):
        url = "https://portal.example.ca/hooks"
        body = await gql(client, REGISTER, {"input": {"url": url, "jurisdiction": jurisdiction}}, token)
        return [e["code"] for e in body["data"]["registerWebhook"]["userErrors"]]

    assert await codes("CA-QC") == ["OUT_OF_JURISDICTION"]
    assert await codes(None) == ["REQUIRED"]  # which of its two?
    assert await codes("CA-SK") == []


async def test_a_portal_s_client_cannot_hold_a_scope_to_write(db):
    refused = await operators.create_client(
        db, principals.operator("test"), name="Portal", scopes=["credentials:write"], portal=["CA-ON"]
    )
    assert [(p.field, p.code) for p in refused.problems] == [(("scopes",), "INVALID_CLIENT")]


async def test_a_portal_s_jurisdictions_are_iso_codes(db):
    refused = await operators.create_client(
        db, principals.operator("test"), name="Portal", scopes=["webhooks:manage"], portal=["Ontario"]
    )
    assert [(p.field, p.code) for p in refused.problems] == [(("portalJurisdictions",), "INVALID_REGION")]


async def test_a_portal_token_cannot_write(client, db, parties):
    portal = await registered_client(db, name="Portal", scopes=["webhooks:manage"], portal=["CA-ON"])
    token = await access_token(client, portal)
    body = await gql(
        client,
        'mutation { createCredential(input: {credential: {externalId: "X-1"}}) { userErrors { code } } }',
        {},
        token,
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await db.fetchval("select count(*) from credentials") == 0


async def test_the_viewer_is_told_its_portal_s_jurisdictions(client, db):
    portal = await registered_client(db, name="Portal", scopes=["webhooks:manage"], portal=["CA-ON", "CA-QC"])
    viewer = (await gql(client, VIEWER, {}, await access_token(client, portal)))["data"]["viewer"]
    assert viewer["portalJurisdictions"] == ["CA-ON", "CA-QC"] and viewer["scopes"] == ["webhooks:manage"]


async def test_a_portal_is_charged_to_the_portal_tier_not_the_client_one(db_dsn, db, parties):
    settings = dataclasses.replace(LIMITED, rate_portal=(50_000.0, 500.0))
    portal = await registered_client(db, name="Portal", scopes=["webhooks:manage"], portal=["CA-ON"])
    async with serving(db_dsn, settings) as client:
        for creds, capacity in ((portal, 50_000.0), (parties.provider, 1_000.0)):
            token = await access_token(client, creds)
            answer = await client.post(
                "/graphql",
                json={"query": "{ skills(first: 1) { nodes { id } } }"},
                headers={"authorization": f"Bearer {token}"},
            )
            assert answer.json()["extensions"]["cost"]["throttleStatus"]["maximumAvailable"] == capacity
