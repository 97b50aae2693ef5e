"""What day it is in a region: the date in the region's time zone, the registry's own for any
other region."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from registry.domain.local_dates import DEFAULT_ZONE, REGION_ZONES, local_today

# 03:30 UTC on 2 December: still the 1st in every Canadian time zone but Newfoundland's (00:00).
EARLY_UTC = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)


def test_today_is_the_date_in_the_region_s_time_zone():
    assert local_today("CA-NL", EARLY_UTC) == date(2026, 12, 2)
    assert local_today("CA-BC", EARLY_UTC) == date(2026, 12, 1)


def test_a_region_without_a_zone_of_its_own_has_the_registry_s():
    assert local_today("FR-75", EARLY_UTC) == local_today(None, EARLY_UTC) == local_today("CA-ON", EARLY_UTC)


@pytest.mark.parametrize("zone", sorted({*REGION_ZONES.values(), DEFAULT_ZONE}))
@pytest.mark.parametrize("season", [datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC)])
def test_every_zone_is_behind_utc_all_year(zone, season):
    # The searches rely on it: a date in any of these zones is UTC's or the day before
    # (store.search._not_ended computes a run's own date only for a last day that is the day before).
    offset = season.astimezone(ZoneInfo(zone)).utcoffset()
    assert offset is not None and offset.total_seconds() < 0
