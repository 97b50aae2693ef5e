"""Recognition authorities and their recognitions of credentials."""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence
from uuid import UUID

from registry.db import Executor
from registry.domain.records import Authority, Recognition
from registry.store.nesting import OWNER, Nested, per_owner
from registry.store.paging import Key, Page, fetch_page
from registry.store.sql import fetch_one
from registry.store.visibility import PUBLIC_LISTING

AUTHORITY_COLUMNS = "a.id, a.slug, a.name, a.kind::text as kind, a.jurisdiction, a.website"
RECOGNITION_COLUMNS = (
    "r.id, r.credential_id, r.authority_id, r.kind::text as kind, r.valid_from, r.valid_until,"
    " r.note, r.created_at, r.revoked_at"
)

# A recognition in force today. Used by search filters and facets as well.
ACTIVE = (
    "r.revoked_at is null and r.valid_from <= current_date and (r.valid_until is null or r.valid_until >= current_date)"
)


def _authority(row: Mapping[str, Any]) -> Authority:
    return Authority(row["id"], row["slug"], row["name"], row["kind"], row["jurisdiction"], row["website"])


def _recognition(row: Mapping[str, Any]) -> Recognition:
    return Recognition(
        row["id"],
        row["credential_id"],
        row["authority_id"],
        row["kind"],
        row["valid_from"],
        row["valid_until"],
        row["note"],
        row["created_at"],
        row["revoked_at"],
    )


async def authorities_by_ids(db: Executor, ids: Sequence[UUID]) -> dict[UUID, Authority]:
    """The authorities with these IDs, keyed by ID."""
    rows = await db.fetch(
        f"select {AUTHORITY_COLUMNS} from recognition_authorities a where a.id = any($1::uuid[])", list(ids)
    )
    return {row["id"]: _authority(row) for row in rows}


async def authorities_page(db: Executor, *, first: int, after: Key | None) -> Page[Authority]:
    """All recognition authorities, by slug."""
    return await fetch_page(
        db,
        columns=AUTHORITY_COLUMNS,
        from_sql="recognition_authorities a",
        where="true",
        params=[],
        sort_sql="a.slug",
        sort_type="text",
        id_sql="a.id",
        first=first,
        after=after,
        build=_authority,
    )


async def authorities_count(db: Executor) -> int:
    """How many recognition authorities there are."""
    count: int = await db.fetchval("select count(*) from recognition_authorities")
    return count


async def by_ids(db: Executor, ids: Sequence[UUID]) -> dict[UUID, Recognition]:
    """The recognitions with these IDs, keyed by ID."""
    rows = await db.fetch(f"select {RECOGNITION_COLUMNS} from recognitions r where r.id = any($1::uuid[])", list(ids))
    return {row["id"]: _recognition(row) for row in rows}


# A listing's recognitions (every one, active or not, newest first) and their authorities,
# selected once for DataLoaders and for listing bundles alike.
OF_CREDENTIAL = Nested(
    RECOGNITION_COLUMNS,
    f"from recognitions r where r.credential_id = {OWNER} order by r.valid_from desc, r.id",
    _recognition,
)
AUTHORITIES_OF_CREDENTIAL = Nested(
    AUTHORITY_COLUMNS,
    f"from recognition_authorities a where a.id in (select r.authority_id from recognitions r where r.credential_id = {OWNER})",
    _authority,
)


async def for_credentials(db: Executor, credential_ids: Sequence[UUID]) -> dict[UUID, list[Recognition]]:
    """Every recognition (active or not) of each credential, newest first."""
    return await per_owner(db, credential_ids, OF_CREDENTIAL)


async def create_authority(
    db: Executor,
    *,
    slug: str,
    name: dict[str, str],
    kind: str,
    jurisdiction: str,
    website: str | None = None,
    awaiting_confirmation_from: UUID | None = None,
) -> Authority:
    """Register a recognition authority; the database refuses a taken slug or malformed values."""
    row = await fetch_one(
        db,
        f"insert into recognition_authorities as a (slug, name, kind, jurisdiction, website, awaiting_confirmation_from)"
        f" values ($1, $2, $3, $4, $5, $6) returning {AUTHORITY_COLUMNS}",
        slug,
        name,
        kind,
        jurisdiction,
        website,
        awaiting_confirmation_from,
    )
    return _authority(row)


async def authority_by_slug(db: Executor, slug: str) -> Authority | None:
    """The authority with this slug, if any."""
    row = await db.fetchrow(f"select {AUTHORITY_COLUMNS} from recognition_authorities a where a.slug = $1", slug)
    return _authority(row) if row else None


async def create_recognition(
    db: Executor,
    *,
    credential_id: UUID,
    authority_id: UUID,
    kind: str,
    valid_from: date | None,
    valid_until: date | None,
    note: str | None,
) -> Recognition:
    """Record a recognition and its change-feed entry (at the listing's current version)."""
    row = await fetch_one(
        db,
        f"insert into recognitions as r (credential_id, authority_id, kind, valid_from, valid_until, note)"
        f" values ($1, $2, $3, coalesce($4, current_date), $5, $6) returning {RECOGNITION_COLUMNS}",
        credential_id,
        authority_id,
        kind,
        valid_from,
        valid_until,
        note,
    )
    await _feed(db, row["id"], "RECOGNIZED")
    return _recognition(row)


async def lock_recognition(db: Executor, recognition_id: UUID) -> Recognition | None:
    """A recognition, locked until the transaction ends."""
    row = await db.fetchrow(
        f"select {RECOGNITION_COLUMNS} from recognitions r where r.id = $1 for update", recognition_id
    )
    return _recognition(row) if row else None


async def revoke(db: Executor, recognition_id: UUID, reason: str) -> Recognition:
    """Revoke a recognition (it stays on record) and add its change-feed entry."""
    row = await fetch_one(
        db,
        f"update recognitions as r set revoked_at = now(), revoked_reason = $2 where r.id = $1"
        f" returning {RECOGNITION_COLUMNS}",
        recognition_id,
        reason,
    )
    await _feed(db, recognition_id, "RECOGNITION_REVOKED")
    return _recognition(row)


async def _feed(db: Executor, recognition_id: UUID, kind: str) -> None:
    # A recognition is the authority's change, not the provider's: the listing's version
    # stays, so an institution editing its listing never conflicts with a ministry.
    await db.execute(
        "insert into changes (credential_id, version, kind, recognition_id, listed)"
        f" select r.credential_id, c.version, $2::change_kind, r.id, {PUBLIC_LISTING} from recognitions r"
        " join credentials c on c.id = r.credential_id where r.id = $1",
        recognition_id,
        kind,
    )
