"""The response cache: anonymous reads from memory, ETags, and no answer from before a committed
change served more than half a second after it, on any process."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import json
import time

import httpx
import pytest

from registry.app import create_app
from registry.http.change_notices import APPLICATION_NAME
from registry.http.persisted_queries import sha256
from registry.http.response_cache import CACHEABLE, Entry, ResponseCache, ResponseCacheMiddleware
from tests.support.apps import SETTINGS
from tests.support.commands import invoke
from tests.support.graphql import statements
from tests.support.processes import process_env, serving

QUERY = {"query": '{ searchCredentials(first: 3) { totalCount nodes { title } } provider(slug: "lakeside") { name } }'}
CACHED = dataclasses.replace(SETTINGS, response_cache_bytes=2**20)


def _persisted(document: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(document)}}


class Clock:
    """Time as the cache sees it, moved on by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _entry(size: int, cache: ResponseCache, generation: int | None = None) -> Entry:
    return Entry([], b"x" * size, b'"e"', cache.clock(), cache.generation if generation is None else generation)


def _listening(max_bytes: int = 10_000, ttl: float = 60, stale_for: float = 0.5) -> ResponseCache:
    cache = ResponseCache(max_bytes, ttl, stale_for, clock=Clock())
    cache.listening = True
    return cache


def test_the_least_recently_used_entries_go_first_past_the_byte_budget():
    cache = _listening(max_bytes=3 * (1000 + 256))
    for key in (b"a", b"b", b"c"):
        cache.put(key, _entry(1000, cache))
    cache.get(b"a")
    cache.put(b"d", _entry(1000, cache))
    assert set(cache.entries) == {b"a", b"c", b"d"} and cache.bytes <= cache.max_bytes


def test_entries_expire_after_their_time_to_live():
    cache = _listening(ttl=60)
    cache.put(b"a", _entry(10, cache))
    cache.clock.now += 61
    assert cache.get(b"a") is None and cache.bytes == 0


def test_an_answer_from_before_a_change_is_served_for_half_a_second_after_it_then_never():
    cache = _listening(stale_for=0.5)
    cache.put(b"a", _entry(10, cache))
    cache.change_heard()
    cache.clock.now += 0.4
    stale = cache.get(b"a")
    assert stale is not None and not cache.is_fresh(stale)
    cache.clock.now += 0.2
    assert cache.get(b"a") is None and cache.bytes == 0


def test_the_half_second_counts_from_the_first_change_the_answer_missed():
    cache = _listening(stale_for=0.5)
    cache.put(b"a", _entry(10, cache))
    cache.change_heard()
    cache.clock.now += 0.3
    cache.change_heard()  # a second change does not lengthen the first one's window
    cache.clock.now += 0.3
    assert cache.get(b"a") is None


def test_a_response_begun_before_a_change_is_stored_stale_and_never_over_a_fresher_one():
    cache = _listening(stale_for=0.5)
    begun = cache.generation
    cache.change_heard()
    cache.put(b"a", _entry(10, cache))
    cache.put(b"a", _entry(20, cache, generation=begun))
    assert cache.entries[b"a"].generation == cache.generation
    cache.put(b"b", _entry(10, cache, generation=begun))
    assert cache.get(b"b") is not None and not cache.is_fresh(cache.entries[b"b"])


def test_without_a_stale_window_a_response_begun_before_a_change_is_not_stored():
    cache = _listening(stale_for=0)
    begun = cache.generation
    cache.put(b"a", _entry(10, cache))
    cache.change_heard()
    cache.put(b"b", _entry(10, cache, generation=begun))
    assert cache.get(b"a") is None and cache.get(b"b") is None


def test_an_answer_begun_while_notices_were_lost_is_never_served_stale():
    cache = _listening(stale_for=0.5)
    cache.listening = False
    cache.clear()  # the notice connection is lost: what changes meanwhile is unknown
    begun = cache.generation
    cache.listening = True
    cache.change_heard()  # the connection is back, and hears its first notice
    cache.put(b"a", _entry(10, cache, generation=begun))
    assert cache.get(b"a") is None


def test_nothing_is_served_or_stored_while_change_notices_are_not_heard():
    cache = _listening()
    cache.put(b"a", _entry(10, cache))
    cache.listening = False
    assert cache.get(b"a") is None
    cache.put(b"b", _entry(10, cache))
    assert b"b" not in cache.entries


