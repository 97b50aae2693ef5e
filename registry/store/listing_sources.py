"""Which listings came from which harvest source, and how many runs in a row missed each."""

from __future__ import annotations

from typing import Sequence
from uuid import UUID

from registry.db import Executor


async def seen(db: Executor, source_id: UUID, url: str, listings: Sequence[tuple[UUID, str]]) -> None:
    """``listings`` ((credential ID, content hash) each) were in the source's latest run."""
    if not listings:
        return
    await db.execute(
        "insert into listing_sources (credential_id, source_id, url, fetched_at, content_hash)"
        " select t.id, $1, $2, now(), t.hash from unnest($3::uuid[], $4::text[]) as t(id, hash)"
        " on conflict (credential_id) do update set source_id = excluded.source_id, url = excluded.url,"
        " fetched_at = excluded.fetched_at, content_hash = excluded.content_hash, absent_runs = 0",
        source_id,
        url,
        [credential_id for credential_id, _ in listings],
        [content_hash for _, content_hash in listings],
    )


async def claim(db: Executor, source_id: UUID, credential_ids: Sequence[UUID]) -> None:
    """Mark ``credential_ids`` as harvested from the source (in the transaction that writes
    them); the run records their content hashes once it has read them all (``seen``)."""
    if not credential_ids:
        return
    await db.execute(
        "insert into listing_sources (credential_id, source_id, url, fetched_at, content_hash)"
        " select t.id, s.id, s.url, now(), '' from unnest($2::uuid[]) as t(id) join harvest_sources s on s.id = $1"
        " on conflict (credential_id) do update set source_id = excluded.source_id, url = excluded.url,"
        " absent_runs = 0",
        source_id,
        list(credential_ids),
    )


async def missed(db: Executor, source_id: UUID, present: Sequence[UUID]) -> dict[UUID, int]:
    """Count one more run without each of the source's listings not in ``present`` (and not
    retired yet), and start the count again for those present; returns how many runs in a row
    have missed each missing one."""
    rows = await db.fetch(
        "update listing_sources ls set absent_runs ="
        " case when ls.credential_id = any($2::uuid[]) then 0 else ls.absent_runs + 1 end from credentials c"
        " where ls.source_id = $1 and c.id = ls.credential_id and c.status <> 'RETIRED'"
        " returning ls.credential_id, ls.absent_runs",
        source_id,
        list(present),
    )
    return {row["credential_id"]: row["absent_runs"] for row in rows if row["absent_runs"] > 0}


async def sources_of(db: Executor, credential_ids: Sequence[UUID]) -> dict[UUID, tuple[UUID, str]]:
    """(source ID, source URL) of each harvested listing among ``credential_ids``."""
    rows = await db.fetch(
        "select ls.credential_id, ls.source_id, s.url from listing_sources ls"
        " join harvest_sources s on s.id = ls.source_id where ls.credential_id = any($1::uuid[])",
        list(credential_ids),
    )
    return {row["credential_id"]: (row["source_id"], row["url"]) for row in rows}
