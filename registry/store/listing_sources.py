"""Which listings came from which harvest source, and how many runs in a row missed each."""

from __future__ import annotations

from typing import Sequence
from uuid import UUID

from registry.db import Executor
from registry.domain.harvesting import Harvested, ListingSource
from registry.store import harvest_sources


async def seen(db: Executor, source_id: UUID, listings: Sequence[tuple[UUID, str, str | None, str]]) -> None:
    """``listings`` were in the source's latest run: (credential ID, content hash, ID at the
    source or None, the listing's address there) each."""
    if not listings:
        return
    ids, hashes, remote_ids, urls = (list(column) for column in zip(*listings))
    # A source that gives an ID of its own to another listing now: the old holder loses it.
    await db.execute(
        "update listing_sources set remote_id = null where source_id = $1 and remote_id = any($2::text[])"
        " and not credential_id = any($3::uuid[])",
        source_id,
        [remote for remote in remote_ids if remote is not None],
        ids,
    )
    await db.execute(
        "insert into listing_sources (credential_id, source_id, url, fetched_at, content_hash, remote_id)"
        " select t.id, $1, t.url, now(), t.hash, t.remote"
        " from unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) as t(id, hash, remote, url)"
        " on conflict (credential_id) do update set source_id = excluded.source_id, url = excluded.url,"
        " fetched_at = excluded.fetched_at, content_hash = excluded.content_hash, absent_runs = 0,"
        " remote_id = coalesce(excluded.remote_id, listing_sources.remote_id)"
        " where listing_sources.detached_at is null",  # detached meanwhile: this registry's now
        source_id,
        ids,
        hashes,
        remote_ids,
        urls,
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
        " absent_runs = 0 where listing_sources.detached_at is null",
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
        " where ls.source_id = $1 and ls.detached_at is null and c.id = ls.credential_id and c.status <> 'RETIRED'"
        " returning ls.credential_id, ls.absent_runs",
        source_id,
        list(present),
    )
    return {row["credential_id"]: row["absent_runs"] for row in rows if row["absent_runs"] > 0}


async def sources_of(db: Executor, credential_ids: Sequence[UUID]) -> dict[UUID, Harvested]:
    """Which of ``credential_ids`` are harvested, from where, and whether detached since."""
    rows = await db.fetch(
        "select ls.credential_id, ls.source_id, s.url, ls.detached_at is not null as detached from listing_sources ls"
        " join harvest_sources s on s.id = ls.source_id where ls.credential_id = any($1::uuid[])",
        list(credential_ids),
    )
    return {row["credential_id"]: Harvested(row["source_id"], row["url"], row["detached"]) for row in rows}


async def detach(db: Executor, credential_id: UUID) -> Harvested | None:
    """Detach a harvested listing from its source; None when it is not harvested (or detached already)."""
    row = await db.fetchrow(
        "update listing_sources ls set detached_at = now() from harvest_sources s"
        " where ls.credential_id = $1 and ls.detached_at is null and s.id = ls.source_id"
        " returning ls.source_id, s.url",
        credential_id,
    )
    return Harvested(row["source_id"], row["url"], True) if row else None


async def of_listings(db: Executor, credential_ids: Sequence[UUID]) -> dict[UUID, ListingSource]:
    """Where each harvested listing among ``credential_ids`` came from (detached ones: nowhere)."""
    rows = await db.fetch(
        "select ls.credential_id, ls.url as listing_url, ls.fetched_at as listing_fetched_at,"
        f" ls.content_hash as listing_content_hash, {harvest_sources.COLUMNS}"
        " from listing_sources ls join harvest_sources s on s.id = ls.source_id"
        " where ls.credential_id = any($1::uuid[]) and ls.detached_at is null",
        list(credential_ids),
    )
    return {
        row["credential_id"]: ListingSource(
            row["credential_id"],
            harvest_sources.build(row),
            row["listing_url"],
            row["listing_fetched_at"],
            row["listing_content_hash"],
        )
        for row in rows
    }
