"""Bulk loading: COPY into staging tables, then insert what is new, all in one transaction.

Used by the demo seeder; rows whose key already exists are left as they are, so
loading the same data twice adds nothing.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any, Iterable, Sequence
from uuid import UUID

from registry.db import Executor
from registry.domain.offerings import Offering
from registry.domain.records import (
    Authority,
    Credential,
    CredentialLink,
    Occupation,
    Provider,
    Recognition,
    Skill,
)
from registry.store.credentials import column
from registry.store.history import SNAPSHOTS_SQL
from registry.store.offerings import snapshot as offering_snapshot

# A bulk-loaded listing is a whole Credential record: every field is a column.
CREDENTIAL_FIELDS = [f.name for f in fields(Credential)]
CREDENTIAL_COLUMNS = [column(name) for name in CREDENTIAL_FIELDS]

# A listing's skill or occupation: (credential ID, skill or occupation ID, position).
Tag = tuple[UUID, UUID, int]


async def _stage(db: Executor, table: str, columns: Sequence[str], records: Iterable[Sequence[Any]]) -> str:
    """COPY ``records`` into a temporary copy of ``table``; returns the copy's name."""
    stage = f"stage_{table}"
    # Identity columns (a listing's ordinal) number the staged rows too; the table numbers its own.
    await db.execute(f"create temp table {stage} (like {table} including defaults including identity) on commit drop")
    await db.copy_records(stage, records, columns)
    return stage


def _confirmed(listing: Credential) -> Credential:
    """A listing loaded without a confirmation was last confirmed by its last write."""
    return listing if listing.last_verified_at else replace(listing, last_verified_at=listing.updated_at)


async def _copy_new(db: Executor, table: str, columns: Sequence[str], records: Iterable[Sequence[Any]]) -> None:
    """COPY ``records`` into a staging copy of ``table``, then insert the rows whose keys are new."""
    await _stage(db, table, columns, records)
    await _insert_new(db, table, columns)


async def _insert_new(db: Executor, table: str, columns: Sequence[str]) -> None:
    """Insert the rows of ``table``'s staging copy whose keys are new."""
    names = ", ".join(columns)
    await db.execute(f"insert into {table} ({names}) select {names} from stage_{table} on conflict do nothing")


async def load_reference(
    tx: Executor,
    providers: list[Provider],
    authorities: list[Authority],
    skills: list[Skill],
    occupations: list[Occupation],
) -> None:
    """Insert providers, authorities, skills and occupations that are not there yet (in the
    caller's transaction)."""
    await _copy_new(
        tx,
        "providers",
        ["id", "slug", "name", "kind", "jurisdiction", "website", "created_at", "updated_at"],
        [(p.id, p.slug, p.name, p.kind, p.jurisdiction, p.website, p.created_at, p.updated_at) for p in providers],
    )
    await _copy_new(
        tx,
        "recognition_authorities",
        ["id", "slug", "name", "kind", "jurisdiction", "website"],
        [(a.id, a.slug, a.name, a.kind, a.jurisdiction, a.website) for a in authorities],
    )
    await _copy_new(
        tx, "skills", ["id", "scheme", "code", "label"], [(s.id, s.scheme, s.code, s.label) for s in skills]
    )
    await _copy_new(
        tx,
        "occupations",
        ["id", "scheme", "code", "title", "definition", "example_titles"],
        [(o.id, o.scheme, o.code, o.title, o.definition, o.example_titles or {}) for o in occupations],
    )


