"""submitCredentials: an institution upserts up to 1,000 listings by its own keys in one call.

The work is registry.services.submission's (shared with `microcred import`); this module turns the
GraphQL input into items and the items into the payload.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Optional

import asyncpg
import strawberry

from registry.api import permissions
from registry.api.errors import BadUserInput, Conflict
from registry.api.listing_inputs import CredentialInput
from registry.api.payloads import UserError, user_errors
from registry.api.types import Credential
from registry.domain import ids
from registry.domain.errors import Problem
from registry.domain.principals import Principal
from registry.services import listings, submission
from registry.services.submission import Item

MAX_BATCH = 1000


@strawberry.input(description="A batch of listings to create or update by `externalId`.")
class SubmitCredentialsInput:
    provider_id: Optional[strawberry.ID] = strawberry.field(
        default=None,
        description="The provider: operators and publishers name it; a provider's client acts for its own.",
    )
    credentials: list[CredentialInput] = strawberry.field(
        description="Up to 1,000 listings; each needs an `externalId`, your key for it."
    )
    publish: Optional[bool] = strawberry.field(
        default=False,
        description="Also publish every stored listing that has the mandatory elements (needs `credentials:publish`).",
    )


@strawberry.type(description="What happened to one listing of a batch.")
class SubmissionResult:
    index: int = strawberry.field(description="The item's position in the batch, from 0.")
    external_id: Optional[str] = strawberry.field(description="The item's `externalId`.")
    credential: Optional[Credential] = strawberry.field(description="The listing as stored; null when refused.")
    created: bool = strawberry.field(description="True when the listing is new.")
    user_errors: list[UserError] = strawberry.field(
        description="Why the item was refused, or (with `publish`) why a stored listing stayed a draft."
    )


@strawberry.type(description="The outcome of a batch submission, item by item.")
class SubmitCredentialsPayload:
    results: list[SubmissionResult] = strawberry.field(description="One result per submitted item, in order.")
    created_count: int = strawberry.field(description="How many listings were created.")
    updated_count: int = strawberry.field(description="How many existing listings changed.")
    failed_count: int = strawberry.field(description="How many items were refused (nothing stored for them).")


def _relocate(index: int, problems: list[Problem]) -> list[Problem]:
    """Item problems say ("credential", field); in a batch they are ("credentials", index, field)."""
    return [Problem(("credentials", str(index), *p.field[1:]), p.code, p.message) for p in problems]


async def submit_credentials(
    info: strawberry.Info,
    input: Annotated[SubmitCredentialsInput, strawberry.argument(description="What to submit.")],
) -> SubmitCredentialsPayload:
    access = permissions.require(info, "credentials:write")
    if input.publish:
        permissions.require(info, "credentials:publish")
    if len(input.credentials) > MAX_BATCH:
        raise BadUserInput(
            f"A batch holds at most {MAX_BATCH} listings (got {len(input.credentials)}).", field="credentials"
        )
    provider_id = _provider(access, input.provider_id)
    items = []
    for index, item_input in enumerate(input.credentials):
        problems: list[Problem] = []
        item = Item(index, item_input.to_changes(problems), problems)
        if item_input.offerings is not None:
            item.offerings = [offering.to_changes() for offering in item_input.offerings]
        items.append(item)
    try:
        await submission.submit(
            info.context.primary, provider_id, items, actor=access.client_id, publish=bool(input.publish)
        )
    except asyncpg.UniqueViolationError as error:
        # Another request created some of these externalIds meanwhile; nothing of this batch was kept.
        raise Conflict("Another request is creating the same listings; resubmit the batch.") from error
    return _payload(items)


def _provider(principal: Principal, global_id: str | None) -> uuid.UUID:
    provider_id = None
    if global_id is not None:
        provider_id = ids.decode_as(global_id, "Provider")
        if provider_id is None:
            raise BadUserInput("`providerId` is not the ID of a Provider.", field="providerId")
    acting = listings.acting_provider(principal, provider_id)
    if acting.value is None:
        raise BadUserInput(acting.problems[0].message, field="providerId")
    return acting.value


def _payload(items: list[Item]) -> SubmitCredentialsPayload:
    results, created, updated, failed = [], 0, 0, 0
    for item in items:
        if item.problems:
            failed += 1
            results.append(
                SubmissionResult(
                    index=item.index,
                    external_id=item.changes.external_id,
                    credential=None,
                    created=False,
                    user_errors=user_errors(_relocate(item.index, item.problems)),
                )
            )
            continue
        if item.stored is None:  # submission.submit stores every item it found no problem with
            raise RuntimeError(f"item {item.index} has no problems, yet nothing was stored for it")
        created += item.created
        updated += (not item.created) and item.written
        results.append(
            SubmissionResult(
                index=item.index,
                external_id=item.changes.external_id,
                credential=Credential.from_record(item.stored),
                created=item.created,
                user_errors=user_errors(_relocate(item.index, item.notes)),
            )
        )
    return SubmitCredentialsPayload(results=results, created_count=created, updated_count=updated, failed_count=failed)
