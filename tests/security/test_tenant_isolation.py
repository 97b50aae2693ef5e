"""Threat: one tenant changing another's data (OWASP ASVS V4.1.3, V4.2.1).

Every mutation is tried by a provider (South Polytechnic, with every scope a provider can
hold) against what belongs to another provider, another authority, another client or the
operators; each must be refused and leave every table exactly as it was. Comparing the whole
content of the tables, not the answer, catches a statement that writes before the refusal.
"""

from __future__ import annotations

import pytest

from registry.domain import ids
from registry.services import operators
from tests.support.listings import COMPLETE, PUBLISH, create, gql
from tests.support.parties import access_token

TABLES = (
    "credentials",
    "credential_versions",
    "changes",
    "credential_links",
    "recognitions",
    "webhooks",
    "webhook_deliveries",
    "oauth_clients",
    "providers",
    "recognition_authorities",
    "audit_log",
    "offerings",
)
FOREIGN_WRITES = {
    "createCredential for another provider": (
        'mutation($p: ID!) { createCredential(input: {providerId: $p, credential: {externalId: "X"}})'
        " { userErrors { code } } }",
        lambda s: {"p": s["north_provider"]},
    ),
    "updateCredential": (
        "mutation($id: ID!) { updateCredential(input: {id: $id, expectedVersion: 2, credential: {workloadHours: 1}})"
        " { userErrors { code } } }",
        lambda s: {"id": s["north_listing"]},
    ),
    "updateCredential of a draft": (
        "mutation($id: ID!) { updateCredential(input: {id: $id, expectedVersion: 1, credential: {workloadHours: 1}})"
        " { userErrors { code } } }",
        lambda s: {"id": s["north_draft"]},
    ),
    "publishCredential": (
        "mutation($id: ID!) { publishCredential(input: {id: $id}) { userErrors { code } } }",
        lambda s: {"id": s["north_draft"]},
    ),
    "retireCredential": (
        'mutation($id: ID!) { retireCredential(input: {id: $id, reason: "mine now"}) { userErrors { code } } }',
        lambda s: {"id": s["north_listing"]},
    ),
    "linkCredentials from another's listing": (
        "mutation($a: ID!, $b: ID!) { linkCredentials(input: {fromId: $a, toId: $b, kind: PART_OF})"
        " { userErrors { code } } }",
        lambda s: {"a": s["north_listing"], "b": s["south_listing"]},
    ),
    "submitCredentials for another provider": (
        'mutation($p: ID!) { submitCredentials(input: {providerId: $p, credentials: [{externalId: "DA-101",'
        " workloadHours: 1}]}) { failedCount } }",
        lambda s: {"p": s["north_provider"]},
    ),
    "recognizeCredential": (
        "mutation($id: ID!, $a: ID!) { recognizeCredential(input: {credentialId: $id, kind: ENDORSED,"
        " authorityId: $a}) { userErrors { code } } }",
        lambda s: {"id": s["south_listing"], "a": s["authority"]},
    ),
    "revokeRecognition": (
        'mutation($id: ID!) { revokeRecognition(input: {id: $id, reason: "no"}) { userErrors { code } } }',
        lambda s: {"id": s["recognition"]},
    ),
    "deleteWebhook": (
        "mutation($id: ID!) { deleteWebhook(input: {id: $id}) { deleted userErrors { code } } }",
        lambda s: {"id": s["north_webhook"]},
    ),
    "revokeClient": (
        "mutation($c: String!) { revokeClient(input: {clientId: $c}) { userErrors { code } } }",
        lambda s: {"c": s["north_client"]},
    ),
    "createClient": (
        'mutation($p: ID!) { createClient(input: {name: "x", scopes: ["credentials:write"], providerId: $p})'
        " { userErrors { code } } }",
        lambda s: {"p": s["north_provider"]},
    ),
    "confirmCredentials of another provider's listing, with one's own": (
        "mutation($a: ID!, $b: ID!) { confirmCredentials(input: {ids: [$b, $a]}) { userErrors { code } } }",
        lambda s: {"a": s["north_listing"], "b": s["south_listing"]},
    ),
    "confirmCredentials of another provider's draft": (
        "mutation($a: ID!) { confirmCredentials(input: {ids: [$a]}) { userErrors { code } } }",
        lambda s: {"a": s["north_draft"]},
    ),
    "addOffering to another provider's listing": (
        'mutation($a: ID!) { addOffering(input: {credentialId: $a, offering: {externalId: "x", deliveryMode: ONLINE}})'
        " { userErrors { code } } }",
        lambda s: {"a": s["north_listing"]},
    ),
    "createProvider": (
        'mutation { createProvider(input: {slug: "x", name: [{lang: "en", value: "X"}], kind: COLLEGE,'
        ' jurisdiction: "CA-ON"}) { userErrors { code } } }',
        lambda s: {},
    ),
}
REFUSALS = {"FORBIDDEN", "NOT_FOUND", "UNAUTHENTICATED"}


