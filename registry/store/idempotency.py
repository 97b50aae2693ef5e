"""Idempotency keys: the first response to a (client, key) pair, kept for a day."""

from __future__ import annotations

from dataclasses import dataclass

from registry.db import Executor

RETENTION = "24 hours"


@dataclass(frozen=True)
class Remembered:
    """What was recorded for a key: the request's hash and, once finished, its response."""

    request_sha256: bytes
    status: int | None
    response: bytes | None


async def claim(db: Executor, client_id: str, key: str, request_sha256: bytes) -> Remembered | None:
    """Claim the key for a new request (None), or return what an earlier request left."""
    await db.execute(
        f"delete from idempotency_keys where client_id = $1 and key = $2 and created_at < now() - interval '{RETENTION}'",
        client_id, key)
    claimed = await db.fetchval(
        "insert into idempotency_keys (client_id, key, request_sha256) values ($1, $2, $3)"
        " on conflict do nothing returning true", client_id, key, request_sha256)
    if claimed:
        return None
    row = await db.fetchrow("select request_sha256, status, response from idempotency_keys"
                            " where client_id = $1 and key = $2", client_id, key)
    return Remembered(row["request_sha256"], row["status"], row["response"]) if row else None


async def remember(db: Executor, client_id: str, key: str, status: int, response: bytes) -> None:
    """Store the response of the request that claimed the key."""
    await db.execute("update idempotency_keys set status = $3, response = $4 where client_id = $1 and key = $2",
                     client_id, key, status, response)


async def release(db: Executor, client_id: str, key: str) -> None:
    """Forget a claim whose request failed on our side, so that a retry can run."""
    await db.execute("delete from idempotency_keys where client_id = $1 and key = $2 and response is null",
                     client_id, key)
