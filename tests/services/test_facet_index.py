"""The facet index answers exactly what PostgreSQL answers, and stays in step with every write."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.config import Settings
from registry.db import Database, connect
from registry.domain.enums import Audience, CredentialType, DeliveryMode, Pace
from registry.domain.facet_index import plan
from registry.domain.search import (
    COST_CEILINGS,
    PUBLIC,
    WORKLOAD_RANGES,
    CredentialFilter,
    Near,
    SearchRequest,
    Visibility,
)
from registry.services.facet_index import LiveFacetIndex
from registry.services.seeding import seed
from registry.store import facet_changes, search


async def _reference(db, request: SearchRequest, viewer: Visibility):
    mode = await search.match_mode(db, request, viewer)
    counts, total = await search.facets(db, request, viewer, mode, None, with_total=True)
    return mode, (counts, total)


async def _both(db, index: LiveFacetIndex, request: SearchRequest, viewer: Visibility = PUBLIC):
    """(the index's answer, PostgreSQL's)."""
    mode, expected = await _reference(db, request, viewer)
    return await index.counts(db, request, viewer, mode), expected


async def _by_index(db, index: LiveFacetIndex, request: SearchRequest, viewer: Visibility = PUBLIC):
    """Like _both, checking that the index answered (not PostgreSQL in its place)."""
    before = index.answered["by index"]
    found = await _both(db, index, request, viewer)
    assert index.answered["by index"] == before + 1
    return found


@pytest.fixture(scope="module")
async def demo(demo_dsn):
    db = await connect(demo_dsn, Settings(), min_size=1, max_size=2)
    values = {
        "providers": [r["id"] for r in await db.fetch("select id from providers order by slug")],
        "authorities": [r["id"] for r in await db.fetch("select id from recognition_authorities order by slug")],
        "skills": [r["id"] for r in await db.fetch("select distinct skill_id as id from credential_skills order by 1")],
        "regions": [r["v"] for r in await db.fetch("select distinct unnest(regions) v from credentials order by 1")],
        "languages": [
            r["v"] for r in await db.fetch("select distinct unnest(languages) v from credentials order by 1")
        ],
    }
    index = LiveFacetIndex(db)
    await index.warm()
    yield db, index, values
    await db.close()


TORONTO, SUDBURY, MONTREAL = Near(43.70011, -79.4163, 50), Near(46.49, -80.99, 300), Near(45.50884, -73.58781, 100)


def _start_windows():
    """(starts_from, starts_to) pairs around today, the demo offerings' dates being relative to it."""
    today = date.today()
    return st.sampled_from(
        [(today, today + timedelta(days=90)), (today + timedelta(days=30), None), (None, today + timedelta(days=14))]
    )


def _some(values, max_size=2):
    return st.lists(st.sampled_from(values), min_size=1, max_size=max_size, unique=True).map(tuple)


def _conditions(values) -> dict[str, st.SearchStrategy]:
    """A strategy for each filter field (the workload's two fields drawn as one, and the start
    window's)."""
    return {
        "provider_ids": _some(values["providers"]),
        "regions": _some(values["regions"]),
        "delivery_modes": _some([m.value for m in DeliveryMode]),
        "paces": _some([p.value for p in Pace]),
        "audiences": _some([a.value for a in Audience]),
        "fundable": st.booleans(),
        "languages": _some(values["languages"] + ["fr-CA", "en-CA", "iu"]),
        "credential_types": _some([t.value for t in CredentialType]),
        "skill_ids": _some(values["skills"]),
        "max_cost": st.sampled_from([*COST_CEILINGS, 750]),
        "workload": st.sampled_from([*WORKLOAD_RANGES, (5.0, None), (None, 30.0)]),
        "recognized": st.booleans(),
        "recognized_by_authority_ids": _some(values["authorities"]),
        "recognition_kinds": _some(["ENDORSEMENT", "FUNDING_ELIGIBILITY", "QUALITY_ASSURANCE", "REGULATORY"]),
        "statuses": st.sampled_from([("DRAFT",), ("PUBLISHED", "RETIRED"), ("RETIRED",)]),
        "min_completeness": st.sampled_from([0.5, 0.9]),
        "updated_since": st.just(datetime(2026, 3, 1, tzinfo=timezone.utc)),
        "near": st.sampled_from([TORONTO, SUDBURY, MONTREAL]),
        "starts": _start_windows(),
        "registration_open": st.booleans(),
        "seats_available": st.booleans(),
        "schedule_timings": _some(["DAYTIME", "EVENING", "WEEKEND"]),
    }


