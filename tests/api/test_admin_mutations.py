"""Operators register providers, authorities and clients over GraphQL (`registry:admin`)."""

from __future__ import annotations

import pytest

from registry.domain import ids
from tests.support.listings import gql
from tests.support.parties import Credentials, access_token, token_response

CREATE_PROVIDER = """
mutation($input: CreateProviderInput!) {
  createProvider(input: $input) { provider { id slug name kind jurisdiction } userErrors { field code } }
}
"""
CREATE_AUTHORITY = """
mutation($input: CreateRecognitionAuthorityInput!) {
  createRecognitionAuthority(input: $input) { authority { id slug } userErrors { field code } }
}
"""
CREATE_CLIENT = """
mutation($input: CreateClientInput!) {
  createClient(input: $input) { clientId clientSecret scopes userErrors { field code message } }
}
"""
REVOKE_CLIENT = "mutation($input: RevokeClientInput!) { revokeClient(input: $input) { revoked userErrors { code } } }"

PROVIDER = {
    "slug": "east-college",
    "name": [{"lang": "en", "value": "East College"}],
    "kind": "COLLEGE",
    "jurisdiction": "CA-NS",
    "website": "https://east.example.ca",
}


async def test_an_operator_onboards_a_provider_and_its_client_end_to_end(client, parties):
    admin = await access_token(client, parties.admin)
    made = (await gql(client, CREATE_PROVIDER, {"input": PROVIDER}, admin))["data"]["createProvider"]
    assert made["userErrors"] == [] and made["provider"]["slug"] == "east-college"
    issued = (
        await gql(
            client,
            CREATE_CLIENT,
            {"input": {"name": "East SIS", "providerId": made["provider"]["id"], "scopes": ["credentials:write"]}},
            admin,
        )
    )["data"]["createClient"]
    assert issued["userErrors"] == [] and issued["clientSecret"]
    response = await token_response(client, Credentials(issued["clientId"], issued["clientSecret"]))
    assert response.status_code == 200
    revoked = await gql(client, REVOKE_CLIENT, {"input": {"clientId": issued["clientId"]}}, admin)
    assert revoked["data"]["revokeClient"]["revoked"] is True
    assert (await token_response(client, Credentials(issued["clientId"], issued["clientSecret"]))).status_code == 401


async def test_bad_details_are_user_errors(client, parties):
    admin = await access_token(client, parties.admin)
    bad = {**PROVIDER, "slug": "East College", "jurisdiction": "Nova Scotia", "name": []}
    errors = (await gql(client, CREATE_PROVIDER, {"input": bad}, admin))["data"]["createProvider"]["userErrors"]
    assert {e["code"] for e in errors} == {"INVALID_SLUG", "INVALID_JURISDICTION", "REQUIRED"}
    taken = {**PROVIDER, "slug": "north-college"}
    assert (await gql(client, CREATE_PROVIDER, {"input": taken}, admin))["data"]["createProvider"]["userErrors"][0][
        "code"
    ] == "DUPLICATE"


async def test_national_authorities_are_allowed(client, parties):
    admin = await access_token(client, parties.admin)
    body = await gql(
        client,
        CREATE_AUTHORITY,
        {
            "input": {
                "slug": "national-council",
                "kind": "QUALITY_ASSURANCE_AGENCY",
                "name": [{"lang": "en", "value": "Council"}],
                "jurisdiction": "CA",
            }
        },
        admin,
    )
    assert body["data"]["createRecognitionAuthority"]["authority"]["slug"] == "national-council"


async def test_a_provider_client_cannot_hold_admin_scopes(client, parties):
    admin = await access_token(client, parties.admin)
    body = await gql(
        client,
        CREATE_CLIENT,
        {
            "input": {
                "name": "x",
                "scopes": ["registry:admin"],
                "providerId": ids.encode("Provider", parties.provider_id),
            }
        },
        admin,
    )
    assert body["data"]["createClient"]["userErrors"][0]["code"] == "INVALID_CLIENT"


@pytest.mark.parametrize("who", ["provider", "authority", "no token"])
async def test_only_operators_may(client, parties, who):
    token = None if who == "no token" else await access_token(client, getattr(parties, who))
    body = await gql(client, CREATE_PROVIDER, {"input": PROVIDER}, token)
    assert body["errors"][0]["extensions"]["code"] in {"FORBIDDEN", "UNAUTHENTICATED"}


async def test_operators_list_clients_without_secrets(client, parties):
    admin = await access_token(client, parties.admin)
    body = await gql(client, "{ oauthClients { clientId name binding scopes revokedAt } }", {}, admin)
    listed = {c["clientId"]: c for c in body["data"]["oauthClients"]}
    assert listed[parties.provider.client_id]["binding"] == "PROVIDER"
    assert listed[parties.revoked.client_id]["revokedAt"] is not None
    provider = await access_token(client, parties.provider)
    refused = await gql(client, "{ oauthClients { clientId } }", {}, provider)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


AUDIT = "{ auditTrail(first: 10) { actor action target details } }"


async def test_every_operator_action_lands_in_the_audit_trail(client, parties):
    admin = await access_token(client, parties.admin)
    made = (await gql(client, CREATE_PROVIDER, {"input": PROVIDER}, admin))["data"]["createProvider"]
    issued = (
        await gql(
            client,
            CREATE_CLIENT,
            {"input": {"name": "East SIS", "providerId": made["provider"]["id"], "scopes": ["credentials:write"]}},
            admin,
        )
    )["data"]["createClient"]
    await gql(client, REVOKE_CLIENT, {"input": {"clientId": issued["clientId"]}}, admin)
    trail = (await gql(client, AUDIT, {}, admin))["data"]["auditTrail"]
    assert [(e["actor"], e["action"], e["target"]) for e in trail] == [
        (parties.admin.client_id, "client.revoked", issued["clientId"]),
        (parties.admin.client_id, "client.created", issued["clientId"]),
        (parties.admin.client_id, "provider.created", "east-college"),
    ]
    assert '"scopes": ["credentials:write"]' in trail[1]["details"]


async def test_a_refused_action_leaves_no_audit_entry(client, parties, db):
    admin = await access_token(client, parties.admin)
    await gql(client, CREATE_PROVIDER, {"input": PROVIDER}, admin)
    taken = (await gql(client, CREATE_PROVIDER, {"input": PROVIDER}, admin))["data"]["createProvider"]
    assert taken["userErrors"] == [{"field": ["slug"], "code": "DUPLICATE"}]
    assert await db.fetchval("select count(*) from audit_log") == 1


async def test_the_audit_trail_is_for_operators_and_cannot_be_rewritten(client, parties, db):
    token = await access_token(client, parties.provider)
    assert (await gql(client, AUDIT, {}, token))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    await db.execute("insert into audit_log (actor, action, target) values ('x', 'y', 'z')")
    with pytest.raises(Exception, match="not allowed"):
        await db.execute("delete from audit_log")
