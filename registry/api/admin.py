"""Operators' mutations (`registry:admin`): register providers, authorities and OAuth clients.

The same operations as `microcred providers|authorities|clients`, over GraphQL.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Optional
from uuid import UUID

import strawberry

from registry.api import permissions
from registry.api.enums import AuthorityKind, ProviderKind
from registry.api.errors import BadUserInput
from registry.api.listing_inputs import LocalizedStringInput, text_map
from registry.api.payloads import UserError, user_errors
from registry.api.scalars import URL
from registry.api.types import Provider, RecognitionAuthority, global_id
from registry.domain import ids
from registry.domain.errors import Problem
from registry.domain.parties import Party
from registry.services import operators
from registry.store import audit, oauth


@strawberry.input(description="A provider to register.")
class CreateProviderInput:
    slug: str = strawberry.field(description="Short stable name, e.g. `northern-college`.")
    name: list[LocalizedStringInput] = strawberry.field(description="Name per language.")
    kind: ProviderKind = strawberry.field(description="What kind of institution it is.")
    jurisdiction: str = strawberry.field(description="Province or territory, e.g. `CA-ON`.")
    website: Optional[URL] = strawberry.field(default=None, description="The provider's website.")


@strawberry.input(description="A recognition authority to register.")
class CreateRecognitionAuthorityInput:
    slug: str = strawberry.field(description="Short stable name, e.g. `ontario-skills-ministry`.")
    name: list[LocalizedStringInput] = strawberry.field(description="Name per language.")
    kind: AuthorityKind = strawberry.field(description="What kind of body it is.")
    jurisdiction: str = strawberry.field(description="`CA` for national bodies, or a province such as `CA-BC`.")
    website: Optional[URL] = strawberry.field(default=None, description="The authority's website.")


@strawberry.input(description="An OAuth client to create, bound to one provider, one authority, or the registry.")
class CreateClientInput:
    name: str = strawberry.field(description="What the client is, e.g. 'Northern College SIS'.")
    scopes: list[str] = strawberry.field(description="Scopes it may request, e.g. `credentials:write`.")
    provider_id: Optional[strawberry.ID] = strawberry.field(default=None, description="The provider it acts for.")
    authority_id: Optional[strawberry.ID] = strawberry.field(default=None, description="The authority it acts for.")
    admin: Optional[bool] = strawberry.field(default=False, description="True for a registry operator's client.")
    portal_jurisdictions: Optional[list[str]] = strawberry.field(
        default=None,
        description="For a portal's client: the jurisdictions it serves (ISO 3166, e.g. `CA-ON`); it may only hold "
        "`webhooks:manage`, for those jurisdictions, and gets the portal rate limit.",
    )
    acts_for_provider_ids: Optional[list[strawberry.ID]] = strawberry.field(
        default=None,
        description="For a publisher's client (a ministry, a college system office, a consortium): the providers it "
        "publishes for (more with `grantActingFor`); it names the `providerId` on every write.",
    )


@strawberry.input(description="A client to revoke; its tokens stop working at once.")
class RevokeClientInput:
    client_id: str = strawberry.field(description="The client's ID.")


@strawberry.type(description="The result of registering a provider.")
class ProviderPayload:
    provider: Optional[Provider] = strawberry.field(description="The new provider; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="The result of registering a recognition authority.")
class RecognitionAuthorityPayload:
    authority: Optional[RecognitionAuthority] = strawberry.field(description="The new authority; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="A new client's credentials. The secret is shown here once and never again.")
class ClientPayload:
    client_id: Optional[str] = strawberry.field(description="The client ID.")
    client_secret: Optional[str] = strawberry.field(description="The client secret: store it now.")
    scopes: list[str] = strawberry.field(description="The scopes it holds.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="An OAuth client as operators see it (never its secret).")
class OAuthClient:
    client_id: str = strawberry.field(description="The client ID.")
    name: str = strawberry.field(description="What the client is.")
    binding: str = strawberry.field(description="What it acts for: PROVIDER, AUTHORITY or ADMIN.")
    scopes: list[str] = strawberry.field(description="The scopes it may request.")
    provider_id: Optional[strawberry.ID] = strawberry.field(description="The provider it acts for.")
    authority_id: Optional[strawberry.ID] = strawberry.field(description="The authority it acts for.")
    created_at: datetime = strawberry.field(description="When it was created.")
    revoked_at: Optional[datetime] = strawberry.field(description="When it was revoked; null while active.")


async def oauth_clients(info: strawberry.Info) -> list[OAuthClient]:
    """Every OAuth client, oldest first (`registry:admin`)."""
    _admin(info)
    return [
        OAuthClient(
            client_id=c.client_id,
            name=c.name,
            binding=c.binding,
            scopes=c.scopes,
            provider_id=global_id("Provider", c.provider_id) if c.provider_id else None,
            authority_id=global_id("RecognitionAuthority", c.authority_id) if c.authority_id else None,
            created_at=c.created_at,
            revoked_at=c.revoked_at,
        )
        for c in await oauth.list_clients(info.context.db)
    ]


@strawberry.type(description="The result of revoking a client.")
class RevokeClientPayload:
    revoked: bool = strawberry.field(description="True when an active client was revoked.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was revoked; empty on success.")


def _admin(info: strawberry.Info):
    return permissions.require(info, "registry:admin")


async def create_provider(
    info: strawberry.Info,
    input: Annotated[CreateProviderInput, strawberry.argument(description="The provider.")],
) -> ProviderPayload:
    outcome = await operators.register_provider(info.context.primary, _admin(info), _party(input))
    return ProviderPayload(
        provider=Provider.from_record(outcome.value) if outcome.value is not None else None,
        user_errors=user_errors(list(outcome.problems)),
    )


async def create_recognition_authority(
    info: strawberry.Info,
    input: Annotated[CreateRecognitionAuthorityInput, strawberry.argument(description="The authority.")],
) -> RecognitionAuthorityPayload:
    outcome = await operators.register_authority(info.context.primary, _admin(info), _party(input))
    return RecognitionAuthorityPayload(
        authority=RecognitionAuthority.from_record(outcome.value) if outcome.value is not None else None,
        user_errors=user_errors(list(outcome.problems)),
    )


def _party(input: CreateProviderInput | CreateRecognitionAuthorityInput) -> Party:
    return Party(
        slug=input.slug,
        name=text_map(input.name) or {},
        kind=input.kind.value,
        jurisdiction=input.jurisdiction,
        website=input.website,
    )


async def create_client(
    info: strawberry.Info,
    input: Annotated[CreateClientInput, strawberry.argument(description="The client.")],
) -> ClientPayload:
    principal = _admin(info)
    loaders = info.context.loaders
    provider_id = ids.decode_as(input.provider_id, "Provider") if input.provider_id else None
    authority_id = ids.decode_as(input.authority_id, "RecognitionAuthority") if input.authority_id else None
    problems = []
    if input.provider_id and (provider_id is None or await loaders.provider.load(provider_id) is None):
        problems.append(Problem(("providerId",), "NOT_FOUND", "No provider has this ID."))
    if input.authority_id and (authority_id is None or await loaders.authority.load(authority_id) is None):
        problems.append(Problem(("authorityId",), "NOT_FOUND", "No authority has this ID."))
    acts_for = [await _provider_id(info, global_id, ("actsForProviderIds", str(n)), problems)
                for n, global_id in enumerate(input.acts_for_provider_ids or [])]  # fmt: skip
    if problems:
        return ClientPayload(client_id=None, client_secret=None, scopes=[], user_errors=user_errors(problems))
    outcome = await operators.create_client(
        info.context.primary,
        principal,
        name=input.name,
        scopes=input.scopes,
        provider_id=provider_id,
        authority_id=authority_id,
        admin=bool(input.admin),
        portal=input.portal_jurisdictions or (),
        acts_for=[provider for provider in acts_for if provider is not None],
    )
    made = outcome.value
    return ClientPayload(
        client_id=made.client_id if made else None,
        client_secret=made.client_secret if made else None,
        scopes=made.record.scopes if made else [],
        user_errors=user_errors(list(outcome.problems)),
    )


async def _provider_id(
    info: strawberry.Info, global_id: str, field: tuple[str, ...], problems: list[Problem]
) -> UUID | None:
    """The provider a global ID names, or None with a NOT_FOUND problem at ``field``."""
    provider_id = ids.decode_as(global_id, "Provider")
    if provider_id is None or await info.context.loaders.provider.load(provider_id) is None:
        problems.append(Problem(field, "NOT_FOUND", "No provider has this ID."))
        return None
    return provider_id


@strawberry.input(description="A publisher's client and a provider it acts for.")
class ActingForInput:
    client_id: str = strawberry.field(description="The publisher's client ID.")
    provider_id: strawberry.ID = strawberry.field(description="The provider's global ID.")


@strawberry.type(description="The result of granting or revoking a publisher's right to act for a provider.")
class ActingForPayload:
    done: bool = strawberry.field(description="True when the grant was made (or ended).")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


async def grant_acting_for(
    info: strawberry.Info, input: Annotated[ActingForInput, strawberry.argument(description="Who, for whom.")]
) -> ActingForPayload:
    return await _acting_for(info, input, operators.grant_acting_for)


async def revoke_acting_for(
    info: strawberry.Info, input: Annotated[ActingForInput, strawberry.argument(description="Who, for whom.")]
) -> ActingForPayload:
    return await _acting_for(info, input, operators.revoke_acting_for)


async def _acting_for(info: strawberry.Info, input: ActingForInput, act) -> ActingForPayload:
    principal = _admin(info)
    problems: list[Problem] = []
    provider_id = await _provider_id(info, input.provider_id, ("providerId",), problems)
    if provider_id is None:
        return ActingForPayload(done=False, user_errors=user_errors(problems))
    outcome = await act(info.context.primary, principal, input.client_id, provider_id)
    return ActingForPayload(done=outcome.ok, user_errors=user_errors(list(outcome.problems)))


async def revoke_client(
    info: strawberry.Info,
    input: Annotated[RevokeClientInput, strawberry.argument(description="The client.")],
) -> RevokeClientPayload:
    outcome = await operators.revoke_client(info.context.primary, _admin(info), input.client_id)
    return RevokeClientPayload(revoked=outcome.ok, user_errors=user_errors(list(outcome.problems)))


@strawberry.type(description="One operator action: a client, provider or authority registered or revoked.")
class AuditEntry:
    at: datetime = strawberry.field(description="When it happened.")
    actor: str = strawberry.field(description="Who did it: the OAuth client ID, or `cli:<user>` for the command line.")
    action: str = strawberry.field(
        description="What was done, e.g. `client.created`, `client.revoked`, `provider.created`, `authority.created`."
    )
    target: str = strawberry.field(description="What it was done to: a client ID or a slug.")
    details: str = strawberry.field(description="More about it, as a JSON object (e.g. the scopes granted).")


async def audit_trail(
    info: strawberry.Info,
    first: Annotated[int, strawberry.argument(description="How many of the latest entries, at most 500.")] = 50,
) -> list[AuditEntry]:
    _admin(info)
    if not 0 <= first <= 500:
        raise BadUserInput(f"`first` must be between 0 and 500 (got {first}).", field="first")
    return [
        AuditEntry(
            at=e.at,
            actor=e.actor,
            action=e.action,
            target=e.target,
            details=json.dumps(e.details, ensure_ascii=False, sort_keys=True),
        )
        for e in await audit.recent(info.context.primary, first)
    ]