async def _tables(db) -> dict[str, str]:
    """A digest of every row of every table a mutation could touch."""
    return {
        t: await db.fetchval(f"select md5(coalesce(string_agg(x::text, ',' order by x::text), '')) from {t} x")
        for t in TABLES
    }


@pytest.fixture
async def scene(client, db, parties):
    """North College's published listing, draft, recognition, webhook (with a pending
    delivery) and client; and South Polytechnic's token with every provider scope."""
    north = await access_token(client, parties.provider)
    listing = (await create(client, north, externalId="N-1", **COMPLETE))["credential"]["id"]
    await gql(client, PUBLISH, {"input": {"id": listing}}, north)
    hooks = await operators.register_client(
        db, name="North sync", scopes=["webhooks:manage"], provider_id=parties.provider_id
    )
    hooks_token = await access_token(client, hooks)
    registered = await gql(
        client,
        'mutation { registerWebhook(input: {url: "https://hooks.example.org/n"}) { webhook { id } } }',
        {},
        hooks_token,
    )
    draft = (await create(client, north, externalId="N-2"))["credential"]["id"]  # queues a delivery
    authority = await access_token(client, parties.authority)
    recognized = await gql(
        client,
        "mutation($id: ID!) { recognizeCredential(input: {credentialId: $id, kind: ENDORSED}) { recognition { id } } }",
        {"id": listing},
        authority,
    )
    south_all = await operators.register_client(
        db,
        name="South everything",
        provider_id=parties.other_provider_id,
        scopes=["credentials:write", "credentials:publish", "webhooks:manage"],
    )
    south = await access_token(client, south_all)
    south_listing = (await create(client, south, externalId="S-1", url="https://south.example.ca/s1", **COMPLETE))[
        "credential"
    ]["id"]
    await gql(client, PUBLISH, {"input": {"id": south_listing}}, south)
    assert await db.fetchval("select count(*) from webhook_deliveries where status = 'PENDING'") > 0
    return {
        "north_listing": listing,
        "north_draft": draft,
        "south_listing": south_listing,
        "south_token": south,
        "north_webhook": registered["data"]["registerWebhook"]["webhook"]["id"],
        "recognition": recognized["data"]["recognizeCredential"]["recognition"]["id"],
        "north_provider": ids.encode("Provider", parties.provider_id),
        "authority": ids.encode("RecognitionAuthority", parties.authority_id),
        "north_client": parties.provider.client_id,
    }


@pytest.mark.parametrize("write", list(FOREIGN_WRITES), ids=list(FOREIGN_WRITES))
async def test_a_provider_cannot_change_what_belongs_to_others(client, db, scene, write):
    """Each foreign write is refused, and no statement of it changed any row."""
    query, variables = FOREIGN_WRITES[write]
    before = await _tables(db)
    body = await gql(client, query, variables(scene), scene["south_token"])
    codes = {e["extensions"]["code"] for e in body.get("errors") or []}
    payload = next(iter((body.get("data") or {}).values()), None) or {}
    codes |= {e["code"] for e in payload.get("userErrors", [])}
    assert codes & REFUSALS, body
    assert await _tables(db) == before


async def test_deleting_another_clients_webhook_keeps_its_pending_deliveries(client, db, scene):
    """The audit's case: deleteWebhook with a foreign ID answered NOT_FOUND but its second
    statement marked that webhook's pending deliveries FAILED."""
    pending = "select count(*) from webhook_deliveries where status = 'PENDING'"
    waiting = await db.fetchval(pending)
    body = await gql(client, FOREIGN_WRITES["deleteWebhook"][0], {"id": scene["north_webhook"]}, scene["south_token"])
    assert body["data"]["deleteWebhook"] == {"deleted": False, "userErrors": [{"code": "NOT_FOUND"}]}
    assert await db.fetchval(pending) == waiting
