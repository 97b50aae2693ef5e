"""Whether a listing is still current: its provider confirms it (or writes it) at least once
every so many days, or it is stale; the provider is reminded some days before."""

from __future__ import annotations

from datetime import datetime, timedelta

DEFAULT_STALE_AFTER_DAYS = 365
REMIND_DAYS_BEFORE = 30
MAX_CONFIRM = 1000  # listings per confirmCredentials


def is_stale(last_verified_at: datetime | None, now: datetime, stale_after_days: int) -> bool:
    """Whether a listing last confirmed at ``last_verified_at`` is stale ``now``."""
    return last_verified_at is not None and last_verified_at < now - timedelta(days=stale_after_days)


def remind_before(stale_after_days: int) -> timedelta:
    """How long after its last confirmation a listing's provider is told it is due again."""
    return timedelta(days=max(0, stale_after_days - REMIND_DAYS_BEFORE))
