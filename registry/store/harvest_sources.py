"""Harvest sources and their runs."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any, Mapping, Sequence
from uuid import UUID

from registry.db import Executor
from registry.domain.harvesting import HarvestRun, HarvestSource, SourceSpec
from registry.store.paging import Key, Page, fetch_page
from registry.store.sql import fetch_one

COLUMNS = (
    "s.id, s.kind::text, s.url, s.provider_id, s.every_minutes, s.enabled, s.etag, s.last_modified,"
    " s.content_hash, s.created_at, s.next_run_at, s.cursor, s.organization_ctid"
)
_RUN = (
    "r.id, r.source_id, r.started_at, r.finished_at, r.succeeded, r.not_modified, r.created, r.updated,"
    " r.unchanged, r.retired, r.failed, r.problems"
)


_SOURCE_NAMES, _RUN_FIELDS = [f.name for f in fields(HarvestSource)], len(fields(HarvestRun))


def build(row: Mapping[str, Any]) -> HarvestSource:
    """A source from a row holding COLUMNS (by name: other columns of the row are ignored)."""
    return HarvestSource(**{name: row[name] for name in _SOURCE_NAMES})


def _run(row: Mapping[str, Any]) -> HarvestRun:
    values = list(row.values())[:_RUN_FIELDS]  # without a page's sort key
    problems = values[-1]
    values[-1] = json.loads(problems) if isinstance(problems, str) else problems
    return HarvestRun(*values)


async def create(db: Executor, spec: SourceSpec, provider_id: UUID | None) -> HarvestSource:
    """A new source (raises UniqueViolationError when it is a source already)."""
    row = await fetch_one(
        db,
        f"insert into harvest_sources as s (kind, url, provider_id, every_minutes, organization_ctid)"
        f" values ($1, $2, $3, $4, $5) returning {COLUMNS}",
        spec.kind,
        spec.url,
        provider_id,
        spec.every_minutes,
        spec.organization_ctid,
    )
    return build(row)


async def every(db: Executor) -> list[HarvestSource]:
    """Every source, oldest first."""
    return [
        build(row) for row in await db.fetch(f"select {COLUMNS} from harvest_sources s order by s.created_at, s.id")
    ]


async def by_id(db: Executor, source_id: UUID) -> HarvestSource | None:
    row = await db.fetchrow(f"select {COLUMNS} from harvest_sources s where s.id = $1", source_id)
    return build(row) if row else None


async def claim(
    db: Executor, source_id: UUID, lease: UUID, lease_seconds: float, *, only_if_due: bool
) -> HarvestSource | None:
    """The source, leased to the caller (``lease``) for a run, or None when another run holds
    it (or, ``only_if_due``, when it is not due: another worker may have just run it)."""
    row = await db.fetchrow(
        f"update harvest_sources s set lease = $4, running_until = now() + make_interval(secs => $2)"
        f" where s.id = $1 and (s.running_until is null or s.running_until < now())"
        f" and (not $3 or (s.enabled and s.next_run_at <= now())) returning {COLUMNS}",
        source_id,
        lease_seconds,
        only_if_due,
        lease,
    )
    return build(row) if row else None


async def holds(db: Executor, source_id: UUID, lease: UUID) -> bool:
    """Whether ``lease`` still holds the source (locking it until the transaction ends): a run
    that outlived its lease may have been taken over, and must not retire anything."""
    found = await db.fetchval(
        "select true from harvest_sources where id = $1 and lease = $2 and running_until > now() for update",
        source_id,
        lease,
    )
    return bool(found)


async def set_enabled(db: Executor, source_id: UUID, enabled: bool) -> HarvestSource | None:
    """Turn a source's scheduled runs on or off; None when there is no such source."""
    row = await db.fetchrow(
        f"update harvest_sources s set enabled = $2 where s.id = $1 returning {COLUMNS}", source_id, enabled
    )
    return build(row) if row else None


async def save_cursor(db: Executor, source_id: UUID, lease: UUID, cursor: str | None) -> bool:
    """Remember where a feed's next run goes on from, while ``lease`` holds the source; False
    when it no longer does."""
    saved = await db.fetchval(
        "update harvest_sources set cursor = $3 where id = $1 and lease = $2 and running_until > now() returning true",
        source_id,
        lease,
        cursor,
    )
    return bool(saved)


