"""Providers and authorities a harvest feed brought in, waiting for an operator to confirm them."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from registry.db import Executor

# The party kinds, and the table each lives in.
TABLES = {"provider": "providers", "authority": "recognition_authorities"}


@dataclass(frozen=True)
class Pending:
    """A party created by a feed, not confirmed yet."""

    kind: str  # provider or authority
    slug: str
    name: dict[str, str]
    source_id: UUID
    source_url: str


async def pending(db: Executor) -> list[Pending]:
    """Every party waiting for confirmation, by kind and slug."""
    rows = await db.fetch(
        "select p.party, p.slug, p.name, s.id as source_id, s.url from ("
        " select 'provider' as party, slug, name, awaiting_confirmation_from from providers"
        " where awaiting_confirmation_from is not null union all"
        " select 'authority', slug, name, awaiting_confirmation_from from recognition_authorities"
        " where awaiting_confirmation_from is not null) p"
        " join harvest_sources s on s.id = p.awaiting_confirmation_from order by p.party desc, p.slug"
    )
    return [Pending(row["party"], row["slug"], row["name"], row["source_id"], row["url"]) for row in rows]


async def confirm(db: Executor, kind: str, slug: str) -> bool:
    """Confirm a party a feed created; False when no such party waits."""
    table = TABLES[kind]
    done = await db.fetchval(
        f"update {table} set awaiting_confirmation_from = null"
        " where slug = $1 and awaiting_confirmation_from is not null returning true",
        slug,
    )
    return bool(done)
