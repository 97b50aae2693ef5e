"""What day it is in a region: an offering's dates are calendar dates of its place (of its
listing's region when it is online), so "today" for it is the date in that place's time zone.

The searches read the same dates (``dates_by_region``, a parameter of their statements), not
PostgreSQL's time zone database: a server's copy can be older or newer than the tzdata package
(since tzdata 2026.3, Alberta and the Northwest Territories keep UTC-6 all year, and since
2026.5 Manitoba keeps UTC-5; the embedded server's copy has the first change and not the
second), and the search, the pages and the calendars must agree on the day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
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
ZONES = sorted({*REGION_ZONES.values(), DEFAULT_ZONE})  # every time zone the registry knows


@cache
def _zone(name: str) -> ZoneInfo:
    """``name`` as the tzdata package has it, not the host's time zone database: the package is
    pinned to a current IANA release, and a host's may be years old (Debian's on the CI machine,
    2025b, still had Alberta on UTC-7 in winter)."""
    with resources.files("tzdata").joinpath("zoneinfo", *name.split("/")).open("rb") as data:
        return ZoneInfo.from_file(data, key=name)


def local_today(region: str | None, now: datetime) -> date:
    """The calendar date at the instant ``now`` (timezone-aware) in ``region``'s time zone."""
    return now.astimezone(_zone(REGION_ZONES.get(region or "", DEFAULT_ZONE))).date()


def dates_by_region(now: datetime) -> dict[str, str]:
    """The date at the instant ``now`` in every region the registry has a time zone for, ISO,
    by region code, and under "" the date everywhere else (``local_today`` as a table)."""
    found = {region: local_today(region, now).isoformat() for region in REGION_ZONES}
    return {**found, "": local_today(None, now).isoformat()}


def dates_everywhere(now: datetime) -> tuple[date, ...]:
    """The date at the instant ``now`` in each time zone the registry knows, in a fixed order:
    it changes whenever one of them passes midnight."""
    return tuple(now.astimezone(_zone(name)).date() for name in ZONES)


def registry_today() -> date:
    """The date now in the registry's own time zone: where a date is not one offering's (the
    search page's "starts within" windows), the registry's, never the host's."""
    return local_today(None, datetime.now(UTC))
