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
    acts_for: Sequence[UUID] = (),
) -> Outcome[NewClient]:
    """Issue a client bound to one provider, one authority, a portal's jurisdictions, the
    providers a publisher acts for, or the registry itself."""
    require_operator(principal)
    portal, acts_for = list(dict.fromkeys(portal)), list(dict.fromkeys(acts_for))
    if problems := check_client(binding_of(provider_id, authority_id, admin, portal, acts_for), scopes, portal):
        return Outcome.refused(*problems)
    async with db.transaction() as tx:
        made = await register_client(
            tx,
            name=name,
            scopes=scopes,
            provider_id=provider_id,
            authority_id=authority_id,
            admin=admin,
            portal=portal,
            acts_for=acts_for,
            granted_by=principal.client_id,
        )
        details: dict[str, object] = {"name": name, "scopes": made.record.scopes}
        if portal:
            details["portalJurisdictions"] = portal
        if acts_for:
            details["actsFor"] = [str(provider) for provider in acts_for]
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
    acts_for: Sequence[UUID] = (),
    granted_by: str = "registry",
) -> NewClient:
    """Store a client (the step create_client audits), with its grants when it is a publisher's:
    raises ValueError when the rules refuse it."""
    binding = binding_of(provider_id, authority_id, admin, portal, acts_for)
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
    for acted_for in acts_for:
        await oauth.grant(db, record.client_id, acted_for, granted_by)
    return NewClient(record.client_id, secret, record)


async def grant_acting_for(db: Database, principal: Principal, client_id: str, provider_id: UUID) -> Outcome[str]:
    """Let a publisher's client act for one more provider (audited)."""
    require_operator(principal)
    async with db.transaction() as tx:
        client = await oauth.client_by_id(tx, client_id)
        if client is None or client.revoked_at is not None:
            return Outcome.refused(Problem(("clientId",), "NOT_FOUND", f"No active client {client_id!r}."))
        if client.binding != "PUBLISHER":
            return Outcome.refused(
                Problem(("clientId",), "NOT_A_PUBLISHER", "Only a publisher's client acts for providers it is granted.")
            )
        if not await oauth.grant(tx, client_id, provider_id, principal.client_id):
            return Outcome.refused(Problem(("providerId",), "ALREADY_GRANTED", "The client already acts for it."))
        await audit.record(
            tx,
            actor=principal.client_id,
            action="client.granted",
            target=client_id,
            details={"providerId": str(provider_id)},
        )
    return Outcome(client_id)


async def revoke_acting_for(db: Database, principal: Principal, client_id: str, provider_id: UUID) -> Outcome[str]:
    """End a publisher's grant for a provider (audited; kept on record): its writes for that
    provider are refused from the next request on, whatever token it holds."""
    require_operator(principal)
    async with db.transaction() as tx:
        if not await oauth.ungrant(tx, client_id, provider_id, principal.client_id):
            return Outcome.refused(Problem(("providerId",), "NOT_GRANTED", "The client does not act for it."))
        await audit.record(
            tx,
            actor=principal.client_id,
            action="client.ungranted",
            target=client_id,
            details={"providerId": str(provider_id)},
        )
    return Outcome(client_id)
