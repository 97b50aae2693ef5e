"""Harvesting another registry: a registry served over HTTP on its own database (a real
`microcred serve` where the process itself matters), followed through its public change feed,
mirrored listing by listing with providers and recognitions."""

from __future__ import annotations

import dataclasses
import json
import signal

import httpx
import pytest

from registry.config import Settings
from registry.db import Database, connect
from registry.domain.harvesting import Limits
from registry.domain.listings import ListingChanges
from registry.domain.principals import operator
from registry.services import harvesting, listings, recognitions, submission
from registry.services.seeding import seed
from registry.store import party_confirmations, providers
from tests.support.apps import SETTINGS
from tests.support.file_server import file_server
from tests.support.listings import gql
from tests.support.parties import access_token
from tests.support.processes import process_env, serve_process
from tests.support.province import public_view as _public
from tests.support.threaded_server import serving_in_thread
from tests.support.webhooks import REGISTER, SECRET, WEBHOOK_SETTINGS, deliver_all

LOOPBACK = dataclasses.replace(SETTINGS, webhooks_allow_loopback=True)
OPERATOR = operator("test")


@pytest.fixture
async def national(db):
    await seed(db, 0)  # the reference parties and the taxonomies, as a registry starts with
    return db


async def _feed(db, province) -> object:
    return await _feed_at(db, province.graphql)


async def _feed_at(db, url: str) -> object:
    added = await harvesting.add(db, OPERATOR, LOOPBACK, kind="MICROCRED_FEED", url=url, provider_slug=None)
    assert added.ok, added.problems
    return added.value


async def _run(db, source, settings=LOOPBACK, **options):
    async with httpx.AsyncClient() as http:
        return await harvesting.run(db, settings, source.id, http, **options)


async def test_a_first_run_mirrors_every_public_listing_and_recognition(national, province):
    run = await _run(national, await _feed(national, province))
    assert run.succeeded and run.failed == 0, run.problems
    assert await _public(national) == await _public(province.db)
    assert run.created > 0 and run.retired > 0  # the source has retired listings: they arrive retired


async def test_an_unchanged_feed_costs_one_request_and_changes_nothing(national, province):
    source = await _feed(national, province)
    await _run(national, source)
    again = await _run(national, source)
    assert (again.succeeded, again.not_modified, again.created, again.updated) == (True, True, 0, 0)


async def test_updates_retirements_and_revocations_at_the_source_arrive(national, province):
    source = await _feed(national, province)
    await _run(national, source)
    published = await province.db.fetch(
        "select id, version from credentials where status = 'PUBLISHED' order by external_id limit 2"
    )
    changed = await listings.update(
        province.db, OPERATOR, published[0]["id"], published[0]["version"], ListingChanges(workload_hours=77.5)
    )
    assert changed.ok, changed.problems
    assert (await listings.retire(province.db, OPERATOR, published[1]["id"], "Replaced")).ok
    recognition = await province.db.fetchval("select id from recognitions where revoked_at is null limit 1")
    assert (await recognitions.revoke(province.db, OPERATOR, recognition, "Review lapsed")).ok
    run = await _run(national, source)
    assert (run.succeeded, run.updated, run.retired, run.failed) == (True, 1, 1, 0), run.problems
    assert await _public(national) == await _public(province.db)


async def test_a_provider_new_here_is_created_and_waits_for_an_operator(national, province):
    source = await _feed(national, province)
    await providers.create(
        province.db, slug="tundra-polytechnic", name={"en": "Tundra Polytechnic"}, kind="COLLEGE", jurisdiction="CA-NU"
    )
    await _publish_one(province.db, "tundra-polytechnic", "TP-1")
    await _run(national, source)
    assert await _public(national) == await _public(province.db)
    waiting = await party_confirmations.pending(national)
    assert [(p.kind, p.slug, p.source_id) for p in waiting] == [("provider", "tundra-polytechnic", source.id)]
    assert await party_confirmations.confirm(national, "provider", "tundra-polytechnic")
    assert await party_confirmations.pending(national) == []


