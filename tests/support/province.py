"""Another registry for federation tests: a second database with generated listings, served
over real HTTP, and what a portal sees of a registry, to compare a mirror with its source."""

from __future__ import annotations

import dataclasses

import pytest

from registry.config import Settings
from registry.db import Database, connect
from registry.services.seeding import seed
from tests.support.databases import RUN, clone, drop, next_name
from tests.support.threaded_server import serving_in_thread

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


@pytest.fixture(scope="session")
async def province_template(server_dsn, template_dsn):
    """The other registry's database as every test starts it (cloned per test): generated
    listings, some retired, some recognised."""
    name = f"{RUN}_province"
    pool = await connect(await clone(server_dsn, name), Settings(), min_size=1, max_size=2)
    try:
        await seed(pool, 60, seed=7)
        # Generated listings are loaded in bulk, past the publishing rules; a registry's own are not.
        await pool.execute(
            "update credentials set level_reason = 'No framework applies.' where level_framework is null"
        )
    finally:
        await pool.close()
    yield name
    await drop(server_dsn, name)


@pytest.fixture
async def province_dsn(server_dsn, province_template):
    """A fresh copy of the other registry's database for one test."""
    name = next_name()
    yield await clone(server_dsn, name, template=province_template)
    await drop(server_dsn, name)


@pytest.fixture
async def province(province_dsn):
    """Another registry, with generated listings (some retired, some recognised), serving."""
    pool = await connect(province_dsn, Settings(), min_size=1, max_size=2)
    try:
        with serving_in_thread(province_dsn) as base:
            yield Province(pool, base, province_dsn)
    finally:
        await pool.close()


@dataclasses.dataclass
class Province:
    """The other registry: its database (a pool), the base URL it serves at, its DSN."""

    db: Database
    base: str
    dsn: str

    @property
    def graphql(self) -> str:
        return f"{self.base}/graphql"
