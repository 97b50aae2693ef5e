"""Webhooks for clients with `webhooks:manage`: register, list with delivery history, delete."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Optional

import strawberry
from strawberry import Private

from auth.secrets import fernet
from registry.api import permissions
from registry.api.enums import ChangeKind
from registry.api.payloads import UserError, user_errors
from registry.api.scalars import URL
from registry.config import Settings
from registry.services import webhooks
from registry.store import webhooks as store

MAX_HISTORY = 100


@strawberry.type(description="One change on its way to a webhook.")
class WebhookDelivery:
    event_id: str = strawberry.field(description="The event's ID (`X-Microcred-Event-Id`).")
    status: str = strawberry.field(description="PENDING, DELIVERED or FAILED (given up).")
    attempts: int = strawberry.field(description="How many times it was sent.")
    last_status_code: Optional[int] = strawberry.field(description="The HTTP status of the last attempt.")
    last_error: Optional[str] = strawberry.field(description="What went wrong last, if anything.")
    created_at: datetime = strawberry.field(description="When the change was queued for this webhook.")
    delivered_at: Optional[datetime] = strawberry.field(description="When it arrived.")
    next_attempt_at: datetime = strawberry.field(description="When it is (or was) next due.")


@strawberry.type(description="A subscription to changes, delivered by signed POST requests.")
class Webhook:
    id: strawberry.ID = strawberry.field(description="The webhook's ID.")
    url: URL = strawberry.field(description="Where events are POSTed.")
    kinds: list[ChangeKind] = strawberry.field(description="The kinds of change delivered; empty means all.")
    jurisdiction: Optional[str] = strawberry.field(
        description="Only listings of providers in, or offered in, this jurisdiction; null means everywhere."
    )
    created_at: datetime = strawberry.field(description="When it was registered.")
    failing_since: Optional[datetime] = strawberry.field(description="Since when deliveries fail; null while healthy.")
    disabled_at: Optional[datetime] = strawberry.field(description="When it was disabled after a day of failures.")
    webhook_id: Private[object]

    @strawberry.field(description="The latest deliveries, newest first.")
    async def deliveries(
        self,
        info: strawberry.Info,
        first: Annotated[int, strawberry.argument(description="How many (at most 100).")] = 20,
    ) -> list[WebhookDelivery]:
        found = await info.context.loaders.deliveries.load((self.webhook_id, max(0, min(first, MAX_HISTORY)), None))
        return [
            WebhookDelivery(
                event_id=f"chg-{d.change_seq}",
                status=d.status,
                attempts=d.attempts,
                last_status_code=d.last_status_code,
                last_error=d.last_error,
                created_at=d.created_at,
                delivered_at=d.delivered_at,
                next_attempt_at=d.next_attempt_at,
            )
            for d in found
        ]


def _webhook(w: store.Webhook) -> Webhook:
    # Webhooks are not Relay nodes: their ID is the plain UUID.
    return Webhook(
        id=strawberry.ID(str(w.id)),
        url=URL(w.url),
        kinds=w.kinds,
        jurisdiction=w.jurisdiction,
        created_at=w.created_at,
        failing_since=w.failing_since,
        disabled_at=w.disabled_at,
        webhook_id=w.id,
    )


@strawberry.input(description="A webhook to register.")
class RegisterWebhookInput:
    url: URL = strawberry.field(description="https URL to POST events to.")
    secret: Optional[str] = strawberry.field(
        default=None, description="Shared secret for the signatures (16 to 200 characters); generated when left out."
    )
    kinds: Optional[list[ChangeKind]] = strawberry.field(
        default=None, description="Kinds to deliver; all when left out."
    )
    jurisdiction: Optional[str] = strawberry.field(default=None, description="Only this jurisdiction (`CA-ON`, `CA`).")


@strawberry.input(description="A webhook to delete; undelivered events are dropped.")
class DeleteWebhookInput:
    id: strawberry.ID = strawberry.field(description="The webhook's ID.")


@strawberry.type(description="The result of registering a webhook.")
class WebhookPayload:
    webhook: Optional[Webhook] = strawberry.field(description="The webhook; null when refused.")
    secret: Optional[str] = strawberry.field(
        description="The signing secret, shown once (yours, or the generated one)."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="The result of deleting a webhook.")
class DeleteWebhookPayload:
    deleted: bool = strawberry.field(description="True when a webhook of yours was deleted.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was deleted; empty on success.")


async def register_webhook(
    info: strawberry.Info,
    input: Annotated[RegisterWebhookInput, strawberry.argument(description="The webhook.")],
) -> WebhookPayload:
    principal = permissions.require(info, "webhooks:manage")
    settings: Settings = info.context.settings
    outcome = await webhooks.register(
        info.context.primary,
        principal,
        fernet(settings),
        webhooks.Reach(settings.webhooks_allow_loopback, settings.webhooks_allow_private),
        url=input.url,
        secret=input.secret,
        kinds=[k.value for k in input.kinds or []],
        jurisdiction=input.jurisdiction,
    )
    made = outcome.value
    return WebhookPayload(
        webhook=_webhook(made.webhook) if made else None,
        secret=made.secret if made else None,
        user_errors=user_errors(list(outcome.problems)),
    )


async def delete_webhook(
    info: strawberry.Info,
    input: Annotated[DeleteWebhookInput, strawberry.argument(description="The webhook.")],
) -> DeleteWebhookPayload:
    principal = permissions.require(info, "webhooks:manage")
    try:
        webhook_id = uuid.UUID(input.id)
    except ValueError:
        webhook_id = None
    outcome = await webhooks.delete(info.context.primary, principal, webhook_id, input.id)
    return DeleteWebhookPayload(deleted=outcome.ok, user_errors=user_errors(list(outcome.problems)))


async def my_webhooks(info: strawberry.Info) -> list[Webhook]:
    principal = permissions.require(info, "webhooks:manage")
    return [_webhook(w) for w in await webhooks.of(info.context.db, principal)]
