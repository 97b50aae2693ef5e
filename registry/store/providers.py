"""Providers: the institutions that award credentials."""

from __future__ import annotations

from typing import Any, Mapping, Sequence
from uuid import UUID

from registry.db import Executor
from registry.domain.records import Provider
from registry.store.nesting import OWNER, Nested, per_owner
from registry.store.paging import Key, Page, fetch_page
from registry.store.sql import fetch_one

# A provider in jurisdiction $1 (a province, or a country for all its provinces); no $1, all.
_IN_JURISDICTION = "($1::text is null or in_jurisdiction(p.jurisdiction, '{}', $1))"

COLUMNS = "p.id, p.slug, p.name, p.kind::text as kind, p.jurisdiction, p.website, p.created_at, p.updated_at"


def build(row: Mapping[str, Any]) -> Provider:
    """A Provider record from a row selected with COLUMNS."""
    return Provider(
        row["id"],
        row["slug"],
        row["name"],
        row["kind"],
        row["jurisdiction"],
        row["website"],
        row["created_at"],
        row["updated_at"],
    )


# A provider by its ID, for DataLoaders and as a listing bundle's column alike.
BY_ID = Nested(COLUMNS, f"from providers p where p.id = {OWNER}", build)

# A listing's delivery partners, in the owner's order (the owner is the ``{owner}`` here).
PARTNERS_OF_CREDENTIAL = Nested(
    COLUMNS,
    f"from credential_partners cp join providers p on p.id = cp.provider_id where cp.credential_id = {OWNER}"
    " order by cp.position",
    build,
)


async def by_ids(db: Executor, ids: Sequence[UUID]) -> dict[UUID, Provider]:
    """The providers with these IDs, keyed by ID (unknown IDs are absent)."""
    return {provider_id: found[0] for provider_id, found in (await per_owner(db, ids, BY_ID)).items() if found}


async def partners_of(db: Executor, credential_ids: Sequence[UUID]) -> dict[UUID, list[Provider]]:
    """The delivery partners of each listing, in the owner's order."""
    return await per_owner(db, credential_ids, PARTNERS_OF_CREDENTIAL)


async def by_slug(db: Executor, slug: str) -> Provider | None:
    """The provider with this slug, if any."""
    row = await db.fetchrow(f"select {COLUMNS} from providers p where p.slug = $1", slug)
    return build(row) if row else None


async def page(db: Executor, *, jurisdiction: str | None, first: int, after: Key | None) -> Page[Provider]:
    """Providers ordered by slug, optionally within one jurisdiction (or a country prefix)."""
    where = _IN_JURISDICTION
    return await fetch_page(
        db,
        columns=COLUMNS,
        from_sql="providers p",
        where=where,
        params=[jurisdiction],
        sort_sql="p.slug",
        sort_type="text",
        id_sql="p.id",
        first=first,
        after=after,
        build=build,
    )


async def count(db: Executor, *, jurisdiction: str | None) -> int:
    """How many providers ``page`` would walk through."""
    found: int = await db.fetchval(f"select count(*) from providers p where {_IN_JURISDICTION}", jurisdiction)
    return found


async def create(
    db: Executor,
    *,
    slug: str,
    name: dict[str, str],
    kind: str,
    jurisdiction: str,
    website: str | None = None,
    awaiting_confirmation_from: UUID | None = None,
) -> Provider:
    """Register a provider; the database refuses a taken slug or malformed values."""
    row = await fetch_one(
        db,
        f"insert into providers as p (slug, name, kind, jurisdiction, website, awaiting_confirmation_from)"
        f" values ($1, $2, $3, $4, $5, $6) returning {COLUMNS}",
        slug,
        name,
        kind,
        jurisdiction,
        website,
        awaiting_confirmation_from,
    )
    return build(row)
