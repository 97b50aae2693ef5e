"""Searching by offerings: starting when, near where (checked against an independent
haversine computation over the same rows), at what times, with registration open and seats
left; ordered by nearest or soonest start."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from registry.domain.listings import ListingChanges
from registry.domain.offerings import OfferingChanges, Place
from registry.domain.principals import operator
from registry.services import offerings, submission
from registry.services.seeding import seed
from registry.store import providers
from tests.support.listings import gql

OPERATOR = operator("test")
TODAY = date.today()
IN_RANGE, LATER = TODAY + timedelta(days=20), TODAY + timedelta(days=200)
SEARCH = """
query($filter: CredentialFilter, $order: CredentialOrder) {
  searchCredentials(filter: $filter, orderBy: $order, first: 50) {
    nodes { externalId offerings { externalId distanceKm } }
  }
}
"""

PAGED = """
query($filter: CredentialFilter, $after: String) {
  searchCredentials(filter: $filter, orderBy: NEAREST, first: 1, after: $after) {
    nodes { externalId }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Written here, independently of the registry: the great circle on PostgreSQL's sphere."""
    radius = 6378.168
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def place(name: str, lat: float, lon: float) -> Place:
    return Place(municipality=name, region="CA-ON", latitude=lat, longitude=lon)


# Listing key -> its offerings: (key, start, mode, place, cancelled, timings, seats available)
LISTINGS = {
    "A": [("a1", IN_RANGE, "IN_PERSON", place("Sudbury", 46.5194, -80.95), False, ["EVENING"], 10)],
    "B": [("b1", IN_RANGE, "IN_PERSON", place("Espanola", 46.25, -81.77), False, ["DAYTIME"], 10)],
    "C": [
        ("c1", LATER, "IN_PERSON", place("Capreol", 46.7057, -80.9236), False, ["DAYTIME"], 10),
        ("c2", IN_RANGE, "IN_PERSON", place("Toronto", 43.65, -79.38), False, ["DAYTIME"], 10),
    ],
    "D": [("d1", None, "HYBRID", place("Lively", 46.4333, -81.15), False, ["WEEKEND"], None)],
    "E": [("e1", IN_RANGE, "ONLINE", None, False, ["EVENING"], 10)],
    "F": [("f1", IN_RANGE, "IN_PERSON", place("Chelmsford", 46.5833, -81.2), True, ["EVENING"], 10)],
    "G": [
        ("g1", IN_RANGE, "IN_PERSON", place("Hanmer", 46.65, -80.9667), False, ["DAYTIME"], 0),
        ("g2", LATER, "IN_PERSON", place("Sudbury", 46.4917, -80.993), False, ["DAYTIME"], 10),
    ],
}


@pytest.fixture
async def catalogue(db):
    """The listings above, published, with their offerings; the offerings' rows as written."""
    await seed(db, 0)
    provider = await providers.create(
        db, slug="cambrian", name={"en": "Cambrian College"}, kind="COLLEGE", jurisdiction="CA-ON"
    )
    for key, runs in LISTINGS.items():
        credential_id = await _publish(db, provider.id, key)
        for run_key, start, mode, where, cancelled, timings, seats in runs:
            changes = OfferingChanges(
                external_id=run_key,
                start_date=start,
                end_date=(start + timedelta(days=60)) if start else None,
                delivery_mode=mode,
                place=where,
                schedule_timings=timings,
                seats_total=None if seats is None else 20,
                seats_available=seats,
                availability="FULL" if seats == 0 else "OPEN",
            )
            made = await offerings.add(db, OPERATOR, credential_id, changes)
            assert made.ok, made.problems
            if cancelled:
                assert (await offerings.cancel(db, OPERATOR, made.value.id, "Too few learners")).ok


async def _publish(db, provider_id, key: str):
    changes = ListingChanges(
        external_id=key,
        credential_type="MICRO_CREDENTIAL",
        title={"en": f"Mining Safety {key}"},
        description={"en": "Work safely underground."},
        learning_outcomes=[{"en": "Apply the ground control rules"}],
        level_reason="No framework applies.",
        workload_hours=30.0,
        delivery_mode="IN_PERSON",
        pace="SCHEDULED",
        languages=["en"],
        regions=["CA-ON"],
        assessment="PRACTICAL_DEMONSTRATION",
        quality_assurance="Program review 2026",
        url=f"https://cambrian.example.ca/{key}",
    )
    items = [submission.Item(0, changes, [])]
    await submission.submit(db, provider_id, items, actor="test", publish=True, dry_run=False)
    assert not items[0].problems and not items[0].notes, (items[0].problems, items[0].notes)
    return items[0].stored.id


async def _rows(db) -> list[dict]:
    rows = await db.fetch(
        "select c.external_id as listing, c.id, o.external_id as run, o.start_date, o.delivery_mode::text as mode,"
        " o.latitude, o.longitude, o.cancelled_at is not null as cancelled from offerings o"
        " join credentials c on c.id = o.credential_id"
    )
    return [dict(row) for row in rows]


async def _found(client, filter: dict, order: str | None = None) -> list[dict]:
    answer = await gql(client, SEARCH, {"filter": filter, "order": order})
    assert "errors" not in answer, answer
    return answer["data"]["searchCredentials"]["nodes"]


async def test_near_a_place_and_starting_between_finds_what_an_independent_computation_finds_nearest_first(
    client, db, catalogue
):
    sudbury = (46.49, -80.99001)  # the gazetteer's Greater Sudbury
    wanted = {
        "startsBetween": {"from": str(TODAY), "to": str(TODAY + timedelta(days=60))},
        "near": {"place": "Sudbury, ON", "withinKm": 50},
    }
    found = await _found(client, wanted, "NEAREST")
    nearest: dict[str, tuple[float, str]] = {}
    for row in await _rows(db):  # one offering must meet both conditions
        starts = row["start_date"] is None or TODAY <= row["start_date"] <= TODAY + timedelta(days=60)
        if row["cancelled"] or row["mode"] == "ONLINE" or row["latitude"] is None or not starts:
            continue
        km = haversine_km(*sudbury, row["latitude"], row["longitude"])
        if km <= 50 and km < nearest.get(row["listing"], (math.inf, ""))[0]:
            nearest[row["listing"]] = (km, str(row["id"]))
    expected = sorted(nearest, key=lambda listing: nearest[listing])
    assert [node["externalId"] for node in found] == expected and len(expected) >= 3
    shown = {o["externalId"]: o["distanceKm"] for node in found for o in node["offerings"]}
    for row in await _rows(db):
        if row["run"] in shown and row["latitude"] is not None:
            assert shown[row["run"]] == pytest.approx(
                haversine_km(*sudbury, row["latitude"], row["longitude"]), abs=1e-6
            )


async def test_an_online_offering_is_near_nothing(client, catalogue):
    found = await _found(client, {"near": {"latitude": 46.49, "longitude": -80.99, "withinKm": 2000}})
    assert "E" not in {node["externalId"] for node in found}


async def test_soonest_start_orders_by_the_next_start_a_rolling_intake_starting_today(client, db, catalogue):
    found = [node["externalId"] for node in await _found(client, {}, "SOONEST_START")]
    next_start: dict[str, tuple[date, str]] = {}
    for row in await _rows(db):
        start = row["start_date"] or TODAY  # a rolling intake starts any day: today
        if (
            not row["cancelled"]
            and start >= TODAY
            and (start, str(row["id"])) < next_start.get(row["listing"], (date.max, ""))
        ):
            next_start[row["listing"]] = (start, str(row["id"]))
    never = sorted((str(row["id"]), row["listing"]) for row in await _rows(db) if row["listing"] not in next_start)
    expected = sorted(next_start, key=lambda listing: next_start[listing]) + list(dict.fromkeys(k for _, k in never))
    assert found == expected and found[0] == "D" and found[-1] == "F"  # F's only offering is cancelled


async def test_seats_timings_and_registration_hold_of_an_offering_not_cancelled(client, catalogue):
    assert {n["externalId"] for n in await _found(client, {"seatsAvailable": False})} == {"F"}
    evening = {n["externalId"] for n in await _found(client, {"scheduleTimings": ["EVENING"]})}
    assert evening == {"A", "E"}  # F's evening offering is cancelled
    open_now = {n["externalId"] for n in await _found(client, {"registrationOpen": True})}
    assert open_now == {"A", "B", "C", "D", "E", "G"}  # G's first offering is full, its second open


async def test_a_run_that_has_ended_matches_no_offering_condition(client, db, catalogue):
    # A listing whose only run near Sudbury ended months ago is not "near Sudbury", as its
    # offerings no longer show that run (an outside attack found it matched, ranked by it).
    provider = await providers.by_slug(db, "cambrian")
    assert provider is not None
    ended = await _publish(db, provider.id, "H")
    last_spring = TODAY - timedelta(days=200)
    run = OfferingChanges(
        external_id="h1",
        start_date=last_spring,
        end_date=last_spring + timedelta(days=30),
        delivery_mode="IN_PERSON",
        place=place("Sudbury", 46.4917, -80.993),
        schedule_timings=["EVENING"],
    )
    assert (await offerings.add(db, OPERATOR, ended, run)).ok
    near = {"near": {"latitude": 46.49, "longitude": -80.99, "withinKm": 50}}
    for condition in (near, {"scheduleTimings": ["EVENING"]}, {"seatsAvailable": True}):
        assert "H" not in {
            node["externalId"] for node in await _found(client, condition, "NEAREST" if condition is near else None)
        }
    assert "H" in {node["externalId"] for node in await _found(client, {"seatsAvailable": False})}


async def test_offering_conditions_must_hold_of_the_same_offering(client, catalogue):
    # C starts in range in Toronto and later near Sudbury: no one offering of it is both.
    wanted = {
        "startsBetween": {"from": str(TODAY), "to": str(TODAY + timedelta(days=60))},
        "near": {"place": "P3E", "withinKm": 60},
    }
    assert "C" not in {n["externalId"] for n in await _found(client, wanted)}


async def test_an_unknown_place_is_a_clear_error_never_an_empty_result(client, catalogue):
    answer = await gql(client, SEARCH, {"filter": {"near": {"place": "Atlantis, ON", "withinKm": 10}}})
    error = answer["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "Atlantis" in error["message"]
    assert [(p["field"], p["code"]) for p in error["extensions"]["problems"]] == [
        (["filter", "near", "place"], "UNKNOWN_PLACE")
    ]


async def test_a_place_longer_than_any_name_is_refused_without_being_repeated(client, catalogue):
    answer = await gql(client, SEARCH, {"filter": {"near": {"place": "Sudbury" * 1000, "withinKm": 10}}})
    error = answer["errors"][0]
    assert [(p["field"], p["code"]) for p in error["extensions"]["problems"]] == [
        (["filter", "near", "place"], "TOO_LONG")
    ]
    assert len(answer["errors"][0]["message"]) < 300


async def test_nearest_needs_a_place_to_be_near(client, catalogue):
    answer = await gql(client, SEARCH, {"filter": {}, "order": "NEAREST"})
    assert [p["code"] for p in answer["errors"][0]["extensions"]["problems"]] == ["NEAR_REQUIRED"]


FACETS = """
query($filter: CredentialFilter) {
  searchCredentials(filter: $filter) { totalCount facets { startWindow { value count } scheduleTiming { value count } } }
}
"""


async def test_offering_facets_count_each_listing_once_per_value_ignoring_their_own_filter(client, catalogue):
    wanted = {
        "scheduleTimings": ["EVENING"],
        "startsBetween": {"from": str(TODAY), "to": str(TODAY + timedelta(days=30))},
    }
    result = (await gql(client, FACETS, {"filter": wanted}))["data"]["searchCredentials"]
    timings = {v["value"]: v["count"] for v in result["facets"]["scheduleTiming"]}
    windows = {v["value"]: v["count"] for v in result["facets"]["startWindow"]}
    # Timings over the listings with an offering starting within 30 days (D's rolling intake too; not F's,
    # cancelled): B, C and G by day, A and E in the evening, D on weekends.
    assert timings == {"DAYTIME": 3, "EVENING": 2, "WEEKEND": 1}
    # Windows over the listings with an evening offering (A, E), whatever their start:
    assert windows == {"NEXT_30_DAYS": 2, "NEXT_90_DAYS": 2}
    assert result["totalCount"] == 2


async def test_start_windows_are_cumulative_and_a_rolling_intake_is_any_time(client, catalogue):
    result = (await gql(client, FACETS, {}))["data"]["searchCredentials"]
    windows = {v["value"]: v["count"] for v in result["facets"]["startWindow"]}
    assert windows == {"NEXT_30_DAYS": 5, "NEXT_90_DAYS": 5, "LATER": 2, "ANY_TIME": 1}


async def test_nearest_pages_follow_one_another_and_tied_listings_come_by_id(client, db, catalogue):
    provider = (await db.fetchrow("select provider_id from credentials where external_id = 'A'"))[0]
    for key in ("H", "I"):  # at A's very place: tied with it
        credential_id = await _publish(db, provider, key)
        changes = OfferingChanges(
            external_id=f"{key.lower()}1",
            start_date=IN_RANGE,
            delivery_mode="IN_PERSON",
            place=place("Sudbury", 46.5194, -80.95),
        )
        assert (await offerings.add(db, OPERATOR, credential_id, changes)).ok
    wanted = {"near": {"place": "Sudbury, ON", "withinKm": 50}}
    whole = [node["externalId"] for node in await _found(client, wanted, "NEAREST")]
    paged, after = [], None
    while True:
        answer = await gql(client, PAGED, {"filter": wanted, "after": after})
        result = answer["data"]["searchCredentials"]
        paged += [node["externalId"] for node in result["nodes"]]
        if not result["pageInfo"]["hasNextPage"]:
            break
        after = result["pageInfo"]["endCursor"]
    assert paged == whole and len(whole) >= 6
    ids = {row["external_id"]: row["id"] for row in await db.fetch("select external_id, id from credentials")}
    tied = [key for key in whole if key in {"A", "H", "I"}]
    assert tied == sorted(tied, key=lambda key: ids[key]) and len(tied) == 3


async def test_a_nearest_cursor_is_refused_near_another_point(client, catalogue):
    sudbury = {"near": {"place": "Sudbury, ON", "withinKm": 500}}
    first = (await gql(client, PAGED, {"filter": sudbury}))["data"]["searchCredentials"]
    after = first["pageInfo"]["endCursor"]
    wider = {"near": {"place": "Sudbury, ON", "withinKm": 800}}  # the same point: its distances still hold
    assert "errors" not in await gql(client, PAGED, {"filter": wider, "after": after})
    elsewhere = {"near": {"place": "Toronto, ON", "withinKm": 500}}
    refused = await gql(client, PAGED, {"filter": elsewhere, "after": after})
    assert refused["data"] is None and refused["errors"][0]["extensions"]["field"] == "after"


async def test_nearest_first_with_registration_open_finds_the_offerings_that_take_registrations(client, catalogue):
    wanted = {"near": {"place": "Sudbury, ON", "withinKm": 50}, "registrationOpen": True}
    found = [node["externalId"] for node in await _found(client, wanted, "NEAREST")]
    assert set(found) == {node["externalId"] for node in await _found(client, wanted)} == {"A", "C", "D", "G"}


async def test_nearest_first_with_words_finds_the_listings_with_them_nearest_first(client, catalogue):
    near = {"near": {"place": "Sudbury, ON", "withinKm": 50}}
    with_words = [node["externalId"] for node in await _found_with_words(client, "safety", near, "NEAREST")]
    without = [node["externalId"] for node in await _found(client, near, "NEAREST")]
    assert with_words == without and len(without) >= 3  # every listing here is about mining safety
    assert await _found_with_words(client, "welding", near, "NEAREST") == []


async def _found_with_words(client, words: str, filter: dict, order: str) -> list[dict]:
    answer = await gql(
        client,
        "query($q: String, $filter: CredentialFilter, $order: CredentialOrder) {"
        " searchCredentials(query: $q, filter: $filter, orderBy: $order, first: 50) { nodes { externalId } } }",
        {"q": words, "filter": filter, "order": order},
    )
    assert "errors" not in answer, answer
    return answer["data"]["searchCredentials"]["nodes"]


async def test_the_total_of_a_search_on_offerings_counts_offerings_just_added(client, catalogue):
    near = {"near": {"place": "Sudbury, ON", "withinKm": 50}}  # counted from the offerings' own index
    answer = await gql(
        client,
        "query($filter: CredentialFilter) { searchCredentials(filter: $filter, first: 50) { totalCount nodes { id } } }",
        {"filter": near},
    )
    found = answer["data"]["searchCredentials"]
    assert found["totalCount"] == len(found["nodes"]) >= 3


async def test_nearest_first_orders_listings_at_the_same_campus_by_id_across_pages(client, db):
    # More listings at one point than a page reads of the nearest offerings (8 a listing shown):
    # every distance ties, so the order is the listings' IDs, page after page.
    provider = await providers.create(
        db, slug="college-boreal", name={"fr": "Collège Boréal"}, kind="COLLEGE", jurisdiction="CA-ON"
    )
    campus = place("Sudbury", 46.5194, -80.95)
    listings = [await _publish(db, provider.id, f"K{n}") for n in range(24)]
    for listing in listings:
        changes = OfferingChanges(external_id="k", start_date=IN_RANGE, delivery_mode="IN_PERSON", place=campus)
        assert (await offerings.add(db, OPERATOR, listing, changes)).ok
    walked, after = [], None
    while True:
        filter = {"near": {"latitude": 46.5, "longitude": -80.9, "withinKm": 20}}
        answer = await gql(client, PAGED, {"filter": filter, "after": after})
        found = answer["data"]["searchCredentials"]
        walked += [node["externalId"] for node in found["nodes"]]
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]
    by_id = {listing: f"K{n}" for n, listing in enumerate(listings)}
    assert walked == [by_id[listing] for listing in sorted(listings)]


async def test_two_searches_in_one_request_measure_distances_from_their_own_points(client, catalogue):
    answer = await gql(
        client,
        "query($sudbury: CredentialFilter, $toronto: CredentialFilter) {"
        " sudbury: searchCredentials(filter: $sudbury, orderBy: NEAREST) { nodes { offerings { externalId distanceKm } } }"
        " toronto: searchCredentials(filter: $toronto, orderBy: NEAREST) { nodes { offerings { externalId distanceKm } } }"
        " }",
        {
            "sudbury": {"near": {"place": "Sudbury, ON", "withinKm": 30}},
            "toronto": {"near": {"place": "Toronto, ON", "withinKm": 30}},
        },
    )
    assert "errors" not in answer, answer
    distances = {
        search: {o["externalId"]: o["distanceKm"] for node in found["nodes"] for o in node["offerings"]}
        for search, found in answer["data"].items()
    }
    assert distances["sudbury"]["a1"] == pytest.approx(haversine_km(46.49, -80.99001, 46.5194, -80.95), abs=1e-6)
    assert distances["toronto"]["c2"] < 10 < distances["sudbury"]["c2"]  # C runs in Toronto and near Sudbury
