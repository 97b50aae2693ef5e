"""The API trusts a bearer token only when every check passes; otherwise 401, never public."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from tests.parties import access_token
from tests.conftest import SETTINGS

VIEWER = "{ viewer { clientId scopes provider { slug } authority { slug } } }"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _segments(token: str) -> tuple[dict, dict, str]:
    header, claims, signature = token.split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    return decode(header), decode(claims), signature


def _unsigned(header: dict, claims: dict, signature: str = "") -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}.{signature}"


async def _viewer(client, token: str | None, scheme: str = "Bearer"):
    headers = {"authorization": f"{scheme} {token}"} if token is not None else {}
    return await client.post("/graphql", json={"query": VIEWER}, headers=headers)


async def test_without_a_token_the_viewer_is_null(client, parties):
    response = await _viewer(client, None)
    assert response.status_code == 200 and response.json()["data"]["viewer"] is None


async def test_viewer_shows_the_client_its_scopes_and_its_provider(client, parties):
    token = await access_token(client, parties.provider)
    viewer = (await _viewer(client, token)).json()["data"]["viewer"]
    assert viewer == {"clientId": parties.provider.client_id, "scopes": ["credentials:publish", "credentials:write"],
                      "provider": {"slug": "north-college"}, "authority": None}


async def test_viewer_shows_an_authority_clients_authority(client, parties):
    token = await access_token(client, parties.authority)
    viewer = (await _viewer(client, token)).json()["data"]["viewer"]
    assert viewer["authority"] == {"slug": "skills-ministry"} and viewer["provider"] is None


def _tampered(token: str) -> str:
    header, claims, signature = _segments(token)
    claims["scope"] = "registry:admin"
    return _unsigned(header, claims, signature)


def _alg_none(token: str) -> str:
    header, claims, _ = _segments(token)
    return _unsigned({**header, "alg": "none"}, claims)


def _hs256_with_public_key(token: str, jwks: dict) -> str:
    header, claims, _ = _segments(token)
    header = {**header, "alg": "HS256"}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    secret = json.dumps(jwks["keys"][0]).encode()
    return f"{signing_input}.{_b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def _foreign_key(token: str) -> str:
    header, claims, _ = _segments(token)
    key = ECKey.generate_key("P-256", parameters={"kid": header["kid"]})
    return jwt.encode({"alg": "ES256", "typ": "at+jwt", "kid": header["kid"]}, claims, key)


def _resigned(token: str, key: ECKey, **changes) -> str:
    header, claims, _ = _segments(token)
    return jwt.encode(header, {**claims, **changes}, key)


BAD_TOKENS = ["tampered signature", "alg none", "HS256 with the public key", "signed by a foreign key", "garbage"]


@pytest.mark.parametrize("kind", BAD_TOKENS)
async def test_forged_tokens_are_refused_with_401(client, parties, kind):
    token = await access_token(client, parties.provider)
    jwks = (await client.get("/.well-known/jwks.json")).json()
    forged = {
        "tampered signature": lambda: _tampered(token),
        "alg none": lambda: _alg_none(token),
        "HS256 with the public key": lambda: _hs256_with_public_key(token, jwks),
        "signed by a foreign key": lambda: _foreign_key(token),
        "garbage": lambda: "not.a.jwt",
    }[kind]()
    response = await _viewer(client, forged)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="microcred", error="invalid_token"')
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.fixture
async def signing_key(db):
    """The registry's own private signing key, to mint tokens with wrong claims."""
    from auth.keys import Keys
    from auth.secrets import fernet

    ring = await Keys(fernet(SETTINGS)).ring(db)
    return ring.signing_key


@pytest.mark.parametrize("changes", [
    {"aud": "someone-else"}, {"iss": "https://other-registry.example"}, {"exp": int(time.time()) - 120},
    {"nbf": int(time.time()) + 3600}, {"client_id": None},
], ids=["wrong audience", "wrong issuer", "expired", "not yet valid", "no client_id"])
async def test_validly_signed_tokens_with_wrong_claims_are_refused(client, parties, signing_key, changes):
    token = await access_token(client, parties.provider)
    claims = {k: v for k, v in changes.items() if v is not None}
    bad = _resigned(token, signing_key, **claims)
    if changes.get("client_id", "") is None:
        header, body, _ = _segments(token)
        body.pop("client_id")
        bad = jwt.encode(header, body, signing_key)
    assert (await _viewer(client, bad)).status_code == 401


async def test_a_token_that_is_not_an_access_token_is_refused(client, parties, signing_key):
    token = await access_token(client, parties.provider)
    header, claims, _ = _segments(token)
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
