"""The resource side: who is calling the API, from the bearer token.

No Authorization header means the public view. A header that is not a valid, unrevoked
token of a live client is a 401 with ``WWW-Authenticate`` (RFC 6750), never a silent
fall-back to public.
"""

from __future__ import annotations

import json
from dataclasses import replace

from starlette.types import ASGIApp, Receive, Scope, Send

from auth import tokens
from auth.external import ExternalIssuers
from auth.keys import Keys
from registry.config import Settings
from registry.store import oauth

SCOPE_KEY = "microcred.access_token"


class BearerAuthMiddleware:
    """Validates bearer tokens on the paths it guards and puts the result in the ASGI scope."""

    def __init__(self, app: ASGIApp, *, settings: Settings, keys: Keys, paths: tuple[str, ...] = ("/graphql",)) -> None:
        self.app = app
        self.settings = settings
        self.keys = keys
        self.paths = paths
        self.external = ExternalIssuers(settings.trusted_issuers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.paths):
            await self.app(scope, receive, send)
            return
        header = _authorization(scope)
        if header is None:
            scope[SCOPE_KEY] = None
            await self.app(scope, receive, send)
            return
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            await _refuse(send, "invalid_request", "Use the Bearer scheme: `Authorization: Bearer <token>`.")
            return
        try:
            scope[SCOPE_KEY] = await self._check(scope, value.strip())
        except tokens.InvalidToken as error:
            await _refuse(send, "invalid_token", str(error))
            return
        await self.app(scope, receive, send)

    async def _check(self, scope: Scope, token: str) -> tokens.AccessToken:
        """The access token ``token`` grants, checked by the registry's keys or a trusted issuer's."""
        db = scope["app"].state.db
        # Malformed tokens stop here with a 401: past this line `iss` and `kid` are strings
        # (or absent), so looking them up can no longer raise.
        header, claims = tokens.parse_unverified(token)
        issuer = claims.get("iss")
        if issuer != self.settings.issuer and self.external.trusts(issuer):
            return await self.external.verify(db, token, issuer, header.get("kid"))
        ring = await self.keys.ring(db, kid=header.get("kid"))
        access = tokens.verify(ring, self.settings, token)
        standing = await oauth.token_standing(db, access.client_id, access.jti)
        if not standing.client_ok:
            raise tokens.InvalidToken("The client this token was issued to is revoked.")
        if standing.token_revoked:
            raise tokens.InvalidToken("The token was revoked.")
        return replace(access, portal_jurisdictions=standing.jurisdictions, acts_for=standing.acts_for)


def _authorization(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            return value.decode("latin-1")
    return None


async def _refuse(send: Send, error: str, description: str) -> None:
    safe = description.replace('"', "'")
    body = json.dumps({"errors": [{"message": description, "extensions": {"code": "UNAUTHENTICATED"}}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (
                    b"www-authenticate",
                    f'Bearer realm="microcred", error="{error}", error_description="{safe}"'.encode(),
                ),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
