"""Tokens of a trusted external issuer (a province's own server) are accepted by configuration."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from registry.app import create_app
from registry.config import TrustedIssuer
from tests.conftest import SETTINGS

ISSUER = "https://idp.province.example"
VIEWER = {"query": "{ viewer { clientId scopes provider { slug } } }"}


@pytest.fixture(scope="module")
def province_key():
    return RSAKey.generate_key(2048, parameters={"kid": "province-1", "alg": "RS256", "use": "sig"})


@pytest.fixture(scope="module")
def jwks_url(province_key):
    """A real HTTP server on loopback publishing the province's JWKS."""
    body = json.dumps({"keys": [province_key.as_dict(private=False)]}).encode()

    class JWKS(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), JWKS)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    server.shutdown()


@pytest.fixture
async def province_client(db_dsn, jwks_url, parties):
    trusted = TrustedIssuer(ISSUER, jwks_url, "microcred-registry", "provider", ("RS256",))
    app = create_app(dataclasses.replace(SETTINGS, trusted_issuers=(trusted,)), db_dsn)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://registry.test") as c:
            yield c


def mint(key, **claims) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": "microcred-registry", "sub": "province-sis", "iat": now, "exp": now + 600,
            "scope": "credentials:write", "provider": "north-college", **claims}
    return jwt.encode({"alg": "RS256", "kid": "province-1"}, body, key)


async def _viewer(client, token):
    return await client.post("/graphql", json=VIEWER, headers={"authorization": f"Bearer {token}"})


async def test_a_trusted_issuers_token_acts_for_the_named_provider(province_client, province_key):
    response = await _viewer(province_client, mint(province_key))
    assert response.status_code == 200
    assert response.json()["data"]["viewer"] == {"clientId": "province-sis", "scopes": ["credentials:write"],
                                                 "provider": {"slug": "north-college"}}


async def test_admin_scope_from_outside_is_never_granted(province_client, province_key):
    viewer = (await _viewer(province_client, mint(province_key, scope="registry:admin credentials:write"))).json()
    assert viewer["data"]["viewer"]["scopes"] == ["credentials:write"]


@pytest.mark.parametrize("claims", [{"provider": "nowhere-college"}, {"aud": "someone-else"},
                                    {"exp": int(time.time()) - 300}], ids=["unknown provider", "wrong audience", "expired"])
async def test_bad_claims_are_refused(province_client, province_key, claims):
    assert (await _viewer(province_client, mint(province_key, **claims))).status_code == 401


async def test_a_token_signed_by_another_key_is_refused(province_client):
    impostor = RSAKey.generate_key(2048, parameters={"kid": "province-1"})
    assert (await _viewer(province_client, mint(impostor))).status_code == 401


async def test_an_untrusted_issuer_is_refused(province_client, province_key):
    assert (await _viewer(province_client, mint(province_key, iss="https://elsewhere.example"))).status_code == 401
