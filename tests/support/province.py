"""Another registry for federation tests: a real `microcred serve` on a second database with
generated listings, and what a portal sees of a registry, to compare a mirror with its source."""

from __future__ import annotations

import dataclasses

import pytest

from registry.config import Settings
from registry.db import Database, connect
from registry.services.seeding import seed
from tests.support.processes import Served, process_env, serve_process

# What a portal sees of every public listing: compared between the source and the mirror.
PUBLIC_LISTINGS = """
select p.slug, c.external_id, c.status::text, c.title, c.description, c.learning_outcomes, c.workload_hours,
       c.delivery_mode::text, c.regions, c.languages, c.cost_amount, c.ce_ctid, c.keywords, c.prerequisites,
       array(select s.code from credential_skills cs join skills s on s.id = cs.skill_id
              where cs.credential_id = c.id order by cs.position) as skills,
       array(select o.code from credential_occupations co join occupations o on o.id = co.occupation_id
              where co.credential_id = c.id order by co.position) as occupations
  from credentials c join providers p on p.id = c.provider_id
 where c.published_at is not null order by 1, 2
"""
PUBLIC_RECOGNITIONS = """
select p.slug, c.external_id, a.slug as authority, r.kind::text, r.valid_from, r.valid_until, r.note,
       r.revoked_at is not null as revoked
  from recognitions r join credentials c on c.id = r.credential_id join providers p on p.id = c.provider_id
  join recognition_authorities a on a.id = r.authority_id
 where c.published_at is not null order by 1, 2, 3, 4, 5
"""


PUBLIC_PARTIES = """
select 'provider', p.slug, p.name, p.kind::text, p.jurisdiction, p.website from providers p
 where exists (select 1 from credentials c where c.provider_id = p.id and c.published_at is not null)
union all
select 'authority', a.slug, a.name, a.kind::text, a.jurisdiction, a.website from recognition_authorities a
 where exists (select 1 from recognitions r join credentials c on c.id = r.credential_id
                where r.authority_id = a.id and c.published_at is not null)
order by 1, 2
"""


async def public_view(db: Database) -> tuple[list, ...]:
    """(listings, recognitions, providers and authorities) a registry shows the public, as rows."""
    return tuple(
        [[tuple(row) for row in await db.fetch(sql)] for sql in (PUBLIC_LISTINGS, PUBLIC_RECOGNITIONS, PUBLIC_PARTIES)]
    )


@pytest.fixture
async def province(other_db_dsn):
    """Another registry, with generated listings (some retired, some recognised), serving."""
    pool = await connect(other_db_dsn, Settings(), min_size=1, max_size=2)
    await seed(pool, 60, seed=7)
    # Generated listings are loaded in bulk, past the publishing rules; a registry's own are not.
    await pool.execute("update credentials set level_reason = 'No framework applies.' where level_framework is null")
    try:
        with serve_process(process_env(DATABASE_URL=other_db_dsn), "--no-demo") as served:
            yield Province(pool, served, other_db_dsn)
    finally:
        await pool.close()


@dataclasses.dataclass
class Province:
    """The other registry: its database (a pool), its serving process, its DSN."""

    db: Database
    served: Served
    dsn: str

    @property
    def graphql(self) -> str:
        return f"{self.served.base}/graphql"
