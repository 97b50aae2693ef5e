"""Registered persisted queries (APQ documents) by their SHA-256, shared by every process.

The table holds the most recently used documents, at most a number of them and a total size:
each registration that adds a row removes, in the same statement, the least recently used
rows that no longer fit. Only one registration prunes at a time (a transaction-scoped
advisory lock, tried, never waited for), so that two never lock the same old rows in
different orders; one that finds the lock taken leaves the pruning to the next, and the table
exceeds its bounds by at most the registrations that ran concurrently, until then.
"""

from __future__ import annotations

from registry.db import Executor

PRUNE_LOCK = "hashtext('persisted_queries.prune')"


async def register(db: Executor, digest: str, document: str, *, max_documents: int, max_bytes: int) -> None:
    """Keep ``document`` under ``digest`` (its SHA-256) unless it is there already (then
    nothing is written), and prune the least recently used documents beyond the bounds."""
    await db.execute(
        f"""
        with added as (
          insert into persisted_queries (sha256, document) values ($1, $2)
          on conflict (sha256) do nothing
          returning size
        ), pruning as (  -- a row was added, and no other registration is pruning
          select from added where pg_try_advisory_xact_lock({PRUNE_LOCK})
        ), ranked as (  -- the documents there before, newest first; the one added comes before them all
          select sha256, row_number() over recent as rank, sum(size) over recent as bytes
            from persisted_queries
           where exists (select from pruning)
          window recent as (order by last_used_at desc, sha256)
        )
        delete from persisted_queries p using ranked, added
         where p.sha256 = ranked.sha256 and (ranked.rank >= $3 or ranked.bytes + added.size > $4)
        """,
        digest,
        document,
        max_documents,
        max_bytes,
    )


async def use(db: Executor, digest: str) -> str | None:
    """The document registered under ``digest``, marked used now; None when there is none."""
    document: str | None = await db.fetchval(
        "update persisted_queries set last_used_at = now() where sha256 = $1 returning document", digest
    )
    return document
