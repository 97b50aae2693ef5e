"""Writing listings: create, update, status changes, each leaving a version."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Sequence
from uuid import UUID

from registry.db import Executor
from registry.domain.listings import ListingChanges
from registry.domain.records import Credential
from registry.store import credentials
from registry.store.history import record_change
from registry.store.sql import fetch_one

# The listing's own columns a change may set: every field of ListingChanges but the tags and
# the delivery partners, which live in tables of their own.
_FIELDS = [
    f.name for f in fields(ListingChanges) if f.name not in ("skill_ids", "occupation_codes", "offered_by_provider_ids")
]
_COLUMNS = [credentials.column(name) for name in _FIELDS]


class VersionConflict(Exception):
    """The listing changed since the version the writer read."""

    def __init__(self, current_version: int) -> None:
        super().__init__(f"current version is {current_version}")
        self.current_version = current_version


async def lock(db: Executor, credential_id: UUID) -> Credential | None:
    """The listing, locked until the transaction ends (so checks and writes see the same row)."""
    row = await db.fetchrow(
        f"select {credentials.COLUMNS} from credentials c where c.id = $1 for update", credential_id
    )
    return credentials.build(row) if row else None


async def unknown_skills(db: Executor, skill_ids: Sequence[UUID]) -> list[UUID]:
    """The skill IDs that name no skill."""
    known = {r["id"] for r in await db.fetch("select id from skills where id = any($1::uuid[])", list(skill_ids))}
    return [s for s in skill_ids if s not in known]


async def known_providers(db: Executor, provider_ids: Sequence[UUID]) -> set[UUID]:
    """Which of these IDs name a provider."""
    rows = await db.fetch("select id from providers where id = any($1::uuid[])", list(provider_ids))
    return {row["id"] for row in rows}


async def occupations_by_code(db: Executor, codes: Sequence[str]) -> dict[str, UUID]:
    """Occupation IDs by code (NOC 2021 first when several schemes share a code)."""
    rows = await db.fetch(
        "select distinct on (code) code, id from occupations where code = any($1::text[])"
        " order by code, scheme <> 'NOC2021', scheme",
        list(codes),
    )
    return {r["code"]: r["id"] for r in rows}


async def create(
    db: Executor, provider_id: UUID, changes: ListingChanges, occupations: list[UUID], actor: str
) -> Credential:
    """Insert a draft with its skills and occupations; version 1, CREATED."""
    values = _column_values(changes)
    names = ["provider_id", *values]
    placeholders = ", ".join(f"${n}" for n in range(1, len(names) + 1))
    credential_id: UUID = await db.fetchval(
        f"insert into credentials ({', '.join(names)}) values ({placeholders}) returning id",
        provider_id,
        *values.values(),
    )
    await _after_write(db, credential_id, changes, occupations, "CREATED", actor)
    return await _fetch(db, credential_id)


async def update(
    db: Executor,
    credential_id: UUID,
    expected_version: int,
    changes: ListingChanges,
    occupations: list[UUID] | None,
    actor: str,
) -> Credential:
    """Apply ``changes`` if the listing is still at ``expected_version``; else VersionConflict."""
    values = _column_values(changes)
    assignments = [f"{name} = ${n}" for n, name in enumerate(values, start=3)]
    done = await db.fetchval(
        f"update credentials set {', '.join([*assignments, 'version = version + 1', 'updated_at = now()'])}"
        " where id = $1 and version = $2 returning id",
        credential_id,
        expected_version,
        *values.values(),
    )
    if done is None:
        raise VersionConflict(await db.fetchval("select version from credentials where id = $1", credential_id))
    await _after_write(db, credential_id, changes, occupations, "UPDATED", actor)
    return await _fetch(db, credential_id)


async def transfer(db: Executor, credential_id: UUID, provider_id: UUID, actor: str, reason: str) -> Credential:
    """Move a (locked) listing to another provider: a new version of kind TRANSFERRED with
    the reason, everything else of the listing kept (but the new owner as its own partner)."""
    await db.execute(
        "update credentials set provider_id = $2, version = version + 1, updated_at = now() where id = $1",
        credential_id,
        provider_id,
    )
    await db.execute(
        "delete from credential_partners where credential_id = $1 and provider_id = $2", credential_id, provider_id
    )
    await record_change(db, credential_id, "TRANSFERRED", actor, reason)
    return await _fetch(db, credential_id)


async def set_status(db: Executor, credential_id: UUID, status: str, actor: str, note: str | None = None) -> Credential:
    """Publish or retire a (locked) listing; the version goes up and the change is recorded."""
    stamp = {"PUBLISHED": "published_at = now(), retired_at = null", "RETIRED": "retired_at = now()"}[status]
    await db.execute(
        f"update credentials set status = $2, {stamp}, version = version + 1, updated_at = now() where id = $1",
        credential_id,
        status,
    )
    await record_change(db, credential_id, status, actor, note)
    return await _fetch(db, credential_id)


def _column_values(changes: ListingChanges) -> dict[str, Any]:
    given = changes.given()
    return {credentials.column(name): given[name] for name in _FIELDS if name in given}


async def _after_write(
    db: Executor, credential_id: UUID, changes: ListingChanges, occupations: list[UUID] | None, kind: str, actor: str
) -> None:
    if changes.skill_ids is not None:
        await db.execute("delete from credential_skills where credential_id = $1", credential_id)
        await db.execute(
            "insert into credential_skills (credential_id, skill_id, position)"
            " select $1, s.id, s.n - 1 from unnest($2::uuid[]) with ordinality as s(id, n) on conflict do nothing",
            credential_id,
            list(changes.skill_ids),
        )
    if occupations is not None:
        await db.execute("delete from credential_occupations where credential_id = $1", credential_id)
        await db.execute(
            "insert into credential_occupations (credential_id, occupation_id, position)"
            " select $1, o.id, o.n - 1 from unnest($2::uuid[]) with ordinality as o(id, n) on conflict do nothing",
            credential_id,
            occupations,
        )
    if changes.offered_by_provider_ids is not None:
        await replace_partners(db, {credential_id: list(changes.offered_by_provider_ids)})
    await db.execute("select refresh_credential_search($1::uuid[])", [credential_id])
    await record_change(db, credential_id, kind, actor)


async def _fetch(db: Executor, credential_id: UUID) -> Credential:
    row = await fetch_one(db, f"select {credentials.COLUMNS} from credentials c where c.id = $1", credential_id)
    return credentials.build(row)


async def serialize_links(db: Executor) -> None:
    """Take the lock that makes link writes one at a time until the transaction ends: two
    concurrent links could each pass the cycle check and close a cycle together, or lock
    their listings in opposite orders and deadlock."""
    await db.execute("select pg_advisory_xact_lock(hashtext('credential_links'))")


async def links_from(db: Executor, from_id: UUID) -> int:
    """How many links leave the listing."""
    count: int = await db.fetchval("select count(*) from credential_links where from_id = $1", from_id)
    return count


async def link_would_cycle(db: Executor, from_id: UUID, to_id: UUID, kind: str) -> bool:
    """Whether ``to_id`` already reaches ``from_id`` through links of ``kind`` (A part of B part of A)."""
    cycles: bool = await db.fetchval(
        """
        with recursive reach(id) as (
          select $2::uuid
          union
          select l.to_id from credential_links l join reach r on l.from_id = r.id where l.kind = $3::credential_link_kind)
        select exists (select 1 from reach where id = $1)
        """,
        from_id,
        to_id,
        kind,
    )
    return cycles


async def add_link(db: Executor, from_id: UUID, to_id: UUID, kind: str, actor: str) -> tuple[Credential, bool]:
    """Link two listings; the source listing gets a new version. False when the link existed."""
    added = await db.fetchval(
        "insert into credential_links (from_id, to_id, kind) values ($1, $2, $3) on conflict do nothing returning true",
        from_id,
        to_id,
        kind,
    )
    if not added:
        return await _fetch(db, from_id), False
    await db.execute("update credentials set version = version + 1, updated_at = now() where id = $1", from_id)
    # The note names no target: the history is public, the target may be a draft.
    await record_change(db, from_id, "UPDATED", actor, f"{kind} link added")
    return await _fetch(db, from_id), True


# Columns the database fills in when a new listing leaves them out.
_INSERT_DEFAULTS = {
    "credential_type": "'MICRO_CREDENTIAL'::credential_type",
    "description": "'{}'::jsonb",
    "learning_outcomes": "'[]'::jsonb",
    "languages": "'{}'::text[]",
    "regions": "'{}'::text[]",
    "audiences": "'{}'::audience[]",
    "funding_programs": "'{}'::text[]",
    "keywords": "'{}'::jsonb",
    "cost_items": "'[]'::jsonb",
}


def _as_json_row(credential_id: UUID, changes: ListingChanges) -> dict[str, Any]:
    row = {name: value for name, value in _column_values(changes).items()}
    row["id"] = str(credential_id)
    return row


async def insert_many(db: Executor, provider_id: UUID, items: list[tuple[UUID, ListingChanges]]) -> None:
    """Insert new drafts in one statement (skills, search and history are separate bulk steps)."""
    chosen = ", ".join(
        f"coalesce(s.{n}, {_INSERT_DEFAULTS[n]})" if n in _INSERT_DEFAULTS else f"s.{n}" for n in _COLUMNS
    )
    await db.execute(
        f"insert into credentials (id, provider_id, {', '.join(_COLUMNS)})"
        f" select s.id, $2, {chosen} from jsonb_populate_recordset(null::credentials, $1::jsonb) s",
        [_as_json_row(cid, changes) for cid, changes in items],
        provider_id,
    )


async def update_many(db: Executor, items: list[tuple[UUID, ListingChanges]]) -> None:
    """Apply many partial updates in one statement: given fields change, the rest stay."""
    assignments = ", ".join(f"{n} = coalesce(s.{n}, c.{n})" for n in _COLUMNS)
    await db.execute(
        f"update credentials c set {assignments}, version = c.version + 1, updated_at = now()"
        f" from jsonb_populate_recordset(null::credentials, $1::jsonb) s where c.id = s.id",
        [_as_json_row(cid, changes) for cid, changes in items],
    )


async def replace_tags(db: Executor, skills: dict[UUID, list[UUID]], occupations: dict[UUID, list[UUID]]) -> None:
    """Replace the skills and occupations of the listings named as keys, in bulk."""
    for table, column, tags in (
        ("credential_skills", "skill_id", skills),
        ("credential_occupations", "occupation_id", occupations),
    ):
        if not tags:
            continue
        await db.execute(f"delete from {table} where credential_id = any($1::uuid[])", list(tags))
        owners = [owner for owner, values in tags.items() for _ in values]
        values = [value for values in tags.values() for value in values]
        positions = [n for values in tags.values() for n in range(len(values))]
        await db.execute(
            f"insert into {table} (credential_id, {column}, position)"
            f" select * from unnest($1::uuid[], $2::uuid[], $3::int[]) on conflict do nothing",
            owners,
            values,
            positions,
        )


async def replace_partners(db: Executor, partners: dict[UUID, list[UUID]]) -> None:
    """Make the delivery partners of the listings named as keys the lists given, in order."""
    if not partners:
        return
    await db.execute("delete from credential_partners where credential_id = any($1::uuid[])", list(partners))
    await db.execute(
        "insert into credential_partners (credential_id, provider_id, position)"
        " select * from unnest($1::uuid[], $2::uuid[], $3::int[]) on conflict do nothing",
        [owner for owner, providers in partners.items() for _ in providers],
        [provider for providers in partners.values() for provider in providers],
        [n for providers in partners.values() for n in range(len(providers))],
    )


async def publish_many(db: Executor, credential_ids: list[UUID]) -> None:
    """Publish many listings at once (their versions go up; record the change separately)."""
    await db.execute(
        "update credentials set status = 'PUBLISHED', published_at = now(), retired_at = null,"
        " version = version + 1, updated_at = now() where id = any($1::uuid[])",
        credential_ids,
    )


async def refresh_search(db: Executor, credential_ids: list[UUID]) -> None:
    """Recompute the search material of these listings."""
    await db.execute("select refresh_credential_search($1::uuid[])", credential_ids)


async def ids_by_ctid(db: Executor, ctids: Sequence[str]) -> dict[str, UUID]:
    """The listings that hold these CTIDs, by CTID."""
    rows = await db.fetch("select ce_ctid, id from credentials where ce_ctid = any($1::text[])", list(ctids))
    return {row["ce_ctid"]: row["id"] for row in rows}


async def lock_by_external_ids(db: Executor, provider_id: UUID, external_ids: list[str]) -> dict[str, Credential]:
    """A provider's listings with these keys, locked, keyed by external ID."""
    found = await _lock_by(db, provider_id, "external_id", external_ids)
    return {c.external_id: c for c in found if c.external_id is not None}


