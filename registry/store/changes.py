"""The change feed: every change of a listing, in an order that never changes behind a reader.

A position is (txid, seq). Only changes of transactions older than the oldest one still
running are handed out (pg_snapshot_xmin of the current snapshot): those transactions have
all ended, so no change can ever appear before a position a reader has passed. Within that
fence changes come in (txid, seq) order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from registry.db import Executor
from registry.domain.search import Visibility
from registry.store.sql import Params
from registry.store.visibility import entry_visible

Position = tuple[int, int]  # (txid, seq)


@dataclass(frozen=True)
class Change:
    """One entry of the change feed."""

    position: Position
    credential_id: UUID
    version: int
    kind: str
    at: datetime
    recognition_id: UUID | None


async def read(
    db: Executor,
    *,
    after: Position | None,
    first: int,
    viewer: Visibility,
    jurisdiction: str | None = None,
    kinds: list[str] | None = None,
) -> tuple[list[Change], bool]:
    """Up to ``first`` changes after ``after`` that the viewer may see; and whether more follow."""
    p = Params()
    conditions = ["ch.txid < pg_snapshot_xmin(pg_current_snapshot())"]
    if after is not None:
        conditions.append(f"(ch.txid, ch.seq) > ({p.add(after[0])}::xid8, {p.add(after[1])}::bigint)")
    # Public readers see changes made while the listing was public; owners and operators see all of theirs.
    conditions.append(entry_visible(p, viewer, "ch.listed"))
    if jurisdiction:
        conditions.append(f"in_jurisdiction(pr.jurisdiction, c.regions, {p.add(jurisdiction)})")
    if kinds:
        conditions.append(f"ch.kind::text = any({p.add(list(kinds))}::text[])")
    limit = p.add(first + 1)
    rows = await db.fetch(
        f"select ch.txid::text as txid, ch.seq, ch.credential_id, ch.version, ch.kind::text as kind, ch.at,"
        f" ch.recognition_id from changes ch join credentials c on c.id = ch.credential_id"
        f" join providers pr on pr.id = c.provider_id"
        f" where {' and '.join(conditions)} order by ch.txid, ch.seq limit {limit}",
        *p.values,
    )
    changes = [
        Change((int(r["txid"]), r["seq"]), r["credential_id"], r["version"], r["kind"], r["at"], r["recognition_id"])
        for r in rows[:first]
    ]
    return changes, len(rows) > first