@pytest.fixture
async def cached_client(db_dsn, db):
    await db.execute(
        "insert into providers (slug, name, kind, jurisdiction) values"
        " ('lakeside', '{\"en\": \"Lakeside College\"}', 'COLLEGE', 'CA-MB')"
    )
    app = create_app(CACHED, db_dsn)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://registry.test"
        ) as client:
            await _until(lambda: app.state.response_cache.listening)
            yield client, app.state.response_cache


async def _until(condition, timeout: float = 5.0) -> None:
    """Wait for ``condition()`` (a value or an awaitable of one) to hold."""
    deadline = time.monotonic() + timeout
    while not (await met) if inspect.isawaitable(met := condition()) else not met:
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_a_repeated_anonymous_query_is_answered_from_memory(cached_client):
    client, _ = cached_client
    first = await client.post("/graphql", json=QUERY)
    again = await client.post("/graphql", json=QUERY)
    assert (first.headers["x-cache"], again.headers["x-cache"]) == ("MISS", "HIT")
    assert again.content == first.content and statements(again) == 0
    assert again.headers["etag"] == first.headers["etag"] and again.headers["cache-control"] == "public, no-cache"


async def test_persisted_queries_over_get_are_cached_too(cached_client):
    client, _ = cached_client
    document = "{ searchCredentials(first: 1) { totalCount } }"
    await client.post("/graphql", json={"query": document, "extensions": _persisted(document)})
    params = {"extensions": json.dumps(_persisted(document))}
    assert [(await client.get("/graphql", params=params)).headers["x-cache"] for _ in range(2)] == ["MISS", "HIT"]