async def load_listings(
    tx: Executor,
    actor: str,
    credentials: list[Credential],
    skills: list[Tag],
    occupations: list[Tag],
    links: list[CredentialLink],
    recognitions: list[Recognition],
    offerings: Sequence[Offering] = (),
    partners: Sequence[Tag] = (),
) -> int:
    """Insert listings with their skills, occupations, links, recognitions, offerings and
    delivery partners (``partners``: listing, provider, position) (in the caller's
    transaction); returns how many listings were new. Each new listing gets its versions
    (created, then published, then retired as its status says) and matching change-feed entries."""
    # A bulk load is one long transaction by design; the per-statement limit is for requests.
    await tx.execute("set local statement_timeout = 0")
    before: int = await tx.fetchval("select count(*) from credentials")
    await _stage(
        tx,
        "credentials",
        CREDENTIAL_COLUMNS,
        [tuple(getattr(_confirmed(c), name) for name in CREDENTIAL_FIELDS) for c in credentials],
    )
    skill_columns = ["credential_id", "skill_id", "position"]
    await _stage(tx, "credential_skills", skill_columns, skills)
    await tx.execute(INSERT_STAGED_CREDENTIALS)
    await _insert_new(tx, "credential_skills", skill_columns)
    await _copy_new(tx, "credential_occupations", ["credential_id", "occupation_id", "position"], occupations)
    await _copy_new(
        tx, "credential_links", ["from_id", "to_id", "kind"], [(link.from_id, link.to_id, link.kind) for link in links]
    )
    await _copy_new(tx, "credential_partners", ["credential_id", "provider_id", "position"], partners)
    await _copy_new(
        tx,
        "recognitions",
        [
            "id",
            "credential_id",
            "authority_id",
            "kind",
            "valid_from",
            "valid_until",
            "note",
            "created_at",
            "revoked_at",
            "revoked_reason",
        ],
        [
            (
                r.id,
                r.credential_id,
                r.authority_id,
                r.kind,
                r.valid_from,
                r.valid_until,
                r.note,
                r.created_at,
                r.revoked_at,
                "Revoked by the authority." if r.revoked_at else None,
            )
            for r in recognitions
        ],
    )
    await _record_history(tx, actor, [c.id for c in credentials])
    await _load_offerings(tx, actor, offerings)
    after: int = await tx.fetchval("select count(*) from credentials")
    # Fresh statistics, or the planner keeps planning for the empty tables it last saw.
    await tx.execute(
        "analyze credentials, credential_skills, credential_occupations, credential_links, credential_partners,"
        " recognitions, credential_versions, changes, offerings"
    )
    return after - before


async def settle(db: Executor) -> None:
    """After a bulk load has committed: mark the loaded pages all-visible, so that searches near
    a place answer from the offerings' covering index alone (an index-only scan needs the
    visibility map, which only VACUUM sets; autovacuum gets there eventually, a search just
    after a load should not wait for it: 11 ms of heap visits for Toronto's 1,600 offerings in
    the benchmark's 100,000 listings, 1.7 ms without)."""
    await db.execute("vacuum (analyze) offerings, credentials")


_OFFERING_COLUMNS = [
    "id", "credential_id", "external_id", "start_date", "end_date", "registration_opens", "registration_deadline",
    "delivery_mode", "place_name", "street_address", "municipality", "region", "postal_code", "latitude", "longitude",
    "schedule_timings", "languages", "cost_amount", "cost_currency", "seats_total", "seats_available",
    "availability", "cancelled_at", "cancelled_reason", "version", "created_at", "updated_at",
]  # fmt: skip


