"""What operators do: register providers, recognition authorities and OAuth clients, and
revoke clients. Each act is written with its audit-trail entry in one transaction, whether
it came through GraphQL (`registry:admin`) or the command line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence
from uuid import UUID

from registry.db import Database, Executor
from registry.domain.clients import binding_of, check_client, hash_secret, new_client_id, new_client_secret
from registry.domain.errors import Outcome, Problem
from registry.domain.parties import Party
from registry.domain.principals import Principal, require_operator
from registry.domain.records import Authority, Provider
from registry.services import parties
from registry.store import audit, oauth
from registry.store.oauth import ClientRecord


@dataclass(frozen=True)
class NewClient:
    """A freshly registered client. The secret exists only here: it is never stored."""

    client_id: str
    client_secret: str
    record: ClientRecord


async def register_provider(db: Database, principal: Principal, party: Party) -> Outcome[Provider]:
    """Register an institution that publishes listings."""
    require_operator(principal)
    return await parties.register(db, parties.PROVIDER, party, actor=principal.client_id)


async def register_authority(db: Database, principal: Principal, party: Party) -> Outcome[Authority]:
    """Register a body that recognises listings (national ones included)."""
    require_operator(principal)
    return await parties.register(db, parties.AUTHORITY, party, actor=principal.client_id)


async def create_client(
    db: Database,
    principal: Principal,
    *,
    name: str,
    scopes: list[str],
    provider_id: UUID | None = None,
    authority_id: UUID | None = None,
    admin: bool = False,
    portal: Sequence[str] = (),
) -> Outcome[NewClient]:
    """Issue a client bound to one provider, one authority, a portal's jurisdictions, or the
    registry itself."""
    require_operator(principal)
    portal = list(dict.fromkeys(portal))
    if problems := check_client(binding_of(provider_id, authority_id, admin, portal), scopes, portal):
        return Outcome.refused(*problems)
    async with db.transaction() as tx:
        made = await register_client(
            tx, name=name, scopes=scopes, provider_id=provider_id, authority_id=authority_id, admin=admin, portal=portal
        )
        details = {"name": name, "scopes": made.record.scopes}
        if portal:
            details["portalJurisdictions"] = portal
        await audit.record(
            tx, actor=principal.client_id, action="client.created", target=made.client_id, details=details
        )
    return Outcome(made)


async def revoke_client(db: Database, principal: Principal, client_id: str) -> Outcome[str]:
    """Revoke a client: its tokens stop working at once."""
    require_operator(principal)
    async with db.transaction() as tx:
        if not await oauth.revoke_client(tx, client_id):
            return Outcome.refused(Problem(("clientId",), "NOT_FOUND", f"No active client {client_id!r}."))
        await audit.record(tx, actor=principal.client_id, action="client.revoked", target=client_id)
    return Outcome(client_id)


async def register_client(
    db: Executor,
    *,
    name: str,
    scopes: list[str],
    provider_id: UUID | None = None,
    authority_id: UUID | None = None,
    admin: bool = False,
    portal: Sequence[str] = (),
) -> NewClient:
    """Store a client (the step create_client audits): raises ValueError when the rules refuse it."""
    binding = binding_of(provider_id, authority_id, admin, portal)
    problems = check_client(binding, scopes, portal)
    if problems or binding is None:  # check_client refuses a missing binding
        raise ValueError(problems[0].message)
    secret = new_client_secret()
    record = await oauth.create_client(
        db,
        client_id=new_client_id(),
        name=name.strip(),
        secret_sha256=hash_secret(secret),
        binding=binding,
        provider_id=provider_id,
        authority_id=authority_id,
        scopes=sorted(set(scopes)),
        jurisdictions=list(portal),
    )
    return NewClient(record.client_id, secret, record)
