"""Keeping listings current: providers confirm their listings (any write confirms one too),
and the worker reminds them before a listing goes stale."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

from registry.config import Settings
from registry.db import Database
from registry.domain.currency import MAX_CONFIRM, remind_before
from registry.domain.errors import Outcome, Problem
from registry.domain.principals import Principal
from registry.services.listings import locked_own
from registry.store import currency as store

log = logging.getLogger("microcred.currency")
REMINDERS_PER_ROUND = 1000


async def confirm(db: Database, principal: Principal, credential_ids: list[UUID | None]) -> Outcome[int]:
    """Confirm the principal's listings current, all of them or (with a problem per ID that
    is not one of its listings it may change) none."""
    if not credential_ids:
        return Outcome.refused(Problem(("ids",), "REQUIRED", "Give the IDs of the listings to confirm."))
    if len(credential_ids) > MAX_CONFIRM:
        return Outcome.refused(Problem(("ids",), "TOO_MANY", f"Confirm at most {MAX_CONFIRM} listings at a time."))
    async with db.transaction() as tx:
        problems: list[Problem] = []
        for position, credential_id in enumerate(credential_ids):
            listing, missing = await locked_own(tx, principal, credential_id, "ids")
            problems += [Problem(("ids", str(position)), p.code, p.message) for p in missing]
            if listing is not None and listing.status == "RETIRED":
                problems.append(Problem(("ids", str(position)), "RETIRED", "A retired listing is not confirmed."))
        if problems:
            return Outcome.refused(*problems)
        return Outcome(await store.confirm(tx, list(dict.fromkeys(i for i in credential_ids if i))))


async def remind(db: Database, settings: Settings) -> int:
    """Tell providers, by a VERIFICATION_DUE event to their own webhooks, of each published
    listing that goes stale within REMIND_DAYS_BEFORE days (once per confirmation)."""
    total = 0
    while True:
        async with db.transaction() as tx:
            reminded = await store.remind_due(tx, remind_before(settings.stale_after_days), REMINDERS_PER_ROUND)
        total += reminded
        if reminded < REMINDERS_PER_ROUND:
            return total


async def keep_reminding(db: Database, settings: Settings, stop: asyncio.Event, idle_seconds: float = 600.0) -> None:
    """Send due reminders until ``stop`` is set (`microcred worker`, and `serve` with its worker);
    a failed round is logged and tried again later."""
    while not stop.is_set():
        try:
            if reminded := await remind(db, settings):
                log.info("reminded providers of %d listings due for confirmation", reminded)
        except Exception:  # noqa: BLE001 - a worker outlives a bad moment of the database
            log.exception("currency: could not send the due reminders; trying again later")
        try:
            await asyncio.wait_for(stop.wait(), idle_seconds)
        except TimeoutError:
            pass


async def report(db: Database, settings: Settings) -> list[dict[str, Any]]:
    """Per provider: published listings, stale ones, those due within the reminder window."""
    stale_after = timedelta(days=settings.stale_after_days)
    return await store.report(db, stale_after, remind_before(settings.stale_after_days))
