"""Whether the database answers."""

from __future__ import annotations

import asyncpg

from registry.db import Executor


async def ping(db: Executor) -> None:
    """One round trip; raises when the database does not answer."""
    await db.fetchval("select 1")


async def schema_revision(db: Executor) -> str | None:
    """The Alembic revision the database is at (None before the first migration)."""
    try:
        revision: str | None = await db.fetchval("select version_num from alembic_version")
    except asyncpg.UndefinedTableError:
        return None
    return revision
