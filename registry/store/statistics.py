"""Counts over the published listings, for the statistics of ministry staff."""

from __future__ import annotations

from registry.db import Executor
from registry.store.recognitions import ACTIVE

# Dimension -> the key of one published listing in it (`pub` joins listings and providers).
DIMENSIONS = {
    "province": "pub.jurisdiction",
    "deliveryMode": "pub.delivery_mode::text",
    "providerKind": "pub.kind::text",
    "recognized": f"(exists (select 1 from recognitions r where r.credential_id = pub.id and {ACTIVE}))::text",
}


async def published_counts(db: Executor, months: int) -> dict[str, list[tuple[str, int]]]:
    """Published listings counted per key of each dimension (largest first), and per month of
    publication over the last ``months`` calendar months (oldest first, empty months as 0),
    in one statement."""
    per_dimension = " union all ".join(
        f"select '{name}' as dimension, {key} as key, count(*) as n from pub group by 2"
        for name, key in DIMENSIONS.items()
    )
    rows = await db.fetch(
        f"""
        with pub as materialized (
          select c.id, c.delivery_mode, c.published_at, p.jurisdiction, p.kind
            from credentials c join providers p on p.id = c.provider_id
           where c.status = 'PUBLISHED')
        {per_dimension}
        union all
        select 'month', to_char(m, 'YYYY-MM'),
               (select count(*) from pub where pub.published_at >= m and pub.published_at < m + interval '1 month')
          from generate_series(date_trunc('month', now()) - make_interval(months => $1 - 1),
                               date_trunc('month', now()), interval '1 month') m
        """,
        months,
    )
    found: dict[str, list[tuple[str, int]]] = {name: [] for name in [*DIMENSIONS, "month"]}
    for row in rows:
        found[row["dimension"]].append((row["key"], row["n"]))
    for name in DIMENSIONS:
        found[name].sort(key=lambda pair: (-pair[1], pair[0]))
    found["month"].sort()
    return found
