"""Reading every published listing in one pass, for the bulk export."""

from __future__ import annotations

from datetime import datetime
from typing import AsyncIterator

import asyncpg

from registry.db import Executor
from registry.store import credentials
from registry.store.sql import Params


async def published_listings(
    db: Executor, *, jurisdiction: str | None, updated_since: datetime | None
) -> AsyncIterator[asyncpg.Record]:
    """Published listings (oldest change first) with their provider and taxonomy codes, streamed."""
    p = Params()
    conditions = ["c.status = 'PUBLISHED'"]
    if jurisdiction:
        conditions.append(f"in_jurisdiction(pr.jurisdiction, c.regions, {p.add(jurisdiction)})")
    if updated_since:
        conditions.append(f"c.updated_at >= {p.add(updated_since)}::timestamptz")
    sql = f"""
      select {credentials.COLUMNS},
             pr.slug as provider_slug, pr.name as provider_name, pr.jurisdiction as provider_jurisdiction,
             coalesce((select jsonb_agg(jsonb_build_object('scheme', s.scheme, 'code', s.code) order by cs.position)
                         from credential_skills cs join skills s on s.id = cs.skill_id
                        where cs.credential_id = c.id), '[]') as skills,
             coalesce((select jsonb_agg(jsonb_build_object('scheme', o.scheme, 'code', o.code) order by co.position)
                         from credential_occupations co join occupations o on o.id = co.occupation_id
                        where co.credential_id = c.id), '[]') as occupations
        from credentials c join providers pr on pr.id = c.provider_id
       where {' and '.join(conditions)}
       order by c.updated_at, c.id
    """
    async for row in db.stream(sql, *p.values):
        yield row
