"""Any mix of offering conditions finds, over GraphQL, exactly the demo listings that an
independent computation over the same rows finds (written here: its own haversine, its own
time zones for an offering's "today"); nearest first in the same order."""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.support.listings import gql

SEARCH = """
query($filter: CredentialFilter, $order: CredentialOrder) {
  searchCredentials(filter: $filter, orderBy: $order, first: 100) { totalCount nodes { id } }
}
"""
EARTH_KM = 6378.168  # PostgreSQL's earthdistance sphere
# Each province's clock, as a learner there reads it (one zone each, the most populous).
ZONES = {
    "CA-NL": "America/St_Johns",
    "CA-NS": "America/Halifax",
    "CA-PE": "America/Halifax",
    "CA-NB": "America/Moncton",
    "CA-QC": "America/Montreal",
    "CA-ON": "America/Toronto",
    "CA-MB": "America/Winnipeg",
    "CA-SK": "America/Regina",
    "CA-AB": "America/Edmonton",
    "CA-BC": "America/Vancouver",
    "CA-YT": "America/Whitehorse",
    "CA-NT": "America/Yellowknife",
    "CA-NU": "America/Iqaluit",
}
TAKING_REGISTRATIONS = {"OPEN", "FEW_SEATS", "WAITLIST"}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(a))


@dataclass
class Run:
    """One offering row, as the computation below reads it."""

    listing: UUID
    row: asyncpg.Record
    listing_region: str | None

    def today(self, now: datetime) -> date:
        region = self.row["region"] or self.listing_region
        return now.astimezone(ZoneInfo(ZONES.get(region or "", "America/Toronto"))).date()

    def distance(self, near: dict) -> float | None:
        if self.row["delivery_mode"] == "ONLINE" or self.row["latitude"] is None:
            return None
        return haversine_km(near["latitude"], near["longitude"], self.row["latitude"], self.row["longitude"])

    def meets(self, f: dict, now: datetime) -> bool:
        """Whether this one offering meets every condition of ``f`` asked for as true."""
        o, today = self.row, self.today(now)
        if not self.live(now):
            return False
        if "startsBetween" in f and o["start_date"] is not None:
            window = f["startsBetween"]
            if not date.fromisoformat(window["from"]) <= o["start_date"] <= date.fromisoformat(window["to"]):
                return False
        if f.get("registrationOpen") and not self.takes_registrations(today):
            return False
        if f.get("seatsAvailable") and not self.has_seats():
            return False
        if "scheduleTimings" in f and not set(f["scheduleTimings"]) & set(o["timings"]):
            return False
        if "near" in f:
            km = self.distance(f["near"])
            return km is not None and km <= f["near"]["withinKm"]
        return True

    def live(self, now: datetime) -> bool:
        """Not cancelled, and its last day (its start without an end) not before its today."""
        last_day = self.row["end_date"] or self.row["start_date"]
        return self.row["cancelled_at"] is None and (last_day is None or last_day >= self.today(now))

    def takes_registrations(self, today: date) -> bool:
        o = self.row
        return (
            o["availability"] in TAKING_REGISTRATIONS
            and (o["registration_opens"] is None or o["registration_opens"] <= today)
            and (o["registration_deadline"] is None or o["registration_deadline"] >= today)
            and (o["end_date"] or o["start_date"] or today) >= today
        )

    def has_seats(self) -> bool:
        o = self.row
        return o["availability"] not in ("FULL", "CLOSED") and (
            o["seats_available"] is None or o["seats_available"] > 0
        )


@pytest.fixture(scope="module")
async def rows(demo_dsn):
    """(published listing ID -> its first region, every offering of them, the places they run at,
    published listing ID -> all its regions)."""
    conn = await asyncpg.connect(demo_dsn)
    try:
        listings = await conn.fetch("select id, regions from credentials where status = 'PUBLISHED'")
        offerings = await conn.fetch(
            "select o.*, o.delivery_mode::text as delivery_mode, o.availability::text as availability,"
            " o.schedule_timings::text[] as timings from offerings o"
        )
    finally:
        await conn.close()
    regions = {r["id"]: (r["regions"] or [None])[0] for r in listings}
    runs = [Run(o["credential_id"], o, regions[o["credential_id"]]) for o in offerings if o["credential_id"] in regions]
    places = sorted({(o["latitude"], o["longitude"]) for o in offerings if o["latitude"] is not None})
    return regions, runs, places, {r["id"]: set(r["regions"] or []) for r in listings}


def _filters(places: list[tuple[float, float]]) -> st.SearchStrategy[dict]:
    today = date.today()
    point = st.sampled_from(places) | st.tuples(st.floats(42, 60), st.floats(-130, -55))
    near = st.builds(
        lambda p, km: {"latitude": p[0], "longitude": p[1], "withinKm": km},
        point,
        st.sampled_from([5.0, 30.0, 80.0, 250.0, 1200.0]),
    )
    window = st.builds(
        lambda start, days: {
            "from": str(today + timedelta(days=start)),
            "to": str(today + timedelta(days=start + days)),
        },
        st.integers(-150, 200),
        st.integers(0, 120),
    )
    timings = st.lists(st.sampled_from(["DAYTIME", "EVENING", "WEEKEND"]), min_size=1, max_size=2, unique=True)
    return st.fixed_dictionaries(
        {},
        optional={
            "near": near,
            "startsBetween": window,
            "registrationOpen": st.booleans(),
            "seatsAvailable": st.booleans(),
            "scheduleTimings": timings,
        },
    ).filter(bool)