async def test_if_none_match_is_answered_304_without_a_body(cached_client):
    client, _ = cached_client
    etag = (await client.post("/graphql", json=QUERY)).headers["etag"]
    unchanged = await client.post("/graphql", json=QUERY, headers={"if-none-match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged.headers["etag"] == etag


async def test_after_a_committed_change_the_answer_from_before_is_served_while_the_fresh_one_is_computed(
    cached_client, db
):
    client, cache = cached_client
    await client.post("/graphql", json=QUERY)
    generation = cache.generation
    await db.execute("update providers set name = '{\"en\": \"Lakeside Polytechnic\"}' where slug = 'lakeside'")
    changed = time.monotonic()
    await _until(lambda: cache.generation > generation)
    stale = await client.post("/graphql", json=QUERY)
    assert stale.headers["x-cache"] == "STALE" and stale.json()["data"]["provider"]["name"] == "Lakeside College"
    assert statements(stale) == 0
    await _until(lambda: client_sees(client, "Lakeside Polytechnic"), timeout=1.0)
    assert time.monotonic() - changed < 1.0
    assert (await client.post("/graphql", json=QUERY)).headers["x-cache"] == "HIT"


async def test_a_burst_of_stale_hits_refreshes_the_answer_once(cached_client, db):
    client, cache = cached_client
    await client.post("/graphql", json=QUERY)
    generation = cache.generation
    await db.execute("update providers set name = '{\"en\": \"Lakeside Polytechnic\"}' where slug = 'lakeside'")
    await _until(lambda: cache.generation > generation)
    answers = await asyncio.gather(*[client.post("/graphql", json=QUERY) for _ in range(6)])
    assert {a.headers["x-cache"] for a in answers} == {"STALE"} and len(cache.refreshing) == 1
    await asyncio.gather(*cache.refreshing.values())
    assert (await client.post("/graphql", json=QUERY)).headers["x-cache"] == "HIT"


async def test_without_a_stale_window_a_committed_change_is_seen_by_the_next_read(db_dsn, db):
    await db.execute(
        "insert into providers (slug, name, kind, jurisdiction) values"
        " ('lakeside', '{\"en\": \"Lakeside College\"}', 'COLLEGE', 'CA-MB')"
    )
    app = create_app(dataclasses.replace(CACHED, response_cache_stale_seconds=0), db_dsn)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t.test") as client:
            cache = app.state.response_cache
            await _until(lambda: cache.listening)
            await client.post("/graphql", json=QUERY)
            generation = cache.generation
            await db.execute("update providers set name = '{\"en\": \"Lakeside Polytechnic\"}' where slug = 'lakeside'")
            await _until(lambda: cache.generation > generation)
            fresh = await client.post("/graphql", json=QUERY)
            assert (
                fresh.headers["x-cache"] == "MISS"
                and fresh.json()["data"]["provider"]["name"] == "Lakeside Polytechnic"
            )


async def client_sees(client: httpx.AsyncClient, name: str) -> bool:
    return (await client.post("/graphql", json=QUERY)).json()["data"]["provider"]["name"] == name


async def test_pages_are_cached_and_refreshed_after_a_change_like_the_api(cached_client, db):
    client, cache = cached_client
    assert [(await client.get("/statistics")).headers["x-cache"] for _ in range(2)] == ["MISS", "HIT"]
    generation = cache.generation
    await db.execute("update providers set name = '{\"en\": \"Lakeside Polytechnic\"}' where slug = 'lakeside'")
    await _until(lambda: cache.generation > generation)
    assert (await client.get("/statistics")).headers["x-cache"] == "STALE"
    await _until(lambda: cache.is_fresh(next(iter(cache.entries.values()))))
    assert (await client.get("/statistics")).headers["x-cache"] == "HIT"


async def test_each_page_has_its_own_entry(cached_client):
    client, _ = cached_client
    english, french = await client.get("/statistics"), await client.get("/fr/statistics")
    assert (english.headers["x-cache"], french.headers["x-cache"]) == ("MISS", "MISS")
    assert '<html lang="fr">' in french.text


async def test_a_page_that_failed_is_not_cached(cached_client):
    client, _ = cached_client
    missing = "/fr/credentials/Q3JlZGVudGlhbDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"
    answers = [await client.get(missing) for _ in range(2)]
    assert [a.status_code for a in answers] == [404, 404] and answers[1].headers.get("x-cache") != "HIT"


async def test_a_rolled_back_change_keeps_the_cache(cached_client, db):
    client, cache = cached_client
    await client.post("/graphql", json=QUERY)
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.execute("update providers set name = '{\"en\": \"Never\"}' where slug = 'lakeside'")
            raise RuntimeError("roll back")
    await asyncio.sleep(0.2)
    assert (await client.post("/graphql", json=QUERY)).headers["x-cache"] == "HIT"


async def test_errors_and_authenticated_requests_are_not_cached(cached_client):
    client, cache = cached_client
    bad = {"query": "{ searchCredentials(first: -1) { totalCount } }"}
    await client.post("/graphql", json=bad)
    again = await client.post("/graphql", json=bad)
    assert again.headers["x-cache"] == "MISS" and again.headers["cache-control"] == "no-store"
    signed = await client.post("/graphql", json=QUERY, headers={"authorization": "Bearer not-a-token"})
    assert "x-cache" not in signed.headers and signed.headers["cache-control"] == "no-store"


async def test_an_answer_the_cache_may_share_carries_no_callers_allowance(cached_client):
    client, _ = cached_client
    reported = (await client.post("/graphql", json=QUERY)).json()["extensions"]["cost"]
    assert "requestedQueryCost" in reported and "throttleStatus" not in reported


async def test_the_same_answer_computed_apart_for_two_callers_has_one_etag(cached_client):
    """Each process computes its own entry: a browser's If-None-Match must match the other's."""
    client, cache = cached_client
    first = await client.post("/graphql", json=QUERY)
    await client.post("/graphql", json={"query": "{ skills(first: 5) { nodes { id } } }"})  # spends more
    cache.clear()
    second = await client.post("/graphql", json=QUERY)
    assert second.headers["x-cache"] == "MISS" and second.headers["etag"] == first.headers["etag"]


async def test_an_answer_with_errors_still_reports_the_callers_allowance(cached_client):
    client, _ = cached_client
    bad = {"query": '{ credential(id: "not-an-id") { id } }'}
    assert "throttleStatus" in (await client.post("/graphql", json=bad)).json()["extensions"]["cost"]


async def test_a_lost_notice_connection_turns_the_cache_off_until_it_is_back(cached_client, db):
    client, cache = cached_client
    await client.post("/graphql", json=QUERY)
    await db.execute(
        "select pg_terminate_backend(pid) from pg_stat_activity"
        " where application_name = $1 and datname = current_database()",
        APPLICATION_NAME,
    )
    await _until(lambda: not cache.listening)
    assert (await client.post("/graphql", json=QUERY)).headers["x-cache"] == "MISS"
    await _until(lambda: cache.listening)
    await client.post("/graphql", json=QUERY)
    assert (await client.post("/graphql", json=QUERY)).headers["x-cache"] == "HIT"


async def test_a_write_is_seen_by_the_next_read_on_every_process_within_a_second(db_dsn, db):
    env = process_env(DATABASE_URL=db_dsn, MICROCRED_RESPONSE_CACHE_BYTES=str(2**20))
    assert invoke("seed", "--credentials", "5", "--seed", "3", env=env).returncode == 0
    count = {"query": "{ searchCredentials { totalCount } }"}
    with serving(env, "--no-demo") as first, serving(env, "--no-demo") as second:
        for base in (first, second):
            before = httpx.post(f"{base}/graphql", json=count).json()["data"]["searchCredentials"]["totalCount"]
            assert httpx.post(f"{base}/graphql", json=count).headers["x-cache"] == "HIT"
        await db.execute(
            "update credentials set status = 'RETIRED', retired_at = now()"
            " where id = (select id from credentials where status = 'PUBLISHED' limit 1)"
        )
        written = time.monotonic()
        for base in (first, second):
            while (
                httpx.post(f"{base}/graphql", json=count).json()["data"]["searchCredentials"]["totalCount"]
                != before - 1
            ):
                assert time.monotonic() - written < 1.0, f"{base} still answers from before the write"
                time.sleep(0.02)


async def test_a_burst_of_identical_misses_runs_the_query_once(cached_client):
    client, _ = cached_client
    responses = await asyncio.gather(*[client.post("/graphql", json=QUERY) for _ in range(6)])
    assert {r.content for r in responses} == {responses[0].content}
    assert sum(statements(r) for r in responses) == statements(responses[0]) > 0


async def test_a_callers_refusal_is_not_given_to_another_caller_asking_the_same(db_dsn):
    """An address over its rate limit, leading a burst of identical misses, once passed its
    429 (and its Retry-After and its bucket) to every caller asking the same (an outside review)."""
    app = create_app(dataclasses.replace(CACHED, rate_anonymous=(1_000.0, 0.001)), db_dsn)
    async with app.router.lifespan_context(app):
        await _until(lambda: app.state.response_cache.listening)
        spent, fresh = (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 123)), base_url="https://r.test")
            for address in ("192.0.2.1", "192.0.2.2")
        )
        async with spent, fresh:
            for n in range(10):  # new documents of 2,000-odd characters: 400-odd points each
                await spent.post("/graphql", json={"query": "{ __typename }" + " " * 2_000 + f"# {n}"})
            answers = await asyncio.gather(spent.post("/graphql", json=QUERY), fresh.post("/graphql", json=QUERY))
    # Whichever ran first, the fresh caller is answered; the spent one may follow it (free).
    assert answers[1].status_code == 200


