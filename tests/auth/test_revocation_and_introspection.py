"""RFC 7009 revocation, RFC 7662 introspection, RFC 8414 metadata, the JWKS."""

from __future__ import annotations

from tests.support.apps import SETTINGS
from tests.support.parties import access_token

VIEWER = {"query": "{ viewer { clientId } }"}


async def _revoke(client, creds, token):
    return await client.post("/oauth/revoke", data={"token": token}, auth=(creds.client_id, creds.client_secret))


async def _introspect(client, creds, token):
    return await client.post("/oauth/introspect", data={"token": token}, auth=(creds.client_id, creds.client_secret))


async def test_a_revoked_token_is_refused_from_then_on(client, parties):
    token = await access_token(client, parties.provider)
    assert (await client.post("/graphql", json=VIEWER, headers={"authorization": f"Bearer {token}"})).status_code == 200
    response = await _revoke(client, parties.provider, token)
    assert response.status_code == 200 and response.json() == {}
    refused = await client.post("/graphql", json=VIEWER, headers={"authorization": f"Bearer {token}"})
    assert refused.status_code == 401


async def test_a_client_cannot_revoke_another_clients_token(client, parties):
    token = await access_token(client, parties.provider)
    assert (await _revoke(client, parties.other_provider, token)).status_code == 200  # RFC 7009: no oracle
    still = await client.post("/graphql", json=VIEWER, headers={"authorization": f"Bearer {token}"})
    assert still.status_code == 200


async def test_revoking_garbage_is_fine_but_needs_client_authentication(client, parties):
    assert (await _revoke(client, parties.provider, "garbage")).status_code == 200
    unauthenticated = await client.post("/oauth/revoke", data={"token": "garbage"})
    assert unauthenticated.status_code == 401 and unauthenticated.json()["error"] == "invalid_client"


async def test_admins_introspect_tokens(client, parties):
    token = await access_token(client, parties.provider)
    body = (await _introspect(client, parties.admin, token)).json()
    assert body["active"] is True and body["client_id"] == parties.provider.client_id
    assert body["provider_id"] == str(parties.provider_id) and body["iss"] == SETTINGS.issuer
    await _revoke(client, parties.provider, token)
    assert (await _introspect(client, parties.admin, token)).json() == {"active": False}
    assert (await _introspect(client, parties.admin, "garbage")).json() == {"active": False}


async def test_only_admins_may_introspect(client, parties):
    token = await access_token(client, parties.provider)
    response = await _introspect(client, parties.provider, token)
    assert response.status_code == 403 and response.json()["error"] == "access_denied"


async def test_metadata_describes_the_server(client):
    body = (await client.get("/.well-known/oauth-authorization-server")).json()
    assert body["issuer"] == SETTINGS.issuer
    assert body["token_endpoint"] == f"{SETTINGS.issuer}/oauth/token"
    assert body["grant_types_supported"] == ["client_credentials"]
    assert set(body["token_endpoint_auth_methods_supported"]) == {"client_secret_basic", "client_secret_post"}
    assert "registry:admin" in body["scopes_supported"]


async def test_jwks_publishes_public_keys_only(client, parties):
    await access_token(client, parties.provider)
    keys = (await client.get("/.well-known/jwks.json")).json()["keys"]
    assert keys and all(k["kty"] == "EC" and "d" not in k and k["kid"] for k in keys)
