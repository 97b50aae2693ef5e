"""Threat: forged or tampered bearer tokens (OWASP ASVS V3.5.3). The API trusts a bearer token
only when every check passes; otherwise 401, never public."""

from __future__ import annotations

import time

import pytest
from joserfc import jwt

from tests.support import forged_tokens as forge
from tests.support.parties import access_token

VIEWER = "{ viewer { clientId scopes provider { slug } authority { slug } } }"


async def _viewer(client, token: str | None, scheme: str = "Bearer"):
    headers = {"authorization": f"{scheme} {token}"} if token is not None else {}
    return await client.post("/graphql", json={"query": VIEWER}, headers=headers)


async def test_without_a_token_the_viewer_is_null(client, parties):
    response = await _viewer(client, None)
    assert response.status_code == 200 and response.json()["data"]["viewer"] is None


async def test_viewer_shows_the_client_its_scopes_and_its_provider(client, parties):
    token = await access_token(client, parties.provider)
    viewer = (await _viewer(client, token)).json()["data"]["viewer"]
    assert viewer == {
        "clientId": parties.provider.client_id,
        "scopes": ["credentials:publish", "credentials:write"],
        "provider": {"slug": "north-college"},
        "authority": None,
    }


async def test_viewer_shows_an_authority_clients_authority(client, parties):
    token = await access_token(client, parties.authority)
    viewer = (await _viewer(client, token)).json()["data"]["viewer"]
    assert viewer["authority"] == {"slug": "skills-ministry"} and viewer["provider"] is None


BAD_TOKENS = ["tampered signature", "alg none", "HS256 with the public key", "signed by a foreign key", "garbage"]


@pytest.mark.parametrize("kind", BAD_TOKENS)
async def test_forged_tokens_are_refused_with_401(client, parties, kind):
    token = await access_token(client, parties.provider)
    jwks = (await client.get("/.well-known/jwks.json")).json()
    forged = {
        "tampered signature": lambda: forge.tampered(token),
        "alg none": lambda: forge.alg_none(token),
        "HS256 with the public key": lambda: forge.hs256_with_public_key(token, jwks),
        "signed by a foreign key": lambda: forge.foreign_key(token),
        "garbage": lambda: "not.a.jwt",
    }[kind]()
    response = await _viewer(client, forged)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="microcred", error="invalid_token"')
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    "changes",
    [
        {"aud": "someone-else"},
        {"iss": "https://other-registry.example"},
        {"exp": int(time.time()) - 120},
        {"nbf": int(time.time()) + 3600},
        {"client_id": None},
    ],
    ids=["wrong audience", "wrong issuer", "expired", "not yet valid", "no client_id"],
)
async def test_validly_signed_tokens_with_wrong_claims_are_refused(client, parties, signing_key, changes):
    token = await access_token(client, parties.provider)
    claims = {k: v for k, v in changes.items() if v is not None}
    bad = forge.resigned(token, signing_key, **claims)
    if changes.get("client_id", "") is None:
        header, body, _ = forge.segments(token)
        body.pop("client_id")
        bad = jwt.encode(header, body, signing_key)
    assert (await _viewer(client, bad)).status_code == 401


async def test_a_token_that_is_not_an_access_token_is_refused(client, parties, signing_key):
    token = await access_token(client, parties.provider)
    header, claims, _ = forge.segments(token)
    assert (await _viewer(client, jwt.encode({**header, "typ": "JWT"}, claims, signing_key))).status_code == 401


async def test_a_token_of_a_revoked_client_is_refused(client, parties, db):
    from registry.store import oauth

    token = await access_token(client, parties.provider_write_only)
    assert (await _viewer(client, token)).status_code == 200
    await oauth.revoke_client(db, parties.provider_write_only.client_id)
    response = await _viewer(client, token)
    assert response.status_code == 401 and "revoked" in response.headers["www-authenticate"]


async def test_another_scheme_is_refused(client, parties):
    response = await _viewer(client, f"{parties.provider.client_id}:{parties.provider.client_secret}", scheme="Basic")
    assert response.status_code == 401 and 'error="invalid_request"' in response.headers["www-authenticate"]
