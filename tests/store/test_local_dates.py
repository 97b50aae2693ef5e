"""A search's "today" for an offering (what its SQL compares the offering's dates with) is the
domain's ``local_today``: the same time zone data, whatever PostgreSQL's own copy says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from registry.domain.local_dates import REGION_ZONES, local_today
from registry.store import search
from registry.store.sql import Params

# Every half hour of a winter day and of a summer day: each region's midnight falls in both.
INSTANTS = [
    datetime(2026, month, day, hour, minute, tzinfo=UTC)
    for month, day in ((12, 3), (7, 1))
    for hour in range(24)
    for minute in (0, 30)
]


@pytest.mark.parametrize("region", [*sorted(REGION_ZONES), "FR-75", None])
async def test_a_searchs_today_is_the_domains_in_a_region_at_every_hour(db, region):
    found = []
    for at in INSTANTS:
        p = Params(region)
        p.once("dates", lambda at=at: search._dates_at(at))
        found.append(await db.fetchval(f"select {search._today(p, '$1::text')}", *p.values))
    assert found == [local_today(region, at) for at in INSTANTS]


async def test_a_searchs_utc_date_is_taken_at_the_same_instant(db):
    at = datetime(2026, 12, 3, 5, 30, tzinfo=UTC)  # already the 3rd in UTC, still the 2nd in Vancouver
    p = Params()
    p.once("dates", lambda: search._dates_at(at))
    assert await db.fetchval(f"select {search._utc_today(p)}", *p.values) == at.date()
