"""Positions in the primary's write-ahead log: where writes ended, how far replicas replayed.

Positions (LSNs) travel as integers in Python, as `pg_lsn` text in SQL.
"""

from __future__ import annotations

from registry.db import Executor


def lsn_int(text: str | None) -> int:
    """``'16/B374D848'`` as a comparable integer (0 for none)."""
    if not text:
        return 0
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


async def current_position(db: Executor) -> int:
    """Where the primary's WAL ends now (everything committed so far lies before it)."""
    return lsn_int(await db.fetchval("select pg_current_wal_lsn()::text"))


async def replayed_position(db: Executor) -> int | None:
    """How far a replica has replayed; None on a primary (which has everything)."""
    text = await db.fetchval("select pg_last_wal_replay_lsn()::text")
    return lsn_int(text) if text else None


async def record_write(db: Executor, client_id: str) -> None:
    """Note that ``client_id`` has just written: its reads need the WAL up to here."""
    await db.execute(
        "insert into client_write_positions (client_id, lsn) values ($1, pg_current_wal_lsn())"
        " on conflict (client_id) do update set lsn = excluded.lsn, written_at = now()",
        client_id,
    )


async def last_write(db: Executor, client_id: str) -> int:
    """Where ``client_id``'s last write ended (0 when it never wrote)."""
    return lsn_int(await db.fetchval("select lsn::text from client_write_positions where client_id = $1", client_id))