async def due(db: Executor) -> list[UUID]:
    """The enabled sources whose next run is due, soonest first."""
    rows = await db.fetch("select id from harvest_sources where enabled and next_run_at <= now() order by next_run_at")
    return [row["id"] for row in rows]


async def release(
    db: Executor,
    source_id: UUID,
    lease: UUID,
    *,
    etag: str | None,
    last_modified: str | None,
    content_hash: str | None,
) -> None:
    """End a run (only while its ``lease`` holds the source): remember what the source
    answered (when it answered), schedule the next run."""
    await db.execute(
        "update harvest_sources set running_until = null, lease = null,"
        " next_run_at = now() + make_interval(mins => every_minutes),"
        " etag = coalesce($2, etag), last_modified = coalesce($3, last_modified),"
        " content_hash = coalesce($4, content_hash) where id = $1 and lease = $5",
        source_id,
        etag,
        last_modified,
        content_hash,
        lease,
    )


async def start_run(db: Executor, source_id: UUID) -> UUID:
    run_id: UUID = await db.fetchval("insert into harvest_runs (source_id) values ($1) returning id", source_id)
    return run_id


async def finish_run(
    db: Executor, run_id: UUID, counts: Mapping[str, int], problems: Sequence[Mapping[str, Any]]
) -> HarvestRun:
    """Record how a run ended: ``counts`` has succeeded (0/1), not_modified (0/1), created,
    updated, unchanged, retired and failed."""
    row = await fetch_one(
        db,
        f"update harvest_runs r set finished_at = now(), succeeded = $2, not_modified = $3, created = $4,"
        f" updated = $5, unchanged = $6, retired = $7, failed = $8, problems = $9::jsonb where r.id = $1"
        f" returning {_RUN}",
        run_id,
        bool(counts["succeeded"]),
        bool(counts["not_modified"]),
        counts["created"],
        counts["updated"],
        counts["unchanged"],
        counts["retired"],
        counts["failed"],
        json.dumps(list(problems)),
    )
    return _run(row)


async def last_runs(db: Executor, source_ids: Sequence[UUID]) -> dict[UUID, HarvestRun]:
    """The latest run of each source that has one."""
    rows = await db.fetch(
        f"select distinct on (r.source_id) {_RUN} from harvest_runs r where r.source_id = any($1::uuid[])"
        f" order by r.source_id, r.started_at desc, r.id",
        list(source_ids),
    )
    return {row["source_id"]: _run(row) for row in rows}


async def page(db: Executor, *, first: int, after: Key | None) -> Page[HarvestSource]:
    """Sources, oldest first."""
    return await fetch_page(
        db,
        columns=COLUMNS,
        from_sql="harvest_sources s",
        where="true",
        params=[],
        sort_sql="epoch_of(s.created_at)",
        sort_type="float8",
        id_sql="s.id",
        first=first,
        after=after,
        build=build,
    )


async def count(db: Executor) -> int:
    """How many sources there are."""
    found: int = await db.fetchval("select count(*) from harvest_sources")
    return found


async def by_ids(db: Executor, source_ids: Sequence[UUID]) -> dict[UUID, HarvestSource]:
    rows = await db.fetch(f"select {COLUMNS} from harvest_sources s where s.id = any($1::uuid[])", list(source_ids))
    return {row["id"]: build(row) for row in rows}


async def runs_page(db: Executor, source_id: UUID, *, first: int, after: Key | None) -> Page[HarvestRun]:
    """A source's runs, newest first."""
    return await fetch_page(
        db,
        columns=_RUN,
        from_sql="harvest_runs r",
        where="r.source_id = $1",
        params=[source_id],
        sort_sql="-epoch_of(r.started_at)",
        sort_type="float8",
        id_sql="r.id",
        first=first,
        after=after,
        build=_run,
    )


async def runs_count(db: Executor, source_id: UUID) -> int:
    """How many runs a source has had."""
    found: int = await db.fetchval("select count(*) from harvest_runs where source_id = $1", source_id)
    return found
