"""Webhooks: a client registers URLs to be sent the changes it may see, and stops them.
Every act is scoped to the calling client's own webhooks."""

from __future__ import annotations

import secrets as random
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from registry.db import Executor
from registry.domain.clients import webhook_jurisdiction
from registry.domain.errors import Outcome, Problem
from registry.domain.outbound_addresses import check_url
from registry.domain.principals import Principal
from registry.domain.search import is_region
from registry.store import webhooks as store

MAX_WEBHOOKS = 10  # per client: every change is matched against every webhook, inside the writer's transaction


class Cipher(Protocol):
    """What encrypts a webhook's secret at rest (a Fernet made from the registry's secret key)."""

    def encrypt(self, data: bytes) -> bytes: ...


@dataclass(frozen=True)
class Registered:
    """A new webhook, and its signing secret (shown once)."""

    webhook: store.Webhook
    secret: str


@dataclass(frozen=True)
class Reach:
    """Where webhooks may point beyond the public internet (settings, for development)."""

    allow_loopback: bool
    allow_private: bool


async def register(
    db: Executor,
    principal: Principal,
    cipher: Cipher,
    reach: Reach,
    *,
    url: str,
    secret: str | None,
    kinds: list[str],
    jurisdiction: str | None,
) -> Outcome[Registered]:
    """Register a webhook of the principal's; the secret is generated when not given. A
    portal's covers one of the jurisdictions it serves (its only one by default)."""
    problems = check_url(url, allow_loopback=reach.allow_loopback, allow_private=reach.allow_private)
    if principal.is_portal:
        jurisdiction, outside = webhook_jurisdiction(principal.portal_jurisdictions, jurisdiction)
        problems += outside
    if secret is not None and not 16 <= len(secret) <= 200:
        problems.append(Problem(("secret",), "OUT_OF_RANGE", "A secret is 16 to 200 characters."))
    if jurisdiction is not None and not is_region(jurisdiction):
        problems.append(Problem(("jurisdiction",), "INVALID_REGION", "Use an ISO 3166 code such as 'CA-ON' or 'CA'."))
    if not problems and await store.count_of_client(db, principal.client_id) >= MAX_WEBHOOKS:
        problems.append(Problem(("url",), "TOO_MANY_WEBHOOKS", f"A client has at most {MAX_WEBHOOKS} webhooks."))
    if problems:
        return Outcome.refused(*problems)
    secret = secret or random.token_urlsafe(32)
    made = await store.create(
        db,
        client_id=principal.client_id,
        url=url,
        secret_encrypted=cipher.encrypt(secret.encode()),
        kinds=kinds,
        jurisdiction=jurisdiction,
    )
    return Outcome(Registered(made, secret))


async def delete(db: Executor, principal: Principal, webhook_id: UUID | None, shown_id: str) -> Outcome[UUID]:
    """Stop one of the principal's webhooks; its undelivered events are dropped."""
    if webhook_id and await store.delete(db, webhook_id, principal.client_id):
        return Outcome(webhook_id)
    return Outcome.refused(Problem(("id",), "NOT_FOUND", f"You have no webhook {shown_id!r}."))


async def of(db: Executor, principal: Principal) -> list[store.Webhook]:
    """The principal's webhooks."""
    return await store.of_client(db, principal.client_id)
