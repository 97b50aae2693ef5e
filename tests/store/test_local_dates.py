"""PostgreSQL's ``local_today(region)`` (what the searches compare offerings' dates with) and
the domain's ``local_today`` (what the listing's offerings, its next start and its calendar
use) are the same rule: the same time zone for every region, the same one for the rest."""

from __future__ import annotations

import re

import pytest

from registry.domain.local_dates import DEFAULT_ZONE, REGION_ZONES, local_today


async def test_postgresql_s_local_today_has_the_domain_s_time_zones(db):
    source = await db.fetchval("select prosrc from pg_proc where proname = 'local_today'")
    zones = dict(re.findall(r"when '([^']+)' then '([^']+)'", source))
    (default,) = re.findall(r"else '([^']+)'", source)
    assert zones == REGION_ZONES and default == DEFAULT_ZONE


@pytest.mark.parametrize("region", [*sorted(REGION_ZONES), "FR-75", None])
async def test_postgresql_and_the_domain_agree_on_today_in_a_region(db, region):
    row = await db.fetchrow("select now() as now, local_today($1) as today", region)
    assert row["today"] == local_today(region, row["now"])
