"""Leaky buckets of query cost: each caller's bucket fills with the cost of its queries and
leaks at a steady rate; a query that would overflow it is refused.

Each process admits most charges on its own estimate and sends them here in batches
(registry.services.rate_ledger): ``charge`` adds what must fit, ``settle`` what was already
admitted, so a bucket may hold a little more than its capacity (the ledger bounds how much).
A batch may be negative: what operations asked for and did not use, given back. A bucket
never holds less than nothing (a refund to a bucket not kept, which an unlogged table loses
in a crash, stores a negative level that reads as empty).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from registry.db import Executor


def _leaked(restore: str) -> str:
    """The bucket's level now: what it held, less what leaked since (``restore`` points a second)."""
    return f"greatest(0, b.level - extract(epoch from clock_timestamp() - b.updated_at)::float8 * {restore}::float8)"


class Answer(NamedTuple):
    """A bucket's level after a change, and when PostgreSQL made it (``updated_at``: changes to
    one bucket are serialized by its row lock, so a later change has a later time)."""

    level: float
    at: datetime


async def charge(db: Executor, key: str, cost: float, *, capacity: float, restore_per_second: float) -> Answer | None:
    """Add ``cost`` to ``key``'s bucket if it fits (a bucket not yet kept is empty); the level
    after, or None when refused (then nothing is added)."""
    row = await db.fetchrow(
        f"insert into rate_buckets as b (key, level, updated_at) select $1, greatest(0, $2::float8), clock_timestamp()"
        f" where $2::float8 <= $4::float8"
        f" on conflict (key) do update set level = greatest(0, {_leaked('$3')} + $2), updated_at = clock_timestamp()"
        f" where {_leaked('$3')} + $2 <= $4::float8 returning level, updated_at",
        key,
        cost,
        restore_per_second,
        capacity,
    )
    return None if row is None else Answer(row["level"], row["updated_at"])


async def settle(db: Executor, costs: Mapping[str, float], *, restore_per_second: float) -> dict[str, Answer]:
    """Add each key's cost (charges already admitted, less refunds) to its bucket, whatever the
    level: one statement for every key (of buckets leaking at ``restore_per_second``); each level after."""
    keys = sorted(costs)  # rows locked in one order, so that two processes settling never deadlock
    rows = await db.fetch(
        f"insert into rate_buckets as b (key, level, updated_at)"
        f" select key, cost, clock_timestamp() from unnest($1::text[], $2::float8[]) as t(key, cost) order by key"
        f" on conflict (key) do update set level = greatest(0, {_leaked('$3')} + excluded.level),"
        f" updated_at = clock_timestamp()"
        f" returning key, greatest(0, level) as level, updated_at",
        keys,
        [costs[key] for key in keys],
        restore_per_second,
    )
    return {row["key"]: Answer(row["level"], row["updated_at"]) for row in rows}


async def level(db: Executor, key: str, *, restore_per_second: float) -> float:
    """How full ``key``'s bucket is now."""
    found = await db.fetchval(f"select {_leaked('$2')} from rate_buckets b where key = $1", key, restore_per_second)
    return found or 0.0
