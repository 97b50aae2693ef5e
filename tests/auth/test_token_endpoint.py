"""POST /oauth/token: the client-credentials grant, RFC 6749 and RFC 9068."""

from __future__ import annotations

import base64
import json
import time

import pytest

from tests.support.apps import SETTINGS
from tests.support.parties import token_response


def _parts(token: str) -> tuple[dict, dict]:
    header, claims, _ = token.split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    return decode(header), decode(claims)


@pytest.mark.parametrize("method", ["basic", "post"])
async def test_a_client_gets_a_jwt_access_token(client, parties, method):
    response = await token_response(client, parties.provider, method=method)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == SETTINGS.token_lifetime_seconds
    assert response.headers["cache-control"] == "no-store"
    header, claims = _parts(body["access_token"])
    assert header["typ"] == "at+jwt" and header["alg"] == "ES256" and header["kid"]
    assert claims["iss"] == SETTINGS.issuer and claims["aud"] == SETTINGS.audience
    assert claims["sub"] == claims["client_id"] == parties.provider.client_id
    assert claims["provider_id"] == str(parties.provider_id)
    assert set(claims["scope"].split()) == {"credentials:write", "credentials:publish"}
    assert claims["iat"] <= time.time() < claims["exp"] and claims["jti"]


async def test_requested_scope_is_narrowed_to_what_the_client_holds(client, parties):
    response = await token_response(client, parties.provider, "credentials:publish webhooks:manage")
    assert response.json()["scope"] == "credentials:publish"
    assert _parts(response.json()["access_token"])[1]["scope"] == "credentials:publish"


async def test_scope_the_client_does_not_hold_at_all_is_invalid_scope(client, parties):
    response = await token_response(client, parties.provider, "recognitions:write")
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"


async def test_unknown_scope_is_invalid_scope(client, parties):
    response = await token_response(client, parties.provider, "everything")
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"


async def test_authority_token_names_its_authority(client, parties):
    response = await token_response(client, parties.authority)
    assert _parts(response.json()["access_token"])[1]["authority_id"] == str(parties.authority_id)


@pytest.mark.parametrize("who", ["wrong secret", "unknown client", "revoked client"])
async def test_bad_client_credentials_are_invalid_client_401(client, parties, who):
    from tests.support.parties import Credentials

    creds = {
        "wrong secret": Credentials(parties.provider.client_id, "not-the-secret"),
        "unknown client": Credentials("mc_nobodyxxxxxxxxxxxxxxx", "whatever"),
        "revoked client": parties.revoked,
    }[who]
    response = await token_response(client, creds)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "www-authenticate" in response.headers


async def test_other_grant_types_are_unsupported(client, parties):
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "password", "username": "a", "password": "b"},
        auth=(parties.provider.client_id, parties.provider.client_secret),
    )
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"


async def test_missing_grant_type_is_a_client_error(client, parties):
    response = await client.post(
        "/oauth/token", data={}, auth=(parties.provider.client_id, parties.provider.client_secret)
    )
    assert 400 <= response.status_code < 500 and "error" in response.json()


async def test_a_garbage_body_is_a_client_error(client, parties):
    response = await client.post(
        "/oauth/token", content=b"\xff\xfe{{{", headers={"content-type": "multipart/form-data"}
    )
    assert 400 <= response.status_code < 500 and "error" in response.json()


async def test_get_is_not_allowed(client):
    assert (await client.get("/oauth/token")).status_code == 405
