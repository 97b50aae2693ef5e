"""Credential listings and what hangs off them: skills, occupations, links, history."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Mapping, Sequence
from uuid import UUID

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
from registry.store.nesting import OWNER, Nested, per_owner
from registry.store.paging import Key, Page, fetch_pages_per_owner, page_from_rows
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


_FIELDS = tuple(f.name for f in fields(Credential))


def build(row: Mapping[str, Any]) -> Credential:
    """A Credential record from a row selected with COLUMNS."""
    values = {name: row[name] for name in _FIELDS}
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


# What hangs off a listing, each selected once for DataLoaders and for listing bundles alike.
SKILLS = Nested(
    SKILL_COLUMNS,
    f"from credential_skills cs join skills s on s.id = cs.skill_id where cs.credential_id = {OWNER}"
    " order by cs.position, s.code",
    build_skill,
)
OCCUPATIONS = Nested(
    OCCUPATION_COLUMNS,
    f"from credential_occupations co join occupations o on o.id = co.occupation_id where co.credential_id = {OWNER}"
    " order by co.position, o.code",
    build_occupation,
)
LINKS = Nested(
    "l.from_id, l.to_id, l.kind::text as kind",
    f"from credential_links l where l.from_id = {OWNER} order by l.kind, l.created_at, l.to_id",
    lambda r: CredentialLink(r["from_id"], r["to_id"], r["kind"]),
)


def link_targets(params: Params, viewer: Visibility) -> Nested[Credential]:
    """The listings a listing links to that ``viewer`` may see (``params`` holds the owners as $1)."""
    return Nested(
        COLUMNS,
        f"from credential_links l join credentials c on c.id = l.to_id where l.from_id = {OWNER}"
        f" and {visible_by_id(params, viewer)}",
        build,
    )


async def skills_of(db: Executor, credential_ids: Sequence[UUID]) -> dict[UUID, list[Skill]]:
    """The skills each listing teaches, in the provider's order."""
    return await per_owner(db, credential_ids, SKILLS)


async def occupations_of(db: Executor, credential_ids: Sequence[UUID]) -> dict[UUID, list[Occupation]]:
    """The occupations each listing leads to, in the provider's order."""
    return await per_owner(db, credential_ids, OCCUPATIONS)


async def links_of(db: Executor, credential_ids: Sequence[UUID]) -> dict[UUID, list[CredentialLink]]:
    """The stackability links that start at each listing."""
    return await per_owner(db, credential_ids, LINKS)


# Whose lists a provider's pages are: the listings it owns, or those it delivers as a partner.
_OWNED = ("credentials c", "c.provider_id")
_DELIVERED = ("credentials c join credential_partners cp on cp.credential_id = c.id", "cp.provider_id")


async def provider_pages(
    db: Executor, provider_ids: Sequence[UUID], viewer: Visibility, first: int, after: Key | None
) -> dict[UUID, Page[Credential]]:
    """One page of each provider's listed credentials, newest first, in one statement
    (published ones, plus drafts for the provider itself and operators)."""
    return await _pages(db, _OWNED, provider_ids, viewer, first, after)


async def delivered_pages(
    db: Executor, provider_ids: Sequence[UUID], viewer: Visibility, first: int, after: Key | None
) -> dict[UUID, Page[Credential]]:
    """One page of the listings each provider delivers as another's partner, newest first
    (published ones, plus drafts for their owner and operators)."""
    return await _pages(db, _DELIVERED, provider_ids, viewer, first, after)


async def provider_counts(db: Executor, provider_ids: Sequence[UUID], viewer: Visibility) -> dict[UUID, int]:
    """How many listed credentials each provider has."""
    return await _counts(db, _OWNED, provider_ids, viewer)


async def delivered_counts(db: Executor, provider_ids: Sequence[UUID], viewer: Visibility) -> dict[UUID, int]:
    """How many listed credentials each provider delivers as another's partner."""
    return await _counts(db, _DELIVERED, provider_ids, viewer)


async def _pages(
    db: Executor,
    lists: tuple[str, str],
    provider_ids: Sequence[UUID],
    viewer: Visibility,
    first: int,
    after: Key | None,
) -> dict[UUID, Page[Credential]]:
    from_sql, owner_sql = lists
    params = Params(list(provider_ids))
    return await fetch_pages_per_owner(
        db,
        owners=provider_ids,
        owner_sql=owner_sql,
        owner_key="list_owner",
        columns=f"{COLUMNS}, {owner_sql} as list_owner",
        from_sql=from_sql,
        where=visible_in_lists(params, viewer, PROVIDER_PAGE_STATUSES),
        params=params.values,
        sort_sql=NEWEST_SQL,
        sort_type="float8",
        id_sql="c.id",
        first=first,
        after=after,
        build=build,
    )