async def ids_by_external_ids(db: Executor, provider_id: UUID, external_ids: list[str]) -> dict[str, UUID]:
    """The IDs of a provider's listings with these keys (not locked), by key."""
    rows = await db.fetch(
        "select external_id, id from credentials where provider_id = $1 and external_id = any($2::text[])",
        provider_id,
        external_ids,
    )
    return {row["external_id"]: row["id"] for row in rows}


async def retired_external_ids(db: Executor, provider_id: UUID, external_ids: list[str]) -> set[str]:
    """Which of these keys name a retired listing of the provider."""
    rows = await db.fetch(
        "select external_id from credentials where provider_id = $1 and external_id = any($2::text[])"
        " and status = 'RETIRED'",
        provider_id,
        external_ids,
    )
    return {row["external_id"] for row in rows}


async def lock_by_ctids(db: Executor, provider_id: UUID, ctids: list[str]) -> dict[str, Credential]:
    """A provider's listings with these CTIDs, locked, keyed by CTID."""
    return {c.ctid: c for c in await _lock_by(db, provider_id, "ce_ctid", ctids)}


async def _lock_by(db: Executor, provider_id: UUID, column: str, values: list[str]) -> list[Credential]:
    rows = await db.fetch(
        f"select {credentials.COLUMNS} from credentials c where c.provider_id = $1"
        f" and c.{column} = any($2::text[]) for update",
        provider_id,
        values,
    )
    return [credentials.build(row) for row in rows]
