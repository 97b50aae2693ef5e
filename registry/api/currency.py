"""GraphQL for keeping listings current: `confirmCredentials`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from registry.api import permissions
from registry.api.payloads import UserError, user_errors
from registry.domain import ids
from registry.services import currency as service

WRITE = "credentials:write"


@strawberry.input(description="Listings to confirm as still current.")
class ConfirmCredentialsInput:
    ids: list[strawberry.ID] = strawberry.field(
        description="Global IDs of your listings (at most 1,000); one that is not yours to change refuses them all."
    )


@strawberry.type(description="The result of confirmCredentials: how many listings were confirmed, or why none was.")
class ConfirmCredentialsPayload:
    confirmed_count: int = strawberry.field(description="How many listings were confirmed; 0 when refused.")
    user_errors: list[UserError] = strawberry.field(
        description='Why nothing was confirmed (each at `["ids", position]`); empty on success.'
    )


async def confirm_credentials(
    info: strawberry.Info,
    input: Annotated[ConfirmCredentialsInput, strawberry.argument(description="What to confirm.")],
) -> ConfirmCredentialsPayload:
    principal = permissions.require(info, WRITE)
    decoded = [ids.decode_as(global_id, "Credential") for global_id in input.ids]
    outcome = await service.confirm(info.context.primary, principal, decoded)
    return ConfirmCredentialsPayload(
        confirmed_count=outcome.value if outcome.ok and outcome.value is not None else 0,
        user_errors=user_errors(list(outcome.problems)),
    )