async def _counts(
    db: Executor, lists: tuple[str, str], provider_ids: Sequence[UUID], viewer: Visibility
) -> dict[UUID, int]:
    from_sql, owner_sql = lists
    params = Params(list(provider_ids))
    rows = await db.fetch(
        f"select {owner_sql} as list_owner, count(*) as n from {from_sql} where {owner_sql} = any($1::uuid[])"
        f" and {visible_in_lists(params, viewer, PROVIDER_PAGE_STATUSES)} group by {owner_sql}",
        *params.values,
    )
    counts = {row["list_owner"]: row["n"] for row in rows}
    return {pid: counts.get(pid, 0) for pid in provider_ids}


def _version(row: Mapping[str, Any]) -> CredentialVersion:
    return CredentialVersion(
        row["credential_id"], row["version"], row["kind"], row["changed_at"], row["actor"], row["snapshot"], row["note"]
    )


# A listing's versions, newest first. Versions are unique per listing, so the listing's own ID
# breaks no ties: it just fills the keyset key.
_HISTORY_SORT = "(-v.version)::float8"
_HISTORY_FROM = "credential_versions v join credentials c on c.id = v.credential_id"


def _history_columns(params: Params, viewer: Visibility) -> str:
    """A version as the viewer may see it: who made it only for the owner and operators."""
    owner = sees_all_of(params, viewer)
    return (
        f"v.credential_id, v.version, v.kind::text as kind, v.changed_at,"
        f" case when {owner} then v.actor else {public_actor('v.actor')} end as actor, v.snapshot, v.note"
    )


async def history_pages(
    db: Executor, credential_ids: Sequence[UUID], viewer: Visibility, first: int, after: Key | None
) -> dict[UUID, Page[CredentialVersion]]:
    """One page of each listing's history the viewer may see, newest version first, in one
    statement: from the first publication on for the public, with who made each change only
    for the owner and operators."""
    params = Params(list(credential_ids))
    return await fetch_pages_per_owner(
        db,
        owners=credential_ids,
        owner_sql="v.credential_id",
        owner_key="credential_id",
        columns=_history_columns(params, viewer),
        from_sql=_HISTORY_FROM,
        where=entry_visible(params, viewer, "v.listed"),
        params=params.values,
        sort_sql=_HISTORY_SORT,
        sort_type="float8",
        id_sql="v.credential_id",
        first=first,
        after=after,
        build=_version,
    )


def history_first_page(params: Params, viewer: Visibility, first: int) -> Nested[Mapping[str, Any]]:
    """The rows of the first page of ``first`` versions (and one more, to tell whether more
    follow) of a listing, as :func:`history_page` turns into the page ``history_pages`` gives."""
    return Nested(
        f"{_history_columns(params, viewer)}, {_HISTORY_SORT} as _sort",
        f"from {_HISTORY_FROM} where v.credential_id = {OWNER} and {entry_visible(params, viewer, 'v.listed')}"
        f" order by {_HISTORY_SORT}, v.credential_id limit {int(first) + 1}",
        dict,
    )


def history_page(rows: Sequence[Mapping[str, Any]], first: int) -> Page[CredentialVersion]:
    """The page of history made of the rows of :func:`history_first_page`."""
    return page_from_rows(rows, first, _version, "credential_id")


def history_count(params: Params, viewer: Visibility, owner: str) -> str:
    """SQL of how many versions of listing ``owner`` the viewer may see."""
    return (
        f"(select count(*) from {_HISTORY_FROM} where v.credential_id = {owner}"
        f" and {entry_visible(params, viewer, 'v.listed')})"
    )


async def history_counts(db: Executor, credential_ids: Sequence[UUID], viewer: Visibility) -> dict[UUID, int]:
    """How many versions of each listing the viewer may see."""
    params = Params(list(credential_ids))
    rows = await db.fetch(
        f"select _owner.id, {history_count(params, viewer, '_owner.id')} as n from unnest($1::uuid[]) as _owner(id)",
        *params.values,
    )
    return {row["id"]: row["n"] for row in rows}


async def any_exist(db: Executor) -> bool:
    """Whether the registry holds any listing at all (an empty one gets demo data)."""
    found: bool = await db.fetchval("select exists (select 1 from credentials)")
    return found
