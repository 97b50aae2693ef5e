"""The change feed: in order, complete, and never repeating, even with concurrent writers."""

from __future__ import annotations

import asyncio
import random

from registry.store import history
from tests.support.listings import COMPLETE, PUBLISH, create, gql
from tests.support.parties import access_token

FEED = """
query($after: String, $first: Int, $jurisdiction: String, $kinds: [ChangeKind!]) {
  changes(after: $after, first: $first, jurisdiction: $jurisdiction, kinds: $kinds) {
    events { cursor kind version at credential { id status } }
    endCursor hasMore
  }
}
"""


async def drain(client, token=None, after=None, **filters):
    """Poll until the feed has nothing more right now; returns (events, last cursor)."""
    events = []
    while True:
        page = (await gql(client, FEED, {"after": after, "first": 50, **filters}, token))["data"]["changes"]
        events += page["events"]
        after = page["endCursor"]
        if not page["hasMore"]:
            return events, after


async def test_the_public_feed_shows_a_listing_from_its_publication(client, parties):
    token = await access_token(client, parties.provider)
    listing = (await create(client, token, **COMPLETE))["credential"]
    public, cursor = await drain(client)
    assert public == []
    assert cursor is None
    await gql(client, PUBLISH, {"input": {"id": listing["id"]}}, token)
    public, cursor = await drain(client, after=cursor)
    assert [(e["kind"], e["credential"]["id"]) for e in public] == [("PUBLISHED", listing["id"])]
    own, _ = await drain(client, token)
    assert [e["kind"] for e in own] == ["CREATED", "PUBLISHED"]


async def test_polling_with_the_end_cursor_returns_only_new_events(client, parties):
    token = await access_token(client, parties.provider)
    first = (await create(client, token, externalId="F-1", **COMPLETE))["credential"]
    events, cursor = await drain(client, token)
    assert len(events) == 1
    again, same = await drain(client, token, after=cursor)
    assert again == [] and same == cursor
    await gql(client, PUBLISH, {"input": {"id": first["id"]}}, token)
    newer, _ = await drain(client, token, after=cursor)
    assert [e["kind"] for e in newer] == ["PUBLISHED"]


async def test_the_feed_filters_by_jurisdiction_and_kind(client, parties):
    north = await access_token(client, parties.provider)  # CA-ON
    south = await access_token(client, parties.other_provider)  # CA-BC
    for token, region in ((north, "CA-ON"), (south, "CA-BC")):
        listing = (await create(client, token, **{**COMPLETE, "regions": [region]}))["credential"]
        await gql(client, PUBLISH, {"input": {"id": listing["id"]}}, token)
    admin = await access_token(client, parties.admin)
    ontario, _ = await drain(client, admin, jurisdiction="CA-ON")
    assert {e["credential"]["id"] for e in ontario} and all(e["kind"] in {"CREATED", "PUBLISHED"} for e in ontario)
    assert len(ontario) == 2  # north's listing only: created and published
    published, _ = await drain(client, admin, kinds=["PUBLISHED"])
    assert [e["kind"] for e in published] == ["PUBLISHED", "PUBLISHED"]


async def test_bad_cursors_and_sizes_are_refused(client):
    body = await gql(client, FEED, {"after": "nonsense"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await gql(client, FEED, {"first": 5000})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_consumer_polling_during_concurrent_writes_misses_nothing_and_sees_nothing_twice(client, parties, db):
    """Writers whose transactions start in one order and commit in another, while a consumer polls."""
    token = await access_token(client, parties.provider)
    for n in range(4):
        await create(client, token, externalId=f"W-{n}")
    listings = [r["id"] for r in await db.fetch("select id from credentials order by external_id")]
    rng = random.Random(7)
    stop = asyncio.Event()

    async def writer(n: int) -> None:
        for _ in range(15):
            async with db.transaction() as tx:
                # Take a transaction ID and a feed number now, commit a random while later:
                # later numbers often commit first, which is what a naive feed gets wrong.
                await tx.execute("update credentials set version = version + 1 where id = $1", listings[n])
                await history.record_change(tx, listings[n], "UPDATED", f"writer-{n}")
                await tx.execute("select pg_sleep($1)", rng.random() * 0.03)

    seen: list[str] = []

    async def consumer() -> None:
        after = None
        while not stop.is_set():
            events, after = await drain(client, token, after=after)
            seen.extend(e["cursor"] for e in events)
            await asyncio.sleep(0.005)
        events, after = await drain(client, token, after=after)
        seen.extend(e["cursor"] for e in events)

    polling = asyncio.create_task(consumer())
    await asyncio.gather(*(writer(n) for n in range(4)))
    stop.set()
    await polling
    assert len(seen) == len(set(seen)), "an event was delivered twice"
    total = await db.fetchval("select count(*) from changes")
    assert len(seen) == total == 4 + 4 * 15, "an event was missed"
