"""Credential listings and what hangs off them: skills, occupations, links, history."""

from __future__ import annotations

from dataclasses import fields
from typing import Callable, Iterable, Sequence, TypeVar
from uuid import UUID

import asyncpg

from registry.db import Executor
from registry.domain.records import (
    CostItem,
    Credential,
    CredentialLink,
    CredentialVersion,
    Occupation,
    Skill,
)
from registry.domain.search import Visibility
from registry.store.paging import Key, Page, fetch_pages_per_owner
from registry.store.sql import Params, to_float
from registry.store.taxonomy import (
    OCCUPATION_COLUMNS,
    SKILL_COLUMNS,
    build_occupation,
    build_skill,
)
from registry.store.visibility import (
    entry_visible,
    listing_visible,
    public_actor,
    sees_all_of,
)

# Record fields stored under another column name: `ctid` is PostgreSQL's own system column.
_COLUMN_OF = {"ctid": "ce_ctid"}


def column(field: str) -> str:
    """The credentials column a Credential field is stored in."""
    return _COLUMN_OF.get(field, field)


# Columns kept as enum types in the database and as their names in the records.
_ENUM_COLUMNS = {"status", "credential_type", "delivery_mode", "pace", "assessment"}
# Every field of the Credential record is a column of the same name: the select list follows it.
COLUMNS = ", ".join(
    f"c.{name}::text as {name}"
    if name in _ENUM_COLUMNS
    else "c.audiences::text[] as audiences"
    if name == "audiences"
    else f"c.{column(name)} as {name}"
    for name in (f.name for f in fields(Credential))
)


# A provider's page lists its published listings, and its drafts for itself.
PROVIDER_PAGE_STATUSES = ("PUBLISHED", "DRAFT")

# Newest first: the order of a provider's listings. Negated so every keyset runs ascending.
NEWEST_SQL = "-epoch_of(coalesce(c.published_at, c.created_at))"

T = TypeVar("T")


def build(row: asyncpg.Record) -> Credential:
    """A Credential record from a row selected with COLUMNS."""
    values = {f.name: row[f.name] for f in fields(Credential)}
    values["cost_amount"] = to_float(values["cost_amount"])  # NUMERIC arrives as a Decimal
    values["cost_items"] = [CostItem(**item) for item in values["cost_items"]]  # stored as JSON objects
    return Credential(**values)


def visible_by_id(params: Params, viewer: Visibility) -> str:
    """Asked for by ID: listings once published for everyone, the rest for their owner."""
    return listing_visible(params, viewer)


def visible_in_lists(params: Params, viewer: Visibility, statuses: Sequence[str] | None) -> str:
    """Listed (search, provider pages): PUBLISHED by default; other statuses only for the
    owner's own listings or an operator, whatever the request asks for."""
    wanted = params.add(list(statuses or ("PUBLISHED",)))
    return f"(c.status::text = any({wanted}::text[]) and (c.status = 'PUBLISHED' or {sees_all_of(params, viewer)}))"


async def by_ids(db: Executor, ids: Sequence[UUID], viewer: Visibility) -> dict[UUID, Credential]:
    """The listings with these IDs that ``viewer`` may see, keyed by ID."""
    params = Params(list(ids))
    rows = await db.fetch(
        f"select {COLUMNS} from credentials c where c.id = any($1::uuid[]) and {visible_by_id(params, viewer)}",
        *params.values,
    )
    return {row["id"]: build(row) for row in rows}


async def by_external_id(db: Executor, provider_id: UUID, external_id: str, viewer: Visibility) -> Credential | None:
    """A provider's listing by the provider's own key for it."""
    params = Params(provider_id, external_id)
    row = await db.fetchrow(
        f"select {COLUMNS} from credentials c where c.provider_id = $1 and c.external_id = $2"
        f" and {visible_by_id(params, viewer)}",
        *params.values,
    )
    return build(row) if row else None


async def skills_of(db: Executor, credential_ids: Sequence[UUID]) -> dict[UUID, list[Skill]]:
    """The skills each listing teaches, in the provider's order."""
    rows = await db.fetch(
        f"select cs.credential_id, {SKILL_COLUMNS} from credential_skills cs join skills s on s.id = cs.skill_id"
        " where cs.credential_id = any($1::uuid[]) order by cs.credential_id, cs.position, s.code",
        list(credential_ids),
    )
    return _group(credential_ids, rows, build_skill)


async def occupations_of(db: Executor, credential_ids: Sequence[UUID]) -> dict[UUID, list[Occupation]]:
    """The occupations each listing leads to, in the provider's order."""
    rows = await db.fetch(
        f"select co.credential_id, {OCCUPATION_COLUMNS} from credential_occupations co"
        " join occupations o on o.id = co.occupation_id"
        " where co.credential_id = any($1::uuid[]) order by co.credential_id, co.position, o.code",
        list(credential_ids),
    )
    return _group(credential_ids, rows, build_occupation)


