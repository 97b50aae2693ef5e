"""What day it is in a region: an offering's dates are calendar dates of its place (of its
listing's region when it is online), so "today" for it is the date in that place's time zone.

The same table is PostgreSQL's ``local_today(region)`` (migration 0026), which the searches
use; ``tests/domain/test_local_dates.py`` holds the two to the same answers for every region.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

# A province that spans several time zones has its most populous one's.
REGION_ZONES = {
    "CA-NL": "America/St_Johns",
    "CA-NS": "America/Halifax",
    "CA-PE": "America/Halifax",
    "CA-NB": "America/Moncton",
    "CA-QC": "America/Toronto",
    "CA-ON": "America/Toronto",
    "CA-MB": "America/Winnipeg",
    "CA-SK": "America/Regina",
    "CA-AB": "America/Edmonton",
    "CA-BC": "America/Vancouver",
    "CA-YT": "America/Whitehorse",
    "CA-NT": "America/Yellowknife",
    "CA-NU": "America/Iqaluit",
}
# Anything else (another country's region, none at all): the registry's own.
DEFAULT_ZONE = "America/Toronto"
_ZONES = sorted({*REGION_ZONES.values(), DEFAULT_ZONE})


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_today(region: str | None, now: datetime) -> date:
    """The calendar date at the instant ``now`` (timezone-aware) in ``region``'s time zone."""
    return now.astimezone(_zone(REGION_ZONES.get(region or "", DEFAULT_ZONE))).date()


def dates_everywhere(now: datetime) -> tuple[date, ...]:
    """The date at the instant ``now`` in each time zone the registry knows, in a fixed order:
    it changes whenever one of them passes midnight."""
    return tuple(now.astimezone(_zone(name)).date() for name in _ZONES)


def registry_today() -> date:
    """The date now in the registry's own time zone: where a date is not one offering's (the
    search page's "starts within" windows), the registry's, never the host's."""
    return local_today(None, datetime.now(UTC))
