"""Which recognitions here mirror which recognitions of a harvested registry."""

from __future__ import annotations

from typing import Sequence
from uuid import UUID

from registry.db import Executor


async def mirrors(db: Executor, source_id: UUID, remote_ids: Sequence[str]) -> dict[str, UUID]:
    """The recognition here that mirrors each of ``remote_ids`` (IDs at the source) already."""
    rows = await db.fetch(
        "select remote_id, recognition_id from harvested_recognitions where source_id = $1"
        " and remote_id = any($2::text[])",
        source_id,
        list(remote_ids),
    )
    return {row["remote_id"]: row["recognition_id"] for row in rows}


async def record(db: Executor, source_id: UUID, remote_id: str, recognition_id: UUID) -> None:
    """Remember that ``recognition_id`` mirrors the source's ``remote_id``."""
    await db.execute(
        "insert into harvested_recognitions (recognition_id, source_id, remote_id) values ($1, $2, $3)",
        recognition_id,
        source_id,
        remote_id,
    )