async def test_a_listing_this_registry_would_not_publish_stays_a_draft_and_the_run_says_why(national, province):
    external_id = await province.db.fetchval(
        "update credentials set level_reason = null where id = (select id from credentials"
        " where status = 'PUBLISHED' and level_framework is null order by external_id limit 1) returning external_id"
    )
    run = await _run(national, await _feed(national, province))
    assert (
        await national.fetchval("select status::text from credentials where external_id = $1", external_id) == "DRAFT"
    )
    assert [p["code"] for p in run.problems if p["field"].endswith(".level")] == ["REQUIRED_TO_PUBLISH"]


async def test_a_harvested_listing_says_which_run_changed_it(national, province):
    run = await _run(national, await _feed(national, province))
    actors = {row["actor"] for row in await national.fetch("select distinct actor from credential_versions")}
    assert actors == {f"harvest:{run.id}"}


async def test_a_source_that_goes_down_mid_run_resumes_where_it_stopped(national, province_dsn):
    # The other registry here is a real `microcred serve` process, killed in the middle of the run.
    env = process_env(DATABASE_URL=province_dsn)
    with serve_process(env, "--no-demo") as served:
        source = await _feed_at(national, f"{served.base}/graphql")

        def go_down(done: int) -> None:
            served.process.send_signal(signal.SIGKILL)

        stopped = await _run(national, source, progress=go_down)
    assert stopped.succeeded is False and "could not be reached" in stopped.problems[0]["message"]
    assert stopped.created > 0  # what it applied before the source went down is on its record
    source_db = await connect(province_dsn, Settings(), min_size=1, max_size=1)
    try:
        partly = len((await _public(national))[0])
        assert 0 < partly < len((await _public(source_db))[0])
        with serve_process(env, "--no-demo") as back:
            await national.execute("update harvest_sources set url = $1", f"{back.base}/graphql")
            resumed = await _run(national, source)
        assert resumed.succeeded and resumed.failed == 0, resumed.problems
        assert await _public(national) == await _public(source_db)
    finally:
        await source_db.close()


async def _publish_one(db: Database, provider_slug: str, external_id: str, like: Database | None = None) -> None:
    """Publish a listing in ``db`` with the content of one of ``like``'s (``db``'s when None)."""
    provider = await providers.by_slug(db, provider_slug)
    template = await (like or db).fetchrow("select * from credentials where status = 'PUBLISHED' limit 1")
    changes = ListingChanges(
        external_id=external_id,
        credential_type=template["credential_type"],
        title={"en": f"Northern Logistics {external_id}", "fr": f"Logistique nordique {external_id}"},
        description=template["description"],
        learning_outcomes=list(template["learning_outcomes"]),
        level_framework=template["level_framework"],
        level_value=template["level_value"],
        workload_hours=30.0,
        delivery_mode="ONLINE",
        pace="SELF_PACED",
        languages=["en"],
        regions=["CA-NU"],
        assessment="PROJECT",
        quality_assurance="Territorial review 2026",
        url="https://tundra.example.ca/logistics",
    )
    items = [submission.Item(0, changes, [])]
    await submission.submit(db, provider.id, items, actor="test", publish=True, dry_run=False)
    assert not items[0].problems, items[0].problems


async def test_a_feed_that_does_not_move_on_is_a_failed_run_not_an_endless_one(national):
    stuck = {
        "changes": {
            "events": [{"cursor": "c1", "kind": "CREATED", "credential": {"id": "Q3JlZDox"}}],
            "endCursor": "c1",
            "hasMore": True,
        },
        "nodes": [None],
    }
    with file_server() as site:
        site.files["/graphql"] = json.dumps({"data": stuck}).encode()
        added = await harvesting.add(
            national, OPERATOR, LOOPBACK, kind="MICROCRED_FEED", url=site.url("/graphql"), provider_slug=None
        )
        run = await _run(national, added.value)
    assert run.succeeded is False and "does not move on" in run.problems[0]["message"]
    assert site.answers == [200, 200]  # the changes, then the same changes again


async def test_a_feed_answering_something_else_is_a_failed_run(national):
    with file_server() as site:
        site.files["/graphql"] = b'{"data": {"changes": {"events": "all of them"}}}'
        added = await harvesting.add(
            national, OPERATOR, LOOPBACK, kind="MICROCRED_FEED", url=site.url("/graphql"), provider_slug=None
        )
        run = await _run(national, added.value)
    assert run.succeeded is False and "malformed" in run.problems[0]["message"]


