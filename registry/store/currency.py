"""Confirmations that listings are current, and the reminders that one is due."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Sequence
from uuid import UUID

from registry.db import Executor
from registry.store.visibility import PUBLIC_LISTING


async def confirm(db: Executor, credential_ids: Sequence[UUID]) -> int:
    """Mark listings confirmed now, each with a CONFIRMED change (at its version, which does
    not change); returns how many."""
    confirmed: int = await db.fetchval(
        f"""
        with confirmed as (
          update credentials c set last_verified_at = now(), verification_reminded_at = null
           where c.id = any($1::uuid[]) returning c.id, c.version, {PUBLIC_LISTING} as listed),
        announced as (
          insert into changes (credential_id, version, kind, listed)
          select id, version, 'CONFIRMED', listed from confirmed order by id returning 1)
        select count(*) from announced
        """,
        list(credential_ids),
    )
    return confirmed


async def remind_due(db: Executor, remind_after: timedelta, limit: int) -> int:
    """For up to ``limit`` published listings last confirmed longer than ``remind_after`` ago
    and not yet reminded since: a VERIFICATION_DUE change, for their providers' own webhooks
    only (not listed); returns how many."""
    reminded: int = await db.fetchval(
        """
        with due as (
          select c.id from credentials c
           where c.status = 'PUBLISHED' and c.last_verified_at < now() - $1::interval
             and (c.verification_reminded_at is null or c.verification_reminded_at < c.last_verified_at)
           order by c.last_verified_at limit $2 for update skip locked),
        marked as (
          update credentials c set verification_reminded_at = now() from due
           where c.id = due.id returning c.id, c.version),
        announced as (
          insert into changes (credential_id, version, kind, listed)
          select id, version, 'VERIFICATION_DUE', false from marked order by id returning 1)
        select count(*) from announced
        """,
        remind_after,
        limit,
    )
    return reminded


async def report(db: Executor, stale_after: timedelta, remind_after: timedelta) -> list[dict[str, Any]]:
    """Per provider with published listings: how many it has, how many are stale, how many
    fall due within the reminder window, and its oldest confirmation; most stale first."""
    rows = await db.fetch(
        """
        select p.slug, coalesce(p.name->>'en', p.name->>'fr') as name, p.jurisdiction,
               count(*) as published,
               count(*) filter (where c.last_verified_at < now() - $1::interval) as stale,
               count(*) filter (where c.last_verified_at >= now() - $1::interval
                                  and c.last_verified_at < now() - $2::interval) as due_soon,
               min(c.last_verified_at) as oldest_confirmation
          from credentials c join providers p on p.id = c.provider_id
         where c.status = 'PUBLISHED'
         group by p.id order by stale desc, due_soon desc, p.slug
        """,
        stale_after,
        remind_after,
    )
    return [dict(row) for row in rows]
