"""Facet counts and totals of searches, from a per-process index kept exact by PostgreSQL.

Each process holds one `FacetIndex` (registry/domain/facet_index.py) of every listing. Every
count first asks PostgreSQL, in the statement that also finds the search's text matches, what
changed since the snapshot the index is in step with, and applies it: so a count always
reflects every change committed before the request began, in every process, without waiting
for a notice. More than REBUILD_ABOVE changes at once (a bulk load) read everything again.
Filters the index does not model (a cost ceiling or workload range other than the facets'),
and every count while the index is being built, are counted by PostgreSQL as before
(`store.search.facets`): the same answer, slower.

What it costs: the index is built when the app starts, and again on a new day (recognitions
in force change) or after a bulk load: one grouped statement per dimension over the listings
(about 2 s per 100,000 listings here). It holds one compressed bitmap per value of each
dimension.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import date
from typing import Sequence

from pyroaring import BitMap

from registry.db import Database, Executor
from registry.domain.facet_index import FacetIndex, plan
from registry.domain.search import FACETS, FacetCount, SearchRequest, Visibility
from registry.store import facet_changes, search
from registry.store.facet_changes import Changes, Matching, Snapshot

REBUILD_ABOVE = 10_000
log = logging.getLogger(__name__)


class LiveFacetIndex:
    """A facet index of every listing, in step with the database at each count.

    It is built from ``primary`` in the background: at start (``warm``), on a later day
    (recognitions in force change at midnight) and after more than ``rebuild_above`` changes
    at once. Until a build is done, PostgreSQL counts (the same answer, slower)."""

    def __init__(self, primary: Database, *, rebuild_above: int = REBUILD_ABOVE) -> None:
        self.primary, self.rebuild_above = primary, rebuild_above
        self._index: FacetIndex | None = None
        self._snapshot: Snapshot | None = None
        self._build_task: asyncio.Task[None] | None = None
        self._rebuilt_for: date | None = None
        self.answered: Counter[str] = Counter()  # counts answered "by index" and "by postgresql"

    async def counts(
        self,
        db: Executor,
        request: SearchRequest,
        viewer: Visibility,
        mode: search.MatchMode,
        names: Sequence[str] | None = None,
    ) -> tuple[dict[str, list[FacetCount]], int]:
        """(counts per value of the facets in ``names`` (all when None; none for just the
        total), how many listings match): the same answer as ``store.search.facets``."""
        wanted = [name for name in FACETS if names is None or name in names]
        how = plan(request.filter, viewer)
        snapshot = self._snapshot
        if how is not None and snapshot is not None:
            matching = None
            if request.text is not None or how.needs_sql:
                matching = Matching(SearchRequest(query=request.query, filter=how.sql_filter), viewer, mode)
            changes = await facet_changes.since(db, snapshot, self.rebuild_above, matching)
            index = self._apply(changes, snapshot)
            if index is not None:
                self.answered["by index"] += 1
                return index.counts(how, wanted, None if matching is None else BitMap(changes.ordinals or ()))
        elif snapshot is None:
            self._build()
        self.answered["by postgresql"] += 1
        counts, total = await search.facets(db, request, viewer, mode, wanted, with_total=True)
        return counts, total or 0

    def start(self) -> None:
        """Start building the index in the background (the app does when it starts)."""
        self._build()

    async def warm(self) -> None:
        """Build the index and wait for it."""
        await self._build()

    async def stop(self) -> None:
        """Stop a build in progress (when the app stops)."""
        if self._build_task is not None:
            self._build_task.cancel()
            await asyncio.gather(self._build_task, return_exceptions=True)

    def _build(self) -> asyncio.Task[None]:
        """The build in progress, or a new one."""
        if self._build_task is None or self._build_task.done():
            self._build_task = asyncio.create_task(self._read_everything())
            self._build_task.add_done_callback(_report_failure)
        return self._build_task

    async def _read_everything(self) -> None:
        snapshot, today, sets, names = await facet_changes.everything(self.primary)
        index = FacetIndex.of(today, sets)
        for party_id, name in names.items():
            index.name(party_id, name)
        self._index, self._snapshot = index, snapshot
        log.info("facet index: %d listings", len(index))

    def _apply(self, changes: Changes, seen: Snapshot) -> FacetIndex | None:
        """The index brought to ``changes`` (read since ``seen``), or as it is when another
        count brought it further; None when it must be read again (too much changed, or the
        day did): PostgreSQL counts until then."""
        index = self._index
        if index is None or self._snapshot is None:
            return None
        if changes.listings is None or self._new_day(index, changes.today):
            if self._snapshot is seen:  # nobody else started a build since this count began
                self._index = self._snapshot = None
                self._build()
            return None
        if changes.snapshot.sees_all_of(self._snapshot):
            for ordinal, listing in changes.listings:
                index.put(ordinal, listing)
            for party_id, name in changes.names.items():
                index.name(party_id, name)
            self._snapshot = changes.snapshot
        return index

    def _new_day(self, index: FacetIndex, today: date) -> bool:
        """Whether a count on ``today`` should read everything again: a later day than the
        index counts for, once per day (were the primary's day behind a replica's, whose time
        zone differs, reading again would not catch up)."""
        if today <= index.today or today == self._rebuilt_for:
            return False
        self._rebuilt_for = today
        return True


def _report_failure(build: asyncio.Task[None]) -> None:
    if not build.cancelled() and build.exception() is not None:
        # Counts fall back to PostgreSQL, and the next one tries to build it again.
        log.error("facet index: not built", exc_info=build.exception())


async def summary(
    index: LiveFacetIndex | None,
    db: Executor,
    request: SearchRequest,
    viewer: Visibility,
    mode: search.MatchMode,
    names: Sequence[str] | None,
) -> tuple[dict[str, list[FacetCount]], int]:
    """(facet counts of ``names``, all when None; the total) of a search: from ``index``, or
    from PostgreSQL without one (just the total, cheaper, when no facet is asked for)."""
    if index is not None:
        return await index.counts(db, request, viewer, mode, names)
    if names is not None and not names:
        return {name: [] for name in FACETS}, await search.count(db, request, viewer, mode)
    counts, total = await search.facets(db, request, viewer, mode, names, with_total=True)
    return counts, total or 0
