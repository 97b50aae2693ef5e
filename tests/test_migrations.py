"""The Alembic chain goes down to nothing and back up, with data in the database."""

from __future__ import annotations

import asyncpg

from registry import migrate
from registry.config import Settings
from registry.db import connect
from registry.services.seeding import seed

TABLES = {
    "providers",
    "credentials",
    "skills",
    "occupations",
    "credential_skills",
    "credential_occupations",
    "credential_links",
    "recognition_authorities",
    "recognitions",
    "credential_versions",
    "changes",
    "oauth_clients",
    "signing_keys",
    "revoked_tokens",
    "idempotency_keys",
    "webhooks",
    "webhook_deliveries",
    "client_write_positions",
    "rate_buckets",
    "audit_log",
    "persisted_queries",
    "harvest_sources",
    "harvest_runs",
    "listing_sources",
    "harvested_recognitions",
    "offerings",
    "offering_versions",
    "client_grants",
    "credential_partners",
}


async def _tables(dsn: str) -> set[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("select tablename from pg_tables where schemaname = 'public'")
        return {row["tablename"] for row in rows} - {"alembic_version"}
    finally:
        await conn.close()


async def _seed(dsn: str, count: int) -> int:
    db = await connect(dsn, Settings(), min_size=1, max_size=2)
    try:
        return await seed(db, count, seed=3)
    finally:
        await db.close()


async def test_downgrade_to_base_and_upgrade_again_with_data_in_it(db_dsn):
    assert await _seed(db_dsn, 40) == 40
    await migrate.downgrade(db_dsn, "base")
    assert await _tables(db_dsn) == set()
    await migrate.upgrade(db_dsn)
    assert await _tables(db_dsn) == TABLES
    assert await _seed(db_dsn, 40) == 40


async def test_upgrade_is_idempotent(db_dsn):
    await migrate.upgrade(db_dsn)
    assert await _tables(db_dsn) == TABLES


async def test_offerings_written_before_0036_carry_their_listing_s_ordinal_after_it(db_dsn):
    await migrate.downgrade(db_dsn, "0035")
    assert await _seed(db_dsn, 40) == 40
    await migrate.upgrade(db_dsn)
    conn = await asyncpg.connect(db_dsn)
    try:
        offerings = await conn.fetchval("select count(*) from offerings")
        wrong = await conn.fetchval(
            "select count(*) from offerings o join credentials c on c.id = o.credential_id"
            " where o.credential_ordinal is distinct from c.ordinal"
        )
    finally:
        await conn.close()
    assert offerings > 0 and wrong == 0
