"""Access tokens of trusted external issuers (a province's own authorization server).

Their keys come from their JWKS URL (cached five minutes, fetched again when a token
names an unknown kid, at most every ten seconds); the provider the caller acts for is
named by a configured claim holding the provider's slug.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from auth.tokens import AccessToken, InvalidToken
from registry.config import TrustedIssuer
from registry.db import Executor
from registry.store import providers

JWKS_TTL_SECONDS = 300.0
MIN_REFETCH_SECONDS = 10.0


class ExternalIssuers:
    """Verifies tokens from the issuers the configuration trusts."""

    def __init__(self, issuers: tuple[TrustedIssuer, ...]) -> None:
        self.issuers = {issuer.issuer: issuer for issuer in issuers}
        self._keys: dict[str, tuple[KeySet, float]] = {}

    def trusts(self, issuer: str | None) -> bool:
        return issuer in self.issuers

    async def verify(self, db: Executor, token: str, issuer: str, kid: str | None) -> AccessToken:
        """Check the token like our own, then map its provider claim to a provider."""
        trusted = self.issuers[issuer]
        keys = await self._keyset(trusted, kid)
        try:
            decoded = jwt.decode(token, keys, algorithms=list(trusted.algorithms))
            jwt.JWTClaimsRegistry(
                leeway=30, iss={"essential": True, "value": trusted.issuer},
                aud={"essential": True, "value": trusted.audience}, exp={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError, TypeError) as error:
            raise InvalidToken("The token was refused by its issuer's keys or claims.") from error
        claims = decoded.claims
        slug = claims.get(trusted.provider_claim)
        provider = await providers.by_slug(db, slug) if isinstance(slug, str) else None
        if provider is None:
            raise InvalidToken(f"The token's `{trusted.provider_claim}` claim names no provider of this registry.")
        scopes = frozenset((claims.get("scope") or "").split()) & {"credentials:write", "credentials:publish",
                                                                   "webhooks:manage"}
        now = int(time.time())
        return AccessToken(
            client_id=str(claims.get("client_id") or claims.get("azp") or claims.get("sub") or "external"),
            scopes=scopes, provider_id=provider.id, authority_id=None,
            jti=str(claims.get("jti") or f"{issuer}:{claims.get('sub')}:{claims.get('iat')}"),
            issued_at=datetime.fromtimestamp(claims.get("iat", now), timezone.utc),
            expires_at=datetime.fromtimestamp(claims["exp"], timezone.utc), issuer=issuer,
        )

    async def _keyset(self, trusted: TrustedIssuer, kid: str | None) -> KeySet:
        cached = self._keys.get(trusted.issuer)
        age = time.monotonic() - cached[1] if cached else None
        unknown = cached is not None and kid is not None and not any(k.kid == kid for k in cached[0].keys)
        if cached is None or age > JWKS_TTL_SECONDS or (unknown and age > MIN_REFETCH_SECONDS):
            try:
                async with httpx.AsyncClient(timeout=5) as http:
                    response = await http.get(trusted.jwks_url)
                    response.raise_for_status()
                    keys = KeySet.import_key_set(response.json())
            except (httpx.HTTPError, ValueError, JoseError) as error:
                if cached is None:
                    raise InvalidToken("The token's issuer cannot be reached to check it.") from error
                keys = cached[0]
            self._keys[trusted.issuer] = cached = (keys, time.monotonic())
        return cached[0]