async def test_a_follower_takes_only_an_answer_that_may_be_shared():
    """The same, its order fixed: a refusal leads, and the identical request joining it runs again."""
    cache, led, release = _listening(), asyncio.Event(), asyncio.Event()

    async def refusing_the_first(scope, receive, send):
        leading = not led.is_set()
        if leading:
            led.set()
            await release.wait()
        else:
            scope[CACHEABLE] = True
        await send({"type": "http.response.start", "status": 429 if leading else 200, "headers": []})
        await send({"type": "http.response.body", "body": b"refused" if leading else b"answered"})

    middleware = ResponseCacheMiddleware(refusing_the_first, cache=cache, max_age=0)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=middleware), base_url="https://r.test") as client:
        first = asyncio.ensure_future(client.post("/graphql", json=QUERY))
        await led.wait()
        second = asyncio.ensure_future(client.post("/graphql", json=QUERY))
        await _until(lambda: cache.misses == 2)  # nothing awaits between its miss and its joining
        release.set()
        answers = [await first, await second]
    assert [(a.status_code, a.text) for a in answers] == [(429, "refused"), (200, "answered")]
    assert answers[0].headers["cache-control"] == "no-store"


async def test_answers_an_http_cache_may_keep_carry_no_callers_allowance_even_without_this_cache(db_dsn):
    app = create_app(dataclasses.replace(SETTINGS, response_cache_bytes=0, cache_max_age_seconds=60), db_dsn)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://r.test") as client:
            answer = await client.post("/graphql", json=QUERY)
    assert answer.headers["cache-control"] == "public, max-age=60"
    assert "throttleStatus" not in answer.json()["extensions"]["cost"]
