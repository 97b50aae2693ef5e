"""The database guards the data itself: a bad row is refused whoever writes it."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from registry.services.seeding import seed


@pytest.fixture
async def listing(db):
    await seed(db, 3, seed=5)
    return await db.fetchrow("select id, provider_id from credentials limit 1")


BAD_UPDATES = {
    "not an http(s) url": "url = 'ftp://files.example.ca'",
    "ctid changed": "ce_ctid = 'ce-11111111-2222-4333-8444-555555555555'",
    "ctid malformed": "ce_ctid = 'ce-x'",
    "published without a workload": "status = 'PUBLISHED', published_at = now(), workload_hours = null",
    "negative workload": "workload_hours = -1",
    "negative cost": "cost_amount = -5, cost_currency = 'CAD'",
    "cost without currency": "cost_amount = 10, cost_currency = null",
    "bad currency": "cost_amount = 10, cost_currency = 'dollars'",
    "bad region": "regions = array['Ontario']",
    "bad language": "languages = array['english!']",
    "empty title": "title = '{}'::jsonb",
    "title not a language map": 'title = \'{"english": "x"}\'::jsonb',
    "blank translation": 'title = \'{"en": "  "}\'::jsonb',
    "outcomes not a list": 'learning_outcomes = \'{"en": "x"}\'::jsonb',
    "level without framework": "level_framework = null, level_value = '5'",
    "published without date": "status = 'PUBLISHED', published_at = null",
    "retired without date": "status = 'RETIRED', retired_at = null",
    "unknown status": "status = 'ARCHIVED'",
    "ects out of range": "ects_credits = 1000",
}


@pytest.mark.parametrize("name", list(BAD_UPDATES))
async def test_bad_values_are_refused(db, listing, name):
    with pytest.raises(
        (asyncpg.CheckViolationError, asyncpg.NotNullViolationError, asyncpg.InvalidTextRepresentationError)
    ):
        await db.execute(f"update credentials set {BAD_UPDATES[name]} where id = $1", listing["id"])


async def test_external_ids_are_unique_per_provider(db, listing):
    external = await db.fetchval("select external_id from credentials where id = $1", listing["id"])
    with pytest.raises(asyncpg.UniqueViolationError):
        await db.execute(
            "insert into credentials (provider_id, external_id, title, workload_hours, delivery_mode, pace,"
            " assessment, url) values ($1, $2, '{\"en\": \"Copy\"}', 10, 'ONLINE', 'SCHEDULED', 'EXAM',"
            " 'https://example.ca')",
            listing["provider_id"],
            external,
        )


async def test_a_new_listing_without_a_ctid_is_given_its_own(db, listing):
    made = await db.fetchrow(
        "insert into credentials (provider_id, title, url) values ($1, '{\"en\": \"Draft\"}', 'https://example.ca')"
        " returning id, ce_ctid",
        listing["provider_id"],
    )
    assert made["ce_ctid"] == f"ce-{made['id']}"


async def test_two_listings_never_share_a_ctid(db, listing):
    ctid = await db.fetchval("select ce_ctid from credentials where id = $1", listing["id"])
    with pytest.raises(asyncpg.UniqueViolationError):
        await db.execute(
            'insert into credentials (provider_id, title, url, ce_ctid) values ($1, \'{"en": "Copy"}\','
            " 'https://example.ca', $2)",
            listing["provider_id"],
            ctid,
        )


async def test_listings_are_never_deleted(db, listing):
    with pytest.raises(asyncpg.RestrictViolationError):
        await db.execute("delete from credentials where id = $1", listing["id"])


async def test_history_and_change_feed_are_append_only(db, listing):
    with pytest.raises(asyncpg.RestrictViolationError):
        await db.execute(
            "update credential_versions set actor = 'someone else' where credential_id = $1", listing["id"]
        )
    with pytest.raises(asyncpg.RestrictViolationError):
        await db.execute("delete from changes where credential_id = $1", listing["id"])


async def test_links_cannot_point_at_themselves_or_nowhere(db, listing):
    with pytest.raises(asyncpg.CheckViolationError):
        await db.execute(
            "insert into credential_links (from_id, to_id, kind) values ($1, $1, 'PART_OF')", listing["id"]
        )
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await db.execute(
            "insert into credential_links (from_id, to_id, kind) values ($1, $2, 'PART_OF')",
            listing["id"],
            uuid.uuid4(),
        )


async def test_recognitions_cannot_end_before_they_start(db, listing):
    authority = await db.fetchval("select id from recognition_authorities limit 1")
    with pytest.raises(asyncpg.CheckViolationError):
        await db.execute(
            "insert into recognitions (credential_id, authority_id, kind, valid_from, valid_until)"
            " values ($1, $2, 'ENDORSED', '2026-05-01', '2026-04-01')",
            listing["id"],
            authority,
        )