async def _load_offerings(tx: Executor, actor: str, offerings: Sequence[Offering]) -> None:
    """Insert offerings not there yet, each with its versions (added, then cancelled as it
    says) and change-feed entries."""
    if not offerings:
        return
    rows = []
    for o in offerings:
        p = o.place
        place = (
            (p.name, p.street_address, p.municipality, p.region, p.postal_code, p.latitude, p.longitude)
            if p
            else (None,) * 7
        )
        cancelled = (o.cancelled_at, "Cancelled by the provider.") if o.cancelled_at else (None, None)
        rows.append(
            (o.id, o.credential_id, o.external_id, o.start_date, o.end_date, o.registration_opens,
             o.registration_deadline, o.delivery_mode, *place, o.schedule_timings, o.languages, o.cost_amount,
             o.cost_currency, o.seats_total, o.seats_available, o.availability, *cancelled, o.version,
             o.created_at, o.updated_at)
        )  # fmt: skip
    await _copy_new(tx, "offerings", _OFFERING_COLUMNS, rows)
    await tx.execute(
        f"""
        with new as (select o.* from offerings o where o.id = any($1::uuid[])
                      and not exists (select 1 from offering_versions v where v.offering_id = o.id)),
        steps as (select n.id, n.credential_id, step.version, step.kind, step.at,
                         {offering_snapshot("n")} as snapshot from new n
                  cross join lateral (values (1, 'OFFERING_ADDED', n.created_at),
                                             (2, 'OFFERING_CANCELLED', n.cancelled_at)) as step(version, kind, at)
                  where step.version <= n.version and step.at is not null),
        versions as (insert into offering_versions (offering_id, version, kind, changed_at, actor, snapshot)
                     select id, version, kind, at, $2, snapshot from steps)
        insert into changes (credential_id, version, kind, offering_id, at, listed)
        select s.credential_id, c.version, s.kind::change_kind, s.id, s.at, c.published_at is not null
          from steps s join credentials c on c.id = s.credential_id order by s.at, s.id, s.version
        """,
        [o.id for o in offerings],
        actor,
    )


# Staged listings go in with their search material computed on the way, from their staged
# skills (an UPDATE pass afterwards would write every row twice).
INSERT_STAGED_CREDENTIALS = f"""
  insert into credentials ({", ".join(CREDENTIAL_COLUMNS)}, search_doc, title_text)
  select {", ".join("s." + name for name in CREDENTIAL_COLUMNS)}, m.doc, m.title_text
    from stage_credentials s
    join providers p on p.id = s.provider_id
    left join (select cs.credential_id, jsonb_agg(k.label order by cs.position) as labels
                 from stage_credential_skills cs join skills k on k.id = cs.skill_id
                group by cs.credential_id) sk on sk.credential_id = s.id
   cross join lateral search_material(s.title, s.description, s.learning_outcomes, s.keywords, p.name,
                                      coalesce(sk.labels, '[]'::jsonb)) m
  on conflict do nothing
"""


async def _record_history(db: Executor, actor: str, ids: list[UUID]) -> None:
    """Versions and change-feed entries for bulk-loaded listings that have none yet."""
    await db.execute(
        f"""
        with snap as materialized ({SNAPSHOTS_SQL})
        insert into credential_versions (credential_id, version, kind, changed_at, actor, snapshot, listed)
        -- A bulk-loaded listing was a draft when created, public from its publication on.
        select c.id, step.version, step.kind::change_kind, step.at, $2, snap.snapshot, step.kind <> 'CREATED'
          from snap join credentials c on c.id = snap.id
         cross join lateral (values (1, 'CREATED', c.created_at),
                                    (2, 'PUBLISHED', c.published_at),
                                    (3, 'RETIRED', c.retired_at)) as step(version, kind, at)
         where step.version <= c.version and step.at is not null
           and not exists (select 1 from credential_versions v where v.credential_id = c.id)
        """,
        ids,
        actor,
    )
    await db.execute(
        """
        insert into changes (credential_id, version, kind, at, listed)
        select v.credential_id, v.version, v.kind, v.changed_at, v.listed from credential_versions v
         where v.credential_id = any($1::uuid[])
           and not exists (select 1 from changes ch where ch.credential_id = v.credential_id)
         order by v.changed_at, v.credential_id, v.version
        """,
        ids,
    )
    await db.execute(
        """
        insert into changes (credential_id, version, kind, recognition_id, at, listed)
        select r.credential_id, c.version, 'RECOGNIZED', r.id, r.created_at, true
          from recognitions r join credentials c on c.id = r.credential_id
         where r.credential_id = any($1::uuid[])
           and not exists (select 1 from changes ch where ch.recognition_id = r.id)
         order by r.created_at, r.id
        """,
        ids,
    )
