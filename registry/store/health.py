"""Whether the database answers."""

from __future__ import annotations

from registry.db import Executor


async def ping(db: Executor) -> None:
    """One round trip; raises when the database does not answer."""
    await db.fetchval("select 1")
