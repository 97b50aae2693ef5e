"""Rules for OAuth clients: who a client acts for decides which scopes it may hold; and the
form of their credentials (an ID, a secret stored only as its hash)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Sequence
from uuid import UUID

from registry.domain.errors import Problem
from registry.domain.search import is_region

MAX_JURISDICTIONS = 20  # of a portal's client
ALLOWED_SCOPES = {
    "PROVIDER": frozenset({"credentials:write", "credentials:publish", "webhooks:manage"}),
    "AUTHORITY": frozenset({"recognitions:write", "webhooks:manage"}),
    "PORTAL": frozenset({"webhooks:manage"}),
    "PUBLISHER": frozenset({"credentials:write", "credentials:publish", "webhooks:manage"}),
    "ADMIN": frozenset(
        {"credentials:write", "credentials:publish", "recognitions:write", "webhooks:manage", "registry:admin"}
    ),
}


def binding_of(
    provider_id: UUID | None,
    authority_id: UUID | None,
    admin: bool,
    portal: Sequence[str] = (),
    acts_for: Sequence[UUID] = (),
) -> str | None:
    """PROVIDER, AUTHORITY, ADMIN, PORTAL (jurisdictions) or PUBLISHER (the providers it acts
    for); None unless exactly one is chosen."""
    chosen = [
        binding
        for binding, on in (
            ("PROVIDER", provider_id),
            ("AUTHORITY", authority_id),
            ("ADMIN", admin),
            ("PORTAL", portal),
            ("PUBLISHER", acts_for),
        )
        if on
    ]
    return chosen[0] if len(chosen) == 1 else None


def check_client(binding: str | None, scopes: list[str], portal: Sequence[str] = ()) -> list[Problem]:
    """Problems with a client to register: its binding, the scopes it asks for and, for a
    portal's, the jurisdictions it serves."""
    if binding is None:
        return [
            Problem(
                ("scopes",),
                "INVALID_CLIENT",
                "A client is bound to exactly one of: a provider, an authority, portal jurisdictions, providers to "
                "act for (a publisher), the registry (admin).",
            )
        ]
    wrong = [code for code in portal if not is_region(code)]
    if wrong or len(portal) > MAX_JURISDICTIONS:
        return [
            Problem(
                ("portalJurisdictions",),
                "INVALID_REGION",
                f"A portal serves 1 to {MAX_JURISDICTIONS} jurisdictions, each an ISO 3166 code such as 'CA-ON' or "
                f"'CA'{f'; not {wrong[0]!r}' if wrong else ''}.",
            )
        ]
    if not scopes:
        return [Problem(("scopes",), "INVALID_CLIENT", "A client needs at least one scope.")]
    refused = sorted(set(scopes) - ALLOWED_SCOPES[binding])
    if refused:
        return [
            Problem(
                ("scopes",),
                "INVALID_CLIENT",
                f"A {binding.lower()} client cannot hold {', '.join(refused)}; "
                f"allowed: {', '.join(sorted(ALLOWED_SCOPES[binding]))}.",
            )
        ]
    return []


def webhook_jurisdiction(portal: Sequence[str], wanted: str | None) -> tuple[str | None, list[Problem]]:
    """The jurisdiction a portal's webhook covers: the one asked for, within one the portal
    serves (CA-ON within CA); its only one when none is asked for."""
    if wanted is None:
        if len(portal) == 1:
            return portal[0], []
        return None, [Problem(("jurisdiction",), "REQUIRED", f"Name one of your jurisdictions: {', '.join(portal)}.")]
    if not any(wanted == served or wanted.startswith(f"{served}-") for served in portal):
        return None, [
            Problem(
                ("jurisdiction",),
                "OUT_OF_JURISDICTION",
                f"Your portal serves {', '.join(portal)}; {wanted!r} is not within them.",
            )
        ]
    return wanted, []


# The form of every client ID (the database's check on oauth_clients says the same).
CLIENT_ID_PATTERN = re.compile(r"^mc_[A-Za-z0-9_-]{16,64}$")


def is_client_id(value: object) -> bool:
    """Whether ``value`` has the form of a client ID; text of any other form names no client."""
    return isinstance(value, str) and CLIENT_ID_PATTERN.fullmatch(value) is not None


def new_client_id() -> str:
    """A fresh, unguessable client ID: ``mc_`` and base64url characters only."""
    return "mc_" + secrets.token_urlsafe(18)


def new_client_secret() -> str:
    """A fresh client secret: 256 random bits, shown once, stored only as a hash."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> bytes:
    """The stored form of a client secret."""
    return hashlib.sha256(secret.encode()).digest()


def secret_matches(secret: str, stored: bytes) -> bool:
    """Whether ``secret`` is the one stored, in constant time."""
    return hmac.compare_digest(hash_secret(secret), stored)
