"""Webhooks and their delivery outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence
from uuid import UUID

from registry.db import Executor
from registry.store.sql import fetch_one


@dataclass(frozen=True)
class Webhook:
    """A client's subscription to changes, delivered by POST to its URL."""

    id: UUID
    client_id: str
    url: str
    secret_encrypted: bytes
    kinds: list[str]
    jurisdiction: str | None
    created_at: datetime
    failing_since: datetime | None
    disabled_at: datetime | None


@dataclass(frozen=True)
class Delivery:
    """One change on its way to one webhook."""

    id: int
    webhook_id: UUID
    change_seq: int
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True)
class DueDelivery:
    """A delivery leased for sending, with its webhook and its change: what sending needs."""

    id: int
    attempts: int
    webhook_id: UUID
    url: str
    secret_encrypted: bytes
    failing_since: datetime | None
    seq: int
    kind: str
    credential_id: UUID
    version: int
    at: datetime
    recognition_id: UUID | None
    offering_id: UUID | None


_WEBHOOK = (
    "w.id, w.client_id, w.url, w.secret_encrypted, w.kinds, w.jurisdiction, w.created_at, w.failing_since,"
    " w.disabled_at"
)
_DELIVERY = (
    "d.id, d.webhook_id, d.change_seq, d.status::text as status, d.attempts, d.next_attempt_at,"
    " d.last_status_code, d.last_error, d.created_at, d.delivered_at"
)


async def create(
    db: Executor, *, client_id: str, url: str, secret_encrypted: bytes, kinds: list[str], jurisdiction: str | None
) -> Webhook:
    """Register a webhook."""
    row = await fetch_one(
        db,
        f"insert into webhooks as w (client_id, url, secret_encrypted, kinds, jurisdiction)"
        f" values ($1, $2, $3, $4, $5) returning {_WEBHOOK}",
        client_id,
        url,
        secret_encrypted,
        kinds,
        jurisdiction,
    )
    return Webhook(**dict(row))


async def of_client(db: Executor, client_id: str) -> list[Webhook]:
    """A client's webhooks (not deleted), oldest first."""
    rows = await db.fetch(
        f"select {_WEBHOOK} from webhooks w where w.client_id = $1 and w.deleted_at is null"
        " order by w.created_at, w.id",
        client_id,
    )
    return [Webhook(**dict(row)) for row in rows]


async def delete(db: Executor, webhook_id: UUID, client_id: str) -> bool:
    """Stop a client's webhook (kept on record with its deliveries); False when there is none."""
    # One statement: the pending deliveries dropped are only those of the webhook this client
    # just stopped, so a foreign or unknown ID changes nothing at all.
    stopped: bool = await db.fetchval(
        """
        with stopped as (
          update webhooks set deleted_at = now() where id = $1 and client_id = $2 and deleted_at is null
          returning id),
        dropped as (
          update webhook_deliveries d set status = 'FAILED', last_error = 'webhook deleted'
            from stopped where d.webhook_id = stopped.id and d.status = 'PENDING')
        select exists (select 1 from stopped)
        """,
        webhook_id,
        client_id,
    )
    return stopped


async def latest_deliveries(db: Executor, webhook_ids: Sequence[UUID], limit: int) -> dict[UUID, list[Delivery]]:
    """Each webhook's latest ``limit`` deliveries, newest first, in one statement."""
    rows = await db.fetch(
        f"select d.* from unnest($1::uuid[]) as w(id) cross join lateral ("
        f" select {_DELIVERY} from webhook_deliveries d where d.webhook_id = w.id order by d.id desc limit $2) d",
        list(webhook_ids),
        limit,
    )
    found: dict[UUID, list[Delivery]] = {webhook_id: [] for webhook_id in webhook_ids}
    for row in rows:
        found[row["webhook_id"]].append(Delivery(**dict(row)))
    return found


async def count_of_client(db: Executor, client_id: str) -> int:
    """How many live webhooks the client has."""
    count: int = await db.fetchval(
        "select count(*) from webhooks where client_id = $1 and deleted_at is null", client_id
    )
    return count


async def claim_due(db: Executor, limit: int, lease_seconds: float) -> list[DueDelivery]:
    """Due deliveries, leased to this worker (other workers skip them), with what sending needs."""
    rows = await db.fetch(
        """
        with due as (
          select d.id from webhook_deliveries d
           where d.status = 'PENDING' and d.next_attempt_at <= now()
           order by d.next_attempt_at, d.id
           limit $1 for update skip locked)
        update webhook_deliveries d set next_attempt_at = now() + make_interval(secs => $2), attempts = d.attempts + 1
          from due, webhooks w, changes ch
         where d.id = due.id and w.id = d.webhook_id and ch.seq = d.change_seq
        returning d.id, d.attempts, w.id as webhook_id, w.url, w.secret_encrypted, w.failing_since,
                  ch.seq, ch.kind::text as kind, ch.credential_id, ch.version, ch.at, ch.recognition_id,
                  ch.offering_id
        """,
        limit,
        lease_seconds,
    )
    return [DueDelivery(**dict(row)) for row in rows]


async def release(db: Executor, delivery_ids: list[int]) -> int:
    """Give back leased deliveries a stopping worker could not finish: due again now, and the
    attempt they were leased for not counted."""
    result = await db.execute(
        "update webhook_deliveries set next_attempt_at = now(), attempts = greatest(attempts - 1, 0)"
        " where id = any($1::bigint[]) and status = 'PENDING'",
        delivery_ids,
    )
    return int(result.split()[-1])


async def delivered(db: Executor, delivery_id: int, status_code: int) -> None:
    """A delivery arrived: record it, and the webhook is healthy again."""
    await db.execute(
        "with d as (update webhook_deliveries set status = 'DELIVERED', delivered_at = now(), last_status_code = $2,"
        " last_error = null where id = $1 returning webhook_id)"
        " update webhooks set failing_since = null where id = (select webhook_id from d)",
        delivery_id,
        status_code,
    )


async def failed(
    db: Executor,
    delivery_id: int,
    webhook_id: UUID,
    *,
    status_code: int | None,
    error: str,
    retry_in: float | None,
    give_up_after_hours: float,
) -> None:
    """A delivery failed: retry later (or give up), and disable a webhook failing for too long."""
    await db.execute(
        """
        with d as (
          update webhook_deliveries
             set last_status_code = $2, last_error = left($3, 500),
                 status = case when $4::float8 is null then 'FAILED'::delivery_status else status end,
                 next_attempt_at = case when $4::float8 is null then next_attempt_at
                                        else now() + make_interval(secs => $4::float8) end
           where id = $1 returning webhook_id)
        update webhooks
           set failing_since = coalesce(failing_since, now()),
               disabled_at = case when coalesce(failing_since, now()) < now() - make_interval(hours => $5::int)
                                  then coalesce(disabled_at, now()) else disabled_at end
         where id = (select webhook_id from d)
        """,
        delivery_id,
        status_code,
        error,
        retry_in,
        int(give_up_after_hours),
    )
    await db.execute(
        "update webhook_deliveries d set status = 'FAILED', last_error = 'webhook disabled after failing too long'"
        " from webhooks w where w.id = $1 and d.webhook_id = w.id and w.disabled_at is not null"
        " and d.status = 'PENDING'",
        webhook_id,
    )


async def pending_count(db: Executor) -> int:
    """Deliveries waiting to be sent (the queue's depth)."""
    pending: int = await db.fetchval("select count(*) from webhook_deliveries where status = 'PENDING'")
    return pending
