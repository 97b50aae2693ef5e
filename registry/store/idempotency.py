"""Idempotency keys: the first response to a (client, key) pair, kept for a day."""

from __future__ import annotations

from dataclasses import dataclass

from registry.db import Executor

RETENTION = "24 hours"


@dataclass(frozen=True)
class Remembered:
    """What was recorded for a key: the request's hash, whether its writes committed, whether
    its claim is older than the lease (its request presumably died), and once finished its
    response."""

    request_sha256: bytes
    applied: bool
    abandoned: bool
    status: int | None
    response: bytes | None


async def claim(
    db: Executor, client_id: str, key: str, request_sha256: bytes, lease_seconds: float
) -> Remembered | None:
    """Claim the key for a new request (None), or return what an earlier request left.

    A claim older than ``lease_seconds`` with no response and no committed write belonged to
    a request that died before writing: the same request may take it over and run."""
    await db.execute(
        f"delete from idempotency_keys where client_id = $1 and key = $2 and created_at < now() - interval '{RETENTION}'",
        client_id,
        key,
    )
    claimed = await db.fetchval(
        """
        insert into idempotency_keys as k (client_id, key, request_sha256) values ($1, $2, $3)
        on conflict (client_id, key) do update set created_at = now()
         where k.request_sha256 = excluded.request_sha256 and k.status is null and k.applied_at is null
           and k.created_at < now() - make_interval(secs => $4)
        returning true
        """,
        client_id,
        key,
        request_sha256,
        lease_seconds,
    )
    if claimed:
        return None
    row = await db.fetchrow(
        "select request_sha256, applied_at is not null as applied, status, response,"
        " created_at < now() - make_interval(secs => $3) as abandoned"
        " from idempotency_keys where client_id = $1 and key = $2",
        client_id,
        key,
        lease_seconds,
    )
    return Remembered(**dict(row)) if row else None


async def mark_applied(tx: Executor, client_id: str, key: str) -> None:
    """Inside a write transaction: the key's request has written (committed with the writes)."""
    await tx.execute(
        "update idempotency_keys set applied_at = coalesce(applied_at, now()) where client_id = $1 and key = $2",
        client_id,
        key,
    )


async def remember(db: Executor, client_id: str, key: str, status: int, response: bytes) -> None:
    """Store the response of the request that claimed the key."""
    await db.execute(
        "update idempotency_keys set status = $3, response = $4 where client_id = $1 and key = $2",
        client_id,
        key,
        status,
        response,
    )


async def release(db: Executor, client_id: str, key: str) -> None:
    """Forget a claim whose request failed on our side before writing, so that a retry can run."""
    await db.execute(
        "delete from idempotency_keys where client_id = $1 and key = $2 and response is null and applied_at is null",
        client_id,
        key,
    )
