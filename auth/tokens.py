"""RFC 9068 JWT access tokens: issuing them and checking them."""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from uuid import UUID

from joserfc import jwt
from joserfc.errors import JoseError

from auth.keys import ALGORITHM, KeyRing
from registry.config import Settings
from registry.store.oauth import ClientRecord

# Only what we sign with: never `none`, never an HMAC that a public key could forge.
ACCEPTED_ALGORITHMS = [ALGORITHM]
TOKEN_TYPE = "at+jwt"


@dataclass(frozen=True)
class AccessToken:
    """What a valid access token says about its bearer."""

    client_id: str
    scopes: frozenset[str]
    provider_id: UUID | None
    authority_id: UUID | None
    jti: str
    issued_at: datetime
    expires_at: datetime
    issuer: str

    @property
    def is_admin(self) -> bool:
        return "registry:admin" in self.scopes


class InvalidToken(Exception):
    """The bearer token cannot be trusted; the message says why (safe to show)."""


def issue(ring: KeyRing, settings: Settings, client: ClientRecord, scopes: list[str]) -> tuple[str, int]:
    """A signed access token for ``client`` with ``scopes``; returns (token, lifetime in seconds)."""
    now = int(time.time())
    claims = {
        "iss": settings.issuer,
        "aud": settings.audience,
        "sub": client.client_id,
        "client_id": client.client_id,
        "scope": " ".join(scopes),
        "iat": now,
        "nbf": now,
        "exp": now + settings.token_lifetime_seconds,
        "jti": secrets.token_urlsafe(16),
    }
    if client.provider_id:
        claims["provider_id"] = str(client.provider_id)
    if client.authority_id:
        claims["authority_id"] = str(client.authority_id)
    header = {"alg": ALGORITHM, "typ": TOKEN_TYPE, "kid": ring.signing_kid}
    return jwt.encode(header, claims, ring.signing_key, algorithms=ACCEPTED_ALGORITHMS), settings.token_lifetime_seconds


def unverified(token: str) -> tuple[dict, dict]:
    """(header, claims) as the token states them, before anything is checked: only to pick
    the keys to check it with. Empty dicts when the token is not even shaped like a JWT."""
    try:
        header, claims, _ = token.split(".")
        decoded = [json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))) for part in (header, claims)]
    except (ValueError, AttributeError, UnicodeDecodeError):
        return {}, {}
    return tuple(d if isinstance(d, dict) else {} for d in decoded)  # type: ignore[return-value]


def unverified_kid(token: str) -> str | None:
    """The ``kid`` a token claims, before anything is checked (to pick the key ring)."""
    return unverified(token)[0].get("kid")


def verify(ring: KeyRing, settings: Settings, token: str) -> AccessToken:
    """Check signature, type, issuer, audience and lifetime; raises InvalidToken."""
    try:
        decoded = jwt.decode(token, ring.public, algorithms=ACCEPTED_ALGORITHMS)
    except (JoseError, ValueError, TypeError) as error:
        raise InvalidToken("The token's signature or format is invalid.") from error
    if decoded.header.get("typ", "").lower() not in {TOKEN_TYPE, "application/at+jwt"}:
        raise InvalidToken("The token is not an access token (typ at+jwt).")
    registry = jwt.JWTClaimsRegistry(
        leeway=30,
        iss={"essential": True, "value": settings.issuer},
        aud={"essential": True, "value": settings.audience},
        exp={"essential": True}, iat={"essential": True}, jti={"essential": True},
        client_id={"essential": True}, scope={"essential": True},
    )
    try:
        registry.validate(decoded.claims)
    except JoseError as error:
        raise InvalidToken(f"The token was refused: {error.description or error.error}.") from error
    return _access_token(decoded.claims)


def _access_token(claims: dict) -> AccessToken:
    def uuid_claim(name: str) -> UUID | None:
        return UUID(claims[name]) if claims.get(name) else None

    try:
        return AccessToken(
            client_id=claims["client_id"], scopes=frozenset(claims["scope"].split()),
            provider_id=uuid_claim("provider_id"), authority_id=uuid_claim("authority_id"), jti=claims["jti"],
            issued_at=datetime.fromtimestamp(claims["iat"], timezone.utc),
            expires_at=datetime.fromtimestamp(claims["exp"], timezone.utc), issuer=claims["iss"],
        )
    except (KeyError, ValueError, TypeError, AttributeError) as error:
        raise InvalidToken("The token's claims are malformed.") from error
