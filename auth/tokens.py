"""RFC 9068 JWT access tokens: issuing them and checking them."""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from uuid import UUID

from joserfc import jwt
from joserfc.errors import JoseError

from auth.keys import ALGORITHM, KeyRing
from registry.config import Settings
from registry.domain.principals import Principal
from registry.store.oauth import ClientRecord

# Only what we sign with: never `none`, never an HMAC that a public key could forge.
ACCEPTED_ALGORITHMS = [ALGORITHM]
TOKEN_TYPE = "at+jwt"
# Far above any real access token (ours are ~600 characters), below what parsing could make costly.
MAX_TOKEN_CHARS = 16_384
# 9999-12-31T23:59:59Z: the last instant a datetime can hold.
MAX_NUMERIC_DATE = 253_402_300_799
# Claims that are strings whenever present (RFC 7519 §4.1, RFC 9068 §2.2, RFC 8693 `scope`).
_TEXT_CLAIMS = ("iss", "sub", "jti", "client_id", "azp", "scope")
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class AccessToken(Principal):
    """What a valid access token says about its bearer: the principal, and the token's own facts."""

    jti: str
    issued_at: datetime
    expires_at: datetime
    issuer: str


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


def parse_unverified(token: str) -> tuple[dict, dict]:
    """(header, claims) as the token states them, before anything is checked: only to pick
    the keys to check it with. Raises InvalidToken unless the token is a compact JWS of
    bounded size whose header and claims are JSON objects with claims of the right types."""
    if len(token) > MAX_TOKEN_CHARS:
        raise InvalidToken(f"The token is longer than {MAX_TOKEN_CHARS} characters.")
    parts = token.split(".")
    if len(parts) != 3 or not all(_BASE64URL.match(part) for part in parts) or not parts[0] or not parts[1]:
        raise InvalidToken("The token is not a JWT (three base64url parts).")
    try:
        header, claims = (json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))) for part in parts[:2])
    except (ValueError, RecursionError) as error:  # binascii, UTF-8 and JSON errors are ValueErrors
        raise InvalidToken("The token's header or claims are not JSON.") from error
    check_shape(header, claims)
    return header, claims


def unverified(token: str) -> tuple[dict, dict]:
    """Like parse_unverified, but empty dicts for a malformed token (it fails verification anyway)."""
    try:
        return parse_unverified(token)
    except InvalidToken:
        return {}, {}


def unverified_kid(token: str) -> str | None:
    """The ``kid`` a token claims, before anything is checked (to pick the key ring)."""
    return unverified(token)[0].get("kid")


def check_shape(header: object, claims: object) -> None:
    """Raise InvalidToken unless header and claims are objects whose registered members have
    the JSON types RFC 7515 / 7519 / 9068 give them. Everything downstream (issuer lookup,
    key lookup, SQL parameters, datetimes) may then rely on those types."""
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise InvalidToken("The token's header and claims must be JSON objects.")
    for name in ("alg", "kid", "typ"):
        if name in header and not isinstance(header[name], str):
            raise InvalidToken(f"The token's `{name}` header is not a string.")
    for name in _TEXT_CLAIMS:
        if name in claims and not isinstance(claims[name], str):
            raise InvalidToken(f"The token's `{name}` claim is not a string.")
    audience = claims.get("aud", "")
    if not isinstance(audience, str) and not (isinstance(audience, list) and all(isinstance(a, str) for a in audience)):
        raise InvalidToken("The token's `aud` claim is neither a string nor a list of strings.")
    for name in ("exp", "nbf", "iat"):
        # bool is an int in Python, never a NumericDate; beyond year 9999 datetime overflows.
        value = claims.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_NUMERIC_DATE:
            raise InvalidToken(f"The token's `{name}` claim is not a date (seconds since 1970).")


def verify(ring: KeyRing, settings: Settings, token: str) -> AccessToken:
    """Check signature, type, issuer, audience and lifetime; raises InvalidToken."""
    try:
        decoded = jwt.decode(token, ring.public, algorithms=ACCEPTED_ALGORITHMS)
    except (JoseError, ValueError, TypeError) as error:
        raise InvalidToken("The token's signature or format is invalid.") from error
    check_shape(decoded.header, decoded.claims)
    if decoded.header.get("typ", "").lower() not in {TOKEN_TYPE, "application/at+jwt"}:
        raise InvalidToken("The token is not an access token (typ at+jwt).")
    registry = jwt.JWTClaimsRegistry(
        leeway=30,
        iss={"essential": True, "value": settings.issuer},
        aud={"essential": True, "value": settings.audience},
        exp={"essential": True},
        iat={"essential": True},
        jti={"essential": True},
        client_id={"essential": True},
        scope={"essential": True},
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
            client_id=claims["client_id"],
            scopes=frozenset(claims["scope"].split()),
            provider_id=uuid_claim("provider_id"),
            authority_id=uuid_claim("authority_id"),
            jti=claims["jti"],
            issued_at=datetime.fromtimestamp(claims["iat"], timezone.utc),
            expires_at=datetime.fromtimestamp(claims["exp"], timezone.utc),
            issuer=claims["iss"],
        )
    except (KeyError, ValueError, TypeError, AttributeError) as error:
        raise InvalidToken("The token's claims are malformed.") from error