def _expected(f: dict, regions: dict, runs: list[Run], now: datetime) -> dict[UUID, float | None]:
    """Listing -> the distance of its nearest offering that meets ``f`` (None without ``near``)."""
    if not _held(f):
        found: dict[UUID, float | None] = dict.fromkeys(regions)
    else:
        found = {}
        for run in runs:
            if run.meets(f, now):
                km = run.distance(f["near"]) if "near" in f else None
                best = found.get(run.listing)
                found[run.listing] = km if best is None or (km is not None and km < best) else best
    if f.get("registrationOpen") is False:  # no live offering takes registrations
        found = _without(found, {r.listing for r in runs if r.live(now) and r.takes_registrations(r.today(now))})
    if f.get("seatsAvailable") is False:  # no live offering has seats left
        found = _without(found, {r.listing for r in runs if r.live(now) and r.has_seats()})
    return found


def _without(found: dict[UUID, float | None], listings: set[UUID]) -> dict[UUID, float | None]:
    return {listing: km for listing, km in found.items() if listing not in listings}


def _held(f: dict) -> bool:
    """Whether ``f`` asks something of one offering (a condition asked for as true)."""
    return any(
        f.get(name) for name in ("near", "startsBetween", "registrationOpen", "seatsAvailable", "scheduleTimings")
    )


def _nearest_first(expected: dict[UUID, float | None]) -> list[UUID]:
    """The listings by distance (to a micrometre: floating point), then by ID, as pages order them."""
    return sorted(expected, key=lambda listing: (round(expected[listing] or 0.0, 6), listing))


def _near_boundary(f: dict, runs: list[Run]) -> bool:
    """An offering within a metre of the distance asked for: floating point may put it on either side."""
    if "near" not in f:
        return False
    return any((km := r.distance(f["near"])) is not None and abs(km - f["near"]["withinKm"]) < 1e-3 for r in runs)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
async def test_offering_conditions_find_what_an_independent_computation_finds(demo_client, rows, data):
    regions, runs, places, _ = rows
    f = data.draw(_filters(places))
    assume(not _near_boundary(f, runs))
    order = "NEAREST" if "near" in f else data.draw(st.sampled_from(["SOONEST_START", "NEWEST", "RELEVANCE"]))
    before = datetime.now(timezone.utc)
    answer = await gql(demo_client, SEARCH, {"filter": f, "order": order})
    after = datetime.now(timezone.utc)
    assert "errors" not in answer, answer
    expected = _expected(f, regions, runs, before)
    assume(expected == _expected(f, regions, runs, after))  # not across a midnight somewhere
    found = answer["data"]["searchCredentials"]
    ids = {_global_id(listing): listing for listing in regions}
    shown = [ids[node["id"]] for node in found["nodes"]]
    assert found["totalCount"] == len(expected)
    assert set(shown) <= set(expected) and len(shown) == min(100, len(expected))
    if order == "NEAREST":
        assert shown == _nearest_first(expected)[:100]


def _global_id(listing: UUID) -> str:
    return base64.urlsafe_b64encode(f"Credential:{listing}".encode()).decode().rstrip("=")


PAGED = """
query($filter: CredentialFilter, $first: Int, $after: String) {
  searchCredentials(filter: $filter, orderBy: NEAREST, first: $first, after: $after) {
    nodes { id } pageInfo { hasNextPage endCursor }
  }
}
"""


def _wide_near(places: list[tuple[float, float]]) -> st.SearchStrategy[dict]:
    """Near a demo place, far enough to find more listings than a few small pages hold."""
    return st.builds(
        lambda p, km: {"near": {"latitude": p[0], "longitude": p[1], "withinKm": km}},
        st.sampled_from(places),
        st.sampled_from([250.0, 600.0, 1200.0]),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
async def test_nearest_first_in_small_pages_walks_what_an_independent_computation_orders(demo_client, rows, data):
    regions, runs, places, all_regions = rows
    f = data.draw(_wide_near(places))
    assume(not _near_boundary(f, runs))
    size = data.draw(st.sampled_from([1, 2, 5]))
    served = data.draw(st.none() | st.sampled_from([["CA-ON"], ["CA-QC"], ["CA-MB", "CA-SK"]]))
    now = datetime.now(timezone.utc)
    expected = _expected(f, regions, runs, now)
    if served is not None:  # a condition on the listings themselves, which turns some nearest ones away
        f["regions"] = served
        expected = {listing: km for listing, km in expected.items() if all_regions[listing] & set(served)}
    nearest_first = _nearest_first(expected)
    ids = {_global_id(listing): listing for listing in regions}
    walked: list[UUID] = []
    after = None
    for _ in range(12):  # the first pages come from the nearest offerings, later ones from every one
        answer = await gql(demo_client, PAGED, {"filter": f, "first": size, "after": after})
        assert "errors" not in answer, answer
        found = answer["data"]["searchCredentials"]
        walked += [ids[node["id"]] for node in found["nodes"]]
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]
    assert walked == nearest_first[: len(walked)]
    assert len(walked) == min(len(nearest_first), 12 * size)
