"""Reading every published listing in one pass, for the bulk export and its snapshot files."""

from __future__ import annotations

from datetime import datetime
from typing import AsyncIterator, Sequence

import asyncpg

from registry.db import Executor
from registry.store import credentials
from registry.store.facet_changes import Snapshot, unseen, unseen_params
from registry.store.sql import Params, fetch_one


async def published_listings(
    db: Executor, *, jurisdiction: str | None, updated_since: datetime | None, tag_jurisdictions: Sequence[str] = ()
) -> AsyncIterator[asyncpg.Record]:
    """Published listings (oldest change first) with their provider and taxonomy codes, streamed.

    With ``tag_jurisdictions``, each row also has ``jurisdictions``: those of them the listing is
    in (by the database's one definition, ``in_jurisdiction``), so that one pass can fill one
    file per jurisdiction."""
    p = Params()
    conditions = ["c.status = 'PUBLISHED'"]
    if jurisdiction:
        conditions.append(f"in_jurisdiction(pr.jurisdiction, c.regions, {p.add(jurisdiction)})")
    if updated_since:
        conditions.append(f"c.updated_at >= {p.add(updated_since)}::timestamptz")
    tagged = ""
    if tag_jurisdictions:
        tagged = (
            f", array(select j from unnest({p.add(list(tag_jurisdictions))}::text[]) j"
            f" where in_jurisdiction(pr.jurisdiction, c.regions, j)) as jurisdictions"
        )
    sql = f"""
      select {credentials.COLUMNS},
             pr.slug as provider_slug, pr.name as provider_name, pr.jurisdiction as provider_jurisdiction,
             coalesce((select jsonb_agg(jsonb_build_object('scheme', s.scheme, 'code', s.code) order by cs.position)
                         from credential_skills cs join skills s on s.id = cs.skill_id
                        where cs.credential_id = c.id), '[]') as skills,
             coalesce((select jsonb_agg(jsonb_build_object('scheme', o.scheme, 'code', o.code) order by co.position)
                         from credential_occupations co join occupations o on o.id = co.occupation_id
                        where co.credential_id = c.id), '[]') as occupations,
             array(select cp.provider_id from credential_partners cp
                    where cp.credential_id = c.id order by cp.position) as offered_by{tagged}
        from credentials c join providers pr on pr.id = c.provider_id
       where {" and ".join(conditions)}
       order by c.updated_at, c.id
    """
    async for row in db.stream(sql, *p.values):
        yield row


async def snapshot_marks(tx: Executor) -> tuple[tuple[int, int] | None, datetime, str]:
    """In a repeatable-read transaction: the change-feed position (txid, seq) up to which every
    change is in the transaction's snapshot (None when the feed is empty), the time, and the
    snapshot itself (`pg_snapshot` text, for ``changed_since``).

    The position is the feed's own fence (changes of transactions older than the oldest one
    running): whatever the snapshot misses comes after it in the feed, so a reader that follows
    the feed from there misses nothing (and may see a change the snapshot already holds)."""
    row = await fetch_one(
        tx,
        "select (select array[ch.txid::text, ch.seq::text] from changes ch"
        "         where ch.txid < pg_snapshot_xmin(pg_current_snapshot()) order by ch.txid desc, ch.seq desc limit 1)"
        "       as position, now() as at, pg_current_snapshot()::text as snapshot",
    )
    position = (int(row["position"][0]), int(row["position"][1])) if row["position"] else None
    return position, row["at"], row["snapshot"]


async def content_marks(db: Executor) -> str:
    """A summary of the rows export lines are made of that moves with any change to them,
    stamped or not (rows put back by a restore keep their old stamps): how many listings there
    are and the sum of their versions (every write adds one), and a digest of every provider's
    slug, name and jurisdiction."""
    marks: str = await db.fetchval(
        "select (select count(*) || ':' || coalesce(sum(version), 0) from credentials) || ':' ||"
        " (select md5(coalesce(string_agg(concat_ws('|', id, slug, name, jurisdiction), ',' order by id), ''))"
        "    from providers)"
    )
    return marks


async def changed_since(db: Executor, snapshot: str) -> bool:
    """Whether anything an export line holds may differ from what ``snapshot`` (taken by an
    earlier build) saw: a listing or a provider written by a transaction it did not see
    committed (every listing write, its skills, occupations and partners included, writes its
    row), or a server whose transactions are behind it (a physical backup restored). Rows
    written without the stamp (a logical restore) are for ``content_marks`` to see."""
    seen = Snapshot.parse(snapshot)
    p = unseen_params(seen)
    row = await fetch_one(
        db,
        f"select pg_current_snapshot()::text as now,"
        f" exists (select 1 from credentials c where {unseen('c.changed_xid')})"
        f" or exists (select 1 from providers pr where {unseen('pr.changed_xid')}) as changed",
        *p.values,
    )
    return bool(row["changed"]) or not Snapshot.parse(row["now"]).sees_all_of(seen)


async def database_identity(db: Executor) -> tuple[str, int]:
    """(name, oid) of the database: a dropped and re-created database of the same name differs."""
    row = await fetch_one(db, "select datname, oid::bigint as oid from pg_database where datname = current_database()")
    return row["datname"], row["oid"]
