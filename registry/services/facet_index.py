"""Facet counts and totals of searches, from a per-process index kept exact by PostgreSQL.

Each process holds one `FacetIndex` (registry/domain/facet_index.py) of every listing. Every
count first asks the primary, in the statement that also finds the search's text matches, what
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
import math
import time
from collections import Counter
from typing import Sequence

from pyroaring import BitMap

from registry.db import Database, Executor
from registry.domain.facet_index import FacetIndex, plan
from registry.domain.search import FACETS, SQL_FACETS, FacetCount, SearchRequest, Visibility
from registry.store import facet_changes, search
from registry.store.facet_changes import Changes, Matching, Snapshot

REBUILD_ABOVE = 10_000
log = logging.getLogger(__name__)


class LiveFacetIndex:
    """A facet index of every listing, in step with the primary database at each count.

    It is built from ``primary`` in the background: at start (``start``), on a later day
    (recognitions in force change at midnight) and after more than ``rebuild_above`` changes
    at once. Until a build is done, PostgreSQL counts (the same answer, slower). A failed
    build is tried again by a count at least ``retry_seconds`` later."""

    def __init__(self, primary: Database, *, rebuild_above: int = REBUILD_ABOVE, retry_seconds: float = 30) -> None:
        self.primary, self.rebuild_above, self.retry_seconds = primary, rebuild_above, retry_seconds
        self._index: FacetIndex | None = None
        self._snapshot: Snapshot | None = None
        self._build_task: asyncio.Task[None] | None = None
        self._failed_at = -math.inf
        self._stopped = False
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
        total), how many listings match): the same answer as ``store.search.facets``.

        The changes and the text match are read on the primary, whatever ``db`` is: a
        replica's snapshot does not list the transactions in progress on the primary, so
        changes read against it could be missed for good."""
        wanted = [name for name in FACETS if names is None or name in names]
        how = plan(request.filter, viewer)
        index, snapshot = self._index, self._snapshot
        if how is not None and index is not None and snapshot is not None:
            matching = None
            if request.text is not None or how.needs_sql:
                matching = Matching(SearchRequest(query=request.query, filter=how.sql_filter), viewer, mode)
            changes = await facet_changes.since(self.primary, snapshot, self.rebuild_above, matching)
            index = self._in_step(changes, snapshot)
            if index is not None:
                self.answered["by index"] += 1
                return index.counts(how, wanted, None if matching is None else BitMap(changes.ordinals or ()))
        elif index is None:
            self._build()
        self.answered["by postgresql"] += 1
        counts, total = await search.facets(db, request, viewer, mode, wanted, with_total=True)
        return counts, total or 0

    @property
    def ready(self) -> bool:
        """Whether the index is built and counts (else PostgreSQL does)."""
        return self._index is not None

    def start(self) -> None:
        """Start building the index in the background (the app does when it starts)."""
        self._build()

    async def warm(self) -> None:
        """Build the index and wait for it."""
        await self._build()

    async def stop(self) -> None:
        """Stop a build in progress and start no other (when the app stops)."""
        self._stopped = True
        if self._build_task is not None:
            self._build_task.cancel()
            await asyncio.gather(self._build_task, return_exceptions=True)

    def _build(self) -> asyncio.Future[None]:
        """The build in progress, or a new one (none after ``stop`` or soon after a failure)."""
        if self._build_task is None or self._build_task.done():
            if self._stopped or time.monotonic() - self._failed_at < self.retry_seconds:
                done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                done.set_result(None)
                return done
            self._build_task = asyncio.create_task(self._read_everything())
            self._build_task.add_done_callback(self._report_failure)
        return self._build_task

    async def _read_everything(self) -> None:
        snapshot, today, sets, names = await facet_changes.everything(self.primary)
        index = FacetIndex.of(today, sets)
        for party_id, name in names.items():
            index.name(party_id, name)
        self._index, self._snapshot = index, snapshot
        log.info("facet index: %d listings", len(index))

    def _report_failure(self, build: asyncio.Task[None]) -> None:
        if not build.cancelled() and build.exception() is not None:
            self._failed_at = time.monotonic()
            log.error("facet index: not built; PostgreSQL counts meanwhile", exc_info=build.exception())

    def _in_step(self, changes: Changes, seen: Snapshot) -> FacetIndex | None:
        """The index to count with, once ``changes`` (read since ``seen``) are applied, unless
        a count already applied a later state (counts taken while others write may then see a
        write concurrent with them in the text match but not in the facets, or the reverse).
        None when it must be read again: more than the limit changed, or a new day began (a
        build starts; PostgreSQL counts meanwhile)."""
        index = self._index
        if index is None or self._snapshot is None:
            return None
        if changes.today > index.today or (changes.listings is None and self._snapshot is seen):
            self._index = self._snapshot = None
            self._build()
            return None
        if changes.listings is None:
            return None  # another count has read past these changes: the next one can answer
        if changes.snapshot.sees_all_of(self._snapshot):
            index.put_all(changes.listings)
            for party_id, name in changes.names.items():
                index.name(party_id, name)
            self._snapshot = changes.snapshot
        return index


async def summary(
    index: LiveFacetIndex | None,
    db: Executor,
    request: SearchRequest,
    viewer: Visibility,
    mode: search.MatchMode,
    names: Sequence[str] | None,
) -> tuple[dict[str, list[FacetCount]], int]:
    """(facet counts of ``names``, all when None; the total) of a search: from ``index``, or
    from PostgreSQL without one (just the total, cheaper, when no facet is asked for). The
    SQL_FACETS (offerings, currency) are PostgreSQL's either way."""
    in_sql = [name for name in SQL_FACETS if names is None or name in names]
    listing_names = None if names is None else [name for name in names if name not in SQL_FACETS]
    counts, total = await _listing_summary(index, db, request, viewer, mode, listing_names)
    if in_sql:
        counts = {**counts, **await search.sql_facets(db, request, viewer, mode, in_sql)}
    return {name: counts.get(name, []) for name in (*FACETS, *SQL_FACETS)}, total


async def _listing_summary(
    index: LiveFacetIndex | None,
    db: Executor,
    request: SearchRequest,
    viewer: Visibility,
    mode: search.MatchMode,
    names: Sequence[str] | None,
) -> tuple[dict[str, list[FacetCount]], int]:
    if index is not None:
        return await index.counts(db, request, viewer, mode, names)
    if names is not None and not names:
        return {name: [] for name in FACETS}, await search.count(db, request, viewer, mode)
    counts, total = await search.facets(db, request, viewer, mode, names, with_total=True)
    return counts, total or 0
