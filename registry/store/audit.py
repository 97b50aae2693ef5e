"""The operators' audit trail (append-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from registry.db import Executor


@dataclass(frozen=True)
class AuditEntry:
    """One operator action."""

    id: int
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]


async def record(db: Executor, *, actor: str, action: str, target: str, details: dict[str, Any] | None = None) -> None:
    """Write down that ``actor`` did ``action`` to ``target``."""
    await db.execute(
        "insert into audit_log (actor, action, target, details) values ($1, $2, $3, $4)",
        actor,
        action,
        target,
        details or {},
    )


async def recent(db: Executor, first: int) -> list[AuditEntry]:
    """The latest ``first`` entries, newest first."""
    rows = await db.fetch(
        "select id, at, actor, action, target, details from audit_log order by id desc limit $1", first
    )
    return [AuditEntry(**dict(row)) for row in rows]
