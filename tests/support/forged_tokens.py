"""Ways to forge or bend an access token, for the tests that prove the API refuses them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from joserfc import jwt
from joserfc.jwk import ECKey


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def segments(token: str) -> tuple[dict, dict, str]:
    header, claims, signature = token.split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    return decode(header), decode(claims), signature


def unsigned(header: dict, claims: dict, signature: str = "") -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}.{signature}"


def tampered(token: str) -> str:
    """The claims changed after signing (the signature no longer matches)."""
    header, claims, signature = segments(token)
    return unsigned(header, {**claims, "scope": "registry:admin"}, signature)


def alg_none(token: str) -> str:
    """`alg: none` and no signature."""
    header, claims, _ = segments(token)
    return unsigned({**header, "alg": "none"}, claims)


def hs256_with_public_key(token: str, jwks: dict) -> str:
    """HMAC-signed with the published public key as the secret (the classic confusion)."""
    header, claims, _ = segments(token)
    header = {**header, "alg": "HS256"}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    secret = json.dumps(jwks["keys"][0]).encode()
    return f"{signing_input}.{b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def foreign_key(token: str) -> str:
    """Well formed and signed, but by a key the registry never had (same kid)."""
    header, claims, _ = segments(token)
    key = ECKey.generate_key("P-256", parameters={"kid": header["kid"]})
    return jwt.encode({"alg": "ES256", "typ": "at+jwt", "kid": header["kid"]}, claims, key)


def resigned(token: str, key: ECKey, **changes) -> str:
    """Signed by the registry's own key, with some claims changed."""
    header, claims, _ = segments(token)
    return jwt.encode(header, {**claims, **changes}, key)