@st.composite
def _filters(draw, values):
    """A filter with up to three conditions: more would leave nothing to count."""
    strategies = _conditions(values)
    chosen = draw(st.lists(st.sampled_from(sorted(strategies)), max_size=3, unique=True))
    fields = {name: draw(strategies[name]) for name in chosen}
    if "workload" in fields:
        fields["min_workload_hours"], fields["max_workload_hours"] = fields.pop("workload")
    if "starts" in fields:
        fields["starts_from"], fields["starts_to"] = fields.pop("starts")
    return CredentialFilter(**fields)


def _viewers(values):
    return st.sampled_from([PUBLIC, Visibility(admin=True)]) | st.sampled_from(values["providers"]).map(
        lambda p: Visibility.of(p)
    )


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
async def test_counts_and_totals_equal_postgresql_s_for_any_filter_text_and_viewer(demo, data):
    db, index, values = demo
    request = SearchRequest(
        query=data.draw(st.sampled_from([None, "data", "soudage", "anlytics", "-safety"])),
        filter=data.draw(_filters(values)),
    )
    viewer = data.draw(_viewers(values))
    answerer = "by index" if plan(request.filter, viewer) else "by postgresql"
    before = index.answered[answerer]
    got, expected = await _both(db, index, request, viewer)
    assert got == expected
    assert index.answered[answerer] == before + 1


@pytest.mark.parametrize(
    "conditions",
    [
        {"near": TORONTO},
        {"near": SUDBURY, "schedule_timings": ("EVENING",)},
        {"near": MONTREAL, "seats_available": True, "registration_open": True},
        {"starts_from": date.today(), "starts_to": date.today() + timedelta(days=90)},
        {"near": TORONTO, "starts_from": date.today(), "starts_to": date.today() + timedelta(days=90)},
    ],
)
@pytest.mark.parametrize("who", ["public", "provider", "operator"])
async def test_a_search_only_on_offerings_counts_what_postgresql_counts(demo, conditions, who):
    db, index, values = demo
    viewer = {"public": PUBLIC, "provider": Visibility.of(values["providers"][0]), "operator": Visibility(admin=True)}[
        who
    ]
    request = SearchRequest(filter=CredentialFilter(**conditions))
    (counts, total), (expected_counts, expected_total) = await _by_index(db, index, request, viewer)
    assert (counts, total) == (expected_counts, expected_total)
    assert total > 0  # the demo has offerings for each


async def test_a_provider_s_own_draft_with_an_offering_near_a_place_is_counted_for_it_alone(loaded):
    index = await _built(loaded)
    found = await loaded.fetchrow(
        "select c.id, c.provider_id, o.latitude, o.longitude from credentials c join offerings o"
        " on o.credential_id = c.id where c.status = 'PUBLISHED' and o.cancelled_at is null"
        " and o.delivery_mode <> 'ONLINE' and o.latitude is not null"
        " and coalesce(o.end_date, o.start_date, current_date + 1) > current_date order by c.id limit 1"
    )
    await loaded.execute("update credentials set status = 'DRAFT' where id = $1", found["id"])
    near = Near(found["latitude"], found["longitude"], 1)
    drafts = SearchRequest(filter=CredentialFilter(statuses=("DRAFT",), near=near))
    (_, own), (_, expected) = await _by_index(loaded, index, drafts, Visibility.of(found["provider_id"]))
    assert own == expected >= 1
    (_, others), (_, expected) = await _by_index(loaded, index, drafts, PUBLIC)
    assert others == expected == 0


@pytest.mark.parametrize("statuses", [None, ("DRAFT",), ("PUBLISHED", "RETIRED")])
@pytest.mark.parametrize("who", ["public", "provider", "operator"])
async def test_each_viewer_counts_the_statuses_it_may_see(demo, who, statuses):
    db, index, values = demo
    viewer = {
        "public": PUBLIC,
        "provider": Visibility.of(values["providers"][0]),
        "operator": Visibility(admin=True),
    }[who]
    got, expected = await _by_index(db, index, SearchRequest(filter=CredentialFilter(statuses=statuses)), viewer)
    assert got == expected


@pytest.fixture
async def loaded(db_dsn):
    db = await connect(db_dsn, Settings(), min_size=1, max_size=4)
    await seed(db, 120, 3)
    yield db
    await db.close()


async def _built(db: Database, **options) -> LiveFacetIndex:
    index = LiveFacetIndex(db, **options)
    await index.warm()
    return index