async def test_a_mirrored_listing_s_source_is_its_page_at_the_other_registry(national, province):
    await _run(national, await _feed(national, province))
    pages = [row["url"] for row in await national.fetch("select url from listing_sources order by url limit 3")]
    assert pages and all(page.startswith(f"{province.base}/credentials/") for page in pages)
    async with httpx.AsyncClient() as http:
        answers = [await http.get(page, headers={"accept": "text/html"}) for page in pages]
    assert [answer.status_code for answer in answers] == [200] * len(pages)


async def test_this_registry_s_webhooks_announce_mirrored_changes_like_any_other(
    hook_client, parties, national, province, receiver
):
    admin = await access_token(hook_client, parties.admin)
    registered = await gql(hook_client, REGISTER, {"input": {"url": receiver.url, "secret": SECRET}}, admin)
    assert registered["data"]["registerWebhook"]["userErrors"] == []
    await _run(national, await _feed(national, province), settings=WEBHOOK_SETTINGS)
    await deliver_all(national)
    expected = {f"chg-{row['seq']}" for row in await national.fetch("select seq from changes")}
    assert expected and set(receiver.delivered()) == expected


async def test_a_listing_written_here_is_not_taken_over_by_a_feed(national, province):
    mirrored = await province.db.fetchrow(
        "select p.slug, c.external_id from credentials c join providers p on p.id = c.provider_id"
        " where c.status = 'PUBLISHED' order by c.external_id limit 1"
    )
    await _publish_one(national, mirrored["slug"], mirrored["external_id"], like=province.db)  # the key, written here
    run = await _run(national, await _feed(national, province))
    assert run.failed == 1 and [p["code"] for p in run.problems] == ["WRITTEN_HERE"]
    title = await national.fetchval("select title from credentials where external_id = $1", mirrored["external_id"])
    assert title["en"].startswith("Northern Logistics")  # as written here
    assert (
        await national.fetchval(
            "select count(*) from listing_sources ls join credentials c on c.id ="
            " ls.credential_id where c.external_id = $1",
            mirrored["external_id"],
        )
        == 0
    )


async def test_two_registries_following_each_other_keep_their_own_listings(national, province, db_dsn):
    await _run(national, await _feed(national, province))
    with serving_in_thread(db_dsn) as base:
        back = await harvesting.add(province.db, OPERATOR, LOOPBACK, kind="MICROCRED_FEED", url=f"{base}/graphql")
        run = await _run(province.db, back.value)
    assert (run.succeeded, run.created, run.updated, run.failed) == (True, 0, 0, 0), run.problems
    assert await province.db.fetchval("select count(*) from listing_sources") == 0


async def _static_feed(national, site, answer: dict, **options):
    site.files["/graphql"] = json.dumps({"data": answer}).encode()
    added = await harvesting.add(
        national, OPERATOR, LOOPBACK, kind="MICROCRED_FEED", url=site.url("/graphql"), provider_slug=None
    )
    return await _run(national, added.value, **options)


async def test_a_feed_that_says_there_is_more_and_gives_nothing_is_a_failed_run(national):
    with file_server() as site:
        run = await _static_feed(national, site, {"changes": {"events": [], "endCursor": "c9", "hasMore": True}})
    assert run.succeeded is False and "does not move on" in run.problems[0]["message"]


async def test_a_malformed_listing_fails_alone_and_the_feed_moves_on(national):
    events = [{"cursor": f"c{n}", "kind": "CREATED", "credential": {"id": f"L{n}"}} for n in (1, 2)]
    answer = {"changes": {"events": events, "endCursor": "c2", "hasMore": False}, "nodes": [{"id": 5}, None]}
    with file_server() as site:
        run = await _static_feed(national, site, answer)
    assert (run.succeeded, run.failed) == (True, 2)
    assert sorted(p["code"] for p in run.problems) == ["MALFORMED", "NOT_FOUND"]
    assert await national.fetchval("select cursor from harvest_sources") == "c2"


async def test_a_feed_run_stops_at_its_time_limit(national):
    events = [{"cursor": "c1", "kind": "CREATED", "credential": {"id": "L1"}}]
    answer = {"changes": {"events": events, "endCursor": "c1", "hasMore": False}, "nodes": [None]}
    with file_server() as site:
        run = await _static_feed(national, site, answer, limits=Limits(max_run_seconds=0))
    assert run.succeeded is False and "took longer than 0 s" in run.problems[0]["message"]
