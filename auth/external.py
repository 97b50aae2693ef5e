"""Access tokens of trusted external issuers (a province's own authorization server).

Their keys come from their JWKS URL (cached five minutes, fetched again when a token
names an unknown kid, at most every ten seconds); the provider the caller acts for is
named by a configured claim holding the provider's slug, and must be one the issuer is
configured for (by slug or jurisdiction). The caller is known here by a name that carries
its issuer (``external_client_id``), so it is never mistaken for a registered client.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import TypeGuard
from urllib.parse import quote
from uuid import UUID

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from auth.tokens import AccessToken, InvalidToken, check_shape
from registry.config import TrustedIssuer
from registry.db import Executor
from registry.store import providers

JWKS_TTL_SECONDS = 300.0
MIN_REFETCH_SECONDS = 10.0
# What a token from outside may hold. Never registry:admin or recognitions:write (operators
# and authorities are registered here), and never webhooks:manage: a webhook is a standing
# subscription owned by a registered, revocable client (oauth_clients), whose binding
# decides which drafts it is sent.
EXTERNAL_SCOPES = frozenset({"credentials:write", "credentials:publish"})
# The claims naming the caller at its issuer, in order of preference.
PRINCIPAL_CLAIMS = ("client_id", "azp", "sub")
EXTERNAL_PREFIX = "ext:"
MAX_SUBJECT_CHARS = 255


def external_client_id(issuer: str, subject: str) -> str:
    """The registry's name for ``subject`` of ``issuer``: ``ext:<issuer>#<subject>``.

    Never equal to a local client ID, which is ``mc_`` and base64url characters (see
    registry.domain.clients.new_client_id and the check on oauth_clients.client_id): this one starts
    ``ext:``. Never equal across issuers either: the issuer is percent-encoded with ``#``
    and ``%`` escaped, so the first ``#`` ends it whatever either part contains.
    """
    return f"{EXTERNAL_PREFIX}{quote(issuer, safe=':/')}#{subject}"


class ExternalIssuers:
    """Verifies tokens from the issuers the configuration trusts."""

    def __init__(self, issuers: tuple[TrustedIssuer, ...]) -> None:
        self.issuers = {issuer.issuer: issuer for issuer in issuers}
        self._keys: dict[str, tuple[KeySet, float]] = {}

    def trusts(self, issuer: object) -> TypeGuard[str]:
        """Whether ``issuer`` (an unverified ``iss``, of any JSON type) is a trusted issuer."""
        return isinstance(issuer, str) and issuer in self.issuers

    async def verify(self, db: Executor, token: str, issuer: str, kid: str | None) -> AccessToken:
        """Check the token like our own, then map its provider claim to a provider it may act for."""
        trusted = self.issuers[issuer]
        keys = await self._keyset(trusted, kid)
        try:
            decoded = jwt.decode(token, keys, algorithms=list(trusted.algorithms))
            check_shape(decoded.header, decoded.claims)
            jwt.JWTClaimsRegistry(
                leeway=30,
                iss={"essential": True, "value": trusted.issuer},
                aud={"essential": True, "value": trusted.audience},
                exp={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError, TypeError) as error:
            raise InvalidToken("The token was refused by its issuer's keys or claims.") from error
        claims = decoded.claims
        client_id = external_client_id(issuer, _subject(claims))
        provider_id = await _provider(db, trusted, claims.get(trusted.provider_claim))
        now = int(time.time())
        return AccessToken(
            client_id=client_id,
            scopes=frozenset(claims.get("scope", "").split()) & EXTERNAL_SCOPES,
            provider_id=provider_id,
            authority_id=None,
            jti=claims.get("jti") or f"{client_id}:{claims.get('iat')}",
            issued_at=datetime.fromtimestamp(claims.get("iat", now), timezone.utc),
            expires_at=datetime.fromtimestamp(claims["exp"], timezone.utc),
            issuer=issuer,
        )

    async def _keyset(self, trusted: TrustedIssuer, kid: str | None) -> KeySet:
        """The issuer's public keys: cached, fetched again when stale or when ``kid`` is new."""
        cached = self._keys.get(trusted.issuer)
        age = time.monotonic() - cached[1] if cached else float("inf")  # never fetched: stale
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


def _subject(claims: dict) -> str:
    """Who the caller is at its issuer: the first of client_id, azp, sub (strings by now)."""
    subject = next((claims[name] for name in PRINCIPAL_CLAIMS if claims.get(name)), None)
    if subject is None:
        raise InvalidToken("The token names no caller (client_id, azp or sub).")
    # It ends up in audit trails, logs and rate-limit keys: bounded, and no control characters.
    if len(subject) > MAX_SUBJECT_CHARS or not subject.isprintable():
        raise InvalidToken("The token's caller (client_id, azp or sub) is too long or has control characters.")
    return subject


async def _provider(db: Executor, trusted: TrustedIssuer, slug: object) -> UUID:
    """The ID of the provider ``slug`` names, if ``trusted`` may act for it; else InvalidToken."""
    provider = await providers.by_slug(db, slug) if isinstance(slug, str) else None
    if provider is None:
        raise InvalidToken(f"The token's `{trusted.provider_claim}` claim names no provider of this registry.")
    if not trusted.may_act_for(provider.slug, provider.jurisdiction):
        raise InvalidToken(
            f"The token's issuer is not trusted to act for provider {provider.slug!r}: it is "
            "outside the providers and jurisdictions configured for that issuer."
        )
    return provider.id