async def _counts_equal(db: Database, index: LiveFacetIndex, request: SearchRequest | None = None) -> None:
    got, expected = await _by_index(db, index, request or SearchRequest())
    assert got == expected


async def test_a_write_committed_before_a_count_is_in_it_in_every_process(loaded):
    first, second = await _built(loaded), await _built(loaded)
    await _counts_equal(loaded, first)
    await _counts_equal(loaded, second)
    await loaded.execute(
        "update credentials set regions = array['ZZ-T1'] where id = (select id from credentials"
        " where status = 'PUBLISHED' order by id limit 1)"
    )
    for index in (first, second):
        (counts, _), _ = await _by_index(loaded, index, SearchRequest())
        assert [(c.value, c.count) for c in counts["region"] if c.value == "ZZ-T1"] == [("ZZ-T1", 1)]
        await _counts_equal(loaded, index)


async def test_a_language_filter_finds_regional_variants_of_it(loaded):
    index = await _built(loaded)
    await loaded.execute(
        "update credentials set languages = array['fr-CA'] where id in (select id from credentials"
        " where status = 'PUBLISHED' order by id limit 3)"
    )
    for tags in (("fr",), ("fr-CA",), ("en", "fr-CA")):
        (counts, total), expected = await _by_index(
            loaded, index, SearchRequest(filter=CredentialFilter(languages=tags))
        )
        assert (counts, total) == expected
        assert total >= 3


async def test_a_write_in_progress_during_a_count_is_in_the_first_count_after_its_commit(loaded):
    index = await _built(loaded)
    await _counts_equal(loaded, index)
    async with loaded.transaction() as tx:
        await tx.execute(  # begun before the count's snapshot, committed after it
            "update credentials set regions = array['ZZ-T2'] where id = (select id from credentials"
            " where status = 'PUBLISHED' order by id limit 1)"
        )
        # A later transaction that commits first: the snapshot then lists the one above as in
        # progress (below its xmax), which is the case a "newer than xmax" question misses.
        await loaded.execute(
            "update credentials set pace = pace where ordinal = (select max(ordinal) from credentials)"
        )
        await _counts_equal(loaded, index)
    (counts, _), expected = await _by_index(loaded, index, SearchRequest())
    assert [(c.value, c.count) for c in counts["region"] if c.value == "ZZ-T2"] == [("ZZ-T2", 1)]
    assert (counts, _) == expected


async def test_a_retired_listing_leaves_the_counts_at_once(loaded):
    index = await _built(loaded)
    (_, before), _ = await _by_index(loaded, index, SearchRequest())
    await loaded.execute(
        "update credentials set status = 'RETIRED', retired_at = now() where id = (select id from credentials"
        " where status = 'PUBLISHED' order by id limit 1)"
    )
    (_, after), _ = await _by_index(loaded, index, SearchRequest())
    assert after == before - 1
    await _counts_equal(loaded, index)


async def test_a_revoked_recognition_leaves_the_recognition_facets(loaded):
    index = await _built(loaded)
    await _counts_equal(loaded, index)
    await loaded.execute(
        "update recognitions set revoked_at = now(), revoked_reason = 'test' where id = (select id from recognitions"
        " where revoked_at is null order by id limit 1)"
    )
    await _counts_equal(loaded, index, SearchRequest(filter=CredentialFilter(recognized=True)))


async def test_a_renamed_provider_is_counted_under_its_new_name(loaded):
    index = await _built(loaded)
    await _counts_equal(loaded, index)
    provider_id: UUID = await loaded.fetchval(
        'update providers set name = \'{"en": "Renamed College"}\' where id = (select provider_id from credentials'
        " where status = 'PUBLISHED' order by id limit 1) returning id"
    )
    (counts, _), _ = await _by_index(loaded, index, SearchRequest())
    assert {"en": "Renamed College"} in [c.name for c in counts["provider"] if c.value == str(provider_id)]


async def test_more_changes_than_the_limit_are_counted_by_postgresql_until_everything_is_read_again(loaded):
    index = await _built(loaded, rebuild_above=5)
    await _counts_equal(loaded, index)
    await seed(loaded, 40, 4)
    await loaded.execute("update credentials set audiences = '{}' where ordinal % 3 = 0")
    before = index.answered["by postgresql"]
    got, expected = await _both(loaded, index, SearchRequest())
    assert got == expected and index.answered["by postgresql"] == before + 1
    await index.warm()
    await _counts_equal(loaded, index)
    await _counts_equal(loaded, index, SearchRequest(query="data", filter=CredentialFilter(regions=("CA-ON",))))