async def links_of(db: Executor, credential_ids: Sequence[UUID]) -> dict[UUID, list[CredentialLink]]:
    """The stackability links that start at each listing."""
    rows = await db.fetch(
        "select l.from_id as credential_id, l.from_id, l.to_id, l.kind::text as kind from credential_links l"
        " where l.from_id = any($1::uuid[]) order by l.from_id, l.kind, l.created_at, l.to_id",
        list(credential_ids),
    )
    return _group(credential_ids, rows, lambda r: CredentialLink(r["from_id"], r["to_id"], r["kind"]))


async def provider_pages(
    db: Executor, provider_ids: Sequence[UUID], viewer: Visibility, first: int, after: Key | None
) -> dict[UUID, Page[Credential]]:
    """One page of each provider's listed credentials, newest first, in one statement
    (published ones, plus drafts for the provider itself and operators)."""
    params = Params(list(provider_ids))
    visible = visible_in_lists(params, viewer, PROVIDER_PAGE_STATUSES)
    return await fetch_pages_per_owner(
        db,
        owners=provider_ids,
        owner_sql="c.provider_id",
        owner_key="provider_id",
        columns=COLUMNS,
        from_sql="credentials c",
        where=visible,
        params=params.values,
        sort_sql=NEWEST_SQL,
        sort_type="float8",
        id_sql="c.id",
        first=first,
        after=after,
        build=build,
    )


async def provider_counts(db: Executor, provider_ids: Sequence[UUID], viewer: Visibility) -> dict[UUID, int]:
    """How many listed credentials each provider has."""
    params = Params(list(provider_ids))
    rows = await db.fetch(
        f"select c.provider_id, count(*) as n from credentials c where c.provider_id = any($1::uuid[])"
        f" and {visible_in_lists(params, viewer, PROVIDER_PAGE_STATUSES)} group by c.provider_id",
        *params.values,
    )
    counts = {row["provider_id"]: row["n"] for row in rows}
    return {pid: counts.get(pid, 0) for pid in provider_ids}


def _version(row: asyncpg.Record) -> CredentialVersion:
    return CredentialVersion(
        row["credential_id"], row["version"], row["kind"], row["changed_at"], row["actor"], row["snapshot"], row["note"]
    )


async def history_pages(
    db: Executor, credential_ids: Sequence[UUID], viewer: Visibility, first: int, after: Key | None
) -> dict[UUID, Page[CredentialVersion]]:
    """One page of each listing's history the viewer may see, newest version first, in one
    statement: from the first publication on for the public, with who made each change only
    for the owner and operators."""
    params = Params(list(credential_ids))
    owner = sees_all_of(params, viewer)
    return await fetch_pages_per_owner(
        db,
        owners=credential_ids,
        owner_sql="v.credential_id",
        owner_key="credential_id",
        columns=f"v.credential_id, v.version, v.kind::text as kind, v.changed_at,"
        f" case when {owner} then v.actor else {public_actor('v.actor')} end as actor, v.snapshot, v.note",
        from_sql="credential_versions v join credentials c on c.id = v.credential_id",
        where=entry_visible(params, viewer, "v.listed"),
        params=params.values,
        # Versions are unique per listing, so the listing's own ID breaks no ties: it just fills the key.
        sort_sql="(-v.version)::float8",
        sort_type="float8",
        id_sql="v.credential_id",
        first=first,
        after=after,
        build=_version,
    )


async def history_counts(db: Executor, credential_ids: Sequence[UUID], viewer: Visibility) -> dict[UUID, int]:
    """How many versions of each listing the viewer may see."""
    params = Params(list(credential_ids))
    rows = await db.fetch(
        "select v.credential_id, count(*) as n from credential_versions v join credentials c on c.id = v.credential_id"
        f" where v.credential_id = any($1::uuid[]) and {entry_visible(params, viewer, 'v.listed')}"
        " group by v.credential_id",
        *params.values,
    )
    counts = {row["credential_id"]: row["n"] for row in rows}
    return {cid: counts.get(cid, 0) for cid in credential_ids}


def _group(
    keys: Sequence[UUID], rows: Iterable[asyncpg.Record], make: Callable[[asyncpg.Record], T]
) -> dict[UUID, list[T]]:
    grouped: dict[UUID, list[T]] = {key: [] for key in keys}
    for row in rows:
        grouped[row["credential_id"]].append(make(row))
    return grouped


async def any_exist(db: Executor) -> bool:
    """Whether the registry holds any listing at all (an empty one gets demo data)."""
    found: bool = await db.fetchval("select exists (select 1 from credentials)")
    return found
