"""The demo's listings were confirmed current at different times: a few are stale."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from registry.demo.generator import generate
from registry.domain.currency import DEFAULT_STALE_AFTER_DAYS, is_stale

DAY = date(2026, 12, 1)


def test_about_one_demo_listing_in_ten_is_stale_and_none_was_confirmed_before_its_last_write():
    listings = generate(2000, seed=1, today=DAY).credentials
    noon = datetime.combine(DAY, time(12), tzinfo=timezone.utc)
    stale = [c for c in listings if is_stale(c.last_verified_at, noon, DEFAULT_STALE_AFTER_DAYS)]
    assert 0.03 < len(stale) / len(listings) < 0.12
    assert all(c.last_verified_at is not None and c.last_verified_at >= c.updated_at for c in listings)
