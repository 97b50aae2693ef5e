"""Harvesting a provider's own file: fetched conditionally, written like an import, retired
only after two runs without it, never half-applied when the source fails."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pytest

from registry.config import Settings
from registry.db import connect
from registry.domain.harvesting import Limits
from registry.domain.principals import operator
from registry.domain.search import PUBLIC
from registry.interop import csv_listings
from registry.services import harvesting, importing, listings, submission
from registry.services.export import export_lines
from registry.services.seeding import seed
from registry.store import changes, harvest_sources, providers
from registry.store.visibility import public_actor
from tests.support.apps import SETTINGS
from tests.support.file_server import file_server
from tests.support.harvest_files import LOOPBACK
from tests.support.harvest_files import listings_csv as _csv

OPERATOR = operator("test")


@pytest.fixture
async def site(db):
    await seed(db, 0)  # the skills the template names
    await providers.create(db, slug="lakeside", name={"en": "Lakeside College"}, kind="COLLEGE", jurisdiction="CA-MB")
    with file_server() as served:
        served.files["/listings.csv"] = _csv("A-1", "A-2", "A-3")
        yield served


async def _source(db, site, **options):
    added = await harvesting.add(
        db, OPERATOR, LOOPBACK, kind="CSV", url=site.url("/listings.csv"), provider_slug="lakeside", **options
    )
    assert added.ok, added.problems
    return added.value


async def _run(db, source, **options):
    async with httpx.AsyncClient() as http:
        return await harvesting.run(db, LOOPBACK, source.id, http, **options)


async def _statuses(db) -> dict[str, str]:
    rows = await db.fetch("select external_id, status::text from credentials order by external_id")
    return {row["external_id"]: row["status"] for row in rows}


async def test_a_provider_s_file_is_harvested_published_and_its_source_recorded(db, site):
    source = await _source(db, site)
    run = await _run(db, source)
    assert (run.succeeded, run.created, run.failed) == (True, 3, 0)
    assert await _statuses(db) == {"A-1": "PUBLISHED", "A-2": "PUBLISHED", "A-3": "PUBLISHED"}
    assert await db.fetchval("select count(*) from listing_sources where source_id = $1", source.id) == 3


async def test_an_unchanged_source_costs_one_conditional_request_and_changes_nothing(db, site):
    source = await _source(db, site)
    await _run(db, source)
    versions = await db.fetchval("select count(*) from credential_versions")
    run = await _run(db, source)
    assert (run.succeeded, run.not_modified, run.created, run.updated) == (True, True, 0, 0)
    assert site.answers[-1] == 304  # If-None-Match sent, Not Modified answered
    assert await db.fetchval("select count(*) from credential_versions") == versions


async def test_a_changed_row_updates_its_listing(db, site):
    source = await _source(db, site)
    await _run(db, source)
    site.files["/listings.csv"] = _csv("A-1", "A-2", "A-3", title="Applied Data Analysis")
    run = await _run(db, source)
    assert (run.updated, run.created) == (3, 0)
    assert await db.fetchval("select title->>'en' from credentials where external_id = 'A-1'") == (
        "Applied Data Analysis A-1"
    )


async def test_a_listing_missing_from_two_successful_runs_in_a_row_is_retired_not_after_one(db, site):
    source = await _source(db, site)
    await _run(db, source)
    site.files["/listings.csv"] = _csv("A-1", "A-2")
    assert (await _run(db, source)).retired == 0
    assert (await _statuses(db))["A-3"] == "PUBLISHED"
    site.files["/listings.csv"] = _csv("A-1", "A-2", "A-4")  # changed again, still without A-3
    run = await _run(db, source)
    assert (run.retired, run.created) == (1, 1)
    assert (await _statuses(db))["A-3"] == "RETIRED"


async def test_a_failing_source_retires_nothing_and_records_why(db, site):
    source = await _source(db, site)
    await _run(db, source)
    site.files["/listings.csv"] = _csv("A-1")
    await _run(db, source)  # missed once
    site.statuses["/listings.csv"] = 503
    failed = await _run(db, source)
    assert failed.succeeded is False and "503" in failed.problems[0]["message"]
    del site.statuses["/listings.csv"]
    site.files["/listings.csv"] = _csv("A-1", "A-2")  # A-2 back: its count starts again
    run = await _run(db, source)
    assert run.retired == 1
    assert await _statuses(db) == {"A-1": "PUBLISHED", "A-2": "PUBLISHED", "A-3": "RETIRED"}


async def test_a_source_over_the_size_limit_fails_and_writes_nothing(db, site):
    source = await _source(db, site)
    run = await _run(db, source, limits=Limits(max_bytes=100))
    assert run.succeeded is False and "larger than 100 bytes" in run.problems[0]["message"]
    assert await _statuses(db) == {}


async def test_a_source_with_more_listings_than_the_limit_fails_and_writes_nothing(db, site):
    source = await _source(db, site)
    run = await _run(db, source, limits=Limits(max_objects=2))
    assert run.succeeded is False and await _statuses(db) == {}


async def test_a_direct_write_to_a_harvested_listing_is_refused_with_the_source_named(db, site):
    source = await _source(db, site)
    await _run(db, source)
    listing_id = await db.fetchval("select id from credentials where external_id = 'A-1'")
    retired = await listings.retire(db, OPERATOR, listing_id, "test")
    assert [p.code for p in retired.problems] == ["HARVESTED"] and source.url in retired.problems[0].message
    provider_id = await db.fetchval("select id from providers where slug = 'lakeside'")
    item = submission.Item(0, csv_listings.read(io.StringIO(_csv("A-1").decode()))[1].__next__().changes)
    await submission.submit(db, provider_id, [item], actor="test", publish=False)
    assert [p.code for p in item.problems] == ["HARVESTED"]


async def test_a_detached_listing_is_written_here_and_its_source_no_longer_changes_or_retires_it(db, site):
    source = await _source(db, site)
    await _run(db, source)
    listing_id = await db.fetchval("select id from credentials where external_id = 'A-1'")
    assert (await harvesting.detach(db, OPERATOR, listing_id)).ok
    assert (await listings.retire(db, OPERATOR, listing_id, "Now kept by hand")).ok  # written here now
    site.files["/listings.csv"] = _csv("A-1", "A-2", "A-3", title="Renamed")
    run = await _run(db, source)
    assert (run.updated, run.unchanged, run.failed) == (2, 1, 0) and [p["code"] for p in run.problems] == ["DETACHED"]
    site.files["/listings.csv"] = _csv("A-2", "A-3")
    await _run(db, source)
    await _run(db, source)
    kinds = await db.fetch(
        "select kind::text from credential_versions where credential_id = $1 order by version", listing_id
    )
    assert [row["kind"] for row in kinds] == ["CREATED", "PUBLISHED", "RETIRED"]  # nothing by the source since


async def test_only_a_harvested_listing_can_be_detached(db, site):
    await seed(db, 1)
    written_here = await db.fetchval("select id from credentials limit 1")
    detached = await harvesting.detach(db, OPERATOR, written_here)
    assert [p.code for p in detached.problems] == ["NOT_HARVESTED"]


async def test_a_disabled_source_is_not_run_by_workers_until_enabled_again(db, site):
    source = await _source(db, site)
    assert (await harvesting.set_enabled(db, OPERATOR, source.id, False)).ok
    assert await harvesting.run_due(db, LOOPBACK) == 0
    assert (await harvesting.set_enabled(db, OPERATOR, source.id, True)).ok
    assert await harvesting.run_due(db, LOOPBACK) == 1


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://registry.example.ca/listings.csv", "INSECURE_URL"),
        ("https://10.0.0.5/listings.csv", "FORBIDDEN_ADDRESS"),
        ("https://169.254.169.254/latest", "FORBIDDEN_ADDRESS"),
    ],
)
async def test_a_source_must_be_https_on_a_public_address(db, site, url, code):
    added = await harvesting.add(db, OPERATOR, SETTINGS, kind="CSV", url=url, provider_slug="lakeside")
    assert code in [p.code for p in added.problems]


async def test_a_file_source_names_its_provider(db, site):
    added = await harvesting.add(db, OPERATOR, LOOPBACK, kind="CSV", url=site.url("/x.csv"), provider_slug=None)
    assert [p.code for p in added.problems] == ["PROVIDER_REQUIRED"]


async def test_a_due_source_is_run_by_one_worker_and_then_waits_for_its_interval(db, site):
    source = await _source(db, site, every_minutes=60)
    async with httpx.AsyncClient() as http:
        seen_due = await harvest_sources.due(db)  # one worker reads the due list...
        assert seen_due == [source.id]
        assert await harvesting.run_due(db, LOOPBACK) == 1  # ...another runs the source meanwhile
        assert await harvesting.run(db, LOOPBACK, seen_due[0], http, only_if_due=True) is None
        assert await harvesting.run_due(db, LOOPBACK) == 0  # not due for another hour
    assert await db.fetchval("select count(*) from harvest_runs") == 1


CREDENTIAL_ENGINE_EXAMPLES = Path(__file__).resolve().parents[1] / "interop" / "fixtures" / "credential_engine"


@pytest.mark.parametrize(
    "name", sorted(p.name for p in CREDENTIAL_ENGINE_EXAMPLES.glob("*.json") if not p.name.startswith("Organization"))
)
async def test_a_credential_engine_example_published_on_a_provider_s_site_is_harvested(db, site, name):
    # Credential Engine's own published examples, served as a provider would serve its CTDL.
    document = (CREDENTIAL_ENGINE_EXAMPLES / name).read_bytes()
    site.files["/ctdl.json"] = document
    added = await harvesting.add(
        db, OPERATOR, LOOPBACK, kind="CTDL", url=site.url("/ctdl.json"), provider_slug="lakeside"
    )
    run = await _run(db, added.value)
    assert (run.succeeded, run.created, run.failed) == (True, 1, 0), run.problems
    ctid = next(n for n in json.loads(document).get("@graph", [json.loads(document)]) if "ceterms:ctid" in n)
    assert await db.fetchval("select count(*) from credentials where ce_ctid = $1", ctid["ceterms:ctid"]) == 1
    assert (await _run(db, added.value)).not_modified


async def test_a_listing_s_history_names_the_harvest_run_that_changed_it_to_everyone(db, site):
    source = await _source(db, site)
    run = await _run(db, source)
    public = await db.fetch(f"select distinct {public_actor('v.actor')} as actor from credential_versions v")
    assert [row["actor"] for row in public] == [f"harvest:{run.id}"]


@pytest.mark.parametrize(
    "bodies",
    [
        (b"<html><body>Service unavailable</body></html>", b"<html><body>Down for maintenance</body></html>"),
        (b"", b"\n"),
        (b'{"@graph": [{"@type": "ceterms:Certificate"', b'{"@graph": ['),
    ],
    ids=["an error page", "empty", "truncated"],
)
async def test_a_source_that_answers_200_with_nothing_readable_twice_retires_nothing(db, site, bodies):
    source = await _source(db, site)
    await _run(db, source)
    for body in bodies:
        site.files["/listings.csv"] = body
        run = await _run(db, source)
        assert run.succeeded is False and run.retired == 0
    assert set((await _statuses(db)).values()) == {"PUBLISHED"}


async def test_a_source_that_cannot_be_parsed_is_a_failed_run_on_record(db, site):
    source = await _source(db, site)
    site.files["/listings.csv"] = _csv("A-1").replace(b"Data Analysis", b"x" * 200_000)
    run = await _run(db, source)
    assert run.succeeded is False and run.finished_at is not None
    assert "could not be read" in run.problems[0]["message"]


async def test_a_redirect_is_a_failed_run_not_followed(db, site):
    source = await _source(db, site)
    site.statuses["/listings.csv"] = 302
    run = await _run(db, source)
    assert run.succeeded is False and "302" in run.problems[0]["message"]


async def test_listings_are_their_source_s_from_the_transaction_that_writes_them(db, site):
    source = await _source(db, site)
    provider_id = await db.fetchval("select id from providers where slug = 'lakeside'")

    def rows():
        return csv_listings.read(io.StringIO(_csv("A-1").decode()))[1]

    await importing.import_rows(
        db, provider_id, rows(), unknown_columns=[], publish=False, dry_run=False, describe=str, source=source.id
    )
    # The run has not recorded what it read yet: the listing is the source's all the same.
    item = submission.Item(0, next(rows()).changes)
    await submission.submit(db, provider_id, [item], actor="test", publish=False)
    assert [p.code for p in item.problems] == ["HARVESTED"]


async def test_the_change_feed_announces_harvested_listings_like_any_other(db, site):
    source = await _source(db, site)
    await _run(db, source)
    site.files["/listings.csv"] = _csv("A-1", "A-2")
    await _run(db, source)
    site.files["/listings.csv"] = _csv("A-1", "A-2", "A-5")
    await _run(db, source)
    found, _ = await changes.read(db, after=None, first=100, viewer=PUBLIC)
    # The public sees a listing's changes from its publication on (its creation as a draft is its provider's).
    assert sorted(change.kind for change in found) == ["PUBLISHED"] * 4 + ["RETIRED"]


async def test_a_provider_s_json_lines_in_the_registry_s_own_export_form_are_harvested(db, site, other_db_dsn):
    elsewhere = await connect(other_db_dsn, Settings(), min_size=1, max_size=2)
    try:
        await seed(elsewhere, 4, seed=3)
        lines = [line async for line in export_lines(elsewhere, jurisdiction=None, updated_since=None)]
    finally:
        await elsewhere.close()
    site.files["/listings.jsonl"] = b"".join(lines)
    added = await harvesting.add(
        db, OPERATOR, LOOPBACK, kind="JSONL", url=site.url("/listings.jsonl"), provider_slug="lakeside"
    )
    run = await _run(db, added.value)
    assert (run.succeeded, run.created, run.failed) == (True, len(lines), 0), run.problems
    assert (await _run(db, added.value)).not_modified
