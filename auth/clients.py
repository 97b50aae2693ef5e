"""Registering OAuth clients: who a client acts for decides which scopes it may hold."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from auth.secrets import hash_secret, new_client_id, new_client_secret
from registry.db import Executor
from registry.store import oauth
from registry.store.oauth import ClientRecord

# Which scopes make sense for which binding.
ALLOWED_SCOPES = {
    "PROVIDER": {"credentials:write", "credentials:publish", "webhooks:manage"},
    "AUTHORITY": {"recognitions:write", "webhooks:manage"},
    "ADMIN": {"credentials:write", "credentials:publish", "recognitions:write", "webhooks:manage", "registry:admin"},
}


class ClientRuleError(ValueError):
    """The requested client breaks a rule; the message says which."""


@dataclass(frozen=True)
class NewClient:
    """A freshly registered client. The secret exists only here: it is never stored."""

    client_id: str
    client_secret: str
    record: ClientRecord


async def register(
    db: Executor, *, name: str, scopes: list[str], provider_id: UUID | None = None,
    authority_id: UUID | None = None, admin: bool = False,
) -> NewClient:
    """Create a client bound to one provider, one authority, or the registry itself."""
    bindings = [b for b, chosen in (("PROVIDER", provider_id), ("AUTHORITY", authority_id), ("ADMIN", admin)) if chosen]
    if len(bindings) != 1:
        raise ClientRuleError("A client is bound to exactly one of: a provider, an authority, the registry (admin).")
    binding = bindings[0]
    wanted = sorted(set(scopes))
    if not wanted:
        raise ClientRuleError("A client needs at least one scope.")
    refused = [s for s in wanted if s not in ALLOWED_SCOPES[binding]]
    if refused:
        raise ClientRuleError(f"A {binding.lower()} client cannot hold {', '.join(refused)}; "
                              f"allowed: {', '.join(sorted(ALLOWED_SCOPES[binding]))}.")
    secret = new_client_secret()
    record = ClientRecord(new_client_id(), name.strip(), hash_secret(secret), binding, provider_id, authority_id,
                          wanted, None, None)  # type: ignore[arg-type]
    await oauth.create_client(db, record)
    return NewClient(record.client_id, secret, record)