async def test_counts_taken_while_others_write_end_equal_to_postgresql_s(loaded):
    index = await _built(loaded)
    await _counts_equal(loaded, index)

    async def write(n: int) -> None:
        await loaded.execute(
            "update credentials set delivery_mode = (array['ONLINE','IN_PERSON','HYBRID']::delivery_mode[])[1 + $1 % 3]"
            " where ordinal % 7 = $1 % 7",
            n,
        )

    async def count() -> None:
        await index.counts(loaded, SearchRequest(), PUBLIC, search.MatchMode.ALL)

    await asyncio.gather(*(f(n) for n in range(12) for f in (write, lambda _: count())))
    await _counts_equal(loaded, index)


@pytest.fixture
async def two_days(db_dsn):
    """Pools on the same database whose sessions live 26 hours apart: always two days."""
    ahead = await connect(db_dsn + "&timezone=Etc/GMT-14", Settings(), min_size=1, max_size=2)
    behind = await connect(db_dsn + "&timezone=Etc/GMT%2B12", Settings(), min_size=1, max_size=2)
    await seed(behind, 40, 3)
    tomorrow = await ahead.fetchval("select current_date")
    # A recognition that comes into force on the later day.
    await behind.execute(
        "update recognitions set valid_from = $1 where credential_id = (select c.id from credentials c"
        " where c.status = 'PUBLISHED' and exists (select 1 from recognitions r where r.credential_id = c.id)"
        " order by c.id limit 1)",
        tomorrow,
    )
    yield behind, ahead
    await ahead.close()
    await behind.close()


async def _recognized_counts_equal(db: Database, index: LiveFacetIndex) -> None:
    request = SearchRequest(filter=CredentialFilter(recognized=True))
    got, expected = await _both(db, index, request)
    assert got == expected


async def test_a_new_day_is_counted_by_postgresql_until_the_index_is_read_again(two_days):
    behind, ahead = two_days
    index = await _built(behind)
    index.primary = ahead  # midnight passes on the primary
    await _recognized_counts_equal(ahead, index)
    assert index.answered == {"by postgresql": 1}
    await index.warm()
    await _recognized_counts_equal(ahead, index)
    assert index.answered == {"by postgresql": 1, "by index": 1}


async def test_a_count_from_before_midnight_coming_back_late_does_not_keep_yesterday_s_index(two_days):
    behind, ahead = two_days
    index = await _built(behind)
    seen = index._snapshot
    assert seen is not None
    before_midnight = await facet_changes.since(behind, seen, 100)  # one count's statement, just before
    index.primary = ahead
    after_midnight = await facet_changes.since(ahead, seen, 100)  # another's, just after
    assert index._in_step(after_midnight, seen) is None  # a new day: read everything again
    assert index._in_step(before_midnight, seen) is None  # the late one finds no index to apply to
    await index.warm()
    await _recognized_counts_equal(ahead, index)
    assert index.answered["by index"] == 1


async def test_a_value_given_twice_counts_its_listing_once(loaded):
    index = await _built(loaded)
    await loaded.execute(
        "update credentials set regions = array['ZZ-T5', 'ZZ-T5'] where id = (select id from credentials"
        " where status = 'PUBLISHED' order by id limit 1)"
    )
    (counts, _), expected = await _by_index(loaded, index, SearchRequest())
    assert [(c.value, c.count) for c in counts["region"] if c.value == "ZZ-T5"] == [("ZZ-T5", 1)]
    assert (counts, _) == expected


async def test_an_answer_read_before_a_newer_one_was_applied_does_not_take_the_index_back(loaded):
    index = await _built(loaded)
    first_id = "(select id from credentials where status = 'PUBLISHED' order by id limit 1)"
    await loaded.execute(f"update credentials set regions = array['ZZ-T3'] where id = {first_id}")
    seen = index._snapshot
    assert seen is not None
    slow = await facet_changes.since(loaded, seen, 100)  # one count's statement, slow to come back
    await loaded.execute(f"update credentials set regions = array['ZZ-T4'] where id = {first_id}")
    await _counts_equal(loaded, index)  # a quicker count applies the newer state
    newest = index._snapshot
    assert newest is not None
    next_one = await facet_changes.since(loaded, newest, 100)  # a third count's statement
    index._in_step(slow, seen)  # the slow one arrives...
    index._in_step(next_one, newest)  # ...before the third
    await _counts_equal(loaded, index)
