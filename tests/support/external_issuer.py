"""A trusted external issuer for tests: a province's signing key, its JWKS served over real
HTTP on loopback, tokens it signs, and the registry app configured to trust it."""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
import time
from contextlib import asynccontextmanager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from joserfc import jwt
from joserfc.jwk import RSAKey

from registry.app import create_app
from registry.config import Settings, TrustedIssuer

ISSUER = "https://idp.province.example"
AUDIENCE = "microcred-registry"
KID = "province-1"
VIEWER = "{ viewer { clientId scopes provider { slug } } }"


def province_key(kid: str = KID) -> RSAKey:
    """A fresh RSA signing key of the province's identity provider."""
    return RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"})


@contextmanager
def serving_jwks(*keys: RSAKey):
    """A real HTTP server on loopback publishing ``keys`` as a JWKS; yields its URL, stops on exit."""
    body = json.dumps({"keys": [key.as_dict(private=False) for key in keys]}).encode()

    class JWKS(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), JWKS)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def trusted_issuer(
    jwks_url: str, *, providers: list[str] | None = None, jurisdictions: list[str] | None = None
) -> TrustedIssuer:
    """The province's issuer as an operator configures it (through MICROCRED_TRUSTED_ISSUERS JSON)."""
    entry = {
        "issuer": ISSUER,
        "jwks_url": jwks_url,
        "audience": AUDIENCE,
        "provider_claim": "provider",
        "algorithms": ["RS256"],
    }
    if providers is not None:
        entry["providers"] = providers
    if jurisdictions is not None:
        entry["jurisdictions"] = jurisdictions
    (issuer,) = TrustedIssuer.from_json(json.dumps([entry]))
    return issuer


def mint(key: RSAKey, header: dict | None = None, **claims) -> str:
    """A token signed by ``key``: valid province claims for north-college, changed by ``claims``
    (a claim given as None is left out)."""
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "province-sis",
        "iat": now,
        "exp": now + 600,
        "scope": "credentials:write",
        "provider": "north-college",
        **claims,
    }
    body = {name: value for name, value in body.items() if value is not None}
    return jwt.encode({"alg": "RS256", "kid": key.kid, **(header or {})}, body, key)


def b64(data: bytes) -> str:
    """base64url without padding, as in a JWT."""
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def raw_token(header: object, claims: object, signature: str = "c2lnbmF0dXJl") -> str:
    """A compact JWS of any JSON (not only objects), with a made-up signature."""
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}.{signature}"


@asynccontextmanager
async def registry_trusting(dsn: str, settings: Settings, *issuers: TrustedIssuer):
    """An HTTP client of the registry app (lifespan included) that trusts ``issuers``.

    Exceptions the app lets escape come back as the 500 a server would answer, rather than
    being raised in the test: the tests assert on what a caller would see.
    """
    app = create_app(dataclasses.replace(settings, trusted_issuers=issuers), dsn)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="https://registry.test") as client:
            yield client


async def graphql(
    client: httpx.AsyncClient, query: str, variables: dict | None = None, token: str | None = None
) -> httpx.Response:
    """POST a GraphQL request with ``token`` as the bearer, if any."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
