"""The demo's offerings: most listings have some, at real places of their province; some
rolling, full, cancelled or over; the same every time for the same seed and day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from registry.demo.generator import generate
from registry.interop.gazetteer import resolve
from registry.services.seeding import seed

DAY = date(2026, 12, 1)


def test_most_demo_listings_have_offerings_of_every_kind():
    demo = generate(200, seed=1, today=DAY)
    with_offerings = {o.credential_id for o in demo.offerings}
    assert 0.6 < len(with_offerings) / len(demo.credentials) < 0.9
    assert any(o.start_date is None for o in demo.offerings)  # rolling
    assert any(o.cancelled_at is not None for o in demo.offerings)
    assert any(o.availability == "FULL" for o in demo.offerings)
    assert any(o.start_date is not None and o.start_date < DAY for o in demo.offerings)  # over or under way


def test_demo_offerings_are_at_real_places_of_their_province():
    demo = generate(100, seed=1, today=DAY)
    for offering in (o for o in demo.offerings if o.place is not None):
        found = resolve(f"{offering.place.municipality}, {offering.place.region[3:]}")
        assert found is not None and abs(found.latitude - offering.place.latitude) < 0.05


def test_the_same_seed_and_day_give_the_same_offerings_and_leave_the_listings_as_they_were():
    first, again = generate(50, seed=3, today=DAY), generate(50, seed=3, today=DAY)
    assert first.offerings == again.offerings
    later = generate(50, seed=3, today=date(2027, 6, 1)).credentials
    # Only what is dated from today differs: when each was last confirmed current.
    assert [replace(c, last_verified_at=None) for c in later] == [
        replace(c, last_verified_at=None) for c in first.credentials
    ]


async def test_seeding_loads_the_offerings_with_their_history_and_feed_entries(db):
    await seed(db, 30)
    offerings = await db.fetchval("select count(*) from offerings")
    versions = await db.fetchval("select count(*) from offering_versions")
    cancelled = await db.fetchval("select count(*) from offerings where cancelled_at is not null")
    announced = await db.fetchval("select count(*) from changes where offering_id is not null")
    assert offerings > 0 and versions == offerings + cancelled == announced
