"""Leaky buckets of query cost: each caller's bucket fills with the cost of its queries and
leaks at a steady rate; a query that would overflow it is refused."""

from __future__ import annotations

from registry.db import Executor


def _leaked(restore: str) -> str:
    """The bucket's level now: what it held, less what leaked since (``restore`` points a second)."""
    return f"greatest(0, b.level - extract(epoch from clock_timestamp() - b.updated_at)::float8 * {restore}::float8)"


async def charge(db: Executor, key: str, cost: float, *, capacity: float, restore_per_second: float) -> float | None:
    """Add ``cost`` to ``key``'s bucket if it fits; the level after, or None when refused."""
    level_after: float | None = await db.fetchval(
        f"insert into rate_buckets as b (key, level, updated_at) values ($1, $2::float8, clock_timestamp())"
        f" on conflict (key) do update set level = {_leaked('$3')} + $2, updated_at = clock_timestamp()"
        f" where {_leaked('$3')} + $2 <= $4::float8 returning level",
        key,
        cost,
        restore_per_second,
        capacity,
    )
    return level_after


async def level(db: Executor, key: str, *, restore_per_second: float) -> float:
    """How full ``key``'s bucket is now."""
    found = await db.fetchval(f"select {_leaked('$2')} from rate_buckets b where key = $1", key, restore_per_second)
    return found or 0.0
